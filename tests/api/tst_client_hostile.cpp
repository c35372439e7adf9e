// The client against a server that misbehaves on purpose: every answer gives a typed error
// (or, where the answer is merely unusual, the right value); nothing crashes or hangs, and
// the key never reaches another origin.
#include "CallRecorder.h"
#include "HostileServer.h"
#include "Json.h"
#include "LegbaClient.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>
#include <memory>

using namespace legba;
using namespace legba::test;
using namespace std::chrono_literals;

namespace {

const QString kOrg = QStringLiteral("123e4567-e89b-42d3-a456-426614174000");
const QByteArray kKey = "legba_0123456789abcdefghijABCDEFGHIJ011ahSqu";
constexpr int kWait = 30000; // ms: bounded waits; a healthy run takes a fraction of this

const QByteArray kKeyBody = R"({"key_id": "key_0123456789abcdef", "name": "owner",
    "prefix": "legba_012345", "scopes": ["instances:read"], "created_at": "2025-01-10T12:00:00Z",
    "expires_at": null, "last_used_at": null, "revoked_at": null, "status": "active"})";

const QByteArray kInstanceBody = R"({"instance_uuid": "11111111-1111-4111-8111-111111111111",
    "status": "provisioning", "image": "ubuntu-22.04", "size": "small",
    "created_at": "2025-01-10T12:00:00Z", "access_url": ""})";

QByteArray instanceList(int count) {
    QByteArray out = R"({"instances": [)";
    for (int i = 0; i < count; ++i) {
        if (i > 0)
            out += ',';
        out += kInstanceBody;
    }
    return out + R"(], "total": )" + QByteArray::number(count) + '}';
}

} // namespace

class ClientHostileTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void malformedJson_isParseErrorWithRouteAndRequestId();
    void wrongTypes_parseErrorNamesTheField();
    void wrongTypeInOneElement_costsOnlyThatElement();
    void everyCall_sendsWhatItsDescriptionSays();
    void delete_anyTwoHundredIsSuccess_data();
    void delete_anyTwoHundredIsSuccess();
    void unknownRoute_plainTextNotFound_isNotFoundWithoutCode();
    void emptyBodyOn200_isParseError();
    void deeplyNestedDetails_isParseErrorNotACrash();
    void tenMegabyteBody_overTheCap_isRefused();
    void tenMegabyteBody_underTheCap_isParsed();
    void endlessChunkedBody_isCutAtTheCap();
    void hugeContentLength_isRefusedBeforeTheBody();
    void compressionBomb_isRefused();
    void slowDrip_thatKeepsMoving_succeeds();
    void slowDrip_thatStalls_timesOut();
    void slowDrip_thatNeverEnds_hitsTheAttemptDeadline();
    void reset_beforeAnswering_isNetworkError();
    void reset_midBody_isNetworkError();
    void truncatedBody_isNetworkError();
    void notHttp_isNetworkError();
    void redirect_toAnotherPort_neverCarriesTheKey();
    void redirect_postToAnotherPort_neverCarriesTheKey();
    void redirect_toSameOrigin_isFollowedWithTheKey();
    void rateLimited_getIsRetriedAfterRetryAfter();
    void rateLimited_postIsNotRetried();
    void rateLimited_longRetryAfter_isNotWaitedFor();
    void rateLimited_retriesAreBounded();
    void serviceUnavailable_getIsRetried();
    void serviceUnavailable_deleteIsNotRetried();
    void internalError_isTypedAndNotRetried();
    void badGateway_withHtml_isTypedWithoutCode();
    void unauthorized_emitsKeyRejectedWithTheMessage();
    void forbidden_namesTheMissingScope();
    void contextDestroyed_beforeAnswer_callbackNeverRuns();
    void cancel_beforeAnswer_callbackNeverRunsAndConnectionCloses();
    void cancel_duringRetryWait_sendsNothingMore();
    void clientDestroyed_withCallInFlight_noCallback();
    void finishedCall_releasesItsCallback();

private:
    std::unique_ptr<HostileServer> m_server;
    std::unique_ptr<LegbaClient> m_client;
};

void ClientHostileTest::init() {
    m_server = std::make_unique<HostileServer>();
    QVERIFY(m_server->listen());
    m_client = std::make_unique<LegbaClient>();
    QVERIFY(!m_client->setEndpoint(Endpoint{m_server->baseUrl(), kOrg}));
    m_client->setKey(Secret(kKey));
    m_client->setTransferTimeout(2s);
    m_client->setRetryPolicy({1, 10ms, 2000ms});
}

void ClientHostileTest::cleanup() {
    m_client.reset();
    m_server.reset();
}

