#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QTcpServer>
#include <QUrl>
#include <functional>
#include <utility>

class QTcpSocket;

namespace legba::test {

using HeaderList = QList<std::pair<QByteArray, QByteArray>>;

// One HTTP/1.1 request as it arrived on the wire.
struct RawRequest {
    QByteArray method;
    QByteArray target;  // path and query, as sent
    HeaderList headers; // names lower-cased
    QByteArray body;
    qint64 receivedAtMs = 0; // since the server started

    bool hasHeader(QByteArrayView name) const;
    QByteArray header(QByteArrayView name) const;
};

// A QTcpServer on 127.0.0.1, port 0, that speaks just enough HTTP/1.1 to misbehave on
// purpose: each complete request goes to a handler that decides what, if anything, the
// client gets back. Every request is recorded, so a test can tell what reached it (and
// whether it carried an Authorization header).
class HostileServer : public QObject {
    Q_OBJECT

public:
    // The handler owns what happens next on the socket: answer, stall, drip, reset...
    // The socket belongs to the server and is deleted when it disconnects.
    using Handler = std::function<void(QTcpSocket* socket, const RawRequest& request)>;

    explicit HostileServer(QObject* parent = nullptr);
    ~HostileServer() override;

    bool listen();
    quint16 port() const { return m_server.serverPort(); }
    QUrl baseUrl() const;
    void setHandler(Handler handler) { m_handler = std::move(handler); }
    // Stops accepting: a later connection is refused.
    void close() { m_server.close(); }

    const QList<RawRequest>& requests() const { return m_requests; }
    int connectionCount() const { return m_connections; }
    // How many requests carried an Authorization header (of any value).
    int requestsWithAuthorization() const;

    // A complete response. Content-Length and X-Request-Id are added unless `headers` set
    // them.
    static QByteArray response(int status, const QByteArray& body, const HeaderList& headers = {});
    // Writes the response and closes the connection once it is sent.
    static void answer(QTcpSocket* socket, int status, const QByteArray& body,
                       const HeaderList& headers = {});
    // The contract's error body.
    static QByteArray errorBody(const char* code, const char* message);
    // Closes with a TCP reset (SO_LINGER 0) instead of an orderly FIN.
    static void reset(QTcpSocket* socket);

private:
    void onNewConnection();
    void onReadyRead(QTcpSocket* socket);

    QTcpServer m_server;
    Handler m_handler;
    QHash<QTcpSocket*, QByteArray> m_buffers;
    QList<RawRequest> m_requests;
    QElapsedTimer m_clock;
    int m_connections = 0;
};

} // namespace legba::test
