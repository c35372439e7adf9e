#include "HttpTransport.h"

#include <QLoggingCategory>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTimer>
#include <algorithm>

#ifdef Q_OS_UNIX
#include <sys/resource.h>
#include <unistd.h>
#endif

// The library's one category. Requests' headers and bodies never reach it.
Q_LOGGING_CATEGORY(lcHttp, "legba.http")

namespace legba::server {

namespace {

QByteArray reasonPhrase(int status) {
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 204:
        return "No Content";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 413:
        return "Payload Too Large";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Unknown";
    }
}

QString clientAddress(const QHostAddress& address) {
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    return isV4 ? QHostAddress(v4).toString() : address.toString();
}

} // namespace

QByteArray HttpRequest::header(QByteArrayView lowerCaseName) const {
    QByteArray value;
    bool found = false;
    for (const auto& [name, fieldValue] : headers) {
        if (name != lowerCaseName)
            continue;
        if (found)
            value += ", ";
        value += fieldValue;
        found = true;
    }
    return value;
}

QByteArray serializeResponse(const HttpResponse& response, bool withBody) {
    QByteArray out;
    out.reserve(160 + response.body.size());
    out += "HTTP/1.1 ";
    out += QByteArray::number(response.status);
    out += ' ';
    out += reasonPhrase(response.status);
    out += "\r\n";
    for (const auto& [name, value] : response.headers) {
        out += name;
        out += ": ";
        out += value;
        out += "\r\n";
    }
    if (response.status != 204) {
        out += "Content-Length: ";
        out += QByteArray::number(response.body.size());
        out += "\r\n";
    }
    if (response.closeConnection)
        out += "Connection: close\r\n";
    out += "\r\n";
    if (response.status != 204 && withBody)
        out += response.body;
    return out;
}

Listener::Listener(std::optional<QSslConfiguration> tls, QObject* parent)
    : QTcpServer(parent)
    , m_tls(std::move(tls)) {}

void Listener::incomingConnection(qintptr descriptor) {
    if (m_admit && !m_admit()) {
        // Past the limit: closed before anything is set up or read, so a flood of
        // connections costs no memory and leaves descriptors for the ones being served.
#ifdef Q_OS_UNIX
        ::close(int(descriptor));
#else
        QTcpSocket refused;
        if (refused.setSocketDescriptor(descriptor))
            refused.abort();
#endif
        return;
    }
    QTcpSocket* socket = nullptr;
    if (m_tls) {
        auto* ssl = new QSslSocket(this);
        ssl->setSslConfiguration(*m_tls);
        socket = ssl;
    } else {
        socket = new QTcpSocket(this);
    }
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    Q_EMIT socketAccepted(socket);
    if (auto* ssl = qobject_cast<QSslSocket*>(socket))
        ssl->startServerEncryption();
}

HttpTransport::HttpTransport(Handler handler, Refusal refusal, QObject* parent)
    : QObject(parent)
    , m_handler(std::move(handler))
    , m_refusal(std::move(refusal)) {
    m_clock.start();
    m_stallCheck.setInterval(std::min(m_stallTimeoutMs, m_idleTimeoutMs) / 4);
    connect(&m_stallCheck, &QTimer::timeout, this, &HttpTransport::closeStalled);
}

void HttpTransport::setStallTimeout(int milliseconds) {
    m_stallTimeoutMs = milliseconds;
    m_stallCheck.setInterval(std::max(1, std::min(m_stallTimeoutMs, m_idleTimeoutMs) / 4));
}

void HttpTransport::setIdleTimeout(int milliseconds) {
    m_idleTimeoutMs = milliseconds;
    m_stallCheck.setInterval(std::max(1, std::min(m_stallTimeoutMs, m_idleTimeoutMs) / 4));
}

void HttpTransport::setMaxConnections(int connections) {
    m_maxConnections = std::max(1, connections);
}

void HttpTransport::setMaxBufferedBytes(qint64 bytes) {
    m_maxBuffered = std::max<qint64>(1, bytes);
}

int HttpTransport::defaultMaxConnections() {
#ifdef Q_OS_UNIX
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
        const auto descriptors =
            std::clamp<rlim_t>(limit.rlim_cur, 2 * kReservedDescriptors, 1'000'000);
        return int(descriptors) - kReservedDescriptors;
    }
