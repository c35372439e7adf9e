#include "AuditPane.h"

#include "AuditChart.h"
#include "AuditDetails.h"
#include "AuditFeed.h"
#include "AuditHistory.h"
#include "AuditLogModel.h"
#include "BusyLine.h"
#include "Json.h"
#include "ListStatusView.h"
#include "Logging.h"
#include "MessageBanner.h"
#include "Session.h"
#include "StatusBadgeDelegate.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QDateTimeEdit>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressDialog>
#include <QPushButton>
#include <QScrollBar>
#include <QSettings>
#include <QSplitter>
#include <QTableView>
#include <QTimeZone>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace legba {

namespace {

QString localCopyTitle() {
    return AuditPane::tr("Showing the local copy of the audit log.");
}

QString exportToolTip() {
    return AuditPane::tr(
        "Write every event matching the filters and the search (all pages, not only those "
        "loaded) to CSV or JSON Lines (Ctrl+N).\nIn CSV, a text cell that begins with = + - @ ', "
        "a tab or a carriage return gets a ' in front, so that spreadsheets show it rather "
        "than run it as a formula: drop one leading ' to read the exact value.");
}

} // namespace

AuditPane::AuditPane(Session* session, QWidget* parent)
    : Pane(parent)
    , m_session(session)
    , m_model(new AuditLogModel(this))
    , m_view(new QTableView(this))
    , m_chart(new AuditChart(this))
    , m_details(new AuditDetails(this))
    , m_vertical(new QSplitter(Qt::Vertical, this))
    , m_horizontal(new QSplitter(Qt::Horizontal, this))
    , m_list(new ListStatusView(m_vertical, m_view, this))
    , m_exportButton(new QPushButton(tr("Export…"), this))
    , m_rangeBox(new QComboBox(this))
    , m_fromEdit(new QDateTimeEdit(this))
    , m_toEdit(new QDateTimeEdit(this))
    , m_actorBox(new QComboBox(this))
    , m_actionBox(new QComboBox(this))
    , m_outcomeBox(new QComboBox(this))
    , m_tailButton(new QToolButton(this))
    , m_refreshButton(new QPushButton(tr("Refresh"), this))
    , m_search(new QLineEdit(this))
    , m_summary(new QLabel(this))
    , m_busy(m_list->busyLine())
    , m_banner(m_list->banner())
    , m_feed(new AuditFeed(session, this))
    , m_chartTimer(new QTimer(this))
    , m_customTimer(new QTimer(this)) {
    setObjectName(QStringLiteral("auditPane"));
    setAccessibleName(title());
    QHBoxLayout* toolbar = buildToolbar();

    // Showing and hiding it must not move the table and the chart by 3 pixels each page:
    // that would lay both out (and redraw the chart) every time.
    QSizePolicy busyPolicy = m_busy->sizePolicy();
    busyPolicy.setRetainSizeWhenHidden(true);
    m_busy->setSizePolicy(busyPolicy);

    m_view->setModel(m_model);
    m_view->setObjectName(QStringLiteral("auditTable"));
    m_view->setAccessibleName(tr("Audit events"));
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setVerticalScrollMode(QAbstractItemView::ScrollPerItem);
    m_view->setAlternatingRowColors(true);
    m_view->setShowGrid(false);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    // Uniform rows, sized once: nothing is measured per row (never ResizeToContents).
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setHighlightSections(false);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(AuditLogModel::TimeColumn, Qt::DescendingOrder);
    // Rows arrive page by page and each page repaints the view: shaped text is kept.
    m_view->setItemDelegate(new CachedTextDelegate(m_view));
    auto* badges = new StatusBadgeDelegate(AuditLogModel::BadgeToneRole, m_view);
    m_view->setItemDelegateForColumn(AuditLogModel::OutcomeColumn, badges);
    m_view->setItemDelegateForColumn(AuditLogModel::ActionColumn, badges);
    const int charWidth = m_view->fontMetrics().averageCharWidth();
    const int padding = 3 * charWidth;
    // Bold (auth.failed rows) is the widest a time is drawn.
    QFont bold = m_view->font();
    bold.setBold(true);
    m_view->setColumnWidth(
        AuditLogModel::TimeColumn,
        QFontMetrics(bold).horizontalAdvance(QStringLiteral("0000-00-00 00:00:00")) + padding);
    m_view->setColumnWidth(AuditLogModel::ActorColumn, charWidth * 30);
    m_view->setColumnWidth(AuditLogModel::ActionColumn, charWidth * 22);
    m_view->setColumnWidth(AuditLogModel::TargetColumn, charWidth * 22);
    m_view->setColumnWidth(AuditLogModel::OutcomeColumn, charWidth * 13);
    m_view->setColumnWidth(AuditLogModel::StatusColumn, charWidth * 8);
    m_view->setColumnWidth(AuditLogModel::IpColumn, charWidth * 16);

    m_chart->setMinimumHeight(140);
    m_horizontal->setObjectName(QStringLiteral("auditDetailsSplitter"));
    m_horizontal->addWidget(m_view);
    m_horizontal->addWidget(m_details);
    m_horizontal->setStretchFactor(0, 3);
    m_horizontal->setStretchFactor(1, 1);
    m_horizontal->setChildrenCollapsible(true);
    m_vertical->setObjectName(QStringLiteral("auditChartSplitter"));
    m_vertical->addWidget(m_chart);
    m_vertical->addWidget(m_horizontal);
    m_vertical->setStretchFactor(0, 1);
    m_vertical->setStretchFactor(1, 3);
    m_vertical->setChildrenCollapsible(true);

    m_list->pageLabel()->setObjectName(QStringLiteral("auditStateLabel"));
    m_list->pageButton()->setText(tr("Show all time, any actor and action"));

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->addLayout(toolbar);
    layout->addWidget(m_list, 1);

    m_archiveRow = new QWidget(this);
    m_archiveRow->setObjectName(QStringLiteral("auditArchiveRow"));
    m_archiveLabel = new QLabel(m_archiveRow);
    m_archiveLabel->setObjectName(QStringLiteral("auditArchiveStatus"));
    m_archiveLabel->setAccessibleName(tr("Local archive"));
    m_archiveButton = new QPushButton(tr("Cancel"), m_archiveRow);
    m_archiveButton->setObjectName(QStringLiteral("auditArchiveButton"));
    auto* archiveLayout = new QHBoxLayout(m_archiveRow);
    archiveLayout->setContentsMargins(0, 4, 0, 0);
    archiveLayout->addWidget(m_archiveLabel, 1);
    archiveLayout->addWidget(m_archiveButton);
    m_archiveRow->hide();
    layout->addWidget(m_archiveRow);
    m_archiveTail = new QTimer(this);
    connect(m_archiveTail, &QTimer::timeout, this, [this] {
        if (m_history)
            m_history->syncNewest();
    });
    connect(m_archiveButton, &QPushButton::clicked, this, [this] {
        if (!m_history)
            return;
        if (m_history->isBackfilling())
            m_history->cancelBackfill();
        else
            m_history->startBackfill();
        showArchiveProgress();
    });

    if (!QCoreApplication::organizationName().isEmpty()) {
        QSettings settings;
        m_vertical->restoreState(
            settings.value(QStringLiteral("audit/chartSplitter")).toByteArray());
        m_horizontal->restoreState(
            settings.value(QStringLiteral("audit/detailsSplitter")).toByteArray());
    }

    m_model->setFetcher([this](quint64 generation, const QString& cursor) {
        if (readsArchive()) {
            // From the event loop, still before any answer from the server: views ask from
            // inside the model's reset, and rows must not go in before it ends.
            QMetaObject::invokeMethod(
                this, [this, generation, cursor] { readArchivePage(generation, cursor); },
                Qt::QueuedConnection);
            return;
        }
        if (m_feed->fetchPage(cursor))
            m_busy->show();
    });
    connect(m_feed, &AuditFeed::pageLoaded, this, &AuditPane::onPageLoaded);
    connect(m_feed, &AuditFeed::pageFailed, this, [this](const QString& cursor, const ApiError& e) {
        m_model->pageErrored(m_model->generation(), cursor);
        showError(e);
    });
    connect(m_feed, &AuditFeed::pageNotAsked, this,
            [this](const QString& cursor) { m_model->pageFailed(m_model->generation(), cursor); });
    connect(m_feed, &AuditFeed::newerEvents, this, &AuditPane::onNewerEvents);
    connect(m_feed, &AuditFeed::tailFailed, this, &AuditPane::showError);
    connect(m_feed, &AuditFeed::tailBusyChanged, this, [this] { m_busy->setVisible(isLoading()); });
    connect(m_feed, &AuditFeed::reloadNeeded, this, &AuditPane::reload);
    connect(m_model, &AuditLogModel::eventsStored, this, &AuditPane::scheduleChart);
    connect(m_model, &AuditLogModel::fetchingChanged, this,
            [this] { m_busy->setVisible(isLoading()); });
    connect(m_model, &QAbstractItemModel::rowsAboutToBeInserted, this, &AuditPane::rememberAnchor);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &AuditPane::restoreAnchor);
    connect(m_model, &QAbstractItemModel::layoutAboutToBeChanged, this, &AuditPane::rememberAnchor);
    connect(m_model, &QAbstractItemModel::layoutChanged, this, &AuditPane::restoreAnchor);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &AuditPane::onCurrentRowChanged);
    connect(m_chart, &AuditChart::bucketClicked, this, &AuditPane::onChartBucket);
    connect(m_banner, &MessageBanner::retryRequested, this, [this] {
        m_banner->clear();
        m_model->retry();
        if (m_loadedOnce && m_model->canFetchMore())
            m_model->fetchMore();
        else
            reload();
    });
    connect(m_list, &ListStatusView::pageButtonClicked, this, [this] {
        m_actorBox->setEditText(QString());
        m_actionBox->setEditText(QString());
        m_outcomeBox->setCurrentIndex(0);
        setRange(Range::AllTime);
    });

    m_chartTimer->setSingleShot(true);
    // Counting is a pass over the records; redrawing the bars costs more: once a second.
    m_chartTimer->setInterval(1000);
    connect(m_chartTimer, &QTimer::timeout, this, [this] {
        m_chartClock.start();
        m_chart->rebuild(m_model->store(), m_model->atEnd());
    });
    m_customTimer->setSingleShot(true);
    m_customTimer->setInterval(400);
    connect(m_customTimer, &QTimer::timeout, this, &AuditPane::applyFilters);

    m_chart->setRange(QDateTime::currentMSecsSinceEpoch() - 86'400'000, 0);
    m_chart->rebuild(m_model->store(), false);
    updateState();
    updateSummary();
}

