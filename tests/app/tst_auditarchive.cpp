// The local audit archive on a real SQLite file in a temporary directory: storing pages
// (idempotent, in the server's order), paging newest first, the structured filters and the
// full-text search, integrity against a tampered file and a tampered server copy,
// retention, the file's mode, the migration from version 1, and a canary: a sandbox's
// audit log read through the API is archived and the file holds no key.
#include "AuditArchive.h"
#include "AuditPageSax.h"
#include "Json.h"
#include "KeyFormat.h"
#include "LegbaClient.h"
#include "TestServer.h"
#include "Wait.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>
#include <QUuid>
#include <functional>

using namespace legba;
using namespace std::chrono_literals;

namespace {

constexpr qint64 kBaseMs = 1'750'000'000'000;

// Event i happened at kBaseMs + i seconds: a larger i is newer.
AuditEvent ev(int i) {
    static const char* const actions[] = {"api.request", "auth.failed", "instance.created",
                                          "api_key.revoked", "api_key.created"};
    AuditEvent e;
    e.eventId = QStringLiteral("evt_%1").arg(i, 6, 10, QLatin1Char('0'));
    e.occurredAt = QDateTime::fromMSecsSinceEpoch(kBaseMs + qint64(i) * 1000, QTimeZone::utc());
    e.action = QString::fromLatin1(actions[i % 5]);
    const bool failed = e.action == QLatin1String("auth.failed") || i % 7 == 0;
    e.outcome = failed ? AuditOutcome::Failure : AuditOutcome::Success;
    e.statusCode = e.action == QLatin1String("auth.failed") ? 401 : (failed ? 403 : 200);
    if (e.action != QLatin1String("auth.failed"))
        e.actor = AuditActor{QStringLiteral("key_%1").arg(i % 3),
                             i % 3 == 0 ? QStringLiteral("Grafana exporter")
                                        : QStringLiteral("CI pipeline %1").arg(i % 3),
                             QStringLiteral("legba_P%1").arg(i % 3)};
    if (e.action == QLatin1String("instance.created"))
        e.target = AuditTarget{QStringLiteral("instance"), QStringLiteral("uuid-%1").arg(i)};
    e.ip = QStringLiteral("198.51.100.%1").arg(i % 20);
    e.userAgent = i % 2 ? QStringLiteral("curl/8.0") : QStringLiteral("legba-python/1.4");
    e.requestId = QStringLiteral("req_%1").arg(i * 7919, 8, 16, QLatin1Char('0'));
    e.detailsJson = i == 42 ? QByteArrayLiteral("{\"note\":\"zanzibar quartz\",\"route\":\"/x\"}")
                            : QByteArrayLiteral("{\"route\":\"/x\"}");
    return e;
}

// Events newest first from `newest` down to `oldest` (inclusive), as the server sends them.
audit::AuditBatch page(int newest, int oldest, const QString& nextCursor = {},
                       const std::function<void(AuditEvent&)>& change = {}) {
    AuditPage p;
    for (int i = newest; i >= oldest; --i) {
        p.events.push_back(ev(i));
        if (change)
            change(p.events.back());
    }
    p.nextCursor = nextCursor;
    return audit::parseAuditPage(json::dump(json::toJson(p)));
}

QStringList ids(const ArchivePage& p) {
    QStringList out;
    for (std::size_t i = 0; i < p.batch.records.size(); ++i) {
        const std::string_view id = p.batch.view(i).strings().eventId;
        out << QString::fromUtf8(id.data(), static_cast<qsizetype>(id.size()));
    }
    return out;
}

QStringList idRange(int newest, int oldest) {
    QStringList out;
    for (int i = newest; i >= oldest; --i)
        out << ev(i).eventId;
    return out;
}

// A second connection to the file, as another program (or a person with sqlite3) would.
class RawFile {
public:
    explicit RawFile(const QString& path)
        : m_name(QUuid::createUuid().toString()) {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        db.setDatabaseName(path);
        db.open();
    }
    ~RawFile() {
        QSqlDatabase::database(m_name, false).close();
        QSqlDatabase::removeDatabase(m_name);
    }
    bool exec(const QString& sql) {
        QSqlQuery q(QSqlDatabase::database(m_name));
        if (!q.exec(sql))
            qWarning() << sql << q.lastError().text();
        return !q.lastError().isValid();
    }
    QSqlDatabase db() const { return QSqlDatabase::database(m_name); }
    QVariant scalar(const QString& sql) {
        QSqlQuery q(QSqlDatabase::database(m_name));
        return q.exec(sql) && q.next() ? q.value(0) : QVariant();
    }

private:
    QString m_name;
};

} // namespace

class AuditArchiveTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void pathFor_isPerProfileInsideTheDataDir();
    void newFile_isOwnerOnly_andWal();
    void removeFiles_deletesTheFileAndItsJournal();
    void storeNewer_isIdempotentByEventId_andKeepsServerOrder();
    void storeNewer_afterSync_appendsAboveTheNewest();
    void storeNewer_storesNothingBelowTheNewestArchived();
    void backfill_cursorSurvivesRestart_andEndsWhenServerHasNoMore();
    void read_pagesNewestFirstByKeyset();
    void read_filtersByTimeActorActionOutcome();
    void read_fullText_phrasePrefixDetailsAndFields();
    void read_fullText_combinesWithFiltersAndPaging();
    void read_malformedTextQuery_isAClearError();
    void integrity_tamperedFile_isReported();
    void integrity_serverCopyDiffers_isReported_andArchiveUnchanged();
    void integrity_eventVanishedOnServer_isReported();
    void integrity_walk_findsEventsVanishedBetweenPagesAndSkipsNewerOnes();
    void retention_marksEventsOlderThanServersOldest();
    void migration_fromVersion1_keepsEventsAndOrder();
    void migration_unreadableEvent_isAnError_andLeavesTheFile();
    void migration_fromVersion2_compactsAndKeepsEventsSearchable();
    void newerSchema_isRefusedByName();
    void canary_archivedSandboxLog_holdsNoKey();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_path;
};

void AuditArchiveTest::init() {
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_path = AuditArchive::pathFor(QStringLiteral("7a0c4bde-1111-4222-8333-944455556666"),
                                   m_dir->path());
}

void AuditArchiveTest::cleanup() {
    m_dir.reset();
}

void AuditArchiveTest::pathFor_isPerProfileInsideTheDataDir() {
    QCOMPARE(m_path,
             m_dir->path() + QStringLiteral("/audit/7a0c4bde-1111-4222-8333-944455556666.sqlite"));
    const QString odd = AuditArchive::pathFor(QStringLiteral("../x"), m_dir->path());
    QVERIFY(odd.startsWith(m_dir->path() + QStringLiteral("/audit/")));
    QVERIFY(!odd.contains(QStringLiteral("..")));
}

void AuditArchiveTest::newFile_isOwnerOnly_andWal() {
    {
        AuditArchive archive(m_path);
        archive.storeNewer(page(9, 0));
        const auto ownerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
        const auto mask = QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                          QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup |
                          QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther;
        QCOMPARE(QFile::permissions(m_path) & mask, ownerOnly);
        QCOMPARE(QFile::permissions(QFileInfo(m_path).absolutePath()) & mask,
                 ownerOnly | QFileDevice::ExeOwner);
        QVERIFY(QFile::exists(m_path + QStringLiteral("-wal")));
        QCOMPARE(QFile::permissions(m_path + QStringLiteral("-wal")) & mask, ownerOnly);
    }
    RawFile raw(m_path);
    QCOMPARE(raw.scalar(QStringLiteral("PRAGMA journal_mode")).toString(), QStringLiteral("wal"));
    QCOMPARE(raw.scalar(QStringLiteral("PRAGMA user_version")).toInt(),
             AuditArchive::kSchemaVersion);
}

void AuditArchiveTest::removeFiles_deletesTheFileAndItsJournal() {
    {
        AuditArchive archive(m_path);
        archive.storeNewer(page(9, 0));
        QVERIFY(QFile::exists(m_path + QStringLiteral("-wal")));
    }
    QVERIFY(AuditArchive::removeFiles(m_path));
    for (const char* suffix : {"", "-wal", "-shm"})
        QVERIFY(!QFile::exists(m_path + QLatin1String(suffix)));
    QVERIFY(AuditArchive::removeFiles(m_path)); // nothing left to remove
}

void AuditArchiveTest::storeNewer_isIdempotentByEventId_andKeepsServerOrder() {
    AuditArchive archive(m_path);
    const StoreResult first = archive.storeNewer(page(49, 0, QStringLiteral("c1")));
    QCOMPARE(first.inserted, 50);
    QCOMPARE(first.duplicates, 0);
    const StoreResult again = archive.storeNewer(page(49, 0, QStringLiteral("c1")));
    QCOMPARE(again.inserted, 0);
    QCOMPARE(again.duplicates, 50);
    QVERIFY(again.changed.isEmpty());
    QCOMPARE(archive.count(), qint64{50});
    QCOMPARE(archive.newestEventId(), ev(49).eventId);
    QCOMPARE(archive.oldestEventId(), ev(0).eventId);
    ArchiveQuery all;
    all.limit = 100;
    QCOMPARE(ids(archive.read(all)), idRange(49, 0));
}

void AuditArchiveTest::storeNewer_afterSync_appendsAboveTheNewest() {
    AuditArchive archive(m_path);
    archive.storeNewer(page(19, 0, QStringLiteral("c1")));
    // Two pages of newer events, the second reaching down into what is archived.
    const audit::AuditBatch top = page(40, 31, QStringLiteral("c2"));
    const audit::AuditBatch next = page(30, 15, QStringLiteral("c3"));
    const StoreResult result = archive.storeNewer({&top, &next});
    QCOMPARE(result.inserted, 21);
    QCOMPARE(result.duplicates, 5);
    QCOMPARE(archive.newestEventId(), ev(40).eventId);
    ArchiveQuery all;
    all.limit = 100;
    QCOMPARE(ids(archive.read(all)), idRange(40, 0));
    // The first sync's cursor stays the backfill's: a later head sync does not move it.
    QCOMPARE(archive.backfillCursor(), QStringLiteral("c1"));
}

