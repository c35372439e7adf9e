#include "MainWindow.h"

#include "AboutDialog.h"
#include "AuditPane.h"
#include "AuditWatch.h"
#include "ConnectDialog.h"
#include "ConnectionManager.h"
#include "InstancesPane.h"
#include "KeyVerifier.h"
#include "KeysModel.h"
#include "KeysPane.h"
#include "Logging.h"
#include "MessageBanner.h"
#include "PlaceholderPane.h"
#include "RemoveOrganizationBox.h"
#include "SecretClipboard.h"
#include "Session.h"
#include "SettingsDialog.h"
#include "TimeFormat.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QMessageBox>
#include <QPainter>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyle>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

namespace legba {

namespace {

QIcon colourSwatch(const QColor& colour) {
    QPixmap pixmap(14, 14);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setBrush(colour);
    painter.setPen(colour.darker(130));
    painter.drawRoundedRect(QRectF(1, 1, 12, 12), 3, 3);
    return QIcon(pixmap);
}

QString profileChipStyle(const QColor& colour) {
    const QColor text = colour.lightness() > 150 ? QColor(Qt::black) : QColor(Qt::white);
    return QStringLiteral("QToolButton { background: %1; color: %2; border-radius: 4px; "
                          "padding: 4px 10px; font-weight: bold; }")
        .arg(colour.name(), text.name());
}

} // namespace

MainWindow::MainWindow(ConnectionManager* connections, QWidget* parent)
    : QMainWindow(parent)
    , m_connections(connections)
    , m_session(connections->session())
    , m_profileButton(new QToolButton(this))
    , m_nav(new QListWidget(this))
    , m_stack(new QStackedWidget(this))
    , m_splitter(new QSplitter(this))
    , m_sessionBanner(new MessageBanner(this))
    , m_instances(new InstancesPane(m_session, this))
    , m_connectionLabel(new QLabel(this))
    , m_identityLabel(new QLabel(this))
    , m_scopesLabel(new QLabel(this))
    , m_expiryLabel(new QLabel(this))
    , m_refreshLabel(new QLabel(this))
    , m_keyVerifier(new KeyVerifier(this)) {
    setObjectName(QStringLiteral("mainWindow"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/legba-admin.svg")));

    // Top: the organization switcher, on its colour.
    auto* top = new QToolBar(tr("Organization"), this);
    top->setObjectName(QStringLiteral("organizationToolBar"));
    top->setMovable(false);
    m_profileButton->setPopupMode(QToolButton::InstantPopup);
    m_profileButton->setAccessibleName(tr("Organization"));
    m_profileButton->setToolTip(tr("Switch organization, add one, or manage its key"));
    m_profileButton->setMenu(new QMenu(m_profileButton));
    top->addWidget(m_profileButton);
    buildAppMenu(top);
    addToolBar(Qt::TopToolBarArea, top);

    // Left: the panes.
    const QStringList names{tr("Instances"), tr("API Keys"), tr("Audit Log")};
    const QList<QStyle::StandardPixmap> icons{QStyle::SP_ComputerIcon, QStyle::SP_DialogApplyButton,
                                              QStyle::SP_FileDialogDetailedView};
    for (int i = 0; i < names.size(); ++i) {
        auto* item = new QListWidgetItem(style()->standardIcon(icons[i]), names[i], m_nav);
        item->setToolTip(tr("%1 (Ctrl+%2)").arg(names[i]).arg(i + 1));
    }
    m_nav->setObjectName(QStringLiteral("navigation"));
    m_nav->setAccessibleName(tr("Sections"));
    m_nav->setIconSize(QSize(20, 20));
    m_nav->setSpacing(2);
    m_nav->setMinimumWidth(150);
    m_nav->setMaximumWidth(240);

    m_panes << m_instances << new KeysPane(m_connections, this) << new AuditPane(m_session, this);
    for (Pane* pane : std::as_const(m_panes))
        m_stack->addWidget(pane);

    auto* right = new QWidget(this);
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->setSpacing(0);
    rightLayout->addWidget(m_sessionBanner);
    rightLayout->addWidget(m_stack, 1);

    m_splitter->setObjectName(QStringLiteral("mainSplitter"));
    m_splitter->addWidget(m_nav);
    m_splitter->addWidget(right);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setChildrenCollapsible(false);
    setCentralWidget(m_splitter);

    buildStatusBar();
    buildActions();
    watchAuditPane();

    connect(m_nav, &QListWidget::currentRowChanged, this, &MainWindow::showPane);
    connect(m_session, &Session::stateChanged, this, &MainWindow::onSessionStateChanged);
    connect(m_session, &Session::identityChanged, this, &MainWindow::onIdentityChanged);
    connect(m_connections->profiles(), &ProfileStore::profilesChanged, this,
            &MainWindow::rebuildProfileMenu);
    connect(m_connections, &ConnectionManager::keyNeeded, this, &MainWindow::askForKey);
    connect(m_connections, &ConnectionManager::activationFailed, this,
            [this](const QString& message) {
                m_sessionBanner->setActionText(tr("Connect…"));
                m_sessionBanner->showMessage(MessageBanner::Kind::Error, tr("Cannot connect."),
                                             message);
            });
    connect(m_connections, &ConnectionManager::keyStorageFailed, this,
            [this](const Profile&, const QString& message) {
                m_sessionBanner->showMessage(MessageBanner::Kind::Warning,
                                             tr("The key could not be saved in the keychain."),
                                             message, false);
            });
    connect(m_connections, &ConnectionManager::notice, this, [this](const QString& message) {
        m_sessionBanner->showMessage(MessageBanner::Kind::Warning, message, QString(), false);
    });
    connect(m_sessionBanner, &MessageBanner::retryRequested, this, [this] {
        if (m_session->state() == Session::State::KeyRejected && m_session->profile())
            askForKey(*m_session->profile(), tr("The server rejected the key."));
        else if (m_session->state() == Session::State::Offline)
            m_session->refreshIdentity();
        else
            addOrganization();
    });
    connect(m_instances, &InstancesPane::message, this,
            [this](const QString& text) { statusBar()->showMessage(text, 5000); });
    connect(m_instances, &InstancesPane::refreshed, this, [this](const QDateTime& when) {
        m_refreshLabel->setText(tr("Updated %1").arg(when.toString(QStringLiteral("HH:mm:ss"))));
    });

    QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray()))
        resize(1100, 680);
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    if (!m_splitter->restoreState(settings.value(QStringLiteral("window/splitter")).toByteArray()))
        m_splitter->setSizes({180, 920});
    const int pane = settings.value(QStringLiteral("window/pane"), 0).toInt();
    m_nav->setCurrentRow(pane >= 0 && pane < m_panes.size() ? pane : 0);

    rebuildProfileMenu();
    onSessionStateChanged();
    onIdentityChanged();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildActions() {
    for (int i = 0; i < m_panes.size(); ++i) {
        auto* action = new QAction(this);
        action->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + i)));
        connect(action, &QAction::triggered, this, [this, i] { m_nav->setCurrentRow(i); });
        addAction(action);
    }
    auto add = [this](const QKeySequence& keys, auto slot) {
        auto* action = new QAction(this);
        action->setShortcut(keys);
        action->setShortcutContext(Qt::WindowShortcut);
        connect(action, &QAction::triggered, this, slot);
        addAction(action);
        return action;
    };
    add(QKeySequence::Refresh, [this] {
        if (Pane* pane = currentPane())
            pane->refresh();
    });
    add(QKeySequence::Find, [this] {
        if (Pane* pane = currentPane())
            pane->focusFilter();
    });
    add(QKeySequence::New, [this] {
        if (Pane* pane = currentPane())
            pane->primaryAction();
    });
    add(QKeySequence(Qt::Key_Delete), [this] {
        if (Pane* pane = currentPane())
            pane->deleteSelection();
    });
    add(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C), &MainWindow::copyAsCurl);
}

