#pragma once

#include "CachedTextDelegate.h"

namespace legba {

// Paints a cell's text as a small rounded badge coloured by the model's BadgeToneRole,
// from the palette so that dark themes work. The word is always there: never colour alone.
class StatusBadgeDelegate : public CachedTextDelegate {
    Q_OBJECT

public:
    StatusBadgeDelegate(int badgeToneRole, QObject* parent = nullptr);
    // A bool role: true draws a turning arc instead of the dot.
    void setBusyRole(int role) { m_busyRole = role; }

    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;

    static QColor colorFor(int tone, const QPalette& palette);

private:
    int m_toneRole;
    int m_busyRole = -1;
};

} // namespace legba
