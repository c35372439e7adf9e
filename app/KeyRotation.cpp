#include "KeyRotation.h"

#include "ConnectionManager.h"
#include "CredentialStore.h"
#include "Logging.h"
#include "Session.h"

namespace legba {

KeyRotation::KeyRotation(ConnectionManager* connections, QObject* parent)
    : QObject(parent)
    , m_connections(connections) {}

void KeyRotation::setStage(Stage stage) {
    if (m_stage == stage)
        return;
    m_stage = stage;
    Q_EMIT stageChanged(stage);
}

std::optional<QString> KeyRotation::start(int gracePeriodSeconds, Callback done) {
    Session* session = m_connections->session();
    if (isRunning())
        return tr("A rotation of this app's key is already running.");
    if (!session->profile() || !session->identity())
        return tr("Not connected: there is no key in use to rotate.");
    if (gracePeriodSeconds > 0 && !session->can(Scope::KeysWrite))
        return tr("A grace period needs the scope 'keys:write', which the key '%1' lacks. "
                  "Rotate without one.")
            .arg(session->identity()->name);

    m_profile = *session->profile();
    m_gracePeriodSeconds = gracePeriodSeconds;
    m_outcome = Outcome{};
    m_done = std::move(done);
    setStage(Stage::Rotating);
    qCInfo(lcApp).noquote() << "rotating this app's key" << session->identity()->prefix << "grace"
                            << gracePeriodSeconds << "s";
    auto onAnswer = [this](Result<IssuedKey> result) {
        onRotated(std::move(result));
    };
    if (gracePeriodSeconds > 0)
        session->client()->rotateKey(session->identity()->keyId, gracePeriodSeconds, this,
                                     onAnswer);
    else
        session->client()->rotateOwnKey(this, onAnswer);
    return std::nullopt;
}

void KeyRotation::onRotated(Result<IssuedKey> result) {
    if (!result) {
        const ApiError& error = result.error();
        m_outcome.error = error;
        // A 2xx without a usable key, or no answer at all to a request that was sent: the
        // server may have rotated. Only a refusal (4xx, 5xx) or a request that never left
        // (TLS, a refused address) certainly changed nothing.
        const bool maybeSent = error.kind == ApiError::Kind::Parse ||
                               error.kind == ApiError::Kind::Network ||
                               error.kind == ApiError::Kind::Timeout;
        if (maybeSent) {
            onNoNewKey(error);
            return;
        }
        m_outcome.message = tr("The key was not rotated: %1").arg(error.summary());
        finish();
        return;
    }
    // From here until the keychain write ends, a crash would lose the new key: the server
    // has it only as a digest. Nothing else happens first.
    m_outcome.rotated = true;
    m_outcome.issued = std::move(result).value();
    setStage(Stage::Storing);
    const Persist& persist = m_persist
                                 ? m_persist
                                 : Persist([this](const Profile& profile, const Secret& key,
                                                  QObject* context, auto stored) {
                                       defaultPersist(profile, key, context, std::move(stored));
                                   });
    persist(m_profile, m_outcome.issued.secret, this,
            [this](bool ok, const QString& message) { onStored(ok, message); });
}

void KeyRotation::defaultPersist(const Profile& profile, const Secret& key, QObject* context,
                                 std::function<void(bool, QString)> done) {
    CredentialStore* credentials = m_connections->credentials();
    // This run's key came from LEGBA_API_TOKEN, or the user chose not to save it: the new
    // one lives as long as this run, like the old one, and is shown once to be copied.
    if (profile.kind == Profile::Kind::Environment ||
        credentials->isSessionOnly(profile.credentialAccount())) {
        credentials->keepForSession(profile.credentialAccount(), key);
        m_outcome.sessionOnly = true;
        done(true, {});
        return;
    }
    credentials->write(
        profile.credentialAccount(), key, context,
        [done](CredentialStore::Outcome outcome) { done(outcome.ok(), outcome.message); });
}

void KeyRotation::onStored(bool ok, const QString& message) {
    m_outcome.stored = ok;
    if (!ok) {
        qCWarning(lcApp).noquote() << "the rotated key could not be stored:" << message;
        // Keep it usable for this run; the UI shows it so that the user can save it.
        m_connections->credentials()->keepForSession(m_profile.credentialAccount(),
                                                     m_outcome.issued.secret);
        m_outcome.message = tr("The key was rotated, but the new key could not be saved: %1")
                                .arg(message.isEmpty() ? tr("unknown error") : message);
    }
    Session* session = m_connections->session();
    if (!session->profile() || session->profile()->id != m_profile.id) {
        // The user switched organizations meanwhile: the new key is saved for its profile.
        finish();
        return;
    }
    setStage(Stage::Switching);
    session->client()->setKey(m_outcome.issued.secret);
    setStage(Stage::Verifying);
    session->client()->getKey(this, [this](Result<ApiKey> result) { onVerified(result); });
}

void KeyRotation::onVerified(Result<ApiKey> result) {
    ApiKey& issued = m_outcome.issued.record;
    // An answer without key_id (or a custom server's) is verified by the key working at all.
    if (result && (issued.keyId.isEmpty() || result.value().keyId == issued.keyId)) {
        m_outcome.verified = true;
        // What the rotation's answer left out, from the server's own record of the new key.
        const ApiKey& current = result.value();
        if (issued.keyId.isEmpty())
            issued.keyId = current.keyId;
        if (issued.name.isEmpty())
            issued.name = current.name;
        if (issued.scopes.isEmpty())
            issued.scopes = current.scopes;
        if (!issued.createdAt.isValid())
            issued.createdAt = current.createdAt;
        if (!issued.expiresAt.isValid())
            issued.expiresAt = current.expiresAt;
        if (!issued.lastUsedAt.isValid())
            issued.lastUsedAt = current.lastUsedAt;
        if (issued.prefix.isEmpty())
            issued.prefix = current.prefix;
        issued.status = current.status;
        // The session learns its new identity (and leaves "key rejected" if a request
        // with the old key was refused meanwhile).
        m_connections->session()->refreshIdentity();
    } else {
        if (!result)
            m_outcome.error = result.error();
        const QString why =
            result ? tr("the server answered as another key ('%1').").arg(result.value().keyId)
                   : result.error().summary();
        m_outcome.message =
            (m_outcome.message.isEmpty() ? QString() : m_outcome.message + QLatin1Char('\n')) +
            tr("The new key could not be verified: %1").arg(why);
    }
    finish();
}

void KeyRotation::onNoNewKey(const ApiError& error) {
    m_outcome.mayHaveRotated = true;
    Session* session = m_connections->session();
    if (m_gracePeriodSeconds > 0 || !session->profile() || session->profile()->id != m_profile.id) {
        // During a grace period the old key works either way: asking it tells nothing.
        m_outcome.message =
            tr("The server may have rotated the key but sent no new key (%1). If it did, the "
               "key Legba Admin uses stops working when the grace period ends: then create a "
               "new key in the Legba dashboard and enter it with Edit Organization or Key….")
                .arg(error.summary());
        finish();
        return;
    }
    // Whether the old key still works tells a rotation that happened from one that did not.
    setStage(Stage::Checking);
    session->client()->getKey(
        this, [this, error](Result<ApiKey> result) { onOldKeyChecked(error, std::move(result)); });
}

void KeyRotation::onOldKeyChecked(const ApiError& rotationError, Result<ApiKey> result) {
    const QString lead = tr("The server may have rotated the key but sent no new key (%1).")
                             .arg(rotationError.summary());
    if (result) {
        m_outcome.mayHaveRotated = false;
        m_outcome.message = lead + QLatin1Char(' ') +
                            tr("The key Legba Admin uses still works, so it was not rotated: "
                               "nothing is lost. Try again later.");
    } else if (result.error().isUnauthorized()) {
        m_outcome.message =
            lead + QLatin1Char(' ') +
            tr("The key Legba Admin used no longer works, so the server did rotate it and the "
               "new key is lost. Create a new key in the Legba dashboard (or here, with another "
               "key that holds keys:write) and enter it with Edit Organization or Key….");
    } else {
        m_outcome.message =
            lead + QLatin1Char(' ') +
            tr("Whether the key Legba Admin uses still works could not be checked (%1). If the "
               "server starts rejecting it, create a new key in the Legba dashboard and enter "
               "it with Edit Organization or Key….")
                .arg(result.error().summary());
    }
    finish();
}

void KeyRotation::finish() {
    setStage(Stage::Done);
    qCInfo(lcApp) << "rotation of this app's key finished: rotated" << m_outcome.rotated << "stored"
                  << m_outcome.stored << "verified" << m_outcome.verified;
    Callback done = std::move(m_done);
    m_done = nullptr;
    Outcome outcome = std::move(m_outcome);
    m_outcome = Outcome{};
    if (done)
        done(std::move(outcome));
}

} // namespace legba
