// The least-privilege advisor in the Keys pane, as a person uses it, against a real
// in-process sandbox seeded with known traffic: the Privilege column's verdicts, the
// selected key's scopes held and used with the evidence, "Replace with a narrower key"
// through the reveal dialog and the grace period, and what the panel says when the key
// in use may not read the audit log. Screenshots of the column and the panel are saved
// under $LEGBA_SCREENSHOTS when it is set.
#include "AppStack.h"
#include "ConnectionManager.h"
#include "CredentialStore.h"
#include "KeysModel.h"
#include "KeysPane.h"
#include "PrivilegePanel.h"
#include "RevealKeyDialog.h"
#include "Session.h"
#include "TestServer.h"
#include "Wait.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>
#include <atomic>

using namespace legba;

namespace {

constexpr int kWait = 20000;

void screenshot(QWidget* widget, const char* name) {
    const QString dir = qEnvironmentVariable("LEGBA_SCREENSHOTS");
    if (!dir.isEmpty())
        widget->grab().save(dir + QLatin1Char('/') + QString::fromLatin1(name));
}

} // namespace

class TestPrivilegePanel : public QObject {
    Q_OBJECT

private:
    QDateTime m_now;
    std::shared_ptr<std::atomic<qint64>> m_clock = std::make_shared<std::atomic<qint64>>(0);
    std::unique_ptr<test::TestServer> m_server;
    std::unique_ptr<test::AppStack> m_app;
    std::unique_ptr<KeysPane> m_pane;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
    IssuedKey m_reader, m_idle, m_full, m_noAudit;

    void setTime(const QDateTime& when) { m_clock->store(when.toMSecsSinceEpoch()); }

    IssuedKey issue(const QString& name, const QStringList& scopes) {
        auto issued = m_server->server().issueKey(m_server->orgUuid(), name, scopes);
        if (!issued)
            qFatal("cannot issue the key %s", qPrintable(name));
        return std::move(*issued);
    }

    // GET /instances (or /audit-log) with `key`, at the current test time.
    void request(const Secret& key, bool auditLog) {
        LegbaClient client;
        QVERIFY(!client.setEndpoint(m_server->endpoint()));
        client.setKey(key);
        if (auditLog) {
            AuditQuery query;
            auto r = test::await<Result<QByteArray>>(
                [&](auto done) { client.auditLogRaw(query, this, done); });
            QVERIFY(r && *r);
        } else {
            auto r = test::await<Result<InstanceList>>(
                [&](auto done) { client.listInstances(this, done); });
            QVERIFY(r && *r);
        }
    }

    void connectWith(const Secret& key) {
        Profile profile;
        profile.displayName = QStringLiteral("Advisor test org");
        profile.baseUrl = m_server->baseUrl();
        profile.orgUuid = m_server->orgUuid();
        m_app->connections.addOrUpdate(profile, key, false);
        QTRY_COMPARE_WITH_TIMEOUT(m_app->session.state(), Session::State::Connected, kWait);
    }

