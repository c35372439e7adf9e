#include "FaultyProxy.h"

#include <QNetworkReply>
#include <QPointer>
#include <QTcpSocket>

namespace legba::test {

FaultyProxy::FaultyProxy(QUrl upstream)
    : m_upstream(std::move(upstream)) {
    m_front.setHandler(
        [this](QTcpSocket* socket, const RawRequest& request) { forward(socket, request); });
}

void FaultyProxy::forward(QTcpSocket* socket, const RawRequest& request) {
    const HeaderList json{{"Content-Type", "application/json"},
                          {"X-Request-Id", "req_proxy_fault"}};
    if (m_fault) {
        if (const std::optional<Answer> answer = m_fault(request)) {
            HostileServer::answer(socket, answer->status, answer->body, json);
            return;
        }
    }
    if (m_down) {
        HostileServer::reset(socket);
        return;
    }
    QNetworkRequest upstream(QUrl(m_upstream.toString() + QString::fromLatin1(request.target)));
    for (const auto& [name, value] : request.headers) {
        if (name != "host" && name != "connection" && name != "content-length" &&
            name != "accept-encoding")
            upstream.setRawHeader(name, value);
    }
    QNetworkReply* reply = m_manager.sendCustomRequest(upstream, request.method, request.body);
    QPointer<QTcpSocket> client(socket);
    const RawRequest copy = request;
    QObject::connect(reply, &QNetworkReply::finished, &m_front, [this, reply, client, copy] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        QByteArray body = reply->readAll();
        // Rewritten even when the client is gone: a test may wait for the answer it had.
        if (m_rewrite && status != 0)
            body = m_rewrite(copy, std::move(body));
        if (!client)
            return;
        if (status == 0) {
            HostileServer::reset(client);
            return;
        }
        HeaderList headers;
        for (const QByteArray& name :
             {QByteArray("Content-Type"), QByteArray("X-Request-Id"), QByteArray("Retry-After")}) {
            if (reply->hasRawHeader(name))
                headers.append({name, reply->rawHeader(name)});
        }
        HostileServer::answer(client, status, body, headers);
    });
}

} // namespace legba::test
