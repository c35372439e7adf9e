// Limits and hostile input: the per-key rate limit and its headers, 413 for bodies over
// 64 KiB, and malformed HTTP or JSON that must never give a 500, a crash or a hang.

#include "Harness.h"

#include <QTest>
#include <memory>
#include <vector>

using namespace legba::servertest;

class ServerLimitsTest : public QObject {
    Q_OBJECT

private:
    static void expectAlive(Harness& h) {
        QCOMPARE(h.get(QStringLiteral("/healthz"), {}).status, 200);
        QCOMPARE(h.get(h.api(QStringLiteral("/key")), h.ownerKey).status, 200);
    }

private Q_SLOTS:
    void perKeyRateLimitAnswers429WithHeaders() {
        legba::server::ServerOptions options = Harness::fastOptions();
        options.keyRequestsPerMinute = 5;
        Harness h(options);
        for (int i = 0; i < 5; ++i) {
            const Reply r = h.get(h.api(QStringLiteral("/instances")), h.ownerKey);
            QCOMPARE(r.status, 200);
            QCOMPARE(r.header("X-RateLimit-Limit"), QByteArray("5"));
            QCOMPARE(r.header("X-RateLimit-Remaining"), QByteArray::number(4 - i));
            const int reset = r.header("X-RateLimit-Reset").toInt();
            QVERIFY(reset >= 1 && reset <= 60);
        }
        const Reply limited = h.get(h.api(QStringLiteral("/instances")), h.ownerKey);
        QCOMPARE(limited.status, 429);
        QCOMPARE(limited.errorCode(), QStringLiteral("RATE_LIMITED"));
        QVERIFY(limited.header("Retry-After").toInt() >= 1);
        QCOMPARE(limited.header("X-RateLimit-Remaining"), QByteArray("0"));
        // Once the window has passed; errors of authenticated requests carry the headers too.
        h.advance(61 * 1000);
        const Reply notFound = h.get(h.api(QStringLiteral("/nope")), h.ownerKey);
        QCOMPARE(notFound.status, 404);
        QCOMPARE(notFound.header("X-RateLimit-Limit"), QByteArray("5"));
        // Unauthenticated answers and /healthz carry none.
        QVERIFY(!h.get(h.api(QStringLiteral("/key")), {}).hasHeader("X-RateLimit-Limit"));
        QVERIFY(!h.get(QStringLiteral("/healthz"), {}).hasHeader("X-RateLimit-Limit"));
    }

    void noRateLimitHeadersWhenTheLimitIsOff() {
        Harness h;
        const Reply r = h.get(h.api(QStringLiteral("/instances")), h.ownerKey);
        QVERIFY(!r.hasHeader("X-RateLimit-Limit"));
        for (int i = 0; i < 50; ++i)
            QCOMPARE(h.get(h.api(QStringLiteral("/key")), h.ownerKey).status, 200);
    }

    void healthzIsNeverLimited() {
        Harness h;
        for (int i = 0; i < 30; ++i)
            h.get(h.api(QStringLiteral("/key")), QByteArray("Bearer nope"));
        for (int i = 0; i < 30; ++i)
            QCOMPARE(h.get(QStringLiteral("/healthz"), {}).status, 200);
    }

    void bodyOver64KiBIs413() {
        Harness h;
        const QByteArray body =
            "{\"name\":\"" + QByteArray(70 * 1024, 'a') + "\",\"scopes\":[\"keys:read\"]}";
        const Reply r = h.call("POST", h.api(QStringLiteral("/keys")), h.ownerKey, body);
        QCOMPARE(r.status, 413);
        QCOMPARE(r.errorCode(), QStringLiteral("PAYLOAD_TOO_LARGE"));
        QVERIFY(!r.header("X-Request-Id").isEmpty());
        // Exactly 64 KiB is still read (and then judged on its content).
        QByteArray exact = "{\"name\":\"n\",\"scopes\":[\"keys:read\"],\"pad\":\"";
        exact += QByteArray(64 * 1024 - exact.size() - 2, 'p') + "\"}";
        QCOMPARE(exact.size(), 64 * 1024);
        QCOMPARE(h.call("POST", h.api(QStringLiteral("/keys")), h.ownerKey, exact).status, 201);
        expectAlive(h);
    }

