// The leak scanner on a generated tree with planted keys: exact findings (valid checksum,
// wrong checksum, revoked, unknown, an opaque hosted-style token), nothing from binary,
// git-ignored or symlinked files unless asked, tokens across block borders, limits,
// cancel, and no key text anywhere in what it says or logs.

#include "KeyFormat.h"
#include "LeakScanner.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <mutex>

using namespace legba;

namespace {

QStringList g_messages;
std::mutex g_messagesMutex;
QtMessageHandler g_previous = nullptr;

void captureMessage(QtMsgType type, const QMessageLogContext& context, const QString& text) {
    {
        std::lock_guard lock(g_messagesMutex);
        g_messages << text;
    }
    if (g_previous)
        g_previous(type, context, text);
}

void write(const QString& path, const QByteArray& bytes) {
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    QVERIFY2(file.open(QIODevice::WriteOnly), qPrintable(path));
    file.write(bytes);
}

ApiKey record(const QString& id, const QString& name, const QString& prefix, KeyStatus status) {
    ApiKey key;
    key.keyId = id;
    key.name = name;
    key.prefix = prefix;
    key.scopes = {QStringLiteral("instances:read")};
    key.status = status;
    return key;
}

QByteArray withWrongChecksum(QByteArray key) {
    key[key.size() - 1] = key.back() == 'A' ? 'B' : 'A';
    return key;
}

// One finding as a line, to compare whole lists at once.
QString describe(const LeakFinding& f, const QString& root) {
    QStringList ids;
    for (const ApiKey& k : f.matches)
        ids << k.keyId;
    return QStringLiteral("%1:%2:%3 %4 %5 [%6] %7")
        .arg(QDir(root).relativeFilePath(f.file))
        .arg(f.line)
        .arg(f.column)
        .arg(f.kind == LeakFinding::Kind::Checksummed ? QStringLiteral("key")
                                                      : QStringLiteral("possible"),
             f.masked, ids.join(QLatin1Char(',')),
             f.live() ? QStringLiteral("live") : QStringLiteral("dead"));
}

QStringList describeAll(const LeakScanReport& report, const QString& root) {
    QStringList lines;
    for (const LeakFinding& f : report.findings)
        lines << describe(f, root);
    return lines;
}

QString masked(const QByteArray& key) {
    return QString::fromLatin1(key.first(12)) + QStringLiteral("...") +
           QString::fromLatin1(key.last(4));
}

} // namespace

class TestLeakScanner : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_tree;
    QByteArray m_active = keyformat::generate();
    QByteArray m_revoked = keyformat::generate();
    QByteArray m_unknown = keyformat::generate();
    QByteArray m_wrong = withWrongChecksum(keyformat::generate());
    QByteArray m_inBinary = keyformat::generate();
    QByteArray m_ignored = keyformat::generate();
    QByteArray m_behindLink = keyformat::generate();
    QByteArray m_hosted = "legba_sk_live_Qm9vYmFyQmF6MTIz";
    std::vector<ApiKey> m_keys;
    bool m_git = false;

    QList<QByteArray> allKeys() const {
        return {m_active,   m_revoked, m_unknown,    m_wrong,
                m_inBinary, m_ignored, m_behindLink, m_hosted};
    }

