// Rotating the app's own key against the hosted API's shape, end to end: the new key
// reaches the real keychain (the private D-Bus session of scripts/test) before anything
// else, the next request uses it, and what the rotation's answer left out is filled from
// GET /key. A profile from the environment rotates too, keeping the new key for the run.
// An answer without a usable key is never "not rotated": the old key is checked.
#include "ConnectionManager.h"
#include "CredentialStore.h"
#include "HostileServer.h"
#include "KeyFormat.h"
#include "KeyRotation.h"
#include "Session.h"
#include "TestServer.h"
#include "Wait.h"

#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace legba;

namespace {

constexpr int kWait = 30000;

server::ServerOptions hostedOptions() {
    server::ServerOptions options = test::TestServer::fastOptions();
    options.hostedShape = true;
    return options;
}

QByteArray keyRecordBody(const char* keyId) {
    return QByteArray(R"({"key_id":")") + keyId +
           R"(","name":"ci","created_at":"2025-01-10T12:00:00Z","last_used_at":null,)"
           R"("scopes":["instances:read"]})";
}

} // namespace

class TestKeyRotation : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_settingsDir;
    std::unique_ptr<QSettings> m_settings;
    std::unique_ptr<ProfileStore> m_profiles;
    std::unique_ptr<CredentialStore> m_credentials;
    std::unique_ptr<Session> m_session;
    std::unique_ptr<ConnectionManager> m_connections;

    CredentialStore::Outcome readKey(const Profile& profile) {
        auto outcome = test::await<CredentialStore::Outcome>(
            [&](auto done) { m_credentials->read(profile.credentialAccount(), this, done); });
        return outcome.value_or(
            CredentialStore::Outcome{CredentialStore::Status::Unavailable, {}, {}});
    }

    std::optional<KeyRotation::Outcome> rotate(KeyRotation& rotation) {
        std::optional<KeyRotation::Outcome> outcome;
        const auto refused = rotation.start(0, [&](KeyRotation::Outcome o) { outcome = o; });
        if (refused)
            qWarning("refused: %s", qPrintable(*refused));
        [&] {
            QTRY_VERIFY_WITH_TIMEOUT(outcome.has_value(), kWait);
        }();
        return outcome;
    }

    // A connected session on a hostile server that answers GET /key with `keyId`'s record
    // while `oldKeyWorks`, and POST /key/rotate with `rotateBody`.
    void connectToHostile(test::HostileServer& server, const QByteArray& rotateBody,
                          const std::shared_ptr<bool>& oldKeyWorks) {
        server.setHandler([rotateBody, oldKeyWorks](QTcpSocket* socket,
                                                    const test::RawRequest& request) {
            if (request.method == "POST")
                test::HostileServer::answer(socket, 200, rotateBody);
            else if (*oldKeyWorks)
                test::HostileServer::answer(socket, 200, keyRecordBody("key_old"));
            else
                test::HostileServer::answer(
                    socket, 401,
                    test::HostileServer::errorBody("UNAUTHORIZED", "Invalid or missing API key"));
        });
        Profile profile;
        profile.displayName = QStringLiteral("Hosted");
        profile.baseUrl = server.baseUrl();
        profile.orgUuid = QStringLiteral("123e4567-e89b-12d3-a456-426614174000");
        m_connections->addOrUpdate(profile, Secret("legba_new_api_key_xyz789"), true);
        QTRY_COMPARE_WITH_TIMEOUT(m_session->state(), Session::State::Connected, kWait);
    }

