#pragma once

#include "HttpParser.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QSslConfiguration>
#include <QTcpServer>
#include <QTimer>
#include <QUrlQuery>
#include <functional>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

class QTcpSocket;

namespace legba::server {

// What the API layer sees of a request: no sockets, so that it can be driven by tests.
struct HttpRequest {
    QByteArray method; // "GET", "POST", ...: the token as sent
    QByteArray path;   // percent-encoded, without the query
    QUrlQuery query;
    QByteArray body;
    QString clientAddress;
    http::HeaderFields headers; // names in lower case

    // A field sent more than once comes back as one list separated by ", " (RFC 9110 5.3),
    // so that two Authorization headers read as one malformed value, not as either one.
    QByteArray header(QByteArrayView lowerCaseName) const;
};

struct HttpResponse {
    int status = 200;
    std::vector<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;
    bool closeConnection = false;

    void addHeader(QByteArray name, QByteArray value) {
        headers.emplace_back(std::move(name), std::move(value));
    }
};

// Serializes a response into HTTP/1.1 bytes, with Content-Length (except for 204). Without
// its body for HEAD, whose Content-Length is still the one GET would carry (RFC 9110 9.3.2).
QByteArray serializeResponse(const HttpResponse& response, bool withBody = true);

// Accepts connections itself so that every socket gets TCP_NODELAY (without it, small
// answers wait ~40 ms for Nagle's algorithm) and, with TLS, its encryption set up. Sockets are
// handed over by the signal, not queued as QTcpServer's pending connections.
class Listener : public QTcpServer {
    Q_OBJECT
public:
    explicit Listener(std::optional<QSslConfiguration> tls, QObject* parent = nullptr);
    // Asked before a new connection is set up; false closes it at once.
    void setAdmission(std::function<bool()> admit) { m_admit = std::move(admit); }

Q_SIGNALS:
    void socketAccepted(QTcpSocket* socket);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    std::optional<QSslConfiguration> m_tls;
    std::function<bool()> m_admit;
};

// HTTP/1.1 over the listener's sockets: requests read by http::parseHead as their bytes
// arrive (keep-alive, pipelining, Content-Length or chunked bodies, Expect: 100-continue),
// each given to one handler, its answer written back in one write. A request that cannot be
// read gets the refusal's answer and the connection is closed. Qt's own HTTP server module is
// not used: in Qt 6.4 it reads request lines and headers one byte per QIODevice::read and
// builds a QUrl per request, which cost an authenticated read more than the API's own work
// (bench/README.md).
class HttpTransport : public QObject {
    Q_OBJECT
public:
    using Handler = std::function<HttpResponse(const HttpRequest&)>;
    // The answer for a request that never reaches the handler (status 400, 408, 413, 431,
    // 501 or 505, and a message naming what was wrong). Must carry X-Request-Id like every answer.
    using Refusal = std::function<HttpResponse(int status, const QString& message)>;

    HttpTransport(Handler handler, Refusal refusal, QObject* parent = nullptr);
    ~HttpTransport() override;

    // Returns the port, or 0.
    quint16 listenOn(const QHostAddress& address, quint16 port,
                     std::optional<QSslConfiguration> tls, QString* error);
    void stop();
    bool isListening() const;

    // Bodies up to this size are read and given to the handler (which answers 413 past
    // 64 KiB and keeps the connection); one announced or decoded beyond it is answered 413
    // at once and the connection closed without reading the rest.
    static constexpr qint64 kMaxBodyBytes = qint64{80} * 1024;

    // A request that stops arriving half way (no byte for this long) is answered 408 and
    // its connection closed, so that slow or stuck clients cannot hold connections open
    // forever. Idle keep-alive connections between requests are left alone.
    void setStallTimeout(int milliseconds);
    static constexpr int kDefaultStallTimeoutMs = 30'000;

    // Connections held at once (lingering ones included: each holds a file descriptor).
    // A new connection past this is closed at once, before anything is read from it.
    void setMaxConnections(int connections);
    // The open-file limit less kReservedDescriptors (for the database, its WAL and the
    // listener), so that accept() does not run out of descriptors first.
    static int defaultMaxConnections();
    static constexpr int kReservedDescriptors = 64;