AuditPane::~AuditPane() {
    if (!QCoreApplication::organizationName().isEmpty()) {
        QSettings settings;
        settings.setValue(QStringLiteral("audit/chartSplitter"), m_vertical->saveState());
        settings.setValue(QStringLiteral("audit/detailsSplitter"), m_horizontal->saveState());
    }
    m_feed->stop();
    m_keysCall.cancel();
}

QHBoxLayout* AuditPane::buildToolbar() {
    m_exportButton->setIcon(QIcon::fromTheme(QStringLiteral("document-save-as")));
    m_exportButton->setAccessibleName(tr("Export audit log"));
    m_exportButton->setToolTip(exportToolTip());

    m_rangeBox->addItem(tr("Last hour"), static_cast<int>(Range::LastHour));
    m_rangeBox->addItem(tr("Last 24 hours"), static_cast<int>(Range::Last24Hours));
    m_rangeBox->addItem(tr("Last 7 days"), static_cast<int>(Range::Last7Days));
    m_rangeBox->addItem(tr("Last 30 days"), static_cast<int>(Range::Last30Days));
    m_rangeBox->addItem(tr("All time"), static_cast<int>(Range::AllTime));
    m_rangeBox->addItem(tr("Custom…"), static_cast<int>(Range::Custom));
    m_rangeBox->setCurrentIndex(static_cast<int>(Range::Last7Days));
    m_rangeBox->setAccessibleName(tr("Date range"));
    m_rangeBox->setToolTip(tr("Which events to show, by when they happened"));
    for (QDateTimeEdit* edit : {m_fromEdit, m_toEdit}) {
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm"));
        edit->setVisible(false);
    }
    m_fromEdit->setAccessibleName(tr("From"));
    m_fromEdit->setToolTip(tr("From this time (inclusive)"));
    m_toEdit->setAccessibleName(tr("Until"));
    m_toEdit->setToolTip(tr("Until this time (exclusive)"));

    m_actorBox->setEditable(true);
    m_actorBox->setInsertPolicy(QComboBox::NoInsert);
    m_actorBox->addItem(tr("Any actor"), QString());
    m_actorBox->lineEdit()->setPlaceholderText(tr("Any actor"));
    m_actorBox->setAccessibleName(tr("Actor key"));
    m_actorBox->setMinimumContentsLength(16);
    m_actorBox->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);

    m_actionBox->setEditable(true);
    m_actionBox->setInsertPolicy(QComboBox::NoInsert);
    m_actionBox->addItem(QString());
    for (const char* action :
         {"auth.failed", "api_key.", "api_key.created", "api_key.rotated", "api_key.revoked",
          "instance.", "instance.created", "instance.destroyed", "api.request"})
        m_actionBox->addItem(QString::fromLatin1(action));
    m_actionBox->lineEdit()->setPlaceholderText(tr("Any action"));
    m_actionBox->setAccessibleName(tr("Action"));
    m_actionBox->setToolTip(tr("An action (auth.failed) or a prefix ending in a dot (api_key.)"));
    m_actionBox->setMinimumContentsLength(14);
    m_actionBox->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);

    m_outcomeBox->addItem(tr("Any outcome"), static_cast<int>(Outcome::Any));
    m_outcomeBox->addItem(tr("Success"), static_cast<int>(Outcome::Success));
    m_outcomeBox->addItem(tr("Failure"), static_cast<int>(Outcome::Failure));
    m_outcomeBox->setAccessibleName(tr("Outcome"));
    m_outcomeBox->setToolTip(tr("Only successes or only failures (status 400 and above)"));

    m_tailButton->setText(tr("Live"));
    m_tailButton->setCheckable(true);
    m_tailButton->setIcon(QIcon::fromTheme(QStringLiteral("media-playback-start")));
    m_tailButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_tailButton->setAccessibleName(tr("Live tail"));
    m_tailButton->setToolTip(tr("Fetch newer events every few seconds and add them at the top"));

    m_refreshButton->setIcon(QIcon::fromTheme(QStringLiteral("view-refresh")));
    m_refreshButton->setAccessibleName(tr("Refresh audit log"));
    m_refreshButton->setToolTip(tr("Load the log again from the newest event (F5)"));

    m_search->setPlaceholderText(tr("Search loaded events (Ctrl+F)"));
    m_search->setClearButtonEnabled(true);
    m_search->setAccessibleName(tr("Search loaded events"));
    m_search->setToolTip(tr("Show only loaded events with this text in any column, the event "
                            "id, the request id or the details"));
    m_search->setMaximumWidth(260);
    m_search->setMinimumWidth(180);
    m_summary->setAccessibleName(tr("Event counts"));
    // The counts give way to the controls when the window is narrow.
    m_summary->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_summary->setMinimumWidth(0);

    auto* toolbar = new QHBoxLayout;
    toolbar->addWidget(m_exportButton);
    toolbar->addSpacing(8);
    toolbar->addWidget(m_rangeBox);
    toolbar->addWidget(m_fromEdit);
    toolbar->addWidget(m_toEdit);
    toolbar->addWidget(m_actorBox);
    toolbar->addWidget(m_actionBox);
    toolbar->addWidget(m_outcomeBox);
    toolbar->addWidget(m_tailButton);
    toolbar->addWidget(m_refreshButton);
    toolbar->addSpacing(8);
    toolbar->addWidget(m_summary, 1);
    toolbar->addWidget(m_search);

    setTabOrder(m_exportButton, m_rangeBox);
    setTabOrder(m_rangeBox, m_fromEdit);
    setTabOrder(m_fromEdit, m_toEdit);
    setTabOrder(m_toEdit, m_actorBox);
    setTabOrder(m_actorBox, m_actionBox);
    setTabOrder(m_actionBox, m_outcomeBox);
    setTabOrder(m_outcomeBox, m_tailButton);
    setTabOrder(m_tailButton, m_refreshButton);
    setTabOrder(m_refreshButton, m_search);
    setTabOrder(m_search, m_view);

    connect(m_exportButton, &QPushButton::clicked, this, &AuditPane::startExportDialog);
    connect(m_refreshButton, &QPushButton::clicked, this, &AuditPane::refresh);
    connect(m_rangeBox, &QComboBox::activated, this, [this] {
        const bool custom = m_rangeBox->currentData().toInt() == static_cast<int>(Range::Custom);
        if (custom && !m_fromEdit->isVisible()) {
            QDateTime since;
            QDateTime until;
            rangeBounds(&since, &until);
            const QDateTime now = QDateTime::currentDateTime();
            m_fromEdit->setDateTime(since.isValid() ? since.toLocalTime() : now.addDays(-1));
            m_toEdit->setDateTime(until.isValid() ? until.toLocalTime() : now);
        }
        m_fromEdit->setVisible(custom);
        m_toEdit->setVisible(custom);
        applyFilters();
    });
    connect(m_fromEdit, &QDateTimeEdit::dateTimeChanged, m_customTimer,
            qOverload<>(&QTimer::start));
    connect(m_toEdit, &QDateTimeEdit::dateTimeChanged, m_customTimer, qOverload<>(&QTimer::start));
    for (QComboBox* box : {m_actorBox, m_actionBox}) {
        connect(box, &QComboBox::activated, this, &AuditPane::applyFilters);
        connect(box->lineEdit(), &QLineEdit::editingFinished, this, &AuditPane::applyFilters);
    }
    connect(m_outcomeBox, &QComboBox::activated, this, &AuditPane::applyFilters);
    connect(m_tailButton, &QToolButton::toggled, this, &AuditPane::setLiveTail);
    connect(m_search, &QLineEdit::textChanged, this, &AuditPane::setSearchText);
    return toolbar;
}

