#include "KeyActions.h"

#include "ConnectionManager.h"
#include "CredentialStore.h"
#include "KeyRotation.h"
#include "Logging.h"
#include "Session.h"

namespace legba {

namespace {

QString statusWord(const OpenEnum<KeyStatus>& status) {
    if (!status.isKnown())
        return status.wire(); // a status the docs never named: the server's own word
    switch (*status.known()) {
    case KeyStatus::Active:
        return KeyActions::tr("active");
    case KeyStatus::Expired:
        return KeyActions::tr("expired");
    case KeyStatus::Revoked:
        return KeyActions::tr("revoked");
    }
    return {};
}

StatusWords plainError(const QString& title, const QString& detail) {
    StatusWords words;
    words.title = title;
    words.detail = detail;
    words.offerRetry = false;
    return words;
}

// What the outcome of rotating the app's own key means for a person.
KeyActions::Outcome fromOwnRotation(KeyRotation::Outcome rotation) {
    KeyActions::Outcome outcome;
    const QString notRotated = KeyActions::tr("The key was not rotated.");
    if (!rotation.rotated) {
        if (rotation.mayHaveRotated) {
            outcome.words = plainError(
                KeyActions::tr("The server may have rotated the key but sent no new key."),
                rotation.message);
        } else if (rotation.error &&
                   (rotation.message.isEmpty() || rotation.error->kind == ApiError::Kind::Http)) {
            outcome.words = failureWords(*rotation.error, notRotated);
            outcome.failure = rotation.error;
        } else {
            outcome.words = plainError(notRotated, rotation.message);
            // No answer from the server, but KeyRotation has said what it means.
            if (rotation.error)
                outcome.words.tone = StatusWords::Tone::Warning;
        }
        return outcome;
    }
    outcome.done = true;
    outcome.reveal = !rotation.stored       ? KeyActions::Reveal::OwnRotatedUnsaved
                     : rotation.sessionOnly ? KeyActions::Reveal::OwnRotatedForSession
                                            : KeyActions::Reveal::OwnRotated;
    outcome.warning = !(rotation.stored && rotation.verified);
    if (!rotation.stored)
        outcome.notice = rotation.message + QLatin1Char('\n') +
                         KeyActions::tr("Legba Admin uses the new key until it quits. Copy it "
                                        "now and store it safely, or try saving it again.");
    else if (!rotation.verified)
        outcome.notice = rotation.message;
    // Stored and verified (for this session or in the keychain): the dialog's own words
    // for its origin say it all.
    outcome.issued = std::move(rotation.issued);
    return outcome;
}

} // namespace

KeyActions::KeyActions(ConnectionManager* connections, QObject* parent)
    : QObject(parent)
    , m_connections(connections)
    , m_session(connections->session())
    , m_rotation(new KeyRotation(connections, this)) {
    connect(m_rotation, &KeyRotation::stageChanged, this, &KeyActions::runningChanged);
}

bool KeyActions::isRunning() const {
    return m_call.isRunning() || m_rotation->isRunning();
}

bool KeyActions::isOwnKey(const ApiKey& key) const {
    return m_session->identity() && m_session->identity()->keyId == key.keyId;
}

QString KeyActions::whyNotGenerate() const {
    if (m_session->state() != Session::State::Connected)
        return tr("Not connected.");
    return m_session->whyNot(Scope::KeysWrite);
}

QString KeyActions::whyNotRotate(const ApiKey* key) const {
    if (m_session->state() != Session::State::Connected)
        return tr("Not connected.");
    if (!key)
        return tr("Select a key to rotate.");
    if (key->status != KeyStatus::Active || key->revokedAt.isValid())
        return tr("Only an active key can be rotated; this one is %1.")
            .arg(key->revokedAt.isValid() && key->status == KeyStatus::Active
                     ? tr("already rotated")
                     : statusWord(key->status));
    // The app's own key can always be rotated through POST /key/rotate.
    if (isOwnKey(*key))
        return {};
    if (!m_session->can(Scope::KeysWrite))
        return m_session->whyNot(Scope::KeysWrite);
    if (const std::optional<ApiKey>& identity = m_session->identity()) {
        for (const QString& scope : key->scopes) {
            if (!identity->hasScope(scope))
                return tr("Needs the scope '%1', which the key '%2' lacks: a key cannot issue "
                          "scopes it does not hold.")
                    .arg(scope, identity->name);
        }
    }
    return {};
}

QString KeyActions::whyNotRevoke(const ApiKey* key) const {
    if (m_session->state() != Session::State::Connected)
        return tr("Not connected.");
    if (!key)
        return tr("Select a key to revoke.");
    if (key->status == KeyStatus::Revoked)
        return tr("This key is already revoked.");
    return m_session->whyNot(Scope::KeysWrite);
}

bool KeyActions::gracePeriodAllowed() const {
    return m_session->can(Scope::KeysWrite);
}

QString KeyActions::whyNoGracePeriod() const {
    if (gracePeriodAllowed())
        return {};
    return m_session->whyNot(Scope::KeysWrite) + QLatin1Char(' ') +
           tr("Without it, the key can only be rotated at once.");
}

std::optional<QString> KeyActions::rotate(const ApiKey& key, int gracePeriodSeconds,
                                          const Callback& done) {
    if (isRunning())
        return tr("A rotation or revocation is already running.");
    if (QString why = whyNotRotate(&key); !why.isEmpty())
        return why;
    if (isOwnKey(key)) {
        const std::optional<QString> refused =
            m_rotation->start(gracePeriodSeconds, [done](KeyRotation::Outcome rotation) {
                done(fromOwnRotation(std::move(rotation)));
            });
        if (refused) {
            Outcome outcome;
            outcome.words = plainError(tr("The key was not rotated."), *refused);
            done(std::move(outcome));
        }
        return std::nullopt;
    }
    m_call = m_session->client()->rotateKey(
        key.keyId, gracePeriodSeconds, this,
        [this, done](Result<IssuedKey> result) { onOtherRotated(std::move(result), done); });
    Q_EMIT runningChanged();
    return std::nullopt;
}

void KeyActions::onOtherRotated(Result<IssuedKey> result, const Callback& done) {
    Q_EMIT runningChanged();
    Outcome outcome;
    if (!result) {
        outcome.words = failureWords(result.error(), tr("The key was not rotated."));
        outcome.failure = result.error();
        done(std::move(outcome));
        return;
    }
    outcome.done = true;
    outcome.issued = std::move(result).value();
    done(std::move(outcome));
}

std::optional<QString> KeyActions::revoke(const ApiKey& key, const Callback& done) {
    if (isRunning())
        return tr("A rotation or revocation is already running.");
    if (QString why = whyNotRevoke(&key); !why.isEmpty())
        return why;
    const bool own = isOwnKey(key);
    m_call = m_session->client()->revokeKey(
        key.keyId, this,
        [this, key, own, done](const Result<Done>& result) { onRevoked(key, own, result, done); });
    Q_EMIT runningChanged();
    return std::nullopt;
}

void KeyActions::onRevoked(const ApiKey& key, bool own, const Result<Done>& result,
                           const Callback& done) {
    Q_EMIT runningChanged();
    Outcome outcome;
    if (!result) {
        outcome.words =
            failureWords(result.error(), tr("The key '%1' was not revoked.").arg(key.name));
        outcome.failure = result.error();
        done(std::move(outcome));
        return;
    }
    qCInfo(lcApp).noquote() << "revoked key" << key.keyId << key.prefix;
    outcome.done = true;
    if (own) {
        forgetOwnKey();
        outcome.disconnected = true;
        outcome.words = plainError(
            tr("Disconnected: the key '%1' that Legba Admin used is revoked.").arg(key.name),
            tr("Choose \"Edit Organization or Key…\" in the organization menu to connect with "
               "another key."));
        outcome.words.tone = StatusWords::Tone::Info;
        done(std::move(outcome));
        return;
    }
    ApiKey revoked = key;
    revoked.status = KeyStatus::Revoked;
    revoked.revokedAt = QDateTime::currentDateTimeUtc();
    outcome.revoked = std::move(revoked);
    done(std::move(outcome));
}

void KeyActions::forgetOwnKey() {
    const std::optional<Profile> profile = m_session->profile();
    m_session->disconnectFromServer();
    if (!profile || profile->kind == Profile::Kind::Environment)
        return; // nothing was stored for it
    // The stored key is worthless now: do not offer it again on the next start.
    CredentialStore* credentials = m_connections->credentials();
    credentials->forgetSessionKey(profile->credentialAccount());
    credentials->remove(profile->credentialAccount(), this, [](const CredentialStore::Outcome&) {});
}

bool KeyActions::canList() const {
    return m_session->profile().has_value() && !m_listCall.isRunning();
}

bool KeyActions::list(bool includeRevoked, const ListCallback& done) {
    if (!canList())
        return false; // never two list requests in flight
    m_listCall = m_session->client()->listKeys(includeRevoked, this, done);
    return true;
}

void KeyActions::cancelList() {
    m_listCall.cancel();
}

RequestHandle KeyActions::listForScan(QObject* context, const ListCallback& done) {
    return m_session->client()->listKeys(true, context, done);
}

std::optional<QString> KeyActions::create(const NewKeyRequest& request, QObject* context,
                                          const CreateCallback& done) {
    if (m_createCall.isRunning())
        return tr("A key is already being generated.");
    if (QString why = whyNotGenerate(); !why.isEmpty())
        return why;
    m_createCall = m_session->client()->createKey(request, context, done);
    return std::nullopt;
}

QString KeyActions::curlCommand(const ApiKey* key, bool includeRevoked) const {
    const LegbaClient* client = m_session->client();
    if (key)
        return legba::curlCommand(client->describe(requests::getKeyById(key->keyId)));
    if (!m_session->profile())
        return {};
    return legba::curlCommand(client->describe(requests::listKeys(includeRevoked)));
}

void KeyActions::cancel() {
    if (!m_call.isRunning())
        return;
    m_call.cancel();
    Q_EMIT runningChanged();
}

} // namespace legba
