// The client against the sandbox answering as the hosted Legba API's public docs show
// (legba-server serve --hosted-shape): opaque keys, non-UUID instance ids, GET /key and
// POST /key/rotate with only their documented members, DELETE answering 200 with a body,
// and a plain-text 404 for every route the docs do not show.
#include "CallRecorder.h"
#include "KeyFormat.h"
#include "LegbaClient.h"
#include "TestServer.h"

#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>
#include <memory>

using namespace legba;
using namespace legba::test;

namespace {

constexpr int kWait = 30000; // ms: bounded waits; a healthy run takes a fraction of this

server::ServerOptions hostedOptions() {
    server::ServerOptions options = TestServer::fastOptions();
    options.hostedShape = true;
    return options;
}

// The docs' instance ids: four groups of four hex digits, not a UUID.
bool isDocsShapedId(const QString& id) {
    static const QRegularExpression shape(
        QStringLiteral("^[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}$"));
    return shape.match(id).hasMatch();
}

} // namespace

class ClientHostedTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void ownerKey_isOpaque();
    void getKey_readsTheDocumentedMembers();
    void instances_createListDestroyWithDocsShapedIds();
    void rotateOwnKey_secretAndDocumentedMembers_oldKeyFailsNewKeyWorks();
    void dashboardRoutes_areNotFoundWithoutAnErrorCode_data();
    void dashboardRoutes_areNotFoundWithoutAnErrorCode();
    void health_isNotFound();
    void badKey_isStill401AndKeyRejected();

private:
    std::unique_ptr<TestServer> m_server;
    std::unique_ptr<LegbaClient> m_client;
};

void ClientHostedTest::init() {
    m_server = std::make_unique<TestServer>(hostedOptions());
    QVERIFY2(m_server->ok(), qPrintable(m_server->error()));
    m_client = std::make_unique<LegbaClient>();
    QVERIFY(!m_client->setEndpoint(m_server->endpoint()));
    m_client->setKey(m_server->ownerKey());
}

void ClientHostedTest::cleanup() {
    m_client.reset();
    m_server.reset();
}

void ClientHostedTest::ownerKey_isOpaque() {
    const QByteArray& key = m_server->ownerKey().reveal();
    QVERIFY(!keyformat::hasSandboxShape(key));
    QVERIFY(keyformat::checkToken(QString::fromLatin1(key)).usable());
}

