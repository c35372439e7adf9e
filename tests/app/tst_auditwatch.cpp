// The watch over the audit log, on real traffic: each rule is seeded against the in-process
// sandbox (real failed authentications, a key used from a second loopback address through a
// socket bound to 127.0.0.2, a request with a revoked key, a key created with keys:write),
// the log is read back through the API (AuditPageLoader) and fed to the watch. Each rule
// raises exactly its alert, once, through the Notifier; turned off, none.
#include "AuditPageLoader.h"
#include "AuditWatch.h"
#include "TestServer.h"
#include "Wait.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QSettings>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>

using namespace legba;

namespace {

constexpr int kWait = 15000;

struct Told {
    QString title;
    QString text;
    ReminderTarget target;
};

class RecordingNotifier : public Notifier {
public:
    void notify(const QString& title, const QString& text, const ReminderTarget& target) override {
        told.push_back({title, text, target});
    }
    std::vector<Told> told;
};

// The whole log, newest first, as pages read through the loader (kept alive for the views).
struct Log {
    std::vector<AuditPageLoader::Page> pages;
    std::vector<audit::RecordView> views() const {
        std::vector<audit::RecordView> out;
        for (const auto& page : pages) {
            for (std::size_t i = 0; i < page->records.size(); ++i)
                out.push_back(page->view(i));
        }
        return out;
    }
    int count(const QString& action, const QString& ip = {}) const {
        int n = 0;
        for (const audit::RecordView& v : views()) {
            const auto& s = v.strings();
            if (QString::fromUtf8(s.action.data(), qsizetype(s.action.size())) == action &&
                (ip.isEmpty() || QString::fromUtf8(s.ip.data(), qsizetype(s.ip.size())) == ip))
                ++n;
        }
        return n;
    }
};

} // namespace

