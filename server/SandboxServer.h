#pragma once

#include "Secret.h"
#include "Types.h"

#include <QHostAddress>
#include <QObject>
#include <QString>
#include <QUrl>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>

namespace legba::server {

struct ServerOptions {
    // provisioning -> running after this long
    std::chrono::milliseconds provisioningDelay{2000};
    // terminating -> terminated after this long
    std::chrono::milliseconds terminationDelay{1500};
    int instanceQuota = 10;
    // Requests a key may make per minute; 0 turns the limit off.
    int keyRequestsPerMinute = 0;
    // Failed authentications per client address in 60 s before 429.
    int failedAuthPerMinute = 20;
    // Milliseconds since the epoch; empty means the system clock. Tests replace it to
    // reach expiry or a grace period's end without waiting.
    std::function<qint64()> clock;
    // When set, serve HTTPS with this certificate and private key (PEM files).
    QString tlsCertificatePath;
    QString tlsKeyPath;
    // Answer only as the hosted Legba API's public docs show it (ApiShape.h): the public
    // routes with their documented members, opaque keys, non-UUID instance ids, and Go's
    // plain-text 404 for everything else. For rehearsing clients against the hosted shape.
    bool hostedShape = false;
    // The key that MACs the audit log's head (AuditLog.h), outside the data dir; empty:
    // defaultAnchorKeyPath(). Created when missing.
    QString auditAnchorKeyPath;
    // Audit retention: the oldest events beyond this many, or older than this many days,
    // are pruned as new ones are written. 0 keeps all.
    qint64 auditMaxEvents = 0;
    int auditRetentionDays = 0;
    // Connections held at once; a new one past this is closed at once, so that idle sockets
    // cannot use up the process's file descriptors (accepting would then fail for everyone).
    // 0: the open-file limit less a reserve (HttpTransport::defaultMaxConnections).
    int maxConnections = 0;
    // A keep-alive connection with no request under way is closed after this long.
    std::chrono::milliseconds idleTimeout{60'000};
    // Bytes held for all connections together (requests read ahead, answers the clients have
    // not taken): past this, connections that already hold bytes are not read or served
    // until the total falls. Each connection is also bounded on its own (HttpTransport).
    qint64 maxBufferedBytes = qint64{64} * 1024 * 1024;
};

struct CreatedOrganization {
    QString orgUuid;
    QString keyId;
    Secret key; // the owner key (every scope), shown once
};

class ServerImpl;

// The sandbox: the whole Legba API over SQLite in a data directory. The app hosts one
// in-process; legba-server's main wraps one; tests start one on port 0.
class SandboxServer : public QObject {
    Q_OBJECT

public:
    explicit SandboxServer(ServerOptions options = {}, QObject* parent = nullptr);
    ~SandboxServer() override;

    // Opens (creating and migrating when needed) the database in dataDir.
    // On failure returns false and sets *error to a sentence naming what went wrong.
    bool open(const QString& dataDir, QString* error = nullptr);
    // Listens; returns the port (port 0 picks a free one), or 0 on failure.
    quint16 listen(const QHostAddress& address = QHostAddress::LocalHost, quint16 port = 0);
    // http://HOST:PORT once listening.
    QUrl baseUrl() const;
    // Stops accepting and closes connections; the destructor does this too.
    void close();

    // A new organization with its owner key. The key is returned once and not stored.
    std::optional<CreatedOrganization> createOrganization(const QString& name,
                                                          QString* error = nullptr);
    // A new key for an organization of this data dir, issued by its owner rather than by an
    // API caller (recovery when every key is lost, as `legba-server keys create` does).
    // Every scope when `scopes` is empty.
    std::optional<IssuedKey> issueKey(const QString& orgUuid, const QString& name,
                                      const QStringList& scopes = {}, QString* error = nullptr);
    // Organizations in this data dir (uuid, name), oldest first.
    QList<std::pair<QString, QString>> organizations() const;

private:
    std::unique_ptr<ServerImpl> d;
};

} // namespace legba::server