    void endlessBodyIsCutOffWithout413Buffering() {
        Harness h;
        QByteArray request = "POST " + h.api(QStringLiteral("/keys")).toUtf8() +
                             " HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n"
                             "Authorization: Bearer " +
                             h.ownerKey + "\r\n\r\n";
        request += QByteArray(512 * 1024, 'x');
        const QByteArray answer = h.raw(request);
        // The server answers 413 at once and reads and drops the rest for a while before it
        // closes, so the client gets the answer rather than a reset.
        QVERIFY2(answer.startsWith("HTTP/1.1 413"), answer.left(200).constData());
        QVERIFY(answer.contains("PAYLOAD_TOO_LARGE"));
        expectAlive(h);
    }

    void bodyFarOver64KiBIs413ForQtsClientToo() {
        Harness h;
        // Past 80 KiB the server answers before reading the body (QNetworkAccessManager does
        // not ask with Expect: 100-continue): the answer must still reach the client.
        const QByteArray body =
            "{\"name\":\"" + QByteArray(qsizetype{2} * 1024 * 1024, 'a') + "\"}";
        const Reply r = h.call("POST", h.api(QStringLiteral("/keys")), h.ownerKey, body);
        QCOMPARE(r.status, 413);
        QCOMPARE(r.errorCode(), QStringLiteral("PAYLOAD_TOO_LARGE"));
        expectAlive(h);
    }

