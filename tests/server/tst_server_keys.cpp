// The keys table of the contract, row by row: GET /key, POST /key/rotate, GET|POST /keys,
// GET /keys/{id}, POST /keys/{id}/rotate with a grace period, DELETE /keys/{id}; validation,
// scope subsets, expiry and revocation.

#include "Harness.h"
#include "KeyFormat.h"

#include <QTest>

using namespace legba::servertest;

namespace {
const QStringList kAll = {QStringLiteral("instances:read"), QStringLiteral("instances:write"),
                          QStringLiteral("keys:read"), QStringLiteral("keys:write"),
                          QStringLiteral("audit:read")};

QString inSeconds(qint64 seconds) {
    return QDateTime::currentDateTimeUtc().addSecs(seconds).toString(
        QStringLiteral("yyyy-MM-ddTHH:mm:ssZ"));
}
} // namespace

namespace {
// n times U+1F511 KEY, two UTF-16 units each.
QString keyEmoji(int n) {
    QString out;
    for (int i = 0; i < n; ++i)
        out += QString::fromUcs4(U"\U0001F511", 1);
    return out;
}
} // namespace

class ServerKeysTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void createKeyAnswers201WithTheSecretOnceAndNoStore() {
        Harness h;
        const Reply r = h.post(h.api(QStringLiteral("/keys")), h.ownerKey,
                               Json{{"name", "  CI pipeline  "},
                                    {"scopes", {"instances:read", "instances:write"}},
                                    {"expires_at", inSeconds(3600).toStdString()}});
        QCOMPARE(r.status, 201);
        QCOMPARE(r.header("Cache-Control"), QByteArray("no-store"));
        const Json j = r.json();
        const QByteArray key = QByteArray::fromStdString(j["key"].get<std::string>());
        QVERIFY(legba::keyformat::isWellFormed(key));
        QVERIFY(legba::keyformat::isKeyId(str(j, "key_id")));
        QCOMPARE(str(j, "name"), QStringLiteral("CI pipeline"));
        QCOMPARE(str(j, "prefix"), QString::fromLatin1(key.first(12)));
        QVERIFY(j["scopes"] == Json({"instances:read", "instances:write"}));
        QVERIFY(j["expires_at"].is_string());
        QVERIFY(j["last_used_at"].is_null());
        QVERIFY(j["revoked_at"].is_null());
        QCOMPARE(str(j, "status"), QStringLiteral("active"));
        // The new key works at once; the record never shows the secret again.
        const Reply own = h.get(h.api(QStringLiteral("/key")), key);
        QCOMPARE(own.status, 200);
        QCOMPARE(str(own.json(), "key_id"), str(j, "key_id"));
        const Reply again = h.get(h.api(QStringLiteral("/keys/") + str(j, "key_id")), h.ownerKey);
        QCOMPARE(again.status, 200);
        QVERIFY(!again.json().contains("key"));
        QVERIFY(!again.body.contains(key));
    }

    void createKeyValidationNamesTheField_data() {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("field");
        QTest::newRow("not json") << QByteArray("{\"name\":") << QStringLiteral("(body)");
        QTest::newRow("empty body") << QByteArray("") << QStringLiteral("(body)");
        QTest::newRow("array body") << QByteArray("[]") << QStringLiteral("(body)");
        QTest::newRow("name missing")
            << QByteArray("{\"scopes\":[\"keys:read\"]}") << QStringLiteral("name");
        QTest::newRow("name blank") << QByteArray("{\"name\":\"   \",\"scopes\":[\"keys:read\"]}")
                                    << QStringLiteral("name");
        QTest::newRow("name too long") << (QByteArray("{\"name\":\"") + QByteArray(101, 'n') +
                                           "\",\"scopes\":[\"keys:read\"]}")
                                       << QStringLiteral("name");
        QTest::newRow("name of 101 emoji") << (QByteArray("{\"name\":\"") + keyEmoji(101).toUtf8() +
                                               "\",\"scopes\":[\"keys:read\"]}")
                                           << QStringLiteral("name");
        QTest::newRow("name a number")
            << QByteArray("{\"name\":5,\"scopes\":[\"keys:read\"]}") << QStringLiteral("name");
        QTest::newRow("scopes missing")
            << QByteArray("{\"name\":\"n\"}") << QStringLiteral("scopes");
        QTest::newRow("scopes empty")
            << QByteArray("{\"name\":\"n\",\"scopes\":[]}") << QStringLiteral("scopes");
        QTest::newRow("scopes a string")
            << QByteArray("{\"name\":\"n\",\"scopes\":\"keys:read\"}") << QStringLiteral("scopes");
        QTest::newRow("unknown scope") << QByteArray("{\"name\":\"n\",\"scopes\":[\"keys:admin\"]}")
                                       << QStringLiteral("scopes[0]");
        QTest::newRow("duplicate scope")
            << QByteArray("{\"name\":\"n\",\"scopes\":[\"keys:read\",\"keys:read\"]}")
            << QStringLiteral("scopes[1]");
        QTest::newRow("scope not a string")
            << QByteArray("{\"name\":\"n\",\"scopes\":[1]}") << QStringLiteral("scopes[0]");
        QTest::newRow("expiry in the past")
            << QByteArray("{\"name\":\"n\",\"scopes\":[\"keys:read\"],\"expires_at\":\"2001-01-"
                          "01T00:00:00Z\"}")
            << QStringLiteral("expires_at");
        QTest::newRow("expiry not rfc3339")
            << QByteArray("{\"name\":\"n\",\"scopes\":[\"keys:read\"],\"expires_at\":\"tomorrow\"}")
            << QStringLiteral("expires_at");
        QTest::newRow("expiry with offset")
            << QByteArray("{\"name\":\"n\",\"scopes\":[\"keys:read\"],\"expires_at\":\"2999-01-"
                          "01T00:00:00+01:00\"}")
            << QStringLiteral("expires_at");
        QTest::newRow("expiry a number")
            << QByteArray("{\"name\":\"n\",\"scopes\":[\"keys:read\"],\"expires_at\":123}")
            << QStringLiteral("expires_at");
    }

    void aNameCountsCharactersNotUtf16Units() {
        // 100 key emoji are 200 UTF-16 units: still a 100-character name.
        Harness h;
        const QString name = keyEmoji(100);
        const Reply r = h.post(h.api(QStringLiteral("/keys")), h.ownerKey,
                               Json{{"name", name.toStdString()}, {"scopes", {"keys:read"}}});
        QCOMPARE(r.status, 201);
        QCOMPARE(QString::fromStdString(r.json()["name"].get<std::string>()), name);
    }

    void createKeyValidationNamesTheField() {
        QFETCH(QByteArray, body);
        QFETCH(QString, field);
        Harness h;
        const Reply r = h.call("POST", h.api(QStringLiteral("/keys")), h.ownerKey, body);
        QCOMPARE(r.status, 400);
        QCOMPARE(r.errorCode(), QStringLiteral("VALIDATION_ERROR"));
        QVERIFY2(r.errorMessage().contains(QLatin1Char('\'') + field + QLatin1Char('\'')),
                 qPrintable(r.errorMessage()));
    }

    void nullExpiryMeansNever() {
        Harness h;
        const Reply r =
            h.post(h.api(QStringLiteral("/keys")), h.ownerKey,
                   Json{{"name", "n"}, {"scopes", {"keys:read"}}, {"expires_at", nullptr}});
        QCOMPARE(r.status, 201);
        QVERIFY(r.json()["expires_at"].is_null());
    }

    void aKeyCannotGrantAScopeItLacks() {
        Harness h;
        const auto writer = h.makeKey({QStringLiteral("keys:write"), QStringLiteral("keys:read")});
        const Reply r = h.post(h.api(QStringLiteral("/keys")), writer.key,
                               Json{{"name", "escalate"}, {"scopes", {"keys:read", "audit:read"}}});
        QCOMPARE(r.status, 403);
        QCOMPARE(r.errorCode(), QStringLiteral("FORBIDDEN"));
        QVERIFY(r.errorMessage().contains(QStringLiteral("'audit:read'")));
        // Nor rotate a key that holds more than it does.
        const Reply rot =
            h.post(h.api(QStringLiteral("/keys/") + h.ownerKeyId + QStringLiteral("/rotate")),
                   writer.key, QByteArray());
        QCOMPARE(rot.status, 403);
        QVERIFY(rot.errorMessage().contains(QStringLiteral("'instances:read'")));
        // Within its own scopes it may.
        QCOMPARE(h.post(h.api(QStringLiteral("/keys")), writer.key,
                        Json{{"name", "ok"}, {"scopes", {"keys:read"}}})
                     .status,
                 201);
    }

    void listKeysHidesRevokedUnlessAsked() {
        Harness h;
        const auto a = h.makeKey({QStringLiteral("keys:read")}, QStringLiteral("a"));
        const auto b = h.makeKey({QStringLiteral("keys:read")}, QStringLiteral("b"));
        QCOMPARE(h.del(h.api(QStringLiteral("/keys/") + b.keyId), h.ownerKey).status, 204);
        const Reply list = h.get(h.api(QStringLiteral("/keys")), h.ownerKey);
        QCOMPARE(list.status, 200);
        QCOMPARE(list.json()["total"].get<int>(), 2);
        QCOMPARE(list.json()["keys"].size(), 2u);
        const Reply all = h.get(h.api(QStringLiteral("/keys?include_revoked=true")), h.ownerKey);
        QCOMPARE(all.json()["total"].get<int>(), 3);
        bool sawRevoked = false;
        const Json allJson = all.json();
        for (const Json& k : allJson["keys"]) {
            QVERIFY(!k.contains("key"));
            if (str(k, "key_id") == b.keyId) {
                QCOMPARE(str(k, "status"), QStringLiteral("revoked"));
                QVERIFY(k["revoked_at"].is_string());
                sawRevoked = true;
            }
        }
        QVERIFY(sawRevoked);
        QCOMPARE(h.get(h.api(QStringLiteral("/keys?include_revoked=yes")), h.ownerKey).status, 400);
        Q_UNUSED(a);
    }

    void getKeyByIdAndNotFound() {
        Harness h;
        const auto a = h.makeKey({QStringLiteral("keys:read")});
        const Reply r = h.get(h.api(QStringLiteral("/keys/") + a.keyId), h.ownerKey);
        QCOMPARE(r.status, 200);
        QCOMPARE(str(r.json(), "key_id"), a.keyId);
        for (const QString& id : {QStringLiteral("key_0000000000000000"), QStringLiteral("nope"),
                                  QStringLiteral("%00"), QStringLiteral("key_%2F..")}) {
            const Reply missing = h.get(h.api(QStringLiteral("/keys/") + id), h.ownerKey);
            QCOMPARE(missing.status, 404);
            QCOMPARE(missing.errorCode(), QStringLiteral("NOT_FOUND"));
        }
    }

    void revokeAnswers204AndTheKeyFailsFromTheNextRequest() {
        Harness h;
        const auto a = h.makeKey({QStringLiteral("instances:read")});
        QCOMPARE(h.get(h.api(QStringLiteral("/instances")), a.key).status, 200);
        const Reply r = h.del(h.api(QStringLiteral("/keys/") + a.keyId), h.ownerKey);
        QCOMPARE(r.status, 204);
        QVERIFY(r.body.isEmpty());
        QCOMPARE(h.get(h.api(QStringLiteral("/instances")), a.key).status, 401);
        // Revoking again is also 204.
        QCOMPARE(h.del(h.api(QStringLiteral("/keys/") + a.keyId), h.ownerKey).status, 204);
        QCOMPARE(h.del(h.api(QStringLiteral("/keys/key_0000000000000000")), h.ownerKey).status,
                 404);
    }

    void aKeyMayRevokeItself() {
        Harness h;
        const auto a = h.makeKey({QStringLiteral("keys:write")});
        QCOMPARE(h.del(h.api(QStringLiteral("/keys/") + a.keyId), a.key).status, 204);
        QCOMPARE(h.get(h.api(QStringLiteral("/key")), a.key).status, 401);
    }

    void rotateOwnKeyInvalidatesTheOldOneImmediately() {
        Harness h;
        const auto a = h.makeKey({QStringLiteral("instances:read"), QStringLiteral("keys:read")},
                                 QStringLiteral("rotating"));
        const Reply r = h.post(h.api(QStringLiteral("/key/rotate")), a.key, QByteArray());
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("Cache-Control"), QByteArray("no-store"));
        const Json j = r.json();
        const QByteArray fresh = QByteArray::fromStdString(j["key"].get<std::string>());
        QVERIFY(legba::keyformat::isWellFormed(fresh));
        QVERIFY(str(j, "key_id") != a.keyId);
        QVERIFY(j.contains("created_at"));
        QCOMPARE(str(j, "name"), QStringLiteral("rotating"));
        QVERIFY(j["scopes"] == Json({"instances:read", "keys:read"}));
        QCOMPARE(h.get(h.api(QStringLiteral("/key")), a.key).status, 401);
        QCOMPARE(h.get(h.api(QStringLiteral("/key")), fresh).status, 200);
    }

    void rotateWithGraceKeepsTheOldKeyUntilTheGraceEnds() {
        Harness h;
        const auto a = h.makeKey({QStringLiteral("instances:read")}, QStringLiteral("svc"));
        const Reply r =
            h.post(h.api(QStringLiteral("/keys/") + a.keyId + QStringLiteral("/rotate")),
                   h.ownerKey, Json{{"grace_period_seconds", 300}});
        QCOMPARE(r.status, 200);
        const Json j = r.json();
        QCOMPARE(str(j, "rotated_from"), a.keyId);
        QCOMPARE(str(j, "name"), QStringLiteral("svc"));
        QVERIFY(j["scopes"] == Json({"instances:read"}));
        const QByteArray fresh = QByteArray::fromStdString(j["key"].get<std::string>());
        // Both work during the grace; the old one shows when the grace ends.
        QCOMPARE(h.get(h.api(QStringLiteral("/instances")), a.key).status, 200);
        QCOMPARE(h.get(h.api(QStringLiteral("/instances")), fresh).status, 200);
        const Json old = h.get(h.api(QStringLiteral("/keys/") + a.keyId), h.ownerKey).json();
        QVERIFY(old["revoked_at"].is_string());
        QCOMPARE(str(old, "status"), QStringLiteral("active"));
        // A key in its grace period was already rotated.
        QCOMPARE(h.post(h.api(QStringLiteral("/keys/") + a.keyId + QStringLiteral("/rotate")),
                        h.ownerKey, QByteArray())
                     .status,
                 409);
        h.advance(301 * 1000);
        QCOMPARE(h.get(h.api(QStringLiteral("/instances")), a.key).status, 401);
        QCOMPARE(h.get(h.api(QStringLiteral("/instances")), fresh).status, 200);
        const Json after = h.get(h.api(QStringLiteral("/keys/") + a.keyId), h.ownerKey).json();
        QCOMPARE(str(after, "status"), QStringLiteral("revoked"));
    }

    void rotateWithoutGraceRevokesAtOnce() {
        Harness h;
        const auto a = h.makeKey({QStringLiteral("instances:read")});
        const Reply r =
            h.post(h.api(QStringLiteral("/keys/") + a.keyId + QStringLiteral("/rotate")),
                   h.ownerKey, QByteArray());
        QCOMPARE(r.status, 200);
        QCOMPARE(h.get(h.api(QStringLiteral("/instances")), a.key).status, 401);
    }

    void rotateKeepsTheExpiry() {
        Harness h;
        const Reply created = h.post(h.api(QStringLiteral("/keys")), h.ownerKey,
                                     Json{{"name", "n"},
                                          {"scopes", {"keys:read"}},
                                          {"expires_at", inSeconds(7200).toStdString()}});
        const QString id = str(created.json(), "key_id");
        const Reply r = h.post(h.api(QStringLiteral("/keys/") + id + QStringLiteral("/rotate")),
                               h.ownerKey, QByteArray("{}"));
        QCOMPARE(r.status, 200);
        QVERIFY(r.json()["expires_at"] == created.json()["expires_at"]);
    }

    void gracePeriodValidation_data() {
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("negative") << QByteArray("{\"grace_period_seconds\":-1}");
        QTest::newRow("over a week") << QByteArray("{\"grace_period_seconds\":604801}");
        QTest::newRow("fraction") << QByteArray("{\"grace_period_seconds\":1.5}");
        QTest::newRow("string") << QByteArray("{\"grace_period_seconds\":\"60\"}");
        QTest::newRow("huge") << QByteArray("{\"grace_period_seconds\":18446744073709551615}");
        QTest::newRow("not an object") << QByteArray("[60]");
    }

    void gracePeriodValidation() {
        QFETCH(QByteArray, body);
        Harness h;
        const auto a = h.makeKey({QStringLiteral("instances:read")});
        const Reply r =
            h.call("POST", h.api(QStringLiteral("/keys/") + a.keyId + QStringLiteral("/rotate")),
                   h.ownerKey, body);
        QCOMPARE(r.status, 400);
        QCOMPARE(r.errorCode(), QStringLiteral("VALIDATION_ERROR"));
        QVERIFY(r.errorMessage().contains(QStringLiteral("grace_period_seconds")) ||
                r.errorMessage().contains(QStringLiteral("(body)")));
        QCOMPARE(h.get(h.api(QStringLiteral("/instances")), a.key).status, 200);
    }

    void onlyAnActiveKeyCanBeRotated() {
        Harness h;
        const auto a = h.makeKey({QStringLiteral("instances:read")});
        QCOMPARE(h.del(h.api(QStringLiteral("/keys/") + a.keyId), h.ownerKey).status, 204);
        const Reply r =
            h.post(h.api(QStringLiteral("/keys/") + a.keyId + QStringLiteral("/rotate")),
                   h.ownerKey, QByteArray());
        QCOMPARE(r.status, 409);
        QCOMPARE(r.errorCode(), QStringLiteral("CONFLICT"));
    }

    void anExpiredKeyFailsFromTheNextRequest() {
        Harness h;
        const Reply created = h.post(h.api(QStringLiteral("/keys")), h.ownerKey,
                                     Json{{"name", "short-lived"},
                                          {"scopes", {"instances:read"}},
                                          {"expires_at", inSeconds(60).toStdString()}});
        QCOMPARE(created.status, 201);
        const QByteArray key = QByteArray::fromStdString(created.json()["key"].get<std::string>());
        const QString id = str(created.json(), "key_id");
        QCOMPARE(h.get(h.api(QStringLiteral("/instances")), key).status, 200);
        h.advance(61 * 1000);
        const Reply r = h.get(h.api(QStringLiteral("/instances")), key);
        QCOMPARE(r.status, 401);
        QCOMPARE(r.body, kUnauthorizedBody);
        const Json record = h.get(h.api(QStringLiteral("/keys/") + id), h.ownerKey).json();
        QCOMPARE(str(record, "status"), QStringLiteral("expired"));
        // Expired keys still show in the list; they cannot be rotated.
        QCOMPARE(h.post(h.api(QStringLiteral("/keys/") + id + QStringLiteral("/rotate")),
                        h.ownerKey, QByteArray())
                     .status,
                 409);
    }

    void lastUsedAtFollowsUse() {
        Harness h;
        const auto a = h.makeKey({QStringLiteral("instances:read")});
        QVERIFY(h.get(h.api(QStringLiteral("/keys/") + a.keyId), h.ownerKey)
                    .json()["last_used_at"]
                    .is_null());
        QCOMPARE(h.get(h.api(QStringLiteral("/instances")), a.key).status, 200);
        const Json record = h.get(h.api(QStringLiteral("/keys/") + a.keyId), h.ownerKey).json();
        QVERIFY(record["last_used_at"].is_string());
        // And it reaches the database within moments.
        QTest::qWait(100);
        const Json listed = h.get(h.api(QStringLiteral("/keys")), h.ownerKey).json();
        bool found = false;
        for (const Json& k : listed["keys"]) {
            if (str(k, "key_id") == a.keyId) {
                QVERIFY(k["last_used_at"].is_string());
                found = true;
            }
        }
        QVERIFY(found);
    }

    void scopeMatrix_data() {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("scope");
        QTest::newRow("GET /keys")
            << QByteArray("GET") << QStringLiteral("/keys") << QStringLiteral("keys:read");
        QTest::newRow("POST /keys")
            << QByteArray("POST") << QStringLiteral("/keys") << QStringLiteral("keys:write");
        QTest::newRow("GET /keys/{id}")
            << QByteArray("GET") << QStringLiteral("/keys/KEYID") << QStringLiteral("keys:read");
        QTest::newRow("POST /keys/{id}/rotate")
            << QByteArray("POST") << QStringLiteral("/keys/KEYID/rotate")
            << QStringLiteral("keys:write");
        QTest::newRow("DELETE /keys/{id}") << QByteArray("DELETE") << QStringLiteral("/keys/KEYID")
                                           << QStringLiteral("keys:write");
        QTest::newRow("GET /instances") << QByteArray("GET") << QStringLiteral("/instances")
                                        << QStringLiteral("instances:read");
        QTest::newRow("POST /instances") << QByteArray("POST") << QStringLiteral("/instances")
                                         << QStringLiteral("instances:write");
        QTest::newRow("GET /instances/{uuid}")
            << QByteArray("GET") << QStringLiteral("/instances/INSTANCE")
            << QStringLiteral("instances:read");
        QTest::newRow("DELETE /instances/{uuid}")
            << QByteArray("DELETE") << QStringLiteral("/instances/INSTANCE")
            << QStringLiteral("instances:write");
        QTest::newRow("GET /audit-log")
            << QByteArray("GET") << QStringLiteral("/audit-log") << QStringLiteral("audit:read");
    }

    // Each route with a key holding every scope but the one it needs: 403 naming it, and
    // nothing changes.
    void scopeMatrix() {
        QFETCH(QByteArray, method);
        QFETCH(QString, path);
        QFETCH(QString, scope);
        Harness h;
        const Reply inst = h.post(h.api(QStringLiteral("/instances")), h.ownerKey,
                                  Json{{"image", "ubuntu-22.04"}, {"size", "small"}});
        QCOMPARE(inst.status, 201);
        path.replace(QStringLiteral("KEYID"), h.ownerKeyId);
        path.replace(QStringLiteral("INSTANCE"), str(inst.json(), "instance_uuid"));
        QStringList others = kAll;
        others.removeAll(scope);
        const auto lacking = h.makeKey(others, QStringLiteral("lacking"));
        const QByteArray body = method == "POST" && path == QLatin1String("/keys")
                                    ? QByteArray("{\"name\":\"x\",\"scopes\":[\"keys:read\"]}")
                                : method == "POST" && path == QLatin1String("/instances")
                                    ? QByteArray("{\"image\":\"ubuntu-22.04\",\"size\":\"small\"}")
                                    : QByteArray();
        const Reply r = h.call(method, h.api(path), lacking.key, body);
        QCOMPARE(r.status, 403);
        QCOMPARE(r.errorCode(), QStringLiteral("FORBIDDEN"));
        QCOMPARE(r.errorMessage(), QStringLiteral("This key lacks the scope '%1'").arg(scope));
        // The owner key still works, and nothing was created or revoked.
        QCOMPARE(h.get(h.api(QStringLiteral("/key")), h.ownerKey).status, 200);
        QCOMPARE(h.get(h.api(QStringLiteral("/instances")), h.ownerKey).json()["total"].get<int>(),
                 1);
        QCOMPARE(h.get(h.api(QStringLiteral("/keys")), h.ownerKey).json()["total"].get<int>(), 2);
    }

    void anyValidKeyMayReadAndRotateItself() {
        Harness h;
        const auto minimal = h.makeKey({QStringLiteral("audit:read")});
        QCOMPARE(h.get(h.api(QStringLiteral("/key")), minimal.key).status, 200);
        QCOMPARE(h.post(h.api(QStringLiteral("/key/rotate")), minimal.key, QByteArray()).status,
                 200);
    }

    void organizationsCannotSeeEachOthersKeys() {
        Harness h;
        const auto other = h.server().createOrganization(QStringLiteral("Other"));
        QVERIFY(other);
        const QByteArray theirKey = other->key.reveal();
        const Reply theirs = h.get(h.api(QStringLiteral("/keys"), other->orgUuid), theirKey);
        QCOMPARE(theirs.json()["total"].get<int>(), 1);
        QCOMPARE(str(theirs.json()["keys"][0], "key_id"), other->keyId);
        // Our key ids are 404 to them, for reading, rotating and revoking.
        QCOMPARE(
            h.get(h.api(QStringLiteral("/keys/") + h.ownerKeyId, other->orgUuid), theirKey).status,
            404);
        QCOMPARE(h.post(h.api(QStringLiteral("/keys/") + h.ownerKeyId + QStringLiteral("/rotate"),
                              other->orgUuid),
                        theirKey, QByteArray())
                     .status,
                 404);
        QCOMPARE(
            h.del(h.api(QStringLiteral("/keys/") + h.ownerKeyId, other->orgUuid), theirKey).status,
            404);
        QCOMPARE(h.get(h.api(QStringLiteral("/key")), h.ownerKey).status, 200);
    }
};

QTEST_MAIN(ServerKeysTest)
#include "tst_server_keys.moc"
