#include "Pane.h"

#include <QAbstractProxyModel>
#include <QItemSelectionModel>
#include <QTableView>

namespace legba {

void Pane::selectSourceRow(QTableView* view, const QAbstractProxyModel* proxy,
                           const QModelIndex& sourceIndex) {
    const QModelIndex index = proxy->mapFromSource(sourceIndex);
    if (!index.isValid())
        return;
    view->selectionModel()->select(index,
                                   QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    view->setCurrentIndex(index);
    view->scrollTo(index);
}

} // namespace legba
