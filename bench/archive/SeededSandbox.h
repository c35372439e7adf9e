#pragma once

// A sandbox made by legba-server's own commands and served in this process, with a client
// on its organization: how both archive benches get the server's copy of the events.

#include "Cli.h"
#include "LegbaClient.h"
#include "SandboxServer.h"

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>
#include <cstdio>

namespace legba::bench {

// `init` and `seed-demo --events EVENTS` in `data` (what seed-demo prints goes to
// `seedOutput`), then the sandbox opened there and listening on loopback, `client` on its
// organization with its owner key. False, having said why on stderr, when a step failed.
inline bool serveSeededSandbox(const QString& data, int events, std::FILE* seedOutput,
                               server::SandboxServer& sandbox, LegbaClient& client) {
    std::FILE* json = std::tmpfile();
    if (!json || server::runCli({QStringLiteral("init"), QStringLiteral("--data-dir"), data,
                                 QStringLiteral("--json")},
                                json, stderr) != 0)
        return false;
    std::rewind(json);
    QByteArray line(4096, '\0');
    line.truncate(static_cast<qsizetype>(std::fread(line.data(), 1, 4096, json)));
    std::fclose(json);
    const QJsonObject org = QJsonDocument::fromJson(line).object();
    const QString orgUuid = org.value(QStringLiteral("org_uuid")).toString();
    if (server::runCli({QStringLiteral("seed-demo"), QStringLiteral("--data-dir"), data,
                        QStringLiteral("--org"), orgUuid, QStringLiteral("--events"),
                        QString::number(events)},
                       seedOutput, stderr) != 0)
        return false;
    QString error;
    if (!sandbox.open(data, &error) || sandbox.listen() == 0) {
        std::fprintf(stderr, "sandbox: %s\n", qPrintable(error));
        return false;
    }
    client.setEndpoint(Endpoint{sandbox.baseUrl(), orgUuid});
    client.setKey(Secret(org.value(QStringLiteral("key")).toString().toUtf8()));
    return true;
}

} // namespace legba::bench
