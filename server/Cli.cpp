#include "Cli.h"

#include "Admin.h"
#include "AuditLog.h"
#include "Database.h"
#include "DemoData.h"
#include "Json.h"
#include "KeyFormat.h"
#include "Rfc3339.h"
#include "SandboxServer.h"
#include "Scope.h"
#include "Store.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QHostAddress>
#include <QRandomGenerator>
#include <QSocketNotifier>
#include <QUuid>
#include <map>
#include <optional>
#include <stdexcept>

#ifdef Q_OS_UNIX
#include <csignal>
#include <sys/socket.h>
#include <unistd.h>
#endif

namespace legba::server {

namespace {

using Json = nlohmann::json;
namespace wire = legba::json;

constexpr const char* kUsage = R"(Usage: legba-server COMMAND [OPTIONS]

The Legba sandbox: the whole Legba API over SQLite in a data directory.

Commands:
  init --data-dir DIR [--org-name NAME] [--hosted-shape] [--json]
      Create an organization and its owner key (every scope) and print them once.
      With --json, one line: {"org_uuid": "...", "key_id": "...", "key": "..."}.
      Run again on the same DIR, it adds another organization.
      --hosted-shape: an opaque owner key (legba_sk_ + 40 characters, no checksum), for a
      data dir served with serve --hosted-shape (the sandbox's own shape refuses it).
  serve --data-dir DIR [--listen HOST:PORT] [--tls-cert FILE --tls-key FILE]
        [--rate-limit N] [--failed-auth-limit N] [--instance-quota N]
        [--provisioning-delay-ms N] [--termination-delay-ms N] [--hosted-shape]
        [--audit-max-events N] [--audit-retention-days N] [--anchor-key FILE]
        [--max-connections N] [--idle-timeout-ms N]
      Serve the API (default 127.0.0.1:8080; port 0 picks a free port). The first line
      printed is "listening on http://HOST:PORT". SIGINT and SIGTERM stop it cleanly.
      --rate-limit: requests per key per minute (0, the default, turns it off).
      --audit-max-events, --audit-retention-days: prune the oldest audit events beyond
      that many, or older than that; the chain stays verifiable (0, the default: keep all).
      --max-connections: connections held at once; a new one past it is closed at once
      (default: the process's open-file limit less 64).
      --idle-timeout-ms: a keep-alive connection with no request under way is closed after
      this long (default 60000).
      --hosted-shape: answer exactly as the hosted Legba API's public docs show, to
      rehearse clients on it: only GET /key, POST /key/rotate, GET and POST /instances and
      DELETE /instances/{id}, with only the documented members; opaque keys; instance ids
      like 1234-5678-90ab-cdef; DELETE answers 200 with the instance; anything else is a
      plain-text "404 page not found" (after authentication under /orgs/).
  keys list --data-dir DIR [--org ORG] [--json]
  keys create --data-dir DIR [--org ORG] --name NAME [--scopes S1,S2,...]
              [--expires-at RFC3339] [--json]
  keys revoke --data-dir DIR [--org ORG] KEY_ID
      Manage keys without the API: recovery when every key of an organization is lost.
      --org may be left out when the data dir holds one organization. --scopes defaults
      to every scope.
  audit verify --data-dir DIR [--anchor-key FILE]
      Check the audit log's hash chain and its anchor; names the first broken event, a cut
      tail or a recomputed chain (exit status 1).
  seed-demo --data-dir DIR [--org ORG] [--events N]
      Fill an organization with realistic keys, instances and N audit events (default
      1000). Creates the organization when the data dir has none and prints its key once.
  --anchor-key FILE (every command that writes, and audit verify): the key that MACs
      the audit log's head, kept outside the data dir; created (mode 0600) when missing.
      Default: $XDG_CONFIG_HOME/legba-server/audit-anchor.key.
  --version   Print the version.
  --help      Print this help.
)";

class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// One command's options as QCommandLineParser reads them (--name value, --name=value, bare
// flags; an unknown option or a missing value is a UsageError with its message), kept as
// plain values; positional arguments in order.
struct Args {
    std::map<QString, QString> options;
    QStringList flags;
    QStringList positional;

    static Args parse(const QStringList& args, const QStringList& valued,
                      const QStringList& allowedFlags) {
        QCommandLineParser parser;
        // -name reads as --name, never as the short options n, a, m, e.
        parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
        for (const QString& name : valued)
            parser.addOption(QCommandLineOption(name, QString(), QStringLiteral("value")));
        for (const QString& name : allowedFlags)
            parser.addOption(QCommandLineOption(name));
        // To the parser the first argument is the program.
        if (!parser.parse(QStringList{QStringLiteral("legba-server")} + args))
            throw UsageError(parser.errorText().toStdString());
        Args parsed;
        for (const QString& name : valued) {
            if (parser.isSet(name))
                parsed.options[name] = parser.value(name);
        }
        for (const QString& name : allowedFlags) {
            if (parser.isSet(name))
                parsed.flags.append(name);
        }
        parsed.positional = parser.positionalArguments();
        return parsed;
    }
    QString value(const QString& name) const {
        const auto it = options.find(name);
        return it == options.end() ? QString() : it->second;
    }
    bool has(const QString& name) const { return options.count(name) > 0; }
    QString required(const QString& name) const {
        const QString v = value(name);
        if (v.isEmpty())
            throw UsageError("--" + name.toStdString() + " is required");
        return v;
    }
    int integer(const QString& name, int fallback, int min, int max) const {
        if (!has(name))
            return fallback;
        bool ok = false;
        const int v = value(name).toInt(&ok);
        if (!ok || v < min || v > max)
            throw UsageError("--" + name.toStdString() + " must be an integer from " +
                             std::to_string(min) + " to " + std::to_string(max));
        return v;
    }
};

void print(std::FILE* f, const QString& text) {
    const QByteArray bytes = text.toUtf8();
    std::fwrite(bytes.constData(), 1, static_cast<std::size_t>(bytes.size()), f);
    std::fflush(f);
}

qint64 nowMs() {
    return QDateTime::currentMSecsSinceEpoch();
}

// Opens the data dir's database for the commands that do not serve.
// A command that writes creates the anchor key when there is none and anchors a log that
// has no anchor yet; `audit verify` does neither, so that it cannot bless what it checks.
enum class Access { Read, Verify, Write };

struct Offline {
    Database db;
    std::unique_ptr<Store> store;

    Offline(const Args& a, Access access) {
        const QString dataDir = a.required(QStringLiteral("data-dir"));
        const QString keyPath = a.has(QStringLiteral("anchor-key"))
                                    ? a.value(QStringLiteral("anchor-key"))
                                    : defaultAnchorKeyPath();
        const QByteArray key =
            access == Access::Read ? QByteArray() : loadAnchorKey(keyPath, access == Access::Write);
        if (!QDir().mkpath(dataDir))
            throw std::runtime_error("cannot create the data directory " + dataDir.toStdString());
        db.open(QDir(dataDir).filePath(QStringLiteral("legba.sqlite3")));
        store = std::make_unique<Store>(db);
        store->audit().configure({key, 0, 0});
        if (access == Access::Write) {
            Transaction tx(db);
            store->audit().ensureAnchor();
            tx.commit();
        }
    }

    QString organization(const QString& wanted) {
        const auto orgs = store->organizations();
        if (!wanted.isEmpty()) {
            for (const auto& [uuid, name] : orgs) {
                if (uuid == wanted)
                    return uuid;
            }
            throw UsageError("no organization " + wanted.toStdString() + " in this data dir");
        }
        if (orgs.size() == 1)
            return orgs.front().first;
        if (orgs.isEmpty())
            throw UsageError("the data dir has no organization yet: run legba-server init");
        QStringList names;
        for (const auto& [uuid, name] : orgs)
            names.append(uuid + QStringLiteral(" (") + name + QLatin1Char(')'));
        throw UsageError("the data dir holds several organizations; choose one with --org: " +
                         names.join(QStringLiteral(", ")).toStdString());
    }
};

void printCreated(std::FILE* out, const QString& orgUuid, const QString& keyId, const Secret& key,
                  bool asJson) {
    if (asJson) {
        print(out, QString::fromUtf8(wire::dump(Json{{"org_uuid", wire::str(orgUuid)},
                                                     {"key_id", wire::str(keyId)},
                                                     {"key", key.reveal().toStdString()}})) +
                       QLatin1Char('\n'));
        return;
    }
    print(out, QStringLiteral("Organization: %1\nKey id:       %2\nAPI key:      %3\n\n"
                              "The key is shown this once and is not stored; keep it now.\n")
                   .arg(orgUuid, keyId, QString::fromLatin1(key.reveal())));
}

int cmdInit(const QStringList& rest, std::FILE* out, std::FILE* err) {
    const Args a = Args::parse(
        rest,
        {QStringLiteral("data-dir"), QStringLiteral("org-name"), QStringLiteral("anchor-key")},
        {QStringLiteral("json"), QStringLiteral("hosted-shape")});
    if (!a.positional.isEmpty())
        throw UsageError("unexpected argument " + a.positional.front().toStdString());
    const QString dataDir = a.required(QStringLiteral("data-dir"));
    const QString name = a.has(QStringLiteral("org-name")) ? a.value(QStringLiteral("org-name"))
                                                           : QStringLiteral("Sandbox organization");
    ServerOptions options;
    options.hostedShape = a.flags.contains(QStringLiteral("hosted-shape"));
    options.auditAnchorKeyPath = a.value(QStringLiteral("anchor-key"));
    SandboxServer server(options);
    QString error;
    if (!server.open(dataDir, &error)) {
        print(err, QStringLiteral("legba-server: %1\n").arg(error));
        return 1;
    }
    const auto created = server.createOrganization(name, &error);
    if (!created) {
        print(err, QStringLiteral("legba-server: %1\n").arg(error));
        return 1;
    }
    printCreated(out, created->orgUuid, created->keyId, created->key,
                 a.flags.contains(QStringLiteral("json")));
    return 0;
}

#ifdef Q_OS_UNIX
int signalFds[2] = {-1, -1};

void onSignal(int) {
    const char byte = 1;
    [[maybe_unused]] const auto written = ::write(signalFds[1], &byte, 1);
}
#endif

std::pair<QHostAddress, quint16> parseListen(const QString& text) {
    const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
    if (colon <= 0)
        throw UsageError("--listen must be HOST:PORT");
    QString host = text.left(colon);
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    bool ok = false;
    const uint port = text.mid(colon + 1).toUInt(&ok);
    if (!ok || port > 65535)
        throw UsageError("--listen: the port must be 0 to 65535");
    QHostAddress address;
    if (host == QLatin1String("localhost"))
        address = QHostAddress(QHostAddress::LocalHost);
    else if (!address.setAddress(host))
        throw UsageError("--listen: " + host.toStdString() + " is not an IP address");
    return {address, static_cast<quint16>(port)};
}

int cmdServe(const QStringList& rest, std::FILE* out, std::FILE* err) {
    const Args a =
        Args::parse(rest,
                    {QStringLiteral("data-dir"), QStringLiteral("listen"),
                     QStringLiteral("tls-cert"), QStringLiteral("tls-key"),
                     QStringLiteral("rate-limit"), QStringLiteral("failed-auth-limit"),
                     QStringLiteral("instance-quota"), QStringLiteral("provisioning-delay-ms"),
                     QStringLiteral("termination-delay-ms"), QStringLiteral("anchor-key"),
                     QStringLiteral("audit-max-events"), QStringLiteral("audit-retention-days"),
                     QStringLiteral("max-connections"), QStringLiteral("idle-timeout-ms")},
                    {QStringLiteral("hosted-shape")});
    if (!a.positional.isEmpty())
        throw UsageError("unexpected argument " + a.positional.front().toStdString());
    const QString dataDir = a.required(QStringLiteral("data-dir"));
    const auto [address, port] =
        parseListen(a.has(QStringLiteral("listen")) ? a.value(QStringLiteral("listen"))
                                                    : QStringLiteral("127.0.0.1:8080"));
    ServerOptions options;
    options.keyRequestsPerMinute = a.integer(QStringLiteral("rate-limit"), 0, 0, 1000000000);
    options.failedAuthPerMinute = a.integer(QStringLiteral("failed-auth-limit"), 20, 0, 1000000000);
    options.instanceQuota = a.integer(QStringLiteral("instance-quota"), 10, 0, 1000000000);
    options.provisioningDelay = std::chrono::milliseconds(
        a.integer(QStringLiteral("provisioning-delay-ms"), 2000, 0, 3600000));
    options.terminationDelay = std::chrono::milliseconds(
        a.integer(QStringLiteral("termination-delay-ms"), 1500, 0, 3600000));
    options.maxConnections = a.integer(QStringLiteral("max-connections"), 0, 1, 10000000);
    options.idleTimeout =
        std::chrono::milliseconds(a.integer(QStringLiteral("idle-timeout-ms"), 60000, 1, 86400000));
    options.tlsCertificatePath = a.value(QStringLiteral("tls-cert"));
    options.tlsKeyPath = a.value(QStringLiteral("tls-key"));
    if (options.tlsCertificatePath.isEmpty() != options.tlsKeyPath.isEmpty())
        throw UsageError("--tls-cert and --tls-key go together");
    options.hostedShape = a.flags.contains(QStringLiteral("hosted-shape"));
    options.auditAnchorKeyPath = a.value(QStringLiteral("anchor-key"));
    options.auditMaxEvents = a.integer(QStringLiteral("audit-max-events"), 0, 0, 1000000000);
    options.auditRetentionDays = a.integer(QStringLiteral("audit-retention-days"), 0, 0, 100000);

    SandboxServer server(options);
    QString error;
    if (!server.open(dataDir, &error)) {
        print(err, QStringLiteral("legba-server: %1\n").arg(error));
        return 1;
    }
#ifdef Q_OS_UNIX
    // A signal handler may only write; the event loop reads and quits.
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, signalFds) != 0) {
        print(err, QStringLiteral("legba-server: cannot set up signal handling\n"));
        return 1;
    }
    QSocketNotifier notifier(signalFds[0], QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, &notifier, [&notifier] {
        notifier.setEnabled(false);
        char byte = 0;
        [[maybe_unused]] const auto read = ::read(signalFds[0], &byte, 1);
        QCoreApplication::quit();
    });
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
#endif
    const quint16 bound = server.listen(address, port);
    if (bound == 0) {
        print(err, QStringLiteral("legba-server: cannot listen on %1\n")
                       .arg(a.has(QStringLiteral("listen")) ? a.value(QStringLiteral("listen"))
                                                            : QStringLiteral("127.0.0.1:8080")));
        return 1;
    }
    QString host = address.toString();
    if (address.protocol() == QAbstractSocket::IPv6Protocol)
        host = QLatin1Char('[') + host + QLatin1Char(']');
    print(out, QStringLiteral("listening on %1://%2:%3\n")
                   .arg(options.tlsCertificatePath.isEmpty() ? QStringLiteral("http")
                                                             : QStringLiteral("https"),
                        host)
                   .arg(bound));
    if (options.hostedShape)
        print(err, QStringLiteral("legba-server: answering in the hosted shape: only the routes "
                                  "and members of the public docs; anything else is \"404 page "
                                  "not found\"\n"));
    if (server.organizations().isEmpty())
        print(err, QStringLiteral("legba-server: the data dir has no organization yet; run "
                                  "legba-server init --data-dir %1%2\n")
                       .arg(dataDir,
                            options.hostedShape ? QStringLiteral(" --hosted-shape") : QString()));
    const int status = QCoreApplication::exec();
    server.close();
    print(err, QStringLiteral("legba-server: stopped\n"));
    return status;
}

Json keyJson(const ApiKey& key) {
    return wire::toJson(key);
}

int cmdKeys(const QStringList& rest, std::FILE* out, std::FILE* err) {
    if (rest.isEmpty())
        throw UsageError("keys needs list, create or revoke");
    const QString verb = rest.front();
    const QStringList tail = rest.mid(1);
    if (verb == QLatin1String("list")) {
        const Args a = Args::parse(
            tail, {QStringLiteral("data-dir"), QStringLiteral("org"), QStringLiteral("anchor-key")},
            {QStringLiteral("json")});
        Offline db(a, Access::Read);
        const QString org = db.organization(a.value(QStringLiteral("org")));
        const qint64 now = nowMs();
        Json list = Json::array();
        QString table;
        for (const KeyRow& row : db.store->keys(org)) {
            const ApiKey key = row.toApiKey(now);
            list.push_back(keyJson(key));
            table += QStringLiteral("%1  %2  %3  %4  %5\n")
                         .arg(key.keyId, key.prefix, wireName(key.status).leftJustified(7),
                              key.scopes.join(QLatin1Char(',')), key.name);
        }
        if (a.flags.contains(QStringLiteral("json")))
            print(out, QString::fromUtf8(wire::dump(Json{{"keys", list}})) + QLatin1Char('\n'));
        else
            print(out, table);
        return 0;
    }
    if (verb == QLatin1String("create")) {
        const Args a = Args::parse(tail,
                                   {QStringLiteral("data-dir"), QStringLiteral("org"),
                                    QStringLiteral("name"), QStringLiteral("scopes"),
                                    QStringLiteral("expires-at"), QStringLiteral("anchor-key")},
                                   {QStringLiteral("json")});
        Offline db(a, Access::Write);
        const QString org = db.organization(a.value(QStringLiteral("org")));
        QStringList scopes;
        if (a.has(QStringLiteral("scopes"))) {
            scopes = a.value(QStringLiteral("scopes")).split(QLatin1Char(','), Qt::SkipEmptyParts);
        } else {
            for (Scope s : allScopes())
                scopes.append(wireName(s));
        }
        qint64 expires = 0;
        if (a.has(QStringLiteral("expires-at"))) {
            const auto t = rfc3339::parse(a.value(QStringLiteral("expires-at")));
            if (!t || t->toMSecsSinceEpoch() <= nowMs())
                throw UsageError("--expires-at must be a future RFC 3339 UTC time");
            expires = t->toMSecsSinceEpoch();
        }
        IssuedKey issued;
        try {
            issued = admin::createKey(*db.store, org, a.required(QStringLiteral("name")), scopes,
                                      expires, nowMs(), QStringLiteral("cli"));
        } catch (const std::invalid_argument& e) {
            throw UsageError(e.what());
        }
        if (a.flags.contains(QStringLiteral("json"))) {
            Json object = wire::toJson(issued);
            object["org_uuid"] = wire::str(org);
            print(out, QString::fromUtf8(wire::dump(object)) + QLatin1Char('\n'));
        } else {
            print(out, QStringLiteral("Key id:  %1\nAPI key: %2\n\nThe key is shown this once "
                                      "and is not stored; keep it now.\n")
                           .arg(issued.record.keyId, QString::fromLatin1(issued.secret.reveal())));
        }
        return 0;
    }
    if (verb == QLatin1String("revoke")) {
        const Args a = Args::parse(
            tail, {QStringLiteral("data-dir"), QStringLiteral("org"), QStringLiteral("anchor-key")},
            {});
        if (a.positional.size() != 1)
            throw UsageError("keys revoke needs exactly one KEY_ID");
        Offline db(a, Access::Write);
        const QString org = db.organization(a.value(QStringLiteral("org")));
        const QString keyId = a.positional.front();
        if (!admin::revokeKey(*db.store, org, keyId, nowMs(), QStringLiteral("cli"))) {
            print(err,
                  QStringLiteral("legba-server: no key %1 in organization %2\n").arg(keyId, org));
            return 1;
        }
        print(out, QStringLiteral("Revoked %1\n").arg(keyId));
        return 0;
    }
    throw UsageError("keys needs list, create or revoke, not " + verb.toStdString());
}

int cmdAudit(const QStringList& rest, std::FILE* out, std::FILE* err) {
    if (rest.isEmpty() || rest.front() != QLatin1String("verify"))
        throw UsageError("audit needs verify");
    const Args a =
        Args::parse(rest.mid(1), {QStringLiteral("data-dir"), QStringLiteral("anchor-key")}, {});
    const QString dataDir = a.required(QStringLiteral("data-dir"));
    if (!QFile::exists(QDir(dataDir).filePath(QStringLiteral("legba.sqlite3"))))
        throw UsageError("no sandbox database in " + dataDir.toStdString());
    Offline db(a, Access::Verify);
    const ChainVerdict verdict = db.store->audit().verify();
    if (verdict.intact) {
        print(
            out,
            QStringLiteral("audit log intact: %1 events verified%2, head anchored\n")
                .arg(verdict.eventsChecked)
                .arg(verdict.eventsPruned > 0
                         ? QStringLiteral(" after %1 pruned by retention").arg(verdict.eventsPruned)
                         : QString()));
        return 0;
    }
    if (verdict.brokenSeq > 0)
        print(err, QStringLiteral("audit log broken at event %1 (#%2): %3; %4 events before it "
                                  "verified\n")
                       .arg(verdict.brokenEventId)
                       .arg(verdict.brokenSeq)
                       .arg(verdict.problem)
                       .arg(verdict.eventsChecked));
    else
        print(err, QStringLiteral("audit log not intact: %1; its %2 events chain correctly\n")
                       .arg(verdict.problem)
                       .arg(verdict.eventsChecked));
    return 1;
}

int cmdSeedDemo(const QStringList& rest, std::FILE* out, std::FILE*) {
    const Args a = Args::parse(rest,
                               {QStringLiteral("data-dir"), QStringLiteral("org"),
                                QStringLiteral("events"), QStringLiteral("anchor-key")},
                               {QStringLiteral("json")});
    const QString dataDir = a.required(QStringLiteral("data-dir"));
    const int events = a.integer(QStringLiteral("events"), 1000, 0, 100000000);
    Offline db(a, Access::Write);
    const qint64 now = nowMs();
    QString org;
    if (db.store->organizations().isEmpty() && !a.has(QStringLiteral("org"))) {
        const CreatedOrganization created =
            admin::createOrganization(*db.store, QStringLiteral("Demo organization"), now);
        printCreated(out, created.orgUuid, created.keyId, created.key,
                     a.flags.contains(QStringLiteral("json")));
        org = created.orgUuid;
    } else {
        org = db.organization(a.value(QStringLiteral("org")));
    }

    const qint64 day = 24LL * 3600 * 1000;
    std::vector<KeyRow> actors;
    {
        Transaction tx(db.db);
        for (const demo::Key& k : demo::kKeys) {
            const Secret secret(keyformat::generate());
            KeyRow row;
            row.keyId = keyformat::generateKeyId();
            row.orgUuid = org;
            row.name = QString::fromLatin1(k.name);
            row.prefix = keyformat::displayPrefix(secret.reveal());
            row.scopes = QString::fromLatin1(k.scopes).split(QLatin1Char(' '));
            row.createdAt = now - k.ageDays * day;
            row.expiresAt = k.expiresInDays == 0 ? 0 : now + k.expiresInDays * day;
            db.store->insertKey(row, keyformat::digest(secret.reveal()));
            if (k.revoked)
                db.store->setRevoked(row.keyId, now - 10 * day);
            else
                db.store->setLastUsed(row.keyId,
                                      now - QRandomGenerator::global()->bounded(3600000));
            actors.push_back(row);
        }
        const char* images[] = {"ubuntu-22.04", "ubuntu-20.04", "windows-10"};
        const char* sizes[] = {"small", "medium", "large"};
        for (int i = 0; i < 4; ++i) {
            InstanceRow inst;
            inst.instanceUuid = QUuid::createUuid().toString(QUuid::WithoutBraces);
            inst.orgUuid = org;
            inst.image = QString::fromLatin1(images[i % 3]);
            inst.size = QString::fromLatin1(sizes[(i + 1) % 3]);
            inst.createdAt = now - (i + 1) * 3600000LL;
            inst.readyAt = inst.createdAt + 2000;
            db.store->insertInstance(inst);
        }
        tx.commit();
    }

    // Events spread over the last 30 days, oldest first so that the log reads newest first.
    QRandomGenerator* rng = QRandomGenerator::global();
    const qint64 span = 30 * day;
    const int batch = 2000;
    for (int done = 0; done < events;) {
        std::vector<AuditRecord> records;
        const int n = std::min(batch, events - done);
        for (int i = 0; i < n; ++i, ++done) {
            const demo::EventShape* shape =
                &demo::eventShape(rng->bounded(static_cast<quint32>(demo::kTotalWeight)));
            AuditRecord r;
            r.orgUuid = org;
            r.occurredAtMs = now - span + (events > 0 ? span * done / events : 0);
            r.action = QString::fromLatin1(shape->action);
            r.statusCode = shape->status;
            r.ip = QStringLiteral("203.0.113.%1").arg(rng->bounded(1, 255));
            r.userAgent = QString::fromLatin1(demo::kUserAgents[rng->bounded(
                static_cast<quint32>(std::size(demo::kUserAgents)))]);
            r.requestId = QStringLiteral("req_%1").arg(rng->generate64(), 16, 16, QLatin1Char('0'));
            Json details{{"method", shape->method}, {"route", shape->route}, {"demo", true}};
            if (r.action == QLatin1String("auth.failed")) {
                details["reason"] = "unknown_key";
                details["key_prefix"] = demo::kFailedKeyPrefix;
            } else {
                const KeyRow& actor = actors[rng->bounded(static_cast<quint32>(actors.size()))];
                r.actor = AuditActor{actor.keyId, actor.name, actor.prefix};
                if (r.action.startsWith(QLatin1String("instance.")))
                    r.target = AuditTarget{QStringLiteral("instance"),
                                           QUuid::createUuid().toString(QUuid::WithoutBraces)};
                else if (r.action.startsWith(QLatin1String("api_key.")))
                    r.target = AuditTarget{QStringLiteral("api_key"), keyformat::generateKeyId()};
                if (shape->status >= 400)
                    details["error"] = shape->status == 409 ? "CONFLICT" : "FORBIDDEN";
            }
            r.detailsJson = wire::dump(details);
            records.push_back(std::move(r));
        }
        Transaction tx(db.db);
        db.store->audit().append(records);
        tx.commit();
    }
    print(out, QStringLiteral("Seeded organization %1: %2 keys, 4 instances, %3 audit events\n")
                   .arg(org)
                   .arg(std::size(demo::kKeys))
                   .arg(events));
    return 0;
}

} // namespace

