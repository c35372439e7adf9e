// serve --hosted-shape: the sandbox answering exactly as the hosted Legba API's public docs
// show it. Only the public routes, each with exactly its documented members; opaque keys
// looked up by digest whatever their shape; instance ids that are not UUIDs; DELETE answered
// 200 with the instance; everything else Go's plain-text 404, after authentication under
// /orgs/ (where a bad key is still the contract's JSON 401).

#include "Harness.h"
#include "KeyFormat.h"

#include <QRegularExpression>
#include <QTest>
#include <QUuid>

using namespace legba::servertest;

namespace {

const QByteArray kPlainNotFoundBody = "404 page not found\n";
const QByteArray kPlainContentType = "text/plain; charset=utf-8";

legba::server::ServerOptions hostedOptions() {
    legba::server::ServerOptions options = Harness::fastOptions();
    options.hostedShape = true;
    return options;
}

// The object's member names, sorted, so that a set compares with QCOMPARE.
QStringList membersOf(const Json& object) {
    QStringList names;
    if (object.is_object()) {
        for (const auto& item : object.items())
            names << QString::fromStdString(item.key());
    }
    names.sort();
    return names;
}

QStringList sorted(QStringList names) {
    names.sort();
    return names;
}

const QStringList kKeyMembers =
    sorted({QStringLiteral("key_id"), QStringLiteral("name"), QStringLiteral("created_at"),
            QStringLiteral("last_used_at"), QStringLiteral("scopes")});
const QStringList kRotationMembers =
    sorted({QStringLiteral("key"), QStringLiteral("key_id"), QStringLiteral("created_at")});
const QStringList kInstanceMembers =
    sorted({QStringLiteral("instance_uuid"), QStringLiteral("status"), QStringLiteral("image"),
            QStringLiteral("size"), QStringLiteral("created_at"), QStringLiteral("access_url")});
const QStringList kListMembers = sorted({QStringLiteral("instances"), QStringLiteral("total")});

bool isOpaqueKey(const QByteArray& key) {
    static const QRegularExpression shape(QStringLiteral("^legba_sk_[0-9A-Za-z]{40}$"));
    return shape.match(QString::fromLatin1(key)).hasMatch() && !legba::keyformat::isWellFormed(key);
}

bool isDocsInstanceId(const QString& id) {
    static const QRegularExpression shape(QStringLiteral("^[0-9a-f]{4}(-[0-9a-f]{4}){3}$"));
    return shape.match(id).hasMatch();
}

} // namespace

class ServerHostedTest : public QObject {
    Q_OBJECT

private:
    static void expectPlainNotFound(const Reply& r, const QString& what) {
        QVERIFY2(r.status == 404,
                 qPrintable(what + QStringLiteral(" answered ") + QString::number(r.status) +
                            QLatin1Char(' ') + QString::fromUtf8(r.body)));
        QCOMPARE(r.body, kPlainNotFoundBody);
        QCOMPARE(r.header("Content-Type"), kPlainContentType);
        QVERIFY(!r.hasHeader("Allow"));
        QVERIFY(!r.hasHeader("WWW-Authenticate"));
    }

    static void expectStandard401(const Reply& r) {
        QCOMPARE(r.status, 401);
        QCOMPARE(r.body, kUnauthorizedBody);
        QCOMPARE(r.header("Content-Type"), QByteArray("application/json"));
        QCOMPARE(r.header("WWW-Authenticate"), QByteArray("Bearer realm=\"legba\""));
    }

    static QString createInstance(Harness& h, const char* image = "ubuntu-20.04") {
        const Reply r = h.post(h.api(QStringLiteral("/instances")), h.ownerKey,
                               Json{{"image", image}, {"size", "small"}});
        if (r.status != 201)
            qFatal("cannot create an instance: %d %s", r.status, r.body.constData());
        return str(r.json(), "instance_uuid");
    }

private Q_SLOTS:
    void ownerKeyIsOpaque() {
        Harness h(hostedOptions());
        QVERIFY2(isOpaqueKey(h.ownerKey), h.ownerKey.first(12).constData());
        const Json key = h.get(h.api(QStringLiteral("/key")), h.ownerKey).json();
        QCOMPARE(str(key, "key_id"), h.ownerKeyId);
    }

