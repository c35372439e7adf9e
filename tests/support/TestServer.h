#pragma once

#include "Endpoint.h"
#include "SandboxServer.h"
#include "Secret.h"

#include <QTemporaryDir>
#include <memory>

namespace legba::test {

// A real sandbox server on 127.0.0.1, port 0, in a temporary data dir, with one
// organization and its owner key. For tests that talk real HTTP.
class TestServer {
public:
    explicit TestServer(server::ServerOptions options = fastOptions());
    ~TestServer();

    bool ok() const { return m_ok; }
    const QString& error() const { return m_error; }
    server::SandboxServer& server() { return *m_server; }
    QUrl baseUrl() const { return m_server->baseUrl(); }
    Endpoint endpoint() const { return Endpoint{baseUrl(), m_org.orgUuid}; }
    const QString& orgUuid() const { return m_org.orgUuid; }
    const QString& ownerKeyId() const { return m_org.keyId; }
    const Secret& ownerKey() const { return m_org.key; }
    QString dataDir() const { return m_dir.path(); }

    // Quick life cycle so that tests need not wait seconds.
    static server::ServerOptions fastOptions();

private:
    QTemporaryDir m_dir;
    std::unique_ptr<server::SandboxServer> m_server;
    server::CreatedOrganization m_org;
    QString m_error;
    bool m_ok = false;
};

} // namespace legba::test
