// `legba-admin --export-audit` as a process, against a sandbox in this process: the file
// holds exactly the server's events, in the format of the Audit pane's export (compared
// with AuditExporter's file for the same events), never a key's text; exit status 2, with a
// message naming what was wrong, for an unknown profile, missing credentials, a refused
// key, a saved profile without a key in the keychain and an unwritable file.

#include "AdminProcess.h"
#include "AuditExport.h"
#include "AuditPageLoader.h"
#include "KeyFormat.h"
#include "LegbaClient.h"
#include "Profile.h"
#include "TestServer.h"
#include "Wait.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace legba;

namespace {

using Run = test::AdminRun;

QByteArray readAll(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestExportAuditCommand : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<test::TestServer> m_server;
    QTemporaryDir m_home;
    QTemporaryDir m_dir;
    QByteArray m_issued; // a key created (and revoked) while the log was written

    Run exportAudit(const QStringList& args, const QByteArray& token = QByteArray(),
                    bool withEnvironment = true) {
        return test::runAdmin(QStringLiteral(LEGBA_ADMIN_BINARY),
                              QStringList{QStringLiteral("--export-audit")} + args, m_home.path(),
                              withEnvironment ? m_server.get() : nullptr, token);
    }

    // The pane's export of the server's whole log, now.
    QByteArray paneExport(AuditExporter::Format format, const QString& name) {
        LegbaClient client;
        if (client.setEndpoint(m_server->endpoint()))
            return {};
        client.setKey(m_server->ownerKey());
        const QString path = m_dir.filePath(name);
        AuditExporter exporter(std::make_unique<AuditPageLoader>(&client), AuditQuery{}, QString(),
                               format, path);
        QSignalSpy finished(&exporter, &AuditExporter::finished);
        QString error;
        if (!exporter.start(&error))
            return {};
        if (!finished.wait(60000) || !finished.at(0).at(0).toBool())
            return {};
        return readAll(path);
    }

    void verifyNoKeyText(const QByteArray& bytes, const QList<QByteArray>& keys) {
        for (const QByteArray& key : keys)
            QVERIFY2(!bytes.contains(key.mid(12, key.size() - 16)),
                     "a key's hidden part was written");
    }

    // `mine`'s lines are the oldest of `pane`'s, which has after them (newer: first) only
    // the audit log's reads by the command and by the pane's export (GET /audit-log).
    void verifySameEvents(const QList<QByteArray>& mine, const QList<QByteArray>& pane,
                          int header) {
        QVERIFY2(mine.size() > 7, qPrintable(QString::number(mine.size())));
        QVERIFY(pane.size() > mine.size());
        for (int i = 0; i < header; ++i)
            QCOMPARE(mine[i], pane[i]);
        const int newer = static_cast<int>(pane.size() - mine.size());
        for (int i = header; i < mine.size(); ++i)
            QCOMPARE(mine[i], pane[i + newer]);
        for (int i = header; i < header + newer; ++i)
            QVERIFY2(pane[i].contains("audit-log"), pane[i].constData());
    }

private Q_SLOTS:
    void initTestCase() {
        m_server = std::make_unique<test::TestServer>();
        QVERIFY2(m_server->ok(), qPrintable(m_server->error()));
        LegbaClient client;
        QVERIFY(!client.setEndpoint(m_server->endpoint()));
        client.setKey(m_server->ownerKey());
        // Traffic for the log: keys created (one with a name a spreadsheet would run) and
        // revoked, and a refusal.
        for (const QString& name : {QStringLiteral("=SUM(A1)"), QStringLiteral("ci, \"deploy\""),
                                    QStringLiteral("reader")}) {
            NewKeyRequest request{name, {QStringLiteral("instances:read")}, {}};
            auto issued = test::await<Result<IssuedKey>>(
                [&](auto done) { client.createKey(request, this, done); });
            QVERIFY(issued && issued->ok());
            m_issued = issued->value().secret.reveal();
            auto revoked = test::await<Result<Done>>(
                [&](auto done) { client.revokeKey(issued->value().record.keyId, this, done); });
            QVERIFY(revoked && revoked->ok());
        }
        LegbaClient stranger;
        QVERIFY(!stranger.setEndpoint(m_server->endpoint()));
        stranger.setKey(Secret(keyformat::generate()));
        auto refused =
            test::await<Result<KeyList>>([&](auto done) { stranger.listKeys(true, this, done); });
        QVERIFY(refused && !refused->ok());
    }

    void jsonLines_theServersEventsInThePanesFormat() {
        const QString path = m_dir.filePath(QStringLiteral("log.jsonl"));
        const Run run = exportAudit({QStringLiteral("env"), path});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY2(run.err.contains(QStringLiteral("exported")), qPrintable(run.err));
        const QByteArray mine = readAll(path);
        const QByteArray pane =
            paneExport(AuditExporter::Format::JsonLines, QStringLiteral("pane.jsonl"));
        QVERIFY(!pane.isEmpty());
        verifySameEvents(mine.split('\n'), pane.split('\n'), 0);
        for (const QByteArray& line : mine.trimmed().split('\n'))
            QVERIFY2(QJsonDocument::fromJson(line).isObject(), line.constData());
        verifyNoKeyText(mine + run.err.toUtf8(), {m_server->ownerKey().reveal(), m_issued});
    }

    void csv_theServersEventsInThePanesFormat() {
        const QString path = m_dir.filePath(QStringLiteral("log.csv"));
        const Run run = exportAudit({QStringLiteral("env"), path});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QByteArray mine = readAll(path);
        QVERIFY(mine.startsWith(AuditExporter::csvHeader()));
        const QByteArray pane = paneExport(AuditExporter::Format::Csv, QStringLiteral("pane.csv"));
        QVERIFY(!pane.isEmpty());
        verifySameEvents(mine.split('\n'), pane.split('\n'), 1);
        verifyNoKeyText(mine + run.err.toUtf8(), {m_server->ownerKey().reveal(), m_issued});
    }

    void dash_jsonLinesOnStandardOutput() {
        const Run run = exportAudit({QStringLiteral("env"), QStringLiteral("-")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QList<QByteArray> lines = run.out.trimmed().split('\n');
        QVERIFY(lines.size() >= 7);
        for (const QByteArray& line : lines)
            QVERIFY2(QJsonDocument::fromJson(line).isObject(), line.constData());
        verifyNoKeyText(run.out + run.err.toUtf8(), {m_server->ownerKey().reveal(), m_issued});
    }

    void unknownProfile_exitsTwoNamingIt() {
        const Run run =
            exportAudit({QStringLiteral("nowhere"), m_dir.filePath(QStringLiteral("x.jsonl"))});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("no profile named \"nowhere\"")),
                 qPrintable(run.err));
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("x.jsonl"))));
    }

    void savedProfileWithoutKey_exitsTwoNamingIt() {
        {
            // The settings file the command reads (XDG_CONFIG_HOME/Legba/Legba Admin.conf).
            QSettings settings(m_home.filePath(QStringLiteral("config/Legba/Legba Admin.conf")),
                               QSettings::IniFormat);
            ProfileStore profiles(&settings);
            Profile profile;
            profile.displayName = QStringLiteral("Keyless org");
            profile.baseUrl = m_server->baseUrl();
            profile.orgUuid = m_server->orgUuid();
            profiles.save(profile);
        }
        const QString path = m_dir.filePath(QStringLiteral("keyless.jsonl"));
        const Run run = exportAudit({QStringLiteral("Keyless org"), path}, {}, false);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("no key for \"Keyless org\"")),
                 qPrintable(run.err));
        QVERIFY(!QFile::exists(path));
    }

    void noCredentials_exitsTwoSayingWhatIsMissing() {
        const Run run = exportAudit(
            {QStringLiteral("env"), m_dir.filePath(QStringLiteral("y.jsonl"))}, {}, false);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("LEGBA_API_TOKEN")), qPrintable(run.err));
    }

    void refusedKey_exitsTwoNamingTheRequest_noFile() {
        const QByteArray stranger = keyformat::generate();
        const QString path = m_dir.filePath(QStringLiteral("refused.csv"));
        const Run run = exportAudit({QStringLiteral("env"), path}, stranger);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("GET /audit-log")), qPrintable(run.err));
        QVERIFY(!QFile::exists(path));
        verifyNoKeyText(run.out + run.err.toUtf8(), {stranger});
    }

    void unwritableFile_exitsTwoNamingIt() {
        const QString path = m_dir.filePath(QStringLiteral("no/such/folder/log.csv"));
        const Run run = exportAudit({QStringLiteral("env"), path});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("cannot write ") + path), qPrintable(run.err));
    }

    void missingFile_exitsTwoWithUsage() {
        const Run run = exportAudit({QStringLiteral("env")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("Usage")), qPrintable(run.err));
    }
};

QTEST_GUILESS_MAIN(TestExportAuditCommand)
#include "tst_exportauditcommand.moc"
