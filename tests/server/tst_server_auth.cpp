// Bearer authentication as the contract gives it: every failure is the same byte-exact 401,
// decided before any route, limited per client address, and recorded in the audit log with
// the presented prefix only.

#include "Harness.h"
#include "KeyFormat.h"

#include <QTest>

using namespace legba::servertest;

class ServerAuthTest : public QObject {
    Q_OBJECT

private:
    void expectStandard401(const Reply& r) {
        QCOMPARE(r.status, 401);
        QCOMPARE(r.body, kUnauthorizedBody);
        QCOMPARE(r.header("WWW-Authenticate"), QByteArray("Bearer realm=\"legba\""));
        QCOMPARE(r.header("Content-Type"), QByteArray("application/json"));
        QVERIFY(!r.header("X-Request-Id").isEmpty());
    }

    // A key of the right shape and checksum that was never issued.
    static QByteArray unknownKey() { return legba::keyformat::generate(); }

    static QByteArray badChecksum(QByteArray key) {
        key[key.size() - 1] = key[key.size() - 1] == 'A' ? 'B' : 'A';
        return key;
    }

private Q_SLOTS:
    void everyFailureIsTheSame401_data() {
        QTest::addColumn<QByteArray>("authorization");
        QTest::addColumn<bool>("sendHeader");
        QTest::newRow("missing header") << QByteArray() << false;
        QTest::newRow("wrong scheme") << QByteArray("Basic dXNlcjpwYXNz") << true;
        QTest::newRow("token scheme") << QByteArray("Token KEY") << true;
        QTest::newRow("scheme only") << QByteArray("Bearer") << true;
        QTest::newRow("empty token") << QByteArray("Bearer ") << true;
        QTest::newRow("two spaces") << QByteArray("Bearer  KEY") << true;
        QTest::newRow("tab instead of space") << QByteArray("Bearer\tKEY") << true;
        QTest::newRow("token with a space") << QByteArray("Bearer KEY extra") << true;
        QTest::newRow("bad checksum") << QByteArray("Bearer BADSUM") << true;
        QTest::newRow("unknown key") << QByteArray("Bearer UNKNOWN") << true;
        QTest::newRow("truncated key") << QByteArray("Bearer TRUNC") << true;
        QTest::newRow("garbage") << QByteArray("Bearer \x01\x02\xff") << true;
    }

    void everyFailureIsTheSame401() {
        QFETCH(QByteArray, authorization);
        Harness h;
        authorization.replace("BADSUM", badChecksum(h.ownerKey));
        authorization.replace("UNKNOWN", unknownKey());
        authorization.replace("TRUNC", h.ownerKey.chopped(1));
        authorization.replace("KEY", h.ownerKey);
        for (const QString& path : {QStringLiteral("/key"), QStringLiteral("/instances"),
                                    QStringLiteral("/keys"), QStringLiteral("/audit-log")})
            expectStandard401(h.send("GET", h.api(path), authorization));
    }

    void keyOfAnotherOrganizationIs401() {
        Harness h;
        const auto other = h.server().createOrganization(QStringLiteral("Other org"));
        QVERIFY(other);
        expectStandard401(h.get(h.api(QStringLiteral("/key"), other->orgUuid), h.ownerKey));
        expectStandard401(h.get(h.api(QStringLiteral("/key")), other->key.reveal()));
        // Each key still works in its own organization.
        QCOMPARE(h.get(h.api(QStringLiteral("/key"), other->orgUuid), other->key.reveal()).status,
                 200);
        QCOMPARE(h.get(h.api(QStringLiteral("/key")), h.ownerKey).status, 200);
    }

    void unknownOrganizationIs401EvenForUnknownRoutes() {
        Harness h;
        const QString ghost = QStringLiteral("00000000-0000-4000-8000-000000000000");
        expectStandard401(h.get(h.api(QStringLiteral("/key"), ghost), h.ownerKey));
        expectStandard401(h.get(h.api(QStringLiteral("/no-such-route"), ghost), h.ownerKey));
        expectStandard401(h.get(QStringLiteral("/orgs/not-a-uuid/api/key"), h.ownerKey));
        expectStandard401(h.get(QStringLiteral("/orgs/x"), QByteArray()));
    }

    void authenticationComesBeforeNotFoundAndMethodNotAllowed() {
        Harness h;
        expectStandard401(h.get(h.api(QStringLiteral("/no-such-route")), QByteArray()));
        expectStandard401(h.call("PUT", h.api(QStringLiteral("/instances")), QByteArray()));
        const Reply notFound = h.get(h.api(QStringLiteral("/no-such-route")), h.ownerKey);
        QCOMPARE(notFound.status, 404);
        QCOMPARE(notFound.errorCode(), QStringLiteral("NOT_FOUND"));
        const Reply wrongMethod = h.call("PUT", h.api(QStringLiteral("/instances")), h.ownerKey);
        QCOMPARE(wrongMethod.status, 405);
        QCOMPARE(wrongMethod.header("Allow"), QByteArray("GET, POST"));
    }

