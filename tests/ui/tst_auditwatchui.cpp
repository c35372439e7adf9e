// The watch in the window: the Settings dialog's Watch group, driven as a person would, lands
// in QSettings; an alert from the Audit pane's live tail (real failed authentications
// against the sandbox) puts a badge on the Audit Log entry while another pane is in view,
// and clicking the notification (the TrayNotifier's click, no desktop needed) opens the
// pane filtered to the events behind it and clears the badge.
#include "AppStack.h"
#include "AuditLogModel.h"
#include "AuditPane.h"
#include "AuditWatch.h"
#include "ConnectionManager.h"
#include "CredentialStore.h"
#include "MainWindow.h"
#include "SettingsDialog.h"
#include "TestServer.h"
#include "TrayNotifier.h"

#include <QApplication>
#include <QCheckBox>
#include <QDialogButtonBox>
#include <QElapsedTimer>
#include <QGroupBox>
#include <QHostAddress>
#include <QListWidget>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace legba;

namespace {

constexpr int kWait = 30000;

void retype(QSpinBox* box, const QString& text) {
    box->setFocus();
    QTest::keyClick(box, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClicks(box, text);
}

void toggle(QCheckBox* box) {
    box->setFocus();
    QTest::keyClick(box, Qt::Key_Space);
}

// One request with a key the organization does not have: a real auth.failed event.
int failAuthentication(const test::TestServer& server, int n) {
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, static_cast<quint16>(server.baseUrl().port()));
    QSignalSpy connected(&socket, &QTcpSocket::connected);
    if (socket.state() != QAbstractSocket::ConnectedState && !connected.wait(kWait))
        return -1;
    socket.write("GET /orgs/" + server.orgUuid().toLatin1() +
                 "/api/keys HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer lgb_wrong" +
                 QByteArray::number(n) + "\r\nConnection: close\r\n\r\n");
    // The server answers from this thread's event loop: wait on it, never block it.
    QByteArray answer;
    QObject::connect(&socket, &QTcpSocket::readyRead, &socket, [&] { answer += socket.readAll(); });
    QSignalSpy closed(&socket, &QTcpSocket::disconnected);
    QElapsedTimer timer;
    timer.start();
    while (!answer.contains("\r\n") && timer.elapsed() < kWait)
        closed.wait(50);
    return answer.mid(9, 3).toInt();
}

} // namespace

class TestAuditWatchUi : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QApplication::setOrganizationName(QStringLiteral("Legba"));
        QApplication::setApplicationName(QStringLiteral("Legba Admin Watch Test"));
    }

    void init() { QSettings().clear(); }

    void settingsDialog_watchGroup_defaultsAndChoicesLandInQSettings() {
        SettingsDialog dialog;
        QVERIFY(dialog.findChild<QGroupBox*>(QStringLiteral("watchGroup")));
        QCOMPARE(dialog.values().watch, WatchSettings{});
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        if (qEnvironmentVariableIsSet("LEGBA_WATCH_SHOTS"))
            dialog.grab().save(qEnvironmentVariable("LEGBA_WATCH_SHOTS") +
                               QStringLiteral("/settings.png"));
        toggle(dialog.watchNewAddressBox());
        toggle(dialog.watchKeysWriteBox());
        retype(dialog.watchBurstCountField(), QStringLiteral("20"));
        retype(dialog.watchBurstMinutesField(), QStringLiteral("2"));
        toggle(dialog.watchBurstBox());
        QVERIFY(!dialog.watchBurstCountField()->isEnabled());
        QTest::mouseClick(dialog.buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
        QCOMPARE(dialog.result(), int(QDialog::Accepted));

        QSettings settings;
        QCOMPARE(settings.value(QStringLiteral("watch/newAddress")).toBool(), false);
        QCOMPARE(settings.value(QStringLiteral("watch/burstCount")).toInt(), 20);
        WatchSettings expected;
        expected.failedAuthBurst = false;
        expected.burstCount = 20;
        expected.burstMinutes = 2;
        expected.newAddress = false;
        expected.keysWriteCreated = false;
        QCOMPARE(WatchSettings::load(settings), expected);
        SettingsDialog again;
        QCOMPARE(again.values().watch, expected);
    }

    void alert_badgesTheEntry_andItsClickOpensThePaneFiltered() {
        test::TestServer server;
        QVERIFY2(server.ok(), qPrintable(server.error()));
        test::AppStack app;
        MainWindow window(&app.connections);
        window.resize(900, 600);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto* notifier = new TrayNotifier(&window); // offscreen: no tray, the status bar
        window.auditWatch()->setNotifier(notifier);
        QSignalSpy alerted(window.auditWatch(), &AuditWatch::alerted);

        Profile profile;
        profile.displayName = QStringLiteral("Sandbox");
        profile.baseUrl = server.baseUrl();
        profile.orgUuid = server.orgUuid();
        app.connections.activateTransient(profile, server.ownerKey());
        QTRY_COMPARE_WITH_TIMEOUT(app.session.state(), Session::State::Connected, kWait);

        // The Audit pane loaded and live; then another pane in view.
        auto* audit = qobject_cast<AuditPane*>(window.findChild<AuditPane*>());
        QVERIFY(audit);
        QSignalSpy loaded(audit, &AuditPane::pageLoaded);
        window.showPane(MainWindow::AuditIndex);
        QTRY_VERIFY_WITH_TIMEOUT(loaded.size() >= 1, kWait);
        audit->setTailInterval(50);
        audit->setLiveTail(true);
        window.showPane(MainWindow::InstancesIndex);

        for (int i = 0; i < 10; ++i)
            QCOMPARE(failAuthentication(server, i), 401);
        QTRY_COMPARE_WITH_TIMEOUT(alerted.size(), 1, kWait);
        const auto alert = alerted[0][0].value<WatchAlert>();
        QCOMPARE(alert.rule, WatchAlert::Rule::FailedAuthBurst);
        QCOMPARE(alert.eventIds.size(), 10);
        QCOMPARE(window.auditBadge(), 1);
        QListWidgetItem* entry = window.navigation()->item(MainWindow::AuditIndex);
        QCOMPARE(entry->text(), QStringLiteral("Audit Log (1)"));
        QVERIFY(entry->font().bold());
        QTRY_VERIFY(notifier->lastTarget().has_value()); // told (the status bar: no tray)
        if (qEnvironmentVariableIsSet("LEGBA_WATCH_SHOTS"))
            window.grab().save(qEnvironmentVariable("LEGBA_WATCH_SHOTS") +
                               QStringLiteral("/badge.png"));

        // The notification's click: the pane, filtered to the burst.
        notifier->openLast();
        QCOMPARE(window.currentPane(), audit);
        QCOMPARE(window.auditBadge(), 0);
        QCOMPARE(entry->text(), QStringLiteral("Audit Log"));
        QTRY_COMPARE(audit->feed()->query().action, QStringLiteral("auth.failed"));
        QTRY_COMPARE(audit->feed()->query().since, alert.target.since);
        QTRY_COMPARE(audit->feed()->query().until, alert.target.until);
        QTRY_COMPARE_WITH_TIMEOUT(audit->model()->rowCount(), 10, kWait);
    }
};

QTEST_MAIN(TestAuditWatchUi)
#include "tst_auditwatchui.moc"
