#include "SandboxServer.h"

#include "Admin.h"
#include "Api.h"
#include "ApiShape.h"
#include "AuditLog.h"
#include "Database.h"
#include "HttpTransport.h"
#include "Logging.h"
#include "Scope.h"
#include "Store.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>

namespace legba::server {

class ServerImpl {
public:
    explicit ServerImpl(ServerOptions o)
        : options(std::move(o)) {}

    qint64 now() const {
        return options.clock ? options.clock() : QDateTime::currentMSecsSinceEpoch();
    }

    ServerOptions options;
    Database db;
    std::unique_ptr<Store> store;
    std::unique_ptr<Api> api;
    std::unique_ptr<HttpTransport> http;
    QUrl baseUrl;
};

SandboxServer::SandboxServer(ServerOptions options, QObject* parent)
    : QObject(parent)
    , d(std::make_unique<ServerImpl>(std::move(options))) {}

SandboxServer::~SandboxServer() {
    close();
    d->api.reset();
    d->store.reset();
    d->db.close();
}

bool SandboxServer::open(const QString& dataDir, QString* error) {
    try {
        close();
        d->api.reset();
        d->store.reset();
        if (!QDir().mkpath(dataDir)) {
            if (error)
                *error = tr("Cannot create the data directory %1").arg(dataDir);
            return false;
        }
        QFile::setPermissions(dataDir, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        d->db.open(QDir(dataDir).filePath(QStringLiteral("legba.sqlite3")));
        d->store = std::make_unique<Store>(d->db);
        const QString keyPath = d->options.auditAnchorKeyPath.isEmpty()
                                    ? defaultAnchorKeyPath()
                                    : d->options.auditAnchorKeyPath;
        d->store->audit().configure({loadAnchorKey(keyPath, true), d->options.auditMaxEvents,
                                     qint64(d->options.auditRetentionDays) * 24 * 3600 * 1000});
        {
            Transaction tx(d->db);
            d->store->audit().ensureAnchor();
            tx.commit();
        }
        d->api = std::make_unique<Api>(*d->store, d->options);
        d->api->startAuditWriter();
        return true;
    } catch (const AnchorKeyError& e) {
        qCCritical(lcServer, "cannot open the data dir: %s", e.what());
        if (error)
            *error = QString::fromUtf8(e.what());
        return false;
    } catch (const DbError& e) {
        qCCritical(lcServer, "cannot open the data dir: %s", e.what());
        if (error)
            *error =
                tr("Cannot open the database in %1: %2").arg(dataDir, QString::fromUtf8(e.what()));
        return false;
    }
}

quint16 SandboxServer::listen(const QHostAddress& address, quint16 port) {
    if (!d->api) {
        qCCritical(lcServer, "listen() before open()");
        return 0;
    }
    close();
    std::optional<QSslConfiguration> tls;
    if (!d->options.tlsCertificatePath.isEmpty() || !d->options.tlsKeyPath.isEmpty()) {
        QFile certFile(d->options.tlsCertificatePath);
        QFile keyFile(d->options.tlsKeyPath);
        if (!certFile.open(QIODevice::ReadOnly) || !keyFile.open(QIODevice::ReadOnly)) {
            qCCritical(lcServer, "cannot read the TLS certificate or key file");
            return 0;
        }
        const QList<QSslCertificate> chain = QSslCertificate::fromData(certFile.readAll());
        const QByteArray keyPem = keyFile.readAll();
        QSslKey key(keyPem, QSsl::Rsa);
        if (key.isNull())
            key = QSslKey(keyPem, QSsl::Ec);
        if (chain.isEmpty() || key.isNull()) {
            qCCritical(lcServer, "the TLS certificate or key is not valid PEM");
            return 0;
        }
        QSslConfiguration conf = QSslConfiguration::defaultConfiguration();
        conf.setLocalCertificateChain(chain);
        conf.setPrivateKey(key);
        conf.setPeerVerifyMode(QSslSocket::VerifyNone);
        tls = conf;
    }
    d->http = std::make_unique<HttpTransport>(
        [this](const HttpRequest& request) { return d->api->handle(request); },
        [this](int status, const QString& message) { return d->api->refusal(status, message); });
    if (d->options.maxConnections > 0)
        d->http->setMaxConnections(d->options.maxConnections);
    d->http->setIdleTimeout(int(d->options.idleTimeout.count()));
    d->http->setMaxBufferedBytes(d->options.maxBufferedBytes);
    QString error;
    const quint16 bound = d->http->listenOn(address, port, tls, &error);
    if (bound == 0) {
        qCCritical(lcServer, "cannot listen on %s:%u: %s", qPrintable(address.toString()),
                   unsigned(port), qPrintable(error));
        d->http.reset();
        return 0;
    }
    QHostAddress shown = address;
    if (address == QHostAddress::Any || address == QHostAddress::AnyIPv4)
        shown = QHostAddress(QHostAddress::LocalHost);
    else if (address == QHostAddress::AnyIPv6)
        shown = QHostAddress(QHostAddress::LocalHostIPv6);
    QUrl url;
    url.setScheme(tls ? QStringLiteral("https") : QStringLiteral("http"));
    url.setHost(shown.toString());
    url.setPort(bound);
    d->baseUrl = url;
    d->api->setBaseUrl(url.toString(QUrl::FullyEncoded), tls.has_value());
    qCInfo(lcServer, "listening on %s", qPrintable(url.toString()));
    return bound;
}

QUrl SandboxServer::baseUrl() const {
    return d->http ? d->baseUrl : QUrl();
}

void SandboxServer::close() {
    if (d->http) {
        d->http->stop();
        d->http.reset();
    }
    if (d->api)
        d->api->flush(true);
}

std::optional<CreatedOrganization> SandboxServer::createOrganization(const QString& name,
                                                                     QString* error) {
    if (!d->store) {
        if (error)
            *error = tr("The server has no data directory open");
        return std::nullopt;
    }
    const QString trimmed = name.trimmed();
    if (trimmed.isEmpty() || trimmed.size() > 100) {
        if (error)
            *error = tr("The organization's name must be 1 to 100 characters");
        return std::nullopt;
    }
    try {
        Secret ownerKey(ApiShape::of(d->options).newKey());
        return d->api->exclusive([&] {
            return admin::createOrganization(*d->store, trimmed, d->now(), std::move(ownerKey));
        });
    } catch (const DbError& e) {
        qCCritical(lcServer, "cannot create an organization: %s", e.what());
        if (error)
            *error = tr("Cannot create the organization: %1").arg(QString::fromUtf8(e.what()));
        return std::nullopt;
    }
}

std::optional<IssuedKey> SandboxServer::issueKey(const QString& orgUuid, const QString& name,
                                                 const QStringList& scopes, QString* error) {
    if (!d->store) {
        if (error)
            *error = tr("The server has no data directory open");
        return std::nullopt;
    }
    QStringList wanted = scopes;
    if (wanted.isEmpty()) {
        for (Scope scope : allScopes())
            wanted << wireName(scope);
    }
    try {
        return d->api->exclusive([&] {
            return admin::createKey(*d->store, orgUuid, name, wanted, 0, d->now(),
                                    QStringLiteral("in-process"));
        });
    } catch (const std::invalid_argument& e) {
        if (error)
            *error = QString::fromStdString(e.what());
    } catch (const DbError& e) {
        qCCritical(lcServer, "cannot issue a key: %s", e.what());
        if (error)
            *error = tr("Cannot issue a key: %1").arg(QString::fromUtf8(e.what()));
    }
    return std::nullopt;
}

QList<std::pair<QString, QString>> SandboxServer::organizations() const {
    if (!d->store)
        return {};
    try {
        return d->store->organizations();
    } catch (const DbError& e) {
        qCCritical(lcServer, "cannot list organizations: %s", e.what());
        return {};
    }
}

} // namespace legba::server
