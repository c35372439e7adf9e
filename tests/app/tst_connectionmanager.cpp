// Several organizations side by side, each with its key in the real keychain (the private
// D-Bus session of scripts/test): switching, removal, forgetting, and a keychain that fails.
#include "AuditArchive.h"
#include "ConnectionManager.h"
#include "CredentialStore.h"
#include "KeyFormat.h"
#include "Session.h"
#include "TestServer.h"
#include "Wait.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace legba;

class TestConnectionManager : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_settingsDir;
    std::unique_ptr<QSettings> m_settings;
    std::unique_ptr<ProfileStore> m_profiles;
    std::unique_ptr<CredentialStore> m_credentials;
    std::unique_ptr<Session> m_session;
    std::unique_ptr<ConnectionManager> m_connections;
    std::unique_ptr<QTemporaryDir> m_archiveDir;

    static Profile profileFor(const test::TestServer& server, const QString& name) {
        Profile profile;
        profile.displayName = name;
        profile.baseUrl = server.baseUrl();
        profile.orgUuid = server.orgUuid();
        return profile;
    }

    CredentialStore::Outcome readKey(const Profile& profile) {
        auto outcome = test::await<CredentialStore::Outcome>(
            [&](auto done) { m_credentials->read(profile.credentialAccount(), this, done); });
        return outcome.value_or(
            CredentialStore::Outcome{CredentialStore::Status::Unavailable, {}, {}});
    }

    Profile profileNamed(const QString& name) {
        for (const Profile& profile : m_profiles->profiles()) {
            if (profile.displayName == name)
                return profile;
        }
        return {};
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
        m_archiveDir = std::make_unique<QTemporaryDir>();
        m_connections->setArchiveDataDir(m_archiveDir->path());
    }
    void cleanup() {
        m_connections.reset();
        m_archiveDir.reset();
        m_session.reset();
        m_credentials.reset();
        m_profiles.reset();
        m_settings.reset();
    }

    void twoOrganizations_switchingConnectsWithEachOnesKey() {
        test::TestServer production;
        test::TestServer staging;
        QVERIFY(production.ok() && staging.ok());

        m_connections->addOrUpdate(profileFor(production, QStringLiteral("Production")),
                                   production.ownerKey(), false);
        QTRY_COMPARE_WITH_TIMEOUT(m_session->state(), Session::State::Connected, 10000);
        m_connections->addOrUpdate(profileFor(staging, QStringLiteral("Staging")),
                                   staging.ownerKey(), false);
        QTRY_COMPARE_WITH_TIMEOUT(m_session->profile()->displayName, QStringLiteral("Staging"),
                                  10000);
        QTRY_COMPARE_WITH_TIMEOUT(m_session->state(), Session::State::Connected, 10000);
        QCOMPARE(m_session->identity()->keyId, staging.ownerKeyId());

        const Profile prod = profileNamed(QStringLiteral("Production"));
        const Profile stage = profileNamed(QStringLiteral("Staging"));
        QVERIFY(!prod.id.isEmpty() && !stage.id.isEmpty());
        QVERIFY(prod.color != stage.color); // told apart at a glance

        // Each key in its own keychain entry.
        QCOMPARE(readKey(prod).key, production.ownerKey());
        QCOMPARE(readKey(stage).key, staging.ownerKey());

        m_connections->activate(prod.id);
        QTRY_COMPARE_WITH_TIMEOUT(m_session->profile()->id, prod.id, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(m_session->state(), Session::State::Connected, 10000);
        QCOMPARE(m_session->identity()->keyId, production.ownerKeyId());
        QCOMPARE(m_profiles->currentId(), prod.id);

        // Nothing of either key in the settings file.
        m_settings->sync();
        QFile file(m_settings->fileName());
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray text = file.readAll();
        QVERIFY(!text.contains(production.ownerKey().reveal()));
        QVERIFY(!text.contains(staging.ownerKey().reveal()));

        m_connections->remove(prod.id);
        m_connections->remove(stage.id);
    }

    void removingAnOrganization_deletesItsKeychainEntry() {
        test::TestServer server;
        QVERIFY(server.ok());
        m_connections->addOrUpdate(profileFor(server, QStringLiteral("Doomed")), server.ownerKey(),
                                   false);
        QTRY_COMPARE_WITH_TIMEOUT(m_session->state(), Session::State::Connected, 10000);
        const Profile profile = profileNamed(QStringLiteral("Doomed"));
        QVERIFY(readKey(profile).ok());

        m_connections->remove(profile.id);
        QCOMPARE(m_session->state(), Session::State::Disconnected);
        QVERIFY(m_profiles->profiles().isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(readKey(profile).status, CredentialStore::Status::NotFound, 5000);
    }

    // A saved profile with an archive of its audit log beside it, and the -wal and -shm a
    // run that ended without closing it leaves.
    Profile profileWithArchive(const QString& name) {
        Profile profile;
        profile.displayName = name;
        profile.baseUrl = QUrl(QStringLiteral("https://legba.example.com"));
        profile.orgUuid = QStringLiteral("123e4567-e89b-12d3-a456-426614174000");
        profile = m_profiles->save(profile);
        const QString path = AuditArchive::pathFor(profile.id, m_archiveDir->path());
        { AuditArchive archive(path); }
        for (const char* suffix : {"-wal", "-shm"}) {
            QFile journal(path + QLatin1String(suffix));
            if (!journal.open(QIODevice::WriteOnly) || journal.write(QByteArray(1000, 'x')) != 1000)
                qFatal("cannot write %s", qPrintable(journal.fileName()));
        }
        return profile;
    }

    void archiveOf_isThereOnlyWithAFile_andCountsItsJournal() {
        Profile bare;
        bare.displayName = QStringLiteral("No archive");
        bare.baseUrl = QUrl(QStringLiteral("https://legba.example.com"));
        bare.orgUuid = QStringLiteral("123e4567-e89b-12d3-a456-426614174000");
        bare = m_profiles->save(bare);
        QVERIFY(!m_connections->archiveOf(bare.id));

        const Profile profile = profileWithArchive(QStringLiteral("Archived"));
        const std::optional<ProfileArchive> archive = m_connections->archiveOf(profile.id);
        QVERIFY(archive);
        QCOMPARE(archive->path, AuditArchive::pathFor(profile.id, m_archiveDir->path()));
        QCOMPARE(archive->bytes, QFileInfo(archive->path).size() + 2000);
        QVERIFY(archive->bytes > 2000);
    }

    void removing_keepsTheArchiveUnlessAsked() {
        const Profile profile = profileWithArchive(QStringLiteral("Kept"));
        const QString path = m_connections->archiveOf(profile.id)->path;
        QSignalSpy notices(m_connections.get(), &ConnectionManager::notice);
        m_connections->remove(profile.id);
        QVERIFY(!m_profiles->profile(profile.id));
        for (const char* suffix : {"", "-wal", "-shm"})
            QVERIFY(QFileInfo::exists(path + QLatin1String(suffix)));
        m_connections->remove(profile.id); // already gone: nothing to do, nothing said
        QCOMPARE(notices.count(), 0);
    }

    void removingWithTheArchive_deletesTheFileAndItsJournal() {
        const Profile profile = profileWithArchive(QStringLiteral("Deleted"));
        const Profile other = profileWithArchive(QStringLiteral("Other"));
        const QString path = m_connections->archiveOf(profile.id)->path;
        QSignalSpy notices(m_connections.get(), &ConnectionManager::notice);
        m_connections->remove(profile.id, ConnectionManager::ArchiveChoice::Delete);
        QVERIFY(!m_profiles->profile(profile.id));
        for (const char* suffix : {"", "-wal", "-shm"})
            QVERIFY(!QFileInfo::exists(path + QLatin1String(suffix)));
        QVERIFY(!m_connections->archiveOf(profile.id));
        QVERIFY(m_connections->archiveOf(other.id)); // another profile's archive stays
        QCOMPARE(notices.count(), 0);
    }

    // What cannot be deleted (here a folder where the -wal should be, which no one can
    // unlink, root included) is said with the file and the reason; the profile goes anyway.
    void archiveThatCannotBeDeleted_isNamedWithTheReason_andTheProfileIsRemoved() {
        const Profile profile = profileWithArchive(QStringLiteral("Stubborn"));
        const QString path = m_connections->archiveOf(profile.id)->path;
        const QString wal = path + QStringLiteral("-wal");
        QVERIFY(QFile::remove(wal));
        QVERIFY(QDir().mkpath(wal + QStringLiteral("/inside")));
        QSignalSpy notices(m_connections.get(), &ConnectionManager::notice);
        m_connections->remove(profile.id, ConnectionManager::ArchiveChoice::Delete);
        QVERIFY(!m_profiles->profile(profile.id));
        QCOMPARE(notices.count(), 1);
        const QString message = notices.first().first().toString();
        QVERIFY2(message.contains(QStringLiteral("'Stubborn' was removed")), qPrintable(message));
        QVERIFY2(message.contains(wal + QStringLiteral(": ")), qPrintable(message));
        const QString reason = message.mid(message.indexOf(wal) + wal.size() + 2);
        QVERIFY2(!reason.trimmed().isEmpty(), qPrintable(message));
        // What could go, went.
        QVERIFY(!QFileInfo::exists(path));
        QVERIFY(!QFileInfo::exists(path + QStringLiteral("-shm")));
    }

    void forgettingTheKey_keepsTheProfileAndAsksForAKey() {
        test::TestServer server;
        QVERIFY(server.ok());
        m_connections->addOrUpdate(profileFor(server, QStringLiteral("Forgetful")),
                                   server.ownerKey(), false);
        QTRY_COMPARE_WITH_TIMEOUT(m_session->state(), Session::State::Connected, 10000);
        const Profile profile = profileNamed(QStringLiteral("Forgetful"));
        QSignalSpy keyNeeded(m_connections.get(), &ConnectionManager::keyNeeded);
        m_connections->forgetKey(profile.id);
        QTRY_COMPARE_WITH_TIMEOUT(keyNeeded.count(), 1, 5000);
        QCOMPARE(m_profiles->profiles().size(), 1);
        QCOMPARE(readKey(profile).status, CredentialStore::Status::NotFound);

        // Activating it again says a key is needed, rather than failing silently.
        m_connections->activate(profile.id);
        QTRY_COMPARE_WITH_TIMEOUT(keyNeeded.count(), 2, 5000);
        m_connections->remove(profile.id);
    }

    void sessionOnlyKey_isNeverWrittenToTheKeychain() {
        test::TestServer server;
        QVERIFY(server.ok());
        m_connections->addOrUpdate(profileFor(server, QStringLiteral("Ephemeral")),
                                   server.ownerKey(), true);
        QTRY_COMPARE_WITH_TIMEOUT(m_session->state(), Session::State::Connected, 10000);
        const Profile profile = profileNamed(QStringLiteral("Ephemeral"));
        QVERIFY(m_credentials->isSessionOnly(profile.credentialAccount()));
        // A fresh store (a new run) finds nothing.
        CredentialStore nextRun(QStringLiteral("legba-admin-test"));
        auto outcome = test::await<CredentialStore::Outcome>(
            [&](auto done) { nextRun.read(profile.credentialAccount(), this, done); });
        QVERIFY(outcome);
        QCOMPARE(outcome->status, CredentialStore::Status::NotFound);
    }

    void plainHttpToARemoteHost_isRefusedBeforeAnythingIsSent() {
        Profile profile;
        profile.displayName = QStringLiteral("Insecure");
        profile.baseUrl = QUrl(QStringLiteral("http://legba.example.com"));
        profile.orgUuid = QStringLiteral("123e4567-e89b-12d3-a456-426614174000");
        QSignalSpy failed(m_connections.get(), &ConnectionManager::activationFailed);
        m_connections->addOrUpdate(profile, Secret(keyformat::generate()), true);
        QCOMPARE(failed.count(), 1);
        QVERIFY(failed.first().at(0).toString().contains(QStringLiteral("https://")));
        QVERIFY(m_profiles->profiles().isEmpty());
    }

    // LEGBA_API_TOKEN is an opaque token: any printable one connects (the server decides),
    // one that cannot be a key at all is refused naming the character and where it is.
    void environmentToken_opaqueConnects_whiteSpaceInsideIsRefusedByName() {
        server::ServerOptions options = test::TestServer::fastOptions();
        options.hostedShape = true;
        test::TestServer server(options);
        QVERIFY2(server.ok(), qPrintable(server.error()));
        Profile profile = profileFor(server, QStringLiteral("Environment"));
        profile.id = QStringLiteral("environment");
        profile.kind = Profile::Kind::Environment;

        QSignalSpy failed(m_connections.get(), &ConnectionManager::activationFailed);
        m_connections->activateTransient(profile, Secret("legba_sk_with a_space"));
        QCOMPARE(failed.count(), 1);
        const QString message = failed.first().first().toString();
        QVERIFY2(message.contains(QLatin1String("LEGBA_API_TOKEN")), qPrintable(message));
        QVERIFY2(message.contains(QLatin1String("a space at position 14")), qPrintable(message));
        QCOMPARE(m_session->state(), Session::State::Disconnected);

        m_connections->activateTransient(profile, server.ownerKey());
        QTRY_COMPARE_WITH_TIMEOUT(m_session->state(), Session::State::Connected, 15000);
        QCOMPARE(failed.count(), 1);
    }
};

QTEST_GUILESS_MAIN(TestConnectionManager)
#include "tst_connectionmanager.moc"
