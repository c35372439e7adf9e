// The archive kept in step with a real sandbox through the audit page loader: the head
// walk while events are being written (no event twice, none skipped), and a backfill
// cancelled and resumed after a restart; the verification walk against a server copy with an
// event deleted or changed, with events pruned by retention after the backfill, while events
// are being written, and cancelled.
#include "AuditArchiveSync.h"
#include "AuditIds.h"
#include "LegbaClient.h"
#include "TestServer.h"

#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace legba;
using namespace std::chrono_literals;

namespace {

constexpr int kWait = 15000;

QStringList archivedIds(const AuditArchive& archive) {
    ArchiveQuery q;
    q.limit = 100000;
    return test::eventIds(archive.read(q).batch);
}

// The running sandbox's database, opened beside it to play someone who edits its audit log.
class ServerDb {
public:
    explicit ServerDb(const QString& dataDir) {
        m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("tamper"));
        m_db.setDatabaseName(dataDir + QStringLiteral("/legba.sqlite3"));
        m_db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=10000"));
        m_db.open();
    }
    ~ServerDb() {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(QStringLiteral("tamper"));
    }
    ServerDb(const ServerDb&) = delete;
    ServerDb& operator=(const ServerDb&) = delete;
    QString exec(const QString& sql) { // the error, empty on success
        QSqlQuery q(m_db);
        return q.exec(sql) ? QString() : q.lastError().text() + QStringLiteral(": ") + sql;
    }

private:
    QSqlDatabase m_db;
};

struct Snapshot {
    QStringList ids;
    std::vector<bool> beyond;
    bool operator==(const Snapshot&) const = default;
};

Snapshot snapshot(const AuditArchive& archive) {
    ArchiveQuery q;
    q.limit = 100000;
    const ArchivePage p = archive.read(q);
    return {test::eventIds(p.batch), p.beyondRetention};
}

} // namespace

class AuditArchiveSyncTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void syncNewest_whileEventsArrive_noDuplicateNoGap();
    void backfill_cancelledAndRestarted_resumesFromItsCursor();
    void verify_eventDeletedOnServer_reportedVanished_archiveUnchanged();
    void verify_eventChangedOnServer_reportedChanged_archiveUnchanged();
    void verify_afterBackfillDone_marksEventsTheServerPrunedSince();
    void verify_untouchedLogWhileEventsArrive_reportsNothing();
    void verify_cancelled_leavesArchiveUnchanged();

private:
    // A finished backfill of `events` requests' log, with pages of 5.
    void backfilled(AuditArchive& archive, int events);
    // Runs verify() to its end; the issues it signalled.
    std::vector<IntegrityIssue> verified(AuditArchive& archive, int* marked = nullptr);
    void restartServer(server::ServerOptions options);
    // Every event the server has, newest first, read page by page.
    QStringList serverIds();
    // `count` authenticated requests, each recorded as an event; waits for none of them.
    void traffic(int count);
    bool waitIdle(const AuditArchiveSync& sync);

    std::unique_ptr<test::TestServer> m_server;
    std::unique_ptr<LegbaClient> m_client;
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_path;
    int m_answered = 0;
};

void AuditArchiveSyncTest::init() {
    m_server = std::make_unique<test::TestServer>();
    QVERIFY2(m_server->ok(), qPrintable(m_server->error()));
    m_client = std::make_unique<LegbaClient>();
    QVERIFY(!m_client->setEndpoint(m_server->endpoint()));
    m_client->setKey(m_server->ownerKey());
    m_client->setTransferTimeout(5s);
    m_dir = std::make_unique<QTemporaryDir>();
    m_path = AuditArchive::pathFor(QStringLiteral("sync"), m_dir->path());
    m_answered = 0;
}

void AuditArchiveSyncTest::cleanup() {
    m_client.reset();
    m_server.reset();
    m_dir.reset();
}

void AuditArchiveSyncTest::traffic(int count) {
    for (int i = 0; i < count; ++i)
        m_client->listKeys(false, this, [this](Result<KeyList>) { ++m_answered; });
}

bool AuditArchiveSyncTest::waitIdle(const AuditArchiveSync& sync) {
    return QTest::qWaitFor([&] { return !sync.isBusy(); }, kWait);
}

QStringList AuditArchiveSyncTest::serverIds() {
    return test::serverEventIds(*m_client, this);
}