void AuditArchiveTest::storeNewer_storesNothingBelowTheNewestArchived() {
    AuditArchive archive(m_path);
    archive.storeNewer(page(19, 15, QStringLiteral("c1")));
    // A head sync whose page reaches past the archived events: 14..0 are the backfill's.
    const StoreResult result = archive.storeNewer(page(25, 0, QStringLiteral("c2")));
    QCOMPARE(result.inserted, 6);
    QCOMPARE(result.duplicates, 5);
    QCOMPARE(result.notStored, 15);
    QCOMPARE(archive.backfillCursor(), QStringLiteral("c1"));
    archive.storeOlder(page(14, 0));
    ArchiveQuery all;
    all.limit = 100;
    QCOMPARE(ids(archive.read(all)), idRange(25, 0));
}

void AuditArchiveTest::backfill_cursorSurvivesRestart_andEndsWhenServerHasNoMore() {
    {
        AuditArchive archive(m_path);
        archive.storeNewer(page(99, 80, QStringLiteral("cursor-80")));
        QCOMPARE(archive.backfillCursor(), QStringLiteral("cursor-80"));
        QVERIFY(!archive.backfillDone());
        archive.storeOlder(page(79, 60, QStringLiteral("cursor-60")));
    }
    {
        AuditArchive reopened(m_path);
        QCOMPARE(reopened.backfillCursor(), QStringLiteral("cursor-60"));
        QCOMPARE(reopened.oldestEventId(), ev(60).eventId);
        const StoreResult last = reopened.storeOlder(page(59, 0));
        QCOMPARE(last.inserted, 60);
        QVERIFY(reopened.backfillDone());
        QVERIFY(reopened.backfillCursor().isEmpty());
        ArchiveQuery all;
        all.limit = 1000;
        QCOMPARE(ids(reopened.read(all)), idRange(99, 0));
    }
}

void AuditArchiveTest::read_pagesNewestFirstByKeyset() {
    AuditArchive archive(m_path);
    archive.storeNewer(page(449, 0));
    ArchiveQuery q;
    QStringList seen;
    int pages = 0;
    do {
        const ArchivePage p = archive.read(q);
        QCOMPARE(p.sequences.size(), p.batch.records.size());
        seen << ids(p);
        q.before = p.next;
        ++pages;
    } while (q.before != 0);
    QCOMPARE(pages, 3);
    QCOMPARE(seen, idRange(449, 0));
    // A page read while newer events arrive keeps its place.
    ArchiveQuery first;
    first.limit = 10;
    const ArchivePage top = archive.read(first);
    archive.storeNewer(page(460, 450));
    ArchiveQuery second = first;
    second.before = top.next;
    QCOMPARE(ids(archive.read(second)), idRange(439, 430));
}

void AuditArchiveTest::read_filtersByTimeActorActionOutcome() {
    AuditArchive archive(m_path);
    archive.storeNewer(page(99, 0));
    auto check = [&](const ArchiveQuery& base, const std::function<bool(const AuditEvent&)>& keep) {
        QStringList expected;
        for (int i = 99; i >= 0; --i)
            if (keep(ev(i)))
                expected << ev(i).eventId;
        ArchiveQuery q = base;
        q.limit = 1000;
        const ArchivePage p = archive.read(q);
        QCOMPARE(ids(p), expected);
        QVERIFY(!expected.isEmpty());
        // The rows come back whole: the same event as the server's.
        const QStringList got = ids(p);
        for (std::size_t i = 0; i < p.batch.records.size(); ++i)
            QCOMPARE(p.batch.event(i), ev(got[int(i)].mid(4).toInt()));
    };
    ArchiveQuery range;
    range.since = ev(20).occurredAt;
    range.until = ev(30).occurredAt;
    check(range, [](const AuditEvent& e) {
        return e.occurredAt >= ev(20).occurredAt && e.occurredAt < ev(30).occurredAt;
    });
    ArchiveQuery actor;
    actor.actorKeyId = QStringLiteral("key_1");
    check(actor,
          [](const AuditEvent& e) { return e.actor && e.actor->keyId == QLatin1String("key_1"); });
    ArchiveQuery exact;
    exact.action = QStringLiteral("api_key.revoked");
    check(exact, [](const AuditEvent& e) { return e.action == QLatin1String("api_key.revoked"); });
    ArchiveQuery prefix;
    prefix.action = QStringLiteral("api_key.");
    check(prefix,
          [](const AuditEvent& e) { return e.action.startsWith(QLatin1String("api_key.")); });
    ArchiveQuery failures;
    failures.success = false;
    check(failures, [](const AuditEvent& e) { return e.outcome == AuditOutcome::Failure; });
    ArchiveQuery both;
    both.success = true;
    both.action = QStringLiteral("api.request");
    both.actorKeyId = QStringLiteral("key_0");
    check(both, [](const AuditEvent& e) {
        return e.outcome == AuditOutcome::Success && e.action == QLatin1String("api.request") &&
               e.actor->keyId == QLatin1String("key_0");
    });
}