private Q_SLOTS:
    void init() {
        m_settings = std::make_unique<QSettings>(m_settingsDir.filePath(QStringLiteral("s.ini")),
                                                 QSettings::IniFormat);
        m_settings->clear();
        m_profiles = std::make_unique<ProfileStore>(m_settings.get());
        m_credentials = std::make_unique<CredentialStore>(QStringLiteral("legba-admin-test"));
        m_session = std::make_unique<Session>();
        m_connections = std::make_unique<ConnectionManager>(m_session.get(), m_profiles.get(),
                                                            m_credentials.get(), nullptr);
    }
    void cleanup() {
        m_connections.reset();
        m_session.reset();
        m_credentials.reset();
        m_profiles.reset();
        m_settings.reset();
    }

    void hostedShape_newKeyReachesTheKeychainAndTheNextRequestUsesIt() {
        test::TestServer server(hostedOptions());
        QVERIFY2(server.ok(), qPrintable(server.error()));
        Profile profile;
        profile.displayName = QStringLiteral("Hosted");
        profile.baseUrl = server.baseUrl();
        profile.orgUuid = server.orgUuid();
        m_connections->addOrUpdate(profile, server.ownerKey(), false);
        QTRY_COMPARE_WITH_TIMEOUT(m_session->state(), Session::State::Connected, kWait);
        const Profile saved = *m_session->profile();
        // The hosted GET /key names no prefix: the session shows the key's own.
        QCOMPARE(m_session->identity()->prefix,
                 keyformat::displayPrefix(server.ownerKey().reveal()));

        KeyRotation rotation(m_connections.get());
        const auto outcome = rotate(rotation);
        QVERIFY(outcome);
        QVERIFY2(outcome->rotated && outcome->stored && outcome->verified,
                 qPrintable(outcome->message));
        QVERIFY(!outcome->sessionOnly);
        QVERIFY(!outcome->mayHaveRotated);
        const IssuedKey& issued = outcome->issued;
        QVERIFY(!keyformat::hasSandboxShape(issued.secret.reveal()));
        // Filled from GET /key: the rotation's answer had only key, key_id, created_at.
        QVERIFY(!issued.record.name.isEmpty());
        QVERIFY(issued.record.scopes.contains(QStringLiteral("instances:write")));

        const CredentialStore::Outcome stored = readKey(saved);
        QVERIFY2(stored.ok(), qPrintable(stored.message));
        QCOMPARE(stored.key.reveal(), issued.secret.reveal());

        // The next request goes out with the new key, and the server knows it as the new id.
        QTRY_VERIFY_WITH_TIMEOUT(
            m_session->identity() && m_session->identity()->keyId == issued.record.keyId, kWait);
        QCOMPARE(m_session->state(), Session::State::Connected);
        const auto listed = test::await<Result<InstanceList>>(
            [&](auto done) { m_session->client()->listInstances(this, done); });
        QVERIFY(listed && listed->ok());

        // And the old key is gone.
        LegbaClient old;
        QVERIFY(!old.setEndpoint(server.endpoint()));
        old.setKey(server.ownerKey());
        const auto withOld =
            test::await<Result<ApiKey>>([&](auto done) { old.getKey(this, done); });
        QVERIFY(withOld && !withOld->ok());
        QCOMPARE(withOld->error().httpStatus, 401);
    }

    void environmentProfile_rotatesAndKeepsTheNewKeyForTheRunOnly() {
        test::TestServer server(hostedOptions());
        QVERIFY2(server.ok(), qPrintable(server.error()));
        Profile profile;
        profile.id = QStringLiteral("environment");
        profile.kind = Profile::Kind::Environment;
        profile.displayName = QStringLiteral("Environment");
        profile.baseUrl = server.baseUrl();
        profile.orgUuid = server.orgUuid();
        m_connections->activateTransient(profile, server.ownerKey());
        QTRY_COMPARE_WITH_TIMEOUT(m_session->state(), Session::State::Connected, kWait);

        KeyRotation rotation(m_connections.get());
        const auto outcome = rotate(rotation);
        QVERIFY(outcome);
        QVERIFY2(outcome->rotated && outcome->stored && outcome->verified,
                 qPrintable(outcome->message));
        QVERIFY(outcome->sessionOnly);
        QTRY_VERIFY_WITH_TIMEOUT(m_session->identity() &&
                                     m_session->identity()->keyId == outcome->issued.record.keyId,
                                 kWait);
        // Nothing was written to the keychain: the session's memory holds it.
        QVERIFY(m_credentials->isSessionOnly(profile.credentialAccount()));
        const CredentialStore::Outcome read = readKey(profile);
        QVERIFY(read.ok()); // from this run's memory
        QCOMPARE(read.key.reveal(), outcome->issued.secret.reveal());
    }

    void answerWithoutKey_oldKeyDead_saysItMayHaveRotatedAndWhatToDo() {
        test::HostileServer server;
        QVERIFY(server.listen());
        auto oldKeyWorks = std::make_shared<bool>(true);
        connectToHostile(server, R"({"key_id":"key_new","created_at":"2025-01-10T12:00:00Z"})",
                         oldKeyWorks);
        *oldKeyWorks = false; // the server rotated: the old key is gone
        KeyRotation rotation(m_connections.get());
        const auto outcome = rotate(rotation);
        QVERIFY(outcome);
        QVERIFY(!outcome->rotated);
        QVERIFY(outcome->mayHaveRotated);
        QVERIFY2(outcome->message.contains(
                     QLatin1String("may have rotated the key but sent no new key")),
                 qPrintable(outcome->message));
        QVERIFY2(outcome->message.contains(QLatin1String("no longer works")),
                 qPrintable(outcome->message));
        QVERIFY(outcome->message.contains(QLatin1String("Edit Organization or Key")));
        QVERIFY(!outcome->message.contains(QLatin1String("was not rotated")));
    }

    void answerWithoutKey_oldKeyStillWorks_saysNothingIsLost() {
        test::HostileServer server;
        QVERIFY(server.listen());
        auto oldKeyWorks = std::make_shared<bool>(true);
        connectToHostile(server, R"({"status":"ok"})", oldKeyWorks);
        KeyRotation rotation(m_connections.get());
        const auto outcome = rotate(rotation);
        QVERIFY(outcome);
        QVERIFY(!outcome->rotated);
        QVERIFY(!outcome->mayHaveRotated);
        QVERIFY2(outcome->message.contains(QLatin1String("still works")),
                 qPrintable(outcome->message));
        QCOMPARE(m_session->state(), Session::State::Connected);
    }

    void answerWithAMalformedRecord_keepsTheKey() {
        test::HostileServer server;
        QVERIFY(server.listen());
        auto oldKeyWorks = std::make_shared<bool>(true);
        // The secret is there; the date beside it is not a date. The key must survive it.
        connectToHostile(server, R"({"key":"legba_rotated_token_1","created_at":"soon"})",
                         oldKeyWorks);
        server.setHandler([](QTcpSocket* socket, const test::RawRequest& request) {
            if (request.method == "POST")
                test::HostileServer::answer(
                    socket, 200, R"({"key":"legba_rotated_token_1","created_at":"soon"})");
            else if (request.header("authorization") == "Bearer legba_rotated_token_1")
                test::HostileServer::answer(socket, 200, keyRecordBody("key_new"));
            else
                test::HostileServer::answer(
                    socket, 401,
                    test::HostileServer::errorBody("UNAUTHORIZED", "Invalid or missing API key"));
        });
        KeyRotation rotation(m_connections.get());
        const auto outcome = rotate(rotation);
        QVERIFY(outcome);
        QVERIFY2(outcome->rotated && outcome->stored && outcome->verified,
                 qPrintable(outcome->message));
        QCOMPARE(outcome->issued.secret.reveal(), QByteArray("legba_rotated_token_1"));
        QCOMPARE(outcome->issued.record.keyId, QStringLiteral("key_new"));
        QVERIFY(outcome->issued.recordProblem.contains(QLatin1String("created_at")));
        QCOMPARE(readKey(*m_session->profile()).key.reveal(), QByteArray("legba_rotated_token_1"));
    }
};

QTEST_MAIN(TestKeyRotation)
#include "tst_keyrotation.moc"
