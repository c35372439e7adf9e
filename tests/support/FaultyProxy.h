#pragma once

#include "HostileServer.h"

#include <QNetworkAccessManager>
#include <QUrl>
#include <functional>
#include <optional>

namespace legba::test {

// A proxy in front of a real server: forwards every request unchanged, except those
// `fault` answers itself, and may rewrite the real answers' bodies. For faults the real
// server never makes on its own (a 404 for a route, a 500, a page changed), and for a
// deterministic moment in a test: the fault hook runs when the request arrives, before
// anything is forwarded.
class FaultyProxy {
public:
    struct Answer {
        int status;
        QByteArray body;
    };
    using Fault = std::function<std::optional<Answer>(const RawRequest&)>;
    using Rewrite = std::function<QByteArray(const RawRequest&, QByteArray body)>;

    explicit FaultyProxy(QUrl upstream);

    bool listen() { return m_front.listen(); }
    QUrl baseUrl() const { return m_front.baseUrl(); }
    void setFault(Fault fault) { m_fault = std::move(fault); }
    void setRewrite(Rewrite rewrite) { m_rewrite = std::move(rewrite); }
    // While down, every request is answered as a stopped server is through the proxy: the
    // connection is reset. Tests stop "the server" here rather than closing the real one:
    // listening again on the same port after closing it races every other process on the
    // machine for that port (ctest -j runs tests side by side).
    void setDown(bool down) { m_down = down; }

private:
    void forward(QTcpSocket* socket, const RawRequest& request);

    QUrl m_upstream;
    HostileServer m_front;
    QNetworkAccessManager m_manager;
    Fault m_fault;
    Rewrite m_rewrite;
    bool m_down = false;
};

// GET /audit-log, whatever its query.
inline bool isAuditLog(const RawRequest& request) {
    return request.target.split('?').first().endsWith("/audit-log");
}

} // namespace legba::test
