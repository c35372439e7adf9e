// No keychain at all: this process's session bus points nowhere, so every QtKeychain job
// fails the way it does on a desktop without a keyring. Nothing may be lost, and a
// "not found" must never be mistaken for "no key" after our own write failed.
#include "ConnectionManager.h"
#include "CredentialStore.h"
#include "KeyFormat.h"
#include "Session.h"
#include "TestServer.h"
#include "Wait.h"

#include <QFile>
#include <QProcess>
#include <QScopeGuard>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace legba;

class TestKeychainUnavailable : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        // Before the first job: QtKeychain connects to the session bus lazily.
        qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/legba-no-bus");
    }

    void writeFails_thenReadIsUnavailableNotNotFound() {
        CredentialStore store(QStringLiteral("legba-admin-test"));
        const QString account = QStringLiteral("profile/no-keychain");
        auto written = test::await<CredentialStore::Outcome>(
            [&](auto done) { store.write(account, Secret(keyformat::generate()), this, done); });
        QVERIFY(written);
        QVERIFY(!written->ok());
        QVERIFY(written->message.contains(QStringLiteral("keychain")));
        auto read = test::await<CredentialStore::Outcome>(
            [&](auto done) { store.read(account, this, done); });
        QVERIFY(read);
        QVERIFY(read->status != CredentialStore::Status::NotFound);
        QVERIFY(!read->ok());
    }

    void addingAnOrganization_keepsTheKeyForThisSessionAndSaysSo() {
        test::TestServer server;
        QVERIFY2(server.ok(), qPrintable(server.error()));
        QTemporaryDir dir;
        QSettings settings(dir.filePath(QStringLiteral("s.ini")), QSettings::IniFormat);
        ProfileStore profiles(&settings);
        CredentialStore credentials(QStringLiteral("legba-admin-test"));
        Session session;
        ConnectionManager connections(&session, &profiles, &credentials, nullptr);
        QSignalSpy storageFailed(&connections, &ConnectionManager::keyStorageFailed);

        Profile profile;
        profile.displayName = QStringLiteral("No keychain");
        profile.baseUrl = server.baseUrl();
        profile.orgUuid = server.orgUuid();
        connections.addOrUpdate(profile, server.ownerKey(), false);

        QTRY_COMPARE_WITH_TIMEOUT(storageFailed.count(), 1, 10000);
        QVERIFY(storageFailed.first().at(1).toString().contains(QStringLiteral("session only")) ||
                storageFailed.first().at(1).toString().contains(QStringLiteral("keychain")));
        // The key the user typed is not lost: the connection goes ahead with it.
        QTRY_COMPARE_WITH_TIMEOUT(session.state(), Session::State::Connected, 10000);
        const Profile saved = profiles.profiles().constFirst();
        QVERIFY(credentials.isSessionOnly(saved.credentialAccount()));
        auto again = test::await<CredentialStore::Outcome>(
            [&](auto done) { credentials.read(saved.credentialAccount(), this, done); });
        QVERIFY(again && again->ok());
        QCOMPARE(again->key, server.ownerKey());
    }

    // A session bus with no Secret Service on it: the desktop has no keyring program. The
    // message says what to install, not only that something failed.
    void noSecretService_saysWhatToInstall() {
        // A bus of its own with no service directories, so that nothing (gnome-keyring is
        // installed here) can be started to answer for org.freedesktop.secrets. Last in
        // this file: the process's bus connection may stay cached afterwards.
        QTemporaryDir dir;
        QFile config(dir.filePath(QStringLiteral("bus.conf")));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write(
            "<busconfig><type>session</type><listen>unix:tmpdir=" + QFile::encodeName(dir.path()) +
            "</listen><auth>EXTERNAL</auth><policy context=\"default\">"
            "<allow send_destination=\"*\" eavesdrop=\"true\"/>"
            "<allow eavesdrop=\"true\"/><allow own=\"*\"/>"
            "<allow receive_sender=\"*\"/><allow user=\"*\"/></policy></busconfig>");
        config.close();
        QProcess bus;
        bus.start(QStringLiteral("dbus-daemon"),
                  {QStringLiteral("--config-file=") + config.fileName(), QStringLiteral("--nofork"),
                   QStringLiteral("--print-address")});
        QVERIFY(bus.waitForStarted(10000));
        QVERIFY(bus.waitForReadyRead(10000));
        const QByteArray address = bus.readLine().trimmed();
        QVERIFY(!address.isEmpty());
        auto stop = qScopeGuard([&bus] {
            bus.kill();
            bus.waitForFinished(5000);
        });
        qputenv("DBUS_SESSION_BUS_ADDRESS", address);
        auto restore = qScopeGuard(
            [] { qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/legba-no-bus"); });
        CredentialStore store(QStringLiteral("legba-admin-test"));
        auto written = test::await<CredentialStore::Outcome>([&](auto done) {
            store.write(QStringLiteral("profile/no-service"), Secret(keyformat::generate()), this,
                        done);
        });
        QVERIFY(written);
        QVERIFY(!written->ok());
        QVERIFY2(written->message.contains(QStringLiteral("gnome-keyring")),
                 qPrintable(written->message));
        QVERIFY(written->message.contains(QStringLiteral("session only")));
    }
};

QTEST_GUILESS_MAIN(TestKeychainUnavailable)
#include "tst_keychainunavailable.moc"
