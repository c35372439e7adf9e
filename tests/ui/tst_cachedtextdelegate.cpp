// CachedTextDelegate must look like the QStyledItemDelegate it replaces: the same pixels
// for plain, right-aligned, bold, selected and too-long (elided) cells, on every repaint.

#include "Badge.h"
#include "CachedTextDelegate.h"
#include "StatusBadgeDelegate.h"

#include <QApplication>
#include <QHeaderView>
#include <QImage>
#include <QStandardItemModel>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QTest>

using namespace legba;

namespace {

QImage render(QTableView& view) {
    QImage image(view.viewport()->size(), QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    view.viewport()->render(&image);
    return image;
}

// Pixels that differ by more than a little (anti-aliasing may round apart).
int differingPixels(const QImage& a, const QImage& b) {
    int differing = 0;
    for (int y = 0; y < a.height(); ++y) {
        for (int x = 0; x < a.width(); ++x) {
            const QRgb p = a.pixel(x, y);
            const QRgb q = b.pixel(x, y);
            if (std::abs(qRed(p) - qRed(q)) + std::abs(qGreen(p) - qGreen(q)) +
                    std::abs(qBlue(p) - qBlue(q)) >
                48)
                ++differing;
        }
    }
    return differing;
}

} // namespace

class CachedTextDelegateTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void paintsWhatTheStyledDelegatePaints() {
        QStandardItemModel model(6, 3);
        const QStringList texts = {
            QStringLiteral("api.request"),
            QStringLiteral("203.0.113.7"),
            QStringLiteral("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like "
                           "Gecko) Chrome/120.0 Safari/537.36"),
            QStringLiteral("2026-11-29 06:29:24"),
            QStringLiteral("unauthenticated"),
            QStringLiteral("Grafana exporter (legba_Tz81…)")};
        for (int row = 0; row < model.rowCount(); ++row) {
            for (int column = 0; column < model.columnCount(); ++column) {
                auto* item = new QStandardItem(texts[(row + column) % texts.size()]);
                if (column == 2)
                    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
                if (row == 4) {
                    QFont bold = QApplication::font();
                    bold.setBold(true);
                    item->setFont(bold);
                }
                model.setItem(row, column, item);
            }
        }
        QTableView view;
        view.setModel(&model);
        view.horizontalHeader()->resizeSection(0, 120);
        view.horizontalHeader()->resizeSection(1, 90); // too narrow: elided
        view.horizontalHeader()->resizeSection(2, 200);
        view.resize(480, 260);
        view.selectRow(2);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));

        auto* styled = new QStyledItemDelegate(&view);
        view.setItemDelegate(styled);
        const QImage expected = render(view);
        auto* cached = new CachedTextDelegate(&view);
        view.setItemDelegate(cached);
        const QImage first = render(view);
        const QImage again = render(view); // from the cache this time
        QCOMPARE(first.size(), expected.size());
        QCOMPARE(again, first);
        const int differing = differingPixels(first, expected);
        QVERIFY2(differing <= 16, // 0 here; a little room for anti-aliasing elsewhere
                 qPrintable(QStringLiteral("%1 pixels differ").arg(differing)));
        // And it does paint text: an empty grid would differ a lot.
        model.clear();
        QVERIFY(differingPixels(render(view), expected) > 500);
    }

    void badgesFromTheirCachedShapesLookDrawnDirectly() {
        constexpr int kToneRole = Qt::UserRole + 1;
        QStandardItemModel model(5, 1);
        const QStringList words = {QStringLiteral("success"), QStringLiteral("failure"),
                                   QStringLiteral("running"), QStringLiteral("revoked"),
                                   QStringLiteral("expired")};
        const BadgeTone tones[] = {BadgeTone::Good, BadgeTone::Bad, BadgeTone::Info,
                                   BadgeTone::Warning, BadgeTone::Neutral};
        for (int row = 0; row < model.rowCount(); ++row) {
            auto* item = new QStandardItem(words[row]);
            item->setData(QVariant::fromValue(tones[row]), kToneRole);
            model.setItem(row, 0, item);
        }
        QTableView view;
        view.setModel(&model);
        view.horizontalHeader()->resizeSection(0, 160);
        view.resize(240, 220);
        view.selectRow(1);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        auto* delegate = new StatusBadgeDelegate(kToneRole, &view);
        view.setItemDelegate(delegate);

        delegate->setCachesShapes(false);
        const QImage direct = render(view);
        delegate->setCachesShapes(true);
        const QImage cached = render(view);
        const QImage again = render(view);
        QCOMPARE(again, cached);
        // Compositing a pre-drawn pill may round one step apart from drawing it in place.
        QCOMPARE(differingPixels(cached, direct), 0);
        int maxStep = 0;
        for (int y = 0; y < cached.height(); ++y) {
            for (int x = 0; x < cached.width(); ++x) {
                const QRgb p = cached.pixel(x, y);
                const QRgb q = direct.pixel(x, y);
                maxStep =
                    std::max({maxStep, std::abs(qRed(p) - qRed(q)), std::abs(qGreen(p) - qGreen(q)),
                              std::abs(qBlue(p) - qBlue(q))});
            }
        }
        QVERIFY2(maxStep <= 2, qPrintable(QStringLiteral("a channel differs by %1").arg(maxStep)));
        // And the badges are there: without them the cells would differ a lot.
        view.setItemDelegate(new CachedTextDelegate(&view));
        QVERIFY(differingPixels(render(view), cached) > 100);
    }
};

QTEST_MAIN(CachedTextDelegateTest)
#include "tst_cachedtextdelegate.moc"
