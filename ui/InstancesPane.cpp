#include "InstancesPane.h"

#include "InstancesModel.h"
#include "Logging.h"
#include "MessageBanner.h"
#include "Session.h"
#include "StatusBadgeDelegate.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QStackedWidget>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace legba {

namespace {
enum Page { TablePage, EmptyPage };
}

InstancesPane::InstancesPane(Session* session, QWidget* parent)
    : Pane(parent)
    , m_session(session)
    , m_model(new InstancesModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_view(new QTableView(this))
    , m_stack(new QStackedWidget(this))
    , m_emptyLabel(new QLabel(this))
    , m_newButton(new QPushButton(tr("New Instance"), this))
    , m_refreshButton(new QPushButton(tr("Refresh"), this))
    , m_filter(new QLineEdit(this))
    , m_summary(new QLabel(this))
    , m_busy(new QProgressBar(this))
    , m_banner(new MessageBanner(this))
    , m_poll(new QTimer(this)) {
    setObjectName(QStringLiteral("instancesPane"));
    setAccessibleName(title());

    m_newButton->setIcon(QIcon::fromTheme(QStringLiteral("list-add")));
    m_newButton->setAccessibleName(tr("New Instance"));
    m_newButton->setEnabled(false);
    m_newButton->setToolTip(tr("Creating instances from Legba Admin is not available yet."));
    m_refreshButton->setIcon(QIcon::fromTheme(QStringLiteral("view-refresh")));
    m_refreshButton->setAccessibleName(tr("Refresh instances"));
    m_refreshButton->setToolTip(tr("Reload the list from the server (F5)"));
    m_filter->setPlaceholderText(tr("Filter instances (Ctrl+F)"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setAccessibleName(tr("Filter instances"));
    m_filter->setToolTip(
        tr("Show only instances whose id, status, image or size contains this text"));
    m_filter->setMaximumWidth(280);
    m_summary->setAccessibleName(tr("Instance counts"));

    auto* toolbar = new QHBoxLayout;
    toolbar->addWidget(m_newButton);
    toolbar->addWidget(m_refreshButton);
    toolbar->addSpacing(12);
    toolbar->addWidget(m_summary);
    toolbar->addStretch(1);
    toolbar->addWidget(m_filter);

    // A thin indeterminate bar: loading never hides the rows we have.
    m_busy->setRange(0, 0);
    m_busy->setTextVisible(false);
    m_busy->setFixedHeight(3);
    m_busy->setAccessibleName(tr("Loading"));
    m_busy->setVisible(false);

    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(InstancesModel::SortRole);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_view->setModel(m_proxy);
    m_view->setObjectName(QStringLiteral("instancesTable"));
    m_view->setAccessibleName(tr("Instances"));
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(InstancesModel::CreatedColumn, Qt::DescendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setShowGrid(false);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setHighlightSections(false);
    m_view->setItemDelegateForColumn(
        InstancesModel::StatusColumn,
        new StatusBadgeDelegate(InstancesModel::BadgeToneRole, m_view));
    const int charWidth = m_view->fontMetrics().averageCharWidth();
    m_view->setColumnWidth(InstancesModel::InstanceColumn, charWidth * 14);
    m_view->setColumnWidth(InstancesModel::StatusColumn, charWidth * 18);
    m_view->setColumnWidth(InstancesModel::ImageColumn, charWidth * 16);
    m_view->setColumnWidth(InstancesModel::SizeColumn, charWidth * 10);
    m_view->setColumnWidth(InstancesModel::CreatedColumn, charWidth * 16);
    m_view->setColumnWidth(InstancesModel::UptimeColumn, charWidth * 14);

    m_emptyLabel->setAlignment(Qt::AlignCenter);
    m_emptyLabel->setWordWrap(true);
    m_emptyLabel->setObjectName(QStringLiteral("instancesEmptyState"));
    auto* emptyPage = new QWidget(this);
    auto* emptyLayout = new QVBoxLayout(emptyPage);
    emptyLayout->addStretch(1);
    emptyLayout->addWidget(m_emptyLabel);
    emptyLayout->addStretch(2);
    m_stack->addWidget(m_view);
    m_stack->addWidget(emptyPage);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->addLayout(toolbar);
    layout->addWidget(m_busy);
    layout->addWidget(m_banner);
    layout->addWidget(m_stack, 1);

    connect(m_refreshButton, &QPushButton::clicked, this, &InstancesPane::refresh);
    connect(m_banner, &MessageBanner::retryRequested, this, &InstancesPane::refresh);
    connect(m_filter, &QLineEdit::textChanged, m_proxy,
            &QSortFilterProxyModel::setFilterFixedString);
    connect(m_filter, &QLineEdit::textChanged, this, &InstancesPane::updateEmptyState);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &InstancesPane::updateSummary);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &InstancesPane::updateSummary);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &InstancesPane::updateSummary);
    m_poll->setSingleShot(true);
    connect(m_poll, &QTimer::timeout, this, &InstancesPane::onPollTimer);

    setTabOrder(m_newButton, m_refreshButton);
    setTabOrder(m_refreshButton, m_filter);
    setTabOrder(m_filter, m_view);
    updateEmptyState();
}

QString InstancesPane::title() const {
    return tr("Instances");
}

void InstancesPane::focusFilter() {
    m_filter->setFocus(Qt::ShortcutFocusReason);
    m_filter->selectAll();
}

void InstancesPane::sessionChanged() {
    switch (m_session->state()) {
    case Session::State::Connected:
        setStale(false);
        refresh();
        break;
    case Session::State::Offline:
        setStale(true);
        schedulePoll();
        break;
    case Session::State::Disconnected:
        m_listCall.cancel();
        m_poll->stop();
        m_model->setInstances({});
        m_loadedOnce = false;
        m_banner->clear();
        m_busy->hide();
        updateEmptyState();
        break;
    case Session::State::KeyRejected:
        m_listCall.cancel();
        m_poll->stop();
        m_busy->hide();
        setStale(true);
        break;
    case Session::State::Connecting:
        break;
    }
}

void InstancesPane::refresh() {
    if (!m_session->profile() || m_listCall.isRunning())
        return; // never two list requests in flight
    m_poll->stop();
    m_busy->show();
    m_listCall = m_session->client()->listInstances(
        this, [this](Result<InstanceList> result) { onListed(std::move(result)); });
}

void InstancesPane::onListed(Result<InstanceList> result) {
    m_busy->hide();
    if (!result) {
        showError(result.error());
        schedulePoll();
        return;
    }
    m_model->setInstances(result.value().instances);
    m_loadedOnce = true;
    m_lastRefresh = QDateTime::currentDateTime();
    m_banner->clear();
    setStale(false);
    updateEmptyState();
    updateSummary();
    schedulePoll();
    Q_EMIT refreshed(m_lastRefresh);
}

void InstancesPane::showError(const ApiError& error) {
    const QString lastUpdate =
        m_lastRefresh.isValid()
            ? tr("Last updated %1.").arg(m_lastRefresh.toString(QStringLiteral("HH:mm")))
            : QString();
    switch (error.kind) {
    case ApiError::Kind::Network:
    case ApiError::Kind::Timeout:
        setStale(true);
        m_banner->showMessage(
            MessageBanner::Kind::Warning, tr("The server cannot be reached. %1").arg(lastUpdate),
            error.summary() + QLatin1Char('\n') +
                tr("Legba Admin keeps trying; the list below may be out of date."));
        break;
    case ApiError::Kind::Http:
        if (error.isUnauthorized()) {
            setStale(true);
            m_banner->showMessage(
                MessageBanner::Kind::Error, tr("The server rejected the API key."),
                tr("%1\nEnter a new key from the organization menu.").arg(error.details()), false);
            break;
        }
        if (error.isForbidden()) {
            m_banner->showMessage(MessageBanner::Kind::Error,
                                  tr("This key may not list instances."), error.details(), false);
            break;
        }
        m_banner->showMessage(MessageBanner::Kind::Error, tr("Listing instances failed."),
                              error.details());
        break;
    case ApiError::Kind::Cancelled:
        return;
    default:
        m_banner->showMessage(MessageBanner::Kind::Error, tr("Listing instances failed."),
                              error.details());
        break;
    }
    updateEmptyState();
}

void InstancesPane::setStale(bool stale) {
    if (m_stale == stale)
        return;
    m_stale = stale;
    // Greyed, not disabled: the rows stay selectable and copyable while the server is away.
    QPalette pal = m_view->palette();
    pal.setColor(QPalette::Active, QPalette::Text,
                 stale ? palette().color(QPalette::Disabled, QPalette::Text)
                       : palette().color(QPalette::Active, QPalette::Text));
    pal.setColor(QPalette::Inactive, QPalette::Text, pal.color(QPalette::Active, QPalette::Text));
    m_view->setPalette(pal);
    m_view->setToolTip(stale && m_lastRefresh.isValid()
                           ? tr("Out of date: last updated %1")
                                 .arg(m_lastRefresh.toString(QStringLiteral("HH:mm")))
                           : QString());
}

void InstancesPane::updateEmptyState() {
    const bool empty = m_proxy->rowCount() == 0;
    if (!empty || !m_loadedOnce) {
        m_stack->setCurrentIndex(TablePage);
        return;
    }
    if (!m_filter->text().isEmpty())
        m_emptyLabel->setText(tr("No instance matches \"%1\".").arg(m_filter->text()));
    else
        m_emptyLabel->setText(tr("No instances yet. This organization has no running browser "
                                 "instances; new ones appear here as soon as they are created."));
    m_stack->setCurrentIndex(EmptyPage);
}

void InstancesPane::updateSummary() {
    int counts[4] = {0, 0, 0, 0};
    for (const Instance& instance : m_model->instances())
        ++counts[static_cast<int>(instance.status)];
    QStringList parts;
    if (counts[static_cast<int>(InstanceStatus::Running)])
        parts << tr("%1 running").arg(counts[static_cast<int>(InstanceStatus::Running)]);
    if (counts[static_cast<int>(InstanceStatus::Provisioning)])
        parts << tr("%1 provisioning").arg(counts[static_cast<int>(InstanceStatus::Provisioning)]);
    if (counts[static_cast<int>(InstanceStatus::Terminating)])
        parts << tr("%1 terminating").arg(counts[static_cast<int>(InstanceStatus::Terminating)]);
    m_summary->setText(parts.join(QStringLiteral(" · ")));
    updateEmptyState();
}

void InstancesPane::schedulePoll() {
    bool transitional = false;
    for (const Instance& instance : m_model->instances())
        transitional = transitional || instance.status == InstanceStatus::Provisioning ||
                       instance.status == InstanceStatus::Terminating;
    m_poll->start(transitional || m_stale ? m_busyInterval : m_idleInterval);
}

void InstancesPane::onPollTimer() {
    const QWidget* top = window();
    if (top && top->isMinimized()) {
        schedulePoll(); // paused while minimised
        return;
    }
    if (m_session->state() == Session::State::KeyRejected)
        return;
    m_model->refreshTimes();
    refresh();
}

} // namespace legba
