// `legba-admin --scan` as a process, against a sandbox in this process: exit status 1 for an
// active key of the organization, 0 for nothing live (a revoked key, an unknown key, a
// wrong checksum), 2 for a bad path, missing credentials or a refusal; never a key's text
// in what it prints.

#include "AdminProcess.h"
#include "KeyFormat.h"
#include "LegbaClient.h"
#include "TestServer.h"
#include "Wait.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace legba;

namespace {

struct Run {
    int exitCode = -1;
    QString out;
    QString err;
};

void write(const QString& path, const QByteArray& bytes) {
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(bytes);
}

} // namespace

class TestScanCommand : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<test::TestServer> m_server;
    QTemporaryDir m_home;
    QTemporaryDir m_dir;
    QByteArray m_revoked;
    QString m_revokedId;

    Run scan(const QStringList& args, bool withEnvironment = true,
             const QByteArray& token = QByteArray()) {
        const test::AdminRun run = test::runAdmin(
            QStringLiteral(LEGBA_ADMIN_BINARY), QStringList{QStringLiteral("--scan")} + args,
            m_home.path(), withEnvironment ? m_server.get() : nullptr, token);
        return {run.exitCode, QString::fromLocal8Bit(run.out), run.err};
    }

    void verifyNoKeyText(const Run& run, const QList<QByteArray>& keys) {
        for (const QByteArray& key : keys) {
            const QString middle = QString::fromLatin1(key.mid(12, key.size() - 16));
            QVERIFY2(!run.out.contains(middle) && !run.err.contains(middle),
                     "a key's hidden part was printed");
        }
    }

private Q_SLOTS:
    void initTestCase() {
        m_server = std::make_unique<test::TestServer>();
        QVERIFY2(m_server->ok(), qPrintable(m_server->error()));
        LegbaClient client;
        QVERIFY(!client.setEndpoint(m_server->endpoint()));
        client.setKey(m_server->ownerKey());
        NewKeyRequest request{
            QStringLiteral("leaked once"), {QStringLiteral("instances:read")}, {}};
        auto issued = test::await<Result<IssuedKey>>(
            [&](auto done) { client.createKey(request, this, done); });
        QVERIFY(issued && issued->ok());
        m_revoked = issued->value().secret.reveal();
        m_revokedId = issued->value().record.keyId;
        auto revoked = test::await<Result<Done>>(
            [&](auto done) { client.revokeKey(m_revokedId, this, done); });
        QVERIFY(revoked && revoked->ok());
    }

    void activeKey_exitsOne() {
        const QByteArray owner = m_server->ownerKey().reveal();
        write(m_dir.filePath(QStringLiteral("live/deploy.sh")), "export T=" + owner + "\n");
        const Run run = scan({m_dir.filePath(QStringLiteral("live"))});
        QCOMPARE(run.exitCode, 1);
        const QStringList lines = run.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 1);
        QVERIFY2(lines[0].startsWith(m_dir.filePath(QStringLiteral("live/deploy.sh:1:10: ")) +
                                     QString::fromLatin1(owner.first(12)) + QStringLiteral("...") +
                                     QString::fromLatin1(owner.last(4))),
                 qPrintable(lines[0]));
        QVERIFY2(lines[0].contains(m_server->ownerKeyId()), qPrintable(lines[0]));
        QVERIFY2(lines[0].contains(QStringLiteral("(active)")), qPrintable(lines[0]));
        verifyNoKeyText(run, {owner});
    }

    void revokedUnknownAndWrongChecksum_exitZero() {
        QByteArray wrong = keyformat::generate();
        wrong[wrong.size() - 1] = wrong.back() == 'A' ? 'B' : 'A';
        const QByteArray unknown = keyformat::generate();
        write(m_dir.filePath(QStringLiteral("dead/a.txt")),
              m_revoked + "\n" + unknown + "\n" + wrong + "\n");
        const Run run = scan({m_dir.filePath(QStringLiteral("dead"))});
        QCOMPARE(run.exitCode, 0);
        const QStringList lines = run.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 2);
        QVERIFY2(lines[0].contains(m_revokedId) && lines[0].contains(QStringLiteral("(revoked)")),
                 qPrintable(lines[0]));
        QVERIFY2(lines[1].contains(QStringLiteral("no key of this organization")),
                 qPrintable(lines[1]));
        verifyNoKeyText(run, {m_revoked, unknown, wrong});
    }

    void binaryFile_skippedUnlessAsked() {
        const QByteArray owner = m_server->ownerKey().reveal();
        write(m_dir.filePath(QStringLiteral("bin/blob")), QByteArray("\0\0\0", 3) + owner);
        Run run = scan({m_dir.filePath(QStringLiteral("bin"))});
        QCOMPARE(run.exitCode, 0);
        QVERIFY(run.out.isEmpty());
        QVERIFY2(run.err.contains(QStringLiteral("1 binary")), qPrintable(run.err));
        run = scan({QStringLiteral("--include-binary"), m_dir.filePath(QStringLiteral("bin"))});
        QCOMPARE(run.exitCode, 1);
        verifyNoKeyText(run, {owner});
    }

    void badPath_exitsTwoNamingIt() {
        const Run run = scan({m_dir.filePath(QStringLiteral("missing"))});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("missing: no such file or directory")),
                 qPrintable(run.err));
    }

    void noPath_exitsTwo() {
        const Run run = scan({});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("at least one file or folder")),
                 qPrintable(run.err));
    }

    void noCredentials_exitsTwoSayingWhatIsMissing() {
        const Run run = scan({m_dir.path()}, false);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("LEGBA_API_TOKEN")), qPrintable(run.err));
    }

    void refusedKey_exitsTwoNamingTheRequest() {
        const QByteArray stranger = keyformat::generate();
        const Run run = scan({m_dir.path()}, true, stranger);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("GET /keys")), qPrintable(run.err));
        verifyNoKeyText(run, {stranger});
    }
};

QTEST_GUILESS_MAIN(TestScanCommand)
#include "tst_scancommand.moc"
