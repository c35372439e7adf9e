// The audit log: every action recorded with its outcome, filters, cursor paging that
// neither repeats nor skips while events arrive, append-only triggers and the hash chain
// that `legba-server audit verify` checks.

#include "AuditLog.h"
#include "Database.h"
#include "Harness.h"

#include <QCryptographicHash>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

using namespace legba::servertest;
using namespace legba::server;

namespace {

Json events(const Reply& r) {
    return r.json()["events"];
}

QStringList actions(const Json& list) {
    QStringList out;
    for (const Json& e : list)
        out << str(e, "action");
    return out;
}

struct Verify {
    int exitCode = -1;
    QString out;
    QString err;
};

Verify runVerify(const Harness& h, const QString& keyPath = {}) {
    QProcess p;
    p.start(QStringLiteral(LEGBA_SERVER_BINARY),
            {QStringLiteral("audit"), QStringLiteral("verify"), QStringLiteral("--data-dir"),
             h.dataDir(), QStringLiteral("--anchor-key"),
             keyPath.isEmpty() ? h.anchorKeyPath() : keyPath});
    p.waitForFinished(30000);
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

// A second connection to the data dir's database, as an attacker with file access would.
class RawDb {
public:
    explicit RawDb(const QString& dataDir) {
        m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("tamper"));
        m_db.setDatabaseName(dataDir + QStringLiteral("/legba.sqlite3"));
        m_db.open();
    }
    ~RawDb() {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(QStringLiteral("tamper"));
    }
    bool exec(const QString& sql, QString* error = nullptr) {
        QSqlQuery q(m_db);
        const bool ok = q.exec(sql);
        if (error)
            *error = q.lastError().text();
        return ok;
    }
    QSqlDatabase handle() const { return m_db; }
    // Recomputes every event's link and hash, as someone with this code but without the
    // anchor key would after changing or removing events.
    bool rechain() {
        QSqlQuery rows(m_db);
        if (!rows.exec(QStringLiteral("SELECT seq, event_id, org_uuid, occurred_at, actor_key_id, "
                                      "actor_name, actor_prefix, action, target_type, target_id, "
                                      "status_code, ip, user_agent, request_id, details "
                                      "FROM audit_events ORDER BY seq")))
            return false;
        QByteArray previous(64, '0');
        std::vector<std::pair<qint64, std::pair<QByteArray, QByteArray>>> updates;
        while (rows.next()) {
            AuditColumns columns;
            for (int i = 0; i < 15; ++i) {
                if (!rows.isNull(i))
                    columns[static_cast<std::size_t>(i)] =
                        rows.value(i).typeId() == QMetaType::QByteArray
                            ? rows.value(i).toByteArray()
                            : rows.value(i).toString().toUtf8();
            }
            const QByteArray hash = AuditLog::hashV2(previous, columns);
            updates.push_back({rows.value(0).toLongLong(), {previous, hash}});
            previous = hash;
        }
        for (const auto& [seq, hashes] : updates) {
            QSqlQuery update(m_db);
            update.prepare(
                QStringLiteral("UPDATE audit_events SET prev_hash = ?, hash = ? WHERE seq = ?"));
            update.addBindValue(hashes.first);
            update.addBindValue(hashes.second);
            update.addBindValue(seq);
            if (!update.exec())
                return false;
        }
        return true;
    }
    // The first column of every row, as text.
    QStringList column(const QString& sql) {
        QSqlQuery q(m_db);
        QStringList out;
        if (!q.exec(sql))
            return {QStringLiteral("error: ") + q.lastError().text()};
        while (q.next())
            out << q.value(0).toString();
        return out;
    }

private:
    QSqlDatabase m_db;
};

// Chain version 1, as the server before version 2 computed it (NULL read as ''), over the
// columns of ROW_COLUMNS: what an attacker with the old code would recompute.
QByteArray v1Hash(const QByteArray& previous, const QSqlQuery& row) {
    QByteArray input;
    const auto field = [&input](const QByteArray& value) {
        input += QByteArray::number(value.size()) + ':' + value + ';';
    };
    field(previous);
    for (int i = 0; i < 15; ++i)
        field(row.isNull(i) ? QByteArray() : row.value(i).toString().toUtf8());
    return QCryptographicHash::hash(input, QCryptographicHash::Sha256).toHex();
}

} // namespace

class ServerAuditTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void everyActionIsRecordedNewestFirst() {
        Harness h;
        const auto k = h.makeKey({QStringLiteral("instances:read")}, QStringLiteral("reader"));
        const QString inst = str(h.post(h.api(QStringLiteral("/instances")), h.ownerKey,
                                        Json{{"image", "ubuntu-22.04"}, {"size", "small"}})
                                     .json(),
                                 "instance_uuid");
        QCOMPARE(h.get(h.api(QStringLiteral("/instances")), k.key).status, 200);
        QCOMPARE(h.del(h.api(QStringLiteral("/instances/") + inst), h.ownerKey).status, 204);
        QCOMPARE(h.post(h.api(QStringLiteral("/keys/") + k.keyId + QStringLiteral("/rotate")),
                        h.ownerKey, QByteArray())
                     .status,
                 200);
        const auto k2 = h.makeKey({QStringLiteral("instances:read")});
        QCOMPARE(h.del(h.api(QStringLiteral("/keys/") + k2.keyId), h.ownerKey).status, 204);
        QCOMPARE(h.get(h.api(QStringLiteral("/instances")), k.key).status, 401);