    void getKeyAnswersExactlyTheDocumentedMembers() {
        Harness h(hostedOptions());
        const Reply r = h.get(h.api(QStringLiteral("/key")), h.ownerKey);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("Content-Type"), QByteArray("application/json"));
        const Json j = r.json();
        QCOMPARE(membersOf(j), kKeyMembers);
        QCOMPARE(str(j, "key_id"), h.ownerKeyId);
        QVERIFY(j["name"].is_string());
        QVERIFY(j["created_at"].is_string());
        QVERIFY(j["last_used_at"].is_string());
        QVERIFY(j["scopes"].is_array());
        QVERIFY(!j["scopes"].empty());
    }

    void rotateAnswersKeyKeyIdAndCreatedAtOnly_theOldKeyFailsAtOnce() {
        Harness h(hostedOptions());
        const Reply r = h.post(h.api(QStringLiteral("/key/rotate")), h.ownerKey, QByteArray());
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("Cache-Control"), QByteArray("no-store"));
        const Json j = r.json();
        QCOMPARE(membersOf(j), kRotationMembers);
        const QByteArray fresh = QByteArray::fromStdString(j["key"].get<std::string>());
        QVERIFY2(isOpaqueKey(fresh), fresh.first(12).constData());
        QVERIFY(fresh != h.ownerKey);
        QVERIFY(str(j, "key_id") != h.ownerKeyId);
        QVERIFY(j["created_at"].is_string());

        expectStandard401(h.get(h.api(QStringLiteral("/key")), h.ownerKey));
        const Reply own = h.get(h.api(QStringLiteral("/key")), fresh);
        QCOMPARE(own.status, 200);
        QCOMPARE(str(own.json(), "key_id"), str(j, "key_id"));
        QCOMPARE(membersOf(own.json()), kKeyMembers);
        QCOMPARE(h.get(h.api(QStringLiteral("/instances")), fresh).status, 200);

        // The new key rotates in turn.
        const Reply again = h.post(h.api(QStringLiteral("/key/rotate")), fresh, QByteArray());
        QCOMPARE(again.status, 200);
        QCOMPARE(membersOf(again.json()), kRotationMembers);
        expectStandard401(h.get(h.api(QStringLiteral("/key")), fresh));
    }

    void anyPrintableTokenIsLookedUpByDigest() {
        Harness h(hostedOptions());
        // A key in the sandbox's checksummed shape, issued by the data dir's owner, works too:
        // the hosted shape judges no key by its look.
        const auto sandboxKey = h.server().issueKey(h.org, QStringLiteral("sandbox-shaped"));
        QVERIFY(sandboxKey);
        QVERIFY(legba::keyformat::isWellFormed(sandboxKey->secret.reveal()));
        QCOMPARE(h.get(h.api(QStringLiteral("/key")), sandboxKey->secret.reveal()).status, 200);
        // The docs' example key, and keys that are near the owner's, are unknown.
        expectStandard401(h.get(h.api(QStringLiteral("/key")), "legba_new_api_key_xyz789"));
        expectStandard401(h.get(h.api(QStringLiteral("/key")), h.ownerKey.chopped(1)));
        expectStandard401(h.get(h.api(QStringLiteral("/key")), h.ownerKey + "x"));
        expectStandard401(
            h.send("GET", h.api(QStringLiteral("/key")), "Bearer " + h.ownerKey + " extra"));
        expectStandard401(h.send("GET", h.api(QStringLiteral("/key")), "Bearer \x01\x02\x7f"));
        expectStandard401(
            h.get(h.api(QStringLiteral("/key")), QByteArray(600, 'k'))); // over any key's length
        QCOMPARE(h.get(h.api(QStringLiteral("/key")), h.ownerKey).status, 200);
    }

    void instancesHaveTheDocumentedMembersAndNonUuidIds() {
        Harness h(hostedOptions());
        const Reply created = h.post(h.api(QStringLiteral("/instances")), h.ownerKey,
                                     Json{{"image", "windows-10"}, {"size", "medium"}});
        QCOMPARE(created.status, 201);
        const Json instance = created.json();
        QCOMPARE(membersOf(instance), kInstanceMembers);
        const QString id = str(instance, "instance_uuid");
        QVERIFY2(isDocsInstanceId(id), qPrintable(id));
        QVERIFY(QUuid::fromString(id).isNull());
        QVERIFY(str(instance, "access_url").endsWith(id));
        QCOMPARE(str(instance, "status"), QStringLiteral("provisioning"));

        const QString second = createInstance(h);
        QVERIFY(isDocsInstanceId(second));
        QVERIFY(second != id);

        const Reply list = h.get(h.api(QStringLiteral("/instances")), h.ownerKey);
        QCOMPARE(list.status, 200);
        const Json page = list.json();
        QCOMPARE(membersOf(page), kListMembers);
        QCOMPARE(page["total"].get<int>(), 2);
        QStringList listed;
        for (const Json& item : page["instances"]) {
            QCOMPARE(membersOf(item), kInstanceMembers);
            listed << str(item, "instance_uuid");
        }
        QVERIFY(listed.contains(id));
        QVERIFY(listed.contains(second));
    }

    void deleteAnswers200WithTheTerminatingInstance() {
        legba::server::ServerOptions options = hostedOptions();
        options.terminationDelay = std::chrono::minutes(1); // ended by the test's clock
        Harness h(options);
        const QString id = createInstance(h);
        const Reply r = h.del(h.api(QStringLiteral("/instances/") + id), h.ownerKey);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("Content-Type"), QByteArray("application/json"));
        const Json j = r.json();
        QCOMPARE(membersOf(j), kInstanceMembers);
        QCOMPARE(str(j, "instance_uuid"), id);
        QCOMPARE(str(j, "status"), QStringLiteral("terminating"));
        // Deleting it again while it terminates is the same answer.
        const Reply twice = h.del(h.api(QStringLiteral("/instances/") + id), h.ownerKey);
        QCOMPARE(twice.status, 200);
        QCOMPARE(str(twice.json(), "status"), QStringLiteral("terminating"));
        // Then it leaves the list, and a DELETE is the contract's JSON 404: the route exists.
        h.advance(std::chrono::milliseconds(std::chrono::minutes(1)).count() + 1);
        QCOMPARE(h.get(h.api(QStringLiteral("/instances")), h.ownerKey).json()["total"].get<int>(),
                 0);
        const Reply gone = h.del(h.api(QStringLiteral("/instances/") + id), h.ownerKey);
        QCOMPARE(gone.status, 404);
        QCOMPARE(gone.errorCode(), QStringLiteral("NOT_FOUND"));
        QCOMPARE(gone.header("Content-Type"), QByteArray("application/json"));
    }

    void unknownInstanceIdsOnAPublicRouteAreTheJsonNotFound_data() {
        QTest::addColumn<QString>("id");
        QTest::newRow("docs' example") << QStringLiteral("1234-5678-90ab-cdef");
        QTest::newRow("uuid") << QStringLiteral("00000000-0000-4000-8000-000000000000");
        QTest::newRow("neither") << QStringLiteral("not-an-id");
        QTest::newRow("capitals") << QStringLiteral("1234-5678-90AB-CDEF");
    }

    void unknownInstanceIdsOnAPublicRouteAreTheJsonNotFound() {
        QFETCH(QString, id);
        Harness h(hostedOptions());
        const Reply r = h.del(h.api(QStringLiteral("/instances/") + id), h.ownerKey);
        QCOMPARE(r.status, 404);
        QCOMPARE(r.errorCode(), QStringLiteral("NOT_FOUND"));
    }

    void everyUndocumentedRouteIsThePlainNotFoundAfterAuthentication_data() {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QString>("path");
        QTest::newRow("GET /keys") << QByteArray("GET") << QStringLiteral("/keys");
        QTest::newRow("GET /keys?include_revoked")
            << QByteArray("GET") << QStringLiteral("/keys?include_revoked=true");
        QTest::newRow("POST /keys") << QByteArray("POST") << QStringLiteral("/keys");
        QTest::newRow("GET /keys/{id}") << QByteArray("GET") << QStringLiteral("/keys/KEY_ID");
        QTest::newRow("DELETE /keys/{id}")
            << QByteArray("DELETE") << QStringLiteral("/keys/KEY_ID");
        QTest::newRow("POST /keys/{id}/rotate")
            << QByteArray("POST") << QStringLiteral("/keys/KEY_ID/rotate");
        QTest::newRow("GET /audit-log") << QByteArray("GET") << QStringLiteral("/audit-log");
        QTest::newRow("GET /instances/{id}")
            << QByteArray("GET") << QStringLiteral("/instances/INSTANCE");
        QTest::newRow("PUT /instances/{id}")
            << QByteArray("PUT") << QStringLiteral("/instances/INSTANCE");
        QTest::newRow("POST /instances/{id}")
            << QByteArray("POST") << QStringLiteral("/instances/INSTANCE");
        QTest::newRow("DELETE /instances") << QByteArray("DELETE") << QStringLiteral("/instances");
        QTest::newRow("PATCH /instances") << QByteArray("PATCH") << QStringLiteral("/instances");
        QTest::newRow("POST /key") << QByteArray("POST") << QStringLiteral("/key");
        QTest::newRow("DELETE /key") << QByteArray("DELETE") << QStringLiteral("/key");
        QTest::newRow("GET /key/rotate") << QByteArray("GET") << QStringLiteral("/key/rotate");
        QTest::newRow("unknown route") << QByteArray("GET") << QStringLiteral("/no-such-route");
        QTest::newRow("nested too deep")
            << QByteArray("GET") << QStringLiteral("/instances/INSTANCE/logs");
    }

    void everyUndocumentedRouteIsThePlainNotFoundAfterAuthentication() {
        QFETCH(QByteArray, method);
        QFETCH(QString, path);
        Harness h(hostedOptions());
        path.replace(QStringLiteral("KEY_ID"), h.ownerKeyId)
            .replace(QStringLiteral("INSTANCE"), createInstance(h));
        const QByteArray body = method == "POST" ? QByteArray("{}") : QByteArray();
        expectPlainNotFound(h.call(method, h.api(path), h.ownerKey, body),
                            QString::fromLatin1(method) + QLatin1Char(' ') + path);
        // Authentication comes first: a bad key gets the contract's JSON 401, never the 404.
        expectStandard401(h.call(method, h.api(path), "legba_new_api_key_xyz789", body));
        expectStandard401(h.call(method, h.api(path), QByteArray(), body));
        // Nothing was done: the owner key still works and nothing was deleted.
        const Json list = h.get(h.api(QStringLiteral("/instances")), h.ownerKey).json();
        QCOMPARE(list["total"].get<int>(), 1);
        QCOMPARE(h.get(h.api(QStringLiteral("/key")), h.ownerKey).status, 200);
    }

    void pathsUnderOrgsOutsideTheApiArePlainNotFoundAfterAuthentication() {
        Harness h(hostedOptions());
        const QString org = QStringLiteral("/orgs/") + h.org;
        const QStringList paths = {org, org + QStringLiteral("/api"), org + QStringLiteral("/x"),
                                   org + QStringLiteral("/api/")};
        for (const QString& path : paths) {
            expectPlainNotFound(h.get(path, h.ownerKey), path);
            expectStandard401(h.get(path, "legba_new_api_key_xyz789"));
        }
    }

    void everythingOutsideOrgsIsThePlainNotFound_data() {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QString>("path");
        QTest::newRow("GET /healthz") << QByteArray("GET") << QStringLiteral("/healthz");
        QTest::newRow("POST /healthz") << QByteArray("POST") << QStringLiteral("/healthz");
        QTest::newRow("instance page")
            << QByteArray("GET") << QStringLiteral("/sandbox/instances/INSTANCE");
        QTest::newRow("root") << QByteArray("GET") << QStringLiteral("/");
        QTest::newRow("unknown") << QByteArray("GET") << QStringLiteral("/api/instances");
        QTest::newRow("orgs without slash") << QByteArray("GET") << QStringLiteral("/orgs");
    }

    void everythingOutsideOrgsIsThePlainNotFound() {
        QFETCH(QByteArray, method);
        QFETCH(QString, path);
        Harness h(hostedOptions());
        path.replace(QStringLiteral("INSTANCE"), createInstance(h));
        // With no key, with a valid one and with a bad one alike: no key is asked for there.
        expectPlainNotFound(h.call(method, path, QByteArray()), path);
        expectPlainNotFound(h.call(method, path, h.ownerKey), path);
        expectPlainNotFound(h.call(method, path, "legba_new_api_key_xyz789"), path);
    }

    void aDataDirServedInBothShapesKeepsItsInstances() {
        // Instances made in the hosted shape, then the same data dir in the sandbox's own
        // shape: their ids are still accepted on every instance route and page.
        Harness hosted(hostedOptions());
        const QString id = createInstance(hosted);
        hosted.server().close();
        legba::server::SandboxServer sandbox(Harness::fastOptions());
        QString error;
        QVERIFY2(sandbox.open(hosted.dataDir(), &error), qPrintable(error));
        QVERIFY(sandbox.listen(QHostAddress::LocalHost, 0) != 0);
        hosted.base = sandbox.baseUrl();
        const auto key = sandbox.issueKey(hosted.org, QStringLiteral("sandbox"));
        QVERIFY(key);
        const QByteArray secret = key->secret.reveal();
        // The sandbox's own shape still refuses the opaque key before any lookup.
        expectStandard401(hosted.get(hosted.api(QStringLiteral("/key")), hosted.ownerKey));
        const Reply one = hosted.get(hosted.api(QStringLiteral("/instances/") + id), secret);
        QCOMPARE(one.status, 200);
        QCOMPARE(str(one.json(), "instance_uuid"), id);
        const Reply page = hosted.get(QStringLiteral("/sandbox/instances/") + id, QByteArray());
        QCOMPARE(page.status, 200);
        QVERIFY(page.body.contains(id.toLatin1()));
        // New instances there are UUIDs again, and DELETE is the sandbox's 204.
        const Reply made = hosted.post(hosted.api(QStringLiteral("/instances")), secret,
                                       Json{{"image", "ubuntu-22.04"}, {"size", "large"}});
        QCOMPARE(made.status, 201);
        QVERIFY(!QUuid::fromString(str(made.json(), "instance_uuid")).isNull());
        QCOMPARE(hosted.del(hosted.api(QStringLiteral("/instances/") + id), secret).status, 204);
    }

    void theSandboxShapeIsUnchanged() {
        Harness h;
        QVERIFY(legba::keyformat::isWellFormed(h.ownerKey));
        const Json key = h.get(h.api(QStringLiteral("/key")), h.ownerKey).json();
        QVERIFY(key.contains("prefix"));
        QVERIFY(key.contains("status"));
        const Reply health = h.get(QStringLiteral("/healthz"), QByteArray());
        QCOMPARE(health.status, 200);
        const Reply missing = h.get(h.api(QStringLiteral("/no-such-route")), h.ownerKey);
        QCOMPARE(missing.status, 404);
        QCOMPARE(missing.errorCode(), QStringLiteral("NOT_FOUND"));
        const Reply wrongMethod = h.call("PUT", h.api(QStringLiteral("/instances")), h.ownerKey);
        QCOMPARE(wrongMethod.status, 405);
        QVERIFY(!wrongMethod.header("Allow").isEmpty());
    }
};

QTEST_MAIN(ServerHostedTest)
#include "tst_server_hosted.moc"
