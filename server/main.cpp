// legba-server: the sandbox's command line. Everything lives in legba_server (Cli.cpp).
#include "Cli.h"

#include <QCoreApplication>

int main(int argc, char** argv) {
    // Qt's own poll() dispatcher costs less per wake-up than GLib's, which matters at tens
    // of thousands of requests a second. Only this process: the app keeps its default.
    if (!qEnvironmentVariableIsSet("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("legba-server"));
    QCoreApplication::setApplicationVersion(QStringLiteral(LEGBA_VERSION));
    return legba::server::runCli(QCoreApplication::arguments().mid(1));
}