        const Reply log = h.get(h.api(QStringLiteral("/audit-log")), h.ownerKey);
        QCOMPARE(log.status, 200);
        QVERIFY(log.json()["next_cursor"].is_null());
        const QStringList got = actions(events(log));
        const QStringList expected = {
            QStringLiteral("auth.failed"),        QStringLiteral("api_key.revoked"),
            QStringLiteral("api_key.created"),    QStringLiteral("api_key.rotated"),
            QStringLiteral("instance.destroyed"), QStringLiteral("api.request"),
            QStringLiteral("instance.created"),   QStringLiteral("api_key.created"),
            QStringLiteral("api_key.created")};
        QCOMPARE(got, expected);
        const Json e = events(log);
        // The shape of an event, and what it says.
        const Json& created = e[6];
        QCOMPARE(str(created["target"], "type"), QStringLiteral("instance"));
        QCOMPARE(str(created["target"], "id"), inst);
        QCOMPARE(str(created["actor"], "key_id"), h.ownerKeyId);
        QCOMPARE(str(created["actor"], "name"), QStringLiteral("Owner key"));
        QCOMPARE(str(created["actor"], "prefix"), QString::fromLatin1(h.ownerKey.first(12)));
        QCOMPARE(str(created, "outcome"), QStringLiteral("success"));
        QCOMPARE(created["status_code"].get<int>(), 201);
        QCOMPARE(str(created, "ip"), QStringLiteral("127.0.0.1"));
        QVERIFY(str(created, "request_id").startsWith(QStringLiteral("req_")));
        QVERIFY(created["details"].is_object());
        QVERIFY(created.contains("user_agent"));
        QVERIFY(created.contains("occurred_at"));
        QVERIFY(str(created, "event_id").startsWith(QStringLiteral("evt_")));
        const Json& read = e[5];
        QCOMPARE(str(read["details"], "method"), QStringLiteral("GET"));
        QCOMPARE(str(read["details"], "route"), QStringLiteral("/instances"));
        QCOMPARE(str(read["actor"], "key_id"), k.keyId);
        QVERIFY(e[0]["actor"].is_null());
        QCOMPARE(str(e[0]["details"], "key_prefix"), QString::fromLatin1(k.key.first(12)));
    }

    void requestIdInTheLogMatchesTheResponse() {
        Harness h;
        const Reply r = h.get(h.api(QStringLiteral("/instances")), h.ownerKey);
        const Json e = events(h.get(h.api(QStringLiteral("/audit-log?limit=1")), h.ownerKey));
        QCOMPARE(str(e[0], "request_id").toLatin1(), r.header("X-Request-Id"));
    }

    void readsAreWrittenUnaskedAndInTheOrderThingsHappened() {
        // The events of reads go to a writer thread of their own; nobody here asks for them
        // (no GET /audit-log, no flush), yet they reach the file, in order around a change.
        Harness h;
        QVERIFY(h.get(h.api(QStringLiteral("/key")), h.ownerKey).status == 200);
        QVERIFY(h.get(h.api(QStringLiteral("/instances")), h.ownerKey).status == 200);
        QCOMPARE(h.post(h.api(QStringLiteral("/instances")), h.ownerKey,
                        Json{{"image", "ubuntu-22.04"}, {"size", "small"}})
                     .status,
                 201);
        QVERIFY(h.get(h.api(QStringLiteral("/key")), h.ownerKey).status == 200);

        RawDb db(h.dataDir());
        const QString sql =
            QStringLiteral(
                "SELECT action || ' ' || json_extract(details, '$.route') FROM audit_events "
                "WHERE org_uuid = '%1' AND action <> 'organization.created' AND "
                "action <> 'api_key.created' ORDER BY seq")
                .arg(h.org);
        const QStringList expected = {
            QStringLiteral("api.request /key"), QStringLiteral("api.request /instances"),
            QStringLiteral("instance.created /instances"), QStringLiteral("api.request /key")};
        QTRY_COMPARE_WITH_TIMEOUT(db.column(sql), expected, 5000);
        // ... and so does the key's last use.
        QTRY_VERIFY_WITH_TIMEOUT(
            !db.column(QStringLiteral("SELECT last_used_at FROM api_keys WHERE last_used_at "
                                      "IS NOT NULL"))
                 .isEmpty(),
            5000);
    }

    void refusedActionsAreRecordedUnderTheirActionAsFailures() {
        Harness h;
        const auto reader =
            h.makeKey({QStringLiteral("instances:read"), QStringLiteral("audit:read")});
        QCOMPARE(h.post(h.api(QStringLiteral("/keys")), reader.key,
                        Json{{"name", "x"}, {"scopes", {"keys:read"}}})
                     .status,
                 403);
        QCOMPARE(h.post(h.api(QStringLiteral("/instances")), h.ownerKey,
                        Json{{"image", "x"}, {"size", "small"}})
                     .status,
                 400);
        QCOMPARE(h.get(h.api(QStringLiteral("/nowhere")), h.ownerKey).status, 404);
        const Json e =
            events(h.get(h.api(QStringLiteral("/audit-log?outcome=failure")), h.ownerKey));
        QCOMPARE(actions(e),
                 QStringList({QStringLiteral("api.request"), QStringLiteral("instance.created"),
                              QStringLiteral("api_key.created")}));
        for (const Json& event : e) {
            QCOMPARE(str(event, "outcome"), QStringLiteral("failure"));
            QVERIFY(event["status_code"].get<int>() >= 400);
        }
        QCOMPARE(e[1]["status_code"].get<int>(), 400);
        QCOMPARE(e[2]["status_code"].get<int>(), 403);
        QCOMPARE(str(e[2]["details"], "error"), QStringLiteral("FORBIDDEN"));
        const Json ok =
            events(h.get(h.api(QStringLiteral("/audit-log?outcome=success")), h.ownerKey));
        for (const Json& event : ok)
            QVERIFY(event["status_code"].get<int>() < 400);
    }

    void filtersByActionActorAndTime() {
        Harness h;
        const auto k = h.makeKey({QStringLiteral("instances:read")});
        h.advance(10 * 1000);
        const QString mid = QDateTime::currentDateTimeUtc().addSecs(10).toString(
            QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzzZ"));
        h.advance(1000);
        QCOMPARE(h.get(h.api(QStringLiteral("/instances")), k.key).status, 200);
        QCOMPARE(h.get(h.api(QStringLiteral("/instances")), k.key).status, 200);
        h.advance(10 * 1000);
        const auto k2 = h.makeKey({QStringLiteral("keys:read")});
        Q_UNUSED(k2);

        const Json byActor =
            events(h.get(h.api(QStringLiteral("/audit-log?actor_key_id=") + k.keyId), h.ownerKey));
        QCOMPARE(byActor.size(), 2u);
        const Json prefix =
            events(h.get(h.api(QStringLiteral("/audit-log?action=api_key.")), h.ownerKey));
        QCOMPARE(actions(prefix),
                 QStringList({QStringLiteral("api_key.created"), QStringLiteral("api_key.created"),
                              QStringLiteral("api_key.created")}));
        const Json exact =
            events(h.get(h.api(QStringLiteral("/audit-log?action=api.request")), h.ownerKey));
        // The two reads and the two reads of the log before this one.
        QCOMPARE(exact.size(), 4u);
        QCOMPARE(events(h.get(h.api(QStringLiteral("/audit-log?action=api")), h.ownerKey)).size(),
                 0u);
        QUrlQuery since;
        since.addQueryItem(QStringLiteral("since"), mid);
        since.addQueryItem(QStringLiteral("action"), QStringLiteral("api_key."));
        const Json after =
            events(h.get(h.api(QStringLiteral("/audit-log?") + since.toString()), h.ownerKey));
        QCOMPARE(actions(after), QStringList({QStringLiteral("api_key.created")}));
        since.addQueryItem(QStringLiteral("actor_key_id"), k.keyId);
        since.removeQueryItem(QStringLiteral("action"));
        QCOMPARE(events(h.get(h.api(QStringLiteral("/audit-log?") + since.toString()), h.ownerKey))
                     .size(),
                 2u);
        QUrlQuery until;
        until.addQueryItem(QStringLiteral("until"), mid);
        const Json before =
            events(h.get(h.api(QStringLiteral("/audit-log?") + until.toString()), h.ownerKey));
        QCOMPARE(actions(before), QStringList({QStringLiteral("api_key.created"),
                                               QStringLiteral("api_key.created")}));
    }

    void badFilterValuesNameTheField_data() {
        QTest::addColumn<QString>("query");
        QTest::addColumn<QString>("field");
        QTest::newRow("limit zero") << QStringLiteral("limit=0") << QStringLiteral("limit");
        QTest::newRow("limit too big") << QStringLiteral("limit=1001") << QStringLiteral("limit");
        QTest::newRow("limit text") << QStringLiteral("limit=ten") << QStringLiteral("limit");
        QTest::newRow("cursor garbage")
            << QStringLiteral("cursor=%25%25") << QStringLiteral("cursor");
        QTest::newRow("cursor forged")
            << QStringLiteral("cursor=djE6LTE") << QStringLiteral("cursor");
        // base64url("v1:12345678") with the '=' padding the server never writes.
        QTest::newRow("cursor padded")
            << QStringLiteral("cursor=djE6MTIzNDU2Nzg%3D") << QStringLiteral("cursor");
        QTest::newRow("since local time")
            << QStringLiteral("since=2025-01-01T00:00:00") << QStringLiteral("since");
        QTest::newRow("until nonsense")
            << QStringLiteral("until=yesterday") << QStringLiteral("until");
        QTest::newRow("outcome") << QStringLiteral("outcome=maybe") << QStringLiteral("outcome");
        QTest::newRow("actor") << QStringLiteral("actor_key_id=bob")
                               << QStringLiteral("actor_key_id");
    }

    void badFilterValuesNameTheField() {
        QFETCH(QString, query);
        QFETCH(QString, field);
        Harness h;
        const Reply r = h.get(h.api(QStringLiteral("/audit-log?") + query), h.ownerKey);
        QCOMPARE(r.status, 400);
        QCOMPARE(r.errorCode(), QStringLiteral("VALIDATION_ERROR"));
        QVERIFY2(r.errorMessage().contains(QLatin1Char('\'') + field + QLatin1Char('\'')),
                 qPrintable(r.errorMessage()));
    }

    void pagingNeitherRepeatsNorSkipsWhileEventsArrive() {
        Harness h;
        for (int i = 0; i < 40; ++i)
            QCOMPARE(h.get(h.api(QStringLiteral("/instances")), h.ownerKey).status, 200);
        // The 41 events present now (40 reads and the owner key's creation).
        const Json all = events(h.get(h.api(QStringLiteral("/audit-log?limit=1000")), h.ownerKey));
        QStringList expected;
        for (const Json& e : all)
            expected << str(e, "event_id");
        QCOMPARE(expected.size(), 41);

        QStringList seen;
        QString cursor;
        const QRegularExpression urlSafe(QStringLiteral("^[A-Za-z0-9_-]+$"));
        bool first = true;
        int pages = 0;
        while (first || !cursor.isEmpty()) {
            QString path = QStringLiteral("/audit-log?limit=7&outcome=success");
            if (!cursor.isEmpty())
                path += QStringLiteral("&cursor=") + cursor;
            const Reply page = h.get(h.api(path), h.ownerKey);
            QCOMPARE(page.status, 200);
            for (const Json& e : events(page))
                seen << str(e, "event_id");
            const Json next = page.json()["next_cursor"];
            cursor = next.is_null() ? QString() : QString::fromStdString(next.get<std::string>());
            QVERIFY(cursor.isEmpty() || urlSafe.match(cursor).hasMatch());
            first = false;
            ++pages;
            // New events arrive between pages, some of them successes.
            QCOMPARE(h.get(h.api(QStringLiteral("/instances")), h.ownerKey).status, 200);
            QCOMPARE(h.post(h.api(QStringLiteral("/instances")), h.ownerKey,
                            Json{{"image", "ubuntu-22.04"}, {"size", "small"}})
                             .status < 500,
                     true);
        }
        // The first page may include the reads of this loop made before it: the ones that
        // were there at the start all appear once, in order.
        QStringList fromStart;
        for (const QString& id : seen) {
            if (expected.contains(id))
                fromStart << id;
        }
        QCOMPARE(fromStart, expected);
        QCOMPARE(seen.size(), QSet<QString>(seen.begin(), seen.end()).size());
        QVERIFY(pages >= 6);
    }

    void triggersRefuseChangingOrDeletingEvents() {
        Harness h;
        QCOMPARE(h.get(h.api(QStringLiteral("/instances")), h.ownerKey).status, 200);
        h.server().close();
        RawDb db(h.dataDir());
        QString error;
        QVERIFY(!db.exec(QStringLiteral("UPDATE audit_events SET status_code = 200"), &error));
        QVERIFY2(error.contains(QStringLiteral("append-only")), qPrintable(error));
        QVERIFY(!db.exec(QStringLiteral("DELETE FROM audit_events"), &error));
        QVERIFY2(error.contains(QStringLiteral("append-only")), qPrintable(error));
    }

    void eventIdsAreUniqueAndSortByTime() {
        // Ids start with the event's time (9 base-36 digits of milliseconds), so the unique
        // index on them grows at one end; the 11 characters after it are random.
        Harness h;
        for (int i = 0; i < 40; ++i)
            h.get(h.api(i % 2 ? QStringLiteral("/instances") : QStringLiteral("/nope")),
                  h.ownerKey);
        h.server().close();
        RawDb db(h.dataDir());
        const QStringList ids =
            db.column(QStringLiteral("SELECT event_id FROM audit_events ORDER BY seq"));
        const QStringList times =
            db.column(QStringLiteral("SELECT occurred_at FROM audit_events ORDER BY seq"));
        QCOMPARE(ids.size(), 41);
        QCOMPARE(QSet<QString>(ids.cbegin(), ids.cend()).size(), ids.size());
        const QRegularExpression shape(QStringLiteral("^evt_[0-9a-z]{20}$"));
        for (qsizetype i = 0; i < ids.size(); ++i) {
            QVERIFY2(shape.match(ids[i]).hasMatch(), qPrintable(ids[i]));
            bool ok = false;
            QCOMPARE(ids[i].mid(4, 9).toLongLong(&ok, 36), times[i].toLongLong());
            QVERIFY(ok);
            if (i > 0)
                QVERIFY2(ids[i - 1].left(13) <= ids[i].left(13), qPrintable(ids[i]));
        }
    }

    void chainHashesStayTheSameAcrossVersions() {
        // Two events as chain version 1 hashes them: SHA-256 over "len:value;" of the
        // previous hash and every field (computed outside this code base, in Python). Logs
        // written before version 2 must keep verifying.
        QTemporaryDir dir;
        Database db;
        db.open(dir.filePath(QStringLiteral("legba.sqlite3")));
        db.execute(QStringLiteral(
            "INSERT INTO audit_events VALUES (1, 'evt_00000000000000000001', "
            "'11111111-2222-3333-4444-555555555555', 1735689600000, 'key_0123456789abcdef', "
            "'CI déploy 🔑', 'legba_AbCdEf', 'api_key.created', 'api_key', "
            "'key_0123456789abcdef', 201, '203.0.113.7', 'curl/8.5.0', "
            "'req_0123456789abcdef01234567', '{\"name\":\"CI\"}', "
            "'0000000000000000000000000000000000000000000000000000000000000000', "
            "'783e7d56e87a44210022f7f27d3faee60804e196de3fa336d268f81169138d5b')"));
        db.execute(QStringLiteral(
            "INSERT INTO audit_events VALUES (2, 'evt_00000000000000000002', "
            "'11111111-2222-3333-4444-555555555555', 1735689601000, NULL, NULL, NULL, "
            "'auth.failed', NULL, NULL, 401, '::1', '', 'req_76543210fedcba9876543210', '{}', "
            "'783e7d56e87a44210022f7f27d3faee60804e196de3fa336d268f81169138d5b', "
            "'5ae1fee30afb0a1fc3d126454b275968984b3efe0be323bba1da073c8c8a4913')"));
        // As migration 2 records for a log that held these two events: they stay version 1.
        db.execute(
            QStringLiteral("UPDATE audit_meta SET value = '3' WHERE name = 'chain_v2_from'"));
        AuditLog log(db);
        ChainVerdict verdict = log.verify();
        QVERIFY2(verdict.intact, qPrintable(verdict.problem));
        QCOMPARE(verdict.eventsChecked, 2);

        // This version's events continue that chain, stored with the same storage classes.
        AuditRecord r;
        r.orgUuid = QStringLiteral("11111111-2222-3333-4444-555555555555");
        r.occurredAtMs = 1735689602000;
        r.actor = legba::AuditActor{QStringLiteral("key_0123456789abcdef"),
                                    QStringLiteral("CI déploy 🔑"), QStringLiteral("legba_AbCdEf")};
        r.action = QStringLiteral("api.request");
        r.ip = QStringLiteral("203.0.113.7");
        r.requestId = QStringLiteral("req_0");
        r.detailsJson = R"({"method":"GET","route":"/key"})";
        AuditRecord bare = r;
        bare.actor.reset();
        bare.detailsJson.clear();
        {
            Transaction tx(db);
            log.append({r, bare});
            tx.commit();
        }
        verdict = log.verify();
        QVERIFY2(verdict.intact, qPrintable(verdict.problem));
        QCOMPARE(verdict.eventsChecked, 4);
        Rows types(db.run("SELECT typeof(event_id), typeof(org_uuid), typeof(actor_name), "
                          "typeof(action), typeof(ip), typeof(user_agent), typeof(details), "
                          "typeof(prev_hash), typeof(hash) FROM audit_events WHERE seq >= 3 "
                          "ORDER BY seq"));
        const char* const expected[] = {"text text text text text text blob blob blob",
                                        "text text null text text text blob blob blob"};
        for (const char* row : expected) {
            QVERIFY(types.next());
            QStringList got;
            for (int i = 0; i < 9; ++i)
                got << types.string(i);
            QCOMPARE(got.join(QLatin1Char(' ')), QString::fromLatin1(row));
        }
    }

    void verifyAcceptsAnIntactChain() {
        Harness h;
        for (int i = 0; i < 5; ++i)
            h.get(h.api(QStringLiteral("/instances")), h.ownerKey);
        h.makeKey({QStringLiteral("keys:read")});
        h.server().close();
        const Verify v = runVerify(h);
        QCOMPARE(v.exitCode, 0);
        QVERIFY2(v.out.contains(QStringLiteral("intact")), qPrintable(v.out + v.err));
        QVERIFY(v.out.contains(QStringLiteral("7 events")));
        QVERIFY(v.out.contains(QStringLiteral("anchored")));
    }

    void verifyNamesTheFirstTamperedEvent_data() {
        QTest::addColumn<QString>("tamper");
        QTest::newRow("changed field")
            << QStringLiteral("UPDATE audit_events SET status_code = 200 WHERE seq = 3");
        QTest::newRow("changed actor")
            << QStringLiteral("UPDATE audit_events SET actor_name = 'someone else' WHERE seq = 3");
        QTest::newRow("rehashed row") << QStringLiteral(
            "UPDATE audit_events SET details = '{}', hash = prev_hash WHERE seq = 3");
        QTest::newRow("deleted row") << QStringLiteral("DELETE FROM audit_events WHERE seq = 3");
    }

    void verifyNamesTheFirstTamperedEvent() {
        QFETCH(QString, tamper);
        Harness h;
        for (int i = 0; i < 5; ++i)
            h.get(h.api(QStringLiteral("/nope")), h.ownerKey); // 404s: failures, easy to flip
        const Json e = events(h.get(h.api(QStringLiteral("/audit-log?limit=1000")), h.ownerKey));
        // Oldest first: the owner key's creation is #1, the 404s #2..#6.
        const QString third = str(e[e.size() - 3], "event_id");
        const QString fourth = str(e[e.size() - 4], "event_id");
        h.server().close();
        {
            RawDb db(h.dataDir());
            QVERIFY(db.exec(QStringLiteral("DROP TRIGGER audit_events_no_update")));
            QVERIFY(db.exec(QStringLiteral("DROP TRIGGER audit_events_no_delete")));
            QString error;
            QVERIFY2(db.exec(tamper, &error), qPrintable(error));
        }
        const Verify v = runVerify(h);
        QCOMPARE(v.exitCode, 1);
        const QString named = tamper.startsWith(QLatin1String("DELETE")) ? fourth : third;
        QVERIFY2(v.err.contains(named), qPrintable(v.err));
    }

    // Item 3 of issue 16: what the chain alone could not see.
    void verifyReportsACutTail() {
        Harness h;
        for (int i = 0; i < 5; ++i)
            h.get(h.api(QStringLiteral("/nope")), h.ownerKey);
        h.server().close();
        {
            RawDb db(h.dataDir());
            QVERIFY(db.exec(QStringLiteral("DROP TRIGGER audit_events_no_delete")));
            QVERIFY(db.exec(QStringLiteral("DELETE FROM audit_events WHERE seq > 4")));
        }
        const Verify v = runVerify(h);
        QCOMPARE(v.exitCode, 1);
        QVERIFY2(v.err.contains(QStringLiteral("2 events are missing at the end")) &&
                     v.err.contains(QStringLiteral("up to #6")),
                 qPrintable(v.err));
    }

    void verifyReportsEventsRemovedAndTheChainRecomputed() {
        Harness h;
        for (int i = 0; i < 5; ++i)
            h.get(h.api(QStringLiteral("/nope")), h.ownerKey);
        h.server().close();
        {
            RawDb db(h.dataDir());
            QVERIFY(db.exec(QStringLiteral("DROP TRIGGER audit_events_no_delete")));
            QVERIFY(db.exec(QStringLiteral("DROP TRIGGER audit_events_no_update")));
            QVERIFY(db.exec(QStringLiteral("DELETE FROM audit_events WHERE seq IN (2, 3)")));
            QVERIFY(db.exec(QStringLiteral("UPDATE audit_events SET seq = seq - 2 WHERE seq > 3")));
            QVERIFY(db.rechain());
        }
        const Verify v = runVerify(h);
        QCOMPARE(v.exitCode, 1);
        QVERIFY2(v.err.contains(QStringLiteral("missing at the end")) &&
                     v.err.contains(QStringLiteral("the chain recomputed")),
                 qPrintable(v.err));
    }

    void verifyReportsAChangedEventWithTheChainRecomputed() {
        Harness h;
        for (int i = 0; i < 5; ++i)
            h.get(h.api(QStringLiteral("/nope")), h.ownerKey);
        h.server().close();
        {
            RawDb db(h.dataDir());
            QVERIFY(db.exec(QStringLiteral("DROP TRIGGER audit_events_no_update")));
            QVERIFY(
                db.exec(QStringLiteral("UPDATE audit_events SET status_code = 200 WHERE seq = 3")));
            QVERIFY(db.rechain());
        }
        const Verify v = runVerify(h);
        QCOMPARE(v.exitCode, 1);
        QVERIFY2(v.err.contains(QStringLiteral("the chain was recomputed")), qPrintable(v.err));
    }

    void verifyReportsAnAnchorChangedWithoutTheKey() {
        Harness h;
        for (int i = 0; i < 5; ++i)
            h.get(h.api(QStringLiteral("/nope")), h.ownerKey);
        h.server().close();
        {
            // The cut tail with the anchor moved to the new head: the MAC no longer fits.
            RawDb db(h.dataDir());
            QVERIFY(db.exec(QStringLiteral("DROP TRIGGER audit_events_no_delete")));
            QVERIFY(db.exec(QStringLiteral("DELETE FROM audit_events WHERE seq > 4")));
            QVERIFY(db.exec(QStringLiteral(
                "UPDATE audit_meta SET value = '4 ' || (SELECT hash FROM audit_events WHERE seq = "
                "4) || substr(value, 67) WHERE name = 'anchor'")));
        }
        Verify v = runVerify(h);
        QCOMPARE(v.exitCode, 1);
        QVERIFY2(v.err.contains(QStringLiteral("changed without the key")), qPrintable(v.err));
        {
            RawDb db(h.dataDir());
            QVERIFY(db.exec(QStringLiteral("DELETE FROM audit_meta WHERE name = 'anchor'")));
        }
        v = runVerify(h);
        QCOMPARE(v.exitCode, 1);
        QVERIFY2(v.err.contains(QStringLiteral("no anchor")), qPrintable(v.err));
    }

    void verifyReportsAPrefixCutPassedOffAsPruned() {
        Harness h;
        for (int i = 0; i < 5; ++i)
            h.get(h.api(QStringLiteral("/nope")), h.ownerKey);
        h.server().close();
        {
            RawDb db(h.dataDir());
            QVERIFY(db.exec(QStringLiteral(
                "UPDATE audit_meta SET value = (SELECT hash FROM audit_events WHERE seq = 3) "
                "WHERE name = 'pruned_hash'")));
            QVERIFY(db.exec(
                QStringLiteral("UPDATE audit_meta SET value = '3' WHERE name = 'pruned_through'")));
            QVERIFY(db.exec(QStringLiteral("DELETE FROM audit_events WHERE seq <= 3")));
        }
        const Verify v = runVerify(h);
        QCOMPARE(v.exitCode, 1);
        QVERIFY2(v.err.contains(QStringLiteral("changed without the key")), qPrintable(v.err));
    }

    void verifyTellsNullFromEmpty_data() {
        QTest::addColumn<QString>("tamper");
        QTest::addColumn<QString>("named");
        QTest::newRow("target_type NULL to ''")
            << QStringLiteral("UPDATE audit_events SET target_type = '' WHERE seq = 3")
            << QStringLiteral("its target_type was changed from NULL to ''");
        QTest::newRow("actor_name NULL to '' beside a NULL key id")
            << QStringLiteral("UPDATE audit_events SET actor_name = '' WHERE action = "
                              "'auth.failed'")
            << QStringLiteral("its actor_name was changed from NULL to ''");
    }

    void verifyTellsNullFromEmpty() {
        QFETCH(QString, tamper);
        QFETCH(QString, named);
        Harness h;
        for (int i = 0; i < 5; ++i)
            h.get(h.api(QStringLiteral("/nope")), h.ownerKey);
        h.get(h.api(QStringLiteral("/instances")), "legba_wrong");
        h.server().close();
        {
            RawDb db(h.dataDir());
            QVERIFY(db.exec(QStringLiteral("DROP TRIGGER audit_events_no_update")));
            QString error;
            QVERIFY2(db.exec(tamper, &error), qPrintable(error));
        }
        const Verify v = runVerify(h);
        QCOMPARE(v.exitCode, 1);
        QVERIFY2(v.err.contains(named), qPrintable(v.err));
    }

    void verifyWithAnotherKeySaysSo() {
        Harness h;
        h.get(h.api(QStringLiteral("/instances")), h.ownerKey);
        h.server().close();
        QTemporaryDir other;
        const QString otherKey = other.filePath(QStringLiteral("other.key"));
        QVERIFY(loadAnchorKey(otherKey, true).size() == 32);
        const QFile::Permissions others = QFile::ReadGroup | QFile::WriteGroup | QFile::ExeGroup |
                                          QFile::ReadOther | QFile::WriteOther | QFile::ExeOther;
        QCOMPARE(QFile::permissions(otherKey) & others, QFile::Permissions());
        const Verify v = runVerify(h, otherKey);
        QCOMPARE(v.exitCode, 1);
        QVERIFY2(v.err.contains(QStringLiteral("another key")), qPrintable(v.err));
    }

    void aLegacyLogCutAndRechainedWithTheOldAlgorithmIsFound() {
        // A data dir from before chain version 2: its events stay version 1, and the first
        // server of this version anchors its head. Removing an event and recomputing the
        // rest with version 1 used to verify as intact.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("legba.sqlite3"));
        Database db;
        db.open(path);
        for (int seq = 1; seq <= 3; ++seq)
            db.execute(QStringLiteral("INSERT INTO audit_events VALUES (%1, 'evt_%1', 'org', %1, "
                                      "NULL, NULL, NULL, 'auth.failed', NULL, NULL, 401, '::1', "
                                      "'', 'req_%1', '{}', '', '')")
                           .arg(seq));
        const auto rechainV1 = [](QSqlDatabase handle) {
            QSqlQuery rows(handle);
            rows.exec(QStringLiteral(
                "SELECT seq, event_id, org_uuid, occurred_at, actor_key_id, actor_name, "
                "actor_prefix, action, target_type, target_id, status_code, ip, user_agent, "
                "request_id, details FROM audit_events ORDER BY seq"));
            QByteArray previous(64, '0');
            QList<std::pair<qint64, std::pair<QByteArray, QByteArray>>> updates;
            while (rows.next()) {
                const QByteArray hash = v1Hash(previous, rows);
                updates.append({rows.value(0).toLongLong(), {previous, hash}});
                previous = hash;
            }
            rows.finish();
            for (const auto& [seq, hashes] : updates) {
                QSqlQuery update(handle);
                update.prepare(QStringLiteral(
                    "UPDATE audit_events SET prev_hash = ?, hash = ? WHERE seq = ?"));
                update.addBindValue(QString::fromLatin1(hashes.first));
                update.addBindValue(QString::fromLatin1(hashes.second));
                update.addBindValue(seq);
                QVERIFY2(update.exec(), qPrintable(update.lastError().text()));
            }
        };
        {
            RawDb raw(dir.path());
            QVERIFY(raw.exec(QStringLiteral("DROP TRIGGER audit_events_no_update")));
            QVERIFY(raw.exec(QStringLiteral("DROP TRIGGER audit_events_no_delete")));
            rechainV1(raw.handle());
            // As migration 2 records for a log that held these three events.
            QVERIFY(raw.exec(
                QStringLiteral("UPDATE audit_meta SET value = '4' WHERE name = 'chain_v2_from'")));
        }
        AuditLog log(db);
        log.configure({QByteArray(32, 'k'), 0, 0});
        {
            Transaction tx(db);
            log.ensureAnchor();
            tx.commit();
        }
        ChainVerdict verdict = log.verify();
        QVERIFY2(verdict.intact, qPrintable(verdict.problem));
        QCOMPARE(verdict.eventsChecked, 3);

        {
            RawDb raw(dir.path());
            QVERIFY(raw.exec(QStringLiteral("DELETE FROM audit_events WHERE seq = 2")));
            QVERIFY(raw.exec(QStringLiteral("UPDATE audit_events SET seq = 2 WHERE seq = 3")));
            rechainV1(raw.handle());
        }
        AuditLog withoutKey(db);
        QVERIFY2(withoutKey.verify().intact, "the chain alone is consistent again");
        verdict = log.verify();
        QVERIFY(!verdict.intact);
        QCOMPARE(verdict.finding, ChainFinding::CutTail);
        QVERIFY2(verdict.problem.contains(QStringLiteral("1 events are missing at the end")),
                 qPrintable(verdict.problem));
    }

    // Retention (issue 16, item 2): pruning leaves a record the chain continues from.
    void pruningByCountKeepsTheChainVerifiable() {
        ServerOptions options = Harness::fastOptions();
        options.auditMaxEvents = 10;
        Harness h(options);
        for (int i = 0; i < 50; ++i)
            h.get(h.api(QStringLiteral("/nope")), h.ownerKey);
        h.server().close();
        {
            RawDb db(h.dataDir());
            QCOMPARE(db.column(QStringLiteral("SELECT COUNT(*) FROM audit_events")),
                     QStringList{QStringLiteral("10")});
            QCOMPARE(db.column(QStringLiteral("SELECT MIN(seq) FROM audit_events")),
                     QStringList{QStringLiteral("42")});
        }
        const Verify v = runVerify(h);
        QCOMPARE(v.exitCode, 0);
        QVERIFY2(v.out.contains(QStringLiteral("10 events verified after 41 pruned")),
                 qPrintable(v.out + v.err));
    }

    void tamperingAfterPruningIsDetected_data() {
        QTest::addColumn<QString>("tamper");
        QTest::addColumn<QString>("found");
        QTest::newRow("changed field")
            << QStringLiteral("UPDATE audit_events SET status_code = 200 WHERE seq = 45")
            << QStringLiteral("(#45): its content does not match its hash");
        QTest::newRow("first kept event removed")
            << QStringLiteral("DELETE FROM audit_events WHERE seq = 42")
            << QStringLiteral("event #42 is missing before it");
        QTest::newRow("cut tail") << QStringLiteral("DELETE FROM audit_events WHERE seq > 48")
                                  << QStringLiteral("3 events are missing at the end");
    }

    void tamperingAfterPruningIsDetected() {
        QFETCH(QString, tamper);
        QFETCH(QString, found);
        ServerOptions options = Harness::fastOptions();
        options.auditMaxEvents = 10;
        Harness h(options);
        for (int i = 0; i < 50; ++i)
            h.get(h.api(QStringLiteral("/nope")), h.ownerKey);
        h.server().close();
        {
            RawDb db(h.dataDir());
            QVERIFY(db.exec(QStringLiteral("DROP TRIGGER audit_events_no_update")));
            QVERIFY(db.exec(QStringLiteral("DROP TRIGGER audit_events_no_delete")));
            QString error;
            QVERIFY2(db.exec(tamper, &error), qPrintable(error));
        }
        const Verify v = runVerify(h);
        QCOMPARE(v.exitCode, 1);
        QVERIFY2(v.err.contains(found), qPrintable(v.err));
    }

    void pruningByAgeKeepsTheRecentEvents() {
        ServerOptions options = Harness::fastOptions();
        options.auditRetentionDays = 1;
        Harness h(options);
        for (int i = 0; i < 5; ++i)
            h.get(h.api(QStringLiteral("/nope")), h.ownerKey);
        h.advance(2LL * 24 * 3600 * 1000);
        for (int i = 0; i < 3; ++i)
            h.get(h.api(QStringLiteral("/nope")), h.ownerKey);
        h.server().close();
        const Verify v = runVerify(h);
        QCOMPARE(v.exitCode, 0);
        QVERIFY2(v.out.contains(QStringLiteral("3 events verified after 6 pruned")),
                 qPrintable(v.out + v.err));
    }
};

QTEST_MAIN(ServerAuditTest)
#include "tst_server_audit.moc"
