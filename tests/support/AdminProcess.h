#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace legba::test {

class TestServer;

// What a run of `legba-admin` printed and how it ended; exitCode -1 when it did not start,
// crashed or was killed after two minutes.
struct AdminRun {
    int exitCode = -1;
    QByteArray out;
    QString err;
};

// Runs `legba-admin` (at `binary`) with `args` for a headless command (--scan,
// --export-audit), with its own settings and data under `home` so that no profile or
// archive of the person running the tests is read. With a `server`, LEGBA_BASE_URL,
// LEGBA_ORG_UUID and LEGBA_API_TOKEN name it and `token` (the owner's key when empty);
// without, none of them is set. The process's requests are served by this one: it waits on
// the event loop, not on the process.
AdminRun runAdmin(const QString& binary, const QStringList& args, const QString& home,
                  const TestServer* server, const QByteArray& token = QByteArray());

} // namespace legba::test
