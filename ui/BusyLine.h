#pragma once

#include <QElapsedTimer>
#include <QProgressBar>
#include <QTimer>

namespace legba {

// The panes' thin busy indicator (ui.md: "a thin busy indicator, no modal spinner"): a
// segment of the accent colour sliding along a faint track, painted with two fillRects at
// 30 frames a second while shown. A QProgressBar for what assistive technology is told
// (a busy progress bar named "Loading"); Fusion's own busy bar stroked antialiased stripes
// across the whole width on every frame, 1-3 ms each, inside the repaints of the audit
// table while events stream in.
class BusyLine : public QProgressBar {
    Q_OBJECT

public:
    explicit BusyLine(QWidget* parent = nullptr);

    bool isAnimating() const { return m_frames.isActive(); }

protected:
    void paintEvent(QPaintEvent* event) override;
    void showEvent(QShowEvent* event) override;
    void hideEvent(QHideEvent* event) override;

private:
    QTimer m_frames;
    QElapsedTimer m_clock;
};

} // namespace legba