    // A keep-alive connection with nothing under way (no request arriving, no answer
    // waiting) is closed after this long without a byte either way.
    void setIdleTimeout(int milliseconds);
    static constexpr int kDefaultIdleTimeoutMs = 60'000;

    // Bytes held for all connections together: requests read ahead and answers not yet
    // taken. Past this a connection that already holds bytes is neither read nor served
    // until the total falls; one holding nothing still is, so a new client is answered.
    void setMaxBufferedBytes(qint64 bytes);
    static constexpr qint64 kDefaultMaxBufferedBytes = qint64{64} * 1024 * 1024;

    int connectionCount() const { return int(m_connections.size()); }
    qint64 bufferedBytes() const { return m_buffered; }

    // Bytes of requests read ahead of their answers (pipelining): past this nothing more is
    // read from the socket until they are served, so TCP's flow control holds the client.
    // Larger than the largest request the transport accepts (head, body and chunk framing).
    static constexpr qsizetype kMaxBufferedBytes = qsizetype{256} * 1024;
    // What Qt reads from a socket ahead of us: small, because it is not counted against any
    // limit until we take it, and thousands of connections each hold this much.
    static constexpr qint64 kSocketReadBufferBytes = qint64{16} * 1024;
    // Answers not yet taken by the client: past this no further request is served until
    // the client reads (a client that pipelines and never reads would otherwise fill memory).
    static constexpr qint64 kMaxUnsentBytes = qint64{1024} * 1024;
    // After a refusal the rest of what the client is sending is read and dropped for this
    // long before the connection closes: closing with unread bytes makes the kernel reset
    // the connection, and the client would lose the answer (RFC 9112 9.6).
    static constexpr int kLingerMs = 2000;

private:
    struct Connection {
        QByteArray buffer;                           // bytes received and not yet used by a request
        std::optional<http::RequestHead> head;       // read, while its body is still arriving
        std::optional<http::ChunkedDecoder> chunked; // its chunked body, decoded as it arrives
        bool continueSent = false;
        bool closing = false;
        bool waitingForReader = false; // kMaxUnsentBytes reached
        qint64 lastBytesAt = 0;        // ms since the transport's clock started
        QString clientAddress;         // formatted once per connection, not per request
        qint64 accounted = 0;          // what this connection counts in m_buffered
        bool starved = false;          // waiting for the total under kMaxBufferedBytes
    };
    // Brings m_buffered up to date with what this connection holds now.
    void recount(QTcpSocket* socket, Connection& connection);
    void wakeStarved();
    void onAcceptError();
    void resumeAccepting();
    void adopt(QTcpSocket* socket);
    void onReadyRead(QTcpSocket* socket, Connection& connection);
    void onBytesWritten(QTcpSocket* socket, Connection& connection);
    // Reads what fits, serves what is complete, until it must wait for the client.
    void pump(QTcpSocket* socket, Connection& connection);
    // False when the connection is done with (closing, or waiting for more bytes).
    bool serveOne(QTcpSocket* socket, Connection& connection);
    void answer(QTcpSocket* socket, Connection& connection, http::RequestHead head,
                QByteArray body);
    void refuse(QTcpSocket* socket, Connection& connection, const http::Malformed& why);
    void closeStalled();

    Handler m_handler;
    Refusal m_refusal;
    Listener* m_listener = nullptr;
    // Node-based: a Connection's address stays put while others come and go.
    std::unordered_map<QTcpSocket*, Connection> m_connections;
    QElapsedTimer m_clock;
    QTimer m_stallCheck;
    int m_stallTimeoutMs = kDefaultStallTimeoutMs;
    int m_idleTimeoutMs = kDefaultIdleTimeoutMs;
    int m_maxConnections = defaultMaxConnections();
    qint64 m_maxBuffered = kDefaultMaxBufferedBytes;
    qint64 m_buffered = 0;
    std::vector<QPointer<QTcpSocket>> m_starved;
    bool m_wakeQueued = false;
    bool m_acceptPaused = false; // after an accept error, until a connection closes
};

} // namespace legba::server
