#include "AdminProcess.h"

#include "TestServer.h"

#include <QDir>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTest>

namespace legba::test {

AdminRun runAdmin(const QString& binary, const QStringList& args, const QString& home,
                  const TestServer* server, const QByteArray& token) {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString& name : {QStringLiteral("LEGBA_BASE_URL"), QStringLiteral("LEGBA_ORG_UUID"),
                                QStringLiteral("LEGBA_API_TOKEN")})
        env.remove(name);
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), QDir(home).filePath(QStringLiteral("config")));
    env.insert(QStringLiteral("XDG_DATA_HOME"), QDir(home).filePath(QStringLiteral("data")));
    if (server) {
        env.insert(QStringLiteral("LEGBA_BASE_URL"), server->baseUrl().toString());
        env.insert(QStringLiteral("LEGBA_ORG_UUID"), server->orgUuid());
        env.insert(QStringLiteral("LEGBA_API_TOKEN"),
                   QString::fromLatin1(token.isEmpty() ? server->ownerKey().reveal() : token));
    }
    QProcess process;
    process.setProcessEnvironment(env);
    process.start(binary, args);
    if (!process.waitForStarted(30000))
        return {};
    if (!QTest::qWaitFor([&] { return process.state() == QProcess::NotRunning; }, 120000)) {
        process.kill();
        process.waitForFinished();
        return {};
    }
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            process.readAllStandardOutput(),
            QString::fromLocal8Bit(process.readAllStandardError())};
}

} // namespace legba::test
