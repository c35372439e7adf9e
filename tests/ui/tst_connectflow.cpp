// The first-run path a person takes: open the connect dialog, type the organization and
// key, connect to a real server, and see the instances pane load.
#include "ConnectDialog.h"
#include "ConnectionManager.h"
#include "CredentialStore.h"
#include "InstancesModel.h"
#include "InstancesPane.h"
#include "KeyFormat.h"
#include "MainWindow.h"
#include "MessageBanner.h"
#include "Session.h"
#include "TestServer.h"
#include "Wait.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QScopeGuard>
#include <QSettings>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace legba;

class TestConnectFlow : public QObject {
    Q_OBJECT

private:
    // Fills the connect dialog once it is shown, as a person would: typing.
    void fillConnectDialogWhenShown(const QUrl& url, const QString& org, const QByteArray& key,
                                    bool* sawOkDisabledForBadKey) {
        QTimer::singleShot(0, this, [=] {
            auto* dialog = qobject_cast<ConnectDialog*>(QApplication::activeModalWidget());
            QVERIFY(dialog);
            // Whatever fails below, the dialog must close, or exec() would never return.
            auto closeOnExit = qScopeGuard([dialog] {
                if (dialog->isVisible())
                    dialog->reject();
            });
            QTest::keyClicks(dialog->nameField(), QStringLiteral("Test org"));
            QTest::keyClicks(dialog->urlField(), url.toString());
            QTest::keyClicks(dialog->orgField(), org);
            auto* ok = dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
            // A key with one character changed fails its checksum: OK stays disabled.
            QByteArray typo = key;
            typo[10] = typo[10] == 'A' ? 'B' : 'A';
            QTest::keyClicks(dialog->keyField(), QString::fromLatin1(typo));
            *sawOkDisabledForBadKey = !ok->isEnabled();
            dialog->keyField()->clear();
            QTest::keyClicks(dialog->keyField(), QString::fromLatin1(key));
            QVERIFY(ok->isEnabled());
            QTest::mouseClick(ok, Qt::LeftButton);
        });
    }

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void connectDialog_connectsAndInstancesPaneLoads() {
        test::TestServer server;
        QVERIFY2(server.ok(), qPrintable(server.error()));

        QTemporaryDir settingsDir;
        QSettings settings(settingsDir.filePath(QStringLiteral("settings.ini")),
                           QSettings::IniFormat);
        ProfileStore profiles(&settings);
        CredentialStore credentials(QStringLiteral("legba-admin-test"));
        Session session;
        ConnectionManager connections(&session, &profiles, &credentials, nullptr);
        MainWindow window(&connections);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        bool okDisabledForBadKey = false;
        fillConnectDialogWhenShown(server.baseUrl(), server.orgUuid(), server.ownerKey().reveal(),
                                   &okDisabledForBadKey);
        window.addOrganization();
        QVERIFY(okDisabledForBadKey);

        QTRY_COMPARE_WITH_TIMEOUT(session.state(), Session::State::Connected, 10000);
        QVERIFY(window.connectionLabel()->text().contains(QStringLiteral("Connected")));
        QVERIFY(window.identityLabel()->text().contains(QStringLiteral("legba_")));
        QVERIFY(!window.identityLabel()->text().contains(
            QString::fromLatin1(server.ownerKey().reveal())));

        // The instances pane asked the server and, finding nothing, says why.
        InstancesPane* pane = window.instancesPane();
        QTRY_VERIFY_WITH_TIMEOUT(pane->lastRefresh().isValid(), 10000);
        auto* empty = pane->findChild<QLabel*>(QStringLiteral("instancesEmptyState"));
        QVERIFY(empty);
        QTRY_VERIFY(empty->isVisible());
        QVERIFY(empty->text().contains(QStringLiteral("No instances yet")));

        // The profile is saved without its key; the key went to the keychain.
        QCOMPARE(profiles.profiles().size(), 1);
        settings.sync();
        QFile file(settings.fileName());
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(!file.readAll().contains(server.ownerKey().reveal()));
        const Profile saved = profiles.profiles().constFirst();
        auto stored = test::await<CredentialStore::Outcome>(
            [&](auto done) { credentials.read(saved.credentialAccount(), this, done); });
        QVERIFY(stored && stored->ok());
        QCOMPARE(stored->key, server.ownerKey());
        connections.remove(saved.id);
        QTRY_COMPARE(session.state(), Session::State::Disconnected);
    }

    void wrongKey_showsKeyRejectedWithAWayToEnterANewOne() {
        test::TestServer server;
        QVERIFY2(server.ok(), qPrintable(server.error()));
        QTemporaryDir settingsDir;
        QSettings settings(settingsDir.filePath(QStringLiteral("settings.ini")),
                           QSettings::IniFormat);
        ProfileStore profiles(&settings);
        CredentialStore credentials(QStringLiteral("legba-admin-test"));
        Session session;
        ConnectionManager connections(&session, &profiles, &credentials, nullptr);
        MainWindow window(&connections);
        window.show();

        Profile profile;
        profile.displayName = QStringLiteral("Wrong key");
        profile.baseUrl = server.baseUrl();
        profile.orgUuid = server.orgUuid();
        // Well formed, but unknown to the server.
        connections.addOrUpdate(profile, Secret(keyformat::generate()), true);
        QTRY_COMPARE_WITH_TIMEOUT(session.state(), Session::State::KeyRejected, 10000);
        QVERIFY(window.connectionLabel()->text().contains(QStringLiteral("Key rejected")));
        QVERIFY(window.sessionBanner()->isVisible());
        QVERIFY(
            window.sessionBanner()->text().contains(QStringLiteral("Invalid or missing API key")));
    }

    void plainHttpToARemoteHost_isRefusedWithAReason() {
        ConnectDialog dialog;
        QTest::keyClicks(dialog.urlField(), QStringLiteral("http://api.example.com"));
        const auto labels = dialog.findChildren<QLabel*>();
        bool named = false;
        for (QLabel* label : labels)
            named = named || (label->isVisibleTo(&dialog) &&
                              label->text().contains(QStringLiteral("https://")));
        QVERIFY(named);
    }
};

QTEST_MAIN(TestConnectFlow)
#include "tst_connectflow.moc"