    void malformedHttpGets400OrACloseNeverAHang_data() {
        QTest::addColumn<QByteArray>("bytes");
        const char tlsHello[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n";
        QTest::newRow("garbage") << QByteArray(tlsHello, sizeof(tlsHello) - 1);
        QTest::newRow("bad request line") << QByteArray("GET\r\n\r\n");
        QTest::newRow("bad header") << QByteArray("GET /healthz HTTP/1.1\r\nNo colon here\r\n\r\n");
        QTest::newRow("bad content length")
            << QByteArray("POST /healthz HTTP/1.1\r\nContent-Length: -5\r\n\r\n");
        QTest::newRow("bad chunk")
            << QByteArray("POST /healthz HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n");
        QTest::newRow("nul in path") << QByteArray("GET /heal\0thz HTTP/1.1\r\n\r\n", 27);
    }

    void malformedHttpGets400OrACloseNeverAHang() {
        QFETCH(QByteArray, bytes);
        Harness h;
        const QByteArray answer = h.raw(bytes, 3000);
        // Each is answered 400 in the contract's shape, naming what was wrong, and closed.
        QVERIFY2(answer.startsWith("HTTP/1.1 400 "), answer.left(200).constData());
        QVERIFY(answer.contains("X-Request-Id: "));
        QVERIFY(answer.contains("Connection: close\r\n"));
        QVERIFY(answer.contains("\"VALIDATION_ERROR\""));
        expectAlive(h);
    }

    void unparsableRequestIsAnsweredAndClosedAtOnce() {
        Harness h;
        QElapsedTimer timer;
        timer.start();
        // A TLS hello sent to the plain port: answered 400 naming the line, then closed (raw()
        // returns when the server closes, not after its 3 s wait).
        const QByteArray answer = h.raw("\x16\x03\x01garbage\r\n\r\n", 3000);
        QVERIFY2(answer.startsWith("HTTP/1.1 400 "), answer.constData());
        QVERIFY(answer.contains("Connection: close\r\n"));
        QVERIFY(answer.contains("VALIDATION_ERROR"));
        QVERIFY2(answer.contains("The request line"), answer.constData());
        QVERIFY(timer.elapsed() < 2000);
        expectAlive(h);
    }

    void oddButValidHttpIsAnswered() {
        Harness h;
        // RFC 9112 3.2: HTTP/1.1 without Host is refused; HTTP/1.0 may leave it out.
        const QByteArray noHost = h.raw("GET /healthz HTTP/1.1\r\n\r\n");
        QVERIFY2(noHost.startsWith("HTTP/1.1 400"), noHost.constData());
        QVERIFY2(noHost.contains("Host"), noHost.constData());
        const QByteArray noHost10 = h.raw("GET /healthz HTTP/1.0\r\n\r\n");
        QVERIFY2(noHost10.startsWith("HTTP/1.1 200"), noHost10.constData());
        const QByteArray unknownMethod = h.raw("BREW /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        QVERIFY2(!unknownMethod.startsWith("HTTP/1.1 5"), unknownMethod.constData());
        const QByteArray head = h.raw("HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        QVERIFY2(head.startsWith("HTTP/1.1 200"), head.constData());
        QVERIFY(head.endsWith("\r\n\r\n"));
        // Pipelined keep-alive requests are answered in order.
        const QByteArray two =
            h.raw("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                  "GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        QVERIFY2(two.startsWith("HTTP/1.1 200"), two.constData());
        expectAlive(h);
    }

    void wronglyTypedAndHostileJsonIs400_data() {
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("deeply nested") << (QByteArray(20000, '[') + QByteArray(20000, ']'));
        QTest::newRow("deeply nested object")
            << (QByteArray("{\"name\":") + QByteArray(30000, '[') + QByteArray(30000, ']') + "}");
        QTest::newRow("huge number")
            << QByteArray("{\"name\":1e999999,\"scopes\":[\"keys:read\"]}");
        QTest::newRow("number name") << QByteArray("{\"name\":1,\"scopes\":[\"keys:read\"]}");
        QTest::newRow("object scopes") << QByteArray("{\"name\":\"n\",\"scopes\":{\"a\":1}}");
        QTest::newRow("nested scope")
            << QByteArray("{\"name\":\"n\",\"scopes\":[[\"keys:read\"]]}");
        QTest::newRow("bool body") << QByteArray("true");
        QTest::newRow("null body") << QByteArray("null");
        QTest::newRow("trailing garbage")
            << QByteArray("{\"name\":\"n\",\"scopes\":[\"keys:read\"]} x");
        QTest::newRow("nul byte") << QByteArray("{\"name\":\"n\0\",\"scopes\":[\"keys:read\"]}",
                                                37);
        QTest::newRow("invalid utf-8")
            << QByteArray("{\"name\":\"\xff\xfe\",\"scopes\":[\"keys:read\"]}");
        QTest::newRow("lone surrogate")
            << QByteArray("{\"name\":\"\\ud800\",\"scopes\":[\"keys:read\"]}");
        QTest::newRow("binary") << QByteArray("\x00\x01\x02\x03", 4);
    }

    void wronglyTypedAndHostileJsonIs400() {
        QFETCH(QByteArray, body);
        Harness h;
        const Reply r = h.call("POST", h.api(QStringLiteral("/keys")), h.ownerKey, body);
        QCOMPARE(r.status, 400);
        QCOMPARE(r.errorCode(), QStringLiteral("VALIDATION_ERROR"));
        QVERIFY(!r.errorMessage().isEmpty());
        expectAlive(h);
    }

    void pastTheConnectionLimitANewConnectionIsClosed() {
        legba::server::ServerOptions options = Harness::fastOptions();
        options.maxConnections = 20;
        Harness h(options);
        const auto port = static_cast<quint16>(h.base.port());
        std::vector<std::unique_ptr<QTcpSocket>> idle;
        for (int i = 0; i < 19; ++i) {
            idle.push_back(std::make_unique<QTcpSocket>());
            idle.back()->connectToHost(QHostAddress::LocalHost, port);
            QVERIFY(idle.back()->waitForConnected(5000));
        }
        // The limit's worth less one idle: the last place still serves (and is kept).
        idle.push_back(std::make_unique<QTcpSocket>());
        idle.back()->connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(idle.back()->waitForConnected(5000));
        idle.back()->write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        QByteArray served;
        QTRY_VERIFY_WITH_TIMEOUT((served += idle.back()->readAll(), Harness::complete(served)),
                                 5000);
        QVERIFY2(served.startsWith("HTTP/1.1 200 "), served.constData());
        // The limit's worth: the next is closed at once, unanswered.
        QTcpSocket over;
        over.connectToHost(QHostAddress::LocalHost, port);
        over.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        QTRY_COMPARE_WITH_TIMEOUT(over.state(), QAbstractSocket::UnconnectedState, 5000);
        QVERIFY(!over.readAll().startsWith("HTTP/1.1 200"));
        // Accepted in order, so the 20 before it were held.
        for (const auto& socket : idle)
            QCOMPARE(socket->state(), QAbstractSocket::ConnectedState);
        // Once some close, a fresh connection is answered again.
        for (int i = 0; i < 5; ++i)
            idle[std::size_t(i)]->abort();
        QTRY_VERIFY_WITH_TIMEOUT(
            h.raw("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").startsWith("HTTP/1.1 200 "), 5000);
    }

    void idleKeepAliveConnectionsAreClosedAfterTheTimeout() {
        legba::server::ServerOptions options = Harness::fastOptions();
        options.idleTimeout = std::chrono::milliseconds(300);
        options.maxConnections = 20;
        Harness h(options);
        const auto port = static_cast<quint16>(h.base.port());
        // One served and then silent, and the limit's worth less one that never send.
        QTcpSocket served;
        served.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(served.waitForConnected(5000));
        served.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        QByteArray answer;
        QTRY_VERIFY_WITH_TIMEOUT((answer += served.readAll(), Harness::complete(answer)), 5000);
        QVERIFY2(answer.startsWith("HTTP/1.1 200 "), answer.constData());
        QVERIFY(!answer.contains("Connection: close"));
        std::vector<std::unique_ptr<QTcpSocket>> silent;
        for (int i = 0; i < 19; ++i) {
            silent.push_back(std::make_unique<QTcpSocket>());
            silent.back()->connectToHost(QHostAddress::LocalHost, port);
            QVERIFY(silent.back()->waitForConnected(5000));
        }
        QTRY_COMPARE_WITH_TIMEOUT(served.state(), QAbstractSocket::UnconnectedState, 10000);
        for (const auto& socket : silent)
            QTRY_COMPARE_WITH_TIMEOUT(socket->state(), QAbstractSocket::UnconnectedState, 10000);
        // Their places are free again.
        QTRY_VERIFY_WITH_TIMEOUT(
            h.raw("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").startsWith("HTTP/1.1 200 "), 5000);
    }

    void keyNamesRefuseControlAndBidiCharacters_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("named");
        QTest::newRow("rlo") << QStringLiteral("invoice\u202Etxt.exe")
                             << QStringLiteral("U+202E (a right-to-left override)");
        QTest::newRow("lre") << QStringLiteral("a\u202Ab") << QStringLiteral("U+202A");
        QTest::newRow("pdi") << QStringLiteral("a\u2069b") << QStringLiteral("U+2069");
        QTest::newRow("lri") << QStringLiteral("a\u2066b") << QStringLiteral("U+2066");
        QTest::newRow("newline") << QStringLiteral("two\nlines")
                                 << QStringLiteral("U+000A (a control character)");
        QTest::newRow("escape") << QStringLiteral("a\u001b[31mred") << QStringLiteral("U+001B");
        QTest::newRow("c1") << QStringLiteral("a\u0085b") << QStringLiteral("U+0085");
    }

    void keyNamesRefuseControlAndBidiCharacters() {
        QFETCH(QString, name);
        QFETCH(QString, named);
        Harness h;
        const Reply r = h.post(h.api(QStringLiteral("/keys")), h.ownerKey,
                               Json{{"name", name.toStdString()}, {"scopes", {"keys:read"}}});
        QCOMPARE(r.status, 400);
        QCOMPARE(r.errorCode(), QStringLiteral("VALIDATION_ERROR"));
        QVERIFY2(r.errorMessage().contains(named), qPrintable(r.errorMessage()));
        // Right-to-left text itself is a name like any other.
        const Reply hebrew =
            h.post(h.api(QStringLiteral("/keys")), h.ownerKey,
                   Json{{"name", QStringLiteral("\u05DE\u05E4\u05EA\u05D7").toStdString()},
                        {"scopes", {"keys:read"}}});
        QCOMPARE(hebrew.status, 201);
    }

    void hugeAndStrangeQueryStringsAreHandled() {
        Harness h;
        const QString longQuery =
            QStringLiteral("/audit-log?action=") + QString(4000, QLatin1Char('a'));
        QCOMPARE(h.get(h.api(longQuery), h.ownerKey).status, 400);
        QCOMPARE(h.get(h.api(QStringLiteral("/audit-log?limit=5&limit=6")), h.ownerKey).status <
                     500,
                 true);
        QCOMPARE(h.get(h.api(QStringLiteral("/audit-log?%ff=%00")), h.ownerKey).status, 200);
        QCOMPARE(h.get(h.api(QStringLiteral("/audit-log?action=%00.")), h.ownerKey).status, 200);
        QCOMPARE(h.get(h.api(QStringLiteral("/instances/%00")), h.ownerKey).status, 404);
        QCOMPARE(
            h.get(h.api(QStringLiteral("/keys/") + QString(5000, QLatin1Char('k'))), h.ownerKey)
                .status,
            404);
        expectAlive(h);
    }
};

QTEST_MAIN(ServerLimitsTest)
#include "tst_server_limits.moc"
