#include "KeysPane.h"

#include "ConnectionManager.h"
#include "GenerateKeyDialog.h"
#include "KeyRotation.h"
#include "KeysModel.h"
#include "LeakScanDialog.h"
#include "ListStatusView.h"
#include "Logging.h"
#include "MessageBanner.h"
#include "PrivilegePanel.h"
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
#include <QStyle>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace legba {

namespace {
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
    , m_list(new ListStatusView(m_view, m_view, this))
    , m_clock(new QTimer(this))
    , m_clipboard(new SecretClipboard(this))
    , m_actions(new KeyActions(connections, this)) {
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
    auto* scanButton = toolButton(tr("Scan for Leaked Keys…"), QStringLiteral("edit-find"),
                                  tr("Scan folders for leaked keys"), this);
    scanButton->setObjectName(QStringLiteral("scanLeaksButton"));
    connect(scanButton, &QPushButton::clicked, this, [this] { LeakScanDialog::openFrom(this); });
    toolbar->addWidget(scanButton);
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
    // Narrow enough that the last column (the advisor's verdict) is whole in a window of
    // 1200 pixels; the scopes are whole in their tooltip and the detail panel.
    const int charWidth = m_view->fontMetrics().averageCharWidth();
    m_view->setColumnWidth(KeysModel::NameColumn, charWidth * 24);
    const QFontMetrics mono(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_view->setColumnWidth(KeysModel::PrefixColumn,
                           mono.horizontalAdvance(QStringLiteral("legba_XXXXXX…")) + charWidth * 3);
    m_view->setColumnWidth(KeysModel::ScopesColumn, charWidth * 24);
    m_view->setColumnWidth(KeysModel::CreatedColumn, charWidth * 11);
    m_view->setColumnWidth(KeysModel::LastUsedColumn, charWidth * 11);
    m_view->setColumnWidth(KeysModel::ExpiresColumn, charWidth * 14);
    m_view->setColumnWidth(KeysModel::StatusColumn, charWidth * 13);

    m_list->pageLabel()->setObjectName(QStringLiteral("keysEmptyState"));
    m_list->pageButton()->setText(tr("Generate New API Key"));
    m_list->pageButton()->setAccessibleName(tr("Generate New API Key"));
    m_list->pageButton()->setToolTip(tr("Generate a key; it is shown once (Ctrl+N)"));

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->addLayout(toolbar);
    layout->addWidget(m_health);
    layout->addWidget(m_list, 1);
    setUpPrivilegePanel();
    layout->addWidget(m_privilege);

    connect(m_generateButton, &QPushButton::clicked, this, &KeysPane::generateKey);
    connect(m_list, &ListStatusView::pageButtonClicked, this, &KeysPane::generateKey);
    connect(m_rotateButton, &QPushButton::clicked, this, &KeysPane::rotateSelected);
    connect(m_revokeButton, &QPushButton::clicked, this, &KeysPane::revokeSelected);
    connect(m_refreshButton, &QPushButton::clicked, this, &KeysPane::refresh);
    connect(m_showRevoked, &QCheckBox::toggled, this, &KeysPane::setShowRevoked);
    connect(m_list, &ListStatusView::retryRequested, this, &KeysPane::refresh);
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
    connect(m_actions, &KeyActions::runningChanged, this, [this] {
        m_list->setBusy(isWorking());
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
    m_actions->cancelList();
    m_actions->cancel();
}

QString KeysPane::title() const {
    return tr("API Keys");
}

MessageBanner* KeysPane::banner() const {
    return m_list->banner();
}

bool KeysPane::isWorking() const {
    return m_actions->isListing() || m_actions->isRunning();
}

KeysPane::Availability KeysPane::availability() const {
    switch (m_status.state()) {
    case ListStatus::State::NotAvailable:
        return Availability::NotOnServer;
    case ListStatus::State::Forbidden:
        return Availability::OwnKeyOnly;
    case ListStatus::State::Loaded:
        return Availability::Available;
    case ListStatus::State::Idle:
    case ListStatus::State::Stale:
    case ListStatus::State::Failed:
        break;
    }
    return Availability::Unknown;
}

void KeysPane::focusFilter() {
    m_filter->setFocus(Qt::ShortcutFocusReason);
    m_filter->selectAll();
}

void KeysPane::onIdentityChanged() {
    m_model->setCurrentKeyId(m_session->identity() ? m_session->identity()->keyId : QString());
    if (m_status.isRefused() && m_session->identity())
        m_model->setKeys({*m_session->identity()});
    updateActions();
}

void KeysPane::setUpPrivilegePanel() {
    m_privilege = new PrivilegePanel(m_session, m_model, this);
    m_view->setItemDelegateForColumn(KeysModel::PrivilegeColumn,
                                     new StatusBadgeDelegate(KeysModel::BadgeToneRole, m_view));
    m_view->setColumnWidth(KeysModel::HealthColumn, m_view->fontMetrics().averageCharWidth() * 16);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, m_privilege,
            [this] { m_privilege->setKey(selectedKey()); });
    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(m_model, signal, m_privilege, [this] {
            m_privilege->updateVerdicts();
            m_privilege->setKey(selectedKey());
        });
    connect(m_privilege, &PrivilegePanel::narrowedKeyIssued, this,
            [this](IssuedKey issued, const ApiKey& old) {
                m_model->upsert(issued.record);
                m_privilege->updateVerdicts();
                showReveal(std::move(issued), RevealKeyDialog::Origin::Generated,
                           tr("It holds only the scopes '%1' was seen to use.").arg(old.name),
                           false);
                // Once the new key has been taken, offer to revoke the old one.
                connect(m_revealDialog, &QDialog::finished, m_privilege,
                        [this, old] { m_privilege->offerRevoke(old); });
            });
    connect(m_privilege, &PrivilegePanel::oldKeyRevoked, this, &KeysPane::refresh);
    connect(m_privilege, &PrivilegePanel::failed, this,
            [this](const QString& title, const QString& detail) {
                m_list->banner()->showMessage(MessageBanner::Kind::Error, title, detail, false);
            });
}

void KeysPane::sessionChanged() {
    m_privilege->sessionChanged();
    const ListStatus::SessionStep step = m_status.sessionChanged(m_session->state());
    if (step == ListStatus::SessionStep::Stop || step == ListStatus::SessionStep::Clear)
        m_actions->cancelList();
    if (step == ListStatus::SessionStep::Clear) {
        m_actions->cancel();
        m_model->setKeys({});
        showStatus();
    } else {
        m_list->showLook(m_status);
        m_list->setBusy(isWorking());
    }
    if (step == ListStatus::SessionStep::Reload)
        refresh();
    updateEmptyState();
    updateActions();
}

void KeysPane::setShowRevoked(bool show) {
    if (m_showRevoked->isChecked() != show) {
        m_showRevoked->setChecked(show); // comes back here through toggled()
        return;
    }
    m_actions->cancelList();
    refresh();
}

void KeysPane::refresh() {
    if (!m_actions->canList())
        return; // never two list requests in flight
    if (m_session->identity() && !m_session->can(Scope::KeysRead)) {
        // Without keys:read, the one key we can show is our own.
        m_model->setKeys({*m_session->identity()});
        m_status.refuse(wireName(Scope::KeysRead));
        showStatus();
        return;
    }
    m_status.setLoading(true);
    m_list->setBusy(true);
    m_actions->list(m_showRevoked->isChecked(),
                    [this](Result<KeyList> result) { onListed(std::move(result)); });
}

void KeysPane::onListed(Result<KeyList> result) {
    if (!result) {
        m_status.failed(result.error());
        // Refused the list, the key in use is still a key to show (and to rotate:
        // POST /key/rotate is public, as on the hosted API, which has no key list).
        if (m_status.isRefused() && m_session->identity())
            m_model->setKeys({*m_session->identity()});
        showStatus();
        return;
    }
    m_model->setKeys(result.value().keys);
    m_status.loaded();
    showStatus();
    showUnreadable(m_list->banner(), result.value().unreadable, tr("key"), tr("keys"));
    Q_EMIT refreshed(m_status.lastRefresh());
}

void KeysPane::showStatus() {
    m_list->showStatus(m_status, tr("Listing API keys failed."));
    m_list->setBusy(isWorking());
    // Refused the list, the pane still shows the app's own key: the banner says why only
    // that one is shown rather than that something failed.
    switch (availability()) {
    case Availability::NotOnServer:
        m_list->banner()->showMessage(
            MessageBanner::Kind::Info,
            tr("This server lists no keys: only the key Legba Admin uses is shown."),
            tr("GET /keys answered 404, as on the hosted Legba API. This key can be rotated "
               "here; generate and revoke other keys in the organization's dashboard."),
            false);
        break;
    case Availability::OwnKeyOnly:
        m_list->banner()->showMessage(MessageBanner::Kind::Info,
                                      tr("Only the key Legba Admin uses is shown."),
                                      m_status.reason(), false);
        break;
    case Availability::Available:
    case Availability::Unknown:
        break;
    }
    updateEmptyState();
    updateHealth();
    updateActions();
}

void KeysPane::updateEmptyState() {
    if (availability() == Availability::NotOnServer && m_model->rowCount() == 0) {
        m_list->showPage(
            tr("Not available on this server.\nThis server does not offer API key management "
               "(GET /keys answered 404). The status bar still shows the key Legba Admin uses."));
        return;
    }
    const bool empty = m_proxy->rowCount() == 0;
    if (!empty || !m_status.hasLoaded() || m_status.isRefused()) {
        m_list->showContent();
        return;
    }
    if (!m_filter->text().isEmpty())
        m_list->showPage(tr("No key matches \"%1\".").arg(m_filter->text()));
    else
        m_list->showPage(tr("No API keys yet. Generate one for each program that calls "
                            "the Legba API."),
                         true);
}

void KeysPane::updateHealth() {
    const QString summary =
        availability() == Availability::NotOnServer ? QString() : m_model->healthSummary();
    m_health->setText(summary.isEmpty() ? QString() : QStringLiteral("⚠ ") + summary);
    m_health->setAccessibleName(summary.isEmpty() ? tr("Key health") : summary);
    m_health->setVisible(!summary.isEmpty());
}

void KeysPane::updateActions() {
    const bool working = m_actions->isRunning();
    const bool unavailable = availability() == Availability::NotOnServer;
    const QString generateWhy = m_session->state() == Session::State::Connected && unavailable
                                    ? tr("Not available on this server.")
                                    : m_actions->whyNotGenerate();
    for (QPushButton* button : {m_generateButton, m_list->pageButton()}) {
        button->setEnabled(generateWhy.isEmpty() && !working);
        button->setToolTip(generateWhy.isEmpty() ? tr("Generate a key; it is shown once (Ctrl+N)")
                                                 : generateWhy);
    }

    const std::optional<ApiKey> key = selectedKey();
    // Without the dashboard routes the key in use can still be rotated (POST /key/rotate).
    const QString rotateWhy = unavailable && !(key && m_actions->isOwnKey(*key))
                                  ? tr("Not available on this server.")
                                  : m_actions->whyNotRotate(key ? &*key : nullptr);
    m_rotateButton->setEnabled(rotateWhy.isEmpty() && !working);
    m_rotateButton->setToolTip(rotateWhy.isEmpty()
                                   ? tr("Replace the selected key with a new one, shown once")
                                   : rotateWhy);
    const QString revokeWhy = unavailable ? tr("Not available on this server.")
                                          : m_actions->whyNotRevoke(key ? &*key : nullptr);
    m_revokeButton->setEnabled(revokeWhy.isEmpty() && !working);
    m_revokeButton->setToolTip(revokeWhy.isEmpty()
                                   ? tr("Revoke the selected key: requests using it fail (Delete)")
                                   : revokeWhy);
    m_refreshButton->setEnabled(m_session->profile().has_value());
    m_showRevoked->setEnabled(!m_status.isRefused());
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
    if (const int row = m_model->rowOf(keyId); row >= 0)
        selectSourceRow(m_view, m_proxy, m_model->index(row, 0));
}

QString KeysPane::copySelectionAsCurl() {
    const std::optional<ApiKey> key = selectedKey();
    return m_actions->curlCommand(key ? &*key : nullptr, m_showRevoked->isChecked());
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
    const QString rotateWhy = m_actions->whyNotRotate(&*key);
    rotate->setEnabled(rotateWhy.isEmpty());
    rotate->setToolTip(rotateWhy);
    QAction* revoke = menu.addAction(tr("Revoke…"));
    revoke->setShortcut(QKeySequence(Qt::Key_Delete));
    const QString revokeWhy = m_actions->whyNotRevoke(&*key);
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
    auto* dialog = new GenerateKeyDialog(m_session, m_actions, this);
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
    // Taken by value and moved: from here on only the dialog holds the secret.
    auto* dialog = new RevealKeyDialog(std::move(issued), origin, m_clipboard, m_connections, this);
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
    if (!key || !m_actions->whyNotRotate(&*key).isEmpty() || m_actions->isRunning())
        return;
    RotateKeyDialog::Options options;
    options.ownKey = m_actions->isOwnKey(*key);
    options.graceAllowed = m_actions->gracePeriodAllowed();
    options.whyNoGrace = m_actions->whyNoGracePeriod();
    auto* dialog = new RotateKeyDialog(*key, options, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_rotateDialog = dialog;
    connect(dialog, &QDialog::accepted, this,
            [this, dialog, key = *key] { startRotation(key, dialog->gracePeriodSeconds()); });
    dialog->open();
}

void KeysPane::startRotation(const ApiKey& key, int gracePeriodSeconds) {
    m_list->banner()->clear();
    const std::optional<QString> refused =
        m_actions->rotate(key, gracePeriodSeconds,
                          [this](KeyActions::Outcome outcome) { onRotated(std::move(outcome)); });
    if (refused)
        m_list->banner()->showWords(
            {StatusWords::Tone::Error, tr("The key was not rotated."), *refused, false});
    m_list->setBusy(isWorking());
    updateActions();
}

void KeysPane::onRotated(KeyActions::Outcome outcome) {
    m_list->setBusy(isWorking());
    updateActions();
    if (!outcome.done || !outcome.issued) {
        showOutcomeWords(outcome);
        Q_EMIT operationFinished();
        return;
    }
    RevealKeyDialog::Origin origin = RevealKeyDialog::Origin::Rotated;
    switch (outcome.reveal) {
    case KeyActions::Reveal::Rotated:
        break;
    case KeyActions::Reveal::OwnRotated:
        origin = RevealKeyDialog::Origin::OwnRotated;
        break;
    case KeyActions::Reveal::OwnRotatedForSession:
        origin = RevealKeyDialog::Origin::OwnRotatedForSession;
        break;
    case KeyActions::Reveal::OwnRotatedUnsaved:
        origin = RevealKeyDialog::Origin::OwnRotatedUnsaved;
        break;
    }
    IssuedKey issued = std::move(*outcome.issued);
    outcome.issued.reset();
    m_model->upsert(issued.record);
    selectKey(issued.record.keyId);
    showReveal(std::move(issued), origin, outcome.notice, outcome.warning);
    refresh(); // the old key's status changed too
    Q_EMIT operationFinished();
}

void KeysPane::showOutcomeWords(const KeyActions::Outcome& outcome) {
    if (outcome.failure) {
        m_status.actionFailed(*outcome.failure);
        m_list->showLook(m_status);
        m_list->setBusy(isWorking());
    }
    if (!outcome.words.isEmpty())
        m_list->banner()->showWords(outcome.words);
    updateEmptyState();
}

// ---- revoke ----

void KeysPane::revokeSelected() {
    const std::optional<ApiKey> key = selectedKey();
    if (!key || !m_actions->whyNotRevoke(&*key).isEmpty() || m_actions->isRunning())
        return;
    const bool own = m_actions->isOwnKey(*key);
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
    m_list->banner()->clear();
    m_actions->revoke(*key, [this](KeyActions::Outcome outcome) { onRevoked(std::move(outcome)); });
    m_list->setBusy(isWorking());
    updateActions();
}

void KeysPane::onRevoked(KeyActions::Outcome outcome) {
    m_list->setBusy(isWorking());
    updateActions();
    // Failed, or the app's own key is gone and the session with it: the words say which.
    showOutcomeWords(outcome);
    if (outcome.revoked) {
        m_model->upsert(*outcome.revoked);
        refresh(); // drops it unless "Show revoked" is on
    }
    Q_EMIT operationFinished();
}

} // namespace legba