QString AuditPane::title() const {
    return tr("Audit Log");
}

bool AuditPane::isLoading() const {
    return m_model->isFetching() || m_feed->isTailBusy() || (m_exporter && m_exporter->isRunning());
}

// ---- filters -------------------------------------------------------------------------

void AuditPane::rangeBounds(QDateTime* since, QDateTime* until) const {
    const QDateTime now = QDateTime::currentDateTimeUtc();
    *since = {};
    *until = {};
    switch (static_cast<Range>(m_rangeBox->currentData().toInt())) {
    case Range::LastHour:
        *since = now.addSecs(-3600);
        break;
    case Range::Last24Hours:
        *since = now.addDays(-1);
        break;
    case Range::Last7Days:
        *since = now.addDays(-7);
        break;
    case Range::Last30Days:
        *since = now.addDays(-30);
        break;
    case Range::AllTime:
        break;
    case Range::Custom:
        *since = m_fromEdit->dateTime().toUTC();
        *until = m_toEdit->dateTime().toUTC();
        break;
    }
}

QString AuditPane::actorKeyId() const {
    const QString text = m_actorBox->currentText().trimmed();
    const int index = m_actorBox->findText(text);
    return index >= 0 ? m_actorBox->itemData(index).toString() : text;
}

AuditQuery AuditPane::currentQuery() const {
    AuditQuery query;
    query.limit = m_feed->pageSize();
    rangeBounds(&query.since, &query.until);
    query.actorKeyId = actorKeyId();
    query.action = m_actionBox->currentText().trimmed();
    switch (static_cast<Outcome>(m_outcomeBox->currentData().toInt())) {
    case Outcome::Any:
        break;
    case Outcome::Success:
        query.success = true;
        break;
    case Outcome::Failure:
        query.success = false;
        break;
    }
    return query;
}

