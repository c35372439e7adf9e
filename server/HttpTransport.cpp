#include "HttpTransport.h"

#include "Logging.h"

#include <QSslSocket>
#include <QTcpSocket>

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
    case 409:
        return "Conflict";
    case 413:
        return "Payload Too Large";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    default:
        return "Unknown";
    }
}

QByteArray methodName(QHttpServerRequest::Method method) {
    switch (method) {
    case QHttpServerRequest::Method::Get:
        return "GET";
    case QHttpServerRequest::Method::Put:
        return "PUT";
    case QHttpServerRequest::Method::Delete:
        return "DELETE";
    case QHttpServerRequest::Method::Post:
        return "POST";
    case QHttpServerRequest::Method::Head:
        return "HEAD";
    case QHttpServerRequest::Method::Options:
        return "OPTIONS";
    case QHttpServerRequest::Method::Patch:
        return "PATCH";
    case QHttpServerRequest::Method::Connect:
        return "CONNECT";
    case QHttpServerRequest::Method::Trace:
        return "TRACE";
    default:
        return {};
    }
}

QString clientAddress(const QHostAddress& address) {
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    return isV4 ? QHostAddress(v4).toString() : address.toString();
}

} // namespace

QByteArray serializeResponse(const HttpResponse& response) {
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
    if (response.status != 204)
        out += response.body;
    return out;
}

Listener::Listener(std::optional<QSslConfiguration> tls, QObject* parent)
    : QTcpServer(parent)
    , m_tls(std::move(tls)) {}

void Listener::incomingConnection(qintptr descriptor) {
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
    addPendingConnection(socket);
}

HttpTransport::HttpTransport(Handler handler, Refusal refusal, QObject* parent)
    : QAbstractHttpServer(parent)
    , m_handler(std::move(handler))
    , m_refusal(std::move(refusal)) {}

HttpTransport::~HttpTransport() {
    stop();
}

quint16 HttpTransport::listenOn(const QHostAddress& address, quint16 port,
                                std::optional<QSslConfiguration> tls, QString* error) {
    stop();
    auto* listener = new Listener(std::move(tls), this);
    // Connected before the HTTP server sees the socket, so that our byte count runs
    // before its parser on every read.
    connect(listener, &Listener::socketAccepted, this, &HttpTransport::adopt);
    if (!listener->listen(address, port)) {
        if (error)
            *error = listener->errorString();
        delete listener;
        return 0;
    }
    bind(listener);
    m_listener = listener;
    return listener->serverPort();
}

void HttpTransport::stop() {
    if (m_listener) {
        m_listener->close();
        // Sockets are children of the listener: deleting it closes every connection.
        const auto sockets = m_connections.keys();
        for (QTcpSocket* socket : sockets)
            socket->abort();
        m_connections.clear();
        delete m_listener;
        m_listener = nullptr;
    }
}

bool HttpTransport::isListening() const {
    return m_listener && m_listener->isListening();
}

void HttpTransport::adopt(QTcpSocket* socket) {
    m_connections.insert(socket, Connection{0, false, clientAddress(socket->peerAddress())});
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onBytes(socket); });
    connect(socket, &QObject::destroyed, this, [this, socket] { m_connections.remove(socket); });
}

void HttpTransport::onBytes(QTcpSocket* socket) {
    auto it = m_connections.find(socket);
    if (it == m_connections.end())
        return;
    // Qt's parser has read everything before this point, so what is available now is new.
    it->bytesSinceRequest += socket->bytesAvailable();
    if (it->bytesSinceRequest > kMaxRequestBytes)
        refuse(socket, 413);
}

void HttpTransport::refuse(QTcpSocket* socket, int status) {
    auto it = m_connections.find(socket);
    if (it == m_connections.end() || it->refused)
        return;
    it->refused = true;
    // Stop Qt's parser from buffering more, answer, and close.
    disconnect(socket, &QTcpSocket::readyRead, nullptr, nullptr);
    HttpResponse response = m_refusal(status);
    response.closeConnection = true;
    socket->write(serializeResponse(response));
    socket->flush();
    socket->disconnectFromHost();
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater, Qt::UniqueConnection);
    if (socket->state() == QAbstractSocket::UnconnectedState)
        socket->deleteLater();
}

bool HttpTransport::handleRequest(const QHttpServerRequest& request, QTcpSocket* socket) {
    auto it = m_connections.find(socket);
    if (it != m_connections.end())
        it->bytesSinceRequest = socket->bytesAvailable();

    HttpRequest req;
    req.raw = &request;
    req.method = methodName(request.method());
    const QUrl url = request.url();
    req.path = url.path(QUrl::FullyEncoded).toUtf8();
    req.query = QUrlQuery(url);
    req.body = request.body();
    req.clientAddress =
        it != m_connections.end() ? it->clientAddress : clientAddress(request.remoteAddress());

    HttpResponse response = m_handler(req);
    if (request.value("connection").compare("close", Qt::CaseInsensitive) == 0)
        response.closeConnection = true;
    const bool head = req.method == "HEAD";
    if (head) {
        // A HEAD answer has no body; the client cannot tell where it would end: close.
        response.body.clear();
        response.closeConnection = true;
    }
    socket->write(serializeResponse(response));
    socket->flush();
    if (response.closeConnection)
        socket->disconnectFromHost();
    return true;
}

void HttpTransport::missingHandler(const QHttpServerRequest&, QTcpSocket*) {
    // handleRequest answers everything.
}

} // namespace legba::server
