// Reminders without widgets: which keys and instances deserve one, that each is told once
// per run (and again when its state changes), and that a list the key may not read, or a
// server without the route, is no reminder and no failure. Against the real in-process
// server, through the Notifier seam and an injected clock: no desktop, no sleeps.
#include "HostileServer.h"
#include "ReminderMonitor.h"
#include "Session.h"
#include "TestServer.h"
#include "Wait.h"

#include <QSettings>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace legba;
using namespace std::chrono_literals;

namespace {

constexpr int kWait = 30000;

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
    // What was told about one item.
    QList<Told> about(const QString& itemId) const {
        QList<Told> found;
        for (const Told& one : told) {
            if (one.target.itemId == itemId)
                found << one;
        }
        return found;
    }
    QList<Told> told;
};

ReminderSettings only(bool expiring, bool unused, bool instances, int hours = 24) {
    ReminderSettings settings;
    settings.expiringKeys = expiring;
    settings.unusedKeys = unused;
    settings.longRunningInstances = instances;
    settings.instanceHours = hours;
    return settings;
}

} // namespace

class TestReminderMonitor : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<test::TestServer> m_server;
    std::unique_ptr<Session> m_owner; // the organization's owner key: all scopes
    RecordingNotifier m_notifier;
    ReminderSettings m_settings;
    QDateTime m_now;

    std::unique_ptr<ReminderMonitor> monitorFor(Session* session) {
        auto monitor = std::make_unique<ReminderMonitor>(session, &m_notifier);
        monitor->setClock([this] { return m_now; });
        monitor->setSettingsSource([this] { return m_settings; });
        return monitor;
    }

    static bool poll(ReminderMonitor* monitor) {
        QSignalSpy finished(monitor, &ReminderMonitor::pollFinished);
        monitor->pollNow();
        return finished.count() > 0 || finished.wait(kWait);
    }

    ApiKey createKey(const QString& name, const QStringList& scopes, const QDateTime& expiresAt,
                     Secret* secret = nullptr) {
        NewKeyRequest request;
        request.name = name;
        request.scopes = scopes;
        request.expiresAt = expiresAt;
        auto issued = test::await<Result<IssuedKey>>(
            [&](auto done) { m_owner->client()->createKey(request, this, done); });
        if (!issued || !*issued)
            qFatal("could not create the key '%s'", qPrintable(name));
        if (secret)
            *secret = std::move(issued->value().secret);
        return issued->value().record;
    }

    Instance runningInstance() {
        NewInstanceRequest request;
        request.image = QStringLiteral("ubuntu-20.04");
        auto created = test::await<Result<Instance>>(
            [&](auto done) { m_owner->client()->createInstance(request, this, done); });
        if (!created || !*created)
            qFatal("could not create an instance");
        const QString uuid = created->value().instanceUuid;
        Instance instance;
        [&] {
            QTRY_VERIFY_WITH_TIMEOUT(
                [&] {
                    auto read = test::await<Result<Instance>>(
                        [&](auto done) { m_owner->client()->getInstance(uuid, this, done); });
                    if (!read || !*read)
                        return false;
                    instance = read->value();
                    return instance.status == InstanceStatus::Running;
                }(),
                kWait);
        }();
        return instance;
    }

    std::unique_ptr<Session> connectWith(const QUrl& baseUrl, const QString& orgUuid,
                                         const Secret& key) {
        auto session = std::make_unique<Session>();
        Profile profile;
        profile.id = QStringLiteral("p");
        profile.baseUrl = baseUrl;
        profile.orgUuid = orgUuid;
        if (session->connectTo(profile, key))
            qFatal("cannot connect");
        return session;
    }

