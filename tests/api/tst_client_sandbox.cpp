// The client against the real sandbox server, in process on 127.0.0.1 port 0: every route
// of the contract, the errors the contract names, and the ways a call can end without an
// answer (closed port, silent socket, context gone, cancelled).
#include "CallRecorder.h"
#include "Json.h"
#include "KeyFormat.h"
#include "LegbaClient.h"
#include "Scope.h"
#include "TestServer.h"

#include <QFile>
#include <QPointer>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <functional>
#include <memory>

using namespace legba;
using namespace legba::test;
using namespace std::chrono_literals;

namespace {

constexpr int kWait = 30000; // ms: bounded waits; a healthy run takes a fraction of this

QStringList allScopeNames() {
    QStringList names;
    for (Scope scope : allScopes())
        names << wireName(scope);
    return names;
}

} // namespace

class ClientSandboxTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void health_answersOkWithoutKey();
    void getKey_answersTheOwnerRecord();
    void getKey_unknownKey_is401WithContractMessageAndKeyRejected();
    void getKey_malformedKey_is401();
    void getKey_noKey_is401();
    void everyRoute_unknownKey_is401AndKeyRejected();
    void auditLogRaw_isTheSamePageUnparsed();
    void instances_createListGetDestroy();
    void createInstance_unknownImage_is400NamingImage();
    void getInstance_unknown_is404();
    void keys_createListGetRotateRevoke();
    void createKey_scopeNotHeld_is403NamingTheScope();
    void createKey_emptyName_is400NamingName();
    void getKeyById_unknown_is404();
    void rotateOwnKey_oldKeyFailsAtOnceNewKeyWorks();
    void auditLog_showsActionsFiltersAndPages();
    void keyRateLimit_is429WithRetryAfter();
    void closedPort_isNetworkError();
    void silentSocket_isTimeout();
    void selfSignedTls_isTlsErrorWithCertificateDetails();
    void contextDestroyed_beforeAnswer_callbackNeverRuns();
    void cancel_callbackNeverRunsAndClientStillWorks();
    void curlCommand_runsAgainstTheServer();

private:
    std::unique_ptr<TestServer> m_server;
    std::unique_ptr<LegbaClient> m_client;

    std::unique_ptr<LegbaClient> clientWith(const Secret& key) const;
    IssuedKey createKey(const QString& name, const QStringList& scopes);
};

void ClientSandboxTest::init() {
    m_server = std::make_unique<TestServer>();
    QVERIFY2(m_server->ok(), qPrintable(m_server->error()));
    m_client = clientWith(m_server->ownerKey());
}

void ClientSandboxTest::cleanup() {
    m_client.reset();
    m_server.reset();
}

std::unique_ptr<LegbaClient> ClientSandboxTest::clientWith(const Secret& key) const {
    auto client = std::make_unique<LegbaClient>();
    const auto problem = client->setEndpoint(m_server->endpoint());
    if (problem)
        qFatal("endpoint refused: %s", qPrintable(*problem));
    client->setKey(key);
    client->setTransferTimeout(5s);
    client->setRetryPolicy({1, 10ms, 1000ms});
    return client;
}

IssuedKey ClientSandboxTest::createKey(const QString& name, const QStringList& scopes) {
    CallRecorder<IssuedKey> call;
    m_client->createKey({name, scopes, {}}, this, call.callback());
    if (!QTest::qWaitFor([&] { return call.done(); }, kWait) || !call.ok())
        qFatal("creating a key failed: %s", call.describe().constData());
    return call.value();
}