#endif
    return 1000; // Windows' socket handles are not bounded by a small per-process limit
}

void HttpTransport::closeStalled() {
    const qint64 now = m_clock.elapsed();
    std::vector<std::pair<QTcpSocket*, Connection*>> stalled;
    std::vector<std::pair<QTcpSocket*, Connection*>> idle;
    for (auto& [socket, connection] : m_connections) {
        // Line ends left after a request (some clients send an extra CRLF) are not a request.
        const bool midRequest = connection.head.has_value() ||
                                std::any_of(connection.buffer.cbegin(), connection.buffer.cend(),
                                            [](char c) { return c != '\r' && c != '\n'; });
        if (midRequest && !connection.closing && now - connection.lastBytesAt >= m_stallTimeoutMs)
            stalled.emplace_back(socket, &connection);
        // Between requests with nothing left to send: an idle keep-alive connection holds a
        // descriptor for nothing, and thousands of them would lock everyone out.
        else if (!midRequest && !connection.closing && socket->bytesToWrite() == 0 &&
                 now - connection.lastBytesAt >= m_idleTimeoutMs)
            idle.emplace_back(socket, &connection);
    }
    for (const auto& [socket, connection] : idle) {
        connection->closing = true;
        socket->disconnectFromHost();
    }
    for (const auto& [socket, connection] : stalled) {
        if (connection->waitingForReader) {
            // It neither sends nor reads: an answer would never be read either.
            connection->closing = true;
            socket->abort();
            continue;
        }
        refuse(socket, *connection,
               {408, QStringLiteral("The request did not arrive in full: nothing came for %1 s")
                         .arg(m_stallTimeoutMs / 1000.0)});
    }
}

HttpTransport::~HttpTransport() {
    stop();
}

quint16 HttpTransport::listenOn(const QHostAddress& address, quint16 port,
                                std::optional<QSslConfiguration> tls, QString* error) {
    stop();
    auto* listener = new Listener(std::move(tls), this);
    connect(listener, &Listener::socketAccepted, this, &HttpTransport::adopt);
    connect(listener, &QTcpServer::acceptError, this, &HttpTransport::onAcceptError);
    listener->setAdmission([this] { return int(m_connections.size()) < m_maxConnections; });
    if (!listener->listen(address, port)) {
        if (error)
            *error = listener->errorString();
        delete listener;
        return 0;
    }
    m_listener = listener;
    m_stallCheck.start();
    return listener->serverPort();
}

void HttpTransport::stop() {
    m_stallCheck.stop();
    if (m_listener) {
        m_listener->close();
        // Sockets are children of the listener: deleting it closes every connection.
        std::vector<QTcpSocket*> sockets;
        sockets.reserve(m_connections.size());
        for (const auto& entry : m_connections)
            sockets.push_back(entry.first);
        m_connections.clear();
        for (QTcpSocket* socket : sockets) {
            disconnect(socket, nullptr, this, nullptr);
            socket->abort();
        }
        delete m_listener;
        m_listener = nullptr;
    }
    m_buffered = 0;
    m_starved.clear();
    m_acceptPaused = false;
}

void HttpTransport::onAcceptError() {
    // Qt stops accepting after an error that is not temporary (out of descriptors: EMFILE);
    // accepting again at once would fail again in a loop that spins a core. Try again when
    // a connection closes and gives its descriptor back, or after a second in case the
    // descriptors went to something else.
    if (!m_listener)
        return;
    m_listener->pauseAccepting();
    if (m_acceptPaused)
        return;
    m_acceptPaused = true;
    qCWarning(lcHttp, "cannot accept a connection (%s): paused until one closes",
              qPrintable(m_listener->errorString()));
    QTimer::singleShot(1000, this, &HttpTransport::resumeAccepting);
}

void HttpTransport::resumeAccepting() {
    if (!m_acceptPaused || !m_listener)
        return;
    m_acceptPaused = false;
    m_listener->resumeAccepting();
}