void AuditArchiveTest::read_fullText_phrasePrefixDetailsAndFields() {
    AuditArchive archive(m_path);
    archive.storeNewer(page(99, 0));
    auto search = [&](const QString& text) {
        ArchiveQuery q;
        q.text = text;
        q.limit = 1000;
        return ids(archive.read(q));
    };
    auto expected = [](const std::function<bool(int)>& keep) {
        QStringList out;
        for (int i = 99; i >= 0; --i)
            if (keep(i))
                out << ev(i).eventId;
        return out;
    };
    // A word only in one event's details.
    QCOMPARE(search(QStringLiteral("zanzibar")), QStringList{ev(42).eventId});
    // A phrase: both words, in order, next to each other.
    QCOMPARE(search(QStringLiteral("\"zanzibar quartz\"")), QStringList{ev(42).eventId});
    QVERIFY(search(QStringLiteral("\"quartz zanzibar\"")).isEmpty());
    QCOMPARE(search(QStringLiteral("\"Grafana exporter\"")),
             expected([](int i) { return i % 5 != 1 && i % 3 == 0; }));
    // A prefix.
    QCOMPARE(search(QStringLiteral("zanz*")), QStringList{ev(42).eventId});
    QCOMPARE(search(QStringLiteral("graf*")), search(QStringLiteral("grafana")));
    // Each field: request id, IP, user agent, action, target id.
    QCOMPARE(search(QStringLiteral("\"") + ev(17).requestId + QStringLiteral("\"")),
             QStringList{ev(17).eventId});
    QCOMPARE(search(QStringLiteral("\"198.51.100.13\"")),
             expected([](int i) { return i % 20 == 13; }));
    QCOMPARE(search(QStringLiteral("curl")), expected([](int i) { return i % 2 == 1; }));
    QCOMPARE(search(QStringLiteral("\"api_key.revoked\"")),
             expected([](int i) { return i % 5 == 3; }));
    QCOMPARE(search(QStringLiteral("\"uuid-37\"")), QStringList{ev(37).eventId});
    QVERIFY(search(QStringLiteral("nothinglikethis")).isEmpty());
}

void AuditArchiveTest::read_fullText_combinesWithFiltersAndPaging() {
    AuditArchive archive(m_path);
    archive.storeNewer(page(299, 0));
    ArchiveQuery q;
    q.text = QStringLiteral("curl");
    q.success = true;
    q.limit = 40;
    QStringList seen;
    do {
        const ArchivePage p = archive.read(q);
        seen << ids(p);
        q.before = p.next;
    } while (q.before != 0);
    QStringList expected;
    for (int i = 299; i >= 0; --i)
        if (i % 2 == 1 && ev(i).outcome == AuditOutcome::Success)
            expected << ev(i).eventId;
    QCOMPARE(seen, expected);
}

void AuditArchiveTest::read_malformedTextQuery_isAClearError() {
    AuditArchive archive(m_path);
    archive.storeNewer(page(9, 0));
    ArchiveQuery q;
    q.text = QStringLiteral("\"unbalanced");
    try {
        archive.read(q);
        QFAIL("a malformed query was accepted");
    } catch (const ArchiveError& e) {
        const QString what = QString::fromUtf8(e.what());
        QVERIFY2(what.startsWith(QStringLiteral("search \"\"unbalanced\": ")) &&
                     what.contains(QStringLiteral("unterminated string")),
                 e.what());
    }
}

void AuditArchiveTest::integrity_tamperedFile_isReported() {
    {
        AuditArchive archive(m_path);
        archive.storeNewer(page(29, 0));
        QVERIFY(archive.checkLocal().empty());
    }
    {
        RawFile raw(m_path);
        QVERIFY(raw.exec(QStringLiteral("UPDATE events SET status = 200 WHERE event_id = '%1'")
                             .arg(ev(7).eventId)));
        QVERIFY(raw.exec(QStringLiteral("UPDATE events SET request_id = 'req_forged' WHERE "
                                        "event_id = '%1'")
                             .arg(ev(12).eventId)));
    }
    AuditArchive archive(m_path);
    const std::vector<IntegrityIssue> expected{
        {IntegrityIssue::Kind::ChangedLocally, ev(12).eventId},
        {IntegrityIssue::Kind::ChangedLocally, ev(7).eventId}};
    QCOMPARE(archive.checkLocal(), expected);
}