void AuditArchiveSyncTest::syncNewest_whileEventsArrive_noDuplicateNoGap() {
    AuditArchive archive(m_path);
    AuditArchiveSync sync(m_client.get(), &archive);
    sync.setPageSize(5);
    QStringList failures;
    connect(&sync, &AuditArchiveSync::failed, this, [&](const QString& m) { failures << m; });
    traffic(12);
    QTRY_COMPARE_WITH_TIMEOUT(m_answered, 12, kWait);
    sync.backfill();
    QVERIFY(waitIdle(sync));
    QVERIFY(archive.backfillDone());
    int requested = 12;
    for (int round = 0; round < 6; ++round) {
        // Requests in flight while the walk pages down: their events land above, below
        // and between the pages it reads.
        traffic(7);
        requested += 7;
        sync.syncNewest();
        QVERIFY(waitIdle(sync));
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join(QLatin1Char('\n'))));
    }
    QTRY_COMPARE_WITH_TIMEOUT(m_answered, requested, kWait);
    sync.syncNewest();
    QVERIFY(waitIdle(sync));
    const QStringList archived = archivedIds(archive);
    QCOMPARE(QSet<QString>(archived.cbegin(), archived.cend()).size(), archived.size());
    // The server's log from the newest archived event down is the archive, in order (the
    // server has recorded this test's own reads above it since).
    const QStringList server = serverIds();
    const qsizetype top = server.indexOf(archive.newestEventId());
    QVERIFY(top >= 0);
    QCOMPARE(archived, server.mid(top));
    QVERIFY(archived.size() > 12 + 6 * 7);
}

void AuditArchiveSyncTest::backfill_cancelledAndRestarted_resumesFromItsCursor() {
    traffic(40);
    QTRY_COMPARE_WITH_TIMEOUT(m_answered, 40, kWait);
    QString cursorAtStop;
    {
        AuditArchive archive(m_path);
        AuditArchiveSync sync(m_client.get(), &archive);
        sync.setPageSize(6);
        int pages = 0;
        connect(&sync, &AuditArchiveSync::backfillProgress, this, [&] {
            if (++pages == 3)
                sync.cancel();
        });
        QSignalSpy finished(&sync, &AuditArchiveSync::backfillFinished);
        sync.backfill();
        QVERIFY(waitIdle(sync));
        QCOMPARE(finished.size(), 0);
        QCOMPARE(archive.count(), qint64{18});
        cursorAtStop = archive.backfillCursor();
        QVERIFY(!cursorAtStop.isEmpty());
    }
    AuditArchive reopened(m_path);
    QCOMPARE(reopened.backfillCursor(), cursorAtStop);
    AuditArchiveSync sync(m_client.get(), &reopened);
    sync.setPageSize(6);
    QSignalSpy finished(&sync, &AuditArchiveSync::backfillFinished);
    sync.backfill();
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, kWait);
    QVERIFY(reopened.backfillDone());
    const QStringList archived = archivedIds(reopened);
    const QStringList server = serverIds();
    const qsizetype top = server.indexOf(reopened.newestEventId());
    QVERIFY(top >= 0);
    QCOMPARE(archived, server.mid(top));
    QVERIFY(archived.size() >= 40);
}

void AuditArchiveSyncTest::restartServer(server::ServerOptions options) {
    m_client.reset();
    m_server = std::make_unique<test::TestServer>(std::move(options));
    QVERIFY2(m_server->ok(), qPrintable(m_server->error()));
    m_client = std::make_unique<LegbaClient>();
    QVERIFY(!m_client->setEndpoint(m_server->endpoint()));
    m_client->setKey(m_server->ownerKey());
    m_client->setTransferTimeout(5s);
}

void AuditArchiveSyncTest::backfilled(AuditArchive& archive, int events) {
    traffic(events);
    QTRY_COMPARE_WITH_TIMEOUT(m_answered, events, kWait);
    AuditArchiveSync sync(m_client.get(), &archive);
    sync.setPageSize(5);
    sync.backfill();
    QVERIFY(waitIdle(sync));
    QVERIFY(archive.backfillDone());
    QVERIFY(archive.count() >= events);
}

