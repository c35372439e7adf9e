#include "Pane.h"

#include <QAbstractItemView>

namespace legba {

void Pane::showViewStale(QAbstractItemView* view, bool stale, const QDateTime& lastRefresh) const {
    QPalette pal = view->palette();
    pal.setColor(QPalette::Active, QPalette::Text,
                 stale ? palette().color(QPalette::Disabled, QPalette::Text)
                       : palette().color(QPalette::Active, QPalette::Text));
    pal.setColor(QPalette::Inactive, QPalette::Text, pal.color(QPalette::Active, QPalette::Text));
    view->setPalette(pal);
    view->setToolTip(
        stale && lastRefresh.isValid()
            ? tr("Out of date: last updated %1").arg(lastRefresh.toString(QStringLiteral("HH:mm")))
            : QString());
}

} // namespace legba