int runCli(const QStringList& args, std::FILE* out, std::FILE* err) {
    if (args.isEmpty()) {
        print(err, QString::fromLatin1(kUsage));
        return 2;
    }
    const QString command = args.front();
    const QStringList rest = args.mid(1);
    try {
        if (command == QLatin1String("--version") || command == QLatin1String("-v")) {
            print(out, QStringLiteral("legba-server %1\n").arg(QStringLiteral(LEGBA_VERSION)));
            return 0;
        }
        if (command == QLatin1String("--help") || command == QLatin1String("-h") ||
            command == QLatin1String("help")) {
            print(out, QString::fromLatin1(kUsage));
            return 0;
        }
        if (command == QLatin1String("init"))
            return cmdInit(rest, out, err);
        if (command == QLatin1String("serve"))
            return cmdServe(rest, out, err);
        if (command == QLatin1String("keys"))
            return cmdKeys(rest, out, err);
        if (command == QLatin1String("audit"))
            return cmdAudit(rest, out, err);
        if (command == QLatin1String("seed-demo"))
            return cmdSeedDemo(rest, out, err);
        throw UsageError("unknown command " + command.toStdString());
    } catch (const UsageError& e) {
        print(err, QStringLiteral("legba-server: %1\nRun legba-server --help for usage.\n")
                       .arg(QString::fromUtf8(e.what())));
        return 2;
    } catch (const std::exception& e) {
        print(err, QStringLiteral("legba-server: %1\n").arg(QString::fromUtf8(e.what())));
        return 1;
    }
}

} // namespace legba::server
