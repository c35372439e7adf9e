#include "ConnectDialog.h"

#include "FieldMessage.h"
#include "KeyFormat.h"
#include "KeyVerifier.h"
#include "KeyWords.h"

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
FieldTone toneOf(bool problem) {
    return problem ? FieldTone::Problem : FieldTone::Caution;
}
} // namespace

ConnectDialog::ConnectDialog(QWidget* parent)
    : QDialog(parent)
    , m_reason(new QLabel(this))
    , m_name(new QLineEdit(this))
    , m_url(new QLineEdit(this))
    , m_urlError(fieldMessage(this))
    , m_org(new QLineEdit(this))
    , m_orgError(fieldMessage(this))
    , m_key(new QLineEdit(this))
    , m_keyError(fieldMessage(this))
    , m_sessionOnly(new QCheckBox(tr("Use this key for this session only (do not save it)"), this))
    , m_check(fieldMessage(this))
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
    m_key->setObjectName(QStringLiteral("apiKey"));
    m_keyError->setObjectName(QStringLiteral("keyMessage"));
    m_check->setObjectName(QStringLiteral("keyCheck"));
    m_check->setAccessibleName(tr("What the server said of the key"));
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
    form->addRow(QString(), m_check);

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
        connect(field, &QLineEdit::textChanged, this, &ConnectDialog::onFieldEdited);
    validate();
}

ConnectDialog::~ConnectDialog() {
    // A check still running would answer into a dialog that is gone.
    if (m_verifier)
        m_verifier->cancel();
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
    return describeTokenProblem(keyformat::checkToken(QStringView(text).trimmed()));
}

QString ConnectDialog::keyWarning(const QString& text) {
    return describeTokenDoubt(keyformat::checkToken(QStringView(text).trimmed()));
}

void ConnectDialog::onFieldEdited() {
    // Whatever the server said was about what was typed before.
    if (m_verifier)
        m_verifier->cancel();
    m_connectAnyway = false;
    showFieldMessage(m_check, QString());
    validate();
}

void ConnectDialog::validate() {
    const Profile entered = profile();
    QString urlProblem;
    if (!m_url->text().trimmed().isEmpty()) {
        // Any valid id: only the address is judged here.
        Endpoint probe{entered.baseUrl, QStringLiteral("123e4567-e89b-12d3-a456-426614174000")};
        urlProblem = probe.problem().value_or(QString());
    }
    showFieldMessage(m_urlError, urlProblem);
    const QString org = m_org->text().trimmed();
    showFieldMessage(m_orgError, !org.isEmpty() && !isOrgUuid(org)
                                     ? tr("The organization id is a UUID such as "
                                          "123e4567-e89b-12d3-a456-426614174000.")
                                     : QString());
    const QString keyText = m_key->text();
    const QString problem = keyText.isEmpty() ? QString() : keyProblem(keyText);
    if (!problem.isEmpty())
        showFieldMessage(m_keyError, problem, FieldTone::Problem);
    else
        showFieldMessage(m_keyError, keyText.isEmpty() ? QString() : keyWarning(keyText),
                         FieldTone::Caution);

    const bool checking = m_verifier && m_verifier->isRunning();
    const bool ok = !m_url->text().trimmed().isEmpty() && urlProblem.isEmpty() && isOrgUuid(org) &&
                    keyProblem(keyText).isEmpty() && !checking;
    QPushButton* connectButton = m_buttons->button(QDialogButtonBox::Ok);
    connectButton->setEnabled(ok);
    connectButton->setText(m_connectAnyway ? tr("Connect Anyway") : tr("Connect"));
    fitContents();
    connectButton->setToolTip(m_connectAnyway
                                  ? tr("Save the key and connect although the server could not "
                                       "be asked about it")
                                  : tr("Ask the server about the key, then save it and connect"));
}

void ConnectDialog::showCheck(const QString& text, bool problem) {
    showFieldMessage(m_check, text, toneOf(problem));
    fitContents();
}

void ConnectDialog::fitContents() {
    // A message that appears under a field wraps to the dialog's width: grow to show it
    // whole rather than clip its last lines.
    layout()->activate();
    const int wanted = layout()->hasHeightForWidth() ? layout()->totalHeightForWidth(width())
                                                     : sizeHint().height();
    if (wanted > height())
        resize(width(), wanted);
}

void ConnectDialog::startCheck() {
    const Secret key(m_key->text().trimmed().toLatin1());
    const std::optional<QString> refused =
        m_verifier->verify(profile().endpoint(), key, [this](const Result<ApiKey>& result) {
            if (result) {
                QDialog::accept();
                return;
            }
            const ApiError& error = result.error();
            m_connectAnyway = KeyVerifier::worthConnectingAnyway(error);
            QString text = KeyVerifier::explain(error);
            if (m_connectAnyway)
                text += QLatin1Char('\n') +
                        tr("Connect Anyway saves the key and connects without the server's word.");
            showCheck(text, true);
            validate();
        });
    if (refused) {
        showCheck(*refused, true);
        validate();
        return;
    }
    showCheck(tr("Checking the key with the server…"), false);
    validate();
}

void ConnectDialog::accept() {
    validate();
    if (!m_buttons->button(QDialogButtonBox::Ok)->isEnabled())
        return;
    if (m_verifier && !m_connectAnyway) {
        startCheck();
        return;
    }
    QDialog::accept();
}

void ConnectDialog::reject() {
    if (m_verifier)
        m_verifier->cancel();
    m_key->clear();
    QDialog::reject();
}

} // namespace legba