private Q_SLOTS:
    void initTestCase() {
        m_server = std::make_unique<test::TestServer>();
        QVERIFY2(m_server->ok(), qPrintable(m_server->error()));
        m_owner = connectWith(m_server->baseUrl(), m_server->orgUuid(), m_server->ownerKey());
        QTRY_COMPARE_WITH_TIMEOUT(m_owner->state(), Session::State::Connected, kWait);
    }

    void init() {
        m_notifier.told.clear();
        m_settings = ReminderSettings{};
        m_now = QDateTime::currentDateTimeUtc();
    }

    void decisions_countOnlyWhatIsDue() {
        const QDateTime now =
            QDateTime::fromString(QStringLiteral("2026-06-01T12:00:00Z"), Qt::ISODate);
        auto key = [&](const QString& id, int createdDaysAgo) {
            ApiKey k;
            k.keyId = id;
            k.name = id;
            k.prefix = QStringLiteral("legba_") + id;
            k.createdAt = now.addDays(-createdDaysAgo);
            k.lastUsedAt = now.addDays(-1);
            return k;
        };
        std::vector<ApiKey> keys;
        keys.push_back(key(QStringLiteral("in3days"), 10));
        keys.back().expiresAt = now.addDays(3);
        keys.push_back(key(QStringLiteral("in8days"), 10));
        keys.back().expiresAt = now.addDays(8);
        keys.push_back(key(QStringLiteral("expired"), 10));
        keys.back().expiresAt = now.addSecs(-60);
        keys.push_back(key(QStringLiteral("revokedSoon"), 10));
        keys.back().expiresAt = now.addDays(1);
        keys.back().status = KeyStatus::Revoked;
        keys.push_back(key(QStringLiteral("neverUsedOld"), 91));
        keys.back().lastUsedAt = {};
        keys.push_back(key(QStringLiteral("neverUsedNew"), 89));
        keys.back().lastUsedAt = {};
        keys.push_back(key(QStringLiteral("usedLongAgo"), 400));
        keys.back().lastUsedAt = now.addDays(-90);

        auto ids = [](const std::vector<Reminder>& found, Reminder::Kind kind) {
            QStringList list;
            for (const Reminder& reminder : found) {
                if (reminder.kind == kind)
                    list << reminder.target.itemId;
            }
            return list;
        };
        const auto all = reminders::forKeys(keys, only(true, true, false), now);
        QCOMPARE(ids(all, Reminder::Kind::KeyExpiring), QStringList{QStringLiteral("in3days")});
        QCOMPARE(ids(all, Reminder::Kind::KeyUnused),
                 (QStringList{QStringLiteral("neverUsedOld"), QStringLiteral("usedLongAgo")}));
        for (const Reminder& reminder : all)
            QCOMPARE(reminder.target.pane, ReminderTarget::Pane::Keys);
        QVERIFY(reminders::forKeys(keys, only(false, false, false), now).empty());
        QCOMPARE(ids(reminders::forKeys(keys, only(false, true, false), now),
                     Reminder::Kind::KeyExpiring),
                 QStringList());

        std::vector<Instance> instances(3);
        instances[0].instanceUuid = QStringLiteral("old-running");
        instances[0].status = InstanceStatus::Running;
        instances[0].createdAt = now.addSecs(-5 * 3600);
        instances[1].instanceUuid = QStringLiteral("new-running");
        instances[1].status = InstanceStatus::Running;
        instances[1].createdAt = now.addSecs(-3 * 3600);
        instances[2].instanceUuid = QStringLiteral("old-terminated");
        instances[2].status = InstanceStatus::Terminated;
        instances[2].createdAt = now.addSecs(-50 * 3600);
        const auto running = reminders::forInstances(instances, only(true, true, true, 4), now);
        QCOMPARE(running.size(), size_t(1));
        QCOMPARE(running[0].target.itemId, QStringLiteral("old-running"));
        QCOMPARE(running[0].target.pane, ReminderTarget::Pane::Instances);
        QVERIFY(reminders::forInstances(instances, only(true, true, false, 4), now).empty());
    }

    void expiringKey_isToldOnce() {
        const ApiKey key = createKey(QStringLiteral("expires-soon"),
                                     {QStringLiteral("instances:read")}, m_now.addDays(3));
        m_settings = only(true, false, false);
        auto monitor = monitorFor(m_owner.get());
        QVERIFY(poll(monitor.get()));
        const QList<Told> told = m_notifier.about(key.keyId);
        QCOMPARE(told.size(), 1);
        QCOMPARE(told[0].target.pane, ReminderTarget::Pane::Keys);
        QVERIFY2(told[0].text.contains(QLatin1String("'expires-soon'")), qPrintable(told[0].text));
        QCOMPARE(told[0].title, QStringLiteral("An API key expires in 3 days"));

        // The next poll finds the same key in the same state: nothing new.
        const int before = monitor->raisedCount();
        QVERIFY(poll(monitor.get()));
        QCOMPARE(m_notifier.about(key.keyId).size(), 1);
        QCOMPARE(monitor->raisedCount(), before);

        // The same key with another expiry is news again.
        ApiKey moved = key;
        moved.expiresAt = key.expiresAt.addDays(1);
        monitor->observeKeys({moved});
        QCOMPARE(m_notifier.about(key.keyId).size(), 2);
        monitor->observeKeys({moved});
        QCOMPARE(m_notifier.about(key.keyId).size(), 2);
    }

    void expiringKeysOff_nothingTold() {
        const ApiKey key = createKey(QStringLiteral("expires-too"),
                                     {QStringLiteral("instances:read")}, m_now.addDays(2));
        m_settings = only(false, false, false);
        auto monitor = monitorFor(m_owner.get());
        QVERIFY(poll(monitor.get()));
        QVERIFY(m_notifier.told.isEmpty());
    }

    void keyUnusedFor90Days_isTold() {
        const ApiKey key = createKey(QStringLiteral("never-used"),
                                     {QStringLiteral("instances:read")}, QDateTime());
        m_settings = only(false, true, false);
        auto monitor = monitorFor(m_owner.get());
        QVERIFY(poll(monitor.get()));
        QCOMPARE(m_notifier.about(key.keyId).size(), 0); // created just now

        m_now = m_now.addDays(91);
        QVERIFY(poll(monitor.get()));
        const QList<Told> told = m_notifier.about(key.keyId);
        QCOMPARE(told.size(), 1);
        QVERIFY2(told[0].text.contains(QLatin1String("never been used")), qPrintable(told[0].text));
        QVERIFY(told[0].text.contains(key.prefix));
    }

    void longRunningInstance_toldOnlyWhenOn() {
        const Instance instance = runningInstance();
        m_now = instance.createdAt.addSecs(3 * 3600);
        auto monitor = monitorFor(m_owner.get());

        m_settings = only(false, false, false, 2);
        QVERIFY(poll(monitor.get()));
        QVERIFY(m_notifier.told.isEmpty());

        m_settings = only(false, false, true, 4); // not yet 4 hours
        QVERIFY(poll(monitor.get()));
        QVERIFY(m_notifier.told.isEmpty());

        m_settings = only(false, false, true, 2);
        QVERIFY(poll(monitor.get()));
        const QList<Told> told = m_notifier.about(instance.instanceUuid);
        QCOMPARE(told.size(), 1);
        QCOMPARE(told[0].target.pane, ReminderTarget::Pane::Instances);
        QVERIFY2(told[0].title.contains(QLatin1String("running for 3 hours")),
                 qPrintable(told[0].title));
        QVERIFY(poll(monitor.get()));
        QCOMPARE(m_notifier.about(instance.instanceUuid).size(), 1);
    }

    void listFedByAPane_isNotAskedAgainWithinThePeriod() {
        m_settings = only(false, false, true, 2);
        auto monitor = monitorFor(m_owner.get());
        monitor->observeInstances({});
        // A poll now skips instances: it finishes at once, without a request.
        QSignalSpy finished(monitor.get(), &ReminderMonitor::pollFinished);
        monitor->pollNow();
        QCOMPARE(finished.count(), 1);
        QVERIFY(!monitor->isPolling());
        // Once the period has passed, it asks again.
        m_now = m_now.addSecs(11 * 60);
        monitor->pollNow();
        QVERIFY(monitor->isPolling());
        QVERIFY(finished.wait(kWait));
        QCOMPARE(finished.count(), 2);
    }

    void connecting_pollsOnce() {
        createKey(QStringLiteral("expires-on-connect"), {QStringLiteral("instances:read")},
                  m_now.addDays(1));
        m_settings = only(true, false, false);
        auto session = std::make_unique<Session>();
        auto monitor = monitorFor(session.get());
        QSignalSpy finished(monitor.get(), &ReminderMonitor::pollFinished);
        Profile profile;
        profile.id = QStringLiteral("p");
        profile.baseUrl = m_server->baseUrl();
        profile.orgUuid = m_server->orgUuid();
        QVERIFY(!session->connectTo(profile, m_server->ownerKey()));
        QVERIFY(finished.wait(kWait));
        QVERIFY(!m_notifier.told.isEmpty());
    }

    void keyWithoutKeysRead_nothingAskedNothingTold() {
        Secret secret;
        createKey(QStringLiteral("instances-only"), {QStringLiteral("instances:read")},
                  m_now.addDays(1), &secret);
        createKey(QStringLiteral("expires-unseen"), {QStringLiteral("instances:read")},
                  m_now.addDays(1));
        auto session = connectWith(m_server->baseUrl(), m_server->orgUuid(), secret);
        QTRY_COMPARE_WITH_TIMEOUT(session->state(), Session::State::Connected, kWait);
        m_settings = only(true, true, true, 1);
        auto monitor = monitorFor(session.get());
        QVERIFY(poll(monitor.get()));
        QVERIFY(m_notifier.told.isEmpty());
    }

    void forbiddenAndMissingRoutes_noReminderNoError() {
        QFETCH(int, status);
        test::HostileServer server;
        QVERIFY(server.listen());
        server.setHandler([status](QTcpSocket* socket, const test::RawRequest& request) {
            if (request.target.split('?').first().endsWith("/api/key")) {
                test::HostileServer::answer(
                    socket, 200,
                    R"({"key_id":"key_a","name":"ci","created_at":"2025-01-10T12:00:00Z",)"
                    R"("last_used_at":null,"expires_at":"2025-01-11T12:00:00Z",)"
                    R"("scopes":["instances:read","keys:read"]})");
            } else {
                test::HostileServer::answer(
                    socket, status,
                    status == 403 ? test::HostileServer::errorBody("FORBIDDEN", "No.")
                                  : test::HostileServer::errorBody("NOT_FOUND", "No such route"));
            }
        });
        auto session =
            connectWith(server.baseUrl(), QStringLiteral("123e4567-e89b-12d3-a456-426614174000"),
                        Secret("legba_new_api_key_xyz789"));
        QTRY_COMPARE_WITH_TIMEOUT(session->state(), Session::State::Connected, kWait);
        m_settings = only(true, true, true, 1);
        m_now = QDateTime::fromString(QStringLiteral("2025-01-11T00:00:00Z"), Qt::ISODate);
        auto monitor = monitorFor(session.get());
        QVERIFY(poll(monitor.get()));
        QVERIFY(m_notifier.told.isEmpty());
        int listed = 0;
        for (const test::RawRequest& request : server.requests()) {
            const QByteArray path = request.target.split('?').first();
            if (path.endsWith("/api/keys") || path.endsWith("/api/instances"))
                ++listed;
        }
        QCOMPARE(listed, 2); // both lists were asked, and their refusal is no reminder
        QCOMPARE(session->state(), Session::State::Connected);
    }
    void forbiddenAndMissingRoutes_noReminderNoError_data() {
        QTest::addColumn<int>("status");
        QTest::newRow("403") << 403;
        QTest::newRow("404") << 404;
    }

    void notConnected_asksNothing() {
        Session session;
        auto monitor = monitorFor(&session);
        QSignalSpy finished(monitor.get(), &ReminderMonitor::pollFinished);
        monitor->pollNow();
        QCOMPARE(finished.count(), 1);
        QVERIFY(!monitor->isPolling());
        QVERIFY(m_notifier.told.isEmpty());
    }

    void settings_defaultsAndBadValues() {
        QTemporaryDir dir;
        QSettings settings(dir.filePath(QStringLiteral("s.ini")), QSettings::IniFormat);
        const ReminderSettings defaults = ReminderSettings::load(settings);
        QVERIFY(defaults.expiringKeys);
        QVERIFY(defaults.unusedKeys);
        QVERIFY(!defaults.longRunningInstances);
        QCOMPARE(defaults.instanceHours, ReminderSettings::kDefaultInstanceHours);

        ReminderSettings changed = only(false, false, true, 6);
        changed.save(settings);
        QCOMPARE(ReminderSettings::load(settings), changed);

        settings.setValue(QStringLiteral("reminders/expiringKeys"), QStringLiteral("maybe"));
        settings.setValue(QStringLiteral("reminders/instanceHours"), -3);
        const ReminderSettings bad = ReminderSettings::load(settings);
        QVERIFY(bad.expiringKeys);
        QCOMPARE(bad.instanceHours, ReminderSettings::kDefaultInstanceHours);
    }
};

QTEST_GUILESS_MAIN(TestReminderMonitor)
#include "tst_remindermonitor.moc"
