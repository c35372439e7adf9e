#include "KeysPane.h"

#include "BusyLine.h"
#include "ConnectionManager.h"
#include "CredentialStore.h"
#include "GenerateKeyDialog.h"
#include "KeyRotation.h"
#include "KeysModel.h"
#include "Logging.h"
#include "MessageBanner.h"
#include "RotateKeyDialog.h"
#include "SecretClipboard.h"
#include "Session.h"
#include "StatusBadgeDelegate.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QStackedWidget>
#include <QStyle>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace legba {

namespace {
enum Page { TablePage, EmptyPage, UnavailablePage };
constexpr int kTickMsecs = 30'000;
constexpr int kRefetchEveryTicks = 4; // the list itself every 2 min while shown

QPushButton* toolButton(const QString& text, const QString& icon, const QString& accessible,
                        QWidget* parent) {
    auto* button = new QPushButton(text, parent);
    button->setIcon(QIcon::fromTheme(icon));
    button->setAccessibleName(accessible);
    return button;
}
} // namespace

KeysPane::KeysPane(ConnectionManager* connections, QWidget* parent)
    : Pane(parent)
    , m_connections(connections)
    , m_session(connections->session())
    , m_model(new KeysModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_view(new QTableView(this))
    , m_stack(new QStackedWidget(this))
    , m_emptyLabel(new QLabel(this))
    , m_emptyGenerate(new QPushButton(tr("Generate New API Key"), this))
    , m_unavailableLabel(new QLabel(this))
    , m_generateButton(toolButton(tr("Generate New API Key"), QStringLiteral("list-add"),
                                  tr("Generate New API Key"), this))
    , m_rotateButton(toolButton(tr("&Rotate…"), QStringLiteral("view-refresh"),
                                tr("Rotate the selected key"), this))
    , m_revokeButton(toolButton(tr("Re&voke…"), QStringLiteral("edit-delete"),
                                tr("Revoke the selected key"), this))
    , m_refreshButton(toolButton(tr("Refresh"), QStringLiteral("view-refresh"),
                                 tr("Refresh the key list"), this))
    , m_showRevoked(new QCheckBox(tr("Show revoked"), this))
    , m_filter(new QLineEdit(this))
    , m_health(new QLabel(this))
    , m_clipboardStatus(new QLabel(this))
    , m_busy(new BusyLine(this))
    , m_banner(new MessageBanner(this))
    , m_clock(new QTimer(this))
    , m_clipboard(new SecretClipboard(this))
    , m_rotation(new KeyRotation(connections, this)) {
    setObjectName(QStringLiteral("keysPane"));
    setAccessibleName(title());

    m_generateButton->setObjectName(QStringLiteral("generateKeyButton"));
    m_rotateButton->setObjectName(QStringLiteral("rotateKeyButton"));
    m_revokeButton->setObjectName(QStringLiteral("revokeKeyButton"));
    m_refreshButton->setToolTip(tr("Reload the list from the server (F5)"));
    m_showRevoked->setObjectName(QStringLiteral("showRevoked"));
    m_showRevoked->setAccessibleName(tr("Show revoked keys"));
    m_showRevoked->setToolTip(tr("Also list keys that were revoked or rotated away"));
    m_filter->setObjectName(QStringLiteral("keysFilter"));
    m_filter->setPlaceholderText(tr("Filter keys (Ctrl+F)"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setAccessibleName(tr("Filter keys"));
    m_filter->setToolTip(tr("Show only keys whose name, prefix, scopes or status contain this "
                            "text"));
    m_filter->setMaximumWidth(280);
    m_clipboardStatus->setObjectName(QStringLiteral("clipboardStatus"));
    m_clipboardStatus->setAccessibleName(tr("Key on the clipboard"));
    m_clipboardStatus->setToolTip(tr("A key copied from Legba Admin is cleared from the "
                                     "clipboard after a while"));
    m_clipboardStatus->hide();

    auto* toolbar = new QHBoxLayout;
    toolbar->addWidget(m_generateButton);
    toolbar->addWidget(m_rotateButton);
    toolbar->addWidget(m_revokeButton);
    toolbar->addWidget(m_refreshButton);
    toolbar->addSpacing(12);
    toolbar->addWidget(m_showRevoked);
    toolbar->addStretch(1);
    toolbar->addWidget(m_clipboardStatus);
    toolbar->addWidget(m_filter);

    m_health->setObjectName(QStringLiteral("keysHealth"));
    m_health->setAccessibleName(tr("Key health"));
    m_health->setToolTip(tr("Keys that need attention: expiring, expired or unused"));
    m_health->setWordWrap(true);
    m_health->hide();

    m_busy->setVisible(false);

    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(KeysModel::SortRole);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_view->setModel(m_proxy);
    m_view->setObjectName(QStringLiteral("keysTable"));
    m_view->setAccessibleName(tr("API keys"));
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(KeysModel::CreatedColumn, Qt::DescendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setShowGrid(false);
    m_view->setWordWrap(false);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setHighlightSections(false);
    for (int column : {KeysModel::StatusColumn, KeysModel::ExpiresColumn, KeysModel::HealthColumn})
        m_view->setItemDelegateForColumn(column,
                                         new StatusBadgeDelegate(KeysModel::BadgeToneRole, m_view));
    const int charWidth = m_view->fontMetrics().averageCharWidth();
    m_view->setColumnWidth(KeysModel::NameColumn, charWidth * 30);
    const QFontMetrics mono(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_view->setColumnWidth(KeysModel::PrefixColumn,
                           mono.horizontalAdvance(QStringLiteral("legba_XXXXXX…")) + charWidth * 3);
    m_view->setColumnWidth(KeysModel::ScopesColumn, charWidth * 34);
    m_view->setColumnWidth(KeysModel::CreatedColumn, charWidth * 13);
    m_view->setColumnWidth(KeysModel::LastUsedColumn, charWidth * 13);
    m_view->setColumnWidth(KeysModel::ExpiresColumn, charWidth * 16);
    m_view->setColumnWidth(KeysModel::StatusColumn, charWidth * 13);

    m_emptyLabel->setAlignment(Qt::AlignCenter);
    m_emptyLabel->setWordWrap(true);
    m_emptyLabel->setObjectName(QStringLiteral("keysEmptyState"));
    m_emptyGenerate->setAccessibleName(tr("Generate New API Key"));
    m_emptyGenerate->setToolTip(tr("Generate a key; it is shown once (Ctrl+N)"));
    auto* emptyPage = new QWidget(this);
    auto* emptyLayout = new QVBoxLayout(emptyPage);
    emptyLayout->addStretch(1);
    emptyLayout->addWidget(m_emptyLabel);
    emptyLayout->addWidget(m_emptyGenerate, 0, Qt::AlignHCenter);
    emptyLayout->addStretch(2);
    m_unavailableLabel->setAlignment(Qt::AlignCenter);
    m_unavailableLabel->setWordWrap(true);
    m_unavailableLabel->setObjectName(QStringLiteral("keysUnavailable"));
    auto* unavailablePage = new QWidget(this);
    auto* unavailableLayout = new QVBoxLayout(unavailablePage);
    unavailableLayout->addStretch(1);
    unavailableLayout->addWidget(m_unavailableLabel);
    unavailableLayout->addStretch(2);
    m_stack->addWidget(m_view);
    m_stack->addWidget(emptyPage);
    m_stack->addWidget(unavailablePage);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->addLayout(toolbar);
    layout->addWidget(m_health);
    layout->addWidget(m_busy);
    layout->addWidget(m_banner);
    layout->addWidget(m_stack, 1);

    connect(m_generateButton, &QPushButton::clicked, this, &KeysPane::generateKey);
    connect(m_emptyGenerate, &QPushButton::clicked, this, &KeysPane::generateKey);
    connect(m_rotateButton, &QPushButton::clicked, this, &KeysPane::rotateSelected);
    connect(m_revokeButton, &QPushButton::clicked, this, &KeysPane::revokeSelected);
    connect(m_refreshButton, &QPushButton::clicked, this, &KeysPane::refresh);
    connect(m_showRevoked, &QCheckBox::toggled, this, &KeysPane::setShowRevoked);
    connect(m_banner, &MessageBanner::retryRequested, this, &KeysPane::refresh);
    connect(m_filter, &QLineEdit::textChanged, m_proxy,
            &QSortFilterProxyModel::setFilterFixedString);
    connect(m_filter, &QLineEdit::textChanged, this, &KeysPane::updateEmptyState);
    connect(m_view, &QTableView::customContextMenuRequested, this, &KeysPane::showContextMenu);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &KeysPane::updateActions);
    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(m_model, signal, this, [this] {
            updateHealth();
            updateEmptyState();
            updateActions();
        });
    connect(m_model, &QAbstractItemModel::dataChanged, this, [this] {
        updateHealth();
        updateActions();
    });
    connect(m_session, &Session::identityChanged, this, &KeysPane::onIdentityChanged);
    connect(m_clipboard, &SecretClipboard::countdown, this, &KeysPane::onClipboardCountdown);
    connect(m_clipboard, &SecretClipboard::cleared, this, [this] { m_clipboardStatus->hide(); });
    connect(m_rotation, &KeyRotation::stageChanged, this, [this] {
        m_busy->setVisible(isWorking());
        updateActions();
    });
    connect(m_clock, &QTimer::timeout, this, [this, ticks = 0]() mutable {
        m_model->refreshTimes();
        if (++ticks % kRefetchEveryTicks == 0 && isVisible())
            refresh();
    });
    m_clock->start(kTickMsecs);

    // Reading order: toolbar left to right, then the table.
    setTabOrder(m_generateButton, m_rotateButton);
    setTabOrder(m_rotateButton, m_revokeButton);
    setTabOrder(m_revokeButton, m_refreshButton);
    setTabOrder(m_refreshButton, m_showRevoked);
    setTabOrder(m_showRevoked, m_filter);
    setTabOrder(m_filter, m_view);

    onIdentityChanged();
    updateEmptyState();
    updateActions();
}

KeysPane::~KeysPane() {
    m_listCall.cancel();
    m_writeCall.cancel();
}

QString KeysPane::title() const {
    return tr("API Keys");
}

bool KeysPane::isWorking() const {
    return m_listCall.isRunning() || m_writeCall.isRunning() || m_rotation->isRunning();
}

void KeysPane::focusFilter() {
    m_filter->setFocus(Qt::ShortcutFocusReason);
    m_filter->selectAll();
}

bool KeysPane::isOwnKey(const ApiKey& key) const {
    return m_session->identity() && m_session->identity()->keyId == key.keyId;
}

void KeysPane::onIdentityChanged() {
    m_model->setCurrentKeyId(m_session->identity() ? m_session->identity()->keyId : QString());
    if ((m_availability == Availability::OwnKeyOnly ||
         m_availability == Availability::NotOnServer) &&
        m_session->identity())
        m_model->setKeys({*m_session->identity()});
    updateActions();
}

void KeysPane::sessionChanged() {
    switch (m_session->state()) {
    case Session::State::Connected:
        setStale(false);
        refresh();
        break;
    case Session::State::Offline:
        setStale(true);
        break;
    case Session::State::Disconnected:
        m_listCall.cancel();
        m_writeCall.cancel();
        m_model->setKeys({});
        m_loadedOnce = false;
        m_lastRefresh = {};
        m_banner->clear();
        m_busy->hide();
        setStale(false);
        setAvailability(Availability::Unknown);
        break;
    case Session::State::KeyRejected:
        m_listCall.cancel();
        m_busy->setVisible(isWorking());
        setStale(true);
        break;
    case Session::State::Connecting:
        break;
    }
    updateEmptyState();
    updateActions();
}

void KeysPane::setShowRevoked(bool show) {
    if (m_showRevoked->isChecked() != show) {
        m_showRevoked->setChecked(show); // comes back here through toggled()
        return;
    }
    m_listCall.cancel();
    refresh();
}

void KeysPane::refresh() {
    if (!m_session->profile() || m_listCall.isRunning())
        return; // never two list requests in flight
    if (m_session->identity() && !m_session->can(Scope::KeysRead)) {
        // Without keys:read, the one key we can show is our own.
        m_model->setKeys({*m_session->identity()});
        m_loadedOnce = true;
        setAvailability(Availability::OwnKeyOnly);
        return;
    }
    m_busy->show();
    m_listCall = m_session->client()->listKeys(
        m_showRevoked->isChecked(), this,
        [this](Result<KeyList> result) { onListed(std::move(result)); });
}

void KeysPane::onListed(Result<KeyList> result) {
    m_busy->setVisible(isWorking());
    if (!result) {
        const ApiError& error = result.error();
        if (error.isNotFound()) {
            // The hosted API has no key list; the key in use is still a key to show (and
            // to rotate: POST /key/rotate is public).
            if (m_session->identity())
                m_model->setKeys({*m_session->identity()});
            m_loadedOnce = true;
            setAvailability(Availability::NotOnServer);
            return;
        }
        if (error.isForbidden() && m_session->identity()) {
            m_model->setKeys({*m_session->identity()});
            m_loadedOnce = true;
            setAvailability(Availability::OwnKeyOnly);
            return;
        }
        showError(tr("Listing API keys failed."), error);
        return;
    }
    m_model->setKeys(result.value().keys);
    m_loadedOnce = true;
    m_lastRefresh = QDateTime::currentDateTime();
    setAvailability(Availability::Available);
    m_banner->clear();
    showUnreadable(m_banner, result.value().unreadable, tr("key"), tr("keys"));
    setStale(false);
    updateEmptyState();
    updateHealth();
    updateActions();
    Q_EMIT refreshed(m_lastRefresh);
}

void KeysPane::setAvailability(Availability availability) {
    m_availability = availability;
    switch (availability) {
    case Availability::NotOnServer:
        m_unavailableLabel->setText(
            tr("Not available on this server.\nThis server does not offer API key management "
               "(GET /keys answered 404). The status bar still shows the key Legba Admin uses."));
        m_banner->showMessage(
            MessageBanner::Kind::Info,
            tr("This server lists no keys: only the key Legba Admin uses is shown."),
            tr("GET /keys answered 404, as on the hosted Legba API. This key can be rotated "
               "here; generate and revoke other keys in the organization's dashboard."),
            false);
        m_health->hide();
        updateEmptyState();
        break;
    case Availability::OwnKeyOnly:
        m_banner->showMessage(MessageBanner::Kind::Info,
                              tr("Only the key Legba Admin uses is shown."),
                              m_session->whyNot(Scope::KeysRead), false);
        m_stack->setCurrentIndex(TablePage);
        break;
    case Availability::Available:
    case Availability::Unknown:
        updateEmptyState();
        break;
    }
    updateActions();
}

void KeysPane::showError(const QString& what, const ApiError& error) {
    const QString lastUpdate =
        m_lastRefresh.isValid()
            ? tr("Last updated %1.").arg(m_lastRefresh.toString(QStringLiteral("HH:mm")))
            : QString();
    switch (error.kind) {
    case ApiError::Kind::Cancelled:
        return;
    case ApiError::Kind::Network:
    case ApiError::Kind::Timeout:
        setStale(true);
        m_banner->showMessage(MessageBanner::Kind::Warning,
                              tr("The server cannot be reached. %1").arg(lastUpdate),
                              error.summary() + QLatin1Char('\n') +
                                  tr("The list below may be out of date. Retry when the "
                                     "connection is back."));
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
            m_banner->showMessage(
                MessageBanner::Kind::Error, what,
                error.details() + QLatin1Char('\n') +
                    tr("The key in use lacks the scope '%1'.").arg(error.missingScope()),
                false);
            break;
        }
        m_banner->showMessage(MessageBanner::Kind::Error, what, error.details());
        break;
    default:
        m_banner->showMessage(MessageBanner::Kind::Error, what, error.details());
        break;
    }
    updateEmptyState();
}

void KeysPane::setStale(bool stale) {
    if (m_stale == stale)
        return;
    m_stale = stale;
    showViewStale(m_view, stale, m_lastRefresh);
}

void KeysPane::updateEmptyState() {
    if (m_availability == Availability::NotOnServer && m_model->rowCount() == 0) {
        m_stack->setCurrentIndex(UnavailablePage);
        return;
    }
    const bool empty = m_proxy->rowCount() == 0;
    if (!empty || !m_loadedOnce) {
        m_stack->setCurrentIndex(TablePage);
        return;
    }
    if (!m_filter->text().isEmpty()) {
        m_emptyLabel->setText(tr("No key matches \"%1\".").arg(m_filter->text()));
        m_emptyGenerate->hide();
    } else {
        m_emptyLabel->setText(tr("No API keys yet. Generate one for each program that calls "
                                 "the Legba API."));
        m_emptyGenerate->show();
    }
    m_stack->setCurrentIndex(EmptyPage);
}

void KeysPane::updateHealth() {
    const QString summary =
        m_availability == Availability::NotOnServer ? QString() : m_model->healthSummary();
    m_health->setText(summary.isEmpty() ? QString() : QStringLiteral("⚠ ") + summary);
    m_health->setAccessibleName(summary.isEmpty() ? tr("Key health") : summary);
    m_health->setVisible(!summary.isEmpty());
}

QString KeysPane::rotateBlocker(const ApiKey* key) const {
    if (m_session->state() != Session::State::Connected)
        return tr("Not connected.");
    if (!key)
        return tr("Select a key to rotate.");
    if (key->status != KeyStatus::Active || key->revokedAt.isValid())
        return tr("Only an active key can be rotated; this one is %1.")
            .arg(key->revokedAt.isValid() && key->status == KeyStatus::Active
                     ? tr("already rotated")
                     : KeysModel::statusText(key->status));
    // The app's own key can always be rotated through POST /key/rotate.
    if (!isOwnKey(*key) && !m_session->can(Scope::KeysWrite))
        return m_session->whyNot(Scope::KeysWrite);
    for (const QString& scope : key->scopes) {
        if (!isOwnKey(*key) && m_session->identity() && !m_session->identity()->hasScope(scope))
            return tr("Needs the scope '%1', which the key '%2' lacks: a key cannot issue "
                      "scopes it does not hold.")
                .arg(scope, m_session->identity()->name);
    }
    return {};
}

QString KeysPane::revokeBlocker(const ApiKey* key) const {
    if (m_session->state() != Session::State::Connected)
        return tr("Not connected.");
    if (!key)
        return tr("Select a key to revoke.");
    if (key->status == KeyStatus::Revoked)
        return tr("This key is already revoked.");
    if (!m_session->can(Scope::KeysWrite))
        return m_session->whyNot(Scope::KeysWrite);
    return {};
}

void KeysPane::updateActions() {
    const bool working = m_writeCall.isRunning() || m_rotation->isRunning();
    const bool connected = m_session->state() == Session::State::Connected;
    const bool unavailable = m_availability == Availability::NotOnServer;
    const bool canGenerate = connected && m_session->can(Scope::KeysWrite) && !unavailable;
    const QString generateTip = !connected     ? tr("Not connected.")
                                : unavailable  ? tr("Not available on this server.")
                                : !canGenerate ? m_session->whyNot(Scope::KeysWrite)
                                               : tr("Generate a key; it is shown once (Ctrl+N)");
    for (QPushButton* button : {m_generateButton, m_emptyGenerate}) {
        button->setEnabled(canGenerate && !working);
        button->setToolTip(generateTip);
    }

    const std::optional<ApiKey> key = selectedKey();
    // Without the dashboard routes the key in use can still be rotated (POST /key/rotate).
    const QString rotateWhy = unavailable && !(key && isOwnKey(*key))
                                  ? tr("Not available on this server.")
                                  : rotateBlocker(key ? &*key : nullptr);
    m_rotateButton->setEnabled(rotateWhy.isEmpty() && !working);
    m_rotateButton->setToolTip(rotateWhy.isEmpty()
                                   ? tr("Replace the selected key with a new one, shown once")
                                   : rotateWhy);
    const QString revokeWhy =
        unavailable ? tr("Not available on this server.") : revokeBlocker(key ? &*key : nullptr);
    m_revokeButton->setEnabled(revokeWhy.isEmpty() && !working);
    m_revokeButton->setToolTip(revokeWhy.isEmpty()
                                   ? tr("Revoke the selected key: requests using it fail (Delete)")
                                   : revokeWhy);
    m_refreshButton->setEnabled(m_session->profile().has_value());
    m_showRevoked->setEnabled(m_availability != Availability::OwnKeyOnly && !unavailable);
}

std::optional<ApiKey> KeysPane::selectedKey() const {
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    if (rows.size() != 1)
        return std::nullopt;
    const QModelIndex source = m_proxy->mapToSource(rows.first());
    if (const ApiKey* key = m_model->keyAt(source.row()))
        return *key;
    return std::nullopt;
}

void KeysPane::selectKey(const QString& keyId) {
    const int row = m_model->rowOf(keyId);
    if (row < 0)
        return;
    const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
    if (!index.isValid())
        return;
    m_view->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect |
                                                QItemSelectionModel::Rows);
    m_view->setCurrentIndex(index);
    m_view->scrollTo(index);
}

QString KeysPane::copySelectionAsCurl() {
    LegbaClient* client = m_session->client();
    if (const std::optional<ApiKey> key = selectedKey())
        return curlCommand(client->describeGetKeyById(key->keyId));
    if (!m_session->profile())
        return {};
    return curlCommand(client->describeListKeys(m_showRevoked->isChecked()));
}

void KeysPane::showContextMenu(const QPoint& pos) {
    const QModelIndex index = m_view->indexAt(pos);
    if (!index.isValid())
        return;
    m_view->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect |
                                                QItemSelectionModel::Rows);
    m_view->setCurrentIndex(index);
    const std::optional<ApiKey> key = selectedKey();
    if (!key)
        return;
    QMenu menu(this);
    menu.setAccessibleName(tr("Key actions"));
    QAction* copyId = menu.addAction(tr("Copy Key Id"));
    copyId->setToolTip(key->keyId);
    QAction* copyPrefix = menu.addAction(tr("Copy Prefix"));
    copyPrefix->setToolTip(key->prefix);
    QAction* copyCurl = menu.addAction(tr("Copy as curl"));
    copyCurl->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    copyCurl->setToolTip(tr("GET this key's record; the key is $LEGBA_API_TOKEN"));
    menu.addSeparator();
    QAction* rotate = menu.addAction(tr("Rotate…"));
    const QString rotateWhy = rotateBlocker(&*key);
    rotate->setEnabled(rotateWhy.isEmpty());
    rotate->setToolTip(rotateWhy);
    QAction* revoke = menu.addAction(tr("Revoke…"));
    revoke->setShortcut(QKeySequence(Qt::Key_Delete));
    const QString revokeWhy = revokeBlocker(&*key);
    revoke->setEnabled(revokeWhy.isEmpty());
    revoke->setToolTip(revokeWhy);
    menu.setToolTipsVisible(true);

    QAction* chosen = menu.exec(m_view->viewport()->mapToGlobal(pos));
    if (chosen == copyId)
        QApplication::clipboard()->setText(key->keyId);
    else if (chosen == copyPrefix)
        QApplication::clipboard()->setText(key->prefix);
    else if (chosen == copyCurl)
        QApplication::clipboard()->setText(copySelectionAsCurl());
    else if (chosen == rotate)
        rotateSelected();
    else if (chosen == revoke)
        revokeSelected();
}

// ---- generate ----

void KeysPane::generateKey() {
    if (!m_generateButton->isEnabled())
        return;
    if (m_generateDialog) {
        m_generateDialog->raise();
        m_generateDialog->activateWindow();
        return;
    }
    auto* dialog = new GenerateKeyDialog(m_session, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_generateDialog = dialog;
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        IssuedKey issued = dialog->takeIssued();
        m_model->upsert(issued.record);
        selectKey(issued.record.keyId);
        showReveal(std::move(issued), RevealKeyDialog::Origin::Generated, QString(), false);
        refresh();
    });
    dialog->open();
}