void ClientSandboxTest::health_answersOkWithoutKey() {
    m_client->clearKey();
    CallRecorder<Health> call;
    m_client->health(this, call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY2(call.ok(), call.describe().constData());
    QCOMPARE(call.value().status, QStringLiteral("ok"));
    QVERIFY(!call.value().version.isEmpty());
}

void ClientSandboxTest::getKey_answersTheOwnerRecord() {
    QSignalSpy answered(m_client.get(), &LegbaClient::serverAnswered);
    CallRecorder<ApiKey> call;
    m_client->getKey(this, call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY2(call.ok(), call.describe().constData());
    const ApiKey& key = call.value();
    QCOMPARE(key.keyId, m_server->ownerKeyId());
    QVERIFY(keyformat::isKeyId(key.keyId));
    QCOMPARE(key.prefix, keyformat::displayPrefix(m_server->ownerKey().reveal()));
    QCOMPARE(key.status, KeyStatus::Active);
    for (const QString& scope : allScopeNames())
        QVERIFY2(key.hasScope(scope), qPrintable(scope));
    QVERIFY(key.createdAt.isValid());
    QVERIFY(!key.revokedAt.isValid());
    QCOMPARE(answered.size(), 1);
    QCOMPARE(call.calls(), 1);
}

void ClientSandboxTest::getKey_unknownKey_is401WithContractMessageAndKeyRejected() {
    m_client->setKey(Secret(keyformat::generate())); // well formed, never issued
    QSignalSpy rejected(m_client.get(), &LegbaClient::keyRejected);
    QSignalSpy answered(m_client.get(), &LegbaClient::serverAnswered);
    CallRecorder<ApiKey> call;
    m_client->getKey(this, call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY(!call.ok());
    LEGBA_COMPARE_KIND(call.error().kind, ApiError::Kind::Http);
    QCOMPARE(call.error().httpStatus, 401);
    QVERIFY(call.error().isHttp(ErrorCode::Unauthorized));
    QCOMPARE(call.error().message, QString::fromLatin1(kUnauthorizedMessage));
    QVERIFY(!call.error().requestId.isEmpty());
    QCOMPARE(call.error().route, QStringLiteral("GET /key"));
    QCOMPARE(rejected.size(), 1);
    QCOMPARE(rejected.at(0).at(0).value<ApiError>().message,
             QString::fromLatin1(kUnauthorizedMessage));
    QCOMPARE(answered.size(), 0);
}

void ClientSandboxTest::getKey_malformedKey_is401() {
    QByteArray tampered = m_server->ownerKey().reveal();
    tampered[10] = tampered[10] == 'a' ? 'b' : 'a';
    m_client->setKey(Secret(tampered));
    CallRecorder<ApiKey> call;
    m_client->getKey(this, call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY(call.error().isUnauthorized());
    QCOMPARE(call.error().message, QString::fromLatin1(kUnauthorizedMessage));
}

void ClientSandboxTest::getKey_noKey_is401() {
    m_client->clearKey();
    QVERIFY(!m_client->hasKey());
    QSignalSpy rejected(m_client.get(), &LegbaClient::keyRejected);
    CallRecorder<InstanceList> call;
    m_client->listInstances(this, call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY(call.error().isUnauthorized());
    QCOMPARE(call.error().message, QString::fromLatin1(kUnauthorizedMessage));
    QCOMPARE(rejected.size(), 1);
}

void ClientSandboxTest::everyRoute_unknownKey_is401AndKeyRejected() {
    // Authentication comes first on every route under /orgs/: whatever the call, a key the
    // server does not know gets the one 401, and the session hears of it once per call.
    m_client->setKey(Secret(keyformat::generate()));
    QSignalSpy rejected(m_client.get(), &LegbaClient::keyRejected);
    const QString someKey = QStringLiteral("key_0000000000000000");
    const QString someInstance = QStringLiteral("11111111-1111-4111-8111-111111111111");
    std::vector<std::pair<QString, std::function<void(std::function<void(ApiError)>)>>> calls;
    auto expectError = [](auto& onError) {
        return [onError](auto result) {
            // A success would be wrong: it shows as a non-401 error.
            ApiError unexpected;
            unexpected.kind = ApiError::Kind::Cancelled;
            onError(result.ok() ? unexpected : result.error());
        };
    };
    calls.emplace_back(QStringLiteral("GET /key"),
                       [&](auto onError) { m_client->getKey(this, expectError(onError)); });
    calls.emplace_back(QStringLiteral("POST /key/rotate"),
                       [&](auto onError) { m_client->rotateOwnKey(this, expectError(onError)); });
    calls.emplace_back(QStringLiteral("GET /keys"),
                       [&](auto onError) { m_client->listKeys(true, this, expectError(onError)); });
    calls.emplace_back(QStringLiteral("POST /keys"), [&](auto onError) {
        m_client->createKey({QStringLiteral("x"), {QStringLiteral("keys:read")}, {}}, this,
                            expectError(onError));
    });
    calls.emplace_back(QStringLiteral("GET /keys/{id}"), [&](auto onError) {
        m_client->getKeyById(someKey, this, expectError(onError));
    });
    calls.emplace_back(QStringLiteral("POST /keys/{id}/rotate"), [&](auto onError) {
        m_client->rotateKey(someKey, 60, this, expectError(onError));
    });
    calls.emplace_back(QStringLiteral("DELETE /keys/{id}"), [&](auto onError) {
        m_client->revokeKey(someKey, this, expectError(onError));
    });
    calls.emplace_back(QStringLiteral("GET /instances"),
                       [&](auto onError) { m_client->listInstances(this, expectError(onError)); });
    calls.emplace_back(QStringLiteral("POST /instances"), [&](auto onError) {
        m_client->createInstance({QStringLiteral("ubuntu-22.04"), InstanceSize::Small}, this,
                                 expectError(onError));
    });
    calls.emplace_back(QStringLiteral("GET /instances/{id}"), [&](auto onError) {
        m_client->getInstance(someInstance, this, expectError(onError));
    });
    calls.emplace_back(QStringLiteral("DELETE /instances/{id}"), [&](auto onError) {
        m_client->destroyInstance(someInstance, this, expectError(onError));
    });
    calls.emplace_back(QStringLiteral("GET /audit-log"), [&](auto onError) {
        m_client->auditLog(AuditQuery{}, this, expectError(onError));
    });
    int expectedSignals = 0;
    for (const auto& [route, start] : calls) {
        std::optional<ApiError> error;
        start([&error](ApiError e) { error = std::move(e); });
        QTRY_VERIFY_WITH_TIMEOUT(error.has_value(), kWait);
        QVERIFY2(error->isUnauthorized(),
                 qPrintable(route + QStringLiteral(": ") + error->details()));
        QVERIFY2(error->message == QString::fromLatin1(kUnauthorizedMessage), qPrintable(route));
        QCOMPARE(rejected.size(), ++expectedSignals);
    }
}

void ClientSandboxTest::auditLogRaw_isTheSamePageUnparsed() {
    createKey(QStringLiteral("raw"), {QStringLiteral("keys:read")});
    CallRecorder<AuditPage> parsed;
    m_client->auditLog(AuditQuery{}, this, parsed.callback());
    QTRY_VERIFY_WITH_TIMEOUT(parsed.done(), kWait);
    QVERIFY2(parsed.ok(), parsed.describe().constData());
    CallRecorder<QByteArray> raw;
    m_client->auditLogRaw(AuditQuery{}, this, raw.callback());
    QTRY_VERIFY_WITH_TIMEOUT(raw.done(), kWait);
    QVERIFY2(raw.ok(), raw.describe().constData());
    const AuditPage again = json::auditPageFromJson(json::parse(raw.value()));
    // The first call is itself logged, so the raw page may start with one more event. The
    // DOM writes details with sorted keys, the SAX reader in the server's order: compare
    // them as JSON values.
    const auto canonical = [](AuditEvent event) {
        if (!event.detailsJson.isEmpty())
            event.detailsJson = json::dump(json::parse(event.detailsJson));
        return event;
    };
    for (const AuditEvent& event : parsed.value().events) {
        QVERIFY2(std::any_of(
                     again.events.begin(), again.events.end(),
                     [&](const AuditEvent& other) { return canonical(other) == canonical(event); }),
                 qPrintable(event.eventId));
    }

    // Errors are the same typed errors as for the parsed call.
    m_client->setKey(Secret(keyformat::generate()));
    CallRecorder<QByteArray> refused;
    m_client->auditLogRaw(AuditQuery{}, this, refused.callback());
    QTRY_VERIFY_WITH_TIMEOUT(refused.done(), kWait);
    QVERIFY(refused.error().isUnauthorized());
}

void ClientSandboxTest::instances_createListGetDestroy() {
    CallRecorder<InstanceList> empty;
    m_client->listInstances(this, empty.callback());
    QTRY_VERIFY_WITH_TIMEOUT(empty.done(), kWait);
    QVERIFY2(empty.ok(), empty.describe().constData());
    QVERIFY(empty.value().instances.empty());
    QCOMPARE(empty.value().total, qint64(0));

    CallRecorder<Instance> created;
    m_client->createInstance({QStringLiteral("ubuntu-22.04"), InstanceSize::Medium}, this,
                             created.callback());
    QTRY_VERIFY_WITH_TIMEOUT(created.done(), kWait);
    QVERIFY2(created.ok(), created.describe().constData());
    const Instance instance = created.value();
    QCOMPARE(instance.image, QStringLiteral("ubuntu-22.04"));
    QCOMPARE(instance.size, InstanceSize::Medium);
    QCOMPARE(instance.status, InstanceStatus::Provisioning);
    QVERIFY(instance.createdAt.isValid());

    CallRecorder<InstanceList> listed;
    m_client->listInstances(this, listed.callback());
    QTRY_VERIFY_WITH_TIMEOUT(listed.done(), kWait);
    QVERIFY2(listed.ok(), listed.describe().constData());
    QCOMPARE(listed.value().total, qint64(1));
    QCOMPARE(listed.value().instances.front().instanceUuid, instance.instanceUuid);

    // provisioning -> running (300 ms in the test server)
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            CallRecorder<Instance> got;
            m_client->getInstance(instance.instanceUuid, this, got.callback());
            return QTest::qWaitFor([&] { return got.done(); }, kWait) && got.ok() &&
                   got.value().status == InstanceStatus::Running;
        }(),
        kWait);

    CallRecorder<Done> destroyed;
    m_client->destroyInstance(instance.instanceUuid, this, destroyed.callback());
    QTRY_VERIFY_WITH_TIMEOUT(destroyed.done(), kWait);
    QVERIFY2(destroyed.ok(), destroyed.describe().constData());

    // terminating -> terminated, then 404 and gone from the list
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            CallRecorder<Instance> got;
            m_client->getInstance(instance.instanceUuid, this, got.callback());
            return QTest::qWaitFor([&] { return got.done(); }, kWait) && !got.ok() &&
                   got.error().isNotFound();
        }(),
        kWait);
    CallRecorder<InstanceList> after;
    m_client->listInstances(this, after.callback());
    QTRY_VERIFY_WITH_TIMEOUT(after.done(), kWait);
    QVERIFY(after.value().instances.empty());
}

void ClientSandboxTest::createInstance_unknownImage_is400NamingImage() {
    CallRecorder<Instance> call;
    m_client->createInstance({QStringLiteral("plan9-4e"), InstanceSize::Small}, this,
                             call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY(!call.ok());
    QCOMPARE(call.error().httpStatus, 400);
    QVERIFY(call.error().isHttp(ErrorCode::ValidationError));
    QVERIFY2(call.error().message.contains(QLatin1String("image")),
             qPrintable(call.error().message));
}

void ClientSandboxTest::getInstance_unknown_is404() {
    CallRecorder<Instance> call;
    m_client->getInstance(QStringLiteral("11111111-1111-4111-8111-111111111111"), this,
                          call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY(call.error().isNotFound());
    QVERIFY(call.error().isHttp(ErrorCode::NotFound));

    // An id that tries to climb out of its collection stays one (unknown) id.
    CallRecorder<Instance> climbing;
    m_client->getInstance(QStringLiteral("../key"), this, climbing.callback());
    QTRY_VERIFY_WITH_TIMEOUT(climbing.done(), kWait);
    QVERIFY2(!climbing.ok(), "../key reached another route");
    QVERIFY(climbing.error().isNotFound() || climbing.error().httpStatus == 400);
}

void ClientSandboxTest::keys_createListGetRotateRevoke() {
    const QStringList scopes{QStringLiteral("instances:read"), QStringLiteral("keys:read")};
    const IssuedKey issued = createKey(QStringLiteral("CI deploy"), scopes);
    QVERIFY(keyformat::isWellFormed(issued.secret.reveal()));
    QCOMPARE(issued.record.name, QStringLiteral("CI deploy"));
    QCOMPARE(issued.record.scopes, scopes);
    QCOMPARE(issued.record.prefix, keyformat::displayPrefix(issued.secret.reveal()));
    QVERIFY(issued.rotatedFrom.isEmpty());

    CallRecorder<KeyList> listed;
    m_client->listKeys(false, this, listed.callback());
    QTRY_VERIFY_WITH_TIMEOUT(listed.done(), kWait);
    QVERIFY2(listed.ok(), listed.describe().constData());
    QCOMPARE(listed.value().total, qint64(2));
    QVERIFY(std::any_of(listed.value().keys.begin(), listed.value().keys.end(),
                        [&](const ApiKey& k) { return k.keyId == issued.record.keyId; }));
    for (const ApiKey& k : listed.value().keys)
        QVERIFY(!k.prefix.isEmpty());

    CallRecorder<ApiKey> got;
    m_client->getKeyById(issued.record.keyId, this, got.callback());
    QTRY_VERIFY_WITH_TIMEOUT(got.done(), kWait);
    QVERIFY2(got.ok(), got.describe().constData());
    QCOMPARE(got.value().name, issued.record.name);

    // The new key works on its own, within its scopes.
    auto withNew = clientWith(issued.secret);
    CallRecorder<ApiKey> self;
    withNew->getKey(this, self.callback());
    QTRY_VERIFY_WITH_TIMEOUT(self.done(), kWait);
    QVERIFY2(self.ok(), self.describe().constData());
    QCOMPARE(self.value().keyId, issued.record.keyId);

    CallRecorder<IssuedKey> rotated;
    m_client->rotateKey(issued.record.keyId, 0, this, rotated.callback());
    QTRY_VERIFY_WITH_TIMEOUT(rotated.done(), kWait);
    QVERIFY2(rotated.ok(), rotated.describe().constData());
    QCOMPARE(rotated.value().rotatedFrom, issued.record.keyId);
    QVERIFY(rotated.value().record.keyId != issued.record.keyId);
    QCOMPARE(rotated.value().record.name, issued.record.name);
    QCOMPARE(rotated.value().record.scopes, issued.record.scopes);
    QVERIFY(rotated.value().secret != issued.secret);

    CallRecorder<ApiKey> oldRefused;
    withNew->getKey(this, oldRefused.callback());
    QTRY_VERIFY_WITH_TIMEOUT(oldRefused.done(), kWait);
    QVERIFY(oldRefused.error().isUnauthorized());

    auto withRotated = clientWith(rotated.value().secret);
    CallRecorder<ApiKey> rotatedWorks;
    withRotated->getKey(this, rotatedWorks.callback());
    QTRY_VERIFY_WITH_TIMEOUT(rotatedWorks.done(), kWait);
    QVERIFY2(rotatedWorks.ok(), rotatedWorks.describe().constData());

    CallRecorder<Done> revoked;
    m_client->revokeKey(rotated.value().record.keyId, this, revoked.callback());
    QTRY_VERIFY_WITH_TIMEOUT(revoked.done(), kWait);
    QVERIFY2(revoked.ok(), revoked.describe().constData());

    CallRecorder<ApiKey> revokedRefused;
    withRotated->getKey(this, revokedRefused.callback());
    QTRY_VERIFY_WITH_TIMEOUT(revokedRefused.done(), kWait);
    QVERIFY(revokedRefused.error().isUnauthorized());

    CallRecorder<KeyList> active;
    m_client->listKeys(false, this, active.callback());
    QTRY_VERIFY_WITH_TIMEOUT(active.done(), kWait);
    QVERIFY(std::none_of(active.value().keys.begin(), active.value().keys.end(),
                         [&](const ApiKey& k) { return k.status == KeyStatus::Revoked; }));
    CallRecorder<KeyList> all;
    m_client->listKeys(true, this, all.callback());
    QTRY_VERIFY_WITH_TIMEOUT(all.done(), kWait);
    QVERIFY(std::any_of(all.value().keys.begin(), all.value().keys.end(), [&](const ApiKey& k) {
        return k.keyId == rotated.value().record.keyId && k.status == KeyStatus::Revoked &&
               k.revokedAt.isValid();
    }));

    // Revoking a revoked key is still 204.
    CallRecorder<Done> again;
    m_client->revokeKey(rotated.value().record.keyId, this, again.callback());
    QTRY_VERIFY_WITH_TIMEOUT(again.done(), kWait);
    QVERIFY2(again.ok(), again.describe().constData());
}

void ClientSandboxTest::createKey_scopeNotHeld_is403NamingTheScope() {
    const IssuedKey limited = createKey(
        QStringLiteral("key admin"), {QStringLiteral("keys:read"), QStringLiteral("keys:write")});
    auto client = clientWith(limited.secret);
    CallRecorder<IssuedKey> call;
    client->createKey({QStringLiteral("escalate"), {QStringLiteral("audit:read")}, {}}, this,
                      call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY(call.error().isForbidden());
    QVERIFY(call.error().isHttp(ErrorCode::Forbidden));
    QCOMPARE(call.error().missingScope(), QStringLiteral("audit:read"));

    // And a route needing a scope it lacks.
    CallRecorder<InstanceList> instances;
    client->listInstances(this, instances.callback());
    QTRY_VERIFY_WITH_TIMEOUT(instances.done(), kWait);
    QCOMPARE(instances.error().missingScope(), QStringLiteral("instances:read"));
}

void ClientSandboxTest::createKey_emptyName_is400NamingName() {
    CallRecorder<IssuedKey> call;
    m_client->createKey({QStringLiteral("   "), {QStringLiteral("keys:read")}, {}}, this,
                        call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY(call.error().isHttp(ErrorCode::ValidationError));
    QVERIFY2(call.error().message.contains(QLatin1String("name")),
             qPrintable(call.error().message));
}

void ClientSandboxTest::getKeyById_unknown_is404() {
    CallRecorder<ApiKey> call;
    m_client->getKeyById(QStringLiteral("key_0000000000000000"), this, call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY(call.error().isNotFound());
}

void ClientSandboxTest::rotateOwnKey_oldKeyFailsAtOnceNewKeyWorks() {
    CallRecorder<IssuedKey> rotated;
    m_client->rotateOwnKey(this, rotated.callback());
    QTRY_VERIFY_WITH_TIMEOUT(rotated.done(), kWait);
    QVERIFY2(rotated.ok(), rotated.describe().constData());
    QVERIFY(keyformat::isWellFormed(rotated.value().secret.reveal()));
    QVERIFY(rotated.value().record.keyId != m_server->ownerKeyId());

    QSignalSpy rejected(m_client.get(), &LegbaClient::keyRejected);
    CallRecorder<ApiKey> old;
    m_client->getKey(this, old.callback());
    QTRY_VERIFY_WITH_TIMEOUT(old.done(), kWait);
    QVERIFY(old.error().isUnauthorized());
    QCOMPARE(rejected.size(), 1);

    m_client->setKey(rotated.value().secret);
    CallRecorder<ApiKey> fresh;
    m_client->getKey(this, fresh.callback());
    QTRY_VERIFY_WITH_TIMEOUT(fresh.done(), kWait);
    QVERIFY2(fresh.ok(), fresh.describe().constData());
    QCOMPARE(fresh.value().keyId, rotated.value().record.keyId);
}

void ClientSandboxTest::auditLog_showsActionsFiltersAndPages() {
    const IssuedKey issued = createKey(QStringLiteral("audited"), {QStringLiteral("keys:read")});
    CallRecorder<Done> revoked;
    m_client->revokeKey(issued.record.keyId, this, revoked.callback());
    QTRY_VERIFY_WITH_TIMEOUT(revoked.done(), kWait);

    AuditQuery query;
    query.action = QStringLiteral("api_key.");
    CallRecorder<AuditPage> page;
    m_client->auditLog(query, this, page.callback());
    QTRY_VERIFY_WITH_TIMEOUT(page.done(), kWait);
    QVERIFY2(page.ok(), page.describe().constData());
    QStringList actions;
    for (const AuditEvent& event : page.value().events) {
        actions << event.action;
        QVERIFY(event.action.startsWith(QLatin1String("api_key.")));
    }
    // Newest first; the oldest is the owner key's own creation at setup, by nobody.
    QCOMPARE(actions,
             (QStringList{QStringLiteral("api_key.revoked"), QStringLiteral("api_key.created"),
                          QStringLiteral("api_key.created")}));
    for (std::size_t i = 0; i < 2; ++i) {
        const AuditEvent& event = page.value().events[i];
        QVERIFY(event.actor);
        QCOMPARE(event.actor->keyId, m_server->ownerKeyId());
        QVERIFY(event.target);
        QCOMPARE(event.target->id, issued.record.keyId);
        QVERIFY(event.succeeded());
    }
    QVERIFY(!page.value().events.back().actor);

    // Paging one event at a time visits every event once.
    AuditQuery single;
    single.limit = 1;
    QStringList seen;
    for (int guard = 0; guard < 50; ++guard) {
        CallRecorder<AuditPage> one;
        m_client->auditLog(single, this, one.callback());
        QTRY_VERIFY_WITH_TIMEOUT(one.done(), kWait);
        QVERIFY2(one.ok(), one.describe().constData());
        QVERIFY(one.value().events.size() <= 1);
        for (const AuditEvent& event : one.value().events) {
            QVERIFY2(!seen.contains(event.eventId), qPrintable(event.eventId));
            seen << event.eventId;
        }
        if (one.value().nextCursor.isEmpty())
            break;
        single.cursor = one.value().nextCursor;
    }
    QVERIFY(seen.size() >= 2);

    AuditQuery failures;
    failures.success = false;
    CallRecorder<AuditPage> failed;
    m_client->auditLog(failures, this, failed.callback());
    QTRY_VERIFY_WITH_TIMEOUT(failed.done(), kWait);
    QVERIFY2(failed.ok(), failed.describe().constData());
    for (const AuditEvent& event : failed.value().events)
        QVERIFY(event.failed());
}

void ClientSandboxTest::keyRateLimit_is429WithRetryAfter() {
    server::ServerOptions options = TestServer::fastOptions();
    options.keyRequestsPerMinute = 2;
    m_client.reset();
    m_server = std::make_unique<TestServer>(options);
    QVERIFY2(m_server->ok(), qPrintable(m_server->error()));
    m_client = clientWith(m_server->ownerKey());
    // Retry-After will be many seconds, beyond what the client waits for on its own.
    m_client->setRetryPolicy({3, 10ms, 500ms});

    for (int i = 0; i < 2; ++i) {
        CallRecorder<ApiKey> allowed;
        m_client->getKey(this, allowed.callback());
        QTRY_VERIFY_WITH_TIMEOUT(allowed.done(), kWait);
        QVERIFY2(allowed.ok(), allowed.describe().constData());
    }
    QSignalSpy rejected(m_client.get(), &LegbaClient::keyRejected);
    CallRecorder<ApiKey> limited;
    m_client->getKey(this, limited.callback());
    QTRY_VERIFY_WITH_TIMEOUT(limited.done(), kWait);
    QVERIFY(!limited.ok());
    QCOMPARE(limited.error().httpStatus, 429);
    QVERIFY(limited.error().isHttp(ErrorCode::RateLimited));
    QVERIFY(limited.error().retryAfterSeconds >= 1);
    QCOMPARE(rejected.size(), 0); // rate limited is not "key rejected"
}

void ClientSandboxTest::closedPort_isNetworkError() {
    quint16 port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    } // closed again: nothing listens there now
    LegbaClient client;
    QVERIFY(!client.setEndpoint(
        {QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)), m_server->orgUuid()}));
    client.setKey(m_server->ownerKey());
    client.setRetryPolicy({2, 10ms, 50ms});
    QSignalSpy unreachable(&client, &LegbaClient::serverUnreachable);
    QSignalSpy rejected(&client, &LegbaClient::keyRejected);
    CallRecorder<ApiKey> call;
    client.getKey(this, call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY(!call.ok());
    LEGBA_COMPARE_KIND(call.error().kind, ApiError::Kind::Network);
    QVERIFY(!call.error().message.isEmpty());
    QVERIFY(call.error().summary().contains(call.error().message));
    QCOMPARE(unreachable.size(), 1); // once, after the retries
    QCOMPARE(rejected.size(), 0);
    QCOMPARE(call.calls(), 1);
}

void ClientSandboxTest::silentSocket_isTimeout() {
    // Accepts, reads nothing, answers nothing.
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
    QList<QTcpSocket*> held;
    connect(&silent, &QTcpServer::newConnection, this, [&] {
        while (QTcpSocket* socket = silent.nextPendingConnection())
            held << socket;
    });
    LegbaClient client;
    QVERIFY(
        !client.setEndpoint({QUrl(QStringLiteral("http://127.0.0.1:%1").arg(silent.serverPort())),
                             m_server->orgUuid()}));
    client.setKey(m_server->ownerKey());
    client.setTransferTimeout(300ms);
    client.setRetryPolicy({1, 10ms, 50ms});
    QSignalSpy unreachable(&client, &LegbaClient::serverUnreachable);
    CallRecorder<InstanceList> call;
    client.listInstances(this, call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY(!call.ok());
    LEGBA_COMPARE_KIND(call.error().kind, ApiError::Kind::Timeout);
    QCOMPARE(unreachable.size(), 1);
    QCOMPARE(held.size(), 2); // the first try and one retry
}

void ClientSandboxTest::selfSignedTls_isTlsErrorWithCertificateDetails() {
    QString data = qEnvironmentVariable("LEGBA_TEST_DATA");
    if (data.isEmpty()) // run by hand rather than by ctest
        data = QFINDTESTDATA("data");
    QVERIFY2(QFile::exists(data + QStringLiteral("/selfsigned-cert.pem")), qPrintable(data));
    server::ServerOptions options = TestServer::fastOptions();
    options.tlsCertificatePath = data + QStringLiteral("/selfsigned-cert.pem");
    options.tlsKeyPath = data + QStringLiteral("/selfsigned-key.pem");
    TestServer tlsServer(options);
    QVERIFY2(tlsServer.ok(), qPrintable(tlsServer.error()));
    QCOMPARE(tlsServer.baseUrl().scheme(), QStringLiteral("https"));

    LegbaClient client;
    QVERIFY(!client.setEndpoint(tlsServer.endpoint()));
    client.setKey(tlsServer.ownerKey());
    client.setRetryPolicy({1, 10ms, 50ms});
    QSignalSpy unreachable(&client, &LegbaClient::serverUnreachable);
    CallRecorder<ApiKey> call;
    client.getKey(this, call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY(!call.ok());
    LEGBA_COMPARE_KIND(call.error().kind, ApiError::Kind::Tls);
    // What the user is shown names the certificate, so that they can judge it.
    QVERIFY2(call.error().tlsDetails.contains(QLatin1String("legba-test-selfsigned")),
             qPrintable(call.error().tlsDetails));
    QVERIFY2(call.error().tlsDetails.contains(QLatin1String("15:ab:43:80"), Qt::CaseInsensitive),
             qPrintable(call.error().tlsDetails));
    QVERIFY(call.error().details().contains(call.error().tlsDetails));
    QCOMPARE(unreachable.size(), 1);
}

void ClientSandboxTest::contextDestroyed_beforeAnswer_callbackNeverRuns() {
    auto* context = new QObject;
    int calls = 0;
    RequestHandle handle = m_client->getKey(context, [&calls](Result<ApiKey>) { ++calls; });
    delete context; // the pane closed before the server answered
    QVERIFY(!handle.isRunning());
    // A later call proves the answer to the first one had time to arrive.
    CallRecorder<ApiKey> later;
    m_client->getKey(this, later.callback());
    QTRY_VERIFY_WITH_TIMEOUT(later.done(), kWait);
    QVERIFY2(later.ok(), later.describe().constData());
    QTest::qWait(50);
    QCOMPARE(calls, 0);
}

void ClientSandboxTest::cancel_callbackNeverRunsAndClientStillWorks() {
    int calls = 0;
    RequestHandle handle =
        m_client->listInstances(this, [&calls](Result<InstanceList>) { ++calls; });
    QVERIFY(handle.isRunning());
    handle.cancel();
    QVERIFY(!handle.isRunning());
    CallRecorder<InstanceList> later;
    m_client->listInstances(this, later.callback());
    QTRY_VERIFY_WITH_TIMEOUT(later.done(), kWait);
    QVERIFY2(later.ok(), later.describe().constData());
    QTest::qWait(50);
    QCOMPARE(calls, 0);
}

void ClientSandboxTest::curlCommand_runsAgainstTheServer() {
    // "Copy as curl" gives a command that works when pasted, with the key coming from the
    // environment, as the public docs show it.
    if (QStandardPaths::findExecutable(QStringLiteral("curl")).isEmpty())
        QSKIP("curl is not installed");
    const QString command = curlCommand(m_client->describe(requests::listInstances()));
    QVERIFY(!command.contains(QString::fromLatin1(m_server->ownerKey().reveal())));
    QProcess shell;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("LEGBA_API_TOKEN"),
               QString::fromLatin1(m_server->ownerKey().reveal()));
    shell.setProcessEnvironment(env);
    shell.start(QStringLiteral("/bin/sh"),
                {QStringLiteral("-c"), command + QStringLiteral(" --silent --show-error")});
    // The server runs in this thread: keep the event loop turning while curl waits.
    QTRY_VERIFY_WITH_TIMEOUT(shell.state() == QProcess::NotRunning, kWait);
    QCOMPARE(shell.exitCode(), 0);
    const QByteArray out = shell.readAllStandardOutput();
    const InstanceList list = json::instanceListFromJson(json::parse(out));
    QCOMPARE(list.total, qint64(0));
}

QTEST_GUILESS_MAIN(ClientSandboxTest)
#include "tst_client_sandbox.moc"