private Q_SLOTS:
    void initTestCase() {
        g_previous = qInstallMessageHandler(captureMessage);
        QVERIFY(m_dir.isValid());
        m_tree = m_dir.filePath(QStringLiteral("tree"));
        const QString outside = m_dir.filePath(QStringLiteral("outside"));
        m_keys = {
            record(QStringLiteral("key_active0000000001"), QStringLiteral("CI deploy"),
                   keyformat::displayPrefix(m_active), KeyStatus::Active),
            record(QStringLiteral("key_revoked000000001"), QStringLiteral("Old laptop"),
                   keyformat::displayPrefix(m_revoked), KeyStatus::Revoked),
            record(QStringLiteral("key_binary0000000001"), QStringLiteral("Binary"),
                   keyformat::displayPrefix(m_inBinary), KeyStatus::Active),
            record(QStringLiteral("key_ignored000000001"), QStringLiteral("Ignored"),
                   keyformat::displayPrefix(m_ignored), KeyStatus::Active),
            record(QStringLiteral("key_linked0000000001"), QStringLiteral("Linked"),
                   keyformat::displayPrefix(m_behindLink), KeyStatus::Active),
            record(QStringLiteral("key_hosted0000000001"), QStringLiteral("Hosted"),
                   keyformat::displayPrefix(m_hosted), KeyStatus::Active),
        };

        write(m_tree + QStringLiteral("/app.env"),
              "# deploy\nTOKEN=" + m_hosted + "\nNAME=legba_warnings_are_errors\n");
        write(m_tree + QStringLiteral("/src/config.txt"),
              "# config\n  token = " + m_active + "\nrevoked: " + m_revoked + "_old\n");
        write(m_tree + QStringLiteral("/src/notes.md"),
              "a\nb\nc\nd\n" + m_unknown + " is unknown\nwrong: " + m_wrong + "\n");
        write(m_tree + QStringLiteral("/data.bin"), QByteArray("\x7f"
                                                               "ELF\0\0\0",
                                                               7) +
                                                        m_inBinary);
        write(m_tree + QStringLiteral("/ignored.txt"), m_ignored + "\n");
        write(m_tree + QStringLiteral("/build/out.log"), "x " + m_ignored + "\n");
        write(outside + QStringLiteral("/secret.txt"), m_behindLink + "\n");
        QVERIFY(QFile::link(outside + QStringLiteral("/secret.txt"),
                            m_tree + QStringLiteral("/link.txt")));
        QVERIFY(QFile::link(outside, m_tree + QStringLiteral("/linkdir")));

        const QString git = QStandardPaths::findExecutable(QStringLiteral("git"));
        if (!git.isEmpty()) {
            write(m_tree + QStringLiteral("/.gitignore"), "ignored.txt\nbuild/\n");
            QProcess init;
            init.setWorkingDirectory(m_tree);
            init.start(git, {QStringLiteral("init"), QStringLiteral("-q")});
            QVERIFY(init.waitForFinished(30000));
            QCOMPARE(init.exitCode(), 0);
            m_git = true;
        }
    }

    void cleanupTestCase() { qInstallMessageHandler(g_previous); }

    void defaults_findExactlyTheLiveTextKeys() {
        if (!m_git)
            QSKIP("git is not installed: ignore rules cannot be checked");
        LeakScanOptions options;
        options.paths = {m_tree};
        const LeakScanReport report = scanForLeaks(options, m_keys);
        QCOMPARE(describeAll(report, m_tree),
                 QStringList({
                     QStringLiteral("app.env:2:7 possible ") + masked(m_hosted) +
                         QStringLiteral(" [key_hosted0000000001] live"),
                     QStringLiteral("src/config.txt:2:11 key ") + masked(m_active) +
                         QStringLiteral(" [key_active0000000001] live"),
                     QStringLiteral("src/config.txt:3:10 key ") + masked(m_revoked) +
                         QStringLiteral(" [key_revoked000000001] dead"),
                     QStringLiteral("src/notes.md:5:1 key ") + masked(m_unknown) +
                         QStringLiteral(" [] dead"),
                 }));
        QCOMPARE(report.wrongChecksums, 1);
        QCOMPARE(report.skippedBinary, 1);
        QCOMPARE(report.skippedIgnored, 2);
        QCOMPARE(report.skippedSymlinks, 2);
        QCOMPARE(report.filesScanned, 4); // app.env, config.txt, notes.md, .gitignore
        QVERIFY(report.anyLive());
        QVERIFY(!report.truncated);
        QVERIFY(!report.cancelled);
        QVERIFY(report.errors.isEmpty());
        QCOMPARE(report.findings[0].matchText(), QStringLiteral("key_hosted0000000001 (Hosted)"));
        QCOMPARE(report.findings[3].matchText(), QStringLiteral("unknown key"));
    }

    void asked_alsoScansBinaryAndIgnoredFiles_neverLinks() {
        LeakScanOptions options;
        options.paths = {m_tree};
        options.includeBinary = true;
        options.includeIgnored = true;
        const LeakScanReport report = scanForLeaks(options, m_keys);
        const QStringList lines = describeAll(report, m_tree);
        QCOMPARE(lines.size(), 7);
        QVERIFY(lines.contains(QStringLiteral("data.bin:1:8 key ") + masked(m_inBinary) +
                               QStringLiteral(" [key_binary0000000001] live")));
        QVERIFY(lines.contains(QStringLiteral("ignored.txt:1:1 key ") + masked(m_ignored) +
                               QStringLiteral(" [key_ignored000000001] live")));
        QVERIFY(lines.contains(QStringLiteral("build/out.log:1:3 key ") + masked(m_ignored) +
                               QStringLiteral(" [key_ignored000000001] live")));
        QCOMPARE(report.skippedSymlinks, 2);
        for (const QString& line : lines)
            QVERIFY2(!line.contains(QStringLiteral("key_linked")), qPrintable(line));
    }

    void aLinkNamedDirectly_isNotFollowed() {
        LeakScanOptions options;
        options.paths = {m_tree + QStringLiteral("/link.txt"), m_tree + QStringLiteral("/linkdir")};
        const LeakScanReport report = scanForLeaks(options, m_keys);
        QVERIFY(report.findings.empty());
        QCOMPARE(report.skippedSymlinks, 2);
        QCOMPARE(report.filesScanned, 0);
    }

    void withoutTheOrganizationsKeys_checksummedKeysAreStillFound() {
        LeakScanOptions options;
        options.paths = {m_tree + QStringLiteral("/src")};
        const LeakScanReport report = scanForLeaks(options, {});
        QCOMPARE(report.findings.size(), std::size_t{3});
        QVERIFY(!report.anyLive());
    }

    void aMissingPath_isAnErrorNamingIt() {
        LeakScanOptions options;
        options.paths = {m_dir.filePath(QStringLiteral("nowhere"))};
        const LeakScanReport report = scanForLeaks(options, m_keys);
        QCOMPARE(report.errors.size(), 1);
        QVERIFY(report.errors[0].contains(QStringLiteral("nowhere")));
        QVERIFY(report.errors[0].contains(QStringLiteral("no such file")));
    }

    void tokensAcrossBlockBorders_areFoundWithExactPositions() {
        QTemporaryDir dir;
        QByteArray text;
        QStringList expected;
        const QByteArray key = keyformat::generate();
        const std::vector<ApiKey> keys{record(QStringLiteral("key_border0000000001"),
                                              QStringLiteral("Border"),
                                              keyformat::displayPrefix(key), KeyStatus::Active)};
        qint64 line = 1;
        // Keys at every offset around the first borders of 1024-byte blocks.
        for (int i = 0; i < 300; ++i) {
            const QByteArray filler(i % 97, 'x');
            const qint64 column = filler.size() + 1;
            text += filler + key + (i % 3 == 0 ? "\n" : "\n\n");
            expected << QStringLiteral("f.txt:%1:%2").arg(line).arg(column);
            line += i % 3 == 0 ? 1 : 2;
        }
        write(dir.filePath(QStringLiteral("f.txt")), text);
        // One key far after the first block: the lines of the blocks gone by are counted.
        QByteArray far;
        for (int i = 0; i < 5000; ++i)
            far += "line " + QByteArray::number(i) + "\n";
        write(dir.filePath(QStringLiteral("g.txt")), far + "  " + key + "\nend\n" + key);
        expected << QStringLiteral("g.txt:5001:3") << QStringLiteral("g.txt:5003:1");
        for (const qsizetype block : {qsizetype{1024}, qsizetype{1500}, qsizetype{1 << 20}}) {
            LeakScanOptions options;
            options.paths = {dir.path()};
            options.blockBytes = block;
            options.includeIgnored = true;
            const LeakScanReport report = scanForLeaks(options, keys);
            QStringList found;
            for (const LeakFinding& f : report.findings)
                found << QStringLiteral("%1:%2:%3")
                             .arg(QDir(dir.path()).relativeFilePath(f.file))
                             .arg(f.line)
                             .arg(f.column);
            QCOMPARE(found, expected);
            QCOMPARE(report.bytesScanned, text.size() + far.size() + 2 + 2 * key.size() + 5);
        }
    }

    void limits_skipLargeFilesAndStopAtTheFileCount() {
        LeakScanOptions options;
        options.paths = {m_tree + QStringLiteral("/src")};
        options.maxFileBytes = 40;
        LeakScanReport report = scanForLeaks(options, m_keys);
        QCOMPARE(report.skippedLarge, 2);
        QVERIFY(report.findings.empty());

        options.maxFileBytes = 1 << 20;
        options.maxFiles = 1;
        report = scanForLeaks(options, m_keys);
        QVERIFY(report.truncated);
        QCOMPARE(report.filesScanned, 1);
    }

    void cancel_stopsBetweenFiles() {
        QTemporaryDir dir;
        for (int i = 0; i < 200; ++i)
            write(dir.filePath(QStringLiteral("f%1.txt").arg(i)), m_unknown + "\n");
        LeakScanOptions options;
        options.paths = {dir.path()};
        options.includeIgnored = true;
        std::atomic<bool> cancel{false};
        const LeakScanReport report =
            scanForLeaks(options, {}, &cancel, [&](const LeakScanProgress& p) {
                if (p.files >= 64)
                    cancel = true;
            });
        QVERIFY(report.cancelled);
        QCOMPARE(report.filesScanned, 64);
        QCOMPARE(report.findings.size(), std::size_t{64});
    }

    void worker_reportsProgressAndTheSameFindings() {
        LeakScanOptions options;
        options.paths = {m_tree};
        const LeakScanReport direct = scanForLeaks(options, m_keys);
        LeakScanner scanner;
        QSignalSpy progress(&scanner, &LeakScanner::progress);
        QSignalSpy finished(&scanner, &LeakScanner::finished);
        scanner.start(options, m_keys);
        QVERIFY(scanner.isRunning());
        QVERIFY(finished.wait(30000));
        QVERIFY(!scanner.isRunning());
        const auto report = finished.at(0).at(0).value<LeakScanReport>();
        QCOMPARE(describeAll(report, m_tree), describeAll(direct, m_tree));
        QVERIFY(!progress.isEmpty());
        const auto last = progress.last().at(0).value<LeakScanProgress>();
        QCOMPARE(last.files, last.totalFiles);
    }

    void worker_destroyedWhileRunning_stopsCleanly() {
        auto scanner = std::make_unique<LeakScanner>();
        LeakScanOptions options;
        options.paths = {m_tree};
        scanner->start(options, m_keys);
        scanner.reset(); // waits for the thread; nothing is delivered to the dead object
        QCoreApplication::processEvents();
    }

    // Last, so that every scan above has logged what it logs.
    void noKeyText_inFindingsOrLogs() {
        LeakScanOptions options;
        options.paths = {m_tree};
        options.includeBinary = true;
        options.includeIgnored = true;
        const LeakScanReport report = scanForLeaks(options, m_keys);
        QString said = describeAll(report, m_tree).join(QLatin1Char('\n'));
        for (const LeakFinding& f : report.findings)
            said += f.prefix + f.masked + f.matchText();
        said += report.errors.join(QLatin1Char('\n'));
        {
            std::lock_guard lock(g_messagesMutex);
            QVERIFY(!g_messages.isEmpty()); // the scans did log (counts)
            said += g_messages.join(QLatin1Char('\n'));
        }
        for (const QByteArray& key : allKeys()) {
            // Neither the key nor its hidden middle.
            const QString middle = QString::fromLatin1(key.mid(12, key.size() - 16));
            QVERIFY2(!said.contains(QString::fromLatin1(key)), "a whole key was said");
            QVERIFY2(!said.contains(middle), "a key's hidden part was said");
        }
    }
};

QTEST_GUILESS_MAIN(TestLeakScanner)
#include "tst_leakscanner.moc"