    void schemeIsCaseInsensitive() {
        Harness h;
        for (const QByteArray scheme : {"Bearer", "bearer", "BEARER", "bEaReR"})
            QCOMPARE(h.send("GET", h.api(QStringLiteral("/key")), scheme + ' ' + h.ownerKey).status,
                     200);
    }

    void validKeyGetsItsRecord() {
        Harness h;
        const Reply r = h.get(h.api(QStringLiteral("/key")), h.ownerKey);
        QCOMPARE(r.status, 200);
        const Json j = r.json();
        QCOMPARE(str(j, "key_id"), h.ownerKeyId);
        QCOMPARE(str(j, "name"), QStringLiteral("Owner key"));
        QCOMPARE(str(j, "prefix"), QString::fromLatin1(h.ownerKey.first(12)));
        QCOMPARE(j["scopes"].size(), 5u);
        QVERIFY(j.contains("created_at"));
        QVERIFY(j["last_used_at"].is_string());
        QCOMPARE(str(j, "status"), QStringLiteral("active"));
        QVERIFY(!r.body.contains(h.ownerKey));
    }

    void lastUsedAtIsKeptAcrossRestart() {
        QTemporaryDir dir;
        QString keyId;
        QByteArray key;
        QString org;
        {
            legba::server::SandboxServer s;
            QVERIFY(s.open(dir.path()));
            auto created = s.createOrganization(QStringLiteral("o"));
            QVERIFY(created);
            keyId = created->keyId;
            key = created->key.reveal();
            org = created->orgUuid;
            QVERIFY(s.listen() != 0);
            QNetworkAccessManager nam;
            QNetworkRequest req(QUrl(s.baseUrl().toString() + QStringLiteral("/orgs/") + org +
                                     QStringLiteral("/api/instances")));
            req.setRawHeader("Authorization", "Bearer " + key);
            QNetworkReply* reply = nam.get(req);
            QTRY_VERIFY(reply->isFinished());
            QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
            delete reply;
            // Closing the server writes what was batched.
        }
        legba::server::SandboxServer s;
        QVERIFY(s.open(dir.path()));
        QVERIFY(s.listen() != 0);
        QNetworkAccessManager nam;
        QNetworkRequest req(QUrl(s.baseUrl().toString() + QStringLiteral("/orgs/") + org +
                                 QStringLiteral("/api/keys/") + keyId));
        req.setRawHeader("Authorization", "Bearer " + key);
        QNetworkReply* reply = nam.get(req);
        QTRY_VERIFY(reply->isFinished());
        const Json j = Json::parse(reply->readAll().toStdString());
        delete reply;
        QVERIFY2(j["last_used_at"].is_string(), j.dump().c_str());
    }

    void everyResponseCarriesARequestId() {
        Harness h;
        QSet<QByteArray> seen;
        const QList<Reply> replies = {
            h.get(QStringLiteral("/healthz"), {}),
            h.get(QStringLiteral("/nothing-here"), {}),
            h.get(h.api(QStringLiteral("/key")), {}),
            h.get(h.api(QStringLiteral("/key")), h.ownerKey),
            h.get(h.api(QStringLiteral("/nope")), h.ownerKey),
            h.call("PATCH", h.api(QStringLiteral("/key")), h.ownerKey),
            h.post(h.api(QStringLiteral("/keys")), h.ownerKey, QByteArray("{")),
            h.call("POST", QStringLiteral("/healthz"), {}),
        };
        for (const Reply& r : replies) {
            const QByteArray id = r.header("X-Request-Id");
            QVERIFY2(!id.isEmpty(), r.body.constData());
            QVERIFY2(!seen.contains(id), "request ids are unique");
            seen.insert(id);
        }
    }

    void healthzNeedsNoKey() {
        Harness h;
        const Reply r = h.get(QStringLiteral("/healthz"), {});
        QCOMPARE(r.status, 200);
        QCOMPARE(str(r.json(), "status"), QStringLiteral("ok"));
        QCOMPARE(str(r.json(), "version"), QStringLiteral(LEGBA_VERSION));
    }

