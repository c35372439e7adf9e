// Settings: what a person types lands in QSettings (the platform's standard place) on OK,
// and nowhere on Cancel. About: the version and the licences are there.
#include "AboutDialog.h"
#include "SettingsDialog.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTest>

using namespace legba;

namespace {

// Replaces a spin box's number the way a person does: select all, type. No Enter.
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

} // namespace

class TestDesktopDialogs : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QApplication::setOrganizationName(QStringLiteral("Legba"));
        QApplication::setApplicationName(QStringLiteral("Legba Admin"));
    }

    void init() { QSettings().clear(); }

    void settings_areInThePlatformsStandardPlace() {
        QSettings settings;
        QCOMPARE(settings.format(), QSettings::NativeFormat);
        QCOMPARE(settings.scope(), QSettings::UserScope);
#if defined(Q_OS_LINUX)
        const QString config =
            QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation);
        QCOMPARE(settings.fileName(), config + QStringLiteral("/Legba/Legba Admin.conf"));
#endif
        SettingsDialog dialog;
        auto* where = dialog.findChild<QLabel*>(QStringLiteral("settingsLocation"));
        QVERIFY(where);
        QVERIFY2(where->text().contains(QStringLiteral("Legba Admin")), qPrintable(where->text()));
    }

    void settingsDialog_nothingSaved_showsDefaults() {
        SettingsDialog dialog;
        QCOMPARE(dialog.clipboardClearField()->value(), 30);
        QCOMPARE(dialog.refreshField()->value(), 15);
        QCOMPARE(dialog.keyExpiryField()->value(), 90);
        QCOMPARE(dialog.values(), AppSettings{});
    }

    void settingsDialog_typedValues_landInQSettingsOnOk() {
        SettingsDialog dialog;
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        retype(dialog.clipboardClearField(), QStringLiteral("45"));
        retype(dialog.refreshField(), QStringLiteral("60"));
        retype(dialog.keyExpiryField(), QStringLiteral("0"));
        click(dialog, QDialogButtonBox::Ok);

        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QSettings settings;
        QCOMPARE(settings.value(QStringLiteral("clipboard/clearSeconds")).toInt(), 45);
        QCOMPARE(settings.value(QStringLiteral("instances/refreshSeconds")).toInt(), 60);
        QCOMPARE(settings.value(QStringLiteral("keys/defaultExpiryDays")).toInt(), 0);

        // And a new dialog reads them back.
        SettingsDialog again;
        QCOMPARE(again.clipboardClearField()->value(), 45);
        QCOMPARE(again.refreshField()->value(), 60);
        QCOMPARE(again.keyExpiryField()->value(), 0);
        QCOMPARE(again.keyExpiryField()->text(), QStringLiteral("Never"));
    }

    void settingsDialog_cancel_writesNothing() {
        SettingsDialog dialog;
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        retype(dialog.refreshField(), QStringLiteral("120"));
        click(dialog, QDialogButtonBox::Cancel);

        QCOMPARE(dialog.result(), int(QDialog::Rejected));
        QVERIFY(!QSettings().contains(QStringLiteral("instances/refreshSeconds")));
        QVERIFY(QSettings().allKeys().isEmpty());
    }

    void settingsDialog_restoreDefaults_refillsTheFieldsAndOkSavesThem() {
        AppSettings custom;
        custom.clipboardClearSeconds = 5;
        custom.refreshSeconds = 300;
        custom.defaultKeyExpiryDays = 7;
        custom.save();

        SettingsDialog dialog;
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QCOMPARE(dialog.values(), custom);
        click(dialog, QDialogButtonBox::RestoreDefaults);
        QCOMPARE(dialog.values(), AppSettings{});
        QVERIFY(dialog.isVisible());
        click(dialog, QDialogButtonBox::Ok);
        QCOMPARE(AppSettings::load(), AppSettings{});
        QCOMPARE(QSettings().value(QStringLiteral("keys/defaultExpiryDays")).toInt(), 90);
    }

    void settingsDialog_fieldsRefuseOutOfRangeInput() {
        SettingsDialog dialog;
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        // The refresh interval has a floor of 2 s: the server is not to be hammered.
        retype(dialog.refreshField(), QStringLiteral("1"));
        click(dialog, QDialogButtonBox::Ok);
        QVERIFY(AppSettings::load().refreshSeconds >= AppSettings::kMinRefreshSeconds);
    }

    void settingsDialog_opensWithEveryNoteWhole_andFitsA600PixelScreen() {
        SettingsDialog dialog;
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        // A wrapped note given fewer lines than its text needs is cut off mid-sentence.
        const auto labels = dialog.findChildren<QLabel*>();
        int wrapped = 0;
        for (const QLabel* label : labels) {
            if (!label->wordWrap() || !label->isVisible())
                continue;
            ++wrapped;
            QVERIFY2(label->height() >= label->heightForWidth(label->width()),
                     qPrintable(label->text()));
        }
        QVERIFY(wrapped >= 3);
        QVERIFY2(dialog.height() <= 600 - 40, qPrintable(QString::number(dialog.height())));
    }

    void appSettings_badStoredValues_readAsDefaults() {
        QSettings settings;
        settings.setValue(QStringLiteral("clipboard/clearSeconds"), QStringLiteral("soon"));
        settings.setValue(QStringLiteral("instances/refreshSeconds"), 1);
        settings.setValue(QStringLiteral("keys/defaultExpiryDays"), -3);
        QCOMPARE(AppSettings::load(settings), AppSettings{});
    }

    void aboutDialog_showsVersionBuildAndLicences() {
        AboutDialog dialog;
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QCOMPARE(AboutDialog::version(), QStringLiteral(LEGBA_VERSION));
        QVERIFY2(dialog.versionLabel()->text().contains(QStringLiteral(LEGBA_VERSION)),
                 qPrintable(dialog.versionLabel()->text()));
        const QString build = dialog.buildLabel()->text();
        QVERIFY2(build.contains(QStringLiteral("commit ")), qPrintable(build));
        QVERIFY2(build.contains(QString::fromLatin1(qVersion())), qPrintable(build));
        QVERIFY(!build.contains(QStringLiteral("@")));

        const QString licences = dialog.licencesLabel()->text();
        for (const char* expected :
             {"Qt", "LGPL", "QtKeychain", "BSD-3-Clause", "nlohmann/json", "MIT"}) {
            QVERIFY2(licences.contains(QLatin1String(expected)), expected);
        }
        QVERIFY(dialog.windowTitle().contains(QStringLiteral("About")));
    }
};

QTEST_MAIN(TestDesktopDialogs)
#include "tst_desktopdialogs.moc"