void MainWindow::buildAppMenu(QToolBar* toolBar) {
    // Right end of the top bar: the app's own menu, with its shortcuts live window-wide.
    auto* spacer = new QWidget(toolBar);
    spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    toolBar->addWidget(spacer);
    auto* button = new QToolButton(toolBar);
    button->setObjectName(QStringLiteral("appMenuButton"));
    button->setText(QStringLiteral("⋯"));
    button->setAccessibleName(tr("Legba Admin menu"));
    button->setToolTip(tr("Settings, About Legba Admin, Quit"));
    button->setPopupMode(QToolButton::InstantPopup);
    button->setStyleSheet(QStringLiteral("QToolButton { font-size: 16px; padding: 0 8px; } "
                                         "QToolButton::menu-indicator { image: none; }"));
    auto* menu = new QMenu(button);
    QAction* settings = menu->addAction(tr("&Settings…"), this, &MainWindow::showSettings);
    settings->setObjectName(QStringLiteral("settingsAction"));
    settings->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Comma));
    settings->setMenuRole(QAction::PreferencesRole);
    QAction* about = menu->addAction(tr("&About Legba Admin"), this, &MainWindow::showAbout);
    about->setObjectName(QStringLiteral("aboutAction"));
    about->setMenuRole(QAction::AboutRole);
    menu->addSeparator();
    QAction* quit = menu->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setObjectName(QStringLiteral("quitAction"));
    quit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
    quit->setMenuRole(QAction::QuitRole);
    for (QAction* action : {settings, about, quit}) {
        action->setShortcutContext(Qt::WindowShortcut);
        addAction(action);
    }
    button->setMenu(menu);
    toolBar->addWidget(button);
}

