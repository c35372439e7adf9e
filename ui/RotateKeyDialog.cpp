#include "RotateKeyDialog.h"

#include "TimeFormat.h"

#include <QButtonGroup>
#include <QDialogButtonBox>
#include <QGroupBox>
#include <QLabel>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>
#include <array>

namespace legba {

namespace {
struct GraceChoice {
    int seconds;
    const char* label;
};
constexpr std::array kGraceChoices = {
    GraceChoice{0, QT_TRANSLATE_NOOP("legba::RotateKeyDialog", "At once")},
    GraceChoice{3600, QT_TRANSLATE_NOOP("legba::RotateKeyDialog", "After 1 hour")},
    GraceChoice{86400, QT_TRANSLATE_NOOP("legba::RotateKeyDialog", "After 24 hours")},
    GraceChoice{604800, QT_TRANSLATE_NOOP("legba::RotateKeyDialog", "After 7 days")},
};
} // namespace

RotateKeyDialog::RotateKeyDialog(const ApiKey& key, Options options, QWidget* parent)
    : QDialog(parent)
    , m_key(key)
    , m_options(std::move(options))
    , m_outcome(new QLabel(this))
    , m_rotate(new QPushButton(tr("&Rotate"), this)) {
    setObjectName(QStringLiteral("rotateKeyDialog"));
    setWindowTitle(tr("Rotate API Key"));
    setAccessibleName(windowTitle());

    auto* question = new QLabel(tr("Rotate key '%1' (%2…)?").arg(key.name, key.prefix), this);
    QFont bold = question->font();
    bold.setBold(true);
    question->setFont(bold);
    question->setWordWrap(true);
    question->setAccessibleName(question->text());

    auto* explain = new QLabel(
        tr("A new key with the same name, scopes and expiry replaces it. The new key is shown "
           "once; whatever uses the old key must be given the new one."),
        this);
    explain->setWordWrap(true);

    auto* own = new QLabel(this);
    own->setWordWrap(true);
    own->setVisible(m_options.ownKey);
    if (m_options.ownKey) {
        own->setText(tr("Legba Admin itself uses this key. It saves the new key in the system "
                        "keychain first, then switches to it and checks that it works."));
        own->setAccessibleName(own->text());
    }

    auto* group = new QGroupBox(tr("The old key stops working"), this);
    group->setAccessibleName(tr("When the old key stops working"));
    auto* groupLayout = new QVBoxLayout(group);
    auto* buttons = new QButtonGroup(this);
    for (const GraceChoice& choice : kGraceChoices) {
        auto* radio = new QRadioButton(tr(choice.label), group);
        radio->setProperty("graceSeconds", choice.seconds);
        radio->setAccessibleName(tr(choice.label));
        const bool allowed = choice.seconds == 0 || m_options.graceAllowed;
        radio->setEnabled(allowed);
        radio->setToolTip(allowed ? (choice.seconds == 0
                                         ? tr("Requests with the old key fail from the next one on")
                                         : tr("The old key keeps working until then, so that you "
                                              "can roll the new one out"))
                                  : m_options.whyNoGrace);
        buttons->addButton(radio);
        groupLayout->addWidget(radio);
        m_choices << radio;
        connect(radio, &QRadioButton::toggled, this, &RotateKeyDialog::updateOutcome);
    }
    m_choices.first()->setChecked(true);
    m_outcome->setObjectName(QStringLiteral("rotateOutcome"));
    m_outcome->setWordWrap(true);
    m_outcome->setAccessibleName(tr("What happens to the old key"));
    groupLayout->addWidget(m_outcome);

    m_rotate->setObjectName(QStringLiteral("rotateButton"));
    m_rotate->setAccessibleName(tr("Rotate"));
    m_rotate->setToolTip(tr("Generate the replacement key now"));
    m_rotate->setAutoDefault(false);
    auto* cancel = new QPushButton(tr("Cancel"), this);
    cancel->setAccessibleName(tr("Cancel"));
    cancel->setToolTip(tr("Keep the key as it is"));
    // Rotating can break whatever uses the key: the safe choice is the default.
    cancel->setDefault(true);
    auto* box = new QDialogButtonBox(this);
    box->addButton(m_rotate, QDialogButtonBox::AcceptRole);
    box->addButton(cancel, QDialogButtonBox::RejectRole);
    connect(m_rotate, &QPushButton::clicked, this, &RotateKeyDialog::accept);
    connect(cancel, &QPushButton::clicked, this, &RotateKeyDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(question);
    layout->addWidget(explain);
    layout->addWidget(own);
    layout->addWidget(group);
    layout->addWidget(box);
    setMinimumWidth(480);

    QWidget* previous = m_choices.first();
    for (QRadioButton* radio : std::as_const(m_choices)) {
        if (radio != previous)
            setTabOrder(previous, radio);
        previous = radio;
    }
    setTabOrder(previous, m_rotate);
    setTabOrder(m_rotate, cancel);
    updateOutcome();
    cancel->setFocus();
}

int RotateKeyDialog::gracePeriodSeconds() const {
    for (QRadioButton* radio : m_choices) {
        if (radio->isChecked())
            return radio->property("graceSeconds").toInt();
    }
    return 0;
}

void RotateKeyDialog::setGracePeriodSeconds(int seconds) {
    for (QRadioButton* radio : std::as_const(m_choices)) {
        if (radio->property("graceSeconds").toInt() == seconds && radio->isEnabled())
            radio->setChecked(true);
    }
}

void RotateKeyDialog::updateOutcome() {
    const int grace = gracePeriodSeconds();
    if (grace == 0) {
        m_outcome->setText(
            tr("Requests using %1… fail immediately after the rotation.").arg(m_key.prefix));
        return;
    }
    const QDateTime until = QDateTime::currentDateTimeUtc().addSecs(grace);
    m_outcome->setText(tr("%1… keeps working until about %2, then it is revoked.")
                           .arg(m_key.prefix, timeformat::exactLocal(until)));
}

} // namespace legba
