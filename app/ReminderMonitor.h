#pragma once

#include "LegbaClient.h"
#include "Notifier.h"
#include "Types.h"

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <chrono>
#include <functional>
#include <vector>

class QSettings;
class QTimer;

namespace legba {

class Session;

// Which reminders the user wants (QSettings "reminders/...", never a key). Expiring keys on
// by default: a key that expires breaks whatever uses it, and the warning costs nothing.
// Unused keys on too: a key nobody used for 90 days is the cheapest one to revoke, and one
// reminder per key per run is not noise. Long-running instances off, as the issue asks: how
// long an instance should run is the user's to say, with the threshold beside it.
struct ReminderSettings {
    static constexpr int kDefaultInstanceHours = 24;
    static constexpr int kMaxInstanceHours = 24 * 365;

    bool expiringKeys = true;                  // "reminders/expiringKeys"
    bool unusedKeys = true;                    // "reminders/unusedKeys"
    bool longRunningInstances = false;         // "reminders/longRunningInstances"
    int instanceHours = kDefaultInstanceHours; // "reminders/instanceHours", 1..kMaxInstanceHours

    bool wantsKeys() const { return expiringKeys || unusedKeys; }

    // Values that are missing, not booleans or out of range read as the default.
    static ReminderSettings load(const QSettings& settings);
    void save(QSettings& settings) const;

    friend bool operator==(const ReminderSettings&, const ReminderSettings&) = default;
};

// One reminder as decided: what to say, about what, and the item's state it was decided on
// (`stateStamp`: the expiry, the last use, the creation time). The same item with the same
// stamp is told once per run; a new stamp (the expiry moved) tells it again.
struct Reminder {
    enum class Kind { KeyExpiring, KeyUnused, InstanceLongRunning };
    Kind kind = Kind::KeyExpiring;
    ReminderTarget target;
    QString title;
    QString text;
    qint64 stateStamp = 0;
};

namespace reminders {
// A key expiring this soon is told about: Session::kExpiryWarningDays, the status bar's.
constexpr int kExpiringDays = 7;
// A key not used for this long (never used and created this long ago) is told about.
constexpr int kUnusedDays = 90;

// The decisions, without I/O: which of these keys and instances deserve a reminder at `now`.
// Only active keys and running instances count; an instance's age is counted from its
// creation, the only time the API gives.
std::vector<Reminder> forKeys(const std::vector<ApiKey>& keys, const ReminderSettings& settings,
                              const QDateTime& now);
std::vector<Reminder> forInstances(const std::vector<Instance>& instances,
                                   const ReminderSettings& settings, const QDateTime& now);
} // namespace reminders

// Reminders while the app runs (never when it does not: no service, nothing scheduled
// outside the process). While the session is connected it reads the organization's keys and
// instances on connect and then every `period` (10 minutes), decides the reminders and
// hands each new one to the Notifier once per item per run.
//
// A list a pane has just loaded is not asked again: observeKeys / observeInstances take the
// pane's answer (the Instances pane refreshes every few seconds, so with it wired the monitor
// never asks for instances itself), and a poll skips a list observed within the period.
// A list it may not read (the key lacks the scope, 403, a server without the route, 404) or
// cannot read now (offline) is simply no reminder: it is logged, never shown.
class ReminderMonitor : public QObject {
    Q_OBJECT

public:
    using Clock = std::function<QDateTime()>;
    using SettingsSource = std::function<ReminderSettings()>;

    static constexpr std::chrono::minutes kDefaultPeriod{10};

    // `notifier` may be set later; without one, reminders are decided and dropped.
    explicit ReminderMonitor(Session* session, Notifier* notifier = nullptr,
                             QObject* parent = nullptr);
    ~ReminderMonitor() override;

    void setNotifier(Notifier* notifier) { m_notifier = notifier; }
    // Seams for tests: what "now" is (default: the system clock, UTC) and where the settings
    // come from (default: QSettings, read at every poll, so the Settings dialog's choices
    // apply at the next one).
    void setClock(Clock now) { m_now = std::move(now); }
    void setSettingsSource(SettingsSource source) { m_settings = std::move(source); }
    void setPeriod(std::chrono::milliseconds period);

    // Reads what is due now (unless a poll is already running) and tells what is new;
    // pollFinished() follows, also when nothing was asked.
    void pollNow();
    bool isPolling() const { return m_pending > 0; }

    // A list loaded by someone else (a pane) for the session's organization.
    void observeKeys(const std::vector<ApiKey>& keys);
    void observeInstances(const std::vector<Instance>& instances);

    // How many reminders were handed to the notifier in this run.
    int raisedCount() const { return m_raisedCount; }

Q_SIGNALS:
    void pollFinished();

private:
    void onSessionStateChanged();
    void onKeys(Result<KeyList> result);
    void onInstances(Result<InstanceList> result);
    void raise(const std::vector<Reminder>& reminders);
    void finishOne();
    bool fresh(const QDateTime& observedAt, const QDateTime& now) const;
    QString organization() const;

    Session* m_session;   // not owned
    Notifier* m_notifier; // not owned; may be null
    QTimer* m_timer;      // owned (child)
    Clock m_now;
    SettingsSource m_settings;
    std::chrono::milliseconds m_period{kDefaultPeriod};
    RequestHandle m_keysCall;
    RequestHandle m_instancesCall;
    int m_pending = 0;
    QDateTime m_keysObservedAt;
    QDateTime m_instancesObservedAt;
    // "org|kind|item" -> the state stamp last told, for this run.
    QHash<QString, qint64> m_told;
    int m_raisedCount = 0;
};

} // namespace legba
