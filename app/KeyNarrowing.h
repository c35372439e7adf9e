#pragma once

#include "ApiError.h"
#include "LegbaClient.h"
#include "Types.h"

#include <QDateTime>
#include <QObject>
#include <QTimer>
#include <functional>
#include <optional>
#include <vector>

namespace legba {

class Session;

// "Replace with a narrower key" (the least-privilege advisor): a new key with the old key's
// name plus a suffix, only the scopes its requests were seen to use, and the old key's
// expiry; then, if and when the user asks, the old key revoked after a grace period the
// user picks.
//
// Why the grace period is kept here rather than by the server: the contract's grace period
// belongs to rotation (POST /keys/{id}/rotate), and a rotation issues a key with the old
// key's scopes, which is the opposite of narrowing. So the revoke (DELETE /keys/{id}) is
// scheduled in this app and made when it is due, while the app runs. If the app is closed
// before then, the old key stays active: the pane says so when the revoke is scheduled.
// Nothing is ever revoked without the user having picked the grace period.
class KeyNarrowing : public QObject {
    Q_OBJECT

public:
    struct PendingRevoke {
        QString keyId;
        QString name;
        QDateTime dueAt;
    };
    using Clock = std::function<QDateTime()>;
    using Callback = std::function<void(Result<IssuedKey>)>;

    static constexpr int kCheckEveryMsecs = 15'000;

    // "name (narrowed)", the name cut so that the whole stays within kMaxKeyNameLength.
    static QString narrowedName(const QString& name);

    // `session` is not owned.
    explicit KeyNarrowing(Session* session, QObject* parent = nullptr);

    void setClock(Clock clock) { m_clock = std::move(clock); }

    // Why `key` cannot be replaced by one with `scopes` now; empty when it can.
    QString whyNot(const ApiKey* key, const QStringList& scopes) const;
    // POST /keys: the narrower key. Returns why not instead (done is then never called).
    std::optional<QString> create(const ApiKey& key, const QStringList& scopes, Callback done);
    bool isCreating() const { return m_create.isRunning(); }

    // Revokes `key` when `graceSeconds` have passed (0: at once).
    void scheduleRevoke(const ApiKey& key, int graceSeconds);
    void cancelRevoke(const QString& keyId);
    const std::vector<PendingRevoke>& pending() const { return m_pending; }
    std::optional<PendingRevoke> pendingFor(const QString& keyId) const;
    // Revokes every pending key whose time has come. A timer calls it; tests, after moving
    // the clock.
    void revokeDue();
    // Forgets the requests in flight and the pending revokes (disconnected).
    void clear();

Q_SIGNALS:
    void pendingChanged();
    // A scheduled revoke was made: `error` is empty on success.
    void revoked(const QString& keyId, const std::optional<legba::ApiError>& error);

private:
    QDateTime now() const { return m_clock ? m_clock() : QDateTime::currentDateTimeUtc(); }

    Session* m_session; // not owned
    Clock m_clock;
    QTimer m_timer;
    RequestHandle m_create;
    std::vector<PendingRevoke> m_pending;
    std::vector<RequestHandle> m_revokes;
};

} // namespace legba
