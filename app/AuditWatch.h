#pragma once

#include "AuditRecords.h"
#include "Notifier.h"
#include "Types.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>
#include <deque>
#include <functional>
#include <limits>
#include <vector>

class QSettings;

namespace legba {

// Which watch rules are on, and the burst's thresholds (QSettings "watch/...", never a key).
// All on by default: each says something an administrator wants to know at once, and each
// is rare in a healthy organization.
struct WatchSettings {
    static constexpr int kDefaultBurstCount = 10;
    static constexpr int kDefaultBurstMinutes = 5;
    static constexpr int kMinBurstCount = 2;
    static constexpr int kMaxBurstCount = 100000;
    static constexpr int kMaxBurstMinutes = 24 * 60;

    bool failedAuthBurst = true;             // "watch/failedAuthBurst"
    int burstCount = kDefaultBurstCount;     // "watch/burstCount", 2..kMaxBurstCount
    int burstMinutes = kDefaultBurstMinutes; // "watch/burstMinutes", 1..kMaxBurstMinutes
    bool newAddress = true;                  // "watch/newAddress"
    bool deadKeyUse = true;                  // "watch/deadKeyUse"
    bool keysWriteCreated = true;            // "watch/keysWriteCreated"

    // Values that are missing, not booleans or out of range read as the default.
    static WatchSettings load(const QSettings& settings);
    void save(QSettings& settings) const;

    friend bool operator==(const WatchSettings&, const WatchSettings&) = default;
};

// One alert: what to say (key names and prefixes, never a key), the events behind it, and
// the Audit pane's filter that shows them (`target`, Pane::Audit).
struct WatchAlert {
    enum class Rule { FailedAuthBurst, NewAddress, DeadKeyUse, KeysWriteCreated };
    Rule rule = Rule::FailedAuthBurst;
    QString title;
    QString text;
    QStringList eventIds; // oldest first
    ReminderTarget target;
};

// The watch over the audit log's new events, without widgets and without I/O: it is fed the
// events someone else read (the Audit pane's feed: its pages and its live tail) and decides
// the alerts, each handed once to the Notifier and signalled.
//
// What it sees is all it knows: "before" means in the events this watch was fed since the
// organization was set, not the server's whole history. So an address is new to a key only
// once the key was seen: the first batch a key appears in teaches its addresses, and only an
// address it uses in a later batch alerts. History (`Mode::Learn`, the pane's pages) teaches
// keys and addresses and raises nothing; new events (`Mode::Watch`, the tail) raise.
// An event watched twice counts once (the last 100,000 ids are kept); history keeps nothing
// but the keys' addresses, so that a pane paging through a large log costs little.
//
// In the app (ui/MainWindow) it is fed by the Audit pane: nothing is watched until the pane
// has loaded the log and its live tail is on, and the pane's filters narrow what is seen
// (the local archive's sync is not fed to it yet). The key list comes from the Keys pane.
//
// The rules:
// - a burst of failed authentications: at least `burstCount` auth.failed events (a 429
//   count the server aggregated counts as many) within `burstMinutes`; told once per burst,
//   which ends when `burstMinutes` pass without a failed authentication.
// - a key used from an address it had not used before (see above), once per key and address.
// - a request with a revoked or expired key: the server records it as auth.failed with the
//   reason (revoked_key, expired_key) and the presented prefix in details, no actor; a
//   failure whose prefix (or actor) is a known revoked or expired key counts too. Once per
//   prefix per run: a script that keeps trying is one alert.
// - a key created with keys:write: api_key.created whose details' scopes, or the known key
//   list's entry for its target, hold keys:write. Once per event.
class AuditWatch : public QObject {
    Q_OBJECT

public:
    enum class Mode { Learn, Watch };
    using SettingsSource = std::function<WatchSettings()>;

    // `notifier` may be set later; without one, alerts are only signalled.
    explicit AuditWatch(Notifier* notifier = nullptr, QObject* parent = nullptr);
    ~AuditWatch() override;

    void setNotifier(Notifier* notifier) { m_notifier = notifier; }
    // Default: QSettings, read at each batch, so that the Settings dialog applies at once.
    void setSettingsSource(SettingsSource source) { m_settings = std::move(source); }

    // The organization (profile id) the events are of; another one forgets what was seen.
    void setOrganization(const QString& organization);
    const QString& organization() const { return m_organization; }

    // A batch of events, newest first as the API lists them. Returns the alerts raised.
    std::vector<WatchAlert> observe(const std::vector<audit::RecordView>& newestFirst,
                                    Mode mode = Mode::Watch);
    std::vector<WatchAlert> observe(const audit::AuditBatch& batch, std::size_t count,
                                    Mode mode = Mode::Watch);
    // The organization's keys (names for prefixes, revoked and expired ones, scopes).
    void observeKeys(const std::vector<ApiKey>& keys);

    // Events stamped before `since` are learned, never alerted on, even when handed over as
    // new: the app was not running when they happened. Invalid (the default): all are watched.
    void setWatchingSince(const QDateTime& since) {
        m_sinceMs = since.isValid() ? since.toMSecsSinceEpoch() : kWatchingAlways;
    }

    int alertCount() const { return m_alertCount; }

Q_SIGNALS:
    void alerted(const legba::WatchAlert& alert);

private:
    struct Failure {
        qint64 ms = 0;
        qint64 weight = 1;
        QString eventId;
    };
    struct Event; // one event's fields the rules read
    void reset();
    void burst(const std::vector<Event>& failures, const WatchSettings& settings,
               std::vector<WatchAlert>& alerts);
    void addresses(const std::vector<Event>& events, Mode mode, const WatchSettings& settings,
                   std::vector<WatchAlert>& alerts);
    void deadKeys(const std::vector<Event>& events, std::vector<WatchAlert>& alerts);
    void created(const std::vector<Event>& events, std::vector<WatchAlert>& alerts);
    QString keyLabel(const QString& keyId, const QString& name, const QString& prefix) const;

    Notifier* m_notifier; // not owned; may be null
    SettingsSource m_settings;
    QString m_organization;
    QSet<QString> m_seen; // event ids
    // The burst rule: failed authentications within the window, oldest first.
    std::deque<Failure> m_failures;
    qint64 m_lastFailureMs = 0;
    bool m_burstTold = false;
    // The address rule: key id -> the addresses seen.
    QHash<QString, QSet<QString>> m_addresses;
    // The dead key rule: prefixes told.
    QSet<QString> m_deadTold;
    std::vector<ApiKey> m_keys;
    int m_alertCount = 0;
    static constexpr qint64 kWatchingAlways = std::numeric_limits<qint64>::min();
    qint64 m_sinceMs = kWatchingAlways;
};

} // namespace legba

Q_DECLARE_METATYPE(legba::WatchAlert)
