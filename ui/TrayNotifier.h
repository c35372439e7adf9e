#pragma once

#include "Notifier.h"

#include <QList>
#include <QObject>
#include <optional>

class QSystemTrayIcon;

namespace legba {

class MainWindow;

// Reminders on the desktop: a tray icon with the app's menu and its notification bubbles
// where the desktop has a tray (QSystemTrayIcon::isSystemTrayAvailable), the window's status
// bar otherwise. Never a modal dialog. Clicking the notification (or the tray icon after one)
// opens the window on the pane and selects the item. Reminders told in the same turn of the
// event loop (one poll's) become one notification: the desktop does not say which of
// several bubbles was clicked, and a stack of them is noise. Its click opens the first item.
class TrayNotifier : public QObject, public Notifier {
    Q_OBJECT

public:
    explicit TrayNotifier(MainWindow* window);
    ~TrayNotifier() override;

    void notify(const QString& title, const QString& text, const ReminderTarget& target) override;

    // Opens the window on what the last notification was about (what messageClicked does).
    void openLast();
    bool hasTray() const { return m_tray != nullptr; }
    const std::optional<ReminderTarget>& lastTarget() const { return m_last; }

private:
    struct Pending {
        QString title;
        QString text;
        ReminderTarget target;
    };
    void flush();

    MainWindow* m_window;    // not owned; outlives this
    QSystemTrayIcon* m_tray; // owned (child); null without a tray
    std::optional<ReminderTarget> m_last;
    QList<Pending> m_pending;
};

} // namespace legba
