#include "Session.h"

#include "Logging.h"

namespace legba {

Session::Session(QObject* parent)
    : QObject(parent)
    , m_client(new LegbaClient(this))
    , m_identityRetry(new QTimer(this)) {
    m_identityRetry->setSingleShot(true);
    connect(m_identityRetry, &QTimer::timeout, this, &Session::askIdentity);
    connect(m_client, &LegbaClient::keyRejected, this, &Session::onKeyRejected);
    connect(m_client, &LegbaClient::serverAnswered, this, &Session::onServerAnswered);
    connect(m_client, &LegbaClient::serverUnreachable, this, &Session::onServerUnreachable);
}

std::optional<QString> Session::connectTo(const Profile& profile, Secret key) {
    if (key.isEmpty())
        return tr("No API key was given.");
    if (auto problem = m_client->setEndpoint(profile.endpoint()))
        return problem;
    m_identityCall.cancel();
    m_profile = profile;
    m_identity.reset();
    m_lastError.reset();
    m_offlineSince = {};
    m_identityRetry->stop();
    m_identityFailures = 0;
    m_identityGivenUp = false;
    m_client->setKey(std::move(key));
    setState(State::Connecting);
    Q_EMIT identityChanged();
    refreshIdentity();
    return std::nullopt;
}

void Session::disconnectFromServer() {
    m_identityCall.cancel();
    m_identityRetry->stop();
    m_client->clearKey();
    m_profile.reset();
    m_identity.reset();
    setState(State::Disconnected);
    Q_EMIT identityChanged();
}

void Session::refreshIdentity() {
    if (!m_profile)
        return;
    m_identityRetry->stop();
    m_identityFailures = 0;
    m_identityGivenUp = false;
    askIdentity();
}

void Session::askIdentity() {
    if (!m_profile)
        return;
    m_identityCall.cancel();
    m_identityCall = m_client->getKey(this, [this](Result<ApiKey> result) {
        if (result) {
            m_identity = std::move(result).value();
            // The hosted GET /key names no prefix; ours is the one part of the key we show.
            if (m_identity->prefix.isEmpty())
                m_identity->prefix = m_client->keyPrefix();
            m_lastError.reset();
            m_identityFailures = 0;
            m_identityGivenUp = false;
            m_lastSuccess = QDateTime::currentDateTimeUtc();
            qCInfo(lcApp).noquote() << "connected as" << m_identity->name << m_identity->prefix;
            setState(State::Connected);
            Q_EMIT identityChanged();
            return;
        }
        m_lastError = result.error();
        // 401 and unreachable have set the state through the client's signals already; any
        // other HTTP error or an answer that is not the contract's leaves us offline.
        const ApiError& error = result.error();
        const bool otherHttpError = error.kind == ApiError::Kind::Http && !error.isUnauthorized();
        if (otherHttpError || error.kind == ApiError::Kind::Parse)
            onIdentityUnusable(error);
        Q_EMIT identityChanged();
    });
}

void Session::onIdentityUnusable(const ApiError& error) {
    if (m_state == State::Connecting || (m_state == State::Offline && !m_identity))
        setState(State::Offline);
    ++m_identityFailures;
    if (m_identityFailures >= m_identityRetryPolicy.maxTries) {
        m_identityGivenUp = true;
        qCWarning(lcApp).noquote() << "GET /key answered unusably" << m_identityFailures
                                   << "times; not asking again:" << error.summary();
        return;
    }
    const qint64 delay = std::min<qint64>(m_identityRetryPolicy.firstDelay.count()
                                              << std::min(m_identityFailures - 1, 16),
                                          m_identityRetryPolicy.maxDelay.count());
    qCInfo(lcApp).noquote() << "GET /key answered unusably; asking again in" << delay << "ms";
    m_identityRetry->start(std::chrono::milliseconds(delay));
}

QString Session::identityProblem() const {
    if (m_identity || !m_lastError || m_lastError->isUnauthorized() ||
        (m_lastError->kind != ApiError::Kind::Http && m_lastError->kind != ApiError::Kind::Parse))
        return {};
    const QString what = tr("The server answers, but not with this key's record (GET /key): %1")
                             .arg(m_lastError->summary());
    if (m_identityGivenUp)
        return what + QLatin1Char(' ') +
               tr("Stopped asking after %1 tries; check the server address, then Retry.")
                   .arg(m_identityFailures);
    return what + QLatin1Char(' ') + tr("Asking again shortly.");
}

bool Session::can(Scope scope) const {
    return m_identity && m_identity->hasScope(wireName(scope));
}

QString Session::whyNot(Scope scope) const {
    if (can(scope))
        return {};
    if (!m_identity)
        return tr("Not connected.");
    return tr("Needs the scope '%1', which the key '%2' lacks.")
        .arg(wireName(scope), m_identity->name);
}

bool Session::expiresSoon() const {
    if (!m_identity || !m_identity->expiresAt.isValid())
        return false;
    return QDateTime::currentDateTimeUtc().addDays(kExpiryWarningDays) >= m_identity->expiresAt;
}

void Session::setState(State state) {
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

void Session::onKeyRejected(const ApiError& error) {
    m_lastError = error;
    setState(State::KeyRejected);
}

void Session::onServerAnswered() {
    m_lastSuccess = QDateTime::currentDateTimeUtc();
    if (m_state == State::Offline) {
        m_offlineSince = {};
        if (m_identity)
            setState(State::Connected);
        // Back after a loss of the network: ask at once. Not while a backoff runs or after
        // giving up on unusable answers, and never from inside the answer to GET /key
        // itself, which raised this signal.
        else if (!m_identityRetry->isActive() && !m_identityGivenUp && m_identityFailures == 0 &&
                 !m_identityCall.isRunning())
            askIdentity();
    }
}

void Session::onServerUnreachable(const ApiError& error) {
    m_lastError = error;
    if (m_state == State::Disconnected || m_state == State::KeyRejected)
        return;
    if (!m_offlineSince.isValid())
        m_offlineSince = QDateTime::currentDateTimeUtc();
    setState(State::Offline);
}

} // namespace legba
