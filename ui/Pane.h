#pragma once

#include <QWidget>

class QAbstractProxyModel;
class QModelIndex;
class QTableView;

namespace legba {

// What the main window asks of every pane: its shortcuts act on whichever pane is shown.
class Pane : public QWidget {
    Q_OBJECT

public:
    using QWidget::QWidget;

    virtual QString title() const = 0;
    virtual void refresh() {}
    virtual void focusFilter() {}
    // Ctrl+N
    virtual void primaryAction() {}
    // Delete
    virtual void deleteSelection() {}
    // Ctrl+Shift+C; returns the command, empty if nothing is selected.
    virtual QString copySelectionAsCurl() { return {}; }
    // The session changed (connected, rejected, other organization): reload.
    virtual void sessionChanged() {}

protected:
    // Selects, makes current and scrolls to the row of `view` (showing `proxy`) that shows
    // `sourceIndex`; nothing when a filter hides it.
    static void selectSourceRow(QTableView* view, const QAbstractProxyModel* proxy,
                                const QModelIndex& sourceIndex);
};

} // namespace legba
