#include "ScanCommand.h"

#include "HeadlessConnection.h"
#include "LeakScanner.h"
#include "LegbaClient.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QFileInfo>
#include <cstdio>
#include <cstring>
#include <optional>

namespace legba {

namespace {

constexpr int kLiveKeyFound = 1;
constexpr int kError = 2;

constexpr const char* kScanUsage =
    "Usage: legba-admin --scan [--include-ignored] [--include-binary] PATH...\n";

void say(FILE* stream, const QString& line) {
    std::fputs(line.toLocal8Bit().constData(), stream);
    std::fputc('\n', stream);
}

int fail(const QString& message) {
    say(stderr, QStringLiteral("legba-admin: ") + message);
    return kError;
}

QString describe(const LeakFinding& finding) {
    QString line = QStringLiteral("%1:%2:%3: %4 ")
                       .arg(finding.file)
                       .arg(finding.line)
                       .arg(finding.column)
                       .arg(finding.masked);
    QStringList matches;
    for (const ApiKey& key : finding.matches)
        matches << QStringLiteral("%1 \"%2\" (%3)").arg(key.keyId, key.name, key.status.wire());
    if (finding.kind == LeakFinding::Kind::Possible)
        return line + QStringLiteral("possible key: its prefix matches ") +
               matches.join(QStringLiteral(", "));
    if (matches.isEmpty())
        return line + QStringLiteral("key, but no key of this organization has its prefix");
    return line + QStringLiteral("key matching by prefix ") + matches.join(QStringLiteral(", "));
}

} // namespace

int runScanCommandIfAsked(int argc, char** argv) {
    bool asked = false;
    for (int i = 1; i < argc; ++i) {
        // --help and --version are answered as without --scan.
        if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0 ||
            std::strcmp(argv[i], "--version") == 0)
            return -1;
        asked = asked || std::strcmp(argv[i], "--scan") == 0;
    }
    if (!asked)
        return -1;

    LeakScanOptions options;
    bool onlyPaths = false;
    for (int i = 1; i < argc; ++i) {
        const char* arg = argv[i];
        if (!onlyPaths && std::strcmp(arg, "--") == 0) {
            onlyPaths = true;
        } else if (!onlyPaths && std::strcmp(arg, "--scan") == 0) {
            continue;
        } else if (!onlyPaths && std::strcmp(arg, "--include-ignored") == 0) {
            options.includeIgnored = true;
        } else if (!onlyPaths && std::strcmp(arg, "--include-binary") == 0) {
            options.includeBinary = true;
        } else if (!onlyPaths && arg[0] == '-' && arg[1] != '\0') {
            std::fprintf(stderr, "legba-admin: --scan: unknown option '%s'\n%s", arg, kScanUsage);
            return kError;
        } else {
            options.paths << QFile::decodeName(arg);
        }
    }
    if (options.paths.isEmpty()) {
        std::fprintf(stderr, "legba-admin: --scan needs at least one file or folder\n%s",
                     kScanUsage);
        return kError;
    }

    QCoreApplication app(argc, argv);
    setUpHeadlessApplication();
    QObject connection; // goes before the application

    // A bad path is an error before anything is asked of the server.
    for (const QString& path : std::as_const(options.paths)) {
        const QFileInfo info(path);
        if (!info.exists() && !info.isSymLink())
            return fail(QStringLiteral("--scan: %1: no such file or directory").arg(path));
    }

    auto target = connectEnvironmentOrCurrentProfile(&connection);
    if (auto* problem = std::get_if<QString>(&target))
        return fail(*problem);
    HeadlessConnection& organization = std::get<HeadlessConnection>(target);

    LegbaClient client;
    if (auto refused = useConnection(organization, client))
        return fail(*refused);
    std::optional<Result<KeyList>> listed;
    QEventLoop loop;
    client.listKeys(true, &loop, [&](Result<KeyList> result) {
        listed.emplace(std::move(result));
        loop.quit();
    });
    loop.exec();
    client.clearKey();
    if (!listed->ok()) {
        return fail(
            QStringLiteral("the organization's keys could not be listed (GET /keys at "
                           "%1): %2")
                .arg(organization.profile.baseUrl.toDisplayString(), listed->error().summary()));
    }

    const LeakScanReport report = scanForLeaks(options, listed->value().keys);
    for (const LeakFinding& finding : report.findings)
        say(stdout, describe(finding));
    std::fflush(stdout);

    for (const QString& error : report.errors)
        say(stderr, QStringLiteral("legba-admin: warning: ") + error);
    if (report.ignoreRulesUnknown)
        say(stderr, QStringLiteral("legba-admin: warning: git not found: git-ignored files "
                                   "were scanned too"));
    if (report.truncated)
        say(stderr, QStringLiteral("legba-admin: warning: stopped at %1 files: the rest was "
                                   "not scanned")
                        .arg(options.maxFiles));
    qint64 live = 0;
    for (const LeakFinding& finding : report.findings)
        live += finding.live() ? 1 : 0;
    say(stderr, QStringLiteral("legba-admin: scanned %1 files (%2 bytes): %3 found, %4 active "
                               "in this organization; skipped %5 ignored, %6 binary, %7 too "
                               "large, %8 symbolic links")
                    .arg(report.filesScanned)
                    .arg(report.bytesScanned)
                    .arg(report.findings.size())
                    .arg(live)
                    .arg(report.skippedIgnored)
                    .arg(report.skippedBinary)
                    .arg(report.skippedLarge)
                    .arg(report.skippedSymlinks));
    return live > 0 ? kLiveKeyFound : 0;
}

} // namespace legba
