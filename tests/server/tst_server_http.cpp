// The sandbox's own HTTP/1.1 reader: http::parseHead and http::parseChunked on bytes, then
// the transport over real sockets (bodies in pieces, chunked, Expect: 100-continue, limits).
#include "Harness.h"
#include "HttpParser.h"
#include "HttpTransport.h"

#include <QTest>
#include <algorithm>
#include <memory>
#include <vector>

using namespace legba::servertest;
namespace http = legba::server::http;

namespace {

// Sends `parts` one by one with a pause between them, then reads until the server closes or
// `answers` complete answers have arrived.
QByteArray exchange(Harness& h, const QList<QByteArray>& parts, int answers = 1) {
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, static_cast<quint16>(h.base.port()));
    if (!socket.waitForConnected(5000))
        return {};
    QByteArray got;
    for (const QByteArray& part : parts) {
        socket.write(part);
        socket.flush();
        QTest::qWait(20);
        got += socket.readAll();
    }
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 5000 && socket.state() == QAbstractSocket::ConnectedState &&
           got.count("HTTP/1.1 ") - got.count("HTTP/1.1 100 ") < answers) {
        QTest::qWait(5);
        got += socket.readAll();
    }
    QTest::qWait(20);
    got += socket.readAll();
    return got;
}

} // namespace

class ServerHttpTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void readsARequestHead() {
        const QByteArray bytes = "GET /orgs/a/api/key?x=1&y=%20 HTTP/1.1\r\n"
                                 "Host: 127.0.0.1\r\n"
                                 "AUTHORIZATION:  Bearer abc \t\r\n"
                                 "User-Agent: t\r\n"
                                 "\r\n"
                                 "next";
        const http::HeadResult read = http::parseHead(bytes);
        QCOMPARE(read.progress, http::Progress::Done);
        QCOMPARE(read.head.method, QByteArray("GET"));
        QCOMPARE(read.head.path, QByteArray("/orgs/a/api/key"));
        QCOMPARE(read.head.query, QByteArray("x=1&y=%20"));
        QCOMPARE(read.head.size, bytes.size() - 4);
        QVERIFY(read.head.keepAlive);
        QCOMPARE(read.head.headers.size(), 3u);
        QCOMPARE(read.head.headers[1].first, QByteArray("authorization"));
        QCOMPARE(read.head.headers[1].second, QByteArray("Bearer abc"));
    }

    void waitsForTheWholeHead() {
        const QByteArray bytes = "POST /keys HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n";
        for (qsizetype n = 0; n < bytes.size(); ++n) {
            const http::HeadResult read = http::parseHead(QByteArrayView(bytes).first(n));
            QVERIFY2(read.progress == http::Progress::NeedMore, bytes.first(n).constData());
        }
        const http::HeadResult read = http::parseHead(bytes);
        QCOMPARE(read.progress, http::Progress::Done);
        QCOMPARE(read.head.contentLength, 2);
    }

    void acceptsWhatRealClientsSend() {
        // Bare LF line ends and an empty line before the request line (RFC 9112 2.2).
        http::HeadResult read = http::parseHead("\r\nGET /healthz HTTP/1.1\nHost: x\n\n");
        QCOMPARE(read.progress, http::Progress::Done);
        QCOMPARE(read.head.path, QByteArray("/healthz"));
        // HTTP/1.0 closes unless asked otherwise; Connection lists are read token by token.
        read = http::parseHead("GET / HTTP/1.0\r\n\r\n");
        QCOMPARE(read.progress, http::Progress::Done);
        QVERIFY(!read.head.keepAlive);
        read =
            http::parseHead("GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, Close\r\n\r\n");
        QVERIFY(!read.head.keepAlive);
        read = http::parseHead("GET / HTTP/1.1\r\nHost: x\r\nConnection: closed\r\n\r\n");
        QVERIFY(read.head.keepAlive);
        // A later HTTP/1.x is read as 1.1 (RFC 9110 2.5); no 100 Continue to an HTTP/1.0 client.
        read = http::parseHead("GET / HTTP/1.2\r\nHost: x\r\nExpect: 100-continue\r\n\r\n");
        QCOMPARE(read.progress, http::Progress::Done);
        QVERIFY(read.head.keepAlive);
        QVERIFY(read.head.expectContinue);
        read = http::parseHead("POST / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n");
        QVERIFY(!read.head.expectContinue);
        // The absolute form; a target with percent escapes goes through QUrl as it always
        // has: reserved characters stay escaped, unreserved ones are decoded.
        read = http::parseHead("GET http://h:1/a%2Fb/c?q=%41 HTTP/1.1\r\nHost: h:1\r\n\r\n");
        QCOMPARE(read.progress, http::Progress::Done);
        QCOMPARE(read.head.path, QByteArray("/a%2Fb/c"));
        QCOMPARE(read.head.query, QByteArray("q=A"));
        read = http::parseHead("POST /k HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\n"
                               "Transfer-Encoding: Chunked\r\n\r\n");
        QVERIFY(read.head.expectContinue);
        QVERIFY(read.head.chunked);
        // A control byte other than NUL or CR passes (the API judges the value).
        read = http::parseHead(
            "GET / HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \x01\x02\xff\r\n\r\n");
        QCOMPARE(read.progress, http::Progress::Done);
    }

    void targetsReachTheApiAsQUrlGivesThem_data() {
        QTest::addColumn<QByteArray>("target");
        for (const char* target : {"/orgs/x/api/key",
                                   "//x/healthz",
                                   "///a",
                                   "/a?b?c",
                                   "/a/../b/./c",
                                   "/a;b=c",
                                   "/%41%2f%2F",
                                   "/a%zz",
                                   "/\xc3\xa9?\xc3\xa9",
                                   "/a?x=%20&y=+",
                                   "/@:!$&'()*+,;=",
                                   "/?",
                                   "/a?",
                                   "/a#frag",
                                   "/a?b#c",
                                   "/a|b",
                                   "/a\"b",
                                   "/a{b}",
                                   "/a\\b",
                                   "/~_.-"})
            QTest::newRow(target) << QByteArray(target);
    }

    void targetsReachTheApiAsQUrlGivesThem() {
        QFETCH(QByteArray, target);
        QByteArray path;
        QByteArray query;
        const QUrl url = QUrl::fromEncoded(target);
        QCOMPARE(http::splitTarget(target, path, query), url.isValid());
        if (!url.isValid())
            return;
        QCOMPARE(path, url.path(QUrl::FullyEncoded).toUtf8());
        QCOMPARE(query, url.query(QUrl::FullyEncoded).toUtf8());
    }

    void refusesMalformedHeads_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("named");
        const QByteArray get = "GET / HTTP/1.1\r\n";
        QTest::newRow("no version") << QByteArray("GET /\r\n\r\n") << 400 << "request line";
        QTest::newRow("one word") << QByteArray("GET\r\n\r\n") << 400 << "request line";
        QTest::newRow("tls hello")
            << QByteArray("\x16\x03\x01\x02\x01 x\r\n\r\n") << 400 << "request line";
        QTest::newRow("http/2 preface")
            << QByteArray("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") << 505 << "HTTP/2.0";
        QTest::newRow("method not a token")
            << QByteArray("G(T / HTTP/1.1\r\n\r\n") << 400 << "method";
        QTest::newRow("nul in target")
            << QByteArray("GET /heal\0thz HTTP/1.1\r\n\r\n", 27) << 400 << "target";
        QTest::newRow("target not a path")
            << QByteArray("GET healthz HTTP/1.1\r\n\r\n") << 400 << "healthz";
        QTest::newRow("no colon") << QByteArray(get + "No colon here\r\n\r\n") << 400
                                  << "No colon here";
        QTest::newRow("space before colon")
            << QByteArray(get + "Host : x\r\n\r\n") << 400 << "Host ";
        QTest::newRow("folded line")
            << QByteArray(get + "X-A: 1\r\n  2\r\n\r\n") << 400 << "folding";
        QTest::newRow("nul in value") << QByteArray(get + QByteArray("X-A: 1\0"
                                                                     "2\r\n\r\n",
                                                                     12))
                                      << 400 << "X-A";
        QTest::newRow("bare cr in value") << QByteArray(get + "X-A: 1\r2\r\n\r\n") << 400 << "X-A";
        QTest::newRow("negative length")
            << QByteArray(get + "Content-Length: -5\r\n\r\n") << 400 << "-5";
        QTest::newRow("length not a number")
            << QByteArray(get + "Content-Length: 1e3\r\n\r\n") << 400 << "1e3";
        QTest::newRow("length too long")
            << QByteArray(get + "Content-Length: 99999999999999999999\r\n\r\n") << 400
            << "Content-Length";
        QTest::newRow("two lengths")
            << QByteArray(get + "Content-Length: 1\r\nContent-Length: 2\r\n\r\n") << 400
            << "two different";
        QTest::newRow("length and chunked")
            << QByteArray(get + "Content-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n") << 400
            << "both";
        QTest::newRow("gzip coding")
            << QByteArray(get + "Transfer-Encoding: gzip, chunked\r\n\r\n") << 501 << "gzip";
        QTest::newRow("head over 16 KiB")
            << QByteArray(get + "X-A: " + QByteArray(qsizetype{17} * 1024, 'a') + "\r\n\r\n") << 431
            << "16 KiB";
        QTest::newRow("head over 16 KiB, unfinished")
            << QByteArray(get + "X-A: " + QByteArray(qsizetype{17} * 1024, 'a')) << 431 << "16 KiB";
        QTest::newRow("no host") << QByteArray("GET / HTTP/1.1\r\n\r\n") << 400 << "Host";
        QTest::newRow("two hosts")
            << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") << 400 << "Host";
        QTest::newRow("two hosts in 1.0")
            << QByteArray("GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n") << 400 << "Host";
        QTest::newRow("fragment") << QByteArray("GET /healthz#top HTTP/1.1\r\nHost: x\r\n\r\n")
                                  << 400 << "#fragment";
        QTest::newRow("escaped fragment")
            << QByteArray("GET /a%20b#top HTTP/1.1\r\nHost: x\r\n\r\n") << 400 << "#fragment";
        QByteArray many = get;
        for (int i = 0; i <= http::kMaxHeaderFields; ++i)
            many += "X-" + QByteArray::number(i) + ": 1\r\n";
        QTest::newRow("too many fields") << QByteArray(many + "\r\n") << 431 << "header fields";
    }

    void refusesMalformedHeads() {
        QFETCH(QByteArray, bytes);
        QFETCH(int, status);
        QFETCH(QString, named);
        const http::HeadResult read = http::parseHead(bytes);
        QCOMPARE(read.progress, http::Progress::Malformed);
        QCOMPARE(read.error.status, status);
        QVERIFY2(read.error.message.contains(named), qPrintable(read.error.message));
    }

    void decodesChunkedBodies() {
        const QByteArray encoded = "4\r\nWiki\r\n5;note=x\r\npedia\r\nE\r\n in\r\n\r\nchunks."
                                   "\r\n0\r\nX-Trailer: y\r\n\r\nGET";
        const http::BodyResult body = http::parseChunked(encoded, 1024);
        QCOMPARE(body.progress, http::Progress::Done);
        QCOMPARE(body.body, QByteArray("Wikipedia in\r\n\r\nchunks."));
        QCOMPARE(body.size, encoded.size() - 3);
        for (qsizetype n = 0; n < body.size; ++n) {
            const http::BodyResult part =
                http::parseChunked(QByteArrayView(encoded).first(n), 1024);
            QVERIFY2(part.progress == http::Progress::NeedMore, encoded.first(n).constData());
        }
    }

    void aChunkedBodyInPiecesIsDecodedOnce() {
        // 60 KiB in 16-byte chunks, with an extension and a trailer, arriving a few bytes at a
        // time: each byte is looked at a bounded number of times, however many reads it takes
        // (re-parsing from the start on every read looked at ~n^2/14 bytes here).
        QByteArray encoded;
        QByteArray expected;
        for (int i = 0; i < 60 * 64; ++i) {
            const QByteArray piece = QByteArray::number(i).rightJustified(16, '.');
            encoded += (i % 100 == 0 ? "10;ext=1\r\n" : "10\r\n") + piece + "\r\n";
            expected += piece;
        }
        encoded += "0\r\nX-Trailer: t\r\n\r\n";
        http::ChunkedDecoder decoder(http::kMaxChunkFramingBytes + 64 * 1024);
        http::BodyResult result;
        int reads = 0;
        for (qsizetype n = 7; result.progress == http::Progress::NeedMore; n += 7) {
            result = decoder.decode(QByteArrayView(encoded).first(std::min(n, encoded.size())));
            ++reads;
        }
        QCOMPARE(result.progress, http::Progress::Done);
        QCOMPARE(result.body, expected);
        QCOMPARE(result.size, encoded.size());
        QVERIFY(reads > 10000);
        QVERIFY2(decoder.bytesExamined() <= encoded.size(),
                 qPrintable(QStringLiteral("%1 bytes examined for %2")
                                .arg(decoder.bytesExamined())
                                .arg(encoded.size())));
        // Fed in pieces, it answers as parseChunked does on the whole, for every split.
        const QByteArray sample = "4\r\nWiki\r\n5;note=x\r\npedia\r\n0\r\nT: y\r\n\r\n";
        for (qsizetype split = 0; split <= sample.size(); ++split) {
            http::ChunkedDecoder pieces(1024);
            const http::BodyResult first = pieces.decode(QByteArrayView(sample).first(split));
            const http::BodyResult whole =
                first.progress == http::Progress::NeedMore ? pieces.decode(sample) : first;
            QCOMPARE(whole.progress, http::Progress::Done);
            QCOMPARE(whole.body, QByteArray("Wikipedia"));
            QCOMPARE(whole.size, sample.size());
        }
    }

    void refusesMalformedChunks() {
        // RFC 9112 7.1: no whitespace before the size (before an extension it may be).
        const http::BodyResult leadingSpace = http::parseChunked(" 5\r\nhello\r\n0\r\n\r\n", 1024);
        QCOMPARE(leadingSpace.progress, http::Progress::Malformed);
        QCOMPARE(leadingSpace.error.status, 400);
        QVERIFY2(leadingSpace.error.message.contains(QLatin1String("chunk size")),
                 qPrintable(leadingSpace.error.message));
        QCOMPARE(http::parseChunked("\t5\r\nhello\r\n0\r\n\r\n", 1024).progress,
                 http::Progress::Malformed);
        QCOMPARE(http::parseChunked("5 ;x=1\r\nhello\r\n0\r\n\r\n", 1024).progress,
                 http::Progress::Done);
        QCOMPARE(http::parseChunked("zz\r\n", 1024).progress, http::Progress::Malformed);
        QCOMPARE(http::parseChunked("-1\r\n", 1024).progress, http::Progress::Malformed);
        QCOMPARE(http::parseChunked("123456789\r\n", 1024).progress, http::Progress::Malformed);
        QCOMPARE(http::parseChunked("2\r\nabc\r\n", 1024).progress, http::Progress::Malformed);
        const http::BodyResult big = http::parseChunked("401\r\n", 1024);
        QCOMPARE(big.progress, http::Progress::Malformed);
        QCOMPARE(big.error.status, 413);
        QCOMPARE(http::parseChunked(QByteArray(2000, '1'), 1024).progress,
                 http::Progress::Malformed);
    }

    void boundsWhatAChunkedBodyTakesOnTheWire() {
        // A size line is bounded even when it is complete.
        const QByteArray longExtension = "1;" + QByteArray(2000, 'e') + "\r\nx\r\n0\r\n\r\n";
        QCOMPARE(http::parseChunked(longExtension, 1024).progress, http::Progress::Malformed);
        // So is the trailer, line by line as a whole.
        QByteArray trailer = "0\r\n";
        while (trailer.size() <= http::kMaxHeadBytes + 10)
            trailer += "a: b\r\n";
        QCOMPARE(http::parseChunked(trailer, 1024).progress, http::Progress::Malformed);
        QCOMPARE(http::parseChunked(QByteArray(trailer + "\r\n"), 1024).progress,
                 http::Progress::Malformed);
        // And the whole encoding: one-byte chunks with extensions stay far under the decoded
        // limit while their framing grows past its own.
        QByteArray tiny;
        while (tiny.size() <= 1024 + http::kMaxChunkFramingBytes)
            tiny += "1;" + QByteArray(100, 'e') + "\r\nx\r\n";
        const http::BodyResult framed = http::parseChunked(tiny, 1024);
        QCOMPARE(framed.progress, http::Progress::Malformed);
        QCOMPARE(framed.error.status, 413);
    }

    void repeatedFieldsReadAsOneList() {
        legba::server::HttpRequest request;
        request.headers = {
            {"authorization", "Bearer a"}, {"x", "1"}, {"authorization", "Bearer b"}};
        QCOMPARE(request.header("authorization"), QByteArray("Bearer a, Bearer b"));
        QCOMPARE(request.header("x"), QByteArray("1"));
        QVERIFY(request.header("missing").isNull());
    }

    // Over real sockets from here on.

    void aRequestInPiecesIsOneRequest() {
        Harness h;
        const QByteArray body = R"({"name":"in pieces","scopes":["keys:read"]})";
        const QByteArray head = "POST " + h.api(QStringLiteral("/keys")).toUtf8() +
                                " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + h.ownerKey +
                                "\r\nContent-Type: application/json\r\nContent-Length: " +
                                QByteArray::number(body.size()) + "\r\n\r\n";
        const QByteArray whole = head + body;
        QList<QByteArray> parts;
        for (qsizetype at = 0; at < whole.size(); at += 37)
            parts.append(whole.mid(at, 37));
        const QByteArray answer = exchange(h, parts);
        QVERIFY2(answer.startsWith("HTTP/1.1 201 "), answer.constData());
        QVERIFY(answer.contains("\"in pieces\""));
    }

    void chunkedBodyIsDecoded() {
        Harness h;
        QByteArray request = "POST " + h.api(QStringLiteral("/keys")).toUtf8() +
                             " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + h.ownerKey +
                             "\r\nTransfer-Encoding: chunked\r\n\r\n";
        for (const QByteArray& chunk : {QByteArray("{\"name\":\""), QByteArray("chunked"),
                                        QByteArray("\",\"scopes\":[\"keys:read\"]}")})
            request += QByteArray::number(chunk.size(), 16) + "\r\n" + chunk + "\r\n";
        request += "0\r\n\r\n";
        const QByteArray answer = exchange(h, {request.first(60), request.sliced(60)});
        QVERIFY2(answer.startsWith("HTTP/1.1 201 "), answer.constData());
        QVERIFY(answer.contains("\"chunked\""));
    }

    void expectContinueGetsTheGoAhead() {
        Harness h;
        const QByteArray body = R"({"name":"after 100","scopes":["keys:read"]})";
        const QByteArray head =
            "POST " + h.api(QStringLiteral("/keys")).toUtf8() +
            " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + h.ownerKey +
            "\r\nExpect: 100-continue\r\nContent-Length: " + QByteArray::number(body.size()) +
            "\r\n\r\n";
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, static_cast<quint16>(h.base.port()));
        QVERIFY(socket.waitForConnected(5000));
        socket.write(head);
        QByteArray got;
        QTRY_VERIFY_WITH_TIMEOUT((got += socket.readAll()).contains("\r\n\r\n"), 5000);
        QCOMPARE(got, QByteArray("HTTP/1.1 100 Continue\r\n\r\n"));
        socket.write(body);
        QTRY_VERIFY_WITH_TIMEOUT((got += socket.readAll()).contains("\"after 100\""), 5000);
        QVERIFY(got.contains("HTTP/1.1 201 Created\r\n"));
    }

    void pipelinedRequestsWithBodiesAreAnsweredInOrder() {
        Harness h;
        const auto post = [&h](const QByteArray& name) -> QByteArray {
            const QByteArray body = "{\"name\":\"" + name + "\",\"scopes\":[\"keys:read\"]}";
            return "POST " + h.api(QStringLiteral("/keys")).toUtf8() +
                   " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + h.ownerKey +
                   "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
        };
        const QByteArray answer =
            exchange(h,
                     {QByteArray(post("first") + "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" +
                                 post("third"))},
                     3);
        const qsizetype first = answer.indexOf("\"first\"");
        const qsizetype health = answer.indexOf("HTTP/1.1 200 ");
        const qsizetype third = answer.indexOf("\"third\"");
        QVERIFY2(first > 0 && health > first && third > health, answer.constData());
        QCOMPARE(answer.count("HTTP/1.1 201 "), 2);
    }

    void oversizedHeadIs431AndClosed() {
        Harness h;
        const QByteArray answer = exchange(h, {"GET /healthz HTTP/1.1\r\nX-Big: " +
                                               QByteArray(qsizetype{20} * 1024, 'b') + "\r\n\r\n"});
        QVERIFY2(answer.startsWith("HTTP/1.1 431 "), answer.left(200).constData());
        QVERIFY(answer.contains("Connection: close\r\n"));
        QVERIFY(answer.contains("X-Request-Id: "));
        QVERIFY(answer.contains("16 KiB"));
        QCOMPARE(h.get(QStringLiteral("/healthz"), {}).status, 200);
    }

    void aStalledRequestIs408AndClosed() {
        using legba::server::HttpRequest;
        using legba::server::HttpResponse;
        legba::server::HttpTransport transport(
            [](const HttpRequest& request) {
                HttpResponse response;
                response.body = request.path;
                return response;
            },
            [](int status, const QString& message) {
                HttpResponse response;
                response.status = status;
                response.body = message.toUtf8();
                return response;
            });
        transport.setStallTimeout(1000);
        QString error;
        const quint16 port = transport.listenOn(QHostAddress::LocalHost, 0, std::nullopt, &error);
        QVERIFY2(port != 0, qPrintable(error));
        const auto open = [port](QTcpSocket& socket) {
            socket.connectToHost(QHostAddress::LocalHost, port);
            return socket.waitForConnected(5000);
        };

        // Slow but moving: a byte every 100 ms, 1.5 s in all, is still served.
        QTcpSocket slow;
        QVERIFY(open(slow));
        const QByteArray request = "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n";
        for (qsizetype i = 0; i < 15; ++i) {
            slow.write(request.mid(i, 1));
            slow.flush();
            QTest::qWait(100);
        }
        slow.write(request.sliced(15));
        QByteArray got;
        QTRY_VERIFY_WITH_TIMEOUT((got += slow.readAll()).endsWith("/slow"), 3000);
        QVERIFY2(got.startsWith("HTTP/1.1 200 "), got.constData());

        // Stopped half way: answered 408 and closed. An idle connection is left alone.
        QTcpSocket stuck;
        QTcpSocket idle;
        QTcpSocket extraLineEnd; // a whole request and a stray CRLF after it: idle, not stuck
        QVERIFY(open(stuck));
        QVERIFY(open(idle));
        QVERIFY(open(extraLineEnd));
        extraLineEnd.write("GET /extra HTTP/1.1\r\nHost: x\r\n\r\n\r\n");
        stuck.write("GET /stuck HTTP/1.1\r\nHost: x");
        QTRY_COMPARE_WITH_TIMEOUT(stuck.state(), QAbstractSocket::UnconnectedState, 5000);
        const QByteArray answer = stuck.readAll();
        QVERIFY2(answer.startsWith("HTTP/1.1 408 Request Timeout\r\n"), answer.constData());
        QVERIFY(answer.contains("nothing came for 1 s"));
        QCOMPARE(idle.state(), QAbstractSocket::ConnectedState);
        QTest::qWait(1500);
        QCOMPARE(extraLineEnd.state(), QAbstractSocket::ConnectedState);
        QVERIFY(extraLineEnd.readAll().endsWith("/extra"));
        idle.write(request);
        got.clear();
        QTRY_VERIFY_WITH_TIMEOUT((got += idle.readAll()).endsWith("/slow"), 3000);
    }

    void aClientThatDoesNotReadIsNotServedWithoutBound() {
        using legba::server::HttpRequest;
        using legba::server::HttpResponse;
        int served = 0;
        legba::server::HttpTransport transport(
            [&served](const HttpRequest&) {
                ++served;
                HttpResponse response;
                response.body = QByteArray(qsizetype{16} * 1024, 'r');
                return response;
            },
            [](int status, const QString&) {
                HttpResponse response;
                response.status = status;
                return response;
            });
        QString error;
        const quint16 port = transport.listenOn(QHostAddress::LocalHost, 0, std::nullopt, &error);
        QVERIFY2(port != 0, qPrintable(error));
        QTcpSocket client;
        client.setReadBufferSize(1); // reads nothing until asked
        client.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(client.waitForConnected(5000));
        constexpr int kRequests = 4000; // 64 MB of answers
        QByteArray pipelined;
        for (int i = 0; i < kRequests; ++i)
            pipelined += "GET /r HTTP/1.1\r\nHost: x\r\n\r\n";
        client.write(pipelined);
        QTest::qWait(500);
        // Bounded by the unsent-answer limit plus what the kernel's socket buffers hold.
        QVERIFY2(served < kRequests / 2, qPrintable(QString::number(served)));
        const int servedWhileNotReading = served;
        client.setReadBufferSize(0);
        qint64 answerBytes = 0;
        QTRY_VERIFY_WITH_TIMEOUT(
            (answerBytes += client.readAll().size(), answerBytes >= qint64{kRequests} * 16 * 1024),
            20000);
        QCOMPARE(served, kRequests);
        QVERIFY(served > servedWhileNotReading);
    }

    void connectionsThatDoNotReadAreBoundedTogether() {
        using legba::server::HttpRequest;
        using legba::server::HttpResponse;
        using legba::server::HttpTransport;
        int served = 0;
        HttpTransport transport(
            [&served](const HttpRequest& request) {
                ++served;
                HttpResponse response;
                response.body = request.path == "/small" ? QByteArray("ok")
                                                         : QByteArray(qsizetype{16} * 1024, 'r');
                return response;
            },
            [](int status, const QString&) {
                HttpResponse response;
                response.status = status;
                return response;
            });
        constexpr qint64 kCap = qint64{512} * 1024;
        transport.setMaxBufferedBytes(kCap);
        QString error;
        const quint16 port = transport.listenOn(QHostAddress::LocalHost, 0, std::nullopt, &error);
        QVERIFY2(port != 0, qPrintable(error));
        constexpr int kClients = 3;
        constexpr int kRequests = 1000; // 16 MB of answers each, more than the kernel holds
        QByteArray pipelined;
        for (int i = 0; i < kRequests; ++i)
            pipelined += "GET /r HTTP/1.1\r\nHost: x\r\n\r\n";
        std::vector<std::unique_ptr<QTcpSocket>> clients;
        for (int i = 0; i < kClients; ++i) {
            clients.push_back(std::make_unique<QTcpSocket>());
            clients.back()->setReadBufferSize(1); // reads nothing until asked
            clients.back()->connectToHost(QHostAddress::LocalHost, port);
            QVERIFY(clients.back()->waitForConnected(5000));
            clients.back()->write(pipelined);
        }
        // Each alone stays under its own limits; together they reach the total and stop there.
        QTRY_VERIFY_WITH_TIMEOUT(transport.bufferedBytes() >= kCap, 10000);
        // A new client is still served.
        QTcpSocket fresh;
        fresh.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(fresh.waitForConnected(5000));
        fresh.write("GET /small HTTP/1.1\r\nHost: x\r\n\r\n");
        QByteArray answer;
        QTRY_VERIFY_WITH_TIMEOUT((answer += fresh.readAll(), answer.endsWith("ok")), 10000);
        // Past the total by at most what one pass of each connection adds (a read and an
        // answer), far under what they would hold each on their own (1 MiB of answers).
        const qint64 slack = kClients * (HttpTransport::kMaxBufferedBytes +
                                         HttpTransport::kSocketReadBufferBytes + 32 * 1024);
        QVERIFY2(transport.bufferedBytes() <= kCap + slack,
                 qPrintable(QString::number(transport.bufferedBytes())));
        // Once they read, every request is served.
        qint64 answerBytes = 0;
        for (const auto& client : clients)
            client->setReadBufferSize(0);
        QTRY_VERIFY_WITH_TIMEOUT((std::for_each(clients.begin(), clients.end(),
                                                [&answerBytes](const auto& client) {
                                                    answerBytes += client->readAll().size();
                                                }),
                                  answerBytes >= qint64{kClients} * kRequests * 16 * 1024),
                                 30000);
        QCOMPARE(served, kClients * kRequests + 1);
    }

    void http10KeepAliveKeepsTheConnection() {
        Harness h;
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, static_cast<quint16>(h.base.port()));
        QVERIFY(socket.waitForConnected(5000));
        QByteArray got;
        for (int i = 1; i <= 2; ++i) {
            socket.write("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            QTRY_VERIFY_WITH_TIMEOUT((got += socket.readAll(),
                                      Harness::complete(got) && got.count("HTTP/1.1 200 ") == i),
                                     5000);
            QVERIFY2(got.contains("Connection: keep-alive\r\n"), got.constData());
            QVERIFY(!got.contains("Connection: close"));
            QCOMPARE(socket.state(), QAbstractSocket::ConnectedState);
        }
    }

    void headCarriesTheLengthGetWould() {
        Harness h;
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, static_cast<quint16>(h.base.port()));
        QVERIFY(socket.waitForConnected(5000));
        socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        QByteArray get;
        QTRY_VERIFY_WITH_TIMEOUT((get += socket.readAll(), Harness::complete(get)), 5000);
        const qsizetype bodyAt = get.indexOf("\r\n\r\n") + 4;
        const QByteArray getBody = get.sliced(bodyAt);
        QVERIFY(!getBody.isEmpty());
        // Then HEAD and a GET behind it on the same connection: the HEAD answer has no body,
        // so the second answer must start right after its head.
        socket.write("HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                     "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        QByteArray both;
        QTRY_VERIFY_WITH_TIMEOUT((both += socket.readAll(),
                                  both.count("HTTP/1.1 200 ") == 2 &&
                                      Harness::complete(both.sliced(both.lastIndexOf("HTTP/1.1")))),
                                 5000);
        const qsizetype headEnd = both.indexOf("\r\n\r\n") + 4;
        QVERIFY2(both.first(headEnd).contains(
                     QByteArray("Content-Length: " + QByteArray::number(getBody.size()) + "\r\n")),
                 both.constData());
        QVERIFY2(both.sliced(headEnd).startsWith("HTTP/1.1 200 "), both.constData());
        QCOMPARE(socket.state(), QAbstractSocket::ConnectedState);
    }

    void serializedHeadKeepsTheLength() {
        // RFC 9110 9.3.2 and 8.6: a HEAD answer carries the Content-Length of the GET answer
        // it stands for, and no content.
        legba::server::HttpResponse response;
        response.body = QByteArray(1234, 'x');
        response.addHeader("Content-Type", "text/plain");
        const QByteArray get = legba::server::serializeResponse(response, true);
        const QByteArray head = legba::server::serializeResponse(response, false);
        QVERIFY(get.endsWith(response.body));
        QCOMPARE(head, get.first(get.size() - response.body.size()));
        QVERIFY(head.contains("\r\nContent-Length: 1234\r\n"));
        QVERIFY(head.endsWith("\r\n\r\n"));
    }

    void headThroughTheTransportCarriesTheLengthGetWould() {
        // Any handler's answer, not only /healthz's: the transport drops the body of a HEAD
        // answer and keeps its length.
        using legba::server::HttpRequest;
        using legba::server::HttpResponse;
        legba::server::HttpTransport transport(
            [](const HttpRequest& request) {
                HttpResponse response;
                response.status = request.path == "/missing" ? 404 : 200;
                response.body = QByteArray(5000, 'b') + request.path;
                return response;
            },
            [](int status, const QString& message) {
                HttpResponse response;
                response.status = status;
                response.body = message.toUtf8();
                return response;
            });
        QString error;
        const quint16 port = transport.listenOn(QHostAddress::LocalHost, 0, std::nullopt, &error);
        QVERIFY2(port != 0, qPrintable(error));
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(socket.waitForConnected(5000));
        socket.write("HEAD /big HTTP/1.1\r\nHost: x\r\n\r\n"
                     "HEAD /missing HTTP/1.1\r\nHost: x\r\n\r\n"
                     "GET /big HTTP/1.1\r\nHost: x\r\n\r\n");
        const QByteArray lastBody = QByteArray(5000, 'b') + QByteArray("/big");
        QByteArray got;
        QTRY_VERIFY_WITH_TIMEOUT((got += socket.readAll()).endsWith(lastBody), 5000);
        const qsizetype firstEnd = got.indexOf("\r\n\r\n") + 4;
        const QByteArray firstHead = got.first(firstEnd);
        QVERIFY2(firstHead.startsWith("HTTP/1.1 200 "), got.constData());
        QVERIFY2(firstHead.contains("\r\nContent-Length: 5004\r\n"), got.constData());
        // The next answer starts right after the first one's head: no body was sent.
        const QByteArray rest = got.sliced(firstEnd);
        QVERIFY2(rest.startsWith("HTTP/1.1 404 "), got.constData());
        const qsizetype secondEnd = rest.indexOf("\r\n\r\n") + 4;
        QVERIFY2(rest.first(secondEnd).contains("\r\nContent-Length: 5008\r\n"), got.constData());
        QVERIFY2(rest.sliced(secondEnd).startsWith("HTTP/1.1 200 "), got.constData());
        QCOMPARE(socket.state(), QAbstractSocket::ConnectedState);
    }

    void http10IsAnsweredAndClosed() {
        Harness h;
        const QByteArray answer = exchange(h, {"GET /healthz HTTP/1.0\r\n\r\n"});
        QVERIFY2(answer.startsWith("HTTP/1.1 200 "), answer.constData());
        QVERIFY(answer.contains("Connection: close\r\n"));
    }
};

QTEST_MAIN(ServerHttpTest)
#include "tst_server_http.moc"
