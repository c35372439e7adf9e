#pragma once

#include <QObject>

class QWidget;

namespace legba {

// For bench/startup only, and only when LEGBA_BENCH_T0 (wall-clock nanoseconds taken just
// before the process was started) is set: prints how long until the window's first paint,
// until the first list is on screen, and the resident memory once idle; then quits.
class StartupProbe : public QObject {
    Q_OBJECT

public:
    // Returns null when the variable is not set: the probe costs nothing in normal runs.
    static StartupProbe* installIfRequested(QWidget* window);

    // The first list has arrived; the next paint puts it on screen.
    void listShown();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    StartupProbe(QWidget* window, qint64 t0Nanoseconds);
    double elapsedMs() const;
    void reportIdleMemory();

    QWidget* m_window;
    qint64 m_t0;
    bool m_painted = false;
    bool m_listPending = false;
    bool m_listReported = false;
};

} // namespace legba