void KeysPane::showReveal(IssuedKey issued, RevealKeyDialog::Origin origin, const QString& notice,
                          bool warning) {
    if (m_revealDialog) {
        // Two keys at once would hide one of them behind the other: the older one is
        // closed only by its own confirmation, so the new one waits on top of it.
        qCWarning(lcUi) << "a second reveal dialog opens while one is still shown";
    }
    auto* dialog = new RevealKeyDialog(std::move(issued), origin, m_clipboard, m_connections, this);
    issued.secret.clear();
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (!notice.isEmpty())
        dialog->setNotice(notice, warning);
    m_revealDialog = dialog;
    dialog->open();
    Q_EMIT revealShown(dialog);
}

void KeysPane::onClipboardCountdown(int secondsLeft) {
    m_clipboardStatus->setText(tr("Key on the clipboard: cleared in %1 s").arg(secondsLeft));
    m_clipboardStatus->setVisible(secondsLeft > 0);
}

// ---- rotate ----

void KeysPane::rotateSelected() {
    const std::optional<ApiKey> key = selectedKey();
    if (!key || !rotateBlocker(&*key).isEmpty() || m_writeCall.isRunning() ||
        m_rotation->isRunning())
        return;
    RotateKeyDialog::Options options;
    options.ownKey = isOwnKey(*key);
    options.graceAllowed = m_session->can(Scope::KeysWrite);
    options.whyNoGrace = m_session->whyNot(Scope::KeysWrite) + QLatin1Char(' ') +
                         tr("Without it, the key can only be rotated at once.");
    auto* dialog = new RotateKeyDialog(*key, options, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_rotateDialog = dialog;
    connect(dialog, &QDialog::accepted, this,
            [this, dialog, key = *key] { startRotation(key, dialog->gracePeriodSeconds()); });
    dialog->open();
}

void KeysPane::startRotation(const ApiKey& key, int gracePeriodSeconds) {
    m_banner->clear();
    if (isOwnKey(key)) {
        const std::optional<QString> refused =
            m_rotation->start(gracePeriodSeconds, [this](KeyRotation::Outcome outcome) {
                m_busy->setVisible(isWorking());
                if (!outcome.rotated) {
                    if (outcome.mayHaveRotated)
                        m_banner->showMessage(
                            MessageBanner::Kind::Error,
                            tr("The server may have rotated the key but sent no new key."),
                            outcome.message, false);
                    else if (outcome.error && outcome.message.isEmpty())
                        showError(tr("The key was not rotated."), *outcome.error);
                    else if (outcome.error && outcome.error->kind != ApiError::Kind::Http)
                        m_banner->showMessage(MessageBanner::Kind::Warning,
                                              tr("The key was not rotated."), outcome.message,
                                              false);
                    else if (outcome.error)
                        showError(tr("The key was not rotated."), *outcome.error);
                    else
                        m_banner->showMessage(MessageBanner::Kind::Error,
                                              tr("The key was not rotated."), outcome.message,
                                              false);
                    Q_EMIT operationFinished();
                    return;
                }
                m_model->upsert(outcome.issued.record);
                selectKey(outcome.issued.record.keyId);
                const bool safe = outcome.stored && outcome.verified;
                const auto origin = !outcome.stored ? RevealKeyDialog::Origin::OwnRotatedUnsaved
                                    : outcome.sessionOnly
                                        ? RevealKeyDialog::Origin::OwnRotatedForSession
                                        : RevealKeyDialog::Origin::OwnRotated;
                QString notice;
                if (outcome.stored && outcome.sessionOnly && outcome.verified)
                    notice.clear(); // the dialog's own words for this origin say it all
                else if (!outcome.stored)
                    notice = outcome.message + QLatin1Char('\n') +
                             tr("Legba Admin uses the new key until it quits. Copy it now and "
                                "store it safely, or try saving it again.");
                else if (!outcome.verified)
                    notice = outcome.message;
                showReveal(std::move(outcome.issued), origin, notice, !safe);
                refresh();
                Q_EMIT operationFinished();
            });
        if (refused)
            m_banner->showMessage(MessageBanner::Kind::Error, tr("The key was not rotated."),
                                  *refused, false);
        m_busy->setVisible(isWorking());
        updateActions();
        return;
    }
    m_busy->show();
    m_writeCall = m_session->client()->rotateKey(
        key.keyId, gracePeriodSeconds, this,
        [this](Result<IssuedKey> result) { onOtherRotated(std::move(result)); });
    updateActions();
}

void KeysPane::onOtherRotated(Result<IssuedKey> result) {
    m_busy->setVisible(isWorking());
    updateActions();
    if (!result) {
        showError(tr("The key was not rotated."), result.error());
        Q_EMIT operationFinished();
        return;
    }
    IssuedKey issued = std::move(result).value();
    m_model->upsert(issued.record);
    selectKey(issued.record.keyId);
    showReveal(std::move(issued), RevealKeyDialog::Origin::Rotated, QString(), false);
    refresh(); // the old key's status changed too
    Q_EMIT operationFinished();
}

// ---- revoke ----

void KeysPane::revokeSelected() {
    const std::optional<ApiKey> key = selectedKey();
    if (!key || !revokeBlocker(&*key).isEmpty() || m_writeCall.isRunning() ||
        m_rotation->isRunning())
        return;
    const bool own = isOwnKey(*key);
    QString text = tr("Revoke key '%1' (%2…)? Requests using it will fail immediately.")
                       .arg(key->name, key->prefix);
    if (own)
        text += QStringLiteral("\n\n") +
                tr("Legba Admin itself uses this key: it will disconnect from '%1' and forget "
                   "the key saved for it.")
                    .arg(m_session->profile() ? m_session->profile()->displayName : QString());
    QMessageBox box(QMessageBox::Warning, tr("Revoke API Key"), text, QMessageBox::Cancel, this);
    box.setObjectName(QStringLiteral("confirmRevoke"));
    QPushButton* revokeButton = box.addButton(own ? tr("Revoke and Disconnect") : tr("Revoke"),
                                              QMessageBox::DestructiveRole);
    revokeButton->setObjectName(QStringLiteral("confirmRevokeButton"));
    box.setDefaultButton(QMessageBox::Cancel);
    box.setEscapeButton(QMessageBox::Cancel);
    box.exec();
    if (box.clickedButton() != revokeButton)
        return;
    revoke(*key, own);
}

void KeysPane::revoke(const ApiKey& key, bool ownKey) {
    m_banner->clear();
    m_busy->show();
    m_writeCall =
        m_session->client()->revokeKey(key.keyId, this, [this, key, ownKey](Result<Done> result) {
            m_busy->setVisible(isWorking());
            updateActions();
            if (!result) {
                showError(tr("The key '%1' was not revoked.").arg(key.name), result.error());
                Q_EMIT operationFinished();
                return;
            }
            qCInfo(lcUi).noquote() << "revoked key" << key.keyId << key.prefix;
            if (ownKey) {
                disconnectAfterOwnKeyRevoked(key.name);
                Q_EMIT operationFinished();
                return;
            }
            ApiKey revoked = key;
            revoked.status = KeyStatus::Revoked;
            revoked.revokedAt = QDateTime::currentDateTimeUtc();
            m_model->upsert(revoked);
            refresh(); // drops it unless "Show revoked" is on
            Q_EMIT operationFinished();
        });
    updateActions();
}

void KeysPane::disconnectAfterOwnKeyRevoked(const QString& keyName) {
    const std::optional<Profile> profile = m_session->profile();
    m_session->disconnectFromServer();
    if (profile && profile->kind != Profile::Kind::Environment) {
        // The stored key is worthless now: do not offer it again on the next start.
        CredentialStore* credentials = m_connections->credentials();
        credentials->forgetSessionKey(profile->credentialAccount());
        credentials->remove(profile->credentialAccount(), this,
                            [](const CredentialStore::Outcome&) {});
    }
    m_banner->showMessage(
        MessageBanner::Kind::Info,
        tr("Disconnected: the key '%1' that Legba Admin used is revoked.").arg(keyName),
        tr("Choose \"Edit Organization or Key…\" in the organization menu to connect with "
           "another key."),
        false);
}

} // namespace legba