void ClientHostedTest::getKey_readsTheDocumentedMembers() {
    CallRecorder<ApiKey> call;
    m_client->getKey(this, call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY2(call.ok(), call.describe());
    const ApiKey& key = call.value();
    QCOMPARE(key.keyId, m_server->ownerKeyId());
    QVERIFY(!key.name.isEmpty());
    QVERIFY(key.createdAt.isValid());
    QVERIFY(key.scopes.contains(QStringLiteral("instances:read")));
    // Not in the hosted answer: left empty, never invented.
    QVERIFY(key.prefix.isEmpty());
    QVERIFY(!key.expiresAt.isValid());
    QVERIFY(key.status == KeyStatus::Active);
}

void ClientHostedTest::instances_createListDestroyWithDocsShapedIds() {
    CallRecorder<Instance> created;
    m_client->createInstance({QStringLiteral("ubuntu-20.04"), InstanceSize::Small}, this,
                             created.callback());
    QTRY_VERIFY_WITH_TIMEOUT(created.done(), kWait);
    QVERIFY2(created.ok(), created.describe());
    const QString id = created.value().instanceUuid;
    QVERIFY2(isDocsShapedId(id), qPrintable(id));

    CallRecorder<InstanceList> listed;
    m_client->listInstances(this, listed.callback());
    QTRY_VERIFY_WITH_TIMEOUT(listed.done(), kWait);
    QVERIFY2(listed.ok(), listed.describe());
    QCOMPARE(listed.value().instances.size(), std::size_t{1});
    QCOMPARE(listed.value().instances.front().instanceUuid, id);
    QVERIFY(listed.value().unreadable.empty());

    // The hosted shape answers DELETE with 200 and the instance: any 2xx is success.
    CallRecorder<Done> destroyed;
    m_client->destroyInstance(id, this, destroyed.callback());
    QTRY_VERIFY_WITH_TIMEOUT(destroyed.done(), kWait);
    QVERIFY2(destroyed.ok(), destroyed.describe());
}

void ClientHostedTest::rotateOwnKey_secretAndDocumentedMembers_oldKeyFailsNewKeyWorks() {
    CallRecorder<IssuedKey> rotated;
    m_client->rotateOwnKey(this, rotated.callback());
    QTRY_VERIFY_WITH_TIMEOUT(rotated.done(), kWait);
    QVERIFY2(rotated.ok(), rotated.describe());
    const IssuedKey& issued = rotated.value();
    QVERIFY(!issued.secret.isEmpty());
    QVERIFY(issued.secret.reveal() != m_server->ownerKey().reveal());
    QVERIFY(!keyformat::hasSandboxShape(issued.secret.reveal()));
    QVERIFY(!issued.record.keyId.isEmpty());
    QVERIFY(issued.record.keyId != m_server->ownerKeyId());
    QVERIFY(issued.record.createdAt.isValid());
    QVERIFY(issued.recordProblem.isEmpty());
    // Only key, key_id and created_at came: the rest is for GET /key to fill.
    QVERIFY(issued.record.name.isEmpty());
    QVERIFY(issued.record.scopes.isEmpty());
    QCOMPARE(issued.record.prefix, keyformat::displayPrefix(issued.secret.reveal()));

    CallRecorder<ApiKey> withOld;
    m_client->getKey(this, withOld.callback());
    QTRY_VERIFY_WITH_TIMEOUT(withOld.done(), kWait);
    QVERIFY(!withOld.ok());
    QCOMPARE(withOld.error().httpStatus, 401);

    m_client->setKey(issued.secret);
    CallRecorder<ApiKey> withNew;
    m_client->getKey(this, withNew.callback());
    QTRY_VERIFY_WITH_TIMEOUT(withNew.done(), kWait);
    QVERIFY2(withNew.ok(), withNew.describe());
    QCOMPARE(withNew.value().keyId, issued.record.keyId);
}

void ClientHostedTest::dashboardRoutes_areNotFoundWithoutAnErrorCode_data() {
    QTest::addColumn<QString>("route");
    QTest::newRow("GET /keys") << QStringLiteral("keys");
    QTest::newRow("POST /keys") << QStringLiteral("createKey");
    QTest::newRow("GET /keys/{id}") << QStringLiteral("keyById");
    QTest::newRow("POST /keys/{id}/rotate") << QStringLiteral("rotateKey");
    QTest::newRow("DELETE /keys/{id}") << QStringLiteral("revokeKey");
    QTest::newRow("GET /instances/{id}") << QStringLiteral("instance");
    QTest::newRow("GET /audit-log") << QStringLiteral("audit");
}

void ClientHostedTest::dashboardRoutes_areNotFoundWithoutAnErrorCode() {
    QFETCH(QString, route);
    std::optional<ApiError> error;
    auto keep = [&error](const auto& result) {
        error = result ? ApiError{} : result.error();
        if (result)
            error->kind = ApiError::Kind::Cancelled; // marks an unexpected success
    };
    const QString keyId = m_server->ownerKeyId();
    if (route == QLatin1String("keys"))
        m_client->listKeys(false, this, keep);
    else if (route == QLatin1String("createKey"))
        m_client->createKey({QStringLiteral("ci"), {QStringLiteral("instances:read")}, {}}, this,
                            keep);
    else if (route == QLatin1String("keyById"))
        m_client->getKeyById(keyId, this, keep);
    else if (route == QLatin1String("rotateKey"))
        m_client->rotateKey(keyId, 60, this, keep);
    else if (route == QLatin1String("revokeKey"))
        m_client->revokeKey(keyId, this, keep);
    else if (route == QLatin1String("instance"))
        m_client->getInstance(QStringLiteral("1234-5678-90ab-cdef"), this, keep);
    else
        m_client->auditLog(AuditQuery{}, this, keep);
    QTRY_VERIFY_WITH_TIMEOUT(error.has_value(), kWait);
    QCOMPARE(toString(error->kind), toString(ApiError::Kind::Http));
    QVERIFY(error->isNotFound());
    // A plain-text body: no contract code, and "not found" all the same.
    QVERIFY(!error->code.has_value());
    QVERIFY(!error->isUnauthorized());
}

void ClientHostedTest::health_isNotFound() {
    CallRecorder<Health> call;
    m_client->health(this, call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY(!call.ok());
    QVERIFY(call.error().isNotFound());
}

void ClientHostedTest::badKey_isStill401AndKeyRejected() {
    m_client->setKey(Secret("legba_new_api_key_xyz789"));
    QSignalSpy rejected(m_client.get(), &LegbaClient::keyRejected);
    CallRecorder<InstanceList> call;
    m_client->listInstances(this, call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY(!call.ok());
    QCOMPARE(call.error().httpStatus, 401);
    QVERIFY(call.error().code == ErrorCode::Unauthorized);
    QCOMPARE(rejected.count(), 1);
}

QTEST_GUILESS_MAIN(ClientHostedTest)
#include "tst_client_hosted.moc"
