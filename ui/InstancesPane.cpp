#include "InstancesPane.h"

#include "Identifiers.h"
#include "InstancesFilterModel.h"
#include "InstancesModel.h"
#include "ListStatusView.h"
#include "Logging.h"
#include "MessageBanner.h"
#include "NewInstanceDialog.h"
#include "Session.h"
#include "StatusBadgeDelegate.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDesktopServices>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMap>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <memory>

namespace legba {

namespace {
// "1 instance", "3 instances": no translation is loaded to choose tr()'s plural forms.
QString instances(qsizetype n) {
    return n == 1 ? InstancesPane::tr("1 instance") : InstancesPane::tr("%1 instances").arg(n);
}
} // namespace

InstancesPane::InstancesPane(Session* session, QWidget* parent)
    : Pane(parent)
    , m_session(session)
    , m_model(new InstancesModel(this))
    , m_proxy(new InstancesFilterModel(this))
    , m_view(new QTableView(this))
    , m_newButton(new QPushButton(tr("New Instance"), this))
    , m_destroyButton(new QPushButton(tr("Destroy"), this))
    , m_moreButton(new QToolButton(this))
    , m_refreshButton(new QPushButton(tr("Refresh"), this))
    , m_statusFilter(new QComboBox(this))
    , m_imageFilter(new QComboBox(this))
    , m_sizeFilter(new QComboBox(this))
    , m_filter(new QLineEdit(this))
    , m_summary(new QLabel(this))
    , m_list(new ListStatusView(m_view, m_view, this))
    , m_poll(new QTimer(this))
    , m_animation(new QTimer(this))
    , m_destroyAllAction(new QAction(tr("Destroy All Instances…"), this)) {
    setObjectName(QStringLiteral("instancesPane"));
    setAccessibleName(title());
    m_idleInterval =
        std::max(2, QSettings().value(QStringLiteral("instances/refreshSeconds"), 15).toInt()) *
        1000;

    m_newButton->setObjectName(QStringLiteral("newInstanceButton"));
    m_newButton->setIcon(QIcon::fromTheme(QStringLiteral("list-add")));
    m_newButton->setAccessibleName(tr("New Instance"));
    m_newButton->setDefault(false);
    m_destroyButton->setIcon(QIcon::fromTheme(QStringLiteral("edit-delete")));
    m_destroyButton->setAccessibleName(tr("Destroy selected instances"));
    m_moreButton->setText(tr("More"));
    m_moreButton->setAccessibleName(tr("More instance actions"));
    m_moreButton->setToolTip(tr("More actions"));
    m_moreButton->setPopupMode(QToolButton::InstantPopup);
    auto* more = new QMenu(m_moreButton);
    more->addAction(m_destroyAllAction);
    m_moreButton->setMenu(more);
    m_refreshButton->setIcon(QIcon::fromTheme(QStringLiteral("view-refresh")));
    m_refreshButton->setAccessibleName(tr("Refresh instances"));
    m_refreshButton->setToolTip(tr("Reload the list from the server (F5)"));

    m_statusFilter->setAccessibleName(tr("Filter by status"));
    m_statusFilter->setToolTip(tr("Show only instances in this state"));
    m_statusFilter->addItem(tr("Any status"), -1);
    for (InstanceStatus status :
         {InstanceStatus::Provisioning, InstanceStatus::Running, InstanceStatus::Terminating})
        m_statusFilter->addItem(InstancesModel::statusText(status), static_cast<int>(status));
    m_imageFilter->setAccessibleName(tr("Filter by image"));
    m_imageFilter->setToolTip(tr("Show only instances of this image"));
    m_imageFilter->addItem(tr("Any image"), QString());
    for (const QString& image : NewInstanceDialog::knownImages())
        m_imageFilter->addItem(image, image);
    m_sizeFilter->setAccessibleName(tr("Filter by size"));
    m_sizeFilter->setToolTip(tr("Show only instances of this size"));
    m_sizeFilter->addItem(tr("Any size"), -1);
    for (InstanceSize size : {InstanceSize::Small, InstanceSize::Medium, InstanceSize::Large})
        m_sizeFilter->addItem(wireName(size), static_cast<int>(size));
    m_filter->setPlaceholderText(tr("Filter (Ctrl+F)"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setAccessibleName(tr("Filter instances"));
    m_filter->setToolTip(
        tr("Show only instances whose id, status, image, size or address contains this text"));
    m_filter->setMaximumWidth(240);
    m_summary->setAccessibleName(tr("Instance counts"));
    m_summary->setObjectName(QStringLiteral("instancesSummary"));

    auto* toolbar = new QHBoxLayout;
    toolbar->addWidget(m_newButton);
    toolbar->addWidget(m_destroyButton);
    toolbar->addWidget(m_moreButton);
    toolbar->addWidget(m_refreshButton);
    toolbar->addSpacing(12);
    toolbar->addWidget(m_summary);
    toolbar->addStretch(1);
    toolbar->addWidget(m_statusFilter);
    toolbar->addWidget(m_imageFilter);
    toolbar->addWidget(m_sizeFilter);
    toolbar->addWidget(m_filter);

    m_proxy->setSourceModel(m_model);
    m_view->setModel(m_proxy);
    m_view->setObjectName(QStringLiteral("instancesTable"));
    m_view->setAccessibleName(tr("Instances"));
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(InstancesModel::CreatedColumn, Qt::DescendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->setAlternatingRowColors(true);
    m_view->setShowGrid(false);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setHighlightSections(false);
    auto* badges = new StatusBadgeDelegate(InstancesModel::BadgeToneRole, m_view);
    badges->setBusyRole(InstancesModel::BusyRole);
    m_view->setItemDelegateForColumn(InstancesModel::StatusColumn, badges);
    const int charWidth = m_view->fontMetrics().averageCharWidth();
    // Wide enough for the hosted API's ids (1234-5678-90ab-cdef) in the monospace font the
    // cell uses, not only for a UUID's head.
    const QFontMetrics mono(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_view->setColumnWidth(InstancesModel::InstanceColumn,
                           mono.horizontalAdvance(QStringLiteral("1234-5678-90ab-cdef")) +
                               charWidth * 3);
    m_view->setColumnWidth(InstancesModel::StatusColumn, charWidth * 20);
    m_view->setColumnWidth(InstancesModel::ImageColumn, charWidth * 16);
    m_view->setColumnWidth(InstancesModel::SizeColumn, charWidth * 10);
    m_view->setColumnWidth(InstancesModel::CreatedColumn, charWidth * 16);
    m_view->setColumnWidth(InstancesModel::UptimeColumn, charWidth * 14);

    m_list->pageLabel()->setObjectName(QStringLiteral("instancesEmptyState"));
    m_list->pageButton()->setText(tr("New Instance"));
    m_list->pageButton()->setAccessibleName(tr("New Instance"));

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->addLayout(toolbar);
    layout->addWidget(m_list, 1);

    connect(m_newButton, &QPushButton::clicked, this, &InstancesPane::newInstance);
    connect(m_list, &ListStatusView::pageButtonClicked, this, &InstancesPane::newInstance);
    connect(m_destroyButton, &QPushButton::clicked, this, &InstancesPane::destroySelected);
    connect(m_destroyAllAction, &QAction::triggered, this, &InstancesPane::destroyAll);
    connect(m_refreshButton, &QPushButton::clicked, this, &InstancesPane::refresh);
    connect(m_list, &ListStatusView::retryRequested, this, &InstancesPane::refresh);
    connect(m_filter, &QLineEdit::textChanged, this, &InstancesPane::applyFilters);
    for (QComboBox* combo : {m_statusFilter, m_imageFilter, m_sizeFilter})
        connect(combo, &QComboBox::currentIndexChanged, this, &InstancesPane::applyFilters);
    connect(m_view, &QTableView::customContextMenuRequested, this, &InstancesPane::showContextMenu);
    connect(m_view, &QTableView::doubleClicked, this, &InstancesPane::openAccessUrl);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &InstancesPane::updateActions);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &InstancesPane::updateSummary);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &InstancesPane::updateSummary);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &InstancesPane::updateSummary);
    m_poll->setSingleShot(true);
    connect(m_poll, &QTimer::timeout, this, &InstancesPane::onPollTimer);
    m_animation->setInterval(80);
    connect(m_animation, &QTimer::timeout, this, [this] { m_view->viewport()->update(); });

    setTabOrder(m_newButton, m_destroyButton);
    setTabOrder(m_destroyButton, m_moreButton);
    setTabOrder(m_moreButton, m_refreshButton);
    setTabOrder(m_refreshButton, m_statusFilter);
    setTabOrder(m_statusFilter, m_imageFilter);
    setTabOrder(m_imageFilter, m_sizeFilter);
    setTabOrder(m_sizeFilter, m_filter);
    setTabOrder(m_filter, m_view);
    updateActions();
    updateEmptyState();
}

MessageBanner* InstancesPane::banner() const {
    return m_list->banner();
}

QString InstancesPane::title() const {
    return tr("Instances");
}

void InstancesPane::focusFilter() {
    m_filter->setFocus(Qt::ShortcutFocusReason);
    m_filter->selectAll();
}

void InstancesPane::applyFilters() {
    const int status = m_statusFilter->currentData().toInt();
    m_proxy->setStatusFilter(status < 0 ? std::nullopt
                                        : std::optional(static_cast<InstanceStatus>(status)));
    m_proxy->setImageFilter(m_imageFilter->currentData().toString());
    const int size = m_sizeFilter->currentData().toInt();
    m_proxy->setSizeFilter(size < 0 ? std::nullopt
                                    : std::optional(static_cast<InstanceSize>(size)));
    m_proxy->setText(m_filter->text());
    updateEmptyState();
}

QStringList InstancesPane::selectedUuids() const {
    QStringList uuids;
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    for (const QModelIndex& row : rows)
        uuids << row.data(InstancesModel::IdRole).toString();
    return uuids;
}

void InstancesPane::selectInstance(const QString& instanceUuid) {
    if (const int row = m_model->rowOf(instanceUuid); row >= 0)
        selectSourceRow(m_view, m_proxy, m_model->index(row, 0));
}

void InstancesPane::sessionChanged() {
    updateActions();
    const ListStatus::SessionStep step = m_status.sessionChanged(m_session->state());
    if (step == ListStatus::SessionStep::Stop || step == ListStatus::SessionStep::Clear) {
        m_listCall.cancel();
        m_poll->stop();
    }
    if (step == ListStatus::SessionStep::Clear) {
        m_model->setInstances({});
        m_quota.reset();
    }
    if (step == ListStatus::SessionStep::Clear)
        m_list->showStatus(m_status, QString());
    else
        m_list->showLook(m_status);
    if (step == ListStatus::SessionStep::Reload)
        refresh();
    else if (step == ListStatus::SessionStep::Wait)
        schedulePoll();
    updateEmptyState();
}

void InstancesPane::updateActions() {
    const bool canWrite = m_session->can(Scope::InstancesWrite);
    const QString why = m_session->whyNot(Scope::InstancesWrite);
    const bool selected = !selectedUuids().isEmpty();
    m_newButton->setEnabled(canWrite);
    m_list->pageButton()->setEnabled(canWrite);
    m_newButton->setToolTip(canWrite ? tr("Start a new browser instance (Ctrl+N)") : why);
    m_list->pageButton()->setToolTip(m_newButton->toolTip());
    m_destroyButton->setEnabled(canWrite && selected);
    m_destroyButton->setToolTip(!canWrite  ? why
                                : selected ? tr("Destroy the selected instances (Delete)")
                                           : tr("Select instances to destroy them"));
    m_destroyAllAction->setEnabled(canWrite && !m_model->instances().empty());
    m_destroyAllAction->setToolTip(canWrite ? tr("Destroy every instance of the organization")
                                            : why);
    m_moreButton->setEnabled(canWrite);
    m_moreButton->setToolTip(canWrite ? tr("More actions") : why);
}

void InstancesPane::refresh() {
    if (!m_session->profile() || m_listCall.isRunning())
        return; // never two list requests in flight
    m_poll->stop();
    m_status.setLoading(true);
    m_list->setBusy(true);
    m_listCall = m_session->client()->listInstances(
        this, [this](Result<InstanceList> result) { onListed(std::move(result)); });
}

void InstancesPane::onListed(Result<InstanceList> result) {
    if (!result) {
        m_status.failed(result.error());
        m_list->showStatus(m_status, tr("Listing instances failed."));
        updateEmptyState();
        schedulePoll();
        return;
    }
    m_model->setInstances(result.value().instances);
    m_status.loaded();
    m_list->showStatus(m_status, QString());
    showUnreadable(m_list->banner(), result.value().unreadable, tr("instance"), tr("instances"));
    updateEmptyState();
    updateSummary();
    updateActions();
    schedulePoll();
    Q_EMIT refreshed(m_status.lastRefresh());
}

void InstancesPane::newInstance() {
    if (!m_session->can(Scope::InstancesWrite))
        return;
    NewInstanceDialog dialog(this);
    if (dialog.exec() == QDialog::Accepted)
        createInstance(dialog.request());
}

void InstancesPane::createInstance(const NewInstanceRequest& request) {
    m_list->setBusy(true);
    m_session->client()->createInstance(request, this, [this, request](Result<Instance> result) {
        m_list->setBusy(m_status.isLoading());
        if (!result) {
            const ApiError& error = result.error();
            if (error.isHttp(ErrorCode::Conflict)) {
                static const QRegularExpression number(QStringLiteral("\\b(\\d+)\\b"));
                if (const auto match = number.match(error.message); match.hasMatch())
                    m_quota = match.captured(1).toInt();
                m_list->banner()->showMessage(
                    MessageBanner::Kind::Warning,
                    tr("The organization's instance quota is reached."),
                    tr("%1\nDestroy an instance you no longer need, then create the new one.")
                        .arg(error.details()),
                    false);
                updateSummary();
                return;
            }
            showActionError(tr("Creating a %1 instance failed.").arg(request.image), error);
            return;
        }
        // The row appears at once; polling turns it running.
        m_model->upsert(result.value());
        m_list->banner()->clear();
        updateEmptyState();
        updateActions();
        Q_EMIT message(tr("Created instance %1.").arg(shortId(result.value().instanceUuid)));
        const int proxyRow =
            m_proxy->mapFromSource(m_model->index(m_model->rowOf(result.value().instanceUuid), 0))
                .row();
        if (proxyRow >= 0)
            m_view->scrollTo(m_proxy->index(proxyRow, 0));
        schedulePoll();
    });
}

void InstancesPane::destroySelected() {
    const QStringList uuids = selectedUuids();
    if (uuids.isEmpty() || !m_session->can(Scope::InstancesWrite))
        return;
    QStringList lines;
    for (const QString& uuid : uuids) {
        const int row = m_model->rowOf(uuid);
        const Instance* instance = m_model->instanceAt(row);
        lines << (instance ? QStringLiteral("• %1  %2, %3, %4")
                                 .arg(shortId(uuid), instance->image, instance->size.wire(),
                                      InstancesModel::statusText(instance->status))
                           : uuid);
    }
    QMessageBox box(QMessageBox::Warning, tr("Destroy Instances"),
                    tr("Destroy %1? Their browsers stop and their sessions are lost; "
                       "this cannot be undone.")
                        .arg(instances(uuids.size())),
                    QMessageBox::Cancel, this);
    box.setInformativeText(
        lines.mid(0, 12).join(QLatin1Char('\n')) +
        (lines.size() > 12 ? tr("\n… and %1 more").arg(lines.size() - 12) : QString()));
    QPushButton* destroy = box.addButton(tr("Destroy"), QMessageBox::DestructiveRole);
    box.setDefaultButton(QMessageBox::Cancel);
    box.exec();
    if (box.clickedButton() == destroy)
        destroyInstances(uuids);
}

void InstancesPane::destroyAll() {
    if (!m_session->can(Scope::InstancesWrite) || !m_session->profile() ||
        m_model->instances().empty())
        return;
    QStringList uuids;
    for (const Instance& instance : m_model->instances())
        uuids << instance.instanceUuid;
    const QString org = m_session->profile()->displayName;
    TypedConfirmationDialog dialog(tr("Destroy All Instances"),
                                   tr("All %1 of '%2' will be destroyed. Their browsers stop and "
                                      "their sessions are lost; this cannot be undone.")
                                       .arg(instances(uuids.size()), org),
                                   org, tr("Destroy All"), this);
    if (dialog.exec() == QDialog::Accepted)
        destroyInstances(uuids);
}

void InstancesPane::destroyInstances(const QStringList& instanceUuids) {
    auto failures = std::make_shared<QStringList>();
    auto pending = std::make_shared<int>(static_cast<int>(instanceUuids.size()));
    for (const QString& uuid : instanceUuids) {
        m_model->setStatus(uuid, InstanceStatus::Terminating);
        m_session->client()->destroyInstance(
            uuid, this, [this, uuid, failures, pending](const Result<Done>& result) {
                // 404: already gone, which is what was asked.
                if (!result && !result.error().isNotFound())
                    *failures << tr("%1: %2").arg(shortId(uuid), result.error().summary());
                if (--*pending > 0)
                    return;
                if (!failures->isEmpty())
                    m_list->banner()->showMessage(
                        MessageBanner::Kind::Error,
                        tr("%1 could not be destroyed.").arg(instances(failures->size())),
                        failures->join(QLatin1Char('\n')));
                refresh();
            });
    }
    Q_EMIT message(tr("Destroying %1…").arg(instances(instanceUuids.size())));
    schedulePoll();
}

QString InstancesPane::copySelectionAsCurl() {
    const QStringList uuids = selectedUuids();
    if (uuids.isEmpty())
        return curlCommand(m_session->client()->describe(requests::listInstances()));
    return curlCommand(m_session->client()->describe(requests::getInstance(uuids.constFirst())));
}

void InstancesPane::showContextMenu(const QPoint& pos) {
    const QModelIndex index = m_view->indexAt(pos);
    if (!index.isValid())
        return;
    const QString uuid = index.data(InstancesModel::IdRole).toString();
    const QString url = index.data(InstancesModel::AccessUrlRole).toString();
    QMenu menu(this);
    QAction* open = menu.addAction(tr("Open in Browser"), this, &InstancesPane::openAccessUrl);
    open->setEnabled(!url.isEmpty());
    menu.addSeparator();
    menu.addAction(tr("Copy Instance UUID"), this,
                   [this, uuid] { copyToClipboard(uuid, tr("instance UUID")); });
    menu.addAction(tr("Copy Access URL"), this,
                   [this, url] { copyToClipboard(url, tr("access URL")); })
        ->setEnabled(!url.isEmpty());
    menu.addAction(tr("Copy as curl"), this, [this] {
        copyToClipboard(copySelectionAsCurl(), tr("request as curl (the key is $LEGBA_API_TOKEN)"));
    });
    menu.addSeparator();
    QAction* destroy = menu.addAction(tr("Destroy…"), this, &InstancesPane::destroySelected);
    destroy->setEnabled(m_session->can(Scope::InstancesWrite));
    destroy->setToolTip(m_session->whyNot(Scope::InstancesWrite));
    menu.exec(m_view->viewport()->mapToGlobal(pos));
}

void InstancesPane::openAccessUrl() {
    const QModelIndex current = m_view->currentIndex();
    const QUrl url(current.data(InstancesModel::AccessUrlRole).toString());
    if (url.isValid() &&
        (url.scheme() == QLatin1String("https") || url.scheme() == QLatin1String("http")))
        QDesktopServices::openUrl(url);
}

void InstancesPane::copyToClipboard(const QString& text, const QString& what) {
    QApplication::clipboard()->setText(text);
    Q_EMIT message(tr("Copied the %1.").arg(what));
}

void InstancesPane::showActionError(const QString& what, const ApiError& error) {
    m_status.actionFailed(error);
    m_list->showLook(m_status);
    m_list->banner()->showWords(failureWords(error, what));
    updateEmptyState();
}

void InstancesPane::updateEmptyState() {
    const bool empty = m_proxy->rowCount() == 0;
    if (m_status.state() == ListStatus::State::NotAvailable && m_model->instances().empty()) {
        m_list->showPage(m_status.reason());
        return;
    }
    if (!empty || !m_status.hasLoaded()) {
        m_list->showContent();
        return;
    }
    if (m_proxy->isFiltering())
        m_list->showPage(tr("No instance matches the filters."));
    else
        m_list->showPage(tr("No instances yet. Start a browser instance and it appears here, "
                            "from provisioning to running."),
                         true);
}

void InstancesPane::updateSummary() {
    int counts[4] = {0, 0, 0, 0};
    QMap<QString, int> otherStates; // states the docs never named, by the server's word
    for (const Instance& instance : m_model->instances()) {
        if (const auto& known = instance.status.known())
            ++counts[static_cast<int>(*known)];
        else
            ++otherStates[instance.status.wire()];
    }
    const int running = counts[static_cast<int>(InstanceStatus::Running)];
    const int provisioning = counts[static_cast<int>(InstanceStatus::Provisioning)];
    const int terminating = counts[static_cast<int>(InstanceStatus::Terminating)];
    QStringList parts;
    if (running)
        parts << tr("%1 running").arg(running);
    if (provisioning)
        parts << tr("%1 provisioning").arg(provisioning);
    if (terminating)
        parts << tr("%1 terminating").arg(terminating);
    for (auto it = otherStates.cbegin(); it != otherStates.cend(); ++it)
        parts << tr("%1 %2").arg(it.value()).arg(it.key().isEmpty() ? tr("(no status)") : it.key());
    if (m_quota)
        parts << tr("quota %1 of %2").arg(running + provisioning).arg(*m_quota);
    m_summary->setText(parts.join(QStringLiteral(" · ")));
    if (provisioning + terminating > 0)
        m_animation->start();
    else
        m_animation->stop();
    updateEmptyState();
}

void InstancesPane::schedulePoll() {
    bool transitional = false;
    for (const Instance& instance : m_model->instances())
        transitional = transitional || instance.status == InstanceStatus::Provisioning ||
                       instance.status == InstanceStatus::Terminating;
    m_poll->start(transitional || m_status.isStale() ? m_busyInterval : m_idleInterval);
}

void InstancesPane::onPollTimer() {
    const QWidget* top = window();
    if (top && top->isMinimized()) {
        schedulePoll(); // paused while minimised
        return;
    }
    if (m_session->state() == Session::State::KeyRejected ||
        m_session->state() == Session::State::Disconnected)
        return;
    m_model->refreshTimes();
    refresh();
}

} // namespace legba