void AuditPane::applyFilters() {
    const AuditQuery query = currentQuery();
    // Relative presets move with the clock: compare what was chosen, not the times.
    const QString spec =
        QString::number(m_rangeBox->currentIndex()) + QLatin1Char('|') +
        (m_rangeBox->currentData().toInt() == static_cast<int>(Range::Custom)
             ? query.since.toString(Qt::ISODate) + query.until.toString(Qt::ISODate)
             : QString()) +
        QLatin1Char('|') + query.actorKeyId + QLatin1Char('|') + query.action + QLatin1Char('|') +
        QString::number(m_outcomeBox->currentIndex());
    if (spec == m_appliedSpec)
        return;
    m_appliedSpec = spec;
    reload();
}

void AuditPane::setRange(Range range) {
    m_rangeBox->setCurrentIndex(m_rangeBox->findData(static_cast<int>(range)));
    m_fromEdit->setVisible(range == Range::Custom);
    m_toEdit->setVisible(range == Range::Custom);
    applyFilters();
}

void AuditPane::setCustomRange(const QDateTime& since, const QDateTime& until) {
    const QSignalBlocker blockFrom(m_fromEdit);
    const QSignalBlocker blockTo(m_toEdit);
    m_fromEdit->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    m_toEdit->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    m_fromEdit->setDateTime(since.toLocalTime());
    m_toEdit->setDateTime(until.toLocalTime());
    setRange(Range::Custom);
}

void AuditPane::setActorKeyId(const QString& keyId) {
    const int index = m_actorBox->findData(keyId);
    if (index >= 0)
        m_actorBox->setCurrentIndex(index);
    else
        m_actorBox->setEditText(keyId);
    applyFilters();
}

void AuditPane::setAction(const QString& actionOrPrefix) {
    m_actionBox->setEditText(actionOrPrefix);
    applyFilters();
}

void AuditPane::setOutcome(Outcome outcome) {
    m_outcomeBox->setCurrentIndex(m_outcomeBox->findData(static_cast<int>(outcome)));
    applyFilters();
}

void AuditPane::setSearchText(const QString& text) {
    if (m_search->text() != text) {
        m_search->setText(text); // comes back here through textChanged
        return;
    }
    if (readsArchive()) {
        // The whole archive is searched, by its full-text index: a new query.
        reload();
        return;
    }
    // The selected event stays selected (and in view) when the search keeps it.
    const QModelIndex current = m_view->currentIndex();
    const qint64 selected =
        current.isValid() ? static_cast<qint64>(m_model->storeIndex(current.row())) : -1;
    m_model->setFilterText(text);
    if (selected >= 0) {
        const int row = m_model->rowOfStoreIndex(static_cast<AuditStore::Index>(selected));
        if (row >= 0) {
            m_view->setCurrentIndex(m_model->index(row, 0));
            m_view->scrollTo(m_model->index(row, 0), QAbstractItemView::PositionAtCenter);
        }
    }
    updateSummary();
    afterPage();
}

void AuditPane::focusFilter() {
    m_search->setFocus(Qt::ShortcutFocusReason);
    m_search->selectAll();
}

// ---- loading -------------------------------------------------------------------------

void AuditPane::refresh() {
    if (readsArchive() && m_loadedOnce && !m_model->isHeld()) {
        // What is shown is the archive's: the sync's new events merge in, as the tail's do,
        // keeping the selection and what is in view.
        m_history->syncNewest();
        return;
    }
    m_appliedSpec.clear();
    applyFilters();
}

void AuditPane::reload() {
    m_status.restart();
    m_loadedOnce = false;
    m_details->clear();
    m_banner->clear();
    // Set before the reset: views (and testers) may ask for the first page from inside it.
    const AuditQuery query = currentQuery();
    m_feed->setQuery(query);
    m_model->reset();

    m_chart->setRange(query.since.isValid() ? query.since.toMSecsSinceEpoch() : 0,
                      query.until.isValid() ? query.until.toMSecsSinceEpoch() : 0);
    m_chart->rebuild(m_model->store(), false);
    m_tailButton->setEnabled(!query.until.isValid());
    m_tailButton->setToolTip(
        query.until.isValid() ? tr("The live tail needs a range that runs up to now.")
                              : tr("Fetch newer events every few seconds and add them at the top"));

    const bool allowed = readsArchive() || (m_session->state() == Session::State::Connected &&
                                            m_session->can(Scope::AuditRead));
    m_needsLoad = !allowed;
    if (allowed)
        m_model->fetchMore();
    updateState();
    updateSummary();
}

void AuditPane::onPageLoaded(const QString& cursor, const AuditPageLoader::Page& page) {
    m_model->addPage(m_model->generation(), cursor, *page);
    m_loadedOnce = true;
    m_status.loaded();
    m_banner->clear();
    showUnreadable(m_banner, m_feed->unreadable(), tr("event"), tr("events"));
    showArchiveNotes(); // why the archive is not read, when it cannot be
    m_list->setStale(false, m_status.lastRefresh());
    afterPage();
    Q_EMIT pageLoaded(static_cast<int>(page->records.size()));
}

