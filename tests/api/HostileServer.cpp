#include "HostileServer.h"

#include <QTcpSocket>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#endif

namespace legba::test {

namespace {

QByteArray reasonPhrase(int status) {
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 204:
        return "No Content";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 307:
        return "Temporary Redirect";
    case 308:
        return "Permanent Redirect";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    default:
        return "Status";
    }
}

} // namespace

bool RawRequest::hasHeader(QByteArrayView name) const {
    for (const auto& [key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

QByteArray RawRequest::header(QByteArrayView name) const {
    for (const auto& [key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

HostileServer::HostileServer(QObject* parent)
    : QObject(parent) {
    connect(&m_server, &QTcpServer::newConnection, this, &HostileServer::onNewConnection);
    m_clock.start();
}

HostileServer::~HostileServer() {
    // The sockets are m_server's children and die after the members their slots use.
    for (QTcpSocket* socket : m_server.findChildren<QTcpSocket*>())
        socket->disconnect(this);
}

bool HostileServer::listen() {
    return m_server.listen(QHostAddress::LocalHost, 0);
}

QUrl HostileServer::baseUrl() const {
    return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port()));
}

int HostileServer::requestsWithAuthorization() const {
    int count = 0;
    for (const RawRequest& request : m_requests) {
        if (request.hasHeader("authorization"))
            ++count;
    }
    return count;
}

QByteArray HostileServer::response(int status, const QByteArray& body, const HeaderList& headers) {
    QByteArray out = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    bool hasLength = false;
    bool hasType = false;
    bool hasRequestId = false;
    for (const auto& [name, value] : headers) {
        hasLength = hasLength || name.compare("content-length", Qt::CaseInsensitive) == 0;
        hasType = hasType || name.compare("content-type", Qt::CaseInsensitive) == 0;
        hasRequestId = hasRequestId || name.compare("x-request-id", Qt::CaseInsensitive) == 0;
        out += name + ": " + value + "\r\n";
    }
    if (!hasLength)
        out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    if (!hasType && !body.isEmpty())
        out += "Content-Type: application/json\r\n";
    if (!hasRequestId)
        out += "X-Request-Id: req_hostile\r\n";
    out += "Connection: close\r\n\r\n";
    return out + body;
}

void HostileServer::answer(QTcpSocket* socket, int status, const QByteArray& body,
                           const HeaderList& headers) {
    socket->write(response(status, body, headers));
    // Closes after the buffered bytes are written.
    socket->disconnectFromHost();
}

QByteArray HostileServer::errorBody(const char* code, const char* message) {
    return QByteArray(R"({"error": {"code": ")") + code + R"(", "message": ")" + message + "\"}}";
}

void HostileServer::reset(QTcpSocket* socket) {
#ifdef Q_OS_UNIX
    const linger hard{1, 0};
    ::setsockopt(static_cast<int>(socket->socketDescriptor()), SOL_SOCKET, SO_LINGER, &hard,
                 sizeof hard);
#endif
    socket->abort();
}

void HostileServer::onNewConnection() {
    while (QTcpSocket* socket = m_server.nextPendingConnection()) {
        ++m_connections;
        m_buffers.insert(socket, {});
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
            m_buffers.remove(socket);
            socket->deleteLater();
        });
    }
}

void HostileServer::onReadyRead(QTcpSocket* socket) {
    QByteArray& buffer = m_buffers[socket];
    buffer += socket->readAll();
    for (;;) {
        const qsizetype headerEnd = buffer.indexOf("\r\n\r\n");
        if (headerEnd < 0)
            return;
        RawRequest request;
        const QList<QByteArray> lines = buffer.left(headerEnd).split('\n');
        const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
        request.method = requestLine.value(0);
        request.target = requestLine.value(1);
        qsizetype contentLength = 0;
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines[i].indexOf(':');
            if (colon <= 0)
                continue;
            const QByteArray name = lines[i].left(colon).trimmed().toLower();
            const QByteArray value = lines[i].mid(colon + 1).trimmed();
            if (name == "content-length")
                contentLength = value.toLongLong();
            request.headers.append({name, value});
        }
        const qsizetype total = headerEnd + 4 + contentLength;
        if (buffer.size() < total)
            return;
        request.body = buffer.mid(headerEnd + 4, contentLength);
        buffer.remove(0, total);
        request.receivedAtMs = m_clock.elapsed();
        m_requests.append(request);
        if (m_handler)
            m_handler(socket, request);
        // The handler may have closed the socket, which removes its buffer.
        if (!m_buffers.contains(socket) || socket->state() != QAbstractSocket::ConnectedState)
            return;
    }
}

} // namespace legba::test
