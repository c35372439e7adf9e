// The first-run path a person takes: open the connect dialog, type the organization and
// key, connect to a real server, and see the instances pane load.
#include "AppStack.h"
#include "ConnectDialog.h"
#include "ConnectionManager.h"
#include "CredentialStore.h"
#include "InstancesModel.h"
#include "InstancesPane.h"
#include "KeyFormat.h"
#include "KeyVerifier.h"
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
#include <QTcpServer>
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
            // A key with a space inside cannot be a key: Connect stays disabled.
            QByteArray broken = key;
            broken[10] = ' ';
            QTest::keyClicks(dialog->keyField(), QString::fromLatin1(broken));
            *sawOkDisabledForBadKey =
                !ok->isEnabled() &&
                dialog->keyErrorLabel()->text().contains(QStringLiteral("a space at position 11"));
            dialog->keyField()->clear();
            QTest::keyClicks(dialog->keyField(), QString::fromLatin1(key));
            QVERIFY(ok->isEnabled());
            QTest::mouseClick(ok, Qt::LeftButton);
            // Connect asks the server first; the dialog closes once it said yes.
            QTRY_VERIFY_WITH_TIMEOUT(!dialog->isVisible(), 10000);
        });
    }

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void connectDialog_connectsAndInstancesPaneLoads() {
        test::TestServer server;
        QVERIFY2(server.ok(), qPrintable(server.error()));

        test::AppStack app;
        MainWindow window(&app.connections);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        bool okDisabledForBadKey = false;
        fillConnectDialogWhenShown(server.baseUrl(), server.orgUuid(), server.ownerKey().reveal(),
                                   &okDisabledForBadKey);
        window.addOrganization();
        QVERIFY(okDisabledForBadKey);

        QTRY_COMPARE_WITH_TIMEOUT(app.session.state(), Session::State::Connected, 10000);
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
        QCOMPARE(app.profiles.profiles().size(), 1);
        app.settings.sync();
        QFile file(app.settings.fileName());
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(!file.readAll().contains(server.ownerKey().reveal()));
        const Profile saved = app.profiles.profiles().constFirst();
        auto stored = test::await<CredentialStore::Outcome>(
            [&](auto done) { app.credentials.read(saved.credentialAccount(), this, done); });
        QVERIFY(stored && stored->ok());
        QCOMPARE(stored->key, server.ownerKey());
        app.connections.remove(saved.id);
        QTRY_COMPARE(app.session.state(), Session::State::Disconnected);
    }

    void wrongKey_showsKeyRejectedWithAWayToEnterANewOne() {
        test::TestServer server;
        QVERIFY2(server.ok(), qPrintable(server.error()));
        test::AppStack app;
        MainWindow window(&app.connections);
        window.show();

        Profile profile;
        profile.displayName = QStringLiteral("Wrong key");
        profile.baseUrl = server.baseUrl();
        profile.orgUuid = server.orgUuid();
        // Well formed, but unknown to the server.
        app.connections.addOrUpdate(profile, Secret(keyformat::generate()), true);
        QTRY_COMPARE_WITH_TIMEOUT(app.session.state(), Session::State::KeyRejected, 10000);
        QVERIFY(window.connectionLabel()->text().contains(QStringLiteral("Key rejected")));
        QVERIFY(window.sessionBanner()->isVisible());
        QVERIFY(
            window.sessionBanner()->text().contains(QStringLiteral("Invalid or missing API key")));
    }

    // The dialog on its own, with a verifier asking a hosted-shape server: what a person
    // typing each kind of key sees, and whether the dialog lets them go on.
    void connectDialog_keysAsTheHostedApiIssuesThem() {
        server::ServerOptions options = test::TestServer::fastOptions();
        options.hostedShape = true;
        test::TestServer server(options);
        QVERIFY2(server.ok(), qPrintable(server.error()));
        KeyVerifier verifier;
        ConnectDialog dialog;
        dialog.setVerifier(&verifier);
        dialog.show();
        QTest::keyClicks(dialog.urlField(), server.baseUrl().toString());
        QTest::keyClicks(dialog.orgField(), server.orgUuid());
        auto* ok = dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
        auto type = [&](const QString& key) {
            dialog.keyField()->clear();
            QTest::keyClicks(dialog.keyField(), key);
        };

        // An opaque key, not the sandbox's shape: no complaint at all.
        type(QString::fromLatin1(server.ownerKey().reveal()));
        QVERIFY(ok->isEnabled());
        QVERIFY2(!dialog.keyErrorLabel()->isVisible(), qPrintable(dialog.keyErrorLabel()->text()));

        // The docs' example has legba_ too: accepted by the form, rejected by the server,
        // and the dialog stays open saying what the server answered.
        type(QStringLiteral("legba_new_api_key_xyz789"));
        QVERIFY(ok->isEnabled());
        QTest::mouseClick(ok, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(
            dialog.checkLabel()->text().contains(QStringLiteral("The server rejected this key")),
            10000);
        QVERIFY(dialog.checkLabel()->text().contains(QStringLiteral("Invalid or missing API key")));
        if (const QString shots = qEnvironmentVariable("LEGBA_TEST_SHOTS"); !shots.isEmpty())
            dialog.grab().save(shots + QStringLiteral("/connect-dialog-rejected.png"));
        QVERIFY(dialog.isVisible());
        QCOMPARE(dialog.result(), int(QDialog::Rejected));
        QCOMPARE(ok->text(), QStringLiteral("Connect")); // no "anyway" for a rejected key

        // No legba_ prefix: a warning, and Connect still possible.
        type(QStringLiteral("sk_live_0123456789"));
        QVERIFY(ok->isEnabled());
        QVERIFY(dialog.keyErrorLabel()->isVisible());
        QVERIFY(dialog.keyErrorLabel()->text().contains(QStringLiteral("\"legba_\"")));
        QVERIFY(dialog.checkLabel()->text().isEmpty()); // the old answer is about another key

        // The sandbox's shape with one character changed: probably a typo, says so.
        QByteArray typo = keyformat::generate();
        typo[10] = typo[10] == 'A' ? 'B' : 'A';
        type(QString::fromLatin1(typo));
        QVERIFY(ok->isEnabled());
        QVERIFY(dialog.keyErrorLabel()->text().contains(QStringLiteral("checksum does not match")));
        if (const QString shots = qEnvironmentVariable("LEGBA_TEST_SHOTS"); !shots.isEmpty())
            dialog.grab().save(shots + QStringLiteral("/connect-dialog-checksum-warning.png"));

        // A tab, a control character and a non-ASCII letter are named where they are.
        dialog.keyField()->setText(QStringLiteral("legba_ab\tcd")); // typing Tab moves focus
        QVERIFY(!ok->isEnabled());
        QVERIFY(dialog.keyErrorLabel()->text().contains(QStringLiteral("a tab at position 9")));
        dialog.keyField()->setText(QStringLiteral("legba_ab\x01"
                                                  "cd"));
        QVERIFY(!ok->isEnabled());
        QVERIFY(dialog.keyErrorLabel()->text().contains(QStringLiteral("U+0001")));
        dialog.keyField()->setText(QStringLiteral("legba_abécd"));
        QVERIFY(!ok->isEnabled());
        QVERIFY(dialog.keyErrorLabel()->text().contains(QStringLiteral("U+00E9")));

        // The right key: checked with the server, then the dialog closes.
        type(QString::fromLatin1(server.ownerKey().reveal()));
        QTest::mouseClick(ok, Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(dialog.result(), int(QDialog::Accepted), 10000);
        QVERIFY(!dialog.isVisible());
    }

    void connectDialog_unreachableServer_offersConnectAnyway() {
        quint16 closedPort = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost));
            closedPort = probe.serverPort();
        }
        KeyVerifier verifier;
        ConnectDialog dialog;
        dialog.setVerifier(&verifier);
        dialog.show();
        QTest::keyClicks(dialog.urlField(), QStringLiteral("http://127.0.0.1:%1").arg(closedPort));
        QTest::keyClicks(dialog.orgField(), QStringLiteral("123e4567-e89b-12d3-a456-426614174000"));
        QTest::keyClicks(dialog.keyField(), QStringLiteral("legba_new_api_key_xyz789"));
        auto* ok = dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
        QTest::mouseClick(ok, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(ok->text() == QStringLiteral("Connect Anyway"), 15000);
        QVERIFY(dialog.checkLabel()->text().contains(QStringLiteral("could not be checked")));
        QVERIFY(dialog.isVisible());
        QTest::mouseClick(ok, Qt::LeftButton);
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QCOMPARE(dialog.takeKey().reveal(), QByteArray("legba_new_api_key_xyz789"));
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
