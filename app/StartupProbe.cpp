#include "StartupProbe.h"

#include <QCoreApplication>
#include <QEvent>
#include <QFile>
#include <QTimer>
#include <QWidget>
#include <chrono>
#include <cstdio>

namespace legba {

StartupProbe* StartupProbe::installIfRequested(QWidget* window) {
    bool ok = false;
    const qint64 t0 = qEnvironmentVariable("LEGBA_BENCH_T0").toLongLong(&ok);
    if (!ok)
        return nullptr;
    return new StartupProbe(window, t0);
}

StartupProbe::StartupProbe(QWidget* window, qint64 t0Nanoseconds)
    : QObject(window)
    , m_window(window)
    , m_t0(t0Nanoseconds) {
    window->installEventFilter(this);
}

double StartupProbe::elapsedMs() const {
    const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    return static_cast<double>(now - m_t0) / 1e6;
}

void StartupProbe::listShown() {
    if (m_listReported)
        return;
    m_listPending = true;
    m_window->update();
}

bool StartupProbe::eventFilter(QObject* watched, QEvent* event) {
    if (watched == m_window && event->type() == QEvent::Paint) {
        // The filter runs before the paint: measure right after it, on the next turn.
        if (!m_painted) {
            m_painted = true;
            QTimer::singleShot(0, this, [this] {
                std::printf("first_paint_ms=%.1f\n", elapsedMs());
                std::fflush(stdout);
            });
        }
        if (m_listPending && !m_listReported) {
            m_listReported = true;
            QTimer::singleShot(0, this, [this] {
                std::printf("list_on_screen_ms=%.1f\n", elapsedMs());
                std::fflush(stdout);
                QTimer::singleShot(2000, this, &StartupProbe::reportIdleMemory);
            });
        }
    }
    return QObject::eventFilter(watched, event);
}

void StartupProbe::reportIdleMemory() {
    QFile status(QStringLiteral("/proc/self/status"));
    if (status.open(QIODevice::ReadOnly)) {
        for (const QByteArray& line : status.readAll().split('\n')) {
            if (line.startsWith("VmRSS:"))
                std::printf("idle_rss_kb=%s\n",
                            line.mid(6).trimmed().split(' ').value(0).constData());
        }
    }
    std::fflush(stdout);
    QCoreApplication::quit();
}

} // namespace legba