void AuditPane::afterPage() {
    m_busy->setVisible(isLoading());
    updateSummary();
    updateState();
    scheduleChart();
    // The view asks for more when its last row shows; when a page added no visible row
    // (the search hid them all) it will not notice, so ask on its behalf.
    QTimer::singleShot(0, this, [this] {
        if (!m_model->canFetchMore() || !m_view->isVisible())
            return;
        const int rows = m_model->rowCount();
        if (rows == 0 ||
            m_view->visualRect(m_model->index(rows - 1, 0)).intersects(m_view->viewport()->rect()))
            m_model->fetchMore();
    });
}

void AuditPane::scheduleChart() {
    // At once when it has been a while (the first page shows straight away), then at most
    // once a second while pages stream in.
    if (m_chartTimer->isActive())
        return;
    if (!m_chartClock.isValid() || m_chartClock.elapsed() >= m_chartTimer->interval()) {
        m_chartClock.start();
        m_chart->rebuild(m_model->store(), m_model->atEnd());
        return;
    }
    m_chartTimer->start(static_cast<int>(m_chartTimer->interval() - m_chartClock.elapsed()));
}

// ---- live tail: AuditFeed decides what is new ---------------------------------------

void AuditPane::setLiveTail(bool on) {
    if (m_tailButton->isChecked() != on) {
        m_tailButton->setChecked(on); // comes back here through toggled
        return;
    }
    // While the archive is read, a look is a sync of the archive; its new events merge in.
    m_feed->setLiveTail(on && !readsArchive());
    if (on && readsArchive()) {
        m_archiveTail->start(m_feed->tailInterval());
        m_history->syncNewest();
    } else {
        m_archiveTail->stop();
    }
    m_busy->setVisible(isLoading());
}

void AuditPane::setTailInterval(int msecs) {
    m_feed->setTailInterval(msecs);
}

void AuditPane::setPageSize(int events) {
    m_feed->setPageSize(events);
}

void AuditPane::onNewerEvents(const std::vector<AuditFeed::NewerPage>& pages, bool unreadable) {
    int added = 0;
    for (const AuditFeed::NewerPage& newer : pages) {
        std::vector<char> keep(newer.page->records.size(), 0);
        std::fill_n(keep.begin(), newer.count, 1);
        added += m_model->addNewer(*newer.page, keep);
    }
    const bool wasStale = m_status.isStale();
    m_status.loaded();
    if (wasStale) {
        m_banner->clear();
        m_list->setStale(false, m_status.lastRefresh());
    }
    if (unreadable)
        showUnreadable(m_banner, m_feed->unreadable(), tr("event"), tr("events"));
    updateSummary();
    updateState();
    Q_EMIT tailInserted(added);
    m_busy->setVisible(isLoading());
}

void AuditPane::rememberAnchor() {
    m_anchor = -1;
    if (!m_model->isMerging() || m_model->rowCount() == 0)
        return;
    // Events going in above what the user looks at would push it down: keep the event at
    // the top where it is. At the very top with nothing selected the view follows the
    // newest events instead.
    const bool looking =
        m_view->verticalScrollBar()->value() > 0 || m_view->selectionModel()->hasSelection();
    const int top = m_view->rowAt(0);
    if (looking && top >= 0)
        m_anchor = static_cast<qint64>(m_model->storeIndex(top));
}

void AuditPane::restoreAnchor() {
    if (m_anchor < 0)
        return;
    const int row = m_model->rowOfStoreIndex(static_cast<AuditStore::Index>(m_anchor));
    m_anchor = -1;
    if (row < 0)
        return;
    QScrollBar* bar = m_view->verticalScrollBar();
    // The view updates its range later; the row must be reachable now.
    bar->setMaximum(std::max(bar->maximum(), row));
    bar->setValue(row);
}

// ---- selection, chart ----------------------------------------------------------------

void AuditPane::onCurrentRowChanged() {
    const QModelIndex current = m_view->currentIndex();
    if (!current.isValid()) {
        m_details->clear();
        return;
    }
    const AuditStore::Index i = m_model->storeIndex(current.row());
    const std::string json = m_model->store().eventJson(i);
    m_details->showAuditEvent(m_model->store().event(i),
                              QByteArray(json.data(), static_cast<qsizetype>(json.size())));
}

void AuditPane::onChartBucket(qint64 startMs, qint64 endMs) {
    setCustomRange(QDateTime::fromMSecsSinceEpoch(startMs, QTimeZone::utc()),
                   QDateTime::fromMSecsSinceEpoch(endMs, QTimeZone::utc()));
}

// ---- session, states -----------------------------------------------------------------

void AuditPane::sessionChanged() {
    const ListStatus::SessionStep step = m_status.sessionChanged(m_session->state());
    m_list->setStale(m_status.isStale(), m_status.lastRefresh());
    if (step == ListStatus::SessionStep::Reload) {
        // Paging held by an error (the server was gone) may go on now.
        m_model->retry();
        const QString profile = m_session->profile() ? m_session->profile()->id : QString();
        loadKeys();
        if (profile != m_loadedProfile || !m_loadedOnce) {
            m_loadedProfile = profile;
            m_needsLoad = true;
            if (isVisible()) {
                m_needsLoad = false;
                m_appliedSpec.clear();
                applyFilters();
            }
        }
    } else if (step == ListStatus::SessionStep::Stop || step == ListStatus::SessionStep::Clear) {
        m_feed->stop();
        m_busy->hide();
        if (step == ListStatus::SessionStep::Clear) {
            m_model->reset();
            m_loadedOnce = false;
            m_needsLoad = true;
            m_banner->clear();
        }
    }
    if (readsArchive())
        showArchiveNotes();
    updateState();
    updateSummary();
}

void AuditPane::showEvent(QShowEvent* event) {
    Pane::showEvent(event);
    if (m_needsLoad && m_session->state() == Session::State::Connected) {
        m_needsLoad = false;
        m_appliedSpec.clear();
        applyFilters();
    }
    // The archive shows at once what it kept; what the server recorded since it last
    // synced (the pane was hidden, not live) merges in when the sync answers.
    if (readsArchive())
        m_history->syncNewest();
}