void MainWindow::showSettings() {
    SettingsDialog dialog(this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const AppSettings values = AppSettings::load();
    m_instances->setIdleInterval(values.refreshSeconds * 1000);
    if (auto* keys = qobject_cast<KeysPane*>(m_panes.value(KeysIndex)))
        keys->clipboard()->setClearDelay(std::chrono::seconds(values.clipboardClearSeconds));
    Q_EMIT settingsApplied();
}

void MainWindow::bringToFront() {
    if (isMinimized())
        showNormal();
    else
        show();
    raise();
    activateWindow();
}

void MainWindow::openReminder(const ReminderTarget& target) {
    bringToFront();
    if (target.pane == ReminderTarget::Pane::Audit) {
        if (auto* audit = qobject_cast<AuditPane*>(m_panes.value(AuditIndex))) {
            showPane(AuditIndex);
            audit->setActorKeyId(target.actorKeyId);
            audit->setAction(target.action);
            if (target.since.isValid() && target.until.isValid())
                audit->setCustomRange(target.since, target.until);
        }
        return;
    }
    if (target.pane == ReminderTarget::Pane::Instances) {
        showPane(InstancesIndex);
        m_instances->selectInstance(target.itemId);
    } else if (auto* keys = qobject_cast<KeysPane*>(m_panes.value(KeysIndex))) {
        showPane(KeysIndex);
        keys->selectKey(target.itemId);
    }
}

void MainWindow::showAbout() {
    AboutDialog dialog(this);
    dialog.exec();
}

void MainWindow::buildStatusBar() {
    QStatusBar* bar = statusBar();
    m_connectionLabel->setObjectName(QStringLiteral("connectionState"));
    m_connectionLabel->setAccessibleName(tr("Connection state"));
    m_identityLabel->setObjectName(QStringLiteral("keyInUse"));
    m_identityLabel->setAccessibleName(tr("Key in use"));
    m_scopesLabel->setAccessibleName(tr("Scopes of the key in use"));
    m_expiryLabel->setAccessibleName(tr("Key expiry"));
    m_refreshLabel->setAccessibleName(tr("Last successful refresh"));
    bar->addWidget(m_connectionLabel);
    bar->addWidget(m_identityLabel);
    bar->addWidget(m_scopesLabel, 1);
    bar->addPermanentWidget(m_expiryLabel);
    bar->addPermanentWidget(m_refreshLabel);
}

void MainWindow::showPane(int index) {
    if (index < 0 || index >= m_panes.size())
        return;
    if (m_nav->currentRow() != index)
        m_nav->setCurrentRow(index);
    m_stack->setCurrentIndex(index);
    updateWindowTitle();
    if (index == AuditIndex && m_auditBadge > 0) {
        m_auditBadge = 0;
        updateAuditBadge();
    }
}

// The watch sees what the Audit pane's feed reads: its pages teach (history raises nothing),
// its live tail's new events are watched. Without the pane loaded and live, nothing is.
void MainWindow::watchAuditPane() {
    m_watch = new AuditWatch(nullptr, this);
    // What happened before this run is history (a margin for the server's clock being
    // slightly behind ours).
    m_watch->setWatchingSince(QDateTime::currentDateTimeUtc().addSecs(-60));
    connect(m_watch, &AuditWatch::alerted, this, &MainWindow::onWatchAlert);
    // The Keys pane's list names prefixes and tells revoked, expired and keys:write keys.
    if (auto* keys = qobject_cast<KeysPane*>(m_panes.value(KeysIndex))) {
        connect(keys, &KeysPane::refreshed, m_watch,
                [this, keys] { m_watch->observeKeys(keys->model()->keys()); });
    }
    auto* audit = qobject_cast<AuditPane*>(m_panes.value(AuditIndex));
    if (!audit)
        return;
    const auto organization = [this] {
        return m_session->profile() ? m_session->profile()->id : QString();
    };
    connect(audit->feed(), &AuditFeed::pageLoaded, m_watch,
            [this, organization](const QString&, const AuditPageLoader::Page& page) {
                m_watch->setOrganization(organization());
                if (page)
                    m_watch->observe(*page, page->records.size(), AuditWatch::Mode::Learn);
            });
    connect(audit->feed(), &AuditFeed::newerEvents, m_watch,
            [this, organization](const std::vector<AuditFeed::NewerPage>& pages, bool) {
                m_watch->setOrganization(organization());
                std::vector<audit::RecordView> views;
                for (const AuditFeed::NewerPage& newer : pages) {
                    for (std::size_t i = 0; newer.page && i < newer.count; ++i)
                        views.push_back(newer.page->view(i));
                }
                m_watch->observe(views, AuditWatch::Mode::Watch);
            });
    // The same when the pane reads the local archive.
    connect(audit, &AuditPane::archivedPageShown, m_watch,
            [this, organization](const audit::AuditBatch& batch) {
                m_watch->setOrganization(organization());
                m_watch->observe(batch, batch.records.size(), AuditWatch::Mode::Learn);
            });
    connect(audit, &AuditPane::archivedEventsMerged, m_watch,
            [this, organization](const audit::AuditBatch& batch, const std::vector<char>& keep) {
                m_watch->setOrganization(organization());
                std::vector<audit::RecordView> views;
                for (std::size_t i = 0; i < keep.size(); ++i) {
                    if (keep[i])
                        views.push_back(batch.view(i));
                }
                m_watch->observe(views, AuditWatch::Mode::Watch);
            });
}

void MainWindow::useAuditHistory(AuditHistory* history) {
    if (auto* audit = qobject_cast<AuditPane*>(m_panes.value(AuditIndex)))
        audit->setHistory(history);
}

void MainWindow::onWatchAlert(const WatchAlert& alert) {
    Q_UNUSED(alert)
    if (m_stack->currentIndex() == AuditIndex)
        return; // the pane is in view
    ++m_auditBadge;
    updateAuditBadge();
}

void MainWindow::updateAuditBadge() {
    QListWidgetItem* item = m_nav->item(AuditIndex);
    if (!item)
        return;
    QFont font = item->font();
    font.setBold(m_auditBadge > 0);
    item->setFont(font);
    if (m_auditBadge == 0) {
        item->setText(tr("Audit Log"));
        item->setToolTip(tr("%1 (Ctrl+%2)").arg(tr("Audit Log")).arg(AuditIndex + 1));
        return;
    }
    item->setText(tr("Audit Log (%1)").arg(m_auditBadge));
    item->setToolTip(tr("Audit Log: %1 from the watch since it was last opened (Ctrl+%2)")
                         .arg(m_auditBadge == 1 ? tr("1 alert") : tr("%1 alerts").arg(m_auditBadge))
                         .arg(AuditIndex + 1));
}

Pane* MainWindow::currentPane() const {
    return qobject_cast<Pane*>(m_stack->currentWidget());
}

void MainWindow::rebuildProfileMenu() {
    QMenu* menu = m_profileButton->menu();
    menu->clear();
    const QString current = m_connections->currentProfileId();
    for (const Profile& profile : m_connections->profiles()->profiles()) {
        QAction* action = menu->addAction(colourSwatch(profile.color), profile.displayName);
        action->setCheckable(true);
        action->setChecked(profile.id == current);
        connect(action, &QAction::triggered, this,
                [this, id = profile.id] { m_connections->activate(id); });
    }
    if (!m_connections->profiles()->sandboxProfile()) {
        QAction* sandbox = menu->addAction(tr("Local sandbox"));
        connect(sandbox, &QAction::triggered, m_connections, &ConnectionManager::activateSandbox);
    }
    menu->addSeparator();
    connect(menu->addAction(tr("Add Organization…")), &QAction::triggered, this,
            &MainWindow::addOrganization);
    const bool editable =
        m_session->profile() && m_session->profile()->kind == Profile::Kind::Remote;
    QAction* edit = menu->addAction(tr("Edit Organization or Key…"));
    edit->setEnabled(editable);
    connect(edit, &QAction::triggered, this, &MainWindow::editCurrentOrganization);
    QAction* forget = menu->addAction(tr("Forget Key"));
    forget->setEnabled(editable);
    connect(forget, &QAction::triggered, this, &MainWindow::forgetCurrentKey);
    QAction* remove = menu->addAction(tr("Remove Organization…"));
    remove->setEnabled(editable);
    connect(remove, &QAction::triggered, this, &MainWindow::removeCurrentOrganization);

    const std::optional<Profile>& profile = m_session->profile();
    m_profileButton->setText(profile ? profile->displayName : tr("No organization"));
    m_profileButton->setStyleSheet(
        profileChipStyle(profile ? profile->color : palette().color(QPalette::Mid)));
}

void MainWindow::addOrganization() {
    ConnectDialog dialog(this);
    dialog.setVerifier(m_keyVerifier);
    if (dialog.exec() != QDialog::Accepted)
        return;
    m_sessionBanner->clear();
    m_connections->addOrUpdate(dialog.profile(), dialog.takeKey(), dialog.sessionOnly());
}

void MainWindow::askForKey(const Profile& profile, const QString& reason) {
    ConnectDialog dialog(this);
    dialog.setVerifier(m_keyVerifier);
    dialog.setProfile(profile);
    dialog.setReason(reason);
    if (dialog.exec() != QDialog::Accepted)
        return;
    m_sessionBanner->clear();
    m_connections->addOrUpdate(dialog.profile(), dialog.takeKey(), dialog.sessionOnly());
}

void MainWindow::editCurrentOrganization() {
    if (m_session->profile())
        askForKey(*m_session->profile(), QString());
}

void MainWindow::removeCurrentOrganization() {
    if (!m_session->profile())
        return;
    const Profile profile = *m_session->profile();
    RemoveOrganizationBox box(profile, m_connections->archiveOf(profile.id), this);
    box.exec();
    if (box.removeConfirmed())
        m_connections->remove(profile.id, box.archiveChoice());
}

void MainWindow::forgetCurrentKey() {
    if (m_session->profile())
        m_connections->forgetKey(m_session->profile()->id);
}

void MainWindow::copyAsCurl() {
    if (Pane* pane = currentPane()) {
        const QString command = pane->copySelectionAsCurl();
        if (!command.isEmpty()) {
            QApplication::clipboard()->setText(command);
            statusBar()->showMessage(
                tr("Copied the request as curl (the key is $LEGBA_API_TOKEN)."), 4000);
        }
    }
}

void MainWindow::onSessionStateChanged() {
    const QString time = QStringLiteral("HH:mm");
    QString text;
    switch (m_session->state()) {
    case Session::State::Disconnected:
        text = tr("● Not connected");
        break;
    case Session::State::Connecting:
        text = tr("● Connecting…");
        break;
    case Session::State::Connected:
        text = tr("● Connected");
        m_sessionBanner->clear();
        statusBar()->clearMessage();
        break;
    case Session::State::Offline:
        text = m_session->offlineSince().isValid()
                   ? tr("● Offline since %1")
                         .arg(m_session->offlineSince().toLocalTime().toString(time))
                   : tr("● Offline");
        break;
    case Session::State::KeyRejected:
        text = tr("● Key rejected");
        m_sessionBanner->setActionText(tr("Enter New Key…"));
        m_sessionBanner->showMessage(
            MessageBanner::Kind::Error, tr("The server rejected the API key."),
            tr("%1\nThe key may have been revoked, rotated or have expired. Enter a new key to "
               "continue.")
                .arg(m_session->lastError() ? m_session->lastError()->details() : QString()));
        break;
    }
    m_connectionLabel->setText(text);
    for (Pane* pane : std::as_const(m_panes))
        pane->sessionChanged();
    rebuildProfileMenu();
    updateWindowTitle();
}

void MainWindow::onIdentityChanged() {
    const std::optional<ApiKey>& key = m_session->identity();
    // The server answers, but GET /key is not usable: say so where the connection state is,
    // and whether the session still tries.
    if (const QString problem = m_session->identityProblem(); !problem.isEmpty()) {
        m_connectionLabel->setText(m_session->identityGivenUp()
                                       ? tr("● Not connected: GET /key unusable")
                                       : tr("● Connecting (retrying)…"));
        m_connectionLabel->setToolTip(problem);
        statusBar()->showMessage(problem);
        m_sessionBanner->setActionText(tr("Retry"));
        m_sessionBanner->showMessage(
            MessageBanner::Kind::Error, tr("The server does not answer as the Legba API."),
            problem + QLatin1Char('\n') +
                (m_session->lastError() ? m_session->lastError()->details() : QString()));
    } else {
        m_connectionLabel->setToolTip(QString());
    }
    if (!key) {
        m_identityLabel->clear();
        m_scopesLabel->clear();
        m_expiryLabel->clear();
        return;
    }
    m_identityLabel->setText(tr("Key: %1 (%2…)").arg(key->name, key->prefix));
    m_identityLabel->setToolTip(tr("Key id %1").arg(key->keyId));
    m_scopesLabel->setText(key->scopes.join(QStringLiteral(", ")));
    m_scopesLabel->setToolTip(tr("What this key may do"));
    if (!key->expiresAt.isValid()) {
        m_expiryLabel->setText(tr("Never expires"));
        m_expiryLabel->setStyleSheet(QString());
    } else {
        const QString when = timeformat::relative(key->expiresAt, QDateTime::currentDateTimeUtc());
        m_expiryLabel->setText(m_session->expiresSoon() ? tr("⚠ Key expires %1").arg(when)
                                                        : tr("Expires %1").arg(when));
        m_expiryLabel->setToolTip(timeformat::exactLocal(key->expiresAt));
        m_expiryLabel->setStyleSheet(m_session->expiresSoon()
                                         ? QStringLiteral("color: %1; font-weight: bold;")
                                               .arg(QColor::fromHsl(36, 220, 90).name())
                                         : QString());
    }
}

void MainWindow::updateWindowTitle() {
    QString title = QStringLiteral("Legba Admin");
    if (m_session->profile())
        title = m_session->profile()->displayName + QStringLiteral(" — ") + title;
    if (Pane* pane = currentPane())
        title = pane->title() + QStringLiteral(" · ") + title;
    setWindowTitle(title);
}

void MainWindow::closeEvent(QCloseEvent* event) {
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("window/splitter"), m_splitter->saveState());
    settings.setValue(QStringLiteral("window/pane"), m_nav->currentRow());
    QMainWindow::closeEvent(event);
}

} // namespace legba