std::vector<IntegrityIssue> AuditArchiveSyncTest::verified(AuditArchive& archive, int* marked) {
    AuditArchiveSync sync(m_client.get(), &archive);
    sync.setPageSize(5);
    std::vector<IntegrityIssue> issues;
    QStringList failures;
    connect(&sync, &AuditArchiveSync::verifyIssues, this,
            [&](const std::vector<IntegrityIssue>& found) {
                issues.insert(issues.end(), found.begin(), found.end());
            });
    connect(&sync, &AuditArchiveSync::failed, this, [&](const QString& m) { failures << m; });
    QSignalSpy finished(&sync, &AuditArchiveSync::verifyFinished);
    QSignalSpy progress(&sync, &AuditArchiveSync::verifyProgress);
    sync.verify();
    if (!QTest::qWaitFor([&] { return finished.size() == 1; }, kWait) || !failures.isEmpty()) {
        qWarning() << "verify did not finish:" << failures;
        return {{IntegrityIssue::Kind::ChangedLocally, QStringLiteral("verify did not finish")}};
    }
    if (marked)
        *marked = finished.at(0).at(0).toInt();
    if (progress.isEmpty())
        qWarning() << "no progress signalled";
    return issues;
}

void AuditArchiveSyncTest::verify_eventDeletedOnServer_reportedVanished_archiveUnchanged() {
    AuditArchive archive(m_path);
    backfilled(archive, 20);
    const Snapshot before = snapshot(archive);
    // Three in a row, so that with pages of 5 some fall between two pages.
    const QStringList gone{before.ids.at(6), before.ids.at(7), before.ids.at(8)};
    {
        ServerDb db(m_server->dataDir());
        const QString error = db.exec(QStringLiteral("DROP TRIGGER audit_events_no_delete"));
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const QString deleted =
            db.exec(QStringLiteral("DELETE FROM audit_events WHERE event_id IN ('%1')")
                        .arg(gone.join(QStringLiteral("', '"))));
        QVERIFY2(deleted.isEmpty(), qPrintable(deleted));
    }
    const std::vector<IntegrityIssue> issues = verified(archive);
    std::vector<IntegrityIssue> expected;
    for (const QString& id : gone)
        expected.push_back({IntegrityIssue::Kind::VanishedOnServer, id});
    QCOMPARE(issues, expected);
    QCOMPARE(snapshot(archive), before);
    QVERIFY(archive.checkLocal().empty());
}

void AuditArchiveSyncTest::verify_eventChangedOnServer_reportedChanged_archiveUnchanged() {
    AuditArchive archive(m_path);
    backfilled(archive, 20);
    const Snapshot before = snapshot(archive);
    const QString changed = before.ids.at(10);
    {
        ServerDb db(m_server->dataDir());
        const QString error = db.exec(QStringLiteral("DROP TRIGGER audit_events_no_update"));
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const QString updated =
            db.exec(QStringLiteral("UPDATE audit_events SET ip = '192.0.2.66' WHERE event_id = "
                                   "'%1'")
                        .arg(changed));
        QVERIFY2(updated.isEmpty(), qPrintable(updated));
    }
    const std::vector<IntegrityIssue> expected{{IntegrityIssue::Kind::ChangedOnServer, changed}};
    QCOMPARE(verified(archive), expected);
    QCOMPARE(snapshot(archive), before);
    QVERIFY(archive.checkLocal().empty());
    ArchiveQuery q;
    q.text = QStringLiteral("\"192.0.2.66\"");
    QVERIFY(archive.read(q).batch.records.empty()); // the archived copy is kept
}