void AuditPane::loadKeys() {
    const bool canList = m_session->can(Scope::KeysRead);
    m_actorBox->setToolTip(
        canList
            ? tr("Only events by this key: pick one, or type a key id (key_…)")
            : tr("Only events by this key id (key_…). %1").arg(m_session->whyNot(Scope::KeysRead)));
    if (!canList)
        return;
    m_keysCall.cancel();
    m_keysCall = m_feed->listActors(this, [this](Result<KeyList> result) {
        if (!result)
            return; // the picker stays free text
        const QString typed = m_actorBox->currentText();
        const QSignalBlocker block(m_actorBox);
        while (m_actorBox->count() > 1)
            m_actorBox->removeItem(1);
        for (const ApiKey& key : result.value().keys)
            m_actorBox->addItem(tr("%1 (%2…)").arg(key.name, key.prefix), key.keyId);
        m_actorBox->setEditText(typed);
    });
}

void AuditPane::showError(const ApiError& error) {
    if (error.kind == ApiError::Kind::Cancelled)
        return;
    m_status.failed(error);
    if (m_status.state() == ListStatus::State::Forbidden)
        m_tailButton->setChecked(false);
    m_list->showStatus(m_status, tr("Loading the audit log failed."));
    m_busy->setVisible(isLoading());
    updateState();
}

void AuditPane::updateState() {
    const bool connected = m_session->state() == Session::State::Connected;
    const bool allowed = !connected || m_session->can(Scope::AuditRead);
    const bool notAvailable = m_status.state() == ListStatus::State::NotAvailable;
    const bool forbidden = m_status.state() == ListStatus::State::Forbidden;
    const bool usable = connected && allowed && !notAvailable;
    // Away from the server, the archive still answers the filters, the search and Export;
    // what needs the server (the live tail, Refresh) waits for it.
    const bool browsing = usable || onLocalCopy();
    for (QWidget* w :
         std::initializer_list<QWidget*>{m_exportButton, m_rangeBox, m_fromEdit, m_toEdit,
                                         m_actorBox, m_actionBox, m_outcomeBox, m_search})
        w->setEnabled(browsing);
    m_refreshButton->setEnabled(usable);
    m_tailButton->setEnabled(usable && !forbidden && !currentQuery().until.isValid());
    m_exportButton->setEnabled(browsing && (!forbidden || onLocalCopy()));
    if (onLocalCopy()) {
        const QString away = unreachableWords();
        m_refreshButton->setToolTip(
            tr("%1 Refresh fetches new events once it answers again.").arg(away));
        m_tailButton->setToolTip(tr("%1 The live tail needs it.").arg(away));
    } else {
        m_refreshButton->setToolTip(tr("Load the log again from the newest event (F5)"));
        m_tailButton->setToolTip(
            currentQuery().until.isValid()
                ? tr("The live tail needs a range that runs up to now.")
                : tr("Fetch newer events every few seconds and add them at the top"));
    }
    const QString reason = !allowed ? m_session->whyNot(Scope::AuditRead) : QString();
    if (!allowed)
        m_exportButton->setToolTip(reason);
    else if (m_status.isRefused())
        m_exportButton->setToolTip(m_status.reason());
    else
        m_exportButton->setToolTip(exportToolTip());

    if (connected && !allowed) {
        m_list->showPage(tr("This key may not read the audit log. %1").arg(reason));
        return;
    }
    if (notAvailable) {
        m_list->showPage(m_status.reason());
        return;
    }
    if (m_loadedOnce && m_model->atEnd() && m_model->store().empty()) {
        const AuditQuery query = currentQuery();
        const bool narrowed = query.since.isValid() || query.until.isValid() ||
                              !query.actorKeyId.isEmpty() || !query.action.isEmpty() ||
                              query.success.has_value();
        if (readsArchive() && !m_search->text().trimmed().isEmpty()) {
            m_list->showPage(narrowed ? tr("No archived events match this search and these "
                                           "filters.")
                                      : tr("No archived events match this search."),
                             narrowed);
            return;
        }
        m_list->showPage(narrowed ? tr("No events match these filters.")
                                  : tr("No events yet. Every request to the organization's "
                                       "API is recorded here as it happens."),
                         narrowed);
        return;
    }
    m_list->showContent();
}

bool AuditPane::onLocalCopy() const {
    const Session::State state = m_session->state();
    return readsArchive() &&
           (state == Session::State::Offline || state == Session::State::KeyRejected);
}

QString AuditPane::unreachableWords() const {
    if (m_session->state() == Session::State::KeyRejected)
        return tr("The server rejected the key.");
    const QDateTime since = m_session->offlineSince();
    return since.isValid() ? tr("The server cannot be reached (since %1).")
                                 .arg(since.toLocalTime().toString(QStringLiteral("HH:mm")))
                           : tr("The server cannot be reached.");
}

QString AuditPane::stateText() const {
    return m_list->pageText();
}

void AuditPane::updateSummary() {
    const QLocale locale;
    const auto loaded = static_cast<qulonglong>(m_model->store().size());
    QString text = m_model->atEnd() && m_loadedOnce
                       ? tr("%1 events, all loaded").arg(locale.toString(loaded))
                       : tr("%1 events loaded, scroll for more").arg(locale.toString(loaded));
    if (readsArchive())
        text = m_model->atEnd() && m_loadedOnce
                   ? tr("%1 archived events, all shown").arg(locale.toString(loaded))
                   : tr("%1 archived events shown, scroll for more").arg(locale.toString(loaded));
    else if (!m_model->filterText().isEmpty())
        text = tr("%1 of %2").arg(locale.toString(m_model->rowCount()), text);
    m_summary->setText(text);
}

// ---- export, curl --------------------------------------------------------------------

void AuditPane::primaryAction() {
    if (m_exportButton->isEnabled())
        startExportDialog();
}

void AuditPane::startExportDialog() {
    QString filter;
    QString path = QFileDialog::getSaveFileName(
        this, tr("Export audit log"), QDir::home().filePath(QStringLiteral("audit-log.csv")),
        tr("CSV (*.csv);;JSON Lines (*.jsonl)"), &filter);
    if (path.isEmpty())
        return;
    if (filter.contains(QLatin1String("jsonl")) &&
        !path.endsWith(QLatin1String(".jsonl"), Qt::CaseInsensitive))
        path += QStringLiteral(".jsonl");
    QString error;
    if (!exportTo(path, &error))
        m_banner->showMessage(MessageBanner::Kind::Error, tr("Export failed."), error, false);
}

