// What may be done to an API key and doing it, without widgets: the rules that say why a
// key cannot be rotated or revoked, rotating and revoking another key, and the app's own
// key, whose revocation disconnects and empties its keychain entry. Against the real
// in-process server and the real keychain (the private D-Bus session of scripts/test).
#include "ConnectionManager.h"
#include "CredentialStore.h"
#include "KeyActions.h"
#include "KeyRotation.h"
#include "Session.h"
#include "TestServer.h"
#include "Wait.h"

#include <QSettings>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>

using namespace legba;

namespace {
constexpr int kWait = 30000;
} // namespace

class TestKeyActions : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<test::TestServer> m_server;
    QTemporaryDir m_settingsDir;
    std::unique_ptr<QSettings> m_settings;
    std::unique_ptr<ProfileStore> m_profiles;
    std::unique_ptr<CredentialStore> m_credentials;
    std::unique_ptr<Session> m_session;
    std::unique_ptr<ConnectionManager> m_connections;
    std::unique_ptr<KeyActions> m_actions;
    std::unique_ptr<Session> m_owner; // the organization's owner key, to set things up and look

    IssuedKey createKey(const QString& name, const QStringList& scopes) {
        NewKeyRequest request;
        request.name = name;
        request.scopes = scopes;
        auto issued = test::await<Result<IssuedKey>>(
            [&](auto done) { m_owner->client()->createKey(request, this, done); });
        if (!issued || !*issued)
            qFatal("could not create the key '%s'", qPrintable(name));
        return std::move(*issued).value();
    }

    ApiKey keyById(const QString& keyId) {
        auto key = test::await<Result<ApiKey>>(
            [&](auto done) { m_owner->client()->getKeyById(keyId, this, done); });
        if (!key || !*key)
            qFatal("could not read the key '%s'", qPrintable(keyId));
        return key->value();
    }

    // Saves a profile with `key` in the keychain and connects with it.
    void connectWith(const Secret& key) {
        Profile profile;
        profile.displayName = QStringLiteral("Sandbox");
        profile.baseUrl = m_server->baseUrl();
        profile.orgUuid = m_server->orgUuid();
        m_connections->addOrUpdate(profile, key, false);
        QTRY_COMPARE_WITH_TIMEOUT(m_session->state(), Session::State::Connected, kWait);
    }

    CredentialStore::Outcome readKey(const Profile& profile) {
        auto outcome = test::await<CredentialStore::Outcome>(
            [&](auto done) { m_credentials->read(profile.credentialAccount(), this, done); });
        return outcome.value_or(
            CredentialStore::Outcome{CredentialStore::Status::Unavailable, {}, {}});
    }

    std::optional<KeyActions::Outcome> waitFor(std::optional<KeyActions::Outcome>& outcome) {
        [&] {
            QTRY_VERIFY_WITH_TIMEOUT(outcome.has_value(), kWait);
        }();
        return outcome;
    }

