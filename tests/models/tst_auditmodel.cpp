// AuditLogModel over compact records: paging through cursors, its own sort and search,
// newer events on top; QAbstractItemModelTester watches every test from init() on.
#include "AuditLogModel.h"
#include "AuditTestData.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>
#include <algorithm>

using namespace legba;

class TestAuditModel : public QObject {
    Q_OBJECT

private:
    AuditLogModel* model = nullptr;
    QAbstractItemModelTester* tester = nullptr;
    QList<std::pair<quint64, QString>> asked;

    // Answers what the model asked last with events [first, first + count).
    bool answer(int first, int count, const QString& next) {
        if (asked.isEmpty())
            return false;
        const auto [generation, cursor] = asked.last();
        return model->addPage(generation, cursor, test::auditBatch(first, count, next));
    }

    QStringList column(int col, int role = Qt::DisplayRole) const {
        QStringList values;
        for (int row = 0; row < model->rowCount(); ++row)
            values << model->index(row, col).data(role).toString();
        return values;
    }

    QString searchable(int row) const {
        QStringList parts;
        for (int col = AuditLogModel::ActorColumn; col < AuditLogModel::ColumnCount; ++col)
            parts << model->index(row, col).data(Qt::AccessibleTextRole).toString();
        const AuditEvent e = model->store().event(model->storeIndex(row));
        parts << e.eventId << e.requestId << QString::fromUtf8(e.detailsJson);
        if (e.actor)
            parts << e.actor->keyId << e.actor->name << e.actor->prefix;
        return parts.join(QLatin1Char('\n'));
    }

private Q_SLOTS:
    void init() {
        asked.clear();
        model = new AuditLogModel;
        model->setFetcher([this](quint64 generation, const QString& cursor) {
            asked.append({generation, cursor});
        });
        tester = new QAbstractItemModelTester(
            model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    }
    void cleanup() {
        delete tester;
        delete model;
    }

private:
    // The tester (like a view) asks for pages by itself; make sure one is asked.
    void ensureAsked() {
        if (!model->isFetching())
            model->fetchMore();
    }
    bool load(int first, int count, const QString& next) {
        ensureAsked();
        return answer(first, count, next);
    }

private Q_SLOTS:
    void pagesAreAskedOnceAndTakenOnlyWhenAsked() {
        ensureAsked();
        QCOMPARE(asked.size(), 1);
        QCOMPARE(asked[0].second, QString());
        QVERIFY(!model->canFetchMore()); // one request at a time
        model->fetchMore();
        QCOMPARE(asked.size(), 1);
        QVERIFY(answer(0, 50, QStringLiteral("c1")));
        QCOMPARE(model->rowCount(), 50);
        // The first page again is not the page asked for any more.
        QVERIFY(!model->addPage(asked[0].first, asked[0].second, test::auditBatch(0, 50, {})));
        QCOMPARE(model->rowCount(), 50);

        ensureAsked();
        QCOMPARE(asked.last().second, QStringLiteral("c1"));
        // A page for an older generation (before a reset) is dropped.
        const auto stale = asked.last();
        model->reset();
        QVERIFY(!model->addPage(stale.first, stale.second, test::auditBatch(50, 50, {})));
        QCOMPARE(model->rowCount(), 0);

        ensureAsked();
        QCOMPARE(asked.last().second, QString());
        QCOMPARE(asked.last().first, model->generation());
        QVERIFY(answer(0, 50, QStringLiteral("c1")));
        QVERIFY(load(50, 50, QStringLiteral("c2")));
        QVERIFY(load(100, 10, QString()));
        QVERIFY(!model->canFetchMore());
        QCOMPARE(model->rowCount(), 110);
        QSet<QString> ids;
        for (int row = 0; row < model->rowCount(); ++row)
            ids.insert(model->index(row, 0).data(AuditLogModel::EventIdRole).toString());
        QCOMPARE(ids.size(), 110);
        // Every cursor was asked once in this generation.
        QStringList cursors;
        for (const auto& [generation, cursor] : asked) {
            if (generation == model->generation())
                cursors << cursor;
        }
        QCOMPARE(cursors, (QStringList{QString(), QStringLiteral("c1"), QStringLiteral("c2")}));
    }

    void aFailedPageMayBeAskedAgain() {
        ensureAsked();
        const int before = int(asked.size());
        model->pageFailed(asked.last().first, asked.last().second);
        QVERIFY(model->canFetchMore());
        model->fetchMore();
        QCOMPARE(int(asked.size()), before + 1);
        QCOMPARE(asked.last().second, QString());
    }

    void anErrorHoldsPagingUntilRetry() {
        QVERIFY(load(0, 10, QStringLiteral("c1")));
        ensureAsked();
        QCOMPARE(asked.size(), 2);
        model->pageErrored(asked.last().first, asked.last().second);
        // Views and testers ask whenever canFetchMore says so: it must not.
        QVERIFY(!model->canFetchMore());
        QVERIFY(model->isHeld());
        model->fetchMore();
        QCOMPARE(asked.size(), 2);
        model->retry();
        QVERIFY(model->canFetchMore());
        model->fetchMore();
        QCOMPARE(asked.size(), 3);
        QCOMPARE(asked.last().second, QStringLiteral("c1"));
        QVERIFY(answer(10, 10, {}));
        QCOMPARE(model->rowCount(), 20);
    }

    void aRepeatedCursorStopsPaging() {
        QVERIFY(load(0, 10, QStringLiteral("c1")));
        QVERIFY(load(10, 10, QStringLiteral("c1")));
        if (model->canFetchMore())
            model->fetchMore(); // would ask c1 a second time
        QCOMPARE(asked.size(), 2);
        QVERIFY(!model->canFetchMore());
        QCOMPARE(model->rowCount(), 20);
    }

    void cellsShowTheEvent() {
        QVERIFY(load(0, 10, {}));
        const int row = 1; // event 1: auth.failed, unauthenticated
        QCOMPARE(model->index(row, AuditLogModel::ActionColumn).data().toString(),
                 QStringLiteral("auth.failed"));
        QCOMPARE(model->index(row, AuditLogModel::ActorColumn).data().toString(),
                 QStringLiteral("unauthenticated"));
        QCOMPARE(model->index(row, AuditLogModel::OutcomeColumn).data().toString(),
                 QStringLiteral("failure"));
        QCOMPARE(model->index(row, AuditLogModel::StatusColumn).data().toString(),
                 QStringLiteral("401"));
        QVERIFY(model->index(row, AuditLogModel::ActionColumn)
                    .data(AuditLogModel::AuthFailedRole)
                    .toBool());
        QCOMPARE(model->index(row, AuditLogModel::ActionColumn)
                     .data(AuditLogModel::BadgeToneRole)
                     .value<BadgeTone>(),
                 BadgeTone::Bad);
        QVERIFY(
            model->index(row, AuditLogModel::IpColumn).data(Qt::FontRole).value<QFont>().bold());
        QCOMPARE(model->index(0, AuditLogModel::ActorColumn).data().toString(),
                 QStringLiteral("Key 0 (legba_P0…)"));
        QCOMPARE(model->index(2, AuditLogModel::TargetColumn).data(Qt::ToolTipRole).toString(),
                 QStringLiteral("instance uuid-2"));
        const QDateTime local = QDateTime::fromMSecsSinceEpoch(1'750'000'000'000).toLocalTime();
        QCOMPARE(model->index(0, AuditLogModel::TimeColumn).data().toString(),
                 local.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")));
        QVERIFY(model->index(0, AuditLogModel::TimeColumn)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("ago")));
    }

    void sortsByTimeAndByText() {
        QVERIFY(load(0, 300, QStringLiteral("c1")));
        const QPersistentModelIndex held = model->index(123, AuditLogModel::IpColumn);
        const QString heldId = held.data(AuditLogModel::EventIdRole).toString();

        model->sort(AuditLogModel::TimeColumn, Qt::AscendingOrder);
        QStringList times = column(0, AuditLogModel::SortRole);
        QVERIFY(std::is_sorted(times.begin(), times.end(), [](const QString& a, const QString& b) {
            return a.toLongLong() < b.toLongLong();
        }));
        QCOMPARE(held.data(AuditLogModel::EventIdRole).toString(), heldId);
        QCOMPARE(held.column(), int(AuditLogModel::IpColumn));

        model->sort(AuditLogModel::UserAgentColumn, Qt::AscendingOrder);
        QStringList agents = column(AuditLogModel::UserAgentColumn);
        QVERIFY(
            std::is_sorted(agents.begin(), agents.end(), [](const QString& a, const QString& b) {
                return a.compare(b, Qt::CaseInsensitive) < 0;
            }));
        QCOMPARE(held.data(AuditLogModel::EventIdRole).toString(), heldId);
        // Within one value, newest first.
        for (int row = 1; row < model->rowCount(); ++row) {
            if (agents[row] == agents[row - 1])
                QVERIFY(model->index(row, 0).data(AuditLogModel::SortRole).toLongLong() <
                        model->index(row - 1, 0).data(AuditLogModel::SortRole).toLongLong());
        }
        model->sort(AuditLogModel::ActionColumn, Qt::DescendingOrder);
        QStringList actions = column(AuditLogModel::ActionColumn);
        QVERIFY(
            std::is_sorted(actions.begin(), actions.end(), [](const QString& a, const QString& b) {
                return a.compare(b, Qt::CaseInsensitive) > 0;
            }));

        // A page arriving under a text sort lands where the sort puts it.
        QVERIFY(load(300, 200, {}));
        QCOMPARE(model->rowCount(), 500);
        actions = column(AuditLogModel::ActionColumn);
        QVERIFY(
            std::is_sorted(actions.begin(), actions.end(), [](const QString& a, const QString& b) {
                return a.compare(b, Qt::CaseInsensitive) > 0;
            }));
        QCOMPARE(held.data(AuditLogModel::EventIdRole).toString(), heldId);

        model->sort(AuditLogModel::StatusColumn, Qt::AscendingOrder);
        QStringList codes = column(AuditLogModel::StatusColumn);
        QVERIFY(std::is_sorted(codes.begin(), codes.end(), [](const QString& a, const QString& b) {
            return a.toInt() < b.toInt();
        }));
    }

    // After the live tail, arrival order is no longer time order: pages, then polls of newer
    // events (each newest first), some stamped before events already loaded, then older
    // pages again. Sorting by time must still give every event in time order.
    void timeSortAfterTheLiveTailIsInTimeOrder() {
        const qint64 base = 1'750'000'000'000;
        QVERIFY(load(0, 3000, QStringLiteral("c1")));
        auto addNewer = [this](const audit::AuditBatch& batch) {
            return model->addNewer(batch, std::vector<char>(batch.records.size(), 1));
        };
        int added = 0;
        for (int poll = 0; poll < 20; ++poll) {
            const int first = 20'000 + poll * 4;
            added +=
                addNewer(test::auditBatch(first, 4, {}, base + (poll + 1) * 60'000 + first * 1000));
            if (poll % 5 == 0) // recorded late: stamped between loaded events 150 and 151
                added += addNewer(test::auditBatch(30'000 + poll, 1, {},
                                                   base - 150'500 - poll + (30'000 + poll) * 1000));
        }
        QCOMPARE(added, 84);
        QVERIFY(load(3000, 1000, {}));
        const QPersistentModelIndex held = model->index(200, AuditLogModel::ActionColumn);
        const QString heldId = held.data(AuditLogModel::EventIdRole).toString();

        auto checkSorted = [this](Qt::SortOrder order) {
            QList<qint64> times;
            QSet<QString> ids;
            for (int row = 0; row < model->rowCount(); ++row) {
                times << model->index(row, 0).data(AuditLogModel::SortRole).toLongLong();
                ids << model->index(row, 0).data(AuditLogModel::EventIdRole).toString();
            }
            if (order == Qt::DescendingOrder)
                std::reverse(times.begin(), times.end());
            return std::is_sorted(times.begin(), times.end()) &&
                   ids.size() == int(model->store().size()) && ids.size() == model->rowCount();
        };
        for (const Qt::SortOrder order :
             {Qt::AscendingOrder, Qt::DescendingOrder, Qt::AscendingOrder}) {
            model->sort(AuditLogModel::TimeColumn, order);
            QCOMPARE(model->rowCount(), 4084);
            QVERIFY(checkSorted(order));
            QCOMPARE(held.data(AuditLogModel::EventIdRole).toString(), heldId);
        }

        // Events stamped all over the loaded range, in no order: too many runs to merge
        // cheaply, so the radix sort does it.
        AuditPage scattered;
        for (int k = 0; k < 2000; ++k)
            scattered.events.push_back(test::auditEvent(
                10'000 + k, base - qint64((k * 7919) % 4000) * 1000 - 250 - k % 200));
        added += addNewer(audit::parseAuditPage(json::dump(json::toJson(scattered))));
        QCOMPARE(added, 2084);
        for (const Qt::SortOrder order : {Qt::DescendingOrder, Qt::AscendingOrder}) {
            model->sort(AuditLogModel::TimeColumn, order);
            QCOMPARE(model->rowCount(), 6084);
            QVERIFY(checkSorted(order));
            QCOMPARE(held.data(AuditLogModel::EventIdRole).toString(), heldId);
        }
        // And a text sort still works over the same store.
        model->sort(AuditLogModel::ActionColumn, Qt::AscendingOrder);
        const QStringList actions = column(AuditLogModel::ActionColumn);
        QVERIFY(
            std::is_sorted(actions.begin(), actions.end(), [](const QString& a, const QString& b) {
                return a.compare(b, Qt::CaseInsensitive) < 0;
            }));
    }

    // A few new events that land amid the rows go in one by one where the sort puts them,
    // through the search, with persistent indexes following.
    void aFewNewerEventsAmidTheRowsGoWhereTheSortPutsThem() {
        QVERIFY(load(0, 200, {}));
        model->sort(AuditLogModel::UserAgentColumn, Qt::AscendingOrder);
        model->setFilterText(QStringLiteral("curl"));
        const int before = model->rowCount();
        const QPersistentModelIndex held = model->index(before / 2, AuditLogModel::IpColumn);
        const QString heldId = held.data(AuditLogModel::EventIdRole).toString();
        QSignalSpy inserted(model, &QAbstractItemModel::rowsInserted);
        QSignalSpy layouts(model, &QAbstractItemModel::layoutChanged);
        const audit::AuditBatch newer =
            test::auditBatch(1000, 6, {}, 1'750'000'000'000 + 1'100'000);
        QCOMPARE(model->addNewer(newer, std::vector<char>(newer.records.size(), 1)), 6);
        // Agents cycle through three: events 1002 and 1005 are curl's.
        QCOMPARE(model->rowCount(), before + 2);
        QCOMPARE(inserted.size(), 2);
        QCOMPARE(layouts.size(), 0);
        QCOMPARE(held.data(AuditLogModel::EventIdRole).toString(), heldId);
        const QStringList agents = column(AuditLogModel::UserAgentColumn);
        QVERIFY(std::all_of(agents.begin(), agents.end(),
                            [](const QString& a) { return a == QStringLiteral("curl/8.0"); }));
        // Within one agent, newest first: the two new ones on top.
        QCOMPARE(model->index(0, 0).data(AuditLogModel::EventIdRole).toString(),
                 QStringLiteral("evt_00001002"));
        QCOMPARE(model->index(1, 0).data(AuditLogModel::EventIdRole).toString(),
                 QStringLiteral("evt_00001005"));
        model->setFilterText(QString());
        QCOMPARE(model->rowCount(), 206);
        const QStringList all = column(AuditLogModel::UserAgentColumn);
        QVERIFY(std::is_sorted(all.begin(), all.end(), [](const QString& a, const QString& b) {
            return a.compare(b, Qt::CaseInsensitive) < 0;
        }));
        for (int row = 1; row < model->rowCount(); ++row) {
            if (all[row] == all[row - 1])
                QVERIFY(model->index(row, 0).data(AuditLogModel::SortRole).toLongLong() <
                        model->index(row - 1, 0).data(AuditLogModel::SortRole).toLongLong());
        }

        // Under the time sort, one stamped late goes among the others, not on top: after
        // the six new ones and events 0 to 50.
        model->sort(AuditLogModel::TimeColumn, Qt::DescendingOrder);
        const audit::AuditBatch late =
            test::auditBatch(2000, 1, {}, 1'750'000'000'000 - 50'500 + 2000 * 1000);
        QCOMPARE(model->addNewer(late, {1}), 1);
        QCOMPARE(model->index(57, 0).data(AuditLogModel::EventIdRole).toString(),
                 QStringLiteral("evt_00002000"));
    }

    void searchNarrowsAndBroadensLikeABruteForceScan_data() {
        QTest::addColumn<QString>("needle");
        QTest::newRow("ip") << QStringLiteral("198.51.100.1");
        QTest::newRow("narrower ip") << QStringLiteral("198.51.100.17");
        QTest::newRow("action, other case") << QStringLiteral("AUTH.FAI");
        QTest::newRow("event id") << QStringLiteral("EVT_00000042");
        QTest::newRow("request id") << QStringLiteral("req_0000");
        QTest::newRow("target id") << QStringLiteral("uuid-7");
        QTest::newRow("actor") << QStringLiteral("key 2");
        QTest::newRow("outcome word") << QStringLiteral("failure");
        QTest::newRow("status") << QStringLiteral("403");
        QTest::newRow("quote in agent") << QStringLiteral("\"beta\"");
        QTest::newRow("details") << QStringLiteral("/x");
        QTest::newRow("nothing") << QStringLiteral("zzzz-none");
    }
    void searchNarrowsAndBroadensLikeABruteForceScan() {
        QFETCH(QString, needle);
        QVERIFY(load(0, 400, {}));
        int expected = 0;
        for (int row = 0; row < model->rowCount(); ++row)
            expected += searchable(row).contains(needle, Qt::CaseInsensitive) ? 1 : 0;
        model->setFilterText(needle.left(needle.size() - 1));
        model->setFilterText(needle); // narrowing from the shorter one
        QCOMPARE(model->rowCount(), expected);
        for (int row = 0; row < model->rowCount(); ++row)
            QVERIFY(searchable(row).contains(needle, Qt::CaseInsensitive));
        model->setFilterText(QString());
        QCOMPARE(model->rowCount(), 400);
        model->setFilterText(needle); // from nothing
        QCOMPARE(model->rowCount(), expected);
    }

    void newerEventsGoOnTopAndRespectTheSearch() {
        QVERIFY(load(10, 100, {}));
        model->setFilterText(QStringLiteral("auth.failed"));
        const int before = model->rowCount();
        QSignalSpy inserted(model, &QAbstractItemModel::rowsInserted);
        const audit::AuditBatch newer = test::auditBatch(0, 10, {});
        std::vector<char> keep(newer.records.size(), 1);
        QCOMPARE(model->addNewer(newer, keep), 10);
        // Events 1 and 6 are auth.failed: two more rows, at the top.
        QCOMPARE(model->rowCount(), before + 2);
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(inserted[0][1].toInt(), 0);
        QCOMPARE(model->index(0, 0).data(AuditLogModel::EventIdRole).toString(),
                 QStringLiteral("evt_00000001"));
        model->setFilterText(QString());
        QCOMPARE(model->rowCount(), 110);
        QCOMPARE(model->newestMs(), 1'750'000'000'000);
    }
};

QTEST_MAIN(TestAuditModel)
#include "tst_auditmodel.moc"