void ClientHostileTest::malformedJson_isParseErrorWithRouteAndRequestId() {
    m_server->setHandler([](QTcpSocket* socket, const RawRequest&) {
        HostileServer::answer(socket, 200, R"({"key_id": "key_0123456789abcdef", "name": )");
    });
    CallRecorder<ApiKey> call;
    m_client->getKey(this, call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY(!call.ok());
    LEGBA_COMPARE_KIND(call.error().kind, ApiError::Kind::Parse);
    QCOMPARE(call.error().route, QStringLiteral("GET /key"));
    QCOMPARE(call.error().requestId, QStringLiteral("req_hostile"));
    QVERIFY(call.error().field.isEmpty());
    QVERIFY2(call.error().summary().contains(QLatin1String("GET /key")),
             qPrintable(call.error().summary()));
    QVERIFY2(call.error().summary().contains(QLatin1String("not valid JSON")),
             qPrintable(call.error().summary()));
}

void ClientHostileTest::wrongTypes_parseErrorNamesTheField() {
    m_server->setHandler([](QTcpSocket* socket, const RawRequest&) {
        nlohmann::json body = nlohmann::json::parse(instanceList(3).toStdString());
        body["total"] = "3";
        HostileServer::answer(socket, 200, json::dump(body));
    });
    CallRecorder<InstanceList> call;
    m_client->listInstances(this, call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY(!call.ok());
    LEGBA_COMPARE_KIND(call.error().kind, ApiError::Kind::Parse);
    QCOMPARE(call.error().field, QStringLiteral("total"));
    QCOMPARE(call.error().route, QStringLiteral("GET /instances"));
    QVERIFY(call.error().message.contains(QLatin1String("total")));
    QVERIFY(call.error().summary().contains(QLatin1String("GET /instances")));
    QCOMPARE(m_server->requests().size(), 1); // a malformed answer is not retried
}

void ClientHostileTest::wrongTypeInOneElement_costsOnlyThatElement() {
    m_server->setHandler([](QTcpSocket* socket, const RawRequest&) {
        nlohmann::json body = nlohmann::json::parse(instanceList(3).toStdString());
        body["instances"][2]["created_at"] = 1736510400;
        HostileServer::answer(socket, 200, json::dump(body));
    });
    CallRecorder<InstanceList> call;
    m_client->listInstances(this, call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY(call.ok());
    QCOMPARE(call.value().instances.size(), std::size_t{2});
    QCOMPARE(call.value().unreadable.size(), std::size_t{1});
    QCOMPARE(call.value().unreadable.front().field, QStringLiteral("instances[2].created_at"));
    QCOMPARE(m_server->requests().size(), 1);
}

void ClientHostileTest::everyCall_sendsWhatItsDescriptionSays() {
    // "Copy as curl" shows the description; the call must send exactly that, route by route.
    m_server->setHandler([](QTcpSocket* socket, const RawRequest&) {
        HostileServer::answer(socket, 404, HostileServer::errorBody("NOT_FOUND", "no"));
    });
    AuditQuery audit;
    audit.cursor = QStringLiteral("a&b=c d/é");
    audit.action = QStringLiteral("api_key.");
    audit.success = true;
    const QString id = QStringLiteral("../a/b c");
    int answered = 0;
    const auto done = [&answered](const auto&) {
        ++answered;
    };
    // One call at a time, so that the server's record and the description line up.
    qsizetype made = 0;
    const auto sentAsDescribed = [&](const RequestSpec& spec) {
        ++made;
        QTRY_COMPARE_WITH_TIMEOUT(qsizetype(answered), made, kWait);
        QCOMPARE(m_server->requests().size(), made);
        const RawRequest& sent = m_server->requests().constLast();
        const RequestDescription described = m_client->describe(spec);
        QCOMPARE(sent.method, described.method);
        QCOMPARE(sent.target, described.url.toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority));
        QCOMPARE(sent.body, described.body);
    };
    const NewKeyRequest newKey{QStringLiteral("ci"), {QStringLiteral("instances:read")}, {}};
    const NewInstanceRequest newInstance{QStringLiteral("ubuntu-22.04"), InstanceSize::Small};

    m_client->health(this, done);
    sentAsDescribed(requests::health());
    m_client->getKey(this, done);
    sentAsDescribed(requests::getKey());
    m_client->rotateOwnKey(this, done);
    sentAsDescribed(requests::rotateOwnKey());
    m_client->listKeys(true, this, done);
    sentAsDescribed(requests::listKeys(true));
    m_client->createKey(newKey, this, done);
    sentAsDescribed(requests::createKey(newKey));
    m_client->getKeyById(id, this, done);
    sentAsDescribed(requests::getKeyById(id));
    m_client->rotateKey(id, 60, this, done);
    sentAsDescribed(requests::rotateKey(id, 60));
    m_client->revokeKey(id, this, done);
    sentAsDescribed(requests::revokeKey(id));
    m_client->listInstances(this, done);
    sentAsDescribed(requests::listInstances());
    m_client->createInstance(newInstance, this, done);
    sentAsDescribed(requests::createInstance(newInstance));
    m_client->getInstance(id, this, done);
    sentAsDescribed(requests::getInstance(id));
    m_client->destroyInstance(id, this, done);
    sentAsDescribed(requests::destroyInstance(id));
    m_client->auditLog(audit, this, done);
    sentAsDescribed(requests::auditLog(audit));
    m_client->auditLogRaw(audit, this, done);
    sentAsDescribed(requests::auditLogRaw(audit));
}

void ClientHostileTest::delete_anyTwoHundredIsSuccess_data() {
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("200 with the instance")
        << 200 << QByteArray(R"({"instance_uuid":"1234-5678-90ab-cdef","status":"terminating"})");
    QTest::newRow("200 empty") << 200 << QByteArray();
    QTest::newRow("200 not JSON") << 200 << QByteArray("OK");
    QTest::newRow("202 with a body") << 202 << QByteArray(R"({"accepted":true})");
    QTest::newRow("204") << 204 << QByteArray();
}

void ClientHostileTest::delete_anyTwoHundredIsSuccess() {
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    m_server->setHandler([status, body](QTcpSocket* socket, const RawRequest&) {
        HostileServer::answer(socket, status, body);
    });
    CallRecorder<Done> call;
    m_client->destroyInstance(QStringLiteral("1234-5678-90ab-cdef"), this, call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY2(call.ok(), call.describe());
    QCOMPARE(m_server->requests().constFirst().method, QByteArray("DELETE"));
    QVERIFY(m_server->requests().constFirst().target.endsWith("/instances/1234-5678-90ab-cdef"));
}

void ClientHostileTest::unknownRoute_plainTextNotFound_isNotFoundWithoutCode() {
    m_server->setHandler([](QTcpSocket* socket, const RawRequest&) {
        HostileServer::answer(socket, 404, "404 page not found\n",
                              {{"Content-Type", "text/plain; charset=utf-8"}});
    });
    CallRecorder<KeyList> call;
    m_client->listKeys(false, this, call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY(!call.ok());
    QVERIFY(call.error().isNotFound());
    QVERIFY(!call.error().code.has_value());
    QCOMPARE(m_server->requests().size(), 1); // a 404 is an answer, not retried
}

void ClientHostileTest::emptyBodyOn200_isParseError() {
    m_server->setHandler(
        [](QTcpSocket* socket, const RawRequest&) { HostileServer::answer(socket, 200, {}); });
    CallRecorder<Health> call;
    m_client->health(this, call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY(!call.ok());
    LEGBA_COMPARE_KIND(call.error().kind, ApiError::Kind::Parse);
    QCOMPARE(call.error().route, QStringLiteral("GET /healthz"));
    // /healthz is outside /orgs/: it never needs the key, and never gets it.
    QCOMPARE(m_server->requests().value(0).target, QByteArray("/healthz"));
}

void ClientHostileTest::deeplyNestedDetails_isParseErrorNotACrash() {
    m_server->setHandler([](QTcpSocket* socket, const RawRequest&) {
        constexpr int depth = 500'000;
        const QByteArray body = R"({"events": [{"event_id": "e", "occurred_at":
            "2025-01-10T12:00:00Z", "actor": null, "action": "auth.failed", "target": null,
            "outcome": "failure", "status_code": 401, "details": {"a": )" +
                                QByteArray(depth, '[') + QByteArray(depth, ']') +
                                R"(}}], "next_cursor": null})";
        HostileServer::answer(socket, 200, body);
    });
    CallRecorder<AuditPage> call;
    m_client->auditLog(AuditQuery{}, this, call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY(!call.ok());
    LEGBA_COMPARE_KIND(call.error().kind, ApiError::Kind::Parse);
}

namespace {

// Keeps the socket's send buffer topped up with `piece` until the peer goes away; counts
// what it wrote. What a client received can be no more than this.
void streamUntilClosed(QTcpSocket* socket, const QByteArray& piece,
                       const std::shared_ptr<qint64>& written) {
    auto topUp = [socket, piece, written] {
        while (socket->state() == QAbstractSocket::ConnectedState &&
               socket->bytesToWrite() < 256 * 1024)
            *written += socket->write(piece);
    };
    QObject::connect(socket, &QTcpSocket::bytesWritten, socket, topUp);
    topUp();
}

} // namespace

// An endless chunked answer to GET /key once took the app to 6 GB: the cap is on what
// arrives, not on progress signals.
void ClientHostileTest::endlessChunkedBody_isCutAtTheCap() {
    constexpr qint64 cap = 1024 * 1024;
    auto written = std::make_shared<qint64>(0);
    m_server->setHandler([written](QTcpSocket* socket, const RawRequest&) {
        socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n");
        const QByteArray data(16 * 1024, 'x');
        streamUntilClosed(socket, QByteArray::number(data.size(), 16) + "\r\n" + data + "\r\n",
                          written);
    });
    m_client->setMaximumAnswerSize(cap);
    CallRecorder<ApiKey> call;
    m_client->getKey(this, call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY(!call.ok());
    LEGBA_COMPARE_KIND(call.error().kind, ApiError::Kind::Parse);
    QVERIFY2(call.error().message.contains(QLatin1String("larger than")),
             qPrintable(call.error().message));
    // The client stopped taking bytes soon after the cap: what was sent beyond it is what
    // the kernel's buffers and one read ahead hold, not the endless rest.
    QVERIFY2(*written < cap + 16 * 1024 * 1024, qPrintable(QString::number(*written)));
    QCOMPARE(m_server->requests().size(), 1); // a refused answer is not asked for again
}

void ClientHostileTest::hugeContentLength_isRefusedBeforeTheBody() {
    auto written = std::make_shared<qint64>(0);
    m_server->setHandler([written](QTcpSocket* socket, const RawRequest&) {
        socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                      "Content-Length: 209715200\r\n\r\n");
        streamUntilClosed(socket, QByteArray(64 * 1024, 'x'), written);
    });
    m_client->setMaximumAnswerSize(64 * 1024 * 1024);
    CallRecorder<ApiKey> call;
    m_client->getKey(this, call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY(!call.ok());
    QVERIFY2(call.error().message.contains(QLatin1String("larger than 64.0 MiB")),
             qPrintable(call.error().message));
    // Refused on the header: far less than the cap was sent, let alone 200 MB.
    QVERIFY2(*written < 32 * 1024 * 1024, qPrintable(QString::number(*written)));
}

void ClientHostileTest::tenMegabyteBody_overTheCap_isRefused() {
    m_server->setHandler([](QTcpSocket* socket, const RawRequest&) {
        HostileServer::answer(socket, 200, QByteArray(10 * 1024 * 1024, 'x'));
    });
    m_client->setMaximumAnswerSize(1024 * 1024);
    CallRecorder<InstanceList> call;
    m_client->listInstances(this, call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY(!call.ok());
    LEGBA_COMPARE_KIND(call.error().kind, ApiError::Kind::Parse);
    QVERIFY2(call.error().message.contains(QLatin1String("larger than")),
             qPrintable(call.error().message));
    QVERIFY2(call.error().message.contains(QLatin1String("1.0 MiB")),
             qPrintable(call.error().message));
    QCOMPARE(call.calls(), 1);

    // A cap below one MiB still reads as a size, not "0 MiB".
    m_client->setMaximumAnswerSize(100 * 1024);
    CallRecorder<InstanceList> small;
    m_client->listInstances(this, small.callback());
    QTRY_VERIFY_WITH_TIMEOUT(small.done(), kWait);
    QVERIFY(!small.ok());
    QVERIFY2(small.error().message.contains(QLatin1String("100.0 KiB")),
             qPrintable(small.error().message));
}

void ClientHostileTest::tenMegabyteBody_underTheCap_isParsed() {
    // About 10 MB of valid instances: big, but within the default cap, so it is read.
    const QByteArray body = instanceList(50'000);
    QVERIFY(body.size() > 9'000'000);
    m_server->setHandler([body](QTcpSocket* socket, const RawRequest&) {
        HostileServer::answer(socket, 200, body);
    });
    CallRecorder<InstanceList> call;
    m_client->listInstances(this, call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY2(call.ok(), call.describe().constData());
    QCOMPARE(call.value().instances.size(), std::size_t(50'000));
    QCOMPARE(call.value().total, qint64(50'000));
}

void ClientHostileTest::compressionBomb_isRefused() {
    // 200 MB of zeros deflated to a few hundred KB. Qt inflates transparently; the client
    // must stop long before it has buffered all of it.
    // qCompress is zlib's format behind a 4-byte length: exactly HTTP's "deflate".
    const QByteArray zlib = qCompress(QByteArray(200 * 1024 * 1024, '0'), 9).sliced(4);
    m_server->setHandler([zlib](QTcpSocket* socket, const RawRequest&) {
        HostileServer::answer(socket, 200, zlib, {{"Content-Encoding", "deflate"}});
    });
    m_client->setMaximumAnswerSize(8 * 1024 * 1024);
    m_client->setRetryPolicy({0, 10ms, 10ms});
    CallRecorder<InstanceList> call;
    m_client->listInstances(this, call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY(!call.ok());
    QVERIFY2(call.error().kind == ApiError::Kind::Parse ||
                 call.error().kind == ApiError::Kind::Network,
             call.describe().constData());
}

void ClientHostileTest::slowDrip_thatKeepsMoving_succeeds() {
    // One byte every 20 ms for well over the transfer timeout in total: the timeout is for
    // silence, not for a slow but live answer.
    m_client->setTransferTimeout(500ms);
    m_server->setHandler([](QTcpSocket* socket, const RawRequest&) {
        const QByteArray body = R"({"status": "ok", "version": "drip-drip-drip-drip-drip"})";
        socket->write(HostileServer::response(200, body).chopped(body.size()));
        auto* timer = new QTimer(socket);
        auto sent = std::make_shared<qsizetype>(0);
        QObject::connect(timer, &QTimer::timeout, socket, [socket, body, sent, timer] {
            socket->write(body.sliced(*sent, 1));
            if (++*sent == body.size()) {
                timer->stop();
                socket->disconnectFromHost();
            }
        });
        timer->start(20);
    });
    QElapsedTimer clock;
    clock.start();
    CallRecorder<Health> call;
    m_client->health(this, call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY2(call.ok(), call.describe().constData());
    QCOMPARE(call.value().version, QStringLiteral("drip-drip-drip-drip-drip"));
    QVERIFY(clock.elapsed() > 500); // it did outlast the transfer timeout
}

void ClientHostileTest::slowDrip_thatStalls_timesOut() {
    m_client->setTransferTimeout(300ms);
    m_client->setRetryPolicy({0, 10ms, 10ms});
    m_server->setHandler([](QTcpSocket* socket, const RawRequest&) {
        // Headers and a few bytes, then silence.
        socket->write(HostileServer::response(200, R"({"status": "ok"})").chopped(8));
    });
    QSignalSpy unreachable(m_client.get(), &LegbaClient::serverUnreachable);
    CallRecorder<Health> call;
    m_client->health(this, call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY(!call.ok());
    LEGBA_COMPARE_KIND(call.error().kind, ApiError::Kind::Timeout);
    QCOMPARE(unreachable.size(), 1);
}

void ClientHostileTest::slowDrip_thatNeverEnds_hitsTheAttemptDeadline() {
    // Never silent long enough for the transfer timeout, never done: without a deadline
    // the pane would wait for ever.
    m_client->setTransferTimeout(500ms);
    m_client->setAttemptDeadline(1500ms);
    m_client->setRetryPolicy({0, 10ms, 10ms});
    m_server->setHandler([](QTcpSocket* socket, const RawRequest&) {
        socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                      "Content-Length: 100000\r\n\r\n{\"status\": \"");
        auto* timer = new QTimer(socket);
        QObject::connect(timer, &QTimer::timeout, socket, [socket] { socket->write("o"); });
        timer->start(50);
    });
    QSignalSpy unreachable(m_client.get(), &LegbaClient::serverUnreachable);
    CallRecorder<Health> call;
    m_client->health(this, call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY(!call.ok());
    LEGBA_COMPARE_KIND(call.error().kind, ApiError::Kind::Timeout);
    QVERIFY2(call.error().message.contains(QLatin1String("1.5 s")),
             qPrintable(call.error().message));
    QCOMPARE(unreachable.size(), 1);
}

void ClientHostileTest::reset_beforeAnswering_isNetworkError() {
    m_server->setHandler(
        [](QTcpSocket* socket, const RawRequest&) { HostileServer::reset(socket); });
    QSignalSpy unreachable(m_client.get(), &LegbaClient::serverUnreachable);
    QSignalSpy rejected(m_client.get(), &LegbaClient::keyRejected);
    CallRecorder<ApiKey> call;
    m_client->getKey(this, call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY(!call.ok());
    LEGBA_COMPARE_KIND(call.error().kind, ApiError::Kind::Network);
    QVERIFY(!call.error().message.isEmpty());
    QCOMPARE(unreachable.size(), 1);
    QCOMPARE(rejected.size(), 0);
    QCOMPARE(call.calls(), 1);
}

void ClientHostileTest::reset_midBody_isNetworkError() {
    m_server->setHandler([](QTcpSocket* socket, const RawRequest&) {
        socket->write(HostileServer::response(200, kKeyBody).chopped(40));
        socket->flush();
        QTimer::singleShot(50, socket, [socket] { HostileServer::reset(socket); });
    });
    CallRecorder<ApiKey> call;
    m_client->getKey(this, call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY(!call.ok());
    LEGBA_COMPARE_KIND(call.error().kind, ApiError::Kind::Network);
}

void ClientHostileTest::truncatedBody_isNetworkError() {
    // Content-Length promises more than arrives before an orderly close.
    m_server->setHandler([](QTcpSocket* socket, const RawRequest&) {
        socket->write(HostileServer::response(200, kKeyBody).chopped(40));
        socket->disconnectFromHost();
    });
    CallRecorder<ApiKey> call;
    m_client->getKey(this, call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY(!call.ok());
    LEGBA_COMPARE_KIND(call.error().kind, ApiError::Kind::Network);
}

void ClientHostileTest::notHttp_isNetworkError() {
    m_server->setHandler([](QTcpSocket* socket, const RawRequest&) {
        socket->write("SSH-2.0-OpenSSH_9.2\r\n\r\nnot http at all\r\n");
        socket->disconnectFromHost();
    });
    CallRecorder<ApiKey> call;
    m_client->getKey(this, call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY(!call.ok());
    LEGBA_COMPARE_KIND(call.error().kind, ApiError::Kind::Network);
}

void ClientHostileTest::redirect_toAnotherPort_neverCarriesTheKey() {
    HostileServer thief;
    QVERIFY(thief.listen());
    thief.setHandler([](QTcpSocket* socket, const RawRequest&) {
        HostileServer::answer(socket, 200, kKeyBody);
    });
    const QByteArray elsewhere =
        thief.baseUrl().toEncoded() + "/orgs/" + kOrg.toLatin1() + "/api/key";
    for (int status : {301, 302, 307, 308}) {
        m_server->setHandler([status, elsewhere](QTcpSocket* socket, const RawRequest&) {
            HostileServer::answer(socket, status, {}, {{"Location", elsewhere}});
        });
        CallRecorder<ApiKey> call;
        m_client->getKey(this, call.callback());
        QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
        QVERIFY2(!call.ok(), QByteArray::number(status).constData());
        LEGBA_COMPARE_KIND(call.error().kind, ApiError::Kind::Network);
        QVERIFY2(call.error().message.contains(QLatin1String("redirect")),
                 qPrintable(call.error().message));
    }
    // What reached the first server carried the key (it is the endpoint); nothing that
    // reached the other port did.
    QVERIFY(m_server->requestsWithAuthorization() >= 4);
    QCOMPARE(thief.requestsWithAuthorization(), 0);
    // A redirect refused is not a transient failure: it is not retried.
    QCOMPARE(m_server->requests().size(), 4);
}

void ClientHostileTest::redirect_postToAnotherPort_neverCarriesTheKey() {
    HostileServer thief;
    QVERIFY(thief.listen());
    thief.setHandler([](QTcpSocket* socket, const RawRequest&) {
        HostileServer::answer(socket, 201, kInstanceBody);
    });
    const QByteArray elsewhere = thief.baseUrl().toEncoded() + "/steal";
    m_server->setHandler([elsewhere](QTcpSocket* socket, const RawRequest&) {
        HostileServer::answer(socket, 307, {}, {{"Location", elsewhere}});
    });
    CallRecorder<Instance> call;
    m_client->createInstance({QStringLiteral("ubuntu-22.04"), InstanceSize::Small}, this,
                             call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY(!call.ok());
    QCOMPARE(thief.requests().size(), 0);
    QCOMPARE(m_server->requests().size(), 1);
}

void ClientHostileTest::redirect_toSameOrigin_isFollowedWithTheKey() {
    // The other side of the rule: a redirect within the origin works and keeps the key.
    m_server->setHandler([](QTcpSocket* socket, const RawRequest& request) {
        if (request.target.endsWith("/api/key"))
            HostileServer::answer(socket, 302, {}, {{"Location", "/moved/key"}});
        else
            HostileServer::answer(socket, 200, kKeyBody);
    });
    CallRecorder<ApiKey> call;
    m_client->getKey(this, call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY2(call.ok(), call.describe().constData());
    QCOMPARE(m_server->requests().size(), 2);
    QCOMPARE(m_server->requests().at(1).target, QByteArray("/moved/key"));
    QCOMPARE(m_server->requests().at(1).header("authorization"), "Bearer " + kKey);
}

void ClientHostileTest::rateLimited_getIsRetriedAfterRetryAfter() {
    m_server->setHandler([this](QTcpSocket* socket, const RawRequest&) {
        if (m_server->requests().size() == 1)
            HostileServer::answer(socket, 429,
                                  HostileServer::errorBody("RATE_LIMITED", "slow down"),
                                  {{"Retry-After", "1"}});
        else
            HostileServer::answer(socket, 200, instanceList(2));
    });
    QSignalSpy answered(m_client.get(), &LegbaClient::serverAnswered);
    CallRecorder<InstanceList> call;
    m_client->listInstances(this, call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY2(call.ok(), call.describe().constData());
    QCOMPARE(call.value().instances.size(), std::size_t(2));
    QCOMPARE(m_server->requests().size(), 2);
    // Retry-After is honoured: the second attempt waited at least the second asked for.
    const qint64 gap =
        m_server->requests().at(1).receivedAtMs - m_server->requests().at(0).receivedAtMs;
    QVERIFY2(gap >= 950, QByteArray::number(gap).constData());
    QCOMPARE(m_server->requests().at(1).header("authorization"), "Bearer " + kKey);
    QCOMPARE(call.calls(), 1);
}

void ClientHostileTest::rateLimited_postIsNotRetried() {
    m_server->setHandler([](QTcpSocket* socket, const RawRequest&) {
        HostileServer::answer(socket, 429, HostileServer::errorBody("RATE_LIMITED", "slow down"),
                              {{"Retry-After", "1"}});
    });
    CallRecorder<Instance> call;
    m_client->createInstance({QStringLiteral("ubuntu-22.04"), InstanceSize::Small}, this,
                             call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY(!call.ok());
    LEGBA_COMPARE_KIND(call.error().kind, ApiError::Kind::Http);
    QCOMPARE(call.error().httpStatus, 429);
    QVERIFY(call.error().isHttp(ErrorCode::RateLimited));
    QCOMPARE(call.error().retryAfterSeconds, 1);
    QCOMPARE(call.error().message, QStringLiteral("slow down"));
    QCOMPARE(call.error().route, QStringLiteral("POST /instances"));
    // Wait past the Retry-After: still one request.
    QTest::qWait(1300);
    QCOMPARE(m_server->requests().size(), 1);
    QCOMPARE(m_server->requests().at(0).method, QByteArray("POST"));
}

void ClientHostileTest::rateLimited_longRetryAfter_isNotWaitedFor() {
    m_server->setHandler([](QTcpSocket* socket, const RawRequest&) {
        HostileServer::answer(socket, 429, HostileServer::errorBody("RATE_LIMITED", "later"),
                              {{"Retry-After", "3600"}});
    });
    CallRecorder<ApiKey> call;
    m_client->getKey(this, call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY(!call.ok());
    QCOMPARE(call.error().retryAfterSeconds, 3600);
    QCOMPARE(m_server->requests().size(), 1);
}

void ClientHostileTest::rateLimited_retriesAreBounded() {
    m_client->setRetryPolicy({3, 10ms, 50ms});
    m_server->setHandler([](QTcpSocket* socket, const RawRequest&) {
        HostileServer::answer(socket, 429, HostileServer::errorBody("RATE_LIMITED", "no"),
                              {{"Retry-After", "0"}});
    });
    CallRecorder<ApiKey> call;
    m_client->getKey(this, call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY(call.error().isHttp(ErrorCode::RateLimited));
    QCOMPARE(m_server->requests().size(), 4); // the first try and three retries
    QCOMPARE(call.calls(), 1);
}

void ClientHostileTest::serviceUnavailable_getIsRetried() {
    m_server->setHandler([this](QTcpSocket* socket, const RawRequest&) {
        if (m_server->requests().size() < 3)
            HostileServer::answer(socket, 503, "upstream down", {{"Content-Type", "text/plain"}});
        else
            HostileServer::answer(socket, 200, kKeyBody);
    });
    m_client->setRetryPolicy({3, 10ms, 100ms});
    CallRecorder<ApiKey> call;
    m_client->getKey(this, call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY2(call.ok(), call.describe().constData());
    QCOMPARE(call.value().name, QStringLiteral("owner"));
    QCOMPARE(m_server->requests().size(), 3);
}

void ClientHostileTest::serviceUnavailable_deleteIsNotRetried() {
    m_server->setHandler([](QTcpSocket* socket, const RawRequest&) {
        HostileServer::answer(socket, 503, HostileServer::errorBody("INTERNAL", "busy"));
    });
    m_client->setRetryPolicy({3, 10ms, 100ms});
    CallRecorder<Done> call;
    m_client->revokeKey(QStringLiteral("key_aaaaaaaaaaaaaaaa"), this, call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QCOMPARE(call.error().httpStatus, 503);
    QTest::qWait(200);
    QCOMPARE(m_server->requests().size(), 1);
}

void ClientHostileTest::internalError_isTypedAndNotRetried() {
    m_server->setHandler([](QTcpSocket* socket, const RawRequest&) {
        HostileServer::answer(socket, 500, HostileServer::errorBody("INTERNAL", "Internal error"));
    });
    QSignalSpy answered(m_client.get(), &LegbaClient::serverAnswered);
    QSignalSpy rejected(m_client.get(), &LegbaClient::keyRejected);
    CallRecorder<InstanceList> call;
    m_client->listInstances(this, call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    LEGBA_COMPARE_KIND(call.error().kind, ApiError::Kind::Http);
    QCOMPARE(call.error().httpStatus, 500);
    QVERIFY(call.error().isHttp(ErrorCode::Internal));
    QCOMPARE(call.error().message, QStringLiteral("Internal error"));
    QCOMPARE(call.error().requestId, QStringLiteral("req_hostile"));
    QVERIFY(call.error().details().contains(QLatin1String("req_hostile")));
    QCOMPARE(answered.size(), 1);
    QCOMPARE(rejected.size(), 0);
    QCOMPARE(m_server->requests().size(), 1);
}

void ClientHostileTest::badGateway_withHtml_isTypedWithoutCode() {
    m_server->setHandler([](QTcpSocket* socket, const RawRequest&) {
        HostileServer::answer(socket, 502, "<html><h1>502 Bad Gateway</h1></html>",
                              {{"Content-Type", "text/html"}});
    });
    CallRecorder<ApiKey> call;
    m_client->getKey(this, call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    LEGBA_COMPARE_KIND(call.error().kind, ApiError::Kind::Http);
    QCOMPARE(call.error().httpStatus, 502);
    QVERIFY(!call.error().code);
    QVERIFY(call.error().message.isEmpty());
    QVERIFY(call.error().summary().contains(QLatin1String("502")));
}

void ClientHostileTest::unauthorized_emitsKeyRejectedWithTheMessage() {
    m_server->setHandler([](QTcpSocket* socket, const RawRequest&) {
        HostileServer::answer(socket, 401,
                              HostileServer::errorBody("UNAUTHORIZED", kUnauthorizedMessage),
                              {{"WWW-Authenticate", R"(Bearer realm="legba")"}});
    });
    QSignalSpy rejected(m_client.get(), &LegbaClient::keyRejected);
    CallRecorder<ApiKey> call;
    m_client->getKey(this, call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY(call.error().isUnauthorized());
    QCOMPARE(call.error().message, QString::fromLatin1(kUnauthorizedMessage));
    QCOMPARE(rejected.size(), 1);
    QCOMPARE(rejected.at(0).at(0).value<ApiError>().message,
             QString::fromLatin1(kUnauthorizedMessage));
    QCOMPARE(m_server->requests().size(), 1);
}

void ClientHostileTest::forbidden_namesTheMissingScope() {
    m_server->setHandler([](QTcpSocket* socket, const RawRequest&) {
        HostileServer::answer(
            socket, 403, HostileServer::errorBody("FORBIDDEN", "This requires scope 'keys:write'"));
    });
    CallRecorder<Done> call;
    m_client->revokeKey(QStringLiteral("key_aaaaaaaaaaaaaaaa"), this, call.callback());
    QTRY_VERIFY_WITH_TIMEOUT(call.done(), kWait);
    QVERIFY(call.error().isForbidden());
    QCOMPARE(call.error().missingScope(), QStringLiteral("keys:write"));
}

void ClientHostileTest::contextDestroyed_beforeAnswer_callbackNeverRuns() {
    QPointer<QTcpSocket> held;
    m_server->setHandler([&held](QTcpSocket* socket, const RawRequest&) { held = socket; });
    auto* context = new QObject;
    int calls = 0;
    m_client->getKey(context, [&calls](Result<ApiKey>) { ++calls; });
    QTRY_VERIFY_WITH_TIMEOUT(held, kWait);
    delete context;
    // The server answers after all; nobody is there to hear it.
    if (held)
        HostileServer::answer(held, 200, kKeyBody);
    QTest::qWait(300);
    QCOMPARE(calls, 0);
}

void ClientHostileTest::cancel_beforeAnswer_callbackNeverRunsAndConnectionCloses() {
    QPointer<QTcpSocket> held;
    m_server->setHandler([&held](QTcpSocket* socket, const RawRequest&) { held = socket; });
    int calls = 0;
    RequestHandle handle = m_client->getKey(this, [&calls](Result<ApiKey>) { ++calls; });
    QVERIFY(handle.isRunning());
    QTRY_VERIFY_WITH_TIMEOUT(held, kWait);
    handle.cancel();
    QVERIFY(!handle.isRunning());
    handle.cancel(); // twice is harmless
    // Cancelling aborts the transfer: the server sees the connection go.
    QTRY_VERIFY_WITH_TIMEOUT(!held, kWait);
    QTest::qWait(100);
    QCOMPARE(calls, 0);
}

void ClientHostileTest::cancel_duringRetryWait_sendsNothingMore() {
    m_server->setHandler([](QTcpSocket* socket, const RawRequest&) {
        HostileServer::answer(socket, 503, {}, {{"Retry-After", "1"}});
    });
    int calls = 0;
    RequestHandle handle = m_client->getKey(this, [&calls](Result<ApiKey>) { ++calls; });
    QTRY_COMPARE_WITH_TIMEOUT(m_server->requests().size(), 1, kWait);
    QTest::qWait(100); // the answer is in; the retry waits for a second
    QVERIFY(handle.isRunning());
    handle.cancel();
    QTest::qWait(1500);
    QCOMPARE(m_server->requests().size(), 1);
    QCOMPARE(calls, 0);
}

void ClientHostileTest::clientDestroyed_withCallInFlight_noCallback() {
    QPointer<QTcpSocket> held;
    m_server->setHandler([&held](QTcpSocket* socket, const RawRequest&) { held = socket; });
    int calls = 0;
    RequestHandle handle = m_client->getKey(this, [&calls](Result<ApiKey>) { ++calls; });
    QTRY_VERIFY_WITH_TIMEOUT(held, kWait);
    m_client.reset();
    handle.cancel(); // a handle outliving its client is safe
    if (held)
        HostileServer::answer(held, 200, kKeyBody);
    QTest::qWait(200);
    QCOMPARE(calls, 0);
}

void ClientHostileTest::finishedCall_releasesItsCallback() {
    // A pane that lives long and polls must not accumulate every finished call: once a
    // call is over, nothing keeps its callback (and what the callback holds) alive.
    m_server->setHandler([](QTcpSocket* socket, const RawRequest&) {
        HostileServer::answer(socket, 200, kKeyBody);
    });
    QObject context;
    auto token = std::make_shared<int>(0);
    std::weak_ptr<int> weak = token;
    bool done = false;
    m_client->getKey(&context, [token, &done](Result<ApiKey>) { done = true; });
    token.reset();
    QTRY_VERIFY_WITH_TIMEOUT(done, kWait);
    QTRY_VERIFY_WITH_TIMEOUT(weak.expired(), 2000);
}

QTEST_GUILESS_MAIN(ClientHostileTest)
#include "tst_client_hostile.moc"
