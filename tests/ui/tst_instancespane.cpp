// The instances pane against a real sandbox server: what a person sees while creating,
// watching and destroying instances, and when things go wrong.
#include "Badge.h"
#include "HostileServer.h"
#include "InstancesFilterModel.h"
#include "InstancesModel.h"
#include "InstancesPane.h"
#include "MessageBanner.h"
#include "Session.h"
#include "TestServer.h"
#include "Wait.h"

#include <QAbstractItemModelTester>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

using namespace legba;

namespace {

Profile profileFor(const test::TestServer& server) {
    Profile profile;
    profile.id = QStringLiteral("test");
    profile.displayName = QStringLiteral("Test Org");
    profile.baseUrl = server.baseUrl();
    profile.orgUuid = server.orgUuid();
    return profile;
}

int countWithStatus(const InstancesModel& model, InstanceStatus status) {
    return static_cast<int>(
        std::count_if(model.instances().begin(), model.instances().end(),
                      [status](const Instance& i) { return i.status == status; }));
}

} // namespace

class TestInstancesPane : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<test::TestServer> m_server;
    std::unique_ptr<Session> m_session;
    std::unique_ptr<InstancesPane> m_pane;
    std::unique_ptr<QAbstractItemModelTester> m_tester;

    void start(server::ServerOptions options = test::TestServer::fastOptions()) {
        m_server = std::make_unique<test::TestServer>(options);
        QVERIFY2(m_server->ok(), qPrintable(m_server->error()));
        m_session = std::make_unique<Session>();
        m_pane = std::make_unique<InstancesPane>(m_session.get());
        m_pane->setBusyInterval(150);
        m_pane->setIdleInterval(150);
        // Alive for the whole test: every refresh below is checked as it happens.
        m_tester = std::make_unique<QAbstractItemModelTester>(
            m_pane->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        connect(m_session.get(), &Session::stateChanged, m_pane.get(),
                &InstancesPane::sessionChanged);
        m_pane->show();
        QVERIFY(!m_session->connectTo(profileFor(*m_server), m_server->ownerKey()));
        QTRY_COMPARE_WITH_TIMEOUT(m_session->state(), Session::State::Connected, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(m_pane->lastRefresh().isValid(), 10000);
    }

private Q_SLOTS:
    void cleanup() {
        m_tester.reset();
        m_pane.reset();
        m_session.reset();
        m_server.reset();
    }

    void create_rowAppearsAtOnceAndReachesRunning() {
        start();
        QVERIFY(m_pane->newButton()->isEnabled());
        m_pane->createInstance({QStringLiteral("ubuntu-22.04"), InstanceSize::Medium});
        QTRY_COMPARE_WITH_TIMEOUT(m_pane->model()->rowCount(), 1, 5000);
        const Instance created = m_pane->model()->instances().front();
        QCOMPARE(created.image, QStringLiteral("ubuntu-22.04"));
        QCOMPARE(created.size, InstanceSize::Medium);
        QTRY_COMPARE_WITH_TIMEOUT(m_pane->model()->instances().front().status,
                                  InstanceStatus::Running, 10000);
        QTRY_VERIFY(m_pane->summary()->text().contains(QStringLiteral("1 running")));
    }

    void unknownImage_showsTheServersReasonInPlace() {
        start();
        m_pane->createInstance({QStringLiteral("beos-5"), InstanceSize::Small});
        QTRY_VERIFY_WITH_TIMEOUT(m_pane->banner()->isVisible(), 5000);
        QVERIFY2(m_pane->banner()->text().contains(QStringLiteral("image")),
                 qPrintable(m_pane->banner()->text()));
        QCOMPARE(m_pane->model()->rowCount(), 0);
    }

    void destroySeveral_theyTerminateAndLeave() {
        start();
        for (int i = 0; i < 3; ++i)
            m_pane->createInstance({QStringLiteral("ubuntu-20.04"), InstanceSize::Small});
        QTRY_COMPARE_WITH_TIMEOUT(countWithStatus(*m_pane->model(), InstanceStatus::Running), 3,
                                  10000);
        const QStringList gone{m_pane->model()->instances()[0].instanceUuid,
                               m_pane->model()->instances()[1].instanceUuid};
        const QString stays = m_pane->model()->instances()[2].instanceUuid;
        m_pane->destroyInstances(gone);
        QVERIFY(countWithStatus(*m_pane->model(), InstanceStatus::Terminating) == 2);
        QTRY_COMPARE_WITH_TIMEOUT(m_pane->model()->rowCount(), 1, 10000);
        QCOMPARE(m_pane->model()->instances().front().instanceUuid, stays);
    }

    void quotaReached_saysSoAndKeepsTheList() {
        server::ServerOptions options = test::TestServer::fastOptions();
        options.instanceQuota = 2;
        start(options);
        m_pane->createInstance({QStringLiteral("ubuntu-22.04"), InstanceSize::Small});
        m_pane->createInstance({QStringLiteral("ubuntu-22.04"), InstanceSize::Small});
        QTRY_COMPARE_WITH_TIMEOUT(m_pane->model()->rowCount(), 2, 5000);
        m_pane->createInstance({QStringLiteral("ubuntu-22.04"), InstanceSize::Small});
        QTRY_VERIFY_WITH_TIMEOUT(m_pane->banner()->isVisible(), 5000);
        QVERIFY2(m_pane->banner()->text().contains(QStringLiteral("quota")),
                 qPrintable(m_pane->banner()->text()));
        QCOMPARE(m_pane->model()->rowCount(), 2);
        QVERIFY(m_pane->newButton()->isEnabled()); // nothing broke: it can be tried again later
    }

    void readOnlyKey_disablesWriteActionsNamingTheScope() {
        start();
        auto issued = test::await<Result<IssuedKey>>([&](auto done) {
            m_session->client()->createKey(
                {QStringLiteral("viewer"), {QStringLiteral("instances:read")}, {}}, this, done);
        });
        QVERIFY(issued && issued->ok());
        QVERIFY(!m_session->connectTo(profileFor(*m_server), issued->value().secret));
        QTRY_COMPARE_WITH_TIMEOUT(m_session->state(), Session::State::Connected, 10000);
        QVERIFY(!m_pane->newButton()->isEnabled());
        QVERIFY(m_pane->newButton()->toolTip().contains(QStringLiteral("instances:write")));
        QVERIFY(!m_pane->destroyButton()->isEnabled());
    }

    void selection_survivesRefresh() {
        start();
        for (int i = 0; i < 3; ++i)
            m_pane->createInstance({QStringLiteral("windows-10"), InstanceSize::Large});
        QTRY_COMPARE_WITH_TIMEOUT(m_pane->model()->rowCount(), 3, 5000);
        m_pane->view()->selectRow(1);
        const QStringList selected = m_pane->selectedUuids();
        QCOMPARE(selected.size(), 1);
        QSignalSpy refreshed(m_pane.get(), &InstancesPane::refreshed);
        // Statuses change under the selection (provisioning -> running) across refreshes.
        QTRY_COMPARE_WITH_TIMEOUT(countWithStatus(*m_pane->model(), InstanceStatus::Running), 3,
                                  10000);
        QTRY_VERIFY_WITH_TIMEOUT(refreshed.count() >= 2, 5000);
        QCOMPARE(m_pane->selectedUuids(), selected);
    }

    void filters_narrowByStatusImageAndText() {
        start();
        m_pane->createInstance({QStringLiteral("windows-10"), InstanceSize::Large});
        m_pane->createInstance({QStringLiteral("ubuntu-20.04"), InstanceSize::Small});
        QTRY_COMPARE_WITH_TIMEOUT(m_pane->model()->rowCount(), 2, 5000);
        m_pane->filterModel()->setImageFilter(QStringLiteral("windows-10"));
        QCOMPARE(m_pane->filterModel()->rowCount(), 1);
        m_pane->filterModel()->setImageFilter({});
        m_pane->filterModel()->setText(QStringLiteral("ubuntu"));
        QCOMPARE(m_pane->filterModel()->rowCount(), 1);
        m_pane->filterModel()->setText({});
        m_pane->filterModel()->setSizeFilter(InstanceSize::Medium);
        QCOMPARE(m_pane->filterModel()->rowCount(), 0);
    }

    void serverStoppedMidSession_marksStaleThenRecovers() {
        start();
        m_pane->createInstance({QStringLiteral("ubuntu-22.04"), InstanceSize::Small});
        QTRY_COMPARE_WITH_TIMEOUT(m_pane->model()->rowCount(), 1, 5000);
        const quint16 port = static_cast<quint16>(m_server->baseUrl().port());

        m_server->server().close();
        QTRY_VERIFY_WITH_TIMEOUT(m_pane->isStale(), 20000);
        QCOMPARE(m_pane->model()->rowCount(), 1); // the last list stays visible
        QVERIFY(m_pane->banner()->text().contains(QStringLiteral("cannot be reached")));
        QVERIFY(m_pane->banner()->text().contains(QStringLiteral("Last updated")));
        QCOMPARE(m_session->state(), Session::State::Offline);

        QCOMPARE(m_server->server().listen(QHostAddress::LocalHost, port), port);
        QTRY_VERIFY_WITH_TIMEOUT(!m_pane->isStale(), 20000);
        QTRY_COMPARE_WITH_TIMEOUT(m_session->state(), Session::State::Connected, 10000);
        QVERIFY(!m_pane->banner()->isVisible());
    }

    void emptyOrganization_explainsAndOffersTheFix() {
        start();
        auto* empty = m_pane->findChild<QLabel*>(QStringLiteral("instancesEmptyState"));
        QVERIFY(empty);
        QTRY_VERIFY(empty->isVisible());
        QVERIFY(empty->text().contains(QStringLiteral("No instances yet")));
    }

    void copyAsCurl_usesTheVariableNeverTheKey() {
        start();
        m_pane->createInstance({QStringLiteral("ubuntu-22.04"), InstanceSize::Small});
        QTRY_COMPARE_WITH_TIMEOUT(m_pane->model()->rowCount(), 1, 5000);
        m_pane->view()->selectRow(0);
        const QString curl = m_pane->copySelectionAsCurl();
        QVERIFY(curl.contains(QStringLiteral("$LEGBA_API_TOKEN")));
        QVERIFY(curl.contains(m_pane->model()->instances().front().instanceUuid));
        QVERIFY(!curl.contains(QString::fromLatin1(m_server->ownerKey().reveal())));
    }

    // A live API grows: states, sizes and members the docs never named, and one element
    // this client cannot read. The pane shows every instance it can, the server's own
    // words on neutral badges, and says what it left out.
    void serverThatGrew_showsEveryInstanceItCanRead() {
        test::HostileServer grown;
        QVERIFY(grown.listen());
        grown.setHandler([](QTcpSocket* socket, const test::RawRequest& request) {
            const QByteArray path = request.target.split('?').first();
            if (path.endsWith("/api/key")) {
                test::HostileServer::answer(
                    socket, 200,
                    R"({"key_id":"key_grown","name":"ci","created_at":"2025-01-10T12:00:00Z",)"
                    R"("last_used_at":null,"scopes":["instances:read","instances:write"]})");
                return;
            }
            test::HostileServer::answer(
                socket, 200,
                R"({"instances":[)"
                R"({"instance_uuid":"1234-5678-90ab-cdef","status":"rebooting","image":"windows-11",)"
                R"("size":"xlarge","created_at":"2025-01-10T12:00:00.123456+01:00","gpu":"a100",)"
                R"("region":"eu-west"},)"
                R"({"instance_uuid":"2234-5678-90ab-cdef","status":"running","image":"ubuntu-20.04",)"
                R"("size":"small","created_at":"2025-01-10T12:00:00Z"},)"
                R"({"instance_uuid":"3234-5678-90ab-cdef","status":"running","image":7}],)"
                R"("total":3})");
        });
        m_session = std::make_unique<Session>();
        m_pane = std::make_unique<InstancesPane>(m_session.get());
        m_tester = std::make_unique<QAbstractItemModelTester>(
            m_pane->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        connect(m_session.get(), &Session::stateChanged, m_pane.get(),
                &InstancesPane::sessionChanged);
        m_pane->resize(1100, 400);
        m_pane->show();
        Profile profile;
        profile.id = QStringLiteral("grown");
        profile.displayName = QStringLiteral("Grown");
        profile.baseUrl = grown.baseUrl();
        profile.orgUuid = QStringLiteral("123e4567-e89b-12d3-a456-426614174000");
        QVERIFY(!m_session->connectTo(profile, Secret("legba_new_api_key_xyz789")));
        QTRY_VERIFY_WITH_TIMEOUT(m_pane->lastRefresh().isValid(), 10000);

        QCOMPARE(m_pane->model()->rowCount(), 2);
        const int row = m_pane->model()->rowOf(QStringLiteral("1234-5678-90ab-cdef"));
        QVERIFY(row >= 0);
        const QModelIndex status = m_pane->model()->index(row, InstancesModel::StatusColumn);
        QCOMPARE(status.data().toString(), QStringLiteral("rebooting"));
        QCOMPARE(status.data(InstancesModel::BadgeToneRole).value<BadgeTone>(), BadgeTone::Neutral);
        QCOMPARE(status.data(InstancesModel::InstanceStatusRole).toInt(), -1);
        QCOMPARE(m_pane->model()->index(row, InstancesModel::SizeColumn).data().toString(),
                 QStringLiteral("xlarge"));
        // The docs' ids are short enough to show whole.
        QCOMPARE(m_pane->model()->index(row, InstancesModel::InstanceColumn).data().toString(),
                 QStringLiteral("1234-5678-90ab-cdef"));
        QVERIFY2(m_pane->summary()->text().contains(QStringLiteral("1 rebooting")),
                 qPrintable(m_pane->summary()->text()));
        QVERIFY(m_pane->banner()->isVisible());
        QVERIFY2(m_pane->banner()->text().contains(QStringLiteral("1 instance could not be read")),
                 qPrintable(m_pane->banner()->text()));
        QVERIFY(m_pane->banner()->text().contains(QStringLiteral("instances[2].image")));
        if (const QString shots = qEnvironmentVariable("LEGBA_TEST_SHOTS"); !shots.isEmpty())
            m_pane->grab().save(shots + QStringLiteral("/instances-server-grew.png"));
    }
};

QTEST_MAIN(TestInstancesPane)
#include "tst_instancespane.moc"
