#pragma once

#include "ListStatus.h"

#include <QDateTime>
#include <QWidget>

class QAbstractItemView;
class QLabel;
class QPushButton;
class QStackedWidget;

namespace legba {

class BusyLine;
class MessageBanner;

// The one state page of every pane that shows a list from the server: a thin busy line,
// the banner, and either the pane's content (its table) or a page with one sentence and
// at most one button (empty, not available on this server, not allowed). It renders a
// ListStatus (app/): the words come from there, the look from here.
class ListStatusView : public QWidget {
    Q_OBJECT

public:
    // `content` is shown when no page is; `rows` is greyed while the status is stale.
    ListStatusView(QWidget* content, QAbstractItemView* rows, QWidget* parent = nullptr);

    BusyLine* busyLine() const { return m_busy; }
    MessageBanner* banner() const { return m_banner; }
    QLabel* pageLabel() const { return m_pageLabel; }
    QPushButton* pageButton() const { return m_pageButton; }

    void setBusy(bool busy);
    // The busy line and the rows' stale look as the status has them; the banner is left
    // as it is (it may say more than the status: a quota, rows it could not read).
    void showLook(const ListStatus& status);
    // The busy line as the status has it, the rows greyed or not, and the banner's words
    // for the status (cleared when it has none); `what` says what failed when the list
    // could not be loaded.
    void showStatus(const ListStatus& status, const QString& what);
    // The stale look alone: rows greyed, not disabled, so that they stay selectable and
    // copyable while the server is away; the tooltip says since when.
    void setStale(bool stale, const QDateTime& lastRefresh);
    bool isStale() const { return m_stale; }

    void showContent();
    void showPage(const QString& text, bool withButton = false);
    bool isPageShown() const;
    // The page's sentence while the page is shown, else empty.
    QString pageText() const;

Q_SIGNALS:
    void retryRequested();
    void pageButtonClicked();

private:
    QAbstractItemView* m_rows; // not owned
    BusyLine* m_busy;
    MessageBanner* m_banner;
    QStackedWidget* m_stack;
    QLabel* m_pageLabel;
    QPushButton* m_pageButton;
    bool m_stale = false;
};

} // namespace legba
