// The archive kept in step with a real sandbox through the audit page loader: the head
// walk while events are being written (no event twice, none skipped), and a backfill
// cancelled and resumed after a restart.
#include "AuditArchiveSync.h"
#include "AuditPageSax.h"
#include "LegbaClient.h"
#include "TestServer.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace legba;
using namespace std::chrono_literals;

namespace {

constexpr int kWait = 15000;

QStringList ids(const audit::AuditBatch& batch) {
    QStringList out;
    for (const audit::AuditRecord& r : batch.records) {
        const std::string_view id = batch.uniqueOf(r).eventId;
        out << QString::fromUtf8(id.data(), static_cast<qsizetype>(id.size()));
    }
    return out;
}

QStringList archivedIds(const AuditArchive& archive) {
    ArchiveQuery q;
    q.limit = 100000;
    return ids(archive.read(q).batch);
}

} // namespace

class AuditArchiveSyncTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void syncNewest_whileEventsArrive_noDuplicateNoGap();
    void backfill_cancelledAndRestarted_resumesFromItsCursor();

private:
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
    QStringList out;
    AuditQuery query;
    query.limit = 1000;
    do {
        std::optional<Result<QByteArray>> body;
        m_client->auditLogRaw(query, this,
                              [&](Result<QByteArray> r) { body.emplace(std::move(r)); });
        if (!QTest::qWaitFor([&] { return body.has_value(); }, kWait) || !body->ok())
            return {};
        const audit::AuditBatch page = audit::parseAuditPage(body->value());
        out << ids(page);
        query.cursor = page.nextCursor;
    } while (!query.cursor.isEmpty());
    return out;
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

QTEST_GUILESS_MAIN(AuditArchiveSyncTest)
#include "tst_auditarchivesync.moc"
