#pragma once

#include <QDateTime>
#include <QString>

namespace legba {

// What a reminder is about, so that acting on it can open the pane on the item.
struct ReminderTarget {
    enum class Pane { Keys, Instances, Audit };
    Pane pane = Pane::Keys;
    QString itemId; // a key id or an instance UUID

    // Pane::Audit (a watch alert, app/AuditWatch): the filter that shows the events behind
    // it. Empty: that filter is not set. The range is whole seconds (the pane's precision).
    QString action{};     // exact, or a prefix ending in '.'
    QString actorKeyId{}; // a key id
    QDateTime since{};    // inclusive
    QDateTime until{};    // exclusive

    friend bool operator==(const ReminderTarget&, const ReminderTarget&) = default;
};

// Where a reminder goes: a desktop notification in the app (ui/TrayNotifier), a recorder in
// the tests. The app layer decides what to say and when; this only says it.
class Notifier {
public:
    Notifier() = default;
    Notifier(const Notifier&) = delete;
    Notifier& operator=(const Notifier&) = delete;
    virtual ~Notifier() = default;

    // One notification. `text` never holds a secret: key names and prefixes only.
    virtual void notify(const QString& title, const QString& text,
                        const ReminderTarget& target) = 0;
};

} // namespace legba