void HttpTransport::recount(QTcpSocket* socket, Connection& connection) {
    const qint64 holds =
        connection.buffer.size() + socket->bytesAvailable() + socket->bytesToWrite();
    const qint64 change = holds - connection.accounted;
    connection.accounted = holds;
    m_buffered += change;
    if (change < 0 && m_buffered < m_maxBuffered && !m_starved.empty() && !m_wakeQueued) {
        m_wakeQueued = true;
        QMetaObject::invokeMethod(this, &HttpTransport::wakeStarved, Qt::QueuedConnection);
    }
}

void HttpTransport::wakeStarved() {
    m_wakeQueued = false;
    const std::vector<QPointer<QTcpSocket>> starved = std::exchange(m_starved, {});
    for (const QPointer<QTcpSocket>& socket : starved) {
        if (!socket)
            continue;
        const auto found = m_connections.find(socket.data());
        if (found == m_connections.end())
            continue;
        Connection& connection = found->second;
        connection.starved = false;
        if (!connection.closing && !connection.waitingForReader)
            pump(socket, connection);
    }
}

bool HttpTransport::isListening() const {
    return m_listener && m_listener->isListening();
}

void HttpTransport::adopt(QTcpSocket* socket) {
    Connection& connection = m_connections.emplace(socket, Connection{}).first->second;
    connection.clientAddress = clientAddress(socket->peerAddress());
    connection.lastBytesAt = m_clock.elapsed(); // idle from the start
    // Qt stops reading from the network when this much is waiting to be read by us.
    socket->setReadBufferSize(kSocketReadBufferBytes);
    connect(socket, &QTcpSocket::readyRead, this,
            [this, socket, &connection] { onReadyRead(socket, connection); });
    connect(socket, &QTcpSocket::bytesWritten, this,
            [this, socket, &connection] { onBytesWritten(socket, connection); });
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    connect(socket, &QObject::destroyed, this, [this, socket] {
        const auto found = m_connections.find(socket);
        if (found != m_connections.end()) {
            m_buffered -= found->second.accounted;
            m_connections.erase(found);
        }
        resumeAccepting();
        if (!m_starved.empty() && !m_wakeQueued && m_buffered < m_maxBuffered) {
            m_wakeQueued = true;
            QMetaObject::invokeMethod(this, &HttpTransport::wakeStarved, Qt::QueuedConnection);
        }
    });
}

void HttpTransport::onReadyRead(QTcpSocket* socket, Connection& connection) {
    if (connection.closing) {
        socket->skip(socket->bytesAvailable()); // lingering after a refusal
        recount(socket, connection);
        return;
    }
    connection.lastBytesAt = m_clock.elapsed();
    if (!connection.waitingForReader && !connection.starved)
        pump(socket, connection);
    else
        recount(socket, connection);
}

void HttpTransport::onBytesWritten(QTcpSocket* socket, Connection& connection) {
    connection.lastBytesAt = m_clock.elapsed();
    recount(socket, connection);
    if (connection.waitingForReader && !connection.closing &&
        socket->bytesToWrite() <= kMaxUnsentBytes / 2) {
        connection.waitingForReader = false;
        // Not from inside the signal: Qt does not emit bytesWritten again while its handler
        // runs, so what this pump writes would never tell us when it has gone out.
        QMetaObject::invokeMethod(
            socket,
            [this, socket, &connection] {
                if (!connection.closing && !connection.starved)
                    pump(socket, connection);
            },
            Qt::QueuedConnection);
    }
}

void HttpTransport::pump(QTcpSocket* socket, Connection& connection) {
    while (!connection.closing) {
        // Over the total, a connection that already holds bytes waits for the total to fall
        // (wakeStarved); one that holds nothing goes on, so that a new client is answered
        // while those that filled memory wait.
        if (m_buffered >= m_maxBuffered &&
            (!connection.buffer.isEmpty() || socket->bytesToWrite() > 0)) {
            if (!connection.starved) {
                connection.starved = true;
                m_starved.emplace_back(socket);
            }
            break;
        }
        // Only what is there: QIODevice::read(n) allocates n bytes whatever it finds, and a
        // 256 KiB capacity kept per connection was most of the memory thousands of them took.
        const qint64 room =
            std::min(kMaxBufferedBytes - connection.buffer.size(), socket->bytesAvailable());
        if (room > 0) {
            if (connection.buffer.isEmpty())
                connection.buffer = socket->read(room);
            else
                connection.buffer += socket->read(room);
        }
        if (socket->bytesToWrite() > kMaxUnsentBytes) {
            connection.waitingForReader = true;
            break;
        }
        if (!serveOne(socket, connection) && !connection.closing) {
            // Nothing complete in what was read: wait for more, unless more is there already.
            if (socket->bytesAvailable() == 0 || connection.buffer.size() >= kMaxBufferedBytes)
                break;
        }
        recount(socket, connection);
    }
    socket->flush();
    recount(socket, connection);
}