void AuditArchiveTest::integrity_serverCopyDiffers_isReported_andArchiveUnchanged() {
    AuditArchive archive(m_path);
    archive.storeNewer(page(29, 0));
    const audit::AuditBatch forged = page(29, 10, {}, [](AuditEvent& e) {
        if (e.eventId == ev(15).eventId)
            e.ip = QStringLiteral("192.0.2.66");
    });
    const std::vector<IntegrityIssue> expected{
        {IntegrityIssue::Kind::ChangedOnServer, ev(15).eventId}};
    QCOMPARE(archive.compareWithServer(forged), expected);
    QVERIFY(archive.compareWithServer(page(29, 10)).empty());
    // Storing the server's copy reports it and keeps the archived one.
    const StoreResult stored = archive.storeNewer(forged);
    QCOMPARE(stored.inserted, 0);
    QCOMPARE(stored.changed, QStringList{ev(15).eventId});
    ArchiveQuery q;
    q.text = QStringLiteral("\"192.0.2.66\"");
    QVERIFY(archive.read(q).batch.records.empty());
    q.text = QStringLiteral("\"198.51.100.15\"");
    QCOMPARE(ids(archive.read(q)), QStringList{ev(15).eventId});
    QVERIFY(archive.checkLocal().empty());
}

void AuditArchiveTest::integrity_eventVanishedOnServer_isReported() {
    AuditArchive archive(m_path);
    archive.storeNewer(page(29, 0));
    AuditPage p;
    for (int i = 25; i >= 15; --i)
        if (i != 20)
            p.events.push_back(ev(i));
    const audit::AuditBatch gap = audit::parseAuditPage(json::dump(json::toJson(p)));
    const std::vector<IntegrityIssue> expected{
        {IntegrityIssue::Kind::VanishedOnServer, ev(20).eventId}};
    QCOMPARE(archive.compareWithServer(gap), expected);
    QCOMPARE(archive.count(), qint64{30});
}

void AuditArchiveTest::integrity_walk_findsEventsVanishedBetweenPagesAndSkipsNewerOnes() {
    AuditArchive archive(m_path);
    archive.storeNewer(page(29, 0));
    qint64 ceiling = archive.newestSequence();
    // The server's newest events are newer than the archive's (32..30: not compared); 29 and
    // 28 vanished above the first page's archived events, 19 between two pages, 9 between the
    // last two. Each page alone would miss all of them.
    AuditPage first;
    for (int i = 34; i >= 30; --i)
        first.events.push_back(ev(i));
    for (int i = 27; i >= 20; --i)
        first.events.push_back(ev(i));
    const std::vector<IntegrityIssue> top =
        archive.compareWithServer(audit::parseAuditPage(json::dump(json::toJson(first))), &ceiling);
    const std::vector<IntegrityIssue> vanishedAbove{
        {IntegrityIssue::Kind::VanishedOnServer, ev(29).eventId},
        {IntegrityIssue::Kind::VanishedOnServer, ev(28).eventId}};
    QCOMPARE(top, vanishedAbove);
    const std::vector<IntegrityIssue> between{
        {IntegrityIssue::Kind::VanishedOnServer, ev(19).eventId}};
    QCOMPARE(archive.compareWithServer(page(18, 10), &ceiling), between);
    const std::vector<IntegrityIssue> last{{IntegrityIssue::Kind::VanishedOnServer, ev(9).eventId}};
    QCOMPARE(archive.compareWithServer(page(8, 5), &ceiling), last);
    // Events 4..0 (below the server's oldest) are the retention's, not reported: the walk's
    // ceiling is just below event 5.
    QCOMPARE(archive.markBeyondRetentionThrough(ceiling), 5);
    QCOMPARE(archive.markBeyondRetention(ev(5).eventId), 0);
    QCOMPARE(archive.count(), qint64{30});
    // A page of events newer than the archive alone: nothing to compare, the walk goes on.
    qint64 fresh = archive.newestSequence();
    QVERIFY(archive.compareWithServer(page(40, 30), &fresh).empty());
    QCOMPARE(fresh, archive.newestSequence());
}

void AuditArchiveTest::retention_marksEventsOlderThanServersOldest() {
    AuditArchive archive(m_path);
    archive.storeNewer(page(29, 0));
    QCOMPARE(archive.markBeyondRetention(ev(10).eventId), 10);
    QCOMPARE(archive.markBeyondRetention(ev(10).eventId), 0);
    QCOMPARE(archive.markBeyondRetention(QStringLiteral("evt_unknown")), -1);
    ArchiveQuery q;
    q.limit = 100;
    const ArchivePage p = archive.read(q);
    QCOMPARE(p.beyondRetention.size(), std::size_t{30});
    for (std::size_t i = 0; i < 30; ++i)
        QCOMPARE(bool(p.beyondRetention[i]), 29 - int(i) < 10);
    QCOMPARE(archive.count(), qint64{30}); // kept, only marked
}

