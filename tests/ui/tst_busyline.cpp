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

        // Polled, not timed: a loaded machine may paint late, and the segment is off the
        // line for a moment at the start of each sweep.
        QImage later;
        const auto accentNow = [&] {
            later = line->grab().toImage();
            return accentColumns(later, accent);
        };
        QList<int> first;
        QTRY_VERIFY_WITH_TIMEOUT(!(first = accentNow()).isEmpty(), 3000);
        QList<int> second;
        QTRY_VERIFY_WITH_TIMEOUT(!(second = accentNow()).isEmpty() && second != first, 3000);
        QVERIFY(second.size() < 400); // the rest is the track, not the accent
        const QColor track = later.pixelColor(second.front() > 0 ? 0 : 399, 1);
        QVERIFY(track.rgb() != accent.rgb());
        QVERIFY(track.rgb() != line->palette().color(QPalette::Window).rgb());
    }
};

QTEST_MAIN(BusyLineTest)
#include "tst_busyline.moc"