    QString cell(const IssuedKey& key) const {
        KeysModel* model = m_pane->model();
        return model->index(model->rowOf(key.record.keyId), KeysModel::PrivilegeColumn)
            .data()
            .toString();
    }

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void init() {
        m_now = QDateTime::fromSecsSinceEpoch(QDateTime::currentSecsSinceEpoch(), QTimeZone::utc());
        setTime(m_now.addDays(-61));
        server::ServerOptions options = test::TestServer::fastOptions();
        options.clock = [clock = m_clock] {
            return clock->load();
        };
        m_server = std::make_unique<test::TestServer>(options);
        QVERIFY2(m_server->ok(), qPrintable(m_server->error()));
        setTime(m_now.addDays(-60));
        m_reader = issue(QStringLiteral("ci deploy"),
                         {QStringLiteral("instances:read"), QStringLiteral("instances:write"),
                          QStringLiteral("keys:read")});
        m_idle = issue(QStringLiteral("old laptop"), {QStringLiteral("instances:read")});
        m_full = issue(QStringLiteral("auditor"),
                       {QStringLiteral("instances:read"), QStringLiteral("audit:read")});
        m_noAudit = issue(QStringLiteral("key manager"),
                          {QStringLiteral("keys:read"), QStringLiteral("keys:write"),
                           QStringLiteral("instances:read")});
        for (int days : {20, 10, 1}) {
            setTime(m_now.addDays(-days));
            request(m_reader.secret, false);
        }
        setTime(m_now.addDays(-7));
        request(m_full.secret, false);
        request(m_full.secret, true);
        setTime(m_now);

        m_app = std::make_unique<test::AppStack>(QStringLiteral("legba-admin-test-adv"));
        m_pane = std::make_unique<KeysPane>(&m_app->connections);
        m_tester = std::make_unique<QAbstractItemModelTester>(
            m_pane->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        m_pane->privilegePanel()->evidence()->setClock([this] { return m_now; });
        connect(&m_app->session, &Session::stateChanged, m_pane.get(), &KeysPane::sessionChanged);
        m_pane->resize(1400, 720);
        m_pane->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_pane.get()));
    }

    void cleanup() {
        for (QWidget* widget : QApplication::topLevelWidgets()) {
            if (auto* dialog = qobject_cast<QDialog*>(widget); dialog && dialog->isVisible())
                dialog->done(QDialog::Rejected);
        }
        if (m_app && m_app->session.profile())
            test::await<CredentialStore::Outcome>([&](auto done) {
                m_app->credentials.remove(m_app->session.profile()->credentialAccount(), this,
                                          done);
            });
        m_tester.reset();
        m_pane.reset();
        m_app.reset();
        m_server.reset();
    }

    void column_andPanel_showTheVerdictsAndTheEvidence() {
        connectWith(m_server->ownerKey());
        PrivilegePanel* panel = m_pane->privilegePanel();
        QTRY_VERIFY_WITH_TIMEOUT(panel->evidence()->hasEvidence(), kWait);
        QTRY_VERIFY_WITH_TIMEOUT(m_pane->model()->rowOf(m_reader.record.keyId) >= 0, kWait);
        QCOMPARE(cell(m_reader), QStringLiteral("holds 2 scopes it has not used"));
        QCOMPARE(cell(m_idle), QStringLiteral("unused"));
        QCOMPARE(cell(m_full), QStringLiteral("uses all it holds"));
        QVERIFY(panel->statusLabel()->text().contains(QStringLiteral("events read")));

        m_pane->selectKey(m_reader.record.keyId);
        QCOMPARE(panel->verdictLabel()->text(),
                 QStringLiteral("ci deploy holds 2 scopes it has not used."));
        QTableWidget* table = panel->scopesTable();
        QCOMPARE(table->rowCount(), 3);
        QCOMPARE(table->item(0, 0)->text(), QStringLiteral("instances:read"));
        QCOMPARE(table->item(0, 2)->text(), QStringLiteral("used"));
        QCOMPARE(table->item(0, 3)->text(), QStringLiteral("3"));
        QCOMPARE(table->item(1, 0)->text(), QStringLiteral("instances:write"));
        QCOMPARE(table->item(1, 2)->text(), QStringLiteral("not used"));
        QCOMPARE(table->item(2, 0)->text(), QStringLiteral("keys:read"));
        QVERIFY(panel->evidenceLabel()->text().startsWith(QStringLiteral("3 events from ")));
        QVERIFY(panel->replaceButton()->isEnabled());
        screenshot(m_pane.get(), "advisor-pane.png");
        screenshot(panel, "advisor-panel.png");

        // The full key has nothing to narrow.
        m_pane->selectKey(m_full.record.keyId);
        QVERIFY(!panel->replaceButton()->isEnabled());
        QCOMPARE(panel->replaceButton()->toolTip(), QStringLiteral("This key uses all it holds."));

        // Over 90 days: the same verdicts here (no older traffic).
        panel->windowChooser()->setCurrentIndex(1);
        QTRY_VERIFY_WITH_TIMEOUT(!panel->evidence()->isLoading(), kWait);
        QCOMPARE(panel->evidence()->window(), PrivilegeAdvisor::Window::Days90);
        QCOMPARE(cell(m_reader), QStringLiteral("holds 2 scopes it has not used"));
    }

    void replace_revealsTheNarrowerKey_thenRevokesTheOldAfterTheGrace() {
        connectWith(m_server->ownerKey());
        PrivilegePanel* panel = m_pane->privilegePanel();
        QDateTime narrowingNow = m_now;
        panel->narrowing()->setClock([&narrowingNow] { return narrowingNow; });
        QTRY_VERIFY_WITH_TIMEOUT(panel->evidence()->hasEvidence(), kWait);
        QTRY_VERIFY_WITH_TIMEOUT(m_pane->model()->rowOf(m_reader.record.keyId) >= 0, kWait);
        m_pane->selectKey(m_reader.record.keyId);
        QVERIFY(panel->replaceButton()->isEnabled());

        QTest::mouseClick(panel->replaceButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(m_pane->revealDialog() && m_pane->revealDialog()->isVisible(),
                                 kWait);
        RevealKeyDialog* reveal = m_pane->revealDialog();
        const int newRow = [&] {
            KeysModel* model = m_pane->model();
            for (int row = 0; row < model->rowCount(); ++row) {
                if (model->keyAt(row)->name == QStringLiteral("ci deploy (narrowed)"))
                    return row;
            }
            return -1;
        }();
        QVERIFY(newRow >= 0);
        QCOMPARE(m_pane->model()->keyAt(newRow)->scopes,
                 QStringList{QStringLiteral("instances:read")});
        reveal->storedBox()->setChecked(true);
        QTest::mouseClick(reveal->closeButton(), Qt::LeftButton);

        // Then, and only then, the grace period is asked.
        QTRY_VERIFY_WITH_TIMEOUT(panel->graceDialog() && panel->graceDialog()->isVisible(), kWait);
        screenshot(panel->graceDialog(), "advisor-grace.png");
        panel->graceChooser()->setCurrentIndex(1); // an hour
        panel->graceDialog()->accept();
        QVERIFY(panel->narrowing()->pendingFor(m_reader.record.keyId).has_value());
        QVERIFY(panel->pendingLabel()->isVisible());
        QVERIFY(panel->pendingLabel()->text().contains(QStringLiteral("will be revoked")));

        panel->narrowing()->revokeDue();
        QCOMPARE(m_pane->model()->keyAt(m_pane->model()->rowOf(m_reader.record.keyId))->status,
                 KeyStatus::Active);
        narrowingNow = narrowingNow.addSecs(3600);
        panel->narrowing()->revokeDue();
        // The pane refreshes after the revoke: the old key leaves the list of active keys.
        QTRY_COMPARE_WITH_TIMEOUT(m_pane->model()->rowOf(m_reader.record.keyId), -1, kWait);
        auto old = test::await<Result<ApiKey>>([&](auto done) {
            m_app->session.client()->getKeyById(m_reader.record.keyId, this, done);
        });
        QVERIFY(old && *old);
        QCOMPARE(old->value().status, KeyStatus::Revoked);
    }

    void withoutAuditRead_thePanelSaysSo() {
        connectWith(m_noAudit.secret);
        PrivilegePanel* panel = m_pane->privilegePanel();
        QTRY_VERIFY_WITH_TIMEOUT(m_app->session.identity().has_value(), kWait);
        QTRY_VERIFY_WITH_TIMEOUT(
            panel->statusLabel()->text().contains(QStringLiteral("audit:read")), kWait);
        QVERIFY(!panel->evidence()->hasEvidence());
        QTRY_VERIFY_WITH_TIMEOUT(m_pane->model()->rowOf(m_reader.record.keyId) >= 0, kWait);
        QCOMPARE(cell(m_reader), QString());
        screenshot(panel, "advisor-no-audit.png");
    }
};

QTEST_MAIN(TestPrivilegePanel)
#include "tst_privilegepanel.moc"