bool AuditPane::exportTo(const QString& path, QString* error) {
    if (m_exporter && m_exporter->isRunning()) {
        if (error)
            *error = tr("An export is already running.");
        return false;
    }
    if (readsArchive()) {
        // What the table shows: the archive's answer to the same filters and full-text search.
        ArchiveQuery query = archiveQuery();
        query.limit = m_feed->pageSize();
        m_exporter = std::make_unique<AuditExporter>(m_history.data(), std::move(query),
                                                     AuditExporter::formatForPath(path), path);
    } else {
        const AuditQuery query = m_loadedOnce ? m_feed->query() : currentQuery();
        m_exporter = std::make_unique<AuditExporter>(m_feed->newLoader(), query, m_search->text(),
                                                     AuditExporter::formatForPath(path), path);
    }
    connect(m_exporter.get(), &AuditExporter::finished, this, &AuditPane::onExportFinished);
    if (!m_exporter->start(error))
        return false;

    auto* dialog = new QProgressDialog(tr("Exporting the audit log to %1…").arg(path), tr("Cancel"),
                                       0, 0, this);
    dialog->setObjectName(QStringLiteral("auditExportProgress"));
    dialog->setWindowTitle(tr("Export audit log"));
    dialog->setWindowModality(Qt::WindowModal);
    dialog->setAutoClose(false);
    dialog->setAutoReset(false);
    dialog->setMinimumDuration(0);
    m_exportProgress = dialog;
    AuditExporter* exporter = m_exporter.get();
    connect(dialog, &QProgressDialog::canceled, exporter, &AuditExporter::cancel);
    connect(exporter, &AuditExporter::progress, dialog, [dialog, path](qint64 written) {
        dialog->setLabelText(tr("Exporting the audit log to %1…\n%2 events written")
                                 .arg(path, QLocale().toString(written)));
    });
    dialog->show();
    m_busy->show();
    return true;
}

void AuditPane::onExportFinished(bool ok, const QString& message) {
    if (m_exportProgress) {
        m_exportProgress->hide();
        m_exportProgress->deleteLater();
    }
    m_busy->setVisible(m_model->isFetching() || m_feed->isTailBusy());
    QString detail = message;
    if (onLocalCopy()) // the banner said the table is the local copy: still say so
        detail += QLatin1Char(' ') + localCopyTitle() + QLatin1Char(' ') + unreachableWords();
    m_banner->showMessage(ok ? MessageBanner::Kind::Info : MessageBanner::Kind::Warning,
                          ok ? tr("Export complete.") : tr("Export did not finish."), detail,
                          false);
    Q_EMIT exportFinished(ok, message);
}

QString AuditPane::copySelectionAsCurl() {
    if (!m_session->profile())
        return {};
    const AuditQuery query = m_loadedOnce ? m_feed->query() : currentQuery();
    return m_feed->curlCommand(query);
}

// ---- the local archive (app/AuditHistory) -------------------------------------------

void AuditPane::setHistory(AuditHistory* history) {
    if (m_history)
        disconnect(m_history, nullptr, this, nullptr);
    m_history = history;
    if (!m_history)
        return;
    connect(m_history, &AuditHistory::opened, this, &AuditPane::onArchiveOpened);
    connect(m_history, &AuditHistory::closed, this, &AuditPane::onArchiveClosed);
    connect(m_history, &AuditHistory::unavailable, this, [this](const QString& reason) {
        m_archiveNote = reason;
        showArchiveNotes();
    });
    connect(m_history, &AuditHistory::newestSynced, this, [this](int inserted) {
        if (inserted > 0)
            mergeArchived();
        showArchiveProgress(); // how many are kept
    });
    connect(m_history, &AuditHistory::backfillStarted, this, &AuditPane::showArchiveProgress);
    connect(m_history, &AuditHistory::backfillStopped, this, &AuditPane::showArchiveProgress);
    connect(m_history, &AuditHistory::backfillProgress, this, [this] {
        showArchiveProgress();
        // Everything was shown and older history came in: show it too (unless the user
        // looks at something, which a reload would take away).
        if (readsArchive() && m_model->atEnd() && !m_view->selectionModel()->hasSelection() &&
            m_view->verticalScrollBar()->value() == 0)
            reload();
    });
    connect(m_history, &AuditHistory::backfillFinished, this, &AuditPane::showArchiveProgress);
    connect(m_history, &AuditHistory::integrityIssues, this, [this] {
        const std::vector<IntegrityIssue>& issues = m_history->issues();
        QStringList changedOnServer;
        QStringList vanished;
        QStringList changedLocally;
        for (const IntegrityIssue& issue : issues) {
            if (issue.kind == IntegrityIssue::Kind::ChangedOnServer)
                changedOnServer << issue.eventId;
            else if (issue.kind == IntegrityIssue::Kind::VanishedOnServer)
                vanished << issue.eventId;
            else
                changedLocally << issue.eventId;
        }
        QStringList parts;
        const auto name = [](const QStringList& ids) {
            return ids.size() <= 5 ? ids.join(QStringLiteral(", "))
                                   : tr("%1 and %2 more")
                                         .arg(ids.mid(0, 5).join(QStringLiteral(", ")))
                                         .arg(ids.size() - 5);
        };
        if (!changedOnServer.isEmpty())
            parts << tr("the server now sends other contents for %1").arg(name(changedOnServer));
        if (!vanished.isEmpty())
            parts << tr("the server no longer lists %1").arg(name(vanished));
        if (!changedLocally.isEmpty())
            parts << tr("the archive file was edited at %1").arg(name(changedLocally));
        m_archiveNote = tr("The audit log kept on this computer and the server's disagree: %1. "
                           "The archive keeps the copy it recorded.")
                            .arg(parts.join(QStringLiteral("; ")));
        showArchiveNotes();
    });
    connect(m_history, &AuditHistory::failed, this, [this](const QString& message) {
        if (onLocalCopy()) {
            showArchiveNotes(); // a sync that could not reach the server: already said
            return;
        }
        m_banner->showMessage(MessageBanner::Kind::Warning,
                              tr("The local audit archive is not up to date."), message, false);
    });
    if (m_history->archive())
        onArchiveOpened();
    else if (!m_history->unavailableReason().isEmpty()) {
        m_archiveNote = m_history->unavailableReason();
        showArchiveNotes();
    }
}

bool AuditPane::readsArchive() const {
    return m_history && m_history->archive();
}

