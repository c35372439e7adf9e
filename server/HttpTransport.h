#pragma once

#include <QAbstractHttpServer>
#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QHttpServerRequest>
#include <QMetaObject>
#include <QSslConfiguration>
#include <QTcpServer>
#include <QTimer>
#include <QUrlQuery>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

class QTcpSocket;

namespace legba::server {

// What the API layer sees of a request: no sockets, so that it can be driven by tests.
struct HttpRequest {
    QByteArray method; // "GET", "POST", ...; empty for a method Qt does not know
    QByteArray path;   // percent-encoded, without the query
    QUrlQuery query;
    QByteArray body;
    QString clientAddress;
    const QHttpServerRequest* raw = nullptr;
    // Without `raw` (a request made in-process, as the fuzz targets do): the headers, with
    // lower-case names.
    std::vector<std::pair<QByteArray, QByteArray>> headers;

    QByteArray header(const QByteArray& name) const {
        if (raw)
            return raw->value(name);
        for (const auto& [key, value] : headers) {
            if (key == name)
                return value;
        }
        return {};
    }
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

// Serializes a response into HTTP/1.1 bytes, with Content-Length (except for 204).
QByteArray serializeResponse(const HttpResponse& response);

// Accepts connections itself so that every socket gets TCP_NODELAY (without it, small
// answers wait ~40 ms for Nagle's algorithm) and, with TLS, its encryption set up.
class Listener : public QTcpServer {
    Q_OBJECT
public:
    explicit Listener(std::optional<QSslConfiguration> tls, QObject* parent = nullptr);

Q_SIGNALS:
    void socketAccepted(QTcpSocket* socket);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    std::optional<QSslConfiguration> m_tls;
};

// QAbstractHttpServer parses; every request goes to one handler and its answer is written
// back as raw bytes in one write. Also guards what the parser does not: a body too large to
// buffer. (A request Qt's parser rejects is closed by Qt without an answer.)
class HttpTransport : public QAbstractHttpServer {
    Q_OBJECT
public:
    using Handler = std::function<HttpResponse(const HttpRequest&)>;
    // The answer for what never reaches the handler: 413 for an endless body. Must carry
    // X-Request-Id like every answer.
    using Refusal = std::function<HttpResponse(int status)>;

    HttpTransport(Handler handler, Refusal refusal, QObject* parent = nullptr);
    ~HttpTransport() override;

    // Returns the port, or 0.
    quint16 listenOn(const QHostAddress& address, quint16 port,
                     std::optional<QSslConfiguration> tls, QString* error);
    void stop();
    bool isListening() const;

    // Bytes of one request (headers and body) beyond which the connection is answered 413
    // and closed without buffering more.
    static constexpr qint64 kMaxRequestBytes = 64 * 1024 + 16 * 1024;

protected:
    bool handleRequest(const QHttpServerRequest& request, QTcpSocket* socket) override;
    void missingHandler(const QHttpServerRequest& request, QTcpSocket* socket) override;

private:
    struct Connection {
        qint64 bytesSinceRequest = 0;
        bool refused = false;
        QString clientAddress; // formatted once per connection, not per request
    };
    void adopt(QTcpSocket* socket);
    void onBytes(QTcpSocket* socket);
    void refuse(QTcpSocket* socket, int status);

    Handler m_handler;
    Refusal m_refusal;
    Listener* m_listener = nullptr;
    QHash<QTcpSocket*, Connection> m_connections;
};

} // namespace legba::server
