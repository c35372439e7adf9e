#pragma once

#include "Notifier.h"

#include <QMainWindow>

class QLabel;
class QListWidget;
class QSplitter;
class QStackedWidget;
class QToolBar;
class QToolButton;

namespace legba {

class AuditHistory;
class AuditWatch;
struct WatchAlert;
class ConnectionManager;
class InstancesPane;
class KeyVerifier;
class MessageBanner;
class Pane;
class Session;
struct Profile;

// The window: organizations at the top, panes on the left, the connection at the bottom.
class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(ConnectionManager* connections, QWidget* parent = nullptr);
    ~MainWindow() override;

    enum PaneIndex { InstancesIndex, KeysIndex, AuditIndex };
    void showPane(int index);
    Pane* currentPane() const;
    InstancesPane* instancesPane() const { return m_instances; }
    QListWidget* navigation() const { return m_nav; }
    QLabel* connectionLabel() const { return m_connectionLabel; }
    QLabel* identityLabel() const { return m_identityLabel; }
    MessageBanner* sessionBanner() const { return m_sessionBanner; }

    // Opens the connect dialog to add an organization (or enter a key for one).
    void addOrganization();
    void askForKey(const Profile& profile, const QString& reason);
    // Settings… (Ctrl+,): applied at once to the running panes. About: version and licences.
    void showSettings();
    void showAbout();
    // A reminder was clicked: brings the window up on the pane and selects the item.
    void openReminder(const ReminderTarget& target);
    // Shows the window (restored if minimized), on top and active.
    void bringToFront();
    // The watch over the audit log's new events (app/AuditWatch), fed by the Audit pane.
    AuditWatch* auditWatch() const { return m_watch; }
    // Watch alerts since the Audit pane was last shown (the badge on its entry).
    int auditBadge() const { return m_auditBadge; }
    // The Audit pane reads the profile's local archive through `history` (not owned).
    void useAuditHistory(AuditHistory* history);

Q_SIGNALS:
    // The Settings dialog was accepted and its values applied.
    void settingsApplied();

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildActions();
    void buildAppMenu(QToolBar* toolBar);
    void buildStatusBar();
    void rebuildProfileMenu();
    void onSessionStateChanged();
    void onIdentityChanged();
    void updateWindowTitle();
    void editCurrentOrganization();
    void removeCurrentOrganization();
    void forgetCurrentKey();
    void copyAsCurl();
    void watchAuditPane();
    void onWatchAlert(const WatchAlert& alert);
    void updateAuditBadge();

    ConnectionManager* m_connections; // not owned
    Session* m_session;               // not owned
    QToolButton* m_profileButton;
    QListWidget* m_nav;
    QStackedWidget* m_stack;
    QSplitter* m_splitter;
    MessageBanner* m_sessionBanner;
    InstancesPane* m_instances;
    QList<Pane*> m_panes;
    QLabel* m_connectionLabel;
    QLabel* m_identityLabel;
    QLabel* m_scopesLabel;
    QLabel* m_expiryLabel;
    QLabel* m_refreshLabel;
    KeyVerifier* m_keyVerifier; // asks the server about a key before it is saved

    // The audit watch (owned, a child) and the alerts since the Audit pane was last shown.
    AuditWatch* m_watch = nullptr;
    int m_auditBadge = 0;
};

} // namespace legba
