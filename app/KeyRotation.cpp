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
        m_outcome.error = result.error();
        m_outcome.message = tr("The key was not rotated: %1").arg(result.error().summary());
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
    if (profile.kind == Profile::Kind::Environment) {
        done(false, tr("This run's key comes from the environment (LEGBA_API_TOKEN) and is not "
                       "stored by Legba Admin."));
        return;
    }
    if (credentials->isSessionOnly(profile.credentialAccount())) {
        credentials->keepForSession(profile.credentialAccount(), key);
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
        if (m_profile.kind != Profile::Kind::Environment)
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
    if (result && result.value().keyId == m_outcome.issued.record.keyId) {
        m_outcome.verified = true;
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
