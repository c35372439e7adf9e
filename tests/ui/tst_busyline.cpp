// The panes' thin busy indicator: animates only while shown, draws a moving segment of the
// accent colour over a fainter track, and tells assistive technology it is a busy bar.
#include "BusyLine.h"

#include <QTest>

using namespace legba;

namespace {

// The columns of the line's middle row painted in the accent colour.
QList<int> accentColumns(const QImage& image, const QColor& accent) {
    QList<int> out;
    const int y = image.height() / 2;
    for (int x = 0; x < image.width(); ++x) {
        if (image.pixelColor(x, y).rgb() == accent.rgb())
            out << x;
    }
    return out;
}

} // namespace

class BusyLineTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void isABusyBarNamedLoading() {
        BusyLine line;
        QCOMPARE(line.minimum(), 0);
        QCOMPARE(line.maximum(), 0); // a busy QProgressBar, for assistive technology
        QCOMPARE(line.accessibleName(), QStringLiteral("Loading"));
        QCOMPARE(line.height(), 3);
    }

    void animatesOnlyWhileShown() {
        QWidget window;
        auto* line = new BusyLine(&window);
        line->setGeometry(0, 0, 400, 3);
        QVERIFY(!line->isAnimating());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(line->isAnimating());
        line->hide();
        QVERIFY(!line->isAnimating());
        line->show();
        QVERIFY(line->isAnimating());
        window.hide();
        QVERIFY(!line->isAnimating());
    }

    void theSegmentMovesAlongAFaintTrack() {
        QWidget window;
        auto* line = new BusyLine(&window);
        line->setGeometry(0, 0, 400, 3);
        window.resize(400, 3);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const QColor accent = line->palette().color(QPalette::Highlight);

        QTest::qWait(100);
        const QList<int> first = accentColumns(line->grab().toImage(), accent);
        QTest::qWait(300);
        const QImage later = line->grab().toImage();
        const QList<int> second = accentColumns(later, accent);
        QVERIFY(!first.isEmpty());
        QVERIFY(!second.isEmpty());
        QVERIFY2(second != first, qPrintable(QStringLiteral("still at %1").arg(first.front())));
        QVERIFY(second.size() < 400); // the rest is the track, not the accent
        const QColor track = later.pixelColor(second.front() > 0 ? 0 : 399, 1);
        QVERIFY(track.rgb() != accent.rgb());
        QVERIFY(track.rgb() != line->palette().color(QPalette::Window).rgb());
    }
};

QTEST_MAIN(BusyLineTest)
#include "tst_busyline.moc"
