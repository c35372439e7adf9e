// AuditWriter on its own: events queued by one thread and written by another stay in the
// order they were queued, around changes that hold the write lock; a change that fails
// gives the events it took back; what is queued at shutdown is written.

#include "AuditWriter.h"
#include "Database.h"
#include "Store.h"

#include <QTemporaryDir>
#include <QTest>
#include <stdexcept>

using namespace legba;
using namespace legba::server;

namespace {

const QString kOrg = QStringLiteral("11111111-2222-4333-8444-555555555555");

AuditRecord readEvent(int n, const QString& action = QStringLiteral("api.request")) {
    AuditRecord r;
    r.orgUuid = kOrg;
    r.occurredAtMs = 1'700'000'000'000 + n;
    r.action = action;
    r.ip = QStringLiteral("127.0.0.1");
    r.requestId = QStringLiteral("req_%1").arg(n, 6, 10, QLatin1Char('0'));
    return r;
}

// Every event of the organization, oldest first, as "action requestId".
QStringList logOf(Store& store) {
    QStringList out;
    AuditQuery query;
    query.limit = 1000;
    while (true) {
        const AuditPage page = store.audit().page(kOrg, query);
        for (const AuditEvent& e : page.events)
            out.prepend(e.action + QLatin1Char(' ') + e.requestId);
        if (page.nextCursor.isEmpty())
            return out;
        query.cursor = page.nextCursor;
    }
}

struct Sandbox {
    QTemporaryDir dir;
    Database db;
    std::unique_ptr<Store> store;
    Sandbox() {
        db.open(dir.filePath(QStringLiteral("legba.sqlite3")));
        store = std::make_unique<Store>(db);
        Transaction tx(db);
        store->insertOrganization(kOrg, QStringLiteral("Org"), 1'700'000'000'000);
        tx.commit();
    }
};

} // namespace

class AuditWriterTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void eventsKeepTheirOrderAroundChangesWhileTheThreadWrites() {
        Sandbox s;
        QStringList expected;
        {
            AuditWriter writer(*s.store);
            writer.start();
            QVERIFY(writer.isRunning());
            for (int n = 0; n < 3000; ++n) {
                writer.enqueue(readEvent(n));
                expected << QStringLiteral("api.request req_%1").arg(n, 6, 10, QLatin1Char('0'));
                if (n % 500 == 250) {
                    // A change: its event lands after everything queued before it.
                    const AuditRecord change = readEvent(n, QStringLiteral("api_key.created"));
                    writer.commit([&] { s.store->audit().append(change); });
                    expected
                        << QStringLiteral("api_key.created req_%1").arg(n, 6, 10, QLatin1Char('0'));
                }
                if (n % 1000 == 999)
                    QTest::qWait(30); // let the thread write some batches on its own
            }
        } // the destructor writes what is still queued
        QCOMPARE(logOf(*s.store), expected);
        const ChainVerdict verdict = s.store->audit().verify();
        QVERIFY2(verdict.intact, qPrintable(verdict.problem));
        QCOMPARE(verdict.eventsChecked, expected.size());
    }

    void aFailedChangeGivesTheQueuedEventsBack() {
        Sandbox s;
        AuditWriter writer(*s.store); // no thread: nothing is written behind our back
        writer.enqueue(readEvent(1));
        writer.enqueue(readEvent(2));
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, writer.commit([&] {
            s.store->audit().append(readEvent(3, QStringLiteral("api_key.created")));
            throw std::runtime_error("the change failed");
        }));
        QCOMPARE(logOf(*s.store), QStringList());
        writer.enqueue(readEvent(4));
        writer.flush();
        QCOMPARE(logOf(*s.store), QStringList({QStringLiteral("api.request req_000001"),
                                               QStringLiteral("api.request req_000002"),
                                               QStringLiteral("api.request req_000004")}));
    }

    void lastUseKeepsTheNewestValue() {
        Sandbox s;
        KeyRow key;
        key.keyId = QStringLiteral("key_writer");
        key.orgUuid = kOrg;
        key.name = QStringLiteral("k");
        key.prefix = QStringLiteral("lgb_live_abcd");
        key.scopes = QStringList{QStringLiteral("keys:read")};
        key.createdAt = 1'700'000'000'000;
        {
            Transaction tx(s.db);
            s.store->insertKey(key, QByteArray(64, 'a'));
            tx.commit();
        }
        AuditWriter writer(*s.store);
        writer.start();
        writer.noteUse(key.keyId, 1'700'000'000'500);
        writer.noteUse(key.keyId, 1'700'000'000'900);
        writer.noteUse(key.keyId, 1'700'000'000'700); // older, arrives late
        writer.flush();
        QCOMPARE(s.store->key(kOrg, key.keyId)->lastUsedAt, 1'700'000'000'900);
    }
};

QTEST_GUILESS_MAIN(AuditWriterTest)
#include "tst_server_auditwriter.moc"
