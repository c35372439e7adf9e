// The one state page of every pane: it renders a ListStatus (busy line, banner words, the
// rows greyed while stale with since when, a page with one sentence and one button).
#include "BusyLine.h"
#include "ListStatusView.h"
#include "MessageBanner.h"

#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

using namespace legba;

namespace {

ApiError networkError() {
    ApiError error;
    error.kind = ApiError::Kind::Network;
    error.message = QStringLiteral("Connection refused");
    error.route = QStringLiteral("GET /instances");
    return error;
}

} // namespace

class TestListStatusView : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void staleRows_areGreyedWithSinceWhen_andComeBack() {
        auto* rowsView = new QTableView; // the view takes it
        QTableView& rows = *rowsView;
        ListStatusView view(rowsView, rowsView);
        view.resize(600, 400);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const QColor normal = rows.palette().color(QPalette::Active, QPalette::Text);

        ListStatus status;
        status.setLoading(true);
        view.showStatus(status, QStringLiteral("Listing instances failed."));
        QVERIFY(view.busyLine()->isVisible());
        QVERIFY(!view.banner()->isVisible());

        status.loaded(QDateTime(QDate(2026, 3, 4), QTime(9, 41)));
        status.failed(networkError());
        view.showStatus(status, QStringLiteral("Listing instances failed."));
        QVERIFY(!view.busyLine()->isVisible());
        QVERIFY(view.isStale());
        QVERIFY(rows.palette().color(QPalette::Active, QPalette::Text) != normal);
        QCOMPARE(rows.toolTip(), QStringLiteral("Out of date: last updated 09:41"));
        QVERIFY(view.banner()->isVisible());
        QVERIFY2(view.banner()->text().startsWith(
                     QStringLiteral("The server cannot be reached. Last updated 09:41.")),
                 qPrintable(view.banner()->text()));
        // Rows stay usable: greyed, not disabled.
        QVERIFY(rows.isEnabled());

        QSignalSpy retry(&view, &ListStatusView::retryRequested);
        QPushButton* retryButton = view.banner()->findChild<QPushButton*>();
        QVERIFY(retryButton && retryButton->isVisible());
        retryButton->click();
        QCOMPARE(retry.size(), 1);

        status.loaded();
        view.showStatus(status, QString());
        QVERIFY(!view.isStale());
        QCOMPARE(rows.palette().color(QPalette::Active, QPalette::Text), normal);
        QVERIFY(rows.toolTip().isEmpty());
        QVERIFY(!view.banner()->isVisible());
    }

    void page_showsOneSentenceAndAtMostOneButton() {
        auto* rowsView = new QTableView; // the view takes it
        QTableView& rows = *rowsView;
        ListStatusView view(rowsView, rowsView);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY(!view.isPageShown());
        QVERIFY(view.pageText().isEmpty());

        view.pageButton()->setText(QStringLiteral("New Instance"));
        view.showPage(QStringLiteral("No instances yet."), true);
        QVERIFY(view.isPageShown());
        QCOMPARE(view.pageText(), QStringLiteral("No instances yet."));
        QVERIFY(view.pageButton()->isVisible());
        QVERIFY(!rows.isVisible());
        QSignalSpy clicked(&view, &ListStatusView::pageButtonClicked);
        view.pageButton()->click();
        QCOMPARE(clicked.size(), 1);

        ApiError notFound;
        notFound.kind = ApiError::Kind::Http;
        notFound.httpStatus = 404;
        notFound.route = QStringLiteral("GET /instances");
        ListStatus status;
        status.failed(notFound);
        view.showStatus(status, QStringLiteral("Listing instances failed."));
        view.showPage(status.reason());
        QCOMPARE(view.pageText(),
                 QStringLiteral("Not available on this server (GET /instances answered 404)."));
        QVERIFY(!view.pageButton()->isVisible());
        QVERIFY(!view.banner()->isVisible()); // a state, not an error

        view.showContent();
        QVERIFY(!view.isPageShown());
        QVERIFY(rows.isVisible());
    }
};

QTEST_MAIN(TestListStatusView)
#include "tst_liststatusview.moc"
