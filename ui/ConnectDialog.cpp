#include "ConnectDialog.h"

#include "KeyFormat.h"

#include <QAction>
#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStyle>
#include <QVBoxLayout>

namespace legba {

namespace {
QLabel* errorLabel(QWidget* parent) {
    auto* label = new QLabel(parent);
    label->setWordWrap(true);
    QPalette pal = label->palette();
    pal.setColor(
        QPalette::WindowText,
        QColor::fromHsl(0, 170,
                        parent->palette().color(QPalette::Window).lightness() < 128 ? 160 : 100));
    label->setPalette(pal);
    label->hide();
    return label;
}

void showError(QLabel* label, const QString& text) {
    label->setText(text);
    label->setVisible(!text.isEmpty());
}
} // namespace

ConnectDialog::ConnectDialog(QWidget* parent)
    : QDialog(parent)
    , m_reason(new QLabel(this))
    , m_name(new QLineEdit(this))
    , m_url(new QLineEdit(this))
    , m_urlError(errorLabel(this))
    , m_org(new QLineEdit(this))
    , m_orgError(errorLabel(this))
    , m_key(new QLineEdit(this))
    , m_keyError(errorLabel(this))
    , m_sessionOnly(new QCheckBox(tr("Use this key for this session only (do not save it)"), this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this)) {
    setWindowTitle(tr("Connect to an Organization"));
    setObjectName(QStringLiteral("connectDialog"));
    m_reason->setWordWrap(true);
    m_reason->hide();

    m_name->setPlaceholderText(tr("Production"));
    m_name->setAccessibleName(tr("Display name"));
    m_name->setToolTip(tr("How this organization is named in Legba Admin"));
    m_url->setPlaceholderText(QStringLiteral("https://api.legba.example"));
    m_url->setAccessibleName(tr("Server address"));
    m_url->setToolTip(tr("The API's base address. https:// is required except for this computer."));
    m_org->setPlaceholderText(QStringLiteral("123e4567-e89b-12d3-a456-426614174000"));
    m_org->setAccessibleName(tr("Organization id"));
    m_org->setToolTip(tr("The organization's UUID, as shown in the Legba dashboard"));
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_org->setFont(mono);
    m_key->setEchoMode(QLineEdit::Password);
    m_key->setFont(mono);
    m_key->setPlaceholderText(QStringLiteral("legba_…"));
    m_key->setAccessibleName(tr("API key"));
    m_key->setToolTip(tr("The API key; it is saved in the system keychain, never in a file"));
    // Pasting a key must not feed input-method history or autocompletion.
    m_key->setInputMethodHints(Qt::ImhHiddenText | Qt::ImhSensitiveData | Qt::ImhNoPredictiveText);
    QAction* reveal = m_key->addAction(style()->standardIcon(QStyle::SP_FileDialogContentsView),
                                       QLineEdit::TrailingPosition);
    reveal->setCheckable(true);
    reveal->setToolTip(tr("Show or hide the key"));
    connect(reveal, &QAction::toggled, this, [this](bool shown) {
        m_key->setEchoMode(shown ? QLineEdit::Normal : QLineEdit::Password);
    });
    m_sessionOnly->setAccessibleName(tr("Session only"));
    m_sessionOnly->setToolTip(
        tr("Keep the key in memory until Legba Admin quits; nothing is written anywhere"));

    auto* form = new QFormLayout;
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("Server &address:"), m_url);
    form->addRow(QString(), m_urlError);
    form->addRow(tr("&Organization id:"), m_org);
    form->addRow(QString(), m_orgError);
    form->addRow(tr("API &key:"), m_key);
    form->addRow(QString(), m_keyError);
    form->addRow(QString(), m_sessionOnly);

    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Connect"));
    m_buttons->button(QDialogButtonBox::Ok)->setAccessibleName(tr("Connect"));
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_reason);
    layout->addLayout(form);
    layout->addWidget(m_buttons);
    setMinimumWidth(520);

    connect(m_buttons, &QDialogButtonBox::accepted, this, &ConnectDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &ConnectDialog::reject);
    for (QLineEdit* field : {m_name, m_url, m_org, m_key})
        connect(field, &QLineEdit::textChanged, this, &ConnectDialog::validate);
    validate();
}

void ConnectDialog::setProfile(const Profile& profile) {
    m_profile = profile;
    m_name->setText(profile.displayName);
    m_url->setText(profile.baseUrl.toString());
    m_org->setText(profile.orgUuid);
    setWindowTitle(tr("Organization '%1'").arg(profile.displayName));
    validate();
}

void ConnectDialog::setReason(const QString& reason) {
    m_reason->setText(reason);
    m_reason->setVisible(!reason.isEmpty());
}

Profile ConnectDialog::profile() const {
    Profile profile = m_profile;
    profile.displayName = m_name->text().trimmed();
    if (profile.displayName.isEmpty())
        profile.displayName = QUrl(m_url->text().trimmed()).host();
    profile.baseUrl = QUrl(m_url->text().trimmed());
    profile.orgUuid = m_org->text().trimmed().toLower();
    if (profile.kind == Profile::Kind::Environment)
        profile.kind = Profile::Kind::Remote;
    return profile;
}

Secret ConnectDialog::takeKey() {
    Secret key(m_key->text().trimmed().toLatin1());
    m_key->clear();
    return key;
}

bool ConnectDialog::sessionOnly() const {
    return m_sessionOnly->isChecked();
}

QString ConnectDialog::keyProblem(const QString& text) {
    const QString key = text.trimmed();
    if (key.isEmpty())
        return tr("Enter the API key.");
    if (!key.startsWith(QLatin1String(keyformat::kTag)))
        return tr("A Legba API key starts with \"legba_\".");
    if (key.size() != keyformat::kKeyLength)
        return tr("A Legba API key has %1 characters; this one has %2.")
            .arg(keyformat::kKeyLength)
            .arg(key.size());
    if (!keyformat::isWellFormed(key.toLatin1()))
        return tr("This key's checksum does not match: a character was probably mistyped or "
                  "lost when copying.");
    return {};
}

void ConnectDialog::validate() {
    const Profile entered = profile();
    QString urlProblem;
    if (!m_url->text().trimmed().isEmpty()) {
        // Any valid id: only the address is judged here.
        Endpoint probe{entered.baseUrl, QStringLiteral("123e4567-e89b-12d3-a456-426614174000")};
        urlProblem = probe.problem().value_or(QString());
    }
    showError(m_urlError, urlProblem);
    const QString org = m_org->text().trimmed();
    showError(m_orgError, !org.isEmpty() && !isOrgUuid(org)
                              ? tr("The organization id is a UUID such as "
                                   "123e4567-e89b-12d3-a456-426614174000.")
                              : QString());
    const QString keyText = m_key->text();
    showError(m_keyError, keyText.isEmpty() ? QString() : keyProblem(keyText));

    const bool ok = !m_url->text().trimmed().isEmpty() && urlProblem.isEmpty() && isOrgUuid(org) &&
                    keyProblem(keyText).isEmpty();
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(ok);
}

void ConnectDialog::accept() {
    validate();
    if (!m_buttons->button(QDialogButtonBox::Ok)->isEnabled())
        return;
    QDialog::accept();
}

void ConnectDialog::reject() {
    m_key->clear();
    QDialog::reject();
}

} // namespace legba
