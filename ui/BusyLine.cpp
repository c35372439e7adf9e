#include "BusyLine.h"

#include <QPainter>

namespace legba {

namespace {
constexpr int kFrameMs = 33;
constexpr qint64 kSweepMs = 1400; // one pass of the segment across the line
} // namespace

BusyLine::BusyLine(QWidget* parent)
    : QProgressBar(parent) {
    setRange(0, 0);
    setTextVisible(false);
    setFixedHeight(3);
    setAccessibleName(tr("Loading"));
    setAttribute(Qt::WA_OpaquePaintEvent);
    m_frames.setInterval(kFrameMs);
    connect(&m_frames, &QTimer::timeout, this, qOverload<>(&QWidget::update));
}

void BusyLine::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    const QColor accent = palette().color(QPalette::Highlight);
    QColor track = accent;
    track.setAlpha(56);
    painter.fillRect(rect(), palette().color(QPalette::Window));
    painter.fillRect(rect(), track);
    const int w = width();
    const int segment = std::max(24, w / 4);
    const qint64 phase = m_clock.isValid() ? m_clock.elapsed() % kSweepMs : 0;
    const auto x = static_cast<int>(static_cast<qint64>(w + segment) * phase / kSweepMs) - segment;
    painter.fillRect(QRect(x, 0, segment, height()), accent);
}

void BusyLine::showEvent(QShowEvent* event) {
    QProgressBar::showEvent(event);
    m_clock.start();
    m_frames.start();
}

void BusyLine::hideEvent(QHideEvent* event) {
    m_frames.stop();
    QProgressBar::hideEvent(event);
}

} // namespace legba
