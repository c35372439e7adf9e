#pragma once

#include "LegbaClient.h"
#include "ListStatus.h"
#include "Pane.h"

#include <QDateTime>
#include <optional>

class QComboBox;
class QLabel;
class QLineEdit;
class QMenu;
class QPushButton;
class QTableView;
class QTimer;
class QToolButton;

namespace legba {

class InstanceActions;
class InstancesFilterModel;
class InstancesModel;
class ListStatusView;
class MessageBanner;
class Session;

// The organization's browser instances: a live table that refreshes as fast as the work
// needs (every 2 s while something is changing, slower otherwise, paused while minimised),
// create and destroy, and the last list kept in view when the server is away.
class InstancesPane : public Pane {
    Q_OBJECT

public:
    explicit InstancesPane(Session* session, QWidget* parent = nullptr);

    QString title() const override;
    void refresh() override;
    void focusFilter() override;
    void primaryAction() override { newInstance(); }
    void deleteSelection() override { destroySelected(); }
    QString copySelectionAsCurl() override;
    void sessionChanged() override;

    void newInstance();
    // Asks first, listing what goes.
    void destroySelected();
    // Asks for the organization's name to be typed first.
    void destroyAll();
    // Without asking: what the confirmations lead to. Public for tests.
    void createInstance(const NewInstanceRequest& request);
    void destroyInstances(const QStringList& instanceUuids);

    void setIdleInterval(int msecs) { m_idleInterval = msecs; }
    void setBusyInterval(int msecs) { m_busyInterval = msecs; }
    InstancesModel* model() const { return m_model; }
    InstancesFilterModel* filterModel() const { return m_proxy; }
    QTableView* view() const { return m_view; }
    MessageBanner* banner() const;
    QPushButton* newButton() const { return m_newButton; }
    QPushButton* destroyButton() const { return m_destroyButton; }
    QLabel* summary() const { return m_summary; }
    const ListStatus& status() const { return m_status; }
    QDateTime lastRefresh() const { return m_status.lastRefresh(); }
    bool isStale() const { return m_status.isStale(); }
    QStringList selectedUuids() const;
    // Selects the instance's row and scrolls to it, when it is listed and not filtered out.
    void selectInstance(const QString& instanceUuid);

Q_SIGNALS:
    void refreshed(const QDateTime& when);
    // For the status bar: "Created instance 1a2b3c4d".
    void message(const QString& text);

private:
    void onListed(Result<InstanceList> result);
    // An action on instances failed: the banner says so, and the rows may turn stale.
    void showActionError(const QString& what, const ApiError& error);
    void updateActions();
    void updateEmptyState();
    void updateSummary();
    void schedulePoll();
    void onPollTimer();
    void showContextMenu(const QPoint& pos);
    void openAccessUrl();
    void copyToClipboard(const QString& text, const QString& what);
    void applyFilters();

    Session* m_session;
    InstanceActions* m_actions; // owned (child)
    InstancesModel* m_model;
    InstancesFilterModel* m_proxy;
    QTableView* m_view;
    QPushButton* m_newButton;
    QPushButton* m_destroyButton;
    QToolButton* m_moreButton;
    QPushButton* m_refreshButton;
    QComboBox* m_statusFilter;
    QComboBox* m_imageFilter;
    QComboBox* m_sizeFilter;
    QLineEdit* m_filter;
    QLabel* m_summary;
    ListStatusView* m_list;
    QTimer* m_poll;
    QTimer* m_animation;
    QAction* m_destroyAllAction;
    ListStatus m_status;
    std::optional<int> m_quota;
    int m_idleInterval = 15'000;
    int m_busyInterval = 2'000;
};

} // namespace legba