void AuditArchiveSyncTest::verify_afterBackfillDone_marksEventsTheServerPrunedSince() {
    server::ServerOptions options = test::TestServer::fastOptions();
    options.auditMaxEvents = 30;
    restartServer(options);
    AuditArchive archive(m_path);
    backfilled(archive, 15);
    const Snapshot before = snapshot(archive);
    QVERIFY(std::none_of(before.beyond.cbegin(), before.beyond.cend(), [](bool b) { return b; }));
    // 20 more events: the server keeps its newest 30, dropping the oldest archived ones.
    m_answered = 0;
    traffic(20);
    QTRY_COMPARE_WITH_TIMEOUT(m_answered, 20, kWait);
    const QStringList serverBefore = serverIds();
    qsizetype dropped = 0;
    for (const QString& id : before.ids)
        dropped += serverBefore.contains(id) ? 0 : 1;
    QVERIFY(dropped > 0 && dropped < before.ids.size());

    int marked = -1;
    QCOMPARE(verified(archive, &marked), std::vector<IntegrityIssue>{}); // pruned: not vanished
    const Snapshot after = snapshot(archive);
    QCOMPARE(after.ids, before.ids); // kept, only marked
    QVERIFY2(marked >= dropped, qPrintable(QStringLiteral("%1 %2").arg(marked).arg(dropped)));
    // The marked ones are the oldest archived, and the server has none of them.
    const QStringList serverAfter = serverIds();
    const auto firstMarked = static_cast<qsizetype>(after.ids.size() - marked);
    for (qsizetype i = 0; i < after.ids.size(); ++i) {
        QCOMPARE(bool(after.beyond[static_cast<std::size_t>(i)]), i >= firstMarked);
        if (i >= firstMarked)
            QVERIFY(!serverAfter.contains(after.ids.at(i)));
    }
    QVERIFY(archive.checkLocal().empty());
}

void AuditArchiveSyncTest::verify_untouchedLogWhileEventsArrive_reportsNothing() {
    AuditArchive archive(m_path);
    backfilled(archive, 25);
    AuditArchiveSync head(m_client.get(), &archive);
    head.setPageSize(5);
    AuditArchiveSync sync(m_client.get(), &archive);
    sync.setPageSize(3);
    std::vector<IntegrityIssue> issues;
    connect(&sync, &AuditArchiveSync::verifyIssues, this,
            [&](const std::vector<IntegrityIssue>& found) {
                issues.insert(issues.end(), found.begin(), found.end());
            });
    QSignalSpy finished(&sync, &AuditArchiveSync::verifyFinished);
    QSignalSpy failed(&sync, &AuditArchiveSync::failed);
    // Each page read, more requests in flight and the newest events synced into the archive:
    // they land above the walk's first page, both on the server and in the archive.
    connect(&sync, &AuditArchiveSync::verifyProgress, this, [&] {
        traffic(4);
        if (!head.isBusy())
            head.syncNewest();
    });
    m_answered = 0;
    traffic(6);
    sync.verify();
    QVERIFY(QTest::qWaitFor([&] { return finished.size() == 1 || failed.size() > 0; }, kWait));
    QCOMPARE(failed.size(), 0);
    QCOMPARE(finished.at(0).at(0).toInt(), 0);
    QCOMPARE(issues, std::vector<IntegrityIssue>{});
    QVERIFY(waitIdle(head));
    QVERIFY(archive.count() > 25 + 6);
    // And once more, over the archive the head walk has grown meanwhile.
    QCOMPARE(verified(archive), std::vector<IntegrityIssue>{});
    QVERIFY(archive.checkLocal().empty());
}

void AuditArchiveSyncTest::verify_cancelled_leavesArchiveUnchanged() {
    server::ServerOptions options = test::TestServer::fastOptions();
    options.auditMaxEvents = 30;
    restartServer(options);
    AuditArchive archive(m_path);
    backfilled(archive, 15);
    m_answered = 0;
    traffic(20); // the server drops the oldest archived events: a finished walk would mark them
    QTRY_COMPARE_WITH_TIMEOUT(m_answered, 20, kWait);
    const Snapshot before = snapshot(archive);
    {
        AuditArchiveSync sync(m_client.get(), &archive);
        sync.setPageSize(5);
        QSignalSpy finished(&sync, &AuditArchiveSync::verifyFinished);
        int pages = 0;
        connect(&sync, &AuditArchiveSync::verifyProgress, this, [&] {
            if (++pages == 2)
                sync.cancel();
        });
        sync.verify();
        QVERIFY(QTest::qWaitFor([&] { return pages >= 2; }, kWait));
        QVERIFY(!sync.isBusy());
        QCOMPARE(finished.size(), 0);
    }
    QCOMPARE(snapshot(archive), before);
    QVERIFY(!archive.lastVerified().isValid());
    // Run to its end, it marks them.
    int marked = 0;
    QCOMPARE(verified(archive, &marked), std::vector<IntegrityIssue>{});
    QVERIFY(marked > 0);
}

QTEST_GUILESS_MAIN(AuditArchiveSyncTest)
#include "tst_auditarchivesync.moc"