bool HttpTransport::serveOne(QTcpSocket* socket, Connection& connection) {
    if (connection.buffer.isEmpty())
        return false;
    const QByteArrayView bytes(connection.buffer);
    if (!connection.head) {
        http::HeadResult read = http::parseHead(bytes);
        if (read.progress == http::Progress::NeedMore)
            return false;
        if (read.progress == http::Progress::Malformed) {
            refuse(socket, connection, read.error);
            return false;
        }
        if (read.head.contentLength > kMaxBodyBytes) {
            refuse(socket, connection, {413, QStringLiteral("The request body exceeds 64 KiB")});
            return false;
        }
        connection.head = std::move(read.head);
        if (connection.head->chunked)
            connection.chunked.emplace(kMaxBodyBytes);
    }
    const http::RequestHead& head = *connection.head;
    const QByteArrayView rest = bytes.sliced(head.size);
    // The body is still on its way: a client that asked to be told to go on is told once.
    const auto awaitBody = [&] {
        if (head.expectContinue && !connection.continueSent) {
            socket->write("HTTP/1.1 100 Continue\r\n\r\n");
            connection.continueSent = true;
        }
        return false;
    };
    QByteArray body;
    qsizetype used = head.size;
    if (head.chunked) {
        http::BodyResult decoded = connection.chunked->decode(rest);
        if (decoded.progress == http::Progress::Malformed) {
            refuse(socket, connection, decoded.error);
            return false;
        }
        if (decoded.progress == http::Progress::NeedMore)
            return awaitBody();
        body = std::move(decoded.body);
        used += decoded.size;
    } else {
        if (rest.size() < head.contentLength)
            return awaitBody();
        if (head.contentLength > 0)
            body = rest.first(head.contentLength).toByteArray();
        used += head.contentLength;
    }
    http::RequestHead served = std::move(*connection.head);
    connection.head.reset();
    connection.chunked.reset();
    connection.continueSent = false;
    if (used == connection.buffer.size())
        connection.buffer.clear();
    else
        connection.buffer.remove(0, used);
    answer(socket, connection, std::move(served), std::move(body));
    return !connection.closing;
}

void HttpTransport::answer(QTcpSocket* socket, Connection& connection, http::RequestHead head,
                           QByteArray body) {
    const bool headOnly = head.method == "HEAD";
    HttpRequest request;
    request.method = std::move(head.method);
    request.path = std::move(head.path);
    if (!head.query.isEmpty())
        request.query = QUrlQuery(QString::fromUtf8(head.query));
    request.body = std::move(body);
    request.clientAddress = connection.clientAddress;
    request.headers = std::move(head.headers);

    HttpResponse response = m_handler(request);
    if (!head.keepAlive)
        response.closeConnection = true;
    else if (head.http10)
        response.addHeader("Connection", "keep-alive"); // HTTP/1.0 closes unless told
    socket->write(serializeResponse(response, !headOnly));
    if (response.closeConnection) {
        connection.closing = true;
        socket->disconnectFromHost();
    }
}

void HttpTransport::refuse(QTcpSocket* socket, Connection& connection, const http::Malformed& why) {
    connection.closing = true;
    connection.buffer.clear();
    connection.head.reset();
    connection.chunked.reset();
    HttpResponse response = m_refusal(why.status, why.message);
    response.closeConnection = true;
    socket->write(serializeResponse(response));
    socket->flush();
    // A stalled client is sending nothing: close now. Anyone else may still be sending the
    // rest of what was refused: keep reading and dropping it for a while, then close.
    socket->skip(socket->bytesAvailable());
    if (why.status == 408) {
        socket->disconnectFromHost();
        return;
    }
    QTimer::singleShot(kLingerMs, socket, [socket] { socket->disconnectFromHost(); });
}

} // namespace legba::server
