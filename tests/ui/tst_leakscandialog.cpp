// "Scan for Leaked Keys…" from the Keys pane, against a real in-process server: the results
// table (file, line, masked key, matching key, status), Revoke… on an active match going
// through the pane's confirmation and KeyActions, the row turning "Revoked", cancel, and no
// key text in any cell or log line.
#include "AppStack.h"
#include "ConnectionManager.h"
#include "CredentialStore.h"
#include "KeysModel.h"
#include "KeysPane.h"
#include "LeakScanDialog.h"
#include "Session.h"
#include "TestServer.h"
#include "UiTest.h"
#include "Wait.h"

#include <QApplication>
#include <QDir>
#include <QLabel>
#include <QMessageBox>
#include <QMutex>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace legba;

namespace {

void write(const QString& path, const QByteArray& bytes) {
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(bytes);
}

} // namespace

class TestLeakScanDialog : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<test::LogCapture> m_log;
    std::unique_ptr<test::TestServer> m_server;
    QTemporaryDir m_tree;
    std::unique_ptr<test::AppStack> m_app;
    std::unique_ptr<KeysPane> m_pane;
    IssuedKey m_deploy;
    IssuedKey m_old;

    IssuedKey createKey(const QString& name) {
        NewKeyRequest request{name, {QStringLiteral("instances:read")}, {}};
        auto issued = test::await<Result<IssuedKey>>(
            [&](auto done) { m_app->session.client()->createKey(request, this, done); });
        if (!issued || !issued->ok())
            return {};
        return issued->value();
    }

    // Clicks the pane's button; the dialog it opened (a closed one may linger until deleted).
    LeakScanDialog* openDialog() {
        auto* button = m_pane->findChild<QPushButton*>(QStringLiteral("scanLeaksButton"));
        if (!button)
            return nullptr;
        button->click();
        for (LeakScanDialog* dialog : m_pane->findChildren<LeakScanDialog*>()) {
            if (dialog->isVisible())
                return dialog;
        }
        return nullptr;
    }

    LeakScanDialog* openAndScan() {
        LeakScanDialog* dialog = openDialog();
        if (!dialog)
            return nullptr;
        dialog->setFolders({m_tree.path()});
        QSignalSpy finished(dialog, &LeakScanDialog::scanFinished);
        dialog->scanButton()->click();
        if (!finished.wait(30000))
            return nullptr;
        return dialog;
    }

    QString cell(LeakScanDialog* dialog, int row, int column) {
        QTableWidgetItem* item = dialog->results()->item(row, column);
        return item ? item->text() : QString();
    }

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        m_log = std::make_unique<test::LogCapture>();
        m_server = std::make_unique<test::TestServer>();
        QVERIFY2(m_server->ok(), qPrintable(m_server->error()));
        m_app = std::make_unique<test::AppStack>(QStringLiteral("legba-admin-test-scan"));
        m_pane = std::make_unique<KeysPane>(&m_app->connections);
        m_pane->resize(1000, 600);
        m_pane->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_pane.get()));

        Profile profile;
        profile.id = QStringLiteral("scan-test");
        profile.kind = Profile::Kind::Environment;
        profile.displayName = QStringLiteral("Scan test org");
        profile.baseUrl = m_server->baseUrl();
        profile.orgUuid = m_server->orgUuid();
        m_app->connections.activateTransient(profile, m_server->ownerKey());
        QTRY_COMPARE_WITH_TIMEOUT(m_app->session.state(), Session::State::Connected, 15000);

        m_deploy = createKey(QStringLiteral("CI deploy"));
        m_old = createKey(QStringLiteral("Old laptop"));
        QVERIFY(!m_deploy.secret.isEmpty() && !m_old.secret.isEmpty());
        auto revoked = test::await<Result<Done>>(
            [&](auto done) { m_app->session.client()->revokeKey(m_old.record.keyId, this, done); });
        QVERIFY(revoked && revoked->ok());
        m_pane->refresh();
        QTRY_VERIFY_WITH_TIMEOUT(m_pane->model()->rowOf(m_deploy.record.keyId) >= 0, 10000);

        write(m_tree.filePath(QStringLiteral("deploy/.env")),
              "REGION=eu\nLEGBA_API_TOKEN=" + m_deploy.secret.reveal() + "\n");
        write(m_tree.filePath(QStringLiteral("notes/old.md")),
              "# Old laptop\n\nkey: " + m_old.secret.reveal() + "\n");
    }

    void cleanupTestCase() {
        m_pane.reset();
        m_log.reset();
    }

    void results_showFileLineMaskedKeyMatchAndStatus() {
        LeakScanDialog* dialog = openAndScan();
        QVERIFY(dialog);
        QCOMPARE(dialog->results()->rowCount(), 2);
        const QByteArray deploy = m_deploy.secret.reveal();
        QCOMPARE(cell(dialog, 0, LeakScanDialog::FileColumn),
                 QDir::toNativeSeparators(m_tree.filePath(QStringLiteral("deploy/.env"))));
        QCOMPARE(cell(dialog, 0, LeakScanDialog::LineColumn), QStringLiteral("2"));
        QCOMPARE(cell(dialog, 0, LeakScanDialog::KeyColumn),
                 QString::fromLatin1(deploy.first(12)) + QStringLiteral("...") +
                     QString::fromLatin1(deploy.last(4)));
        QCOMPARE(cell(dialog, 0, LeakScanDialog::MatchColumn), QStringLiteral("CI deploy"));
        QCOMPARE(cell(dialog, 0, LeakScanDialog::ActiveColumn), QStringLiteral("Active"));
        QVERIFY(dialog->results()->cellWidget(0, LeakScanDialog::ActionColumn));
        QCOMPARE(cell(dialog, 1, LeakScanDialog::LineColumn), QStringLiteral("3"));
        QCOMPARE(cell(dialog, 1, LeakScanDialog::MatchColumn), QStringLiteral("Old laptop"));
        QCOMPARE(cell(dialog, 1, LeakScanDialog::ActiveColumn), QStringLiteral("Revoked"));
        QVERIFY(!dialog->results()->cellWidget(1, LeakScanDialog::ActionColumn));
        QVERIFY2(dialog->summaryLabel()->text().contains(
                     QStringLiteral("active in this organization: 1")),
                 qPrintable(dialog->summaryLabel()->text()));

        if (const QString dir = qEnvironmentVariable("LEGBA_SCREENSHOT_DIR"); !dir.isEmpty())
            dialog->grab().save(dir + QStringLiteral("/leak-scan-results.png"));

        // Revoke through the pane's confirmation: the row turns "Revoked".
        test::answerNextMessageBox(this, QStringLiteral("confirmRevokeButton"));
        auto* revoke = dialog->results()
                           ->cellWidget(0, LeakScanDialog::ActionColumn)
                           ->findChild<QPushButton*>(QStringLiteral("leakRevoke"));
        QVERIFY(revoke);
        revoke->click();
        QTRY_COMPARE_WITH_TIMEOUT(cell(dialog, 0, LeakScanDialog::ActiveColumn),
                                  QStringLiteral("Revoked"), 10000);
        QVERIFY(!dialog->results()->cellWidget(0, LeakScanDialog::ActionColumn));
        dialog->close();
    }

    void cancelWhileReadingKeys_stopsAndSaysSo() {
        LeakScanDialog* dialog = openDialog();
        QVERIFY(dialog);
        dialog->setFolders({m_tree.path()});
        dialog->scanButton()->click();
        QVERIFY(dialog->isScanning());
        QVERIFY(dialog->cancelButton()->isEnabled());
        dialog->cancelButton()->click();
        QVERIFY(!dialog->isScanning());
        QCOMPARE(dialog->summaryLabel()->text(), QStringLiteral("Scan cancelled."));
        QVERIFY(dialog->scanButton()->isEnabled());
        dialog->close();
    }

    void noKeyText_inTheTableOrTheLogs() {
        LeakScanDialog* dialog = openAndScan();
        QVERIFY(dialog);
        QString shown = dialog->summaryLabel()->text();
        for (int row = 0; row < dialog->results()->rowCount(); ++row) {
            for (int column = 0; column < LeakScanDialog::ColumnCount; ++column) {
                if (QTableWidgetItem* item = dialog->results()->item(row, column))
                    shown += item->text() + item->toolTip();
            }
        }
        shown += test::LogCapture::text();
        for (const Secret* secret : {&m_deploy.secret, &m_old.secret}) {
            const QByteArray key = secret->reveal();
            QVERIFY(!shown.contains(QString::fromLatin1(key.mid(12, key.size() - 16))));
        }
        dialog->close();
    }
};

QTEST_MAIN(TestLeakScanDialog)
#include "tst_leakscandialog.moc"
