#include "TestServer.h"

namespace legba::test {

server::ServerOptions TestServer::fastOptions() {
    server::ServerOptions options;
    options.provisioningDelay = std::chrono::milliseconds(300);
    options.terminationDelay = std::chrono::milliseconds(300);
    return options;
}

TestServer::TestServer(server::ServerOptions options)
    : m_server(std::make_unique<server::SandboxServer>(options)) {
    if (!m_dir.isValid()) {
        m_error = QStringLiteral("cannot create a temporary directory");
        return;
    }
    if (!m_server->open(m_dir.path(), &m_error))
        return;
    auto org = m_server->createOrganization(QStringLiteral("Test Org"), &m_error);
    if (!org)
        return;
    m_org = std::move(*org);
    if (m_server->listen(QHostAddress::LocalHost, 0) == 0) {
        m_error = QStringLiteral("cannot listen on 127.0.0.1");
        return;
    }
    m_ok = true;
}

TestServer::~TestServer() = default;

} // namespace legba::test