private Q_SLOTS:
    void initTestCase() {
        m_server = std::make_unique<test::TestServer>();
        QVERIFY2(m_server->ok(), qPrintable(m_server->error()));
        m_owner = std::make_unique<Session>();
        Profile owner;
        owner.id = QStringLiteral("owner");
        owner.baseUrl = m_server->baseUrl();
        owner.orgUuid = m_server->orgUuid();
        QVERIFY(!m_owner->connectTo(owner, m_server->ownerKey()));
        QTRY_COMPARE_WITH_TIMEOUT(m_owner->state(), Session::State::Connected, kWait);
    }

    void init() {
        m_settings = std::make_unique<QSettings>(m_settingsDir.filePath(QStringLiteral("s.ini")),
                                                 QSettings::IniFormat);
        m_settings->clear();
        m_profiles = std::make_unique<ProfileStore>(m_settings.get());
        m_credentials = std::make_unique<CredentialStore>(QStringLiteral("legba-admin-test"));
        m_session = std::make_unique<Session>();
        m_connections = std::make_unique<ConnectionManager>(m_session.get(), m_profiles.get(),
                                                            m_credentials.get(), nullptr);
        m_actions = std::make_unique<KeyActions>(m_connections.get());
    }

    void cleanup() {
        m_actions.reset();
        m_connections.reset();
        m_session.reset();
        m_credentials.reset();
        m_profiles.reset();
        m_settings.reset();
    }

    void notConnected_nothingMayBeDone() {
        const IssuedKey other =
            createKey(QStringLiteral("idle"), {QStringLiteral("instances:read")});
        QCOMPARE(m_actions->whyNotGenerate(), QStringLiteral("Not connected."));
        QCOMPARE(m_actions->whyNotRotate(&other.record), QStringLiteral("Not connected."));
        QCOMPARE(m_actions->whyNotRevoke(&other.record), QStringLiteral("Not connected."));
        QVERIFY(m_actions->revoke(other.record, [](KeyActions::Outcome) {}).has_value());
        QVERIFY(!m_actions->isRunning());
    }

    void scopeRules_sayWhyAKeyCannotBeRotatedOrRevoked() {
        // A key that manages keys but cannot read the audit log.
        const IssuedKey manager = createKey(
            QStringLiteral("manager"), {QStringLiteral("keys:read"), QStringLiteral("keys:write"),
                                        QStringLiteral("instances:read")});
        const IssuedKey auditor =
            createKey(QStringLiteral("auditor"), {QStringLiteral("audit:read")});
        const IssuedKey reader =
            createKey(QStringLiteral("reader"), {QStringLiteral("instances:read")});
        connectWith(manager.secret);

        QVERIFY(m_actions->whyNotGenerate().isEmpty());
        QCOMPARE(m_actions->whyNotRotate(nullptr), QStringLiteral("Select a key to rotate."));
        QCOMPARE(m_actions->whyNotRevoke(nullptr), QStringLiteral("Select a key to revoke."));
        // A key cannot issue scopes it does not hold: rotating the auditor would.
        const QString why = m_actions->whyNotRotate(&auditor.record);
        QVERIFY2(why.contains(QStringLiteral("'audit:read'")) &&
                     why.contains(QStringLiteral("'manager'")),
                 qPrintable(why));
        QVERIFY2(why.contains(QStringLiteral("cannot issue scopes it does not hold")),
                 qPrintable(why));
        // Revoking issues nothing.
        QVERIFY(m_actions->whyNotRevoke(&auditor.record).isEmpty());
        QVERIFY(m_actions->whyNotRotate(&reader.record).isEmpty());

        ApiKey revoked = reader.record;
        revoked.status = KeyStatus::Revoked;
        QCOMPARE(m_actions->whyNotRevoke(&revoked), QStringLiteral("This key is already revoked."));
        QVERIFY(m_actions->whyNotRotate(&revoked).contains(QStringLiteral("this one is revoked")));
        ApiKey rotatedAway = reader.record;
        rotatedAway.revokedAt = QDateTime::currentDateTimeUtc().addSecs(3600);
        QVERIFY(m_actions->whyNotRotate(&rotatedAway).contains(QStringLiteral("already rotated")));
        QVERIFY(m_actions->gracePeriodAllowed());
        QVERIFY(m_actions->whyNoGracePeriod().isEmpty());
    }

    void withoutKeysWrite_onlyTheOwnKeyRotates_atOnce() {
        const IssuedKey viewer = createKey(QStringLiteral("viewer"), {QStringLiteral("keys:read")});
        const IssuedKey other = createKey(QStringLiteral("other"), {QStringLiteral("keys:read")});
        connectWith(viewer.secret);
        const ApiKey own = *m_session->identity();
        QVERIFY(m_actions->isOwnKey(own));
        QVERIFY(!m_actions->isOwnKey(other.record));

        QVERIFY(m_actions->whyNotGenerate().contains(QStringLiteral("keys:write")));
        QVERIFY(m_actions->whyNotRevoke(&other.record).contains(QStringLiteral("keys:write")));
        QVERIFY(m_actions->whyNotRevoke(&own).contains(QStringLiteral("keys:write")));
        QVERIFY(m_actions->whyNotRotate(&other.record).contains(QStringLiteral("keys:write")));
        // POST /key/rotate needs no scope: the key in use can always be replaced.
        QVERIFY(m_actions->whyNotRotate(&own).isEmpty());
        QVERIFY(!m_actions->gracePeriodAllowed());
        QVERIFY(m_actions->whyNoGracePeriod().contains(QStringLiteral("only be rotated at once")));
    }

    void rotateAnotherKey_givesTheNewKeyOnce_andTheOldOneIsRotatedAway() {
        const IssuedKey manager = createKey(
            QStringLiteral("rotator"), {QStringLiteral("keys:read"), QStringLiteral("keys:write"),
                                        QStringLiteral("instances:read")});
        const IssuedKey target =
            createKey(QStringLiteral("ci-runner"), {QStringLiteral("instances:read")});
        connectWith(manager.secret);

        std::optional<KeyActions::Outcome> outcome;
        QVERIFY(!m_actions->rotate(target.record, 0,
                                   [&](KeyActions::Outcome o) { outcome = std::move(o); }));
        QVERIFY(m_actions->isRunning());
        // One at a time.
        QVERIFY(m_actions->revoke(target.record, [](KeyActions::Outcome) {}).has_value());
        QVERIFY(waitFor(outcome));
        QVERIFY(!m_actions->isRunning());
        QVERIFY(outcome->done);
        QVERIFY(outcome->issued);
        QCOMPARE(outcome->reveal, KeyActions::Reveal::Rotated);
        QVERIFY(outcome->words.isEmpty());
        QVERIFY(!outcome->issued->secret.isEmpty());
        QVERIFY(outcome->issued->record.keyId != target.record.keyId);
        QVERIFY(keyById(target.record.keyId).revokedAt.isValid());
        // The session's own key is untouched.
        QCOMPARE(m_session->state(), Session::State::Connected);

        // Rotating it again (the record shown is out of date) fails on the server: the words
        // say what failed and why.
        std::optional<KeyActions::Outcome> again;
        QVERIFY(!m_actions->rotate(target.record, 0,
                                   [&](KeyActions::Outcome o) { again = std::move(o); }));
        QVERIFY(waitFor(again));
        QVERIFY(!again->done);
        QVERIFY(again->failure);
        QCOMPARE(again->words.title, QStringLiteral("The key was not rotated."));
        QVERIFY2(again->words.detail.contains(QStringLiteral("Request id: req_")),
                 qPrintable(again->words.detail));
    }

    void revokeAnotherKey_givesItsRevokedRecord() {
        const IssuedKey manager = createKey(
            QStringLiteral("revoker"), {QStringLiteral("keys:read"), QStringLiteral("keys:write")});
        const IssuedKey target =
            createKey(QStringLiteral("old laptop"), {QStringLiteral("keys:read")});
        connectWith(manager.secret);

        std::optional<KeyActions::Outcome> outcome;
        QVERIFY(!m_actions->revoke(target.record,
                                   [&](KeyActions::Outcome o) { outcome = std::move(o); }));
        QVERIFY(waitFor(outcome));
        QVERIFY(outcome->done);
        QVERIFY(!outcome->disconnected);
        QVERIFY(outcome->revoked);
        QCOMPARE(outcome->revoked->keyId, target.record.keyId);
        QVERIFY(outcome->revoked->status == KeyStatus::Revoked);
        QVERIFY(keyById(target.record.keyId).status == KeyStatus::Revoked);
        QCOMPARE(m_session->state(), Session::State::Connected);
    }

    void revokeOwnKey_disconnectsAndEmptiesTheKeychainEntry() {
        const IssuedKey own = createKey(
            QStringLiteral("self"), {QStringLiteral("keys:read"), QStringLiteral("keys:write")});
        connectWith(own.secret);
        const Profile profile = *m_session->profile();
        QVERIFY(readKey(profile).ok());

        std::optional<KeyActions::Outcome> outcome;
        QVERIFY(!m_actions->revoke(*m_session->identity(),
                                   [&](KeyActions::Outcome o) { outcome = std::move(o); }));
        QVERIFY(waitFor(outcome));
        QVERIFY(outcome->done);
        QVERIFY(outcome->disconnected);
        QCOMPARE(outcome->words.tone, StatusWords::Tone::Info);
        QVERIFY2(outcome->words.title.contains(QStringLiteral("'self'")),
                 qPrintable(outcome->words.title));
        QCOMPARE(m_session->state(), Session::State::Disconnected);
        QVERIFY(keyById(own.record.keyId).status == KeyStatus::Revoked);
        // The worthless key is not offered again on the next start.
        QTRY_COMPARE_WITH_TIMEOUT(readKey(profile).status, CredentialStore::Status::NotFound,
                                  kWait);
    }

    void rotateOwnKey_storesTheNewKeyBeforeShowingIt() {
        const IssuedKey own =
            createKey(QStringLiteral("self-rotating"),
                      {QStringLiteral("keys:read"), QStringLiteral("keys:write")});
        connectWith(own.secret);
        const Profile profile = *m_session->profile();

        std::optional<KeyActions::Outcome> outcome;
        QVERIFY(!m_actions->rotate(*m_session->identity(), 0,
                                   [&](KeyActions::Outcome o) { outcome = std::move(o); }));
        QVERIFY(m_actions->isRunning());
        QVERIFY(waitFor(outcome));
        QVERIFY2(outcome->done, qPrintable(outcome->words.detail));
        QCOMPARE(outcome->reveal, KeyActions::Reveal::OwnRotated);
        QVERIFY(!outcome->warning);
        QVERIFY(outcome->notice.isEmpty());
        QVERIFY(outcome->issued);
        const CredentialStore::Outcome stored = readKey(profile);
        QVERIFY2(stored.ok(), qPrintable(stored.message));
        QCOMPARE(stored.key.reveal(), outcome->issued->secret.reveal());
        QCOMPARE(m_session->identity()->keyId, outcome->issued->record.keyId);
    }

    void rotateOwnKey_keychainRefuses_showsTheKeyWithAWarning() {
        const IssuedKey own = createKey(
            QStringLiteral("unsaved"), {QStringLiteral("keys:read"), QStringLiteral("keys:write")});
        connectWith(own.secret);
        m_actions->ownKeyRotation()->setPersist(
            [](const Profile&, const Secret&, QObject*, std::function<void(bool, QString)> done) {
                done(false, QStringLiteral("The keychain is locked."));
            });
        std::optional<KeyActions::Outcome> outcome;
        QVERIFY(!m_actions->rotate(*m_session->identity(), 0,
                                   [&](KeyActions::Outcome o) { outcome = std::move(o); }));
        QVERIFY(waitFor(outcome));
        QVERIFY(outcome->done);
        QCOMPARE(outcome->reveal, KeyActions::Reveal::OwnRotatedUnsaved);
        QVERIFY(outcome->warning);
        QVERIFY2(outcome->notice.contains(QStringLiteral("The keychain is locked.")),
                 qPrintable(outcome->notice));
        QVERIFY(outcome->notice.contains(QStringLiteral("until it quits")));
    }

    void rotateOwnKey_graceWithoutKeysWrite_isRefusedWithWords() {
        const IssuedKey viewer =
            createKey(QStringLiteral("no grace"), {QStringLiteral("keys:read")});
        connectWith(viewer.secret);
        std::optional<KeyActions::Outcome> outcome;
        QVERIFY(!m_actions->rotate(*m_session->identity(), 3600,
                                   [&](KeyActions::Outcome o) { outcome = std::move(o); }));
        QVERIFY(outcome); // at once: nothing was sent
        QVERIFY(!outcome->done);
        QCOMPARE(outcome->words.title, QStringLiteral("The key was not rotated."));
        QVERIFY(outcome->words.detail.contains(QStringLiteral("keys:write")));
        QVERIFY(!m_actions->isRunning());
    }
    // ---- listing, generating, "copy as curl" ----

    static bool hasKey(const KeyList& list, const QString& keyId) {
        return std::any_of(list.keys.begin(), list.keys.end(),
                           [&](const ApiKey& key) { return key.keyId == keyId; });
    }

    void notConnected_listsAndGeneratesNothing() {
        QVERIFY(!m_actions->canList());
        bool called = false;
        QVERIFY(!m_actions->list(false, [&](const Result<KeyList>&) { called = true; }));
        QVERIFY(!m_actions->isListing());
        const std::optional<QString> refused =
            m_actions->create({QStringLiteral("never"), {QStringLiteral("instances:read")}, {}},
                              this, [&](const Result<IssuedKey>&) { called = true; });
        QVERIFY(refused == std::optional<QString>(QStringLiteral("Not connected.")));
        QVERIFY(!m_actions->isCreating());
        QVERIFY(m_actions->curlCommand(nullptr, false).isEmpty());
        QVERIFY(!called);
    }

    void list_oneInFlight_revokedOnlyWhenAsked_andCancel() {
        const IssuedKey lister = createKey(
            QStringLiteral("lister"), {QStringLiteral("keys:read"), QStringLiteral("keys:write")});
        const IssuedKey gone =
            createKey(QStringLiteral("gone from the list"), {QStringLiteral("instances:read")});
        auto revoked = test::await<Result<Done>>(
            [&](auto done) { m_owner->client()->revokeKey(gone.record.keyId, this, done); });
        QVERIFY(revoked && revoked->ok());
        connectWith(lister.secret);

        std::optional<Result<KeyList>> active;
        QVERIFY(m_actions->canList());
        QVERIFY(
            m_actions->list(false, [&](Result<KeyList> result) { active = std::move(result); }));
        QVERIFY(m_actions->isListing());
        // Never two list requests in flight.
        QVERIFY(!m_actions->canList());
        bool second = false;
        QVERIFY(!m_actions->list(true, [&](const Result<KeyList>&) { second = true; }));
        QTRY_VERIFY_WITH_TIMEOUT(active.has_value(), kWait);
        QVERIFY(active->ok());
        QVERIFY(!m_actions->isListing());
        QVERIFY(hasKey(active->value(), lister.record.keyId));
        QVERIFY(!hasKey(active->value(), gone.record.keyId));

        std::optional<Result<KeyList>> all;
        QVERIFY(m_actions->list(true, [&](Result<KeyList> result) { all = std::move(result); }));
        QTRY_VERIFY_WITH_TIMEOUT(all.has_value(), kWait);
        QVERIFY(all->ok());
        QVERIFY(hasKey(all->value(), gone.record.keyId));

        // A scan lists every key, revoked ones too, beside the pane's list.
        std::optional<Result<KeyList>> scanned;
        bool cancelledAnswered = false;
        QVERIFY(m_actions->list(false, [&](const Result<KeyList>&) { cancelledAnswered = true; }));
        RequestHandle scan = m_actions->listForScan(
            this, [&](Result<KeyList> result) { scanned = std::move(result); });
        QVERIFY(scan.isRunning());
        // Cancelled: its answer never comes, and another may start at once.
        m_actions->cancelList();
        QVERIFY(!m_actions->isListing());
        QVERIFY(m_actions->canList());
        QTRY_VERIFY_WITH_TIMEOUT(scanned.has_value(), kWait);
        QVERIFY(scanned->ok());
        QVERIFY(hasKey(scanned->value(), gone.record.keyId));
        QVERIFY(!cancelledAnswered);
        QVERIFY(!second);
    }

    void create_generatesAKey_oneAtATime() {
        const IssuedKey maker = createKey(
            QStringLiteral("maker"), {QStringLiteral("keys:read"), QStringLiteral("keys:write"),
                                      QStringLiteral("instances:read")});
        connectWith(maker.secret);
        std::optional<Result<IssuedKey>> issued;
        QVERIFY(!m_actions->create(
            {QStringLiteral("ci deploy"), {QStringLiteral("instances:read")}, {}}, this,
            [&](Result<IssuedKey> result) { issued = std::move(result); }));
        QVERIFY(m_actions->isCreating());
        const std::optional<QString> busy = m_actions->create(
            {QStringLiteral("second"), {QStringLiteral("instances:read")}, {}}, this,
            [](const Result<IssuedKey>&) { QFAIL("a second key was generated"); });
        QVERIFY(busy.has_value());
        QTRY_VERIFY_WITH_TIMEOUT(issued.has_value(), kWait);
        QVERIFY(issued->ok());
        QVERIFY(!m_actions->isCreating());
        QCOMPARE(issued->value().record.name, QStringLiteral("ci deploy"));
        QVERIFY(!issued->value().secret.isEmpty());
        QCOMPARE(keyById(issued->value().record.keyId).name, QStringLiteral("ci deploy"));
    }

    void create_serverRefusal_comesBackAsItIs() {
        const IssuedKey narrow = createKey(
            QStringLiteral("narrow"), {QStringLiteral("keys:read"), QStringLiteral("keys:write")});
        connectWith(narrow.secret);
        // A key cannot issue scopes it does not hold: the server says which.
        std::optional<Result<IssuedKey>> issued;
        QVERIFY(!m_actions->create({QStringLiteral("wider"), {QStringLiteral("audit:read")}, {}},
                                   this,
                                   [&](Result<IssuedKey> result) { issued = std::move(result); }));
        QTRY_VERIFY_WITH_TIMEOUT(issued.has_value(), kWait);
        QVERIFY(!issued->ok());
        QVERIFY(issued->error().kind == ApiError::Kind::Http);
        QVERIFY2(issued->error().message.contains(QStringLiteral("audit:read")),
                 qPrintable(issued->error().message));
    }

    void create_withoutKeysWrite_isRefusedWithTheScope() {
        const IssuedKey viewer = createKey(QStringLiteral("looker"), {QStringLiteral("keys:read")});
        connectWith(viewer.secret);
        const std::optional<QString> refused = m_actions->create(
            {QStringLiteral("never"), {QStringLiteral("keys:read")}, {}}, this,
            [](const Result<IssuedKey>&) { QFAIL("generated without keys:write"); });
        QVERIFY(refused && refused->contains(QStringLiteral("keys:write")));
        QVERIFY(!m_actions->isCreating());
    }

    void curlCommands_describeTheListAndOneKey_withoutTheKey() {
        const IssuedKey user = createKey(QStringLiteral("curl"), {QStringLiteral("keys:read")});
        connectWith(user.secret);
        const QString active = m_actions->curlCommand(nullptr, false);
        const QString all = m_actions->curlCommand(nullptr, true);
        const QString one = m_actions->curlCommand(&user.record, true);
        for (const QString& command : {active, all, one}) {
            QVERIFY2(command.startsWith(QStringLiteral("curl -X GET")), qPrintable(command));
            QVERIFY2(command.contains(QStringLiteral("$LEGBA_API_TOKEN")), qPrintable(command));
            QVERIFY(!command.contains(QString::fromLatin1(user.secret.reveal())));
        }
        QVERIFY2(active.contains(QStringLiteral("/keys")), qPrintable(active));
        QVERIFY(active != all); // the list as shown: revoked ones or not
        QVERIFY2(all.contains(QStringLiteral("revoked")), qPrintable(all));
        QVERIFY2(one.contains(user.record.keyId), qPrintable(one));
    }
};

QTEST_GUILESS_MAIN(TestKeyActions)
#include "tst_keyactions.moc"
