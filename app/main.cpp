// The composition root: reads the command line, builds the app layer and the window,
// and wires them. Nothing else happens here.

#include "AuditHistory.h"
#include "AuditWatch.h"
#include "ConnectionManager.h"
#include "CredentialStore.h"
#include "EnvironmentProfile.h"
#include "ExportAuditCommand.h"
#include "Hardening.h"
#include "InstancesModel.h"
#include "InstancesPane.h"
#include "MainWindow.h"
#include "Profile.h"
#include "ReminderMonitor.h"
#include "SandboxHost.h"
#include "ScanCommand.h"
#include "Session.h"
#include "StartupProbe.h"
#include "TrayNotifier.h"

#include <QApplication>
#include <QDir>
#include <QSettings>
#include <QStandardPaths>
#include <QTimer>
#include <cstdio>
#include <cstring>

namespace {

constexpr const char* kUsage =
    "Usage: legba-admin [--sandbox] [--version] [--help]\n"
    "       legba-admin --scan [--include-ignored] [--include-binary] PATH...\n"
    "       legba-admin --export-audit PROFILE FILE\n"
    "\n"
    "Administer a Legba organization: API keys, browser instances and the audit log.\n"
    "\n"
    "Options:\n"
    "  --sandbox   Run the local sandbox server inside the app and connect to it.\n"
    "  --version   Print the version and exit.\n"
    "  --help      Print this help and exit.\n"
    "  --scan PATH...\n"
    "              Look for leaked Legba keys in files and folders, without a window, and\n"
    "              match them to the organization's keys (the environment's, else the\n"
    "              current profile's). Prints each finding masked. Exit status 1 when an\n"
    "              active key of the organization is found, 0 when none, 2 on errors.\n"
    "              Git-ignored and binary files are skipped unless --include-ignored or\n"
    "              --include-binary; symbolic links are never followed.\n"
    "  --export-audit PROFILE FILE\n"
    "              Write the organization's audit log, without a window: PROFILE's local\n"
    "              archive, synced with the server first, in the Audit pane's export format\n"
    "              (JSON Lines for .jsonl or .ndjson, else CSV; FILE - is JSON Lines on\n"
    "              standard output). PROFILE is a profile's id or name, sandbox, or env\n"
    "              (the LEGBA_* variables below; the archive is then temporary). Exit\n"
    "              status 0 when written, 2 on errors.\n"
    "\n"
    "Environment:\n"
    "  LEGBA_BASE_URL, LEGBA_ORG_UUID, LEGBA_API_TOKEN\n"
    "              When all three are set, connect with them for this run and store nothing.\n";

// --version and --help must work without a display, so they are answered before any
// QGuiApplication exists.
int answerWithoutDisplay(int argc, char** argv, bool* sandbox) {
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--version") == 0) {
            std::printf("legba-admin %s\n", LEGBA_VERSION);
            return 0;
        }
        if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
            std::fputs(kUsage, stdout);
            return 0;
        }
        if (std::strcmp(argv[i], "--sandbox") == 0) {
            *sandbox = true;
            continue;
        }
        // Qt's own options (-platform, -style, ...) are left to QApplication.
        if (argv[i][0] == '-' && argv[i][1] == '-') {
            std::fprintf(stderr, "legba-admin: unknown option '%s'\n\n%s", argv[i], kUsage);
            return 2;
        }
    }
    return -1;
}

} // namespace

int main(int argc, char** argv) {
    legba::hardenProcess();
    if (const int code = legba::runScanCommandIfAsked(argc, argv); code >= 0)
        return code;
    if (const int code = legba::runExportAuditCommandIfAsked(argc, argv); code >= 0)
        return code;
    bool sandbox = false;
    if (const int code = answerWithoutDisplay(argc, argv, &sandbox); code >= 0)
        return code;

    QApplication app(argc, argv);
    legba::setApplicationIdentity();
    QApplication::setDesktopFileName(QStringLiteral("legba-admin"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/legba-admin.svg")));

    QSettings settings;
    legba::ProfileStore profiles(&settings);
    legba::CredentialStore credentials;
    legba::Session session;
    const QString sandboxDir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
                               QStringLiteral("/sandbox");
    legba::SandboxHost sandboxHost(sandboxDir, &profiles, &credentials);
    legba::ConnectionManager connections(&session, &profiles, &credentials, &sandboxHost);

    legba::MainWindow window(&connections);
    if (auto* probe = legba::StartupProbe::installIfRequested(&window)) {
        QObject::connect(window.instancesPane(), &legba::InstancesPane::refreshed, probe,
                         &legba::StartupProbe::listShown);
    }
    // Reminders while the app runs (docs/architecture.md): the Instances pane's own loads
    // feed them, so the monitor asks only for the keys, every 10 minutes.
    auto* notifier = new legba::TrayNotifier(&window); // window owns it
    legba::ReminderMonitor reminders(&session, notifier);
    // The watch over the Audit pane's new events says what it sees the same way.
    window.auditWatch()->setNotifier(notifier);
    QObject::connect(window.instancesPane(), &legba::InstancesPane::refreshed, &reminders, [&] {
        reminders.observeInstances(window.instancesPane()->model()->instances());
    });
    QObject::connect(&window, &legba::MainWindow::settingsApplied, &reminders,
                     &legba::ReminderMonitor::pollNow);
    // The Audit pane opens on the profile's local archive (app/AuditHistory).
    legba::AuditHistory auditHistory(&session);
    window.useAuditHistory(&auditHistory);
    window.show();

    // Connect once the window is up, so that the first paint is not waiting on the network.
    QTimer::singleShot(0, &window, [&] {
        if (auto environment = legba::takeEnvironmentConnection()) {
            connections.activateTransient(environment->profile, std::move(environment->key));
        } else if (sandbox) {
            connections.activateSandbox();
        } else if (const QString current = profiles.currentId();
                   !current.isEmpty() && profiles.profile(current)) {
            connections.activate(current);
        } else if (profiles.profiles().isEmpty()) {
            // A fresh machine: the sandbox works without an account.
            connections.activateSandbox();
        } else {
            connections.activate(profiles.profiles().constFirst().id);
        }
    });
    return app.exec();
}
