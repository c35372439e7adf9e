#pragma once

// What the server tests share: a real SandboxServer on 127.0.0.1 port 0 in a temporary
// data dir, and plain HTTP through QNetworkAccessManager or a raw socket. Deliberately not
// the app's client, so that the server is tested on its own.

#include "SandboxServer.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <atomic>
#include <memory>
#include <nlohmann/json.hpp>

namespace legba::servertest {

using Json = nlohmann::json;

inline const QByteArray kUnauthorizedBody =
    "{\"error\":{\"code\":\"UNAUTHORIZED\",\"message\":\"Invalid or missing API key\"}}";

struct Reply {
    int status = 0;
    QByteArray body;
    QList<QNetworkReply::RawHeaderPair> headers;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;

    QByteArray header(const QByteArray& name) const {
        for (const auto& [k, v] : headers) {
            if (k.compare(name, Qt::CaseInsensitive) == 0)
                return v;
        }
        return {};
    }
    bool hasHeader(const QByteArray& name) const {
        for (const auto& [k, v] : headers) {
            if (k.compare(name, Qt::CaseInsensitive) == 0)
                return true;
        }
        return false;
    }
    Json json() const {
        Json value = Json::parse(body.begin(), body.end(), nullptr, false);
        return value;
    }
    QString errorCode() const {
        const Json j = json();
        if (!j.is_object() || !j.contains("error"))
            return {};
        return QString::fromStdString(j["error"].value("code", std::string()));
    }
    QString errorMessage() const {
        const Json j = json();
        if (!j.is_object() || !j.contains("error"))
            return {};
        return QString::fromStdString(j["error"].value("message", std::string()));
    }
};

inline QString str(const Json& j, const char* field) {
    return QString::fromStdString(j.value(field, std::string()));
}

struct IssuedForTest {
    QString keyId;
    QByteArray key;
};

class Harness {
public:
    static server::ServerOptions fastOptions() {
        server::ServerOptions o;
        o.provisioningDelay = std::chrono::milliseconds(200);
        o.terminationDelay = std::chrono::milliseconds(200);
        return o;
    }

    explicit Harness(server::ServerOptions options = fastOptions())
        : m_offset(std::make_shared<std::atomic<qint64>>(0)) {
        auto offset = m_offset;
        options.clock = [offset] {
            return QDateTime::currentMSecsSinceEpoch() + offset->load();
        };
        if (options.auditAnchorKeyPath.isEmpty())
            options.auditAnchorKeyPath = anchorKeyPath();
        m_server = std::make_unique<server::SandboxServer>(options);
        QString error;
        if (!m_dir.isValid() || !m_server->open(m_dir.path(), &error))
            qFatal("cannot open the sandbox: %s", qPrintable(error));
        auto created = m_server->createOrganization(QStringLiteral("Test org"), &error);
        if (!created)
            qFatal("cannot create an organization: %s", qPrintable(error));
        org = created->orgUuid;
        ownerKeyId = created->keyId;
        ownerKey = created->key.reveal();
        if (m_server->listen(QHostAddress::LocalHost, 0) == 0)
            qFatal("cannot listen");
        base = m_server->baseUrl();
        m_nam.setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
    }

    server::SandboxServer& server() { return *m_server; }
    QString dataDir() const { return m_dir.path(); }
    // Outside the data dir, as the anchor key must be.
    QString anchorKeyPath() const { return m_keyDir.filePath(QStringLiteral("anchor.key")); }
    // Moves the server's clock forward.
    void advance(qint64 ms) { m_offset->fetch_add(ms); }

    QString api(const QString& path, const QString& orgUuid = {}) const {
        return QStringLiteral("/orgs/") + (orgUuid.isEmpty() ? org : orgUuid) +
               QStringLiteral("/api") + path;
    }

    // `authorization` is the header's raw value; empty: no header.
    Reply send(const QByteArray& method, const QString& path, const QByteArray& authorization,
               const QByteArray& body = {},
               const QList<QPair<QByteArray, QByteArray>>& extra = {}) {
        QNetworkRequest request(QUrl(base.toString() + path));
        request.setTransferTimeout(10000);
        if (!authorization.isEmpty())
            request.setRawHeader("Authorization", authorization);
        if (!body.isEmpty())
            request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
        for (const auto& [k, v] : extra)
            request.setRawHeader(k, v);
        QNetworkReply* reply = m_nam.sendCustomRequest(request, method, body);
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        if (!reply->isFinished())
            loop.exec();
        Reply out;
        out.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        out.body = reply->readAll();
        out.headers = reply->rawHeaderPairs();
        out.error = reply->error();
        reply->deleteLater();
        return out;
    }

    Reply call(const QByteArray& method, const QString& path, const QByteArray& key,
               const QByteArray& body = {}) {
        return send(method, path, key.isEmpty() ? QByteArray() : "Bearer " + key, body);
    }
    Reply get(const QString& path, const QByteArray& key) { return call("GET", path, key); }
    Reply post(const QString& path, const QByteArray& key, const QByteArray& body) {
        return call("POST", path, key, body);
    }
    Reply post(const QString& path, const QByteArray& key, const Json& body) {
        return call("POST", path, key, QByteArray::fromStdString(body.dump()));
    }
    Reply del(const QString& path, const QByteArray& key) { return call("DELETE", path, key); }

    // A key of this organization with these scopes, made through the API.
    IssuedForTest makeKey(const QStringList& scopes, const QString& name = QStringLiteral("test"),
                          const QByteArray& by = {}) {
        Json s = Json::array();
        for (const QString& scope : scopes)
            s.push_back(scope.toStdString());
        const Reply r = post(api(QStringLiteral("/keys")), by.isEmpty() ? ownerKey : by,
                             Json{{"name", name.toStdString()}, {"scopes", s}});
        if (r.status != 201)
            qFatal("cannot create a key: %d %s", r.status, r.body.constData());
        const Json j = r.json();
        return {str(j, "key_id"), QByteArray::fromStdString(j["key"].get<std::string>())};
    }

    // Sends bytes on a fresh connection and returns what comes back until the server closes
    // or a full response (by Content-Length) arrived.
    QByteArray raw(const QByteArray& bytes, int timeoutMs = 5000) {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, static_cast<quint16>(base.port()));
        if (!socket.waitForConnected(timeoutMs))
            return {};
        socket.write(bytes);
        QByteArray got;
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < timeoutMs) {
            QTest::qWait(5);
            got += socket.readAll();
            if (complete(got) || socket.state() == QAbstractSocket::UnconnectedState)
                break;
        }
        got += socket.readAll();
        return got;
    }

    static bool complete(const QByteArray& response) {
        const qsizetype end = response.indexOf("\r\n\r\n");
        if (end < 0)
            return false;
        const QByteArray head = response.first(end).toLower();
        const qsizetype cl = head.indexOf("content-length: ");
        if (cl < 0)
            return true;
        const qsizetype eol = head.indexOf("\r\n", cl);
        const qsizetype length =
            head.mid(cl + 16, (eol < 0 ? head.size() : eol) - cl - 16).trimmed().toLongLong();
        return response.size() >= end + 4 + length;
    }

    QString org;
    QString ownerKeyId;
    QByteArray ownerKey;
    QUrl base;

private:
    QTemporaryDir m_keyDir; // before m_dir: anchorKeyPath() is used while opening it
    QTemporaryDir m_dir;
    std::shared_ptr<std::atomic<qint64>> m_offset;
    std::unique_ptr<server::SandboxServer> m_server;
    QNetworkAccessManager m_nam;
};

} // namespace legba::servertest
