#include "AboutDialog.h"

#include "LegbaBuildInfo.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QPushButton>
#include <QSysInfo>
#include <QVBoxLayout>

namespace legba {

namespace {

QLabel* selectableLabel(const QString& text, QWidget* parent) {
    auto* label = new QLabel(text, parent);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    return label;
}

} // namespace

QString AboutDialog::version() {
    return QStringLiteral(LEGBA_VERSION);
}

QString AboutDialog::buildDescription() {
    return tr("commit %1, built %2, Qt %3")
        .arg(QStringLiteral(LEGBA_BUILD_COMMIT), QStringLiteral(LEGBA_BUILD_DATE),
             QString::fromLatin1(qVersion()));
}

AboutDialog::AboutDialog(QWidget* parent)
    : QDialog(parent)
    , m_version(selectableLabel(tr("Version %1").arg(version()), this))
    , m_build(selectableLabel(buildDescription(), this))
    , m_licences(new QLabel(this)) {
    setObjectName(QStringLiteral("aboutDialog"));
    setWindowTitle(tr("About Legba Admin"));

    auto* icon = new QLabel(this);
    icon->setPixmap(QIcon(QStringLiteral(":/icons/legba-admin.svg")).pixmap(QSize(64, 64)));
    icon->setAlignment(Qt::AlignTop | Qt::AlignHCenter);
    icon->setAccessibleName(tr("Legba Admin icon"));

    auto* name = new QLabel(tr("Legba Admin"), this);
    QFont nameFont = name->font();
    nameFont.setPointSizeF(nameFont.pointSizeF() * 1.6);
    nameFont.setBold(true);
    name->setFont(nameFont);

    m_version->setObjectName(QStringLiteral("version"));
    m_version->setAccessibleName(tr("Version"));
    m_build->setObjectName(QStringLiteral("build"));
    m_build->setAccessibleName(tr("Build"));
    m_build->setToolTip(tr("The source commit and the date this copy was built"));
    m_build->setForegroundRole(QPalette::PlaceholderText);

    auto* description =
        new QLabel(tr("Administer a Legba organization: API keys, browser instances and the audit "
                      "log. Comes with legba-server, a local sandbox that speaks the same API."),
                   this);
    description->setWordWrap(true);

    auto* copyright =
        new QLabel(tr("Copyright © 2026 The Legba Admin authors.<br>Released under the "
                      "<a href=\"https://opensource.org/license/mit\">MIT License</a>. "
                      "<a href=\"https://legba.example\">legba.example</a>"),
                   this);
    copyright->setObjectName(QStringLiteral("copyright"));
    copyright->setOpenExternalLinks(true);
    copyright->setWordWrap(true);

    // The libraries shipped with the app, each under its own licence.
    const QString row = QStringLiteral("<tr><td>%1&nbsp;%2</td><td>&nbsp;&nbsp;</td>"
                                       "<td><a href=\"%4\">%3</a></td></tr>");
    m_licences->setObjectName(QStringLiteral("licences"));
    m_licences->setAccessibleName(tr("Third-party licences"));
    m_licences->setTextFormat(Qt::RichText);
    m_licences->setOpenExternalLinks(true);
    m_licences->setText(
        QStringLiteral("<table>") %
        row.arg(QStringLiteral("Qt"), QString::fromLatin1(qVersion()),
                tr("GNU LGPL v3 (LGPL-3.0-only)"),
                QStringLiteral("https://www.gnu.org/licenses/lgpl-3.0.html")) %
        row.arg(QStringLiteral("QtKeychain"), QStringLiteral(LEGBA_QTKEYCHAIN_VERSION),
                tr("BSD 3-Clause (BSD-3-Clause)"),
                QStringLiteral("https://opensource.org/license/bsd-3-clause")) %
        row.arg(QStringLiteral("nlohmann/json"), QStringLiteral(LEGBA_NLOHMANN_JSON_VERSION),
                tr("MIT License (MIT)"), QStringLiteral("https://opensource.org/license/mit")) %
        QStringLiteral("</table>"));
    auto* thirdParty = new QGroupBox(tr("Third-party software"), this);
    auto* thirdPartyLayout = new QVBoxLayout(thirdParty);
    thirdPartyLayout->addWidget(m_licences);

    auto* text = new QVBoxLayout;
    text->setSpacing(6);
    text->addWidget(name);
    text->addWidget(m_version);
    text->addWidget(m_build);
    text->addSpacing(6);
    text->addWidget(description);
    text->addWidget(copyright);

    auto* header = new QHBoxLayout;
    header->setSpacing(16);
    header->addWidget(icon);
    header->addLayout(text, 1);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton* copy = buttons->addButton(tr("&Copy Version Info"), QDialogButtonBox::ActionRole);
    copy->setObjectName(QStringLiteral("copyVersion"));
    copy->setToolTip(tr("Copy the version and build, for a bug report"));
    QPushButton* aboutQt = buttons->addButton(tr("About &Qt"), QDialogButtonBox::HelpRole);
    aboutQt->setToolTip(tr("Qt's version and licence"));
    connect(copy, &QPushButton::clicked, this, [] {
        QApplication::clipboard()->setText(
            QStringLiteral("Legba Admin %1 (%2) on %3")
                .arg(version(), buildDescription(), QSysInfo::prettyProductName()));
    });
    connect(aboutQt, &QPushButton::clicked, this, [] { QApplication::aboutQt(); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    buttons->button(QDialogButtonBox::Close)->setDefault(true);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(20, 20, 20, 12);
    layout->setSpacing(14);
    layout->addLayout(header);
    layout->addWidget(thirdParty);
    layout->addWidget(buttons);
    setMinimumWidth(460);
}

AboutDialog::~AboutDialog() = default;

} // namespace legba
