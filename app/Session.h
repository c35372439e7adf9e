#pragma once

#include "ApiError.h"
#include "LegbaClient.h"
#include "Profile.h"
#include "Scope.h"

#include <QDateTime>
#include <QObject>
#include <QTimer>
#include <chrono>
#include <optional>

namespace legba {

// Who we are on which organization, and whether the server is with us.
//
// Connecting asks GET /key; its answer names the key and its scopes, which decide what
// the UI offers. Any 401 later turns the session to KeyRejected; no answer at all turns
// it Offline, with the time it went so.
class Session : public QObject {
    Q_OBJECT

public:
    enum class State { Disconnected, Connecting, Connected, Offline, KeyRejected };
    Q_ENUM(State)

    explicit Session(QObject* parent = nullptr);

    LegbaClient* client() const { return m_client; }
    State state() const { return m_state; }
    const std::optional<Profile>& profile() const { return m_profile; }
    const std::optional<ApiKey>& identity() const { return m_identity; }
    const std::optional<ApiError>& lastError() const { return m_lastError; }
    QDateTime offlineSince() const { return m_offlineSince; }
    QDateTime lastSuccess() const { return m_lastSuccess; }

    // Starts connecting; returns a reason instead when the profile cannot be used
    // (plain http:// to a remote host, malformed organization id, empty key).
    std::optional<QString> connectTo(const Profile& profile, Secret key);
    void disconnectFromServer();
    // Asks GET /key again (after a network loss, or to refresh the identity). Asked by a
    // person, it also starts a new round of tries after the session gave up.
    void refreshIdentity();

    // When GET /key is answered, but not usably (404, 5xx, an HTML page, a body that is not
    // a key), it is asked again with backoff, at most maxTries times; then the session stops
    // asking and says why (identityGivenUp). A server answering other requests meanwhile
    // does not make it ask sooner, or a server that answers everything but GET /key would
    // drive it into a tight loop of thousands of requests a second.
    struct IdentityRetry {
        int maxTries = 5;
        std::chrono::milliseconds firstDelay{1000};
        std::chrono::milliseconds maxDelay{30'000};
    };
    void setIdentityRetry(IdentityRetry retry) { m_identityRetryPolicy = retry; }
    // The session stopped asking GET /key after maxTries unusable answers.
    bool identityGivenUp() const { return m_identityGivenUp; }
    // For a person, when the identity could not be learnt: what the server answered and
    // whether the session still tries. Empty otherwise.
    QString identityProblem() const;

    bool can(Scope scope) const;
    // "Needs the scope 'keys:write', which this key lacks." or empty when allowed.
    QString whyNot(Scope scope) const;
    // Expiry within this many days shows a warning.
    static constexpr int kExpiryWarningDays = 7;
    bool expiresSoon() const;

Q_SIGNALS:
    void stateChanged(legba::Session::State state);
    void identityChanged();

private:
    void setState(State state);
    void onKeyRejected(const ApiError& error);
    void onServerAnswered();
    void onServerUnreachable(const ApiError& error);
    void askIdentity();
    void onIdentityUnusable(const ApiError& error);

    LegbaClient* m_client; // owned (child)
    State m_state = State::Disconnected;
    std::optional<Profile> m_profile;
    std::optional<ApiKey> m_identity;
    std::optional<ApiError> m_lastError;
    QDateTime m_offlineSince;
    QDateTime m_lastSuccess;
    RequestHandle m_identityCall;
    IdentityRetry m_identityRetryPolicy;
    QTimer* m_identityRetry; // owned (child)
    int m_identityFailures = 0;
    bool m_identityGivenUp = false;
};

} // namespace legba
