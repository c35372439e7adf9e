// legba-server as a process: the command line of the contract, clean stops on SIGINT and
// SIGTERM, acknowledged writes that survive SIGKILL, no issued key ever in the data dir,
// key recovery from the command line, seed-demo, and HTTPS.

#include "Harness.h"
#include "KeyFormat.h"

#include <QDirIterator>
#include <QFile>
#include <QProcess>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTest>
#include <csignal>

using namespace legba::servertest;

namespace {

const QString kBinary = QStringLiteral(LEGBA_SERVER_BINARY);

struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run run(const QStringList& args) {
    QProcess p;
    p.start(kBinary, args);
    if (!p.waitForFinished(60000))
        p.kill();
    return {p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
}

Json initOrg(const QString& dataDir, const QString& name = QStringLiteral("Acme")) {
    const Run r = run({QStringLiteral("init"), QStringLiteral("--data-dir"), dataDir,
                       QStringLiteral("--org-name"), name, QStringLiteral("--json")});
    if (r.exitCode != 0)
        qFatal("init failed: %s", r.err.constData());
    return Json::parse(r.out.toStdString());
}

// `legba-server serve` as a child process on a free port.
class Served {
public:
    Served(const QString& dataDir, const QStringList& extra = {}) {
        m_process.start(kBinary,
                        QStringList{QStringLiteral("serve"), QStringLiteral("--data-dir"), dataDir,
                                    QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")} +
                            extra);
        QElapsedTimer t;
        t.start();
        while (!m_process.canReadLine() && t.elapsed() < 10000)
            m_process.waitForReadyRead(100);
        firstLine = m_process.readLine().trimmed();
        const QByteArray prefix = "listening on ";
        if (firstLine.startsWith(prefix))
            url = QUrl(QString::fromLatin1(firstLine.mid(prefix.size())));
    }
    ~Served() {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }
    void signal(int sig) {
        // processId() is 0 once the process is gone, and kill(0) would signal our own group.
        if (const qint64 pid = m_process.processId(); pid > 0)
            ::kill(static_cast<pid_t>(pid), sig);
    }
    bool waitForExit(int ms = 10000) { return m_process.waitForFinished(ms); }
    QProcess& process() { return m_process; }

    QByteArray firstLine;
    QUrl url;

private:
    QProcess m_process;
};

// One access manager for the test, owned by the application so that it goes first.
QNetworkAccessManager& nam() {
    static QNetworkAccessManager* instance =
        new QNetworkAccessManager(QCoreApplication::instance());
    return *instance;
}

// Synchronous HTTP for a server in another process.
Reply http(const QByteArray& method, const QUrl& url, const QByteArray& key,
           const QByteArray& body = {}, const QSslConfiguration* tls = nullptr) {
    QNetworkRequest request(url);
    request.setTransferTimeout(10000);
    if (!key.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + key);
    if (!body.isEmpty())
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
    if (tls)
        request.setSslConfiguration(*tls);
    QNetworkReply* reply = nam().sendCustomRequest(request, method, body);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    if (!reply->isFinished())
        loop.exec();
    Reply out;
    out.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    out.body = reply->readAll();
    out.headers = reply->rawHeaderPairs();
    out.error = reply->error();
    reply->deleteLater();
    return out;
}

QUrl at(const QUrl& base, const QString& org, const QString& path) {
    return QUrl(base.toString() + QStringLiteral("/orgs/") + org + QStringLiteral("/api") + path);
}

QByteArray field(const Json& j, const char* name) {
    return QByteArray::fromStdString(j.value(name, std::string()));
}

// Every file under dir (WAL and shared memory included) read as bytes.
QStringList filesContaining(const QString& dir, const QByteArray& needle) {
    QStringList hits;
    QDirIterator it(dir, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile f(path);
        if (f.open(QIODevice::ReadOnly) && f.readAll().contains(needle))
            hits << path;
    }
    return hits;
}

} // namespace

class ServerCliTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void versionAndHelpWork() {
        const Run version = run({QStringLiteral("--version")});
        QCOMPARE(version.exitCode, 0);
        QCOMPARE(version.out, QByteArray("legba-server " LEGBA_VERSION "\n"));
        const Run help = run({QStringLiteral("--help")});
        QCOMPARE(help.exitCode, 0);
        for (const char* word :
             {"init", "serve", "--data-dir", "--listen", "keys list", "keys create", "keys revoke",
              "audit verify", "seed-demo", "--tls-cert", "--hosted-shape"})
            QVERIFY2(help.out.contains(word), word);
        const Run unknown = run({QStringLiteral("frobnicate")});
        QCOMPARE(unknown.exitCode, 2);
        QVERIFY(unknown.err.contains("frobnicate"));
        const Run missing = run({QStringLiteral("init")});
        QCOMPARE(missing.exitCode, 2);
        QVERIFY(missing.err.contains("--data-dir"));
    }

    void optionsAreReadInEitherSpellingAndMistakesAreNamed() {
        QTemporaryDir dir;
        // --name=value reads as --name value.
        const Run joined = run({QStringLiteral("init"), QStringLiteral("--data-dir=") + dir.path(),
                                QStringLiteral("--org-name=Joined"), QStringLiteral("--json")});
        QCOMPARE(joined.exitCode, 0);
        QVERIFY(!field(Json::parse(joined.out.toStdString()), "org_uuid").isEmpty());
        // An unknown option, a value missing at the end, a value given to a flag and a stray
        // argument are usage errors (exit 2) that name what was wrong.
        const struct {
            QStringList args;
            const char* named;
        } mistakes[] = {
            {{QStringLiteral("init"), QStringLiteral("--data-dir"), dir.path(),
              QStringLiteral("--frobnicate")},
             "frobnicate"},
            {{QStringLiteral("init"), QStringLiteral("--json"), QStringLiteral("--data-dir")},
             "data-dir"},
            {{QStringLiteral("init"), QStringLiteral("--data-dir"), dir.path(),
              QStringLiteral("--json=yes")},
             "json"},
            {{QStringLiteral("init"), QStringLiteral("--data-dir"), dir.path(),
              QStringLiteral("stray")},
             "stray"},
        };
        for (const auto& mistake : mistakes) {
            const Run r = run(mistake.args);
            QCOMPARE(r.exitCode, 2);
            QVERIFY2(r.err.contains(mistake.named), r.err.constData());
            QVERIFY2(r.err.contains("--help"), r.err.constData());
        }
    }

    void initJsonPrintsOneLineAndAddsAnOrganizationEachRun() {
        QTemporaryDir dir;
        const Run r = run({QStringLiteral("init"), QStringLiteral("--data-dir"), dir.path(),
                           QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out.count('\n'), 1);
        const Json j = Json::parse(r.out.toStdString());
        QCOMPARE(j.size(), 3u);
        QVERIFY(legba::keyformat::isWellFormed(field(j, "key")));
        QVERIFY(legba::keyformat::isKeyId(QString::fromLatin1(field(j, "key_id"))));
        QVERIFY(!QUuid::fromString(QString::fromLatin1(field(j, "org_uuid"))).isNull());
        const Json second = initOrg(dir.path(), QStringLiteral("Second"));
        QVERIFY(field(second, "org_uuid") != field(j, "org_uuid"));
        const Run text = run({QStringLiteral("init"), QStringLiteral("--data-dir"), dir.path()});
        QCOMPARE(text.exitCode, 0);
        QVERIFY(text.out.contains("legba_"));
    }

    void serveListensPrintsTheUrlFirstAndStopsCleanlyOnSignals_data() {
        QTest::addColumn<int>("sig");
        QTest::newRow("SIGTERM") << int(SIGTERM);
        QTest::newRow("SIGINT") << int(SIGINT);
    }

    void serveListensPrintsTheUrlFirstAndStopsCleanlyOnSignals() {
        QFETCH(int, sig);
        QTemporaryDir dir;
        const Json org = initOrg(dir.path());
        Served s(dir.path());
        QVERIFY2(s.firstLine.startsWith("listening on http://127.0.0.1:"), s.firstLine.constData());
        QVERIFY(s.url.port() > 0);
        QCOMPARE(http("GET", QUrl(s.url.toString() + QStringLiteral("/healthz")), {}).status, 200);
        QCOMPARE(
            http("GET",
                 at(s.url, QString::fromLatin1(field(org, "org_uuid")), QStringLiteral("/key")),
                 field(org, "key"))
                .status,
            200);
        s.signal(sig);
        QVERIFY(s.waitForExit());
        QCOMPARE(s.process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(s.process().exitCode(), 0);
    }

    void initAndServeInTheHostedShapeRehearseTheDocs() {
        QTemporaryDir dir;
        const Run init = run({QStringLiteral("init"), QStringLiteral("--data-dir"), dir.path(),
                              QStringLiteral("--hosted-shape"), QStringLiteral("--json")});
        QCOMPARE(init.exitCode, 0);
        const Json org = Json::parse(init.out.toStdString());
        const QByteArray key = field(org, "key");
        QVERIFY(key.startsWith("legba_sk_"));
        QVERIFY(!legba::keyformat::isWellFormed(key));
        const QString orgUuid = QString::fromLatin1(field(org, "org_uuid"));

        Served s(dir.path(), {QStringLiteral("--hosted-shape")});
        QVERIFY2(s.firstLine.startsWith("listening on http://127.0.0.1:"), s.firstLine.constData());
        QByteArray err;
        QTRY_VERIFY_WITH_TIMEOUT(
            (err += s.process().readAllStandardError()).contains("hosted shape"), 10000);
        const Reply own = http("GET", at(s.url, orgUuid, QStringLiteral("/key")), key);
        QCOMPARE(own.status, 200);
        QCOMPARE(own.json().size(), 5u);
        QCOMPARE(field(own.json(), "key_id"), field(org, "key_id"));
        const Reply health = http("GET", QUrl(s.url.toString() + QStringLiteral("/healthz")), {});
        QCOMPARE(health.status, 404);
        QCOMPARE(health.body, QByteArray("404 page not found\n"));
        s.signal(SIGTERM);
        QVERIFY(s.waitForExit());
        QCOMPARE(s.process().exitCode(), 0);
    }

    void serveRefusesABadListenAddress() {
        QTemporaryDir dir;
        const Run r = run({QStringLiteral("serve"), QStringLiteral("--data-dir"), dir.path(),
                           QStringLiteral("--listen"), QStringLiteral("nowhere")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("--listen"));
    }

    void acknowledgedWritesSurviveSigkill() {
        QTemporaryDir dir;
        const Json org = initOrg(dir.path());
        const QString orgUuid = QString::fromLatin1(field(org, "org_uuid"));
        const QByteArray owner = field(org, "key");
        QStringList keyIds;
        QStringList instances;
        QString revokedId;
        {
            Served s(dir.path());
            QVERIFY(s.url.isValid());
            for (int i = 0; i < 20; ++i) {
                const Reply r = http(
                    "POST", at(s.url, orgUuid, QStringLiteral("/keys")), owner,
                    QByteArray::fromStdString(
                        Json{{"name", "k" + std::to_string(i)}, {"scopes", {"keys:read"}}}.dump()));
                QCOMPARE(r.status, 201);
                keyIds << QString::fromLatin1(field(r.json(), "key_id"));
            }
            for (int i = 0; i < 5; ++i) {
                const Reply r = http("POST", at(s.url, orgUuid, QStringLiteral("/instances")),
                                     owner, "{\"image\":\"ubuntu-22.04\",\"size\":\"small\"}");
                QCOMPARE(r.status, 201);
                instances << QString::fromLatin1(field(r.json(), "instance_uuid"));
            }
            revokedId = keyIds.takeLast();
            QCOMPARE(http("DELETE", at(s.url, orgUuid, QStringLiteral("/keys/") + revokedId), owner)
                         .status,
                     204);
            s.signal(SIGKILL);
            QVERIFY(s.waitForExit());
            QCOMPARE(s.process().exitStatus(), QProcess::CrashExit);
        }
        Served s(dir.path());
        QVERIFY(s.url.isValid());
        const Reply keys =
            http("GET", at(s.url, orgUuid, QStringLiteral("/keys?include_revoked=true")), owner);
        QCOMPARE(keys.status, 200);
        QStringList found;
        const Json keysJson = keys.json();
        for (const Json& k : keysJson["keys"]) {
            found << QString::fromStdString(k["key_id"].get<std::string>());
            if (k["key_id"].get<std::string>() == revokedId.toStdString())
                QCOMPARE(k["status"].get<std::string>(), std::string("revoked"));
        }
        for (const QString& id : keyIds)
            QVERIFY2(found.contains(id), qPrintable(id));
        QVERIFY(found.contains(revokedId));
        const Reply list = http("GET", at(s.url, orgUuid, QStringLiteral("/instances")), owner);
        QCOMPARE(list.json()["total"].get<int>(), 5);
        const Reply log = http(
            "GET", at(s.url, orgUuid, QStringLiteral("/audit-log?action=instance.created")), owner);
        QCOMPARE(log.json()["events"].size(), 5u);
        s.signal(SIGTERM);
        QVERIFY(s.waitForExit());
        const Run verify = run({QStringLiteral("audit"), QStringLiteral("verify"),
                                QStringLiteral("--data-dir"), dir.path()});
        QCOMPARE(verify.exitCode, 0);
    }

    void dataDirNeverContainsAnIssuedKey() {
        QTemporaryDir dir;
        const Json org = initOrg(dir.path());
        const QString orgUuid = QString::fromLatin1(field(org, "org_uuid"));
        QList<QByteArray> issued{field(org, "key")};
        const Run cli = run({QStringLiteral("keys"), QStringLiteral("create"),
                             QStringLiteral("--data-dir"), dir.path(), QStringLiteral("--name"),
                             QStringLiteral("recovery"), QStringLiteral("--json")});
        QCOMPARE(cli.exitCode, 0);
        issued << field(Json::parse(cli.out.toStdString()), "key");
        Served s(dir.path());
        for (int i = 0; i < 5; ++i) {
            const Reply r =
                http("POST", at(s.url, orgUuid, QStringLiteral("/keys")), issued.front(),
                     "{\"name\":\"n\",\"scopes\":[\"instances:read\"]}");
            issued << field(r.json(), "key");
            const Reply rot =
                http("POST",
                     at(s.url, orgUuid,
                        QStringLiteral("/keys/") + QString::fromLatin1(field(r.json(), "key_id")) +
                            QStringLiteral("/rotate")),
                     issued.front(), "{\"grace_period_seconds\":60}");
            issued << field(rot.json(), "key");
            // Failed attempts with real keys against another path are audited too.
            http("GET",
                 at(s.url, QStringLiteral("00000000-0000-4000-8000-000000000000"),
                    QStringLiteral("/key")),
                 issued.back());
            http("GET", at(s.url, orgUuid, QStringLiteral("/key")), issued.back() + "x");
        }
        const Reply own =
            http("POST", at(s.url, orgUuid, QStringLiteral("/key/rotate")), issued.back());
        issued << field(own.json(), "key");
        QTest::qWait(100);
        // While running (the WAL holds recent writes) and after a hard kill.
        for (int pass = 0; pass < 2; ++pass) {
            for (const QByteArray& key : issued) {
                QVERIFY(legba::keyformat::isWellFormed(key));
                // The secret part never appears; only the 12-character prefix may.
                QVERIFY2(filesContaining(dir.path(), key).isEmpty(), key.first(12).constData());
                QVERIFY(filesContaining(dir.path(), key.mid(12)).isEmpty());
                QVERIFY(filesContaining(dir.path(), key.mid(12).toBase64()).isEmpty());
            }
            if (pass == 0) {
                s.signal(SIGKILL);
                s.waitForExit();
            }
        }
    }

    void keysCommandsRecoverAnOrganizationWithoutTheApi() {
        QTemporaryDir dir;
        const Json org = initOrg(dir.path());
        const QString orgUuid = QString::fromLatin1(field(org, "org_uuid"));
        const Run created = run({QStringLiteral("keys"), QStringLiteral("create"),
                                 QStringLiteral("--data-dir"), dir.path(), QStringLiteral("--name"),
                                 QStringLiteral("Break glass"), QStringLiteral("--scopes"),
                                 QStringLiteral("keys:read,keys:write"), QStringLiteral("--json")});
        QCOMPARE(created.exitCode, 0);
        const Json c = Json::parse(created.out.toStdString());
        const QByteArray key = field(c, "key");
        const QString keyId = QString::fromLatin1(field(c, "key_id"));
        const Run listed = run({QStringLiteral("keys"), QStringLiteral("list"),
                                QStringLiteral("--data-dir"), dir.path()});
        QCOMPARE(listed.exitCode, 0);
        QVERIFY(listed.out.contains(keyId.toLatin1()));
        QVERIFY(listed.out.contains("Break glass"));
        QVERIFY(!listed.out.contains(key));
        {
            Served s(dir.path());
            QCOMPARE(http("GET", at(s.url, orgUuid, QStringLiteral("/keys")), key).status, 200);
            QCOMPARE(http("GET", at(s.url, orgUuid, QStringLiteral("/instances")), key).status,
                     403);
            // Revoking from the command line while the server runs takes effect at once.
            const Run revoked = run({QStringLiteral("keys"), QStringLiteral("revoke"),
                                     QStringLiteral("--data-dir"), dir.path(), keyId});
            QCOMPARE(revoked.exitCode, 0);
            QCOMPARE(http("GET", at(s.url, orgUuid, QStringLiteral("/keys")), key).status, 401);
        }
        const Run unknown =
            run({QStringLiteral("keys"), QStringLiteral("revoke"), QStringLiteral("--data-dir"),
                 dir.path(), QStringLiteral("key_0000000000000000")});
        QCOMPARE(unknown.exitCode, 1);
        const Run badScope =
            run({QStringLiteral("keys"), QStringLiteral("create"), QStringLiteral("--data-dir"),
                 dir.path(), QStringLiteral("--name"), QStringLiteral("x"),
                 QStringLiteral("--scopes"), QStringLiteral("root")});
        QCOMPARE(badScope.exitCode, 2);
        QVERIFY(badScope.err.contains("root"));
        // With two organizations, --org is needed.
        initOrg(dir.path(), QStringLiteral("Second"));
        const Run ambiguous = run({QStringLiteral("keys"), QStringLiteral("list"),
                                   QStringLiteral("--data-dir"), dir.path()});
        QCOMPARE(ambiguous.exitCode, 2);
        QVERIFY(ambiguous.err.contains("--org"));
        QCOMPARE(run({QStringLiteral("keys"), QStringLiteral("list"), QStringLiteral("--data-dir"),
                      dir.path(), QStringLiteral("--org"), orgUuid})
                     .exitCode,
                 0);
    }

    void seedDemoFillsAnOrganizationWithAVerifiableLog() {
        QTemporaryDir dir;
        const Run seeded =
            run({QStringLiteral("seed-demo"), QStringLiteral("--data-dir"), dir.path(),
                 QStringLiteral("--events"), QStringLiteral("2500"), QStringLiteral("--json")});
        QCOMPARE(seeded.exitCode, 0);
        const Json org = Json::parse(seeded.out.split('\n').front().toStdString());
        const QString orgUuid = QString::fromLatin1(field(org, "org_uuid"));
        Served s(dir.path());
        const Reply keys =
            http("GET", at(s.url, orgUuid, QStringLiteral("/keys?include_revoked=true")),
                 field(org, "key"));
        QVERIFY(keys.json()["total"].get<int>() >= 7);
        QCOMPARE(http("GET", at(s.url, orgUuid, QStringLiteral("/instances")), field(org, "key"))
                     .json()["total"]
                     .get<int>(),
                 4);
        int total = 0;
        QString cursor;
        do {
            QString path = QStringLiteral("/audit-log?limit=1000");
            if (!cursor.isEmpty())
                path += QStringLiteral("&cursor=") + cursor;
            const Reply page = http("GET", at(s.url, orgUuid, path), field(org, "key"));
            QCOMPARE(page.status, 200);
            const Json j = page.json();
            total += static_cast<int>(j["events"].size());
            cursor = j["next_cursor"].is_null()
                         ? QString()
                         : QString::fromStdString(j["next_cursor"].get<std::string>());
        } while (!cursor.isEmpty());
        QVERIFY(total >= 2500);
        s.signal(SIGTERM);
        s.waitForExit();
        QCOMPARE(run({QStringLiteral("audit"), QStringLiteral("verify"),
                      QStringLiteral("--data-dir"), dir.path()})
                     .exitCode,
                 0);
    }

    void anchorKeyIsMadeOutsideTheDataDirAndVerifyNeedsIt() {
        QTemporaryDir dir;
        QTemporaryDir keys;
        const QString key = keys.filePath(QStringLiteral("anchor.key"));
        const Run init = run({QStringLiteral("init"), QStringLiteral("--data-dir"), dir.path(),
                              QStringLiteral("--anchor-key"), key});
        QCOMPARE(init.exitCode, 0);
        QVERIFY(QFile::exists(key));
        QCOMPARE(QFile::permissions(key) & (QFile::ReadGroup | QFile::ReadOther),
                 QFile::Permissions());
        const Run verified =
            run({QStringLiteral("audit"), QStringLiteral("verify"), QStringLiteral("--data-dir"),
                 dir.path(), QStringLiteral("--anchor-key"), key});
        QCOMPARE(verified.exitCode, 0);
        QVERIFY2(verified.out.contains("head anchored"), verified.out.constData());
        // verify never makes a key: without the right one it says which file it looked for.
        const QString missing = keys.filePath(QStringLiteral("missing.key"));
        const Run noKey =
            run({QStringLiteral("audit"), QStringLiteral("verify"), QStringLiteral("--data-dir"),
                 dir.path(), QStringLiteral("--anchor-key"), missing});
        QCOMPARE(noKey.exitCode, 1);
        const QByteArray named = "no audit anchor key at " + missing.toUtf8();
        QVERIFY2(noKey.err.contains(named), noKey.err.constData());
        QVERIFY(!QFile::exists(missing));
    }

    void servesHttpsWithTheGivenCertificate() {
        QTemporaryDir dir;
        const QString cert = dir.filePath(QStringLiteral("cert.pem"));
        const QString key = dir.filePath(QStringLiteral("key.pem"));
        QProcess openssl;
        openssl.start(QStringLiteral("openssl"),
                      {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                       QStringLiteral("rsa:2048"), QStringLiteral("-nodes"),
                       QStringLiteral("-days"), QStringLiteral("1"), QStringLiteral("-subj"),
                       QStringLiteral("/CN=127.0.0.1"), QStringLiteral("-addext"),
                       QStringLiteral("subjectAltName=IP:127.0.0.1"), QStringLiteral("-keyout"),
                       key, QStringLiteral("-out"), cert});
        if (!openssl.waitForFinished(30000) || openssl.exitCode() != 0)
            QSKIP("openssl is not available to make a test certificate");
        const QString data = dir.filePath(QStringLiteral("data"));
        const Json org = initOrg(data);
        Served s(data, {QStringLiteral("--tls-cert"), cert, QStringLiteral("--tls-key"), key});
        QVERIFY2(s.firstLine.startsWith("listening on https://127.0.0.1:"),
                 s.firstLine.constData());
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        QFile certFile(cert);
        QVERIFY(certFile.open(QIODevice::ReadOnly));
        tls.setCaCertificates(QSslCertificate::fromData(certFile.readAll()));
        const Reply r = http(
            "GET", at(s.url, QString::fromLatin1(field(org, "org_uuid")), QStringLiteral("/key")),
            field(org, "key"), {}, &tls);
        QCOMPARE(r.status, 200);
        // The certificate is not trusted by default: the error is reported, not ignored.
        nam().clearConnectionCache();
        const Reply untrusted =
            http("GET", QUrl(s.url.toString() + QStringLiteral("/healthz")), {});
        QCOMPARE(untrusted.error, QNetworkReply::SslHandshakeFailedError);
    }
};

QTEST_MAIN(ServerCliTest)
#include "tst_server_cli.moc"