void AuditArchiveTest::migration_fromVersion1_keepsEventsAndOrder() {
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    {
        RawFile raw(m_path);
        QVERIFY(raw.exec(
            QStringLiteral("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)")));
        QVERIFY(
            raw.exec(QStringLiteral("CREATE TABLE events(seq INTEGER PRIMARY KEY, event_id TEXT "
                                    "NOT NULL UNIQUE, json TEXT NOT NULL)")));
        QVERIFY(
            raw.exec(QStringLiteral("INSERT INTO meta VALUES('backfill_cursor', 'old-cursor')")));
        QVERIFY(raw.exec(QStringLiteral("BEGIN")));
        for (int i = 0; i < 1500; ++i) {
            std::string json;
            const audit::AuditBatch one = page(i, i);
            one.view(0).appendJson(json);
            QVERIFY(
                raw.exec(QStringLiteral("INSERT INTO events VALUES(%1, '%2', '%3')")
                             .arg(i + 1)
                             .arg(ev(i).eventId, QString::fromStdString(json).replace(
                                                     QLatin1Char('\''), QStringLiteral("''")))));
        }
        QVERIFY(raw.exec(QStringLiteral("COMMIT")));
        QVERIFY(raw.exec(QStringLiteral("PRAGMA user_version = 1")));
    }
    AuditArchive archive(m_path);
    QCOMPARE(archive.count(), qint64{1500});
    QCOMPARE(archive.backfillCursor(), QStringLiteral("old-cursor"));
    QCOMPARE(archive.newestEventId(), ev(1499).eventId);
    ArchiveQuery q;
    q.limit = 2000;
    const ArchivePage p = archive.read(q);
    QCOMPARE(ids(p), idRange(1499, 0));
    QCOMPARE(p.batch.event(1499 - 42), ev(42));
    q.text = QStringLiteral("zanzibar");
    QCOMPARE(ids(archive.read(q)), QStringList{ev(42).eventId});
    QVERIFY(archive.checkLocal().empty());
    RawFile raw(m_path);
    QCOMPARE(raw.scalar(QStringLiteral("PRAGMA user_version")).toInt(),
             AuditArchive::kSchemaVersion);
    QCOMPARE(
        raw.scalar(QStringLiteral("SELECT count(*) FROM sqlite_master WHERE name = 'events_v1'"))
            .toInt(),
        0);
}