class TestAuditWatch : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<test::TestServer> m_server;
    std::unique_ptr<LegbaClient> m_client;

    // One request on its own connection, from `from` (a loopback address), with `token`.
    int rawGet(const QString& route, const QByteArray& token,
               const QHostAddress& from = QHostAddress::LocalHost) {
        QTcpSocket socket;
        if (!socket.bind(from))
            return -1;
        socket.connectToHost(QHostAddress::LocalHost,
                             static_cast<quint16>(m_server->baseUrl().port()));
        QSignalSpy connected(&socket, &QTcpSocket::connected);
        if (socket.state() != QAbstractSocket::ConnectedState && !connected.wait(kWait))
            return -2;
        const QByteArray path =
            "/orgs/" + m_server->orgUuid().toLatin1() + "/api" + route.toLatin1();
        socket.write("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                     token + "\r\nUser-Agent: tst_auditwatch\r\nConnection: close\r\n\r\n");
        // The server answers from this thread's event loop: wait on it, never block it.
        QByteArray answer;
        QObject::connect(&socket, &QTcpSocket::readyRead, &socket,
                         [&] { answer += socket.readAll(); });
        QSignalSpy closed(&socket, &QTcpSocket::disconnected);
        QElapsedTimer timer;
        timer.start();
        while (!answer.contains("\r\n") && timer.elapsed() < kWait)
            closed.wait(50);
        // "HTTP/1.1 401 ..."
        return answer.mid(9, 3).toInt();
    }

    Log readLog() {
        Log log;
        AuditPageLoader loader(m_client.get());
        QSignalSpy loaded(&loader, &AuditPageLoader::pageLoaded);
        QString cursor;
        do {
            AuditQuery query;
            query.limit = 1000;
            query.cursor = cursor;
            loader.load(query);
            if (!loaded.wait(kWait))
                return log;
            const auto page = loaded.takeFirst()[1].value<AuditPageLoader::Page>();
            log.pages.push_back(page);
            cursor = page->nextCursor;
        } while (!cursor.isEmpty());
        return log;
    }

    // Reads the log until `ready` holds on it (reads' events are written in batches).
    Log readLogUntil(const std::function<bool(const Log&)>& ready) {
        QElapsedTimer timer;
        timer.start();
        Log log = readLog();
        while (!ready(log) && timer.elapsed() < kWait) {
            QTest::qWait(20);
            log = readLog();
        }
        return log;
    }

    IssuedKey createKey(const QString& name, const QStringList& scopes) {
        NewKeyRequest request;
        request.name = name;
        request.scopes = scopes;
        auto issued = test::await<Result<IssuedKey>>(
            [&](auto done) { m_client->createKey(request, this, done); });
        if (!issued || !*issued)
            return {};
        return (*issued).value();
    }

    std::vector<ApiKey> listKeys() {
        auto keys =
            test::await<Result<KeyList>>([&](auto done) { m_client->listKeys(true, this, done); });
        if (!keys || !*keys)
            return {};
        return (*keys).value().keys;
    }

    static AuditWatch::SettingsSource with(const WatchSettings& settings) {
        return [settings] {
            return settings;
        };
    }

private Q_SLOTS:
    void init() {
        m_server = std::make_unique<test::TestServer>();
        QVERIFY2(m_server->ok(), qPrintable(m_server->error()));
        m_client = std::make_unique<LegbaClient>();
        QVERIFY(!m_client->setEndpoint(m_server->endpoint()));
        m_client->setKey(m_server->ownerKey());
    }

    void cleanup() {
        m_client.reset();
        m_server.reset();
    }

    void settings_defaultsRoundTripAndRange() {
        QTemporaryDir dir;
        QSettings settings(dir.filePath(QStringLiteral("s.ini")), QSettings::IniFormat);
        const WatchSettings defaults = WatchSettings::load(settings);
        QVERIFY(defaults.failedAuthBurst && defaults.newAddress && defaults.deadKeyUse &&
                defaults.keysWriteCreated);
        QCOMPARE(defaults.burstCount, 10);
        QCOMPARE(defaults.burstMinutes, 5);
        WatchSettings changed;
        changed.newAddress = false;
        changed.burstCount = 25;
        changed.burstMinutes = 15;
        changed.save(settings);
        QCOMPARE(WatchSettings::load(settings), changed);
        settings.setValue(QStringLiteral("watch/burstCount"), 1);
        settings.setValue(QStringLiteral("watch/burstMinutes"), QStringLiteral("soon"));
        settings.setValue(QStringLiteral("watch/deadKeyUse"), QStringLiteral("maybe"));
        const WatchSettings odd = WatchSettings::load(settings);
        QCOMPARE(odd.burstCount, WatchSettings::kDefaultBurstCount);
        QCOMPARE(odd.burstMinutes, WatchSettings::kDefaultBurstMinutes);
        QVERIFY(odd.deadKeyUse);
    }

    void burst_ofFailedAuthentications_isToldOnce() {
        for (int i = 0; i < 12; ++i)
            QCOMPARE(rawGet(QStringLiteral("/keys"), "lgb_nosuchkey_" + QByteArray::number(i)),
                     401);
        const Log log =
            readLogUntil([](const Log& l) { return l.count(QStringLiteral("auth.failed")) >= 12; });
        QCOMPARE(log.count(QStringLiteral("auth.failed")), 12);

        RecordingNotifier notifier;
        AuditWatch watch(&notifier);
        watch.setSettingsSource(with(WatchSettings{}));
        QSignalSpy alerted(&watch, &AuditWatch::alerted);
        const auto alerts = watch.observe(log.views());
        QCOMPARE(alerts.size(), std::size_t(1));
        const WatchAlert& alert = alerts[0];
        QCOMPARE(alert.rule, WatchAlert::Rule::FailedAuthBurst);
        QCOMPARE(alert.eventIds.size(), 10); // told at the 10th, once
        QCOMPARE(alert.target.pane, ReminderTarget::Pane::Audit);
        QCOMPARE(alert.target.action, QStringLiteral("auth.failed"));
        QVERIFY(alert.target.actorKeyId.isEmpty());
        QVERIFY(alert.target.since.isValid() && alert.target.since < alert.target.until);
        QCOMPARE(alert.title, QStringLiteral("10 failed authentications"));
        QCOMPARE(alert.text,
                 QStringLiteral("10 failed authentications within 5 minutes, from 127.0.0.1."));
        QCOMPARE(notifier.told.size(), std::size_t(1));
        QCOMPARE(notifier.told[0].target, alert.target);
        QCOMPARE(alerted.size(), 1);
        // Every event behind it is in the pane's range.
        for (const audit::RecordView& v : log.views()) {
            const QString id = QString::fromUtf8(v.strings().eventId.data(),
                                                 qsizetype(v.strings().eventId.size()));
            if (alert.eventIds.contains(id)) {
                QVERIFY(v.record().occurredMs >= alert.target.since.toMSecsSinceEpoch());
                QVERIFY(v.record().occurredMs < alert.target.until.toMSecsSinceEpoch());
            }
        }

        // The same events again, and more of the same burst: nothing new.
        QVERIFY(watch.observe(log.views()).empty());
        QCOMPARE(rawGet(QStringLiteral("/keys"), "lgb_nosuchkey_x"), 401);
        const Log more =
            readLogUntil([](const Log& l) { return l.count(QStringLiteral("auth.failed")) >= 13; });
        QVERIFY(watch.observe(more.views()).empty());
        QCOMPARE(watch.alertCount(), 1);

        // Off, or a higher threshold: none. History (Learn) raises nothing either.
        WatchSettings off;
        off.failedAuthBurst = false;
        AuditWatch quiet;
        quiet.setSettingsSource(with(off));
        QVERIFY(quiet.observe(log.views()).empty());
        WatchSettings higher;
        higher.burstCount = 13;
        AuditWatch high;
        high.setSettingsSource(with(higher));
        QVERIFY(high.observe(log.views()).empty());
        AuditWatch learning;
        learning.setSettingsSource(with(WatchSettings{}));
        QVERIFY(learning.observe(log.views(), AuditWatch::Mode::Learn).empty());
    }

    void newAddress_afterTheKeyWasSeen() {
        const IssuedKey ci = createKey(QStringLiteral("ci"), {QStringLiteral("keys:read")});
        QVERIFY(!ci.record.keyId.isEmpty());
        QCOMPARE(rawGet(QStringLiteral("/keys"), ci.secret.reveal()), 200);
        const Log first = readLogUntil([](const Log& l) {
            return l.count(QStringLiteral("api.request"), QStringLiteral("127.0.0.1")) >= 1;
        });

        const auto run = [&](const WatchSettings& settings, RecordingNotifier* notifier) {
            AuditWatch watch(notifier);
            watch.setSettingsSource(with(settings));
            // The key's first sighting teaches its address: no alert.
            return watch.observe(first.views());
        };
        RecordingNotifier notifier;
        AuditWatch watch(&notifier);
        watch.setSettingsSource(with(WatchSettings{}));
        QVERIFY(watch.observe(first.views()).empty());
        QVERIFY(run(WatchSettings{}, nullptr).empty());

        QCOMPARE(rawGet(QStringLiteral("/keys"), ci.secret.reveal(),
                        QHostAddress(QStringLiteral("127.0.0.2"))),
                 200);
        const Log second = readLogUntil([](const Log& l) {
            return l.count(QStringLiteral("api.request"), QStringLiteral("127.0.0.2")) >= 1;
        });
        QCOMPARE(second.count(QStringLiteral("api.request"), QStringLiteral("127.0.0.2")), 1);
        const auto alerts = watch.observe(second.views());
        QCOMPARE(alerts.size(), std::size_t(1));
        const WatchAlert& alert = alerts[0];
        QCOMPARE(alert.rule, WatchAlert::Rule::NewAddress);
        QCOMPARE(alert.eventIds.size(), 1);
        QCOMPARE(alert.target.actorKeyId, ci.record.keyId);
        QVERIFY(alert.target.action.isEmpty());
        QCOMPARE(alert.title, QStringLiteral("A key used from a new address"));
        QCOMPARE(alert.text, QStringLiteral("The key “ci” (%1…) was used from 127.0.0.2, an "
                                            "address it had not used in the events seen since "
                                            "the app started watching.")
                                 .arg(ci.record.prefix));
        QVERIFY(!alert.text.toUtf8().contains(ci.secret.reveal()));
        QCOMPARE(notifier.told.size(), std::size_t(1));
        // Told once: the same address again is known now.
        QCOMPARE(rawGet(QStringLiteral("/keys"), ci.secret.reveal(),
                        QHostAddress(QStringLiteral("127.0.0.2"))),
                 200);
        const Log third = readLogUntil([](const Log& l) {
            return l.count(QStringLiteral("api.request"), QStringLiteral("127.0.0.2")) >= 2;
        });
        QVERIFY(watch.observe(third.views()).empty());

        // History (the pane's pages) teaches the addresses as well, and raises nothing.
        AuditWatch taught;
        taught.setSettingsSource(with(WatchSettings{}));
        QVERIFY(taught.observe(first.views(), AuditWatch::Mode::Learn).empty());
        const auto afterHistory = taught.observe(second.views());
        QCOMPARE(afterHistory.size(), std::size_t(1));
        QCOMPARE(afterHistory[0].text, alert.text);

        // Off: the same sequence raises nothing.
        WatchSettings off;
        off.newAddress = false;
        AuditWatch quiet;
        quiet.setSettingsSource(with(off));
        QVERIFY(quiet.observe(first.views()).empty());
        QVERIFY(quiet.observe(second.views()).empty());
        // Another organization forgets what was seen.
        watch.setOrganization(QStringLiteral("other"));
        QVERIFY(watch.observe(third.views()).empty());
    }

    void eventsFromBeforeTheWatchBegan_areLearnedNotAlertedOn() {
        const IssuedKey ci = createKey(QStringLiteral("ci"), {QStringLiteral("keys:read")});
        QVERIFY(!ci.record.keyId.isEmpty());
        QCOMPARE(rawGet(QStringLiteral("/keys"), ci.secret.reveal()), 200);
        QCOMPARE(rawGet(QStringLiteral("/keys"), ci.secret.reveal(),
                        QHostAddress(QStringLiteral("127.0.0.2"))),
                 200);
        const Log before = readLogUntil([](const Log& l) {
            return l.count(QStringLiteral("api.request"), QStringLiteral("127.0.0.2")) >= 1;
        });
        // The app starts watching after these (the clock's next millisecond); its first sync
        // brings what happened before as new.
        qint64 newest = 0;
        for (const audit::RecordView& view : before.views())
            newest = std::max(newest, view.record().occurredMs);
        const QDateTime since = QDateTime::fromMSecsSinceEpoch(newest + 1, Qt::UTC);
        RecordingNotifier notifier;
        AuditWatch watch(&notifier);
        watch.setSettingsSource(with(WatchSettings{}));
        watch.setWatchingSince(since);
        QVERIFY(watch.observe(before.views()).empty());
        QVERIFY(notifier.told.empty());
        QTRY_VERIFY(QDateTime::currentDateTimeUtc() > since);

        // What happens after it began is watched, against the addresses the history taught.
        QCOMPARE(rawGet(QStringLiteral("/keys"), ci.secret.reveal(),
                        QHostAddress(QStringLiteral("127.0.0.2"))),
                 200);
        QCOMPARE(rawGet(QStringLiteral("/keys"), ci.secret.reveal(),
                        QHostAddress(QStringLiteral("127.0.0.3"))),
                 200);
        const Log after = readLogUntil([](const Log& l) {
            return l.count(QStringLiteral("api.request"), QStringLiteral("127.0.0.3")) >= 1;
        });
        const auto alerts = watch.observe(after.views());
        QCOMPARE(alerts.size(), std::size_t(1));
        QCOMPARE(alerts[0].rule, WatchAlert::Rule::NewAddress);
        QVERIFY(alerts[0].text.contains(QStringLiteral("127.0.0.3")));
        QCOMPARE(notifier.told.size(), std::size_t(1));
    }

    void revokedKey_presented_isToldOncePerKey() {
        const IssuedKey old =
            createKey(QStringLiteral("old deploy"), {QStringLiteral("keys:read")});
        QVERIFY(!old.record.keyId.isEmpty());
        auto revoked = test::await<Result<Done>>(
            [&](auto done) { m_client->revokeKey(old.record.keyId, this, done); });
        QVERIFY(revoked && *revoked);
        QCOMPARE(rawGet(QStringLiteral("/keys"), old.secret.reveal()), 401);
        QCOMPARE(rawGet(QStringLiteral("/keys"), old.secret.reveal()), 401);
        const Log log =
            readLogUntil([](const Log& l) { return l.count(QStringLiteral("auth.failed")) >= 2; });
        QCOMPARE(log.count(QStringLiteral("auth.failed")), 2);

        // With the key list known, the owner key's creation (every scope) is a keys:write
        // alert of its own (keyCreatedWithKeysWrite): that rule is off here.
        WatchSettings onlyThis;
        onlyThis.keysWriteCreated = false;
        RecordingNotifier notifier;
        AuditWatch watch(&notifier);
        watch.setSettingsSource(with(onlyThis));
        watch.observeKeys(listKeys());
        const auto alerts = watch.observe(log.views());
        QCOMPARE(alerts.size(), std::size_t(1));
        const WatchAlert& alert = alerts[0];
        QCOMPARE(alert.rule, WatchAlert::Rule::DeadKeyUse);
        QCOMPARE(alert.eventIds.size(), 2);
        QCOMPARE(alert.target.action, QStringLiteral("auth.failed"));
        QCOMPARE(alert.title, QStringLiteral("A revoked key was presented"));
        QCOMPARE(alert.text,
                 QStringLiteral("The key “old deploy” (%1…) was presented in a request from "
                                "127.0.0.1, but it is revoked.")
                     .arg(old.record.prefix));
        QVERIFY(!alert.text.toUtf8().contains(old.secret.reveal()));
        QCOMPARE(notifier.told.size(), std::size_t(1));

        // Once per key per run.
        QCOMPARE(rawGet(QStringLiteral("/keys"), old.secret.reveal()), 401);
        const Log more =
            readLogUntil([](const Log& l) { return l.count(QStringLiteral("auth.failed")) >= 3; });
        QVERIFY(watch.observe(more.views()).empty());

        // Without the key list, the server's reason and the presented prefix say it.
        AuditWatch unnamed;
        unnamed.setSettingsSource(with(WatchSettings{}));
        const auto bare = unnamed.observe(log.views());
        QCOMPARE(bare.size(), std::size_t(1));
        QCOMPARE(bare[0].text,
                 QStringLiteral("The key %1… was presented in a request from 127.0.0.1, but it is "
                                "revoked.")
                     .arg(old.record.prefix));

        WatchSettings off;
        off.deadKeyUse = false;
        AuditWatch quiet;
        quiet.setSettingsSource(with(off));
        QVERIFY(quiet.observe(log.views()).empty());
    }

    void keyCreatedWithKeysWrite() {
        const IssuedKey reader = createKey(QStringLiteral("reader"), {QStringLiteral("keys:read")});
        const IssuedKey minter = createKey(
            QStringLiteral("minter"), {QStringLiteral("keys:read"), QStringLiteral("keys:write")});
        QVERIFY(!reader.record.keyId.isEmpty() && !minter.record.keyId.isEmpty());
        const Log log = readLogUntil(
            [](const Log& l) { return l.count(QStringLiteral("api_key.created")) >= 2; });

        RecordingNotifier notifier;
        AuditWatch watch(&notifier);
        watch.setSettingsSource(with(WatchSettings{}));
        const auto alerts = watch.observe(log.views());
        QCOMPARE(alerts.size(), std::size_t(1));
        const WatchAlert& alert = alerts[0];
        QCOMPARE(alert.rule, WatchAlert::Rule::KeysWriteCreated);
        QCOMPARE(alert.eventIds.size(), 1);
        QCOMPARE(alert.target.action, QStringLiteral("api_key.created"));
        QCOMPARE(alert.target.actorKeyId, m_server->ownerKeyId());
        QVERIFY(alert.text.startsWith(QStringLiteral("“minter” was created with keys:write by ")));
        QVERIFY(!alert.text.toUtf8().contains(minter.secret.reveal()));
        QVERIFY(!alert.text.toUtf8().contains(m_server->ownerKey().reveal()));
        QCOMPARE(notifier.told.size(), std::size_t(1));
        QVERIFY(watch.observe(log.views()).empty()); // once per event

        // With the key list, the owner key's creation (the server's own, no actor, every
        // scope) is one too: its details name no scopes, the list does.
        AuditWatch listed;
        listed.setSettingsSource(with(WatchSettings{}));
        listed.observeKeys(listKeys());
        const auto both = listed.observe(log.views());
        QCOMPARE(both.size(), std::size_t(2));
        QCOMPARE(both[0].text, QStringLiteral("“Owner key” was created with keys:write: it can "
                                              "create more keys."));
        QVERIFY(both[0].target.actorKeyId.isEmpty());
        QCOMPARE(both[1].eventIds, alert.eventIds);

        WatchSettings off;
        off.keysWriteCreated = false;
        AuditWatch quiet;
        quiet.setSettingsSource(with(off));
        QVERIFY(quiet.observe(log.views()).empty());
    }
};

QTEST_MAIN(TestAuditWatch)
#include "tst_auditwatch.moc"
