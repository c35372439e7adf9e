// Run by tst_environmentprofile with LEGBA_API_TOKEN in its initial environment: takes the
// environment connection as the app does, then says whether the token can still be read
// in /proc/self/environ (which shows the process's original environment block).
#include "EnvironmentProfile.h"

#include <QCoreApplication>
#include <QFile>
#include <cstdio>

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    const QByteArray token = qgetenv("LEGBA_API_TOKEN");
    const auto connection = legba::takeEnvironmentConnection();
    if (!connection || connection->key.reveal() != token) {
        std::puts("no-connection");
        return 1;
    }
    QFile original(QStringLiteral("/proc/self/environ"));
    if (!original.open(QIODevice::ReadOnly)) {
        std::puts("unreadable");
        return 1;
    }
    const QByteArray block = original.readAll();
    std::puts(block.contains(token)                          ? "leaked"
              : qEnvironmentVariableIsSet("LEGBA_API_TOKEN") ? "still-set"
                                                             : "clean");
    return 0;
}
