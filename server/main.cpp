// legba-server: the sandbox's command line. Everything lives in legba_server (Cli.cpp).
#include "Cli.h"

#include <QCoreApplication>

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("legba-server"));
    QCoreApplication::setApplicationVersion(QStringLiteral(LEGBA_VERSION));
    return legba::server::runCli(QCoreApplication::arguments().mid(1));
}
