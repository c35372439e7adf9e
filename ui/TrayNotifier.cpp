#include "TrayNotifier.h"

#include "MainWindow.h"

#include <QApplication>
#include <QMenu>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QTimer>

namespace legba {

namespace {
// How long the fallback line stays in the status bar.
constexpr int kStatusMessageMs = 60'000;
// A summary names this many reminders, then says how many more.
constexpr qsizetype kSummaryLines = 3;
} // namespace

TrayNotifier::TrayNotifier(MainWindow* window)
    : QObject(window)
    , m_window(window)
    , m_tray(nullptr) {
    if (!QSystemTrayIcon::isSystemTrayAvailable())
        return;
    m_tray = new QSystemTrayIcon(QApplication::windowIcon(), this);
    m_tray->setToolTip(QApplication::applicationName());
    auto* menu = new QMenu(window);
    menu->addAction(tr("Show Legba Admin"), m_window, &MainWindow::bringToFront);
    menu->addSeparator();
    menu->addAction(tr("Quit"), m_window, &QWidget::close);
    m_tray->setContextMenu(menu);
    connect(m_tray, &QSystemTrayIcon::messageClicked, this, &TrayNotifier::openLast);
    connect(m_tray, &QSystemTrayIcon::activated, this,
            [this](QSystemTrayIcon::ActivationReason reason) {
                if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
                    openLast();
            });
    m_tray->show();
}

TrayNotifier::~TrayNotifier() = default;

void TrayNotifier::notify(const QString& title, const QString& text, const ReminderTarget& target) {
    m_pending.push_back({title, text, target});
    if (m_pending.size() == 1)
        QTimer::singleShot(0, this, &TrayNotifier::flush);
}

void TrayNotifier::flush() {
    if (m_pending.isEmpty())
        return;
    m_last = m_pending.constFirst().target;
    QString title = m_pending.constFirst().title;
    QString text = m_pending.constFirst().text;
    if (m_pending.size() > 1) {
        title = tr("%1 reminders from Legba Admin").arg(m_pending.size());
        QStringList lines;
        for (qsizetype i = 0; i < m_pending.size() && i < kSummaryLines; ++i)
            lines << QStringLiteral("• ") + m_pending[i].title;
        if (m_pending.size() > kSummaryLines)
            lines << tr("and %1 more.").arg(m_pending.size() - kSummaryLines);
        text = lines.join(QLatin1Char('\n'));
    }
    m_pending.clear();
    if (m_tray && QSystemTrayIcon::supportsMessages()) {
        m_tray->showMessage(title, text, QSystemTrayIcon::Warning);
        return;
    }
    m_window->statusBar()->showMessage(
        title + QStringLiteral(": ") +
            QString(text).replace(QLatin1Char('\n'), QLatin1String("; ")),
        kStatusMessageMs);
}

void TrayNotifier::openLast() {
    if (m_last)
        m_window->openReminder(*m_last);
    else
        m_window->bringToFront();
}

} // namespace legba