// A version 2 file written as version 2 did: full SHA-256 digests, request ids as text and
// in the FTS index with details' keys.
void writeVersion2(RawFile& raw, int count) {
    for (const char* sql :
         {"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)",
          "CREATE TABLE strings(id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE)",
          "INSERT INTO strings(id, text) VALUES(0, '')",
          "CREATE TABLE actors(id INTEGER PRIMARY KEY, key_id INTEGER NOT NULL, name INTEGER "
          "NOT NULL, prefix INTEGER NOT NULL, UNIQUE(key_id, name, prefix))",
          "CREATE TABLE events(seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE,"
          " occurred_ms INTEGER NOT NULL, actor INTEGER NOT NULL, action INTEGER NOT NULL,"
          " outcome INTEGER NOT NULL, status INTEGER NOT NULL, ip INTEGER NOT NULL,"
          " user_agent INTEGER NOT NULL, request_id TEXT NOT NULL, target_type INTEGER,"
          " target_id TEXT, details INTEGER NOT NULL, beyond_retention INTEGER NOT NULL "
          "DEFAULT 0, digest BLOB NOT NULL)",
          "CREATE VIRTUAL TABLE events_fts USING fts5(text, content='', columnsize=0, "
          "detail=full)",
          "INSERT INTO meta VALUES('backfill_cursor', 'v2-cursor')", "BEGIN"})
        QVERIFY(raw.exec(QString::fromLatin1(sql)));
    auto text = [](std::string_view s) {
        return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
    };
    auto intern = [&](std::string_view s) -> qint64 {
        if (s.empty())
            return 0;
        QSqlQuery q(raw.db());
        q.prepare(QStringLiteral("INSERT OR IGNORE INTO strings(text) VALUES(?)"));
        q.bindValue(0, text(s));
        q.exec();
        q.prepare(QStringLiteral("SELECT id FROM strings WHERE text = ?"));
        q.bindValue(0, text(s));
        q.exec();
        return q.next() ? q.value(0).toLongLong() : -1;
    };
    for (int i = 0; i < count; ++i) {
        const audit::AuditBatch one = page(i, i);
        const audit::RecordView view = one.view(0);
        const audit::RecordStrings& s = view.strings();
        qint64 actor = 0;
        if (s.hasActor) {
            const qint64 ids[] = {intern(s.actorKeyId), intern(s.actorName), intern(s.actorPrefix)};
            QSqlQuery q(raw.db());
            q.prepare(QStringLiteral("INSERT OR IGNORE INTO actors(key_id, name, prefix) "
                                     "VALUES(?, ?, ?)"));
            for (int k = 0; k < 3; ++k)
                q.bindValue(k, ids[k]);
            QVERIFY(q.exec());
            q.prepare(QStringLiteral(
                "SELECT id FROM actors WHERE key_id = ? AND name = ? AND prefix = ?"));
            for (int k = 0; k < 3; ++k)
                q.bindValue(k, ids[k]);
            QVERIFY(q.exec() && q.next());
            actor = q.value(0).toLongLong();
        }
        std::string json;
        view.appendJson(json);
        QSqlQuery q(raw.db());
        q.prepare(QStringLiteral(
            "INSERT INTO events(seq, event_id, occurred_ms, actor, action, outcome, status, ip,"
            " user_agent, request_id, target_type, target_id, details, digest)"
            " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
        const bool target = view.record().hasTarget();
        const QVariantList values = {
            i + 1,
            text(s.eventId),
            view.record().occurredMs,
            actor,
            intern(s.action),
            intern(view.outcome()),
            view.record().statusCode,
            intern(s.ip),
            intern(s.userAgent),
            text(s.requestId),
            target ? QVariant(intern(s.targetType)) : QVariant(),
            target ? QVariant(text(s.targetId)) : QVariant(),
            intern(s.details),
            QCryptographicHash::hash(QByteArray::fromStdString(json), QCryptographicHash::Sha256)};
        for (int k = 0; k < values.size(); ++k)
            q.bindValue(k, values[k]);
        QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
        q.prepare(QStringLiteral("INSERT INTO events_fts(rowid, text) VALUES(?, ?)"));
        q.bindValue(0, i + 1);
        q.bindValue(1,
                    QStringList{text(s.actorName), text(s.action), text(view.outcome()), text(s.ip),
                                text(s.userAgent), text(s.requestId), text(s.details)}
                        .join(QLatin1Char(' ')));
        QVERIFY(q.exec());
    }
    QVERIFY(raw.exec(QStringLiteral("COMMIT")));
    QVERIFY(raw.exec(QStringLiteral("PRAGMA user_version = 2")));
}

void AuditArchiveTest::migration_fromVersion2_compactsAndKeepsEventsSearchable() {
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    {
        RawFile raw(m_path);
        writeVersion2(raw, 300);
        if (QTest::currentTestFailed())
            return;
        // Before: the request id and the details' keys are words of the index.
        QCOMPARE(raw.scalar(QStringLiteral("SELECT count(*) FROM events_fts WHERE events_fts "
                                           "MATCH 'route'"))
                     .toInt(),
                 300);
    }
    AuditArchive archive(m_path);
    QCOMPARE(archive.count(), qint64{300});
    QCOMPARE(archive.backfillCursor(), QStringLiteral("v2-cursor"));
    ArchiveQuery q;
    q.limit = 1000;
    const ArchivePage p = archive.read(q);
    QCOMPARE(ids(p), idRange(299, 0));
    for (int i = 0; i < 300; ++i)
        QCOMPARE(p.batch.event(static_cast<std::size_t>(299 - i)), ev(i));
    // The digests, truncated, still match the events: nothing reads as edited.
    QVERIFY(archive.checkLocal().empty());
    auto search = [&](const QString& text) {
        ArchiveQuery s;
        s.text = text;
        s.limit = 1000;
        return ids(archive.read(s));
    };
    // A request id, quoted or not, is found exactly; details by their values, not keys.
    QCOMPARE(search(ev(17).requestId), QStringList{ev(17).eventId});
    QCOMPARE(search(QStringLiteral("\"") + ev(17).requestId + QStringLiteral("\"")),
             QStringList{ev(17).eventId});
    QVERIFY(search(QStringLiteral("req_ffffffff")).isEmpty());
    QCOMPARE(search(QStringLiteral("zanzibar")), QStringList{ev(42).eventId});
    QCOMPARE(search(QStringLiteral("\"zanzibar quartz\"")), QStringList{ev(42).eventId});
    QVERIFY(search(QStringLiteral("note")).isEmpty());
    QCOMPARE(search(QStringLiteral("curl")).size(), 150);
    // The request id filtered too, and paged with the rest.
    q.text = ev(17).requestId;
    q.success = false;
    QVERIFY(ids(archive.read(q)).isEmpty());
    // Stored events after the migration are as they were before it.
    archive.storeNewer(page(301, 299));
    QCOMPARE(archive.count(), qint64{302});
    QCOMPARE(search(ev(301).requestId), QStringList{ev(301).eventId});
    QVERIFY(archive.checkLocal().empty());

    RawFile raw(m_path);
    QCOMPARE(raw.scalar(QStringLiteral("PRAGMA user_version")).toInt(), 3);
    QCOMPARE(raw.scalar(QStringLiteral("SELECT count(*) FROM events WHERE typeof(request_id) = "
                                       "'blob' AND length(request_id) = 4"))
                 .toInt(),
             302);
    QCOMPARE(
        raw.scalar(QStringLiteral("SELECT count(*) FROM events WHERE length(digest) = 16")).toInt(),
        302);
}

void AuditArchiveTest::migration_unreadableEvent_isAnError_andLeavesTheFile() {
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    {
        RawFile raw(m_path);
        QVERIFY(raw.exec(QStringLiteral("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT "
                                        "NULL)")));
        QVERIFY(raw.exec(QStringLiteral("CREATE TABLE events(seq INTEGER PRIMARY KEY, event_id "
                                        "TEXT NOT NULL UNIQUE, json TEXT NOT NULL)")));
        std::string json;
        page(1, 1).view(0).appendJson(json);
        QVERIFY(raw.exec(QStringLiteral("INSERT INTO events VALUES(1, 'evt_000001', '%1')")
                             .arg(QString::fromStdString(json))));
        QVERIFY(raw.exec(QStringLiteral("INSERT INTO events VALUES(2, 'evt_x', "
                                        "'{\"event_id\":\"evt_x\"}')")));
        QVERIFY(raw.exec(QStringLiteral("PRAGMA user_version = 1")));
    }
    try {
        AuditArchive archive(m_path);
        QFAIL("an unreadable version 1 event was migrated");
    } catch (const ArchiveError& e) {
        const QString what = QString::fromUtf8(e.what());
        QVERIFY2(what.contains(m_path) && what.contains(QStringLiteral("version 1")), e.what());
    }
    RawFile raw(m_path);
    QCOMPARE(raw.scalar(QStringLiteral("PRAGMA user_version")).toInt(), 1);
    QCOMPARE(raw.scalar(QStringLiteral("SELECT count(*) FROM events")).toInt(), 2);
    QCOMPARE(raw.scalar(QStringLiteral("SELECT count(*) FROM sqlite_master WHERE name = "
                                       "'strings'"))
                 .toInt(),
             0);
}

void AuditArchiveTest::newerSchema_isRefusedByName() {
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    {
        RawFile raw(m_path);
        QVERIFY(raw.exec(QStringLiteral("CREATE TABLE future(x)")));
        QVERIFY(raw.exec(QStringLiteral("PRAGMA user_version = 9")));
    }
    try {
        AuditArchive archive(m_path);
        QFAIL("a newer schema was opened");
    } catch (const ArchiveError& e) {
        const QString what = QString::fromUtf8(e.what());
        QVERIFY2(what.contains(m_path) && what.contains(QStringLiteral("version 9")), e.what());
    }
}

void AuditArchiveTest::canary_archivedSandboxLog_holdsNoKey() {
    test::TestServer server;
    QVERIFY2(server.ok(), qPrintable(server.error()));
    LegbaClient owner;
    QVERIFY(!owner.setEndpoint(server.endpoint()));
    owner.setKey(server.ownerKey());
    owner.setTransferTimeout(5s);

    // Traffic from a known key: it is created, used, and a wrong key is presented too.
    std::optional<Result<IssuedKey>> created;
    owner.createKey({QStringLiteral("canary"), {QStringLiteral("keys:read")}, {}}, this,
                    [&](Result<IssuedKey> r) { created.emplace(std::move(r)); });
    QTRY_VERIFY_WITH_TIMEOUT(created.has_value(), 15000);
    QVERIFY(created->ok());
    const QByteArray canary = created->value().secret.reveal();
    LegbaClient user;
    QVERIFY(!user.setEndpoint(server.endpoint()));
    user.setKey(created->value().secret);
    user.setTransferTimeout(5s);
    for (int i = 0; i < 3; ++i) {
        bool done = false;
        user.listKeys(false, this, [&](Result<KeyList>) { done = true; });
        QTRY_VERIFY_WITH_TIMEOUT(done, 15000);
    }
    const QByteArray wrong = keyformat::generate();
    LegbaClient stranger;
    QVERIFY(!stranger.setEndpoint(server.endpoint()));
    stranger.setKey(Secret(wrong));
    stranger.setTransferTimeout(5s);
    bool refused = false;
    stranger.listKeys(false, this, [&](Result<KeyList>) { refused = true; });
    QTRY_VERIFY_WITH_TIMEOUT(refused, 15000);

    // The log read through the API, page by page, into the archive.
    {
        AuditArchive archive(m_path);
        AuditQuery query;
        query.limit = 2;
        bool first = true;
        do {
            std::optional<Result<QByteArray>> body;
            owner.auditLogRaw(query, this,
                              [&](Result<QByteArray> r) { body.emplace(std::move(r)); });
            QTRY_VERIFY_WITH_TIMEOUT(body.has_value(), 15000);
            QVERIFY(body->ok());
            const audit::AuditBatch batch = audit::parseAuditPage(body->value());
            QVERIFY(batch.unreadable.empty());
            if (first)
                archive.storeNewer(batch);
            else
                archive.storeOlder(batch);
            first = false;
            query.cursor = batch.nextCursor;
        } while (!query.cursor.isEmpty());
        QVERIFY(archive.backfillDone());
        QVERIFY(archive.count() >= 5);
        ArchiveQuery q;
        q.text = QStringLiteral("canary OR auth");
        QVERIFY(!archive.read(q).batch.records.empty());
    }
    for (const QByteArray& key : {canary, wrong, server.ownerKey().reveal()}) {
        const QByteArray secretPart = key.mid(keyformat::kPrefixLength);
        QVERIFY(test::filesContaining(m_dir->path(), key).isEmpty());
        QVERIFY(test::filesContaining(m_dir->path(), secretPart).isEmpty());
        QVERIFY(test::filesContaining(m_dir->path(), keyformat::digest(key)).isEmpty());
    }
    // The archive is there and holds the traffic: the canary's prefix is the actor's.
    QVERIFY(
        !test::filesContaining(m_dir->path(), keyformat::displayPrefix(canary).toUtf8()).isEmpty());
}

QTEST_GUILESS_MAIN(AuditArchiveTest)
#include "tst_auditarchive.moc"