    void failedAuthenticationsAreLimitedPerAddress() {
        Harness h;
        const QString path = h.api(QStringLiteral("/instances"));
        for (int i = 0; i < 20; ++i)
            expectStandard401(h.get(path, unknownKey()));
        const Reply limited = h.get(path, unknownKey());
        QCOMPARE(limited.status, 429);
        QCOMPARE(limited.errorCode(), QStringLiteral("RATE_LIMITED"));
        const int retryAfter = limited.header("Retry-After").toInt();
        QVERIFY(retryAfter >= 1 && retryAfter <= 60);
        QVERIFY(!limited.header("X-Request-Id").isEmpty());
        // A valid key is not affected, nor is /healthz.
        QCOMPARE(h.get(path, h.ownerKey).status, 200);
        QCOMPARE(h.get(QStringLiteral("/healthz"), {}).status, 200);
        // Once the window has passed, failures are 401 again.
        h.advance(61 * 1000);
        expectStandard401(h.get(path, unknownKey()));
    }

    void failedAuthenticationIsAuditedWithThePrefixOnly() {
        Harness h;
        const QByteArray presented = unknownKey();
        expectStandard401(h.get(h.api(QStringLiteral("/instances")), presented));
        expectStandard401(h.get(h.api(QStringLiteral("/instances")), QByteArray()));
        const Reply log = h.get(h.api(QStringLiteral("/audit-log?action=auth.failed")), h.ownerKey);
        QCOMPARE(log.status, 200);
        const Json events = log.json()["events"];
        QCOMPARE(events.size(), 2u);
        // Newest first: the request without a key, then the one with a key.
        QVERIFY(events[0]["actor"].is_null());
        QVERIFY(!events[0]["details"].contains("key_prefix"));
        QCOMPARE(str(events[1]["details"], "key_prefix"), QString::fromLatin1(presented.first(12)));
        QCOMPARE(str(events[1], "outcome"), QStringLiteral("failure"));
        QCOMPARE(events[1]["status_code"].get<int>(), 401);
        QVERIFY(!log.body.contains(presented));
        QVERIFY(!log.body.contains(presented.mid(12)));
    }

    void failedAuthenticationInAnotherOrganizationStaysThere() {
        Harness h;
        const auto other = h.server().createOrganization(QStringLiteral("Other org"));
        QVERIFY(other);
        expectStandard401(h.get(h.api(QStringLiteral("/key"), other->orgUuid), h.ownerKey));
        const Reply mine =
            h.get(h.api(QStringLiteral("/audit-log?action=auth.failed")), h.ownerKey);
        QCOMPARE(mine.json()["events"].size(), 0u);
        const Reply theirs =
            h.get(h.api(QStringLiteral("/audit-log?action=auth.failed"), other->orgUuid),
                  other->key.reveal());
        QCOMPARE(theirs.json()["events"].size(), 1u);
    }

    void limitedFailuresAreRecordedAsOneCountPerWindow() {
        // Issue 16: each refused attempt was an event, 742,000 rows in 10 s from one address.
        Harness h;
        const QString path = h.api(QStringLiteral("/instances"));
        const QString log = h.api(QStringLiteral("/audit-log?action=auth.failed&limit=1000"));
        for (int i = 0; i < 300; ++i)
            h.get(path, unknownKey());
        // The 20 refused with 401 one by one; the 280 limited ones wait for their window.
        QCOMPARE(h.get(log, h.ownerKey).json()["events"].size(), 20u);

        h.advance(61 * 1000);
        expectStandard401(h.get(path, unknownKey()));
        Json events = h.get(log, h.ownerKey).json()["events"];
        QCOMPARE(events.size(), 22u);
        // Newest first: the new 401, then the count, written before it.
        QCOMPARE(events[0]["status_code"].get<int>(), 401);
        const Json& count = events[1];
        QCOMPARE(count["status_code"].get<int>(), 429);
        QCOMPARE(count["details"]["aggregated"].get<int>(), 280);
        QCOMPARE(count["details"]["window_seconds"].get<int>(), 60);
        QCOMPARE(str(count, "ip"), QStringLiteral("127.0.0.1"));
        QVERIFY(str(count["details"], "message").startsWith(QStringLiteral("280 more failed")));

        // A count still open when the server closes is written, not lost.
        for (int i = 0; i < 30; ++i)
            h.get(path, unknownKey());
        h.server().close();
        QCOMPARE(h.server().open(h.dataDir()), true);
        QVERIFY(h.server().listen() != 0);
        h.base = h.server().baseUrl();
        events = h.get(log, h.ownerKey).json()["events"];
        QCOMPARE(events.size(), 22u + 19u + 1u);
        QCOMPARE(events[0]["details"]["aggregated"].get<int>(), 11);
    }
};

QTEST_MAIN(ServerAuthTest)
#include "tst_server_auth.moc"
