#include "GenerateKeyDialog.h"

#include "FieldMessage.h"
#include "KeyActions.h"
#include "Session.h"
#include "SettingsDialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateEdit>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QVBoxLayout>

namespace legba {

namespace {

QDateTime wholeSeconds(QDateTime time) {
    return time.addMSecs(-(time.toMSecsSinceEpoch() % 1000));
}

} // namespace

GenerateKeyDialog::GenerateKeyDialog(Session* session, KeyActions* actions, QWidget* parent)
    : QDialog(parent)
    , m_session(session)
    , m_actions(actions)
    , m_name(new QLineEdit(this))
    , m_nameError(fieldMessage(this, QStringLiteral("nameError")))
    , m_scopesError(fieldMessage(this, QStringLiteral("scopesError")))
    , m_expiry(new QComboBox(this))
    , m_date(new QDateEdit(this))
    , m_expiryNote(new QLabel(this))
    , m_expiryError(fieldMessage(this, QStringLiteral("expiryError")))
    , m_generalError(fieldMessage(this, QStringLiteral("generalError")))
    , m_generate(new QPushButton(tr("&Generate"), this))
    , m_cancel(new QPushButton(tr("Cancel"), this)) {
    setObjectName(QStringLiteral("generateKeyDialog"));
    setWindowTitle(tr("Generate New API Key"));
    setAccessibleName(tr("Generate New API Key"));

    auto* intro = new QLabel(tr("The new key is shown once, right after it is generated. Give "
                                "it only the scopes it needs."),
                             this);
    intro->setWordWrap(true);

    m_name->setObjectName(QStringLiteral("keyName"));
    m_name->setPlaceholderText(tr("e.g. ci-runner"));
    m_name->setAccessibleName(tr("Key name"));
    m_name->setToolTip(tr("What the key is for, so that you recognise it later (1 to %1 "
                          "characters)")
                           .arg(kMaxKeyNameLength));

    // Scopes: least privilege by default; a key cannot grant what it does not hold.
    auto* scopesBox = new QGroupBox(tr("Scopes"), this);
    scopesBox->setAccessibleName(tr("Scopes"));
    auto* scopesLayout = new QVBoxLayout(scopesBox);
    for (Scope scope : allScopes()) {
        auto* box = new QCheckBox(QStringLiteral("%1 — %2").arg(wireName(scope), describe(scope)),
                                  scopesBox);
        box->setObjectName(QStringLiteral("scope_") + wireName(scope));
        box->setAccessibleName(wireName(scope));
        box->setAccessibleDescription(describe(scope));
        const bool allowed = m_session && m_session->can(scope);
        box->setEnabled(allowed);
        box->setChecked(allowed && scope == Scope::InstancesRead);
        box->setToolTip(
            allowed ? describe(scope)
                    : tr("The key in use ('%1') lacks '%2', and a key cannot grant a scope it "
                         "does not hold itself.")
                          .arg(m_session && m_session->identity() ? m_session->identity()->name
                                                                  : tr("none"),
                               wireName(scope)));
        scopesLayout->addWidget(box);
        m_scopes.insert(scope, box);
        connect(box, &QCheckBox::toggled, this, &GenerateKeyDialog::validate);
    }
    scopesLayout->addWidget(m_scopesError);

    m_expiry->setObjectName(QStringLiteral("expiry"));
    m_expiry->addItem(tr("In 30 days"), static_cast<int>(Expiry::Days30));
    m_expiry->addItem(tr("In 90 days"), static_cast<int>(Expiry::Days90));
    m_expiry->addItem(tr("In 365 days"), static_cast<int>(Expiry::Days365));
    m_expiry->addItem(tr("On a date…"), static_cast<int>(Expiry::OnDate));
    m_expiry->addItem(tr("Never"), static_cast<int>(Expiry::Never));
    // The default expiry comes from Settings: a preset when it is one, else that date.
    const int defaultDays = AppSettings::load().defaultKeyExpiryDays;
    const Expiry preset = defaultDays == 0     ? Expiry::Never
                          : defaultDays == 30  ? Expiry::Days30
                          : defaultDays == 90  ? Expiry::Days90
                          : defaultDays == 365 ? Expiry::Days365
                                               : Expiry::OnDate;
    m_expiry->setCurrentIndex(m_expiry->findData(static_cast<int>(preset)));
    m_expiry->setAccessibleName(tr("Expiry"));
    m_expiry->setToolTip(tr("When the key stops working on its own. Shorter is safer."));
    m_date->setObjectName(QStringLiteral("expiryDate"));
    m_date->setCalendarPopup(true);
    m_date->setDisplayFormat(QStringLiteral("yyyy-MM-dd"));
    m_date->setMinimumDate(QDate::currentDate().addDays(1));
    m_date->setDate(QDate::currentDate().addDays(defaultDays > 0 ? defaultDays : 90));
    m_date->setAccessibleName(tr("Expiry date"));
    m_date->setToolTip(tr("The key stops working at the end of this day (local time)"));
    m_date->setEnabled(false);
    m_date->setVisible(false);
    m_expiryNote->setObjectName(QStringLiteral("expiryNote"));
    m_expiryNote->setAccessibleName(tr("Resulting expiry"));
    auto* expiryRow = new QHBoxLayout;
    expiryRow->addWidget(m_expiry);
    expiryRow->addWidget(m_date);
    expiryRow->addStretch(1);

    auto* form = new QFormLayout;
    form->addRow(tr("&Name:"), m_name);
    form->addRow(QString(), m_nameError);
    // A label made by hand: QFormLayout sets no buddy for a row that is a layout.
    auto* expiryLabel = new QLabel(tr("&Expires:"), this);
    expiryLabel->setBuddy(m_expiry);
    form->addRow(expiryLabel, expiryRow);
    form->addRow(QString(), m_expiryNote);
    form->addRow(QString(), m_expiryError);

    m_generate->setObjectName(QStringLiteral("generateButton"));
    m_generate->setAccessibleName(tr("Generate"));
    m_generate->setToolTip(tr("Ask the server for the new key; it is shown once"));
    m_generate->setDefault(true);
    m_cancel->setAccessibleName(tr("Cancel"));
    m_cancel->setToolTip(tr("Close without generating a key"));
    auto* buttons = new QDialogButtonBox(this);
    buttons->addButton(m_generate, QDialogButtonBox::AcceptRole);
    buttons->addButton(m_cancel, QDialogButtonBox::RejectRole);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(scopesBox);
    layout->addWidget(m_generalError);
    layout->addWidget(buttons);
    setMinimumWidth(540);

    // Reading order: name, expiry, date, scopes, buttons.
    QWidget* previous = m_name;
    for (QWidget* next : std::initializer_list<QWidget*>{m_expiry, m_date}) {
        setTabOrder(previous, next);
        previous = next;
    }
    for (Scope scope : allScopes()) {
        setTabOrder(previous, m_scopes.value(scope));
        previous = m_scopes.value(scope);
    }
    setTabOrder(previous, m_generate);
    setTabOrder(m_generate, m_cancel);

    connect(m_name, &QLineEdit::textChanged, this, &GenerateKeyDialog::validate);
    connect(m_expiry, &QComboBox::currentIndexChanged, this, [this] {
        m_date->setEnabled(!m_busy && expiry() == Expiry::OnDate);
        m_date->setVisible(expiry() == Expiry::OnDate);
        showFieldMessage(m_expiryError, {});
        updateExpiryNote();
    });
    connect(m_date, &QDateEdit::dateChanged, this, [this] {
        showFieldMessage(m_expiryError, {});
        updateExpiryNote();
    });
    connect(m_generate, &QPushButton::clicked, this, &GenerateKeyDialog::submit);
    connect(m_cancel, &QPushButton::clicked, this, &GenerateKeyDialog::reject);

    if (m_session && !m_session->can(Scope::KeysWrite))
        showFieldMessage(m_generalError, m_session->whyNot(Scope::KeysWrite));
    updateExpiryNote();
    validate();
    // The name is blank at first: say what is needed without shouting.
    showFieldMessage(m_nameError, {});
}

// Destroying the dialog cancels its request: it is the request's context.
GenerateKeyDialog::~GenerateKeyDialog() = default;

GenerateKeyDialog::Expiry GenerateKeyDialog::expiry() const {
    return static_cast<Expiry>(m_expiry->currentData().toInt());
}

QDateTime GenerateKeyDialog::expiresAt() const {
    const QDateTime now = wholeSeconds(QDateTime::currentDateTimeUtc());
    switch (expiry()) {
    case Expiry::Days30:
        return now.addDays(30);
    case Expiry::Days90:
        return now.addDays(90);
    case Expiry::Days365:
        return now.addDays(365);
    case Expiry::OnDate:
        return QDateTime(m_date->date(), QTime(23, 59, 59)).toUTC();
    case Expiry::Never:
        break;
    }
    return {};
}

void GenerateKeyDialog::updateExpiryNote() {
    const QDateTime at = expiresAt();
    m_expiryNote->setText(
        at.isValid() ? tr("The key stops working on %1.")
                           .arg(QLocale().toString(at.toLocalTime(), QLocale::LongFormat))
                     : tr("The key works until it is revoked. You will be asked to confirm."));
}

NewKeyRequest GenerateKeyDialog::request() const {
    NewKeyRequest request;
    request.name = m_name->text().trimmed();
    for (Scope scope : allScopes()) {
        if (m_scopes.value(scope)->isChecked())
            request.scopes << wireName(scope);
    }
    request.expiresAt = expiresAt();
    return request;
}

void GenerateKeyDialog::validate() {
    const QString name = m_name->text().trimmed();
    QString nameProblem;
    if (name.isEmpty())
        nameProblem = tr("Enter a name for the key.");
    else if (!isValidKeyName(name))
        nameProblem = tr("The name is %1 characters long; at most %2 are allowed.")
                          .arg(characterCount(name))
                          .arg(kMaxKeyNameLength);
    // An empty name is only an error once the user has typed something.
    showFieldMessage(m_nameError,
                     name.isEmpty() && m_name->text().isEmpty() ? QString() : nameProblem);

    bool anyScope = false;
    for (QCheckBox* box : std::as_const(m_scopes))
        anyScope = anyScope || box->isChecked();
    showFieldMessage(m_scopesError, anyScope ? QString() : tr("Choose at least one scope."));

    const bool allowed = !m_session || m_session->can(Scope::KeysWrite);
    m_generate->setEnabled(!m_busy && allowed && nameProblem.isEmpty() && anyScope);
    if (!allowed)
        m_generate->setToolTip(m_session->whyNot(Scope::KeysWrite));
}

QString GenerateKeyDialog::fieldOfMessage(const QString& message) {
    // The sandbox says "Field 'scopes[1]' is not a known scope"; other servers may only
    // name the field somewhere in the sentence.
    static const QRegularExpression quoted(QStringLiteral("['\"`]([a-z_]+)(\\[\\d+\\])?['\"`]"));
    static const QRegularExpression bare(QStringLiteral("\\b(name|scopes?|expires_at)\\b"));
    static const QRegularExpression scopeName(QStringLiteral("\\b(instances|keys|audit):\\w+"));
    auto normalise = [](const QString& field) -> QString {
        if (field == QLatin1String("name"))
            return field;
        if (field == QLatin1String("scopes") || field == QLatin1String("scope"))
            return QStringLiteral("scopes");
        if (field == QLatin1String("expires_at"))
            return field;
        return {};
    };
    auto it = quoted.globalMatch(message);
    while (it.hasNext()) {
        QString field = normalise(it.next().captured(1));
        if (!field.isEmpty())
            return field;
    }
    const auto match = bare.match(message);
    if (match.hasMatch())
        return normalise(match.captured(1));
    if (scopeName.match(message).hasMatch())
        return QStringLiteral("scopes"); // a FORBIDDEN naming the scope
    return {};
}

void GenerateKeyDialog::submit() {
    validate();
    if (!m_generate->isEnabled() || m_busy || !m_session || !m_actions)
        return;
    if (expiry() == Expiry::Never) {
        QMessageBox box(QMessageBox::Question, tr("A Key That Never Expires"),
                        tr("A key that never expires works until someone revokes it, even if "
                           "it leaks or is forgotten. Generate it anyway?"),
                        QMessageBox::Cancel, this);
        QPushButton* yes = box.addButton(tr("Generate Without Expiry"), QMessageBox::AcceptRole);
        box.setDefaultButton(QMessageBox::Cancel);
        box.exec();
        if (box.clickedButton() != yes)
            return;
    }
    if (expiry() == Expiry::OnDate && expiresAt() <= QDateTime::currentDateTimeUtc()) {
        showFieldMessage(m_expiryError, tr("Choose a date in the future."));
        return;
    }
    showFieldMessage(m_generalError, {});
    showFieldMessage(m_expiryError, {});
    setBusy(true);
    const std::optional<QString> refused = m_actions->create(
        request(), this, [this](Result<IssuedKey> result) { onAnswer(std::move(result)); });
    if (refused) {
        setBusy(false);
        showFieldMessage(m_generalError, tr("The key was not generated. %1").arg(*refused));
    }
}

void GenerateKeyDialog::onAnswer(Result<IssuedKey> result) {
    setBusy(false);
    if (result) {
        m_issued = std::move(result).value();
        accept();
        return;
    }
    const ApiError& error = result.error();
    if (error.kind == ApiError::Kind::Cancelled)
        return;
    const bool aboutAField = error.isHttp(ErrorCode::ValidationError) || error.isForbidden();
    const QString field = aboutAField ? fieldOfMessage(error.message) : QString();
    if (field == QLatin1String("name")) {
        showFieldMessage(m_nameError, error.message);
        m_name->setFocus();
    } else if (field == QLatin1String("scopes")) {
        showFieldMessage(m_scopesError, error.message);
    } else if (field == QLatin1String("expires_at")) {
        showFieldMessage(m_expiryError, error.message);
        m_expiry->setFocus();
    } else {
        showFieldMessage(m_generalError, tr("The key was not generated. %1").arg(error.details()));
    }
}

void GenerateKeyDialog::setBusy(bool busy) {
    m_busy = busy;
    m_name->setReadOnly(busy);
    m_expiry->setEnabled(!busy);
    m_date->setEnabled(!busy && expiry() == Expiry::OnDate);
    for (Scope scope : allScopes())
        m_scopes.value(scope)->setEnabled(!busy && m_session && m_session->can(scope));
    m_generate->setText(busy ? tr("Generating…") : tr("&Generate"));
    validate();
}

IssuedKey GenerateKeyDialog::takeIssued() {
    IssuedKey issued = m_issued ? std::move(*m_issued) : IssuedKey{};
    m_issued.reset();
    return issued;
}

} // namespace legba
