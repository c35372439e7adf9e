#pragma once

#include "CachedTextDelegate.h"

#include <QHash>
#include <QPixmap>

namespace legba {

// Paints a cell's text as a small rounded badge coloured by the model's BadgeToneRole,
// from the palette so that dark themes work. The word is always there: never colour alone.
class StatusBadgeDelegate : public CachedTextDelegate {
    Q_OBJECT

public:
    StatusBadgeDelegate(int badgeToneRole, QObject* parent = nullptr);
    // A bool role: true draws a turning arc instead of the dot.
    void setBusyRole(int role) { m_busyRole = role; }
    // On by default; off draws every badge's shape directly, as busy ones always are.
    void setCachesShapes(bool on) { m_cachesShapes = on; }

    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;

    static QColor colorFor(int tone, const QPalette& palette);

    // The pill and its dot, drawn straight onto `painter` at the badge's place: what the
    // cached pixmaps hold, and what a busy badge (its arc turns) gets every time.
    static void drawShape(QPainter* painter, const QRect& badge, qreal radius, const QColor& color,
                          int dot, int padding, bool busy);

private:
    // Antialiased paths cost more than all the rest of a cell; a badge's shape depends only
    // on its colour, size and the screen's pixel ratio, so it is drawn once into a pixmap.
    struct ShapeKey {
        QRgb color;
        QSize size;
        qreal radius;
        int dot;
        int padding;
        qreal pixelRatio;
        friend bool operator==(const ShapeKey&, const ShapeKey&) = default;
        friend size_t qHash(const ShapeKey& k, size_t seed = 0) {
            return qHashMulti(seed, k.color, k.size.width(), k.size.height(), k.radius, k.dot,
                              k.padding, k.pixelRatio);
        }
    };
    const QPixmap& cachedShape(const ShapeKey& key) const;

    int m_toneRole;
    int m_busyRole = -1;
    bool m_cachesShapes = true;
    mutable QHash<ShapeKey, QPixmap> m_shapes;
};

} // namespace legba
