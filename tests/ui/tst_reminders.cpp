// Reminders in the window: the Settings dialog's Reminders group, driven as a person would,
// lands in QSettings; a reminder without a desktop tray (the offscreen platform has none)
// goes to the status bar, never a dialog; and acting on one opens the pane on the item.
#include "AppStack.h"
#include "ConnectionManager.h"
#include "CredentialStore.h"
#include "InstancesModel.h"
#include "InstancesPane.h"
#include "KeysPane.h"
#include "MainWindow.h"
#include "SettingsDialog.h"
#include "TestServer.h"
#include "TrayNotifier.h"
#include "Wait.h"

#include <QApplication>
#include <QCheckBox>
#include <QDialogButtonBox>
#include <QGroupBox>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>
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

void click(SettingsDialog& dialog, QDialogButtonBox::StandardButton which) {
    QPushButton* button = dialog.buttons()->button(which);
    QVERIFY(button);
    QTest::mouseClick(button, Qt::LeftButton);
}

// Toggles a check box the way a person does: the space bar on it.
void toggle(QCheckBox* box) {
    box->setFocus();
    QTest::keyClick(box, Qt::Key_Space);
}

} // namespace

class TestReminders : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QApplication::setOrganizationName(QStringLiteral("Legba"));
        QApplication::setApplicationName(QStringLiteral("Legba Admin Reminders Test"));
    }

    void init() { QSettings().clear(); }

    void settingsDialog_remindersGroup_showsDefaults() {
        SettingsDialog dialog;
        QVERIFY(dialog.findChild<QGroupBox*>(QStringLiteral("remindersGroup")));
        QVERIFY(dialog.expiringKeysBox()->isChecked());
        QVERIFY(dialog.unusedKeysBox()->isChecked());
        QVERIFY(!dialog.longRunningBox()->isChecked());
        QVERIFY(!dialog.instanceHoursField()->isEnabled());
        QCOMPARE(dialog.instanceHoursField()->value(), ReminderSettings::kDefaultInstanceHours);
        QCOMPARE(dialog.values().reminders, ReminderSettings{});
    }

    void settingsDialog_reminderChoices_landInQSettingsOnOk() {
        SettingsDialog dialog;
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        toggle(dialog.expiringKeysBox());
        toggle(dialog.unusedKeysBox());
        toggle(dialog.longRunningBox());
        QVERIFY(dialog.instanceHoursField()->isEnabled());
        retype(dialog.instanceHoursField(), QStringLiteral("6"));
        click(dialog, QDialogButtonBox::Ok);
        QCOMPARE(dialog.result(), int(QDialog::Accepted));

        QSettings settings;
        QCOMPARE(settings.value(QStringLiteral("reminders/expiringKeys")).toBool(), false);
        QCOMPARE(settings.value(QStringLiteral("reminders/unusedKeys")).toBool(), false);
        QCOMPARE(settings.value(QStringLiteral("reminders/longRunningInstances")).toBool(), true);
        QCOMPARE(settings.value(QStringLiteral("reminders/instanceHours")).toInt(), 6);
        ReminderSettings expected;
        expected.expiringKeys = false;
        expected.unusedKeys = false;
        expected.longRunningInstances = true;
        expected.instanceHours = 6;
        QCOMPARE(AppSettings::load().reminders, expected);

        // Opened again, the dialog shows what was saved.
        SettingsDialog again;
        QCOMPARE(again.values().reminders, expected);
        QVERIFY(again.instanceHoursField()->isEnabled());
    }

    void settingsDialog_cancel_writesNoReminderChoice() {
        SettingsDialog dialog;
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        toggle(dialog.longRunningBox());
        click(dialog, QDialogButtonBox::Cancel);
        QVERIFY(!QSettings().contains(QStringLiteral("reminders/longRunningInstances")));
        QCOMPARE(AppSettings::load().reminders, ReminderSettings{});
    }

    void reminder_withoutTray_goesToTheStatusBar_andOpensTheItem() {
        test::TestServer server;
        QVERIFY2(server.ok(), qPrintable(server.error()));
        test::AppStack app;
        MainWindow window(&app.connections);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto* notifier = new TrayNotifier(&window);
        QVERIFY(!notifier->hasTray()); // offscreen: no tray, so the fallback is what is tested

        Profile profile;
        profile.displayName = QStringLiteral("Sandbox");
        profile.baseUrl = server.baseUrl();
        profile.orgUuid = server.orgUuid();
        app.connections.activateTransient(profile, server.ownerKey());
        QTRY_COMPARE_WITH_TIMEOUT(app.session.state(), Session::State::Connected, kWait);

        // An instance, listed by the Instances pane.
        NewInstanceRequest request;
        request.image = QStringLiteral("ubuntu-20.04");
        auto created = test::await<Result<Instance>>(
            [&](auto done) { app.session.client()->createInstance(request, this, done); });
        QVERIFY(created && *created);
        const QString uuid = created->value().instanceUuid;
        window.instancesPane()->refresh();
        QTRY_VERIFY_WITH_TIMEOUT(window.instancesPane()->model()->rowOf(uuid) >= 0, kWait);

        // A reminder about the owner key: the status bar says it, no window opens.
        window.showPane(MainWindow::InstancesIndex);
        notifier->notify(QStringLiteral("An API key expires in 3 days"),
                         QStringLiteral("The key 'owner' expires soon."),
                         {ReminderTarget::Pane::Keys, server.ownerKeyId()});
        QTRY_VERIFY(window.statusBar()->currentMessage().contains(
            QLatin1String("An API key expires in 3 days")));
        QVERIFY(!QApplication::activeModalWidget());

        // Acting on it opens the Keys pane with the key selected (once the list is there).
        auto* keys = window.findChild<KeysPane*>();
        QVERIFY(keys);
        QTRY_VERIFY_WITH_TIMEOUT(keys->lastRefresh().isValid(), kWait);
        window.showPane(MainWindow::InstancesIndex);
        notifier->openLast();
        QCOMPARE(window.currentPane(), keys);
        QVERIFY(keys->selectedKey());
        QCOMPARE(keys->selectedKey()->keyId, server.ownerKeyId());

        // An instance reminder opens the Instances pane on the instance.
        notifier->notify(QStringLiteral("An instance has been running for 30 hours"),
                         QStringLiteral("The instance has been running since yesterday."),
                         {ReminderTarget::Pane::Instances, uuid});
        QTRY_VERIFY(notifier->lastTarget() &&
                    notifier->lastTarget()->pane == ReminderTarget::Pane::Instances);
        notifier->openLast();
        QCOMPARE(window.currentPane(), window.instancesPane());
        QCOMPARE(window.instancesPane()->selectedUuids(), QStringList{uuid});

        // One poll's reminders make one notification, which opens the first item.
        for (int i = 1; i <= 4; ++i) {
            notifier->notify(QStringLiteral("Reminder %1").arg(i), QStringLiteral("Text %1").arg(i),
                             {ReminderTarget::Pane::Keys, server.ownerKeyId()});
        }
        QTRY_VERIFY(window.statusBar()->currentMessage().startsWith(
            QLatin1String("4 reminders from Legba Admin")));
        const QString summary = window.statusBar()->currentMessage();
        QVERIFY2(summary.contains(QLatin1String("Reminder 3")) &&
                     !summary.contains(QLatin1String("Reminder 4")) &&
                     summary.contains(QLatin1String("and 1 more")),
                 qPrintable(summary));
        notifier->openLast();
        QCOMPARE(window.currentPane(), keys);
    }
};

QTEST_MAIN(TestReminders)
#include "tst_reminders.moc"
