#pragma once

#include "ApiError.h"
#include "LegbaClient.h"
#include "Profile.h"
#include "Scope.h"

#include <QDateTime>
#include <QObject>
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
    // Asks GET /key again (after a network loss, or to refresh the identity).
    void refreshIdentity();

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

    LegbaClient* m_client; // owned (child)
    State m_state = State::Disconnected;
    std::optional<Profile> m_profile;
    std::optional<ApiKey> m_identity;
    std::optional<ApiError> m_lastError;
    QDateTime m_offlineSince;
    QDateTime m_lastSuccess;
    RequestHandle m_identityCall;
};

} // namespace legba
