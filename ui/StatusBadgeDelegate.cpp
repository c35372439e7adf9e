#include "StatusBadgeDelegate.h"

#include "Badge.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>
#include <QTime>

namespace legba {

StatusBadgeDelegate::StatusBadgeDelegate(int badgeToneRole, QObject* parent)
    : CachedTextDelegate(parent)
    , m_toneRole(badgeToneRole) {}

QColor StatusBadgeDelegate::colorFor(int tone, const QPalette& palette) {
    // Hues fixed by meaning; lightness follows the palette so dark themes stay readable.
    const bool dark = palette.color(QPalette::Window).lightness() < 128;
    auto pick = [dark](int hue, int saturation) {
        return QColor::fromHsl(hue, saturation, dark ? 150 : 95);
    };
    switch (static_cast<BadgeTone>(tone)) {
    case BadgeTone::Good:
        return pick(130, 150);
    case BadgeTone::Info:
        return pick(210, 170);
    case BadgeTone::Warning:
        return pick(36, 220);
    case BadgeTone::Bad:
        return pick(0, 170);
    case BadgeTone::Neutral:
        break;
    }
    return palette.color(QPalette::Disabled, QPalette::Text);
}

void StatusBadgeDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                                const QModelIndex& index) const {
    const QVariant toneValue = index.data(m_toneRole);
    if (!toneValue.isValid()) {
        CachedTextDelegate::paint(painter, option, index);
        return;
    }
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QString text = opt.text;
    drawBackground(painter, opt);

    const QColor color = colorFor(static_cast<int>(toneValue.value<BadgeTone>()), opt.palette);
    const QFontMetrics metrics(opt.font);
    const int padding = metrics.height() / 2;
    const int dot = metrics.height() / 3;
    const int width = metrics.horizontalAdvance(text) + 2 * padding + metrics.height() / 2;
    const int height = metrics.height() + 4;
    QRect badge(opt.rect.left() + 4, opt.rect.center().y() - height / 2, width, height);
    badge = badge.intersected(opt.rect.adjusted(2, 1, -2, -1));

    const bool busy = m_busyRole >= 0 && index.data(m_busyRole).toBool();
    painter->save();
    const qreal radius = height / 2.0;
    const qreal pixelRatio = painter->device()->devicePixelRatioF();
    // A pixmap lands on whole device pixels only at a whole pixel ratio (not 1.25 or 1.5).
    const bool wholeRatio = qFuzzyCompare(pixelRatio, std::round(pixelRatio));
    if (busy || !m_cachesShapes || !wholeRatio ||
        painter->transform().type() > QTransform::TxTranslate) {
        drawShape(painter, badge, radius, color, dot, padding, busy);
    } else {
        // The pen's antialiased edge reaches half a pixel beyond the badge: a 1-pixel margin.
        const ShapeKey key{color.rgba(), badge.size(), radius, dot, padding, pixelRatio};
        painter->drawPixmap(badge.topLeft() - QPoint(1, 1), cachedShape(key));
    }
    painter->setPen(textColor(opt));
    drawText(painter, badge.adjusted(padding / 2 + 2 * dot + 2, 0, 0, 0), text, opt.font,
             Qt::AlignVCenter | Qt::AlignLeft);
    painter->restore();
}

void StatusBadgeDelegate::drawShape(QPainter* painter, const QRect& badge, qreal radius,
                                    const QColor& color, int dot, int padding, bool busy) {
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    QColor fill = color;
    fill.setAlpha(48);
    QPainterPath path;
    path.addRoundedRect(QRectF(badge), radius, radius);
    painter->fillPath(path, fill);
    painter->setPen(QPen(color, 1));
    painter->drawPath(path);
    // A dot before the word, for those who read shapes faster than colours.
    painter->setBrush(color);
    painter->setPen(Qt::NoPen);
    const QPoint centre(badge.left() + padding / 2 + dot, badge.center().y() + 1);
    if (busy) {
        // A turning arc says "still changing"; the pane repaints while any row is busy.
        const int angle = (QTime::currentTime().msecsSinceStartOfDay() % 1000) * 360 / 1000;
        painter->setPen(QPen(color, 2));
        painter->setBrush(Qt::NoBrush);
        const int r = dot / 2 + 2;
        painter->drawArc(QRect(centre.x() - r, centre.y() - r, 2 * r, 2 * r), -angle * 16,
                         270 * 16);
    } else {
        painter->drawEllipse(centre, dot / 2 + 1, dot / 2 + 1);
    }
    painter->restore();
}

const QPixmap& StatusBadgeDelegate::cachedShape(const ShapeKey& key) const {
    auto it = m_shapes.find(key);
    if (it == m_shapes.end()) {
        if (m_shapes.size() >= 256)
            m_shapes.clear(); // a few dozen in practice: tones times words times themes
        QPixmap pixmap((QSizeF(key.size + QSize(2, 2)) * key.pixelRatio).toSize());
        pixmap.setDevicePixelRatio(key.pixelRatio);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        drawShape(&painter, QRect(QPoint(1, 1), key.size), key.radius, QColor::fromRgba(key.color),
                  key.dot, key.padding, false);
        painter.end();
        it = m_shapes.insert(key, pixmap);
    }
    return *it;
}

QSize StatusBadgeDelegate::sizeHint(const QStyleOptionViewItem& option,
                                    const QModelIndex& index) const {
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    const QFontMetrics metrics(option.font);
    size.setWidth(size.width() + metrics.height() * 2);
    size.setHeight(std::max(size.height(), metrics.height() + 8));
    return size;
}

} // namespace legba