void AuditPane::onArchiveOpened() {
    m_archiveNote.clear();
    m_archiveTop = 0;
    m_model->setFilterText(QString()); // the archive's full-text search replaces it
    m_search->setPlaceholderText(tr("Search the whole archive (Ctrl+F)"));
    m_search->setAccessibleName(tr("Search the archived audit log"));
    m_search->setToolTip(
        tr("Full-text search over every event kept on this computer: words, \"a phrase\", "
           "prefix*, AND / OR / NOT, or a request id"));
    showArchiveProgress();
    if (m_tailButton->isChecked())
        setLiveTail(true);
    // At once, before any answer from the server.
    m_needsLoad = true;
    if (isVisible()) {
        m_needsLoad = false;
        m_appliedSpec.clear();
        applyFilters();
    }
}

void AuditPane::onArchiveClosed() {
    m_archiveTail->stop();
    m_archiveRow->hide();
    m_archiveNote.clear();
    m_search->setPlaceholderText(tr("Search loaded events (Ctrl+F)"));
    m_search->setAccessibleName(tr("Search loaded events"));
    m_search->setToolTip(tr("Show only loaded events with this text in any column, the event "
                            "id, the request id or the details"));
    m_model->setFilterText(m_search->text());
    // What is shown came from the archive: the server's pages take over.
    m_model->reset();
    m_loadedOnce = false;
    m_needsLoad = true;
    if (isVisible() && m_session->state() == Session::State::Connected) {
        m_needsLoad = false;
        m_appliedSpec.clear();
        applyFilters();
    }
    updateState();
    updateSummary();
}

ArchiveQuery AuditPane::archiveQuery() const {
    const AuditQuery filters = currentQuery();
    ArchiveQuery query;
    query.since = filters.since;
    query.until = filters.until;
    query.actorKeyId = filters.actorKeyId;
    query.action = filters.action;
    query.success = filters.success;
    query.text = m_search->text().trimmed();
    return query;
}

void AuditPane::readArchivePage(quint64 generation, const QString& cursor) {
    if (generation != m_model->generation())
        return; // a newer query took over
    if (!readsArchive()) {
        m_model->pageFailed(generation, cursor); // closed meanwhile: the server's turn
        return;
    }
    ArchiveQuery query = archiveQuery();
    query.limit = m_feed->pageSize();
    query.before = cursor.toLongLong();
    ArchivePage page;
    try {
        page = m_history->archive()->read(query);
    } catch (const ArchiveError& e) {
        m_model->pageErrored(generation, cursor);
        m_loadedOnce = true;
        m_banner->showMessage(MessageBanner::Kind::Error,
                              tr("The archive could not be searched for this."),
                              QString::fromUtf8(e.what()), false);
        updateState();
        updateSummary();
        return;
    }
    page.batch.nextCursor = page.next != 0 ? QString::number(page.next) : QString();
    const auto first = static_cast<AuditStore::Index>(m_model->store().size());
    if (!m_model->addPage(generation, cursor, page.batch))
        return;
    m_model->markKeptLocally(first, page.beyondRetention);
    if (cursor.isEmpty() && !page.sequences.empty())
        m_archiveTop = std::max(m_archiveTop, page.sequences.front());
    if (cursor.isEmpty())
        m_banner->clear();
    m_loadedOnce = true;
    m_status.loaded();
    m_list->setStale(false, m_status.lastRefresh());
    showArchiveNotes();
    afterPage();
    Q_EMIT archivedPageShown(page.batch);
    Q_EMIT pageLoaded(static_cast<int>(page.batch.records.size()));
}

void AuditPane::mergeArchived() {
    if (!readsArchive() || !m_loadedOnce || m_model->isHeld())
        return;
    ArchiveQuery query = archiveQuery();
    int added = 0;
    qint64 top = m_archiveTop;
    try {
        // Newest first, page by page, down to what is shown.
        query.limit = m_feed->pageSize();
        bool more = true;
        while (more) {
            const ArchivePage page = m_history->archive()->read(query);
            std::vector<char> keep(page.sequences.size(), 0);
            more = page.next != 0;
            for (std::size_t k = 0; k < page.sequences.size(); ++k) {
                if (page.sequences[k] <= m_archiveTop) {
                    more = false;
                    break;
                }
                keep[k] = 1;
                top = std::max(top, page.sequences[k]);
            }
            added += m_model->addNewer(page.batch, keep);
            Q_EMIT archivedEventsMerged(page.batch, keep);
            query.before = page.next;
        }
    } catch (const ArchiveError& e) {
        m_banner->showMessage(MessageBanner::Kind::Error, tr("The archive could not be read."),
                              QString::fromUtf8(e.what()), false);
    }
    m_archiveTop = top;
    m_status.loaded();
    updateSummary();
    updateState();
    Q_EMIT tailInserted(added);
}

void AuditPane::showArchiveProgress() {
    if (!readsArchive()) {
        m_archiveRow->hide();
        return;
    }
    const QLocale locale;
    const QString kept = locale.toString(m_history->archive()->count());
    if (m_history->isBackfilling()) {
        m_archiveLabel->setText(
            tr("Fetching older events into the archive on this computer: %1 kept so far…")
                .arg(kept));
        m_archiveButton->setText(tr("Cancel"));
        m_archiveButton->setToolTip(tr("Stop fetching older events; what is kept stays, and "
                                       "the next start goes on from there"));
        m_archiveRow->show();
    } else if (!m_history->backfillDone()) {
        m_archiveLabel->setText(
            tr("%1 events kept on this computer; older history is not fetched yet.").arg(kept));
        m_archiveButton->setText(tr("Resume"));
        m_archiveButton->setToolTip(tr("Go on fetching older events into the archive"));
        m_archiveRow->show();
    } else {
        m_archiveRow->hide();
    }
}

void AuditPane::showArchiveNotes() {
    if (onLocalCopy()) {
        // Said over any other note: what the table shows is not the server's now.
        QString detail = tr("%1 The table, its filters, the search and Export read the audit "
                            "log kept on this computer; events since the last sync are not in "
                            "it.")
                             .arg(unreachableWords());
        if (!m_archiveNote.isEmpty())
            detail += QLatin1Char(' ') + m_archiveNote;
        m_banner->showMessage(MessageBanner::Kind::Info, localCopyTitle(), detail, false);
        return;
    }
    if (m_banner->text().startsWith(localCopyTitle()))
        m_banner->clear(); // the server is back
    if (m_archiveNote.isEmpty() || !m_banner->text().isEmpty())
        return;
    m_banner->showMessage(MessageBanner::Kind::Warning, tr("Local audit archive"), m_archiveNote,
                          false);
}

} // namespace legba
