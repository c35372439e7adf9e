#include "ExportAuditCommand.h"

#include "AuditArchive.h"
#include "AuditArchiveExport.h"
#include "AuditArchiveSync.h"
#include "AuditFormat.h"
#include "HeadlessConnection.h"
#include "LegbaClient.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QFile>
#include <QSaveFile>
#include <QTemporaryDir>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>

namespace legba {

namespace {

constexpr int kError = 2;
constexpr int kReadPage = 5000;

constexpr const char* kExportUsage = "Usage: legba-admin --export-audit PROFILE FILE\n"
                                     "       (PROFILE: a profile's id or name, sandbox, or env;"
                                     " FILE: .jsonl, .ndjson, .csv, or - for standard output)\n";

void say(const QString& line) {
    std::fputs(line.toLocal8Bit().constData(), stderr);
    std::fputc('\n', stderr);
}

int fail(const QString& message) {
    say(QStringLiteral("legba-admin: --export-audit: ") + message);
    return kError;
}

// Brings the archive up to the server: the newest events, then the backfill to the end.
// Empty on success, else what failed.
QString sync(LegbaClient* client, AuditArchive* archive, const QString& name) {
    AuditArchiveSync sync(client, archive);
    QEventLoop loop;
    QString failure;
    qint64 lastSaid = -1;
    QObject::connect(&sync, &AuditArchiveSync::failed, &loop, [&](const QString& message) {
        failure = message;
        loop.quit();
    });
    QObject::connect(&sync, &AuditArchiveSync::newestSynced, &loop, [&](const StoreResult& r) {
        if (!r.changed.isEmpty())
            say(QStringLiteral("legba-admin: warning: the server's copy of %1 archived events "
                               "differs from the archive's; the archived copy is exported")
                    .arg(r.changed.size()));
        sync.backfill();
    });
    QObject::connect(&sync, &AuditArchiveSync::backfillProgress, &loop, [&](qint64 archived) {
        if (archived / 10000 != lastSaid / 10000) {
            say(QStringLiteral("legba-admin: %1: %2 events archived")
                    .arg(name, QString::number(archived)));
            lastSaid = archived;
        }
    });
    QObject::connect(&sync, &AuditArchiveSync::backfillFinished, &loop, &QEventLoop::quit);
    sync.syncNewest();
    loop.exec();
    return failure;
}

} // namespace

int runExportAuditCommandIfAsked(int argc, char** argv) {
    int at = -1;
    for (int i = 1; i < argc; ++i) {
        // --help and --version are answered as without --export-audit.
        if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0 ||
            std::strcmp(argv[i], "--version") == 0)
            return -1;
        if (std::strcmp(argv[i], "--export-audit") == 0 && at < 0)
            at = i;
    }
    if (at < 0)
        return -1;
    if (at != 1 || argc != 4) {
        std::fprintf(stderr,
                     "legba-admin: --export-audit takes a profile and a file, and no "
                     "other option\n%s",
                     kExportUsage);
        return kError;
    }
    const QString profileName = QString::fromLocal8Bit(argv[2]);
    const QString target = QFile::decodeName(argv[3]);
    if (profileName.isEmpty() || target.isEmpty()) {
        std::fprintf(stderr, "legba-admin: --export-audit: empty profile or file\n%s",
                     kExportUsage);
        return kError;
    }

    QCoreApplication app(argc, argv);
    setUpHeadlessApplication();
    QObject connection; // goes before the application

    auto connected = profileName == QLatin1String("env") ? connectEnvironment()
                                                         : connectProfile(profileName, &connection);
    if (auto* problem = std::get_if<QString>(&connected))
        return fail(*problem);
    HeadlessConnection& organization = std::get<HeadlessConnection>(connected);
    const QString name = organization.profile.displayName;

    // The file is opened before the server is asked anything: an unwritable path fails fast.
    const bool toStdout = target == QLatin1String("-");
    const auditformat::Format format =
        toStdout ? auditformat::Format::JsonLines : auditformat::formatForPath(target);
    QSaveFile saveFile(target);
    QFile standardOutput;
    QIODevice* out = &saveFile;
    if (toStdout) {
        if (!standardOutput.open(stdout, QIODevice::WriteOnly))
            return fail(QStringLiteral("cannot write to standard output"));
        out = &standardOutput;
    } else if (!saveFile.open(QIODevice::WriteOnly)) {
        return fail(QStringLiteral("cannot write %1: %2").arg(target, saveFile.errorString()));
    }

    // An environment connection stores nothing: its archive lives as long as this run.
    std::optional<QTemporaryDir> scratch;
    QString archivePath;
    if (organization.profile.kind == Profile::Kind::Environment) {
        scratch.emplace();
        if (!scratch->isValid())
            return fail(
                QStringLiteral("cannot make a temporary folder: %1").arg(scratch->errorString()));
        archivePath = scratch->filePath(QStringLiteral("audit.sqlite"));
    } else {
        archivePath = AuditArchive::pathFor(organization.profile.id);
    }

    try {
        AuditArchive archive(archivePath);
        LegbaClient client;
        if (auto refused = useConnection(organization, client))
            return fail(*refused);
        say(QStringLiteral("legba-admin: %1: syncing the audit archive %2 (%3 events)")
                .arg(name, archivePath, QString::number(archive.count())));
        const QString failure = sync(&client, &archive, name);
        client.clearKey();
        if (!failure.isEmpty()) {
            return fail(QStringLiteral("the audit log could not be read (GET /audit-log at "
                                       "%1): %2")
                            .arg(organization.profile.baseUrl.toDisplayString(), failure));
        }

        if (format == auditformat::Format::Csv)
            out->write(auditformat::csvHeader());
        ArchiveQuery query;
        query.limit = kReadPage;
        AuditArchiveExportReader reader(&archive, query, format);
        qint64 written = 0;
        std::string bytes;
        while (!reader.atEnd()) {
            bytes.clear();
            written += reader.readPage(bytes);
            if (out->write(bytes.data(), static_cast<qint64>(bytes.size())) !=
                static_cast<qint64>(bytes.size())) {
                return fail(QStringLiteral("cannot write %1: %2")
                                .arg(toStdout ? QStringLiteral("standard output") : target,
                                     out->errorString()));
            }
        }
        if (toStdout) {
            standardOutput.flush();
        } else if (!saveFile.commit()) {
            return fail(QStringLiteral("cannot write %1: %2").arg(target, saveFile.errorString()));
        }
        say(QStringLiteral("legba-admin: %1: exported %2 events to %3")
                .arg(name, QString::number(written),
                     toStdout ? QStringLiteral("standard output") : target));
    } catch (const ArchiveError& e) {
        return fail(QString::fromUtf8(e.what()));
    }
    return 0;
}

} // namespace legba
