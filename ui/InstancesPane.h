#pragma once

#include "LegbaClient.h"
#include "Pane.h"

#include <QDateTime>

class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSortFilterProxyModel;
class QStackedWidget;
class QTableView;
class QTimer;

namespace legba {

class InstancesModel;
class MessageBanner;
class Session;

// The organization's browser instances: a live table that refreshes as fast as the work
// needs (every 2 s while something is changing, slower otherwise), keeps the last list in
// view when the server is away, and explains an empty list.
class InstancesPane : public Pane {
    Q_OBJECT

public:
    explicit InstancesPane(Session* session, QWidget* parent = nullptr);

    QString title() const override;
    void refresh() override;
    void focusFilter() override;
    void sessionChanged() override;

    void setIdleInterval(int msecs) { m_idleInterval = msecs; }
    InstancesModel* model() const { return m_model; }
    QTableView* view() const { return m_view; }
    QDateTime lastRefresh() const { return m_lastRefresh; }
    bool isStale() const { return m_stale; }

Q_SIGNALS:
    void refreshed(const QDateTime& when);

private:
    void onListed(Result<InstanceList> result);
    void showError(const ApiError& error);
    void setStale(bool stale);
    void updateEmptyState();
    void updateSummary();
    void schedulePoll();
    void onPollTimer();

    Session* m_session;
    InstancesModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QTableView* m_view;
    QStackedWidget* m_stack;
    QLabel* m_emptyLabel;
    QPushButton* m_newButton;
    QPushButton* m_refreshButton;
    QLineEdit* m_filter;
    QLabel* m_summary;
    QProgressBar* m_busy;
    MessageBanner* m_banner;
    QTimer* m_poll;
    RequestHandle m_listCall;
    QDateTime m_lastRefresh;
    bool m_loadedOnce = false;
    bool m_stale = false;
    int m_idleInterval = 15'000;
    int m_busyInterval = 2'000;
};

} // namespace legba
