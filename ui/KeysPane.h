#pragma once

#include "GenerateKeyDialog.h"
#include "KeyActions.h"
#include "LegbaClient.h"
#include "ListStatus.h"
#include "Pane.h"
#include "RevealKeyDialog.h"
#include "RotateKeyDialog.h"

#include <QDateTime>
#include <QPointer>
#include <optional>

class QCheckBox;
class QLabel;
class QLineEdit;
class QMenu;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;
class QTimer;

namespace legba {

class ConnectionManager;
class KeyRotation;
class KeysModel;
class ListStatusView;
class MessageBanner;
class PrivilegePanel;
class SecretClipboard;
class Session;

// The organization's API keys: generate (the key is shown once), rotate, revoke, and a
// health line that says which keys need attention. The key this app uses is marked, and
// rotating or revoking it goes through the flows that keep the app working (or
// disconnect it cleanly).
class KeysPane : public Pane {
    Q_OBJECT

public:
    // What the server lets us do here: ListStatus's NotAvailable and Forbidden, as this pane
    // reads them.
    enum class Availability {
        Unknown,
        Available,
        OwnKeyOnly, // the key lacks keys:read: only its own record is shown
        NotOnServer // /keys answered 404
    };

    explicit KeysPane(ConnectionManager* connections, QWidget* parent = nullptr);
    ~KeysPane() override;

    QString title() const override;
    void refresh() override;
    void focusFilter() override;
    void primaryAction() override { generateKey(); }
    void deleteSelection() override { revokeSelected(); }
    QString copySelectionAsCurl() override;
    void sessionChanged() override;

    void generateKey();
    void rotateSelected();
    void revokeSelected();
    void setShowRevoked(bool show);

    // The selected key (one row), if any.
    std::optional<ApiKey> selectedKey() const;
    void selectKey(const QString& keyId);

    KeysModel* model() const { return m_model; }
    QSortFilterProxyModel* proxy() const { return m_proxy; }
    QTableView* view() const { return m_view; }
    SecretClipboard* clipboard() const { return m_clipboard; }
    KeyActions* actions() const { return m_actions; }
    KeyRotation* ownKeyRotation() const { return m_actions->ownKeyRotation(); }
    // The least-privilege advisor: the Privilege column's verdicts and the selected key's
    // scopes held and used.
    PrivilegePanel* privilegePanel() const { return m_privilege; }
    MessageBanner* banner() const;
    QLabel* healthLabel() const { return m_health; }
    QPushButton* generateButton() const { return m_generateButton; }
    QPushButton* rotateButton() const { return m_rotateButton; }
    QPushButton* revokeButton() const { return m_revokeButton; }
    QCheckBox* showRevokedBox() const { return m_showRevoked; }
    QLineEdit* filterField() const { return m_filter; }
    GenerateKeyDialog* generateDialog() const { return m_generateDialog; }
    RotateKeyDialog* rotateDialog() const { return m_rotateDialog; }
    RevealKeyDialog* revealDialog() const { return m_revealDialog; }
    Availability availability() const;
    const ListStatus& status() const { return m_status; }
    QDateTime lastRefresh() const { return m_status.lastRefresh(); }
    bool isStale() const { return m_status.isStale(); }
    bool isWorking() const;

Q_SIGNALS:
    void refreshed(const QDateTime& when);
    void revealShown(legba::RevealKeyDialog* dialog);
    // A rotate or revoke finished (successfully or not).
    void operationFinished();

private:
    void onListed(Result<KeyList> result);
    // The list's status changed: the busy line, the stale look, the banner and the page.
    void showStatus();
    void updateEmptyState();
    void updateHealth();
    void updateActions();
    void onIdentityChanged();
    void showContextMenu(const QPoint& pos);
    void startRotation(const ApiKey& key, int gracePeriodSeconds);
    void onRotated(KeyActions::Outcome outcome);
    void onRevoked(KeyActions::Outcome outcome);
    // An action's failure (or its words, when it has some) in the banner.
    void showOutcomeWords(const KeyActions::Outcome& outcome);
    void showReveal(IssuedKey issued, RevealKeyDialog::Origin origin, const QString& notice,
                    bool warning);
    void onClipboardCountdown(int secondsLeft);
    void setUpPrivilegePanel();

    ConnectionManager* m_connections; // not owned
    Session* m_session;               // not owned
    KeysModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QTableView* m_view;
    QPushButton* m_generateButton;
    QPushButton* m_rotateButton;
    QPushButton* m_revokeButton;
    QPushButton* m_refreshButton;
    QCheckBox* m_showRevoked;
    QLineEdit* m_filter;
    QLabel* m_health;
    QLabel* m_clipboardStatus;
    ListStatusView* m_list;
    QTimer* m_clock;
    SecretClipboard* m_clipboard;
    KeyActions* m_actions;
    PrivilegePanel* m_privilege = nullptr;
    QPointer<GenerateKeyDialog> m_generateDialog;
    QPointer<RotateKeyDialog> m_rotateDialog;
    QPointer<RevealKeyDialog> m_revealDialog;
    ListStatus m_status;
};

} // namespace legba
