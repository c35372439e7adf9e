// What the Instances pane asks of the server, without widgets: listing (one request in
// flight), creating (a 409 CONFLICT is the quota, its number read from the message),
// destroying several at once (a 404 is done; one result with the failures) and the requests
// described for "copy as curl". Against the real in-process sandbox server, behind a proxy
// that fails the one request a test names.
#include "FaultyProxy.h"
#include "HostileServer.h"
#include "InstanceActions.h"
#include "Session.h"
#include "TestServer.h"
#include "Wait.h"

#include <QTest>

using namespace legba;

namespace {
constexpr int kWait = 30000;
constexpr int kQuota = 2;
// An instance that never existed: DELETE answers 404.
const QString kGhost = QStringLiteral("00000000-0000-4000-8000-000000000000");
} // namespace

class TestInstanceActions : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<test::TestServer> m_server;
    std::unique_ptr<test::FaultyProxy> m_proxy;
    std::unique_ptr<Session> m_session;
    std::unique_ptr<InstanceActions> m_actions;

    // Creates an instance through the actions, and waits for it.
    std::optional<InstanceActions::Created> create() {
        return test::await<InstanceActions::Created>([&](auto done) {
            m_actions->create({QStringLiteral("ubuntu-22.04"), InstanceSize::Small}, done);
        });
    }

    std::vector<Instance> listed() {
        auto result =
            test::await<Result<InstanceList>>([&](auto done) { QVERIFY(m_actions->list(done)); });
        if (!result || !*result)
            return {};
        return std::move(result->value().instances);
    }

private Q_SLOTS:
    void initTestCase() {
        server::ServerOptions options = test::TestServer::fastOptions();
        options.instanceQuota = kQuota;
        m_server = std::make_unique<test::TestServer>(options);
        QVERIFY2(m_server->ok(), qPrintable(m_server->error()));
    }

    void init() {
        m_proxy = std::make_unique<test::FaultyProxy>(m_server->baseUrl());
        QVERIFY(m_proxy->listen());
        m_session = std::make_unique<Session>();
        Profile profile;
        profile.id = QStringLiteral("instance-actions");
        profile.baseUrl = m_proxy->baseUrl();
        profile.orgUuid = m_server->orgUuid();
        QVERIFY(!m_session->connectTo(profile, m_server->ownerKey()));
        QTRY_COMPARE_WITH_TIMEOUT(m_session->state(), Session::State::Connected, kWait);
        m_actions = std::make_unique<InstanceActions>(m_session.get());
    }

    void cleanup() {
        // Every test starts with no live instance: the quota counts them.
        m_proxy->setFault({});
        QStringList uuids;
        for (const Instance& instance : listed())
            uuids << instance.instanceUuid;
        if (!uuids.isEmpty()) {
            auto destroyed = test::await<InstanceActions::Destroyed>(
                [&](auto done) { m_actions->destroy(uuids, done); });
            QVERIFY(destroyed && destroyed->failures.empty());
        }
        QTRY_VERIFY_WITH_TIMEOUT(listed().empty(), kWait);
        m_actions.reset();
        m_session.reset();
        m_proxy.reset();
    }

    void notConnected_listsNothing() {
        Session idle;
        InstanceActions actions(&idle);
        QVERIFY(!actions.canList());
        bool called = false;
        QVERIFY(!actions.list([&](const Result<InstanceList>&) { called = true; }));
        QVERIFY(!actions.isListing());
        QVERIFY(!called);
    }

    void list_oneRequestInFlight_andCancel() {
        int answers = 0;
        QVERIFY(m_actions->canList());
        QVERIFY(m_actions->list([&](const Result<InstanceList>& result) {
            QVERIFY(result.ok());
            ++answers;
        }));
        QVERIFY(m_actions->isListing());
        // Never two list requests in flight.
        QVERIFY(!m_actions->canList());
        QVERIFY(!m_actions->list([&](const Result<InstanceList>&) { answers += 100; }));
        QTRY_COMPARE_WITH_TIMEOUT(answers, 1, kWait);
        QVERIFY(!m_actions->isListing());

        // Cancelled: its answer never comes, and another may start at once.
        bool cancelledAnswered = false;
        QVERIFY(m_actions->list([&](const Result<InstanceList>&) { cancelledAnswered = true; }));
        m_actions->cancelList();
        QVERIFY(!m_actions->isListing());
        QVERIFY(m_actions->canList());
        QCOMPARE(listed().size(), size_t{0});
        QVERIFY(!cancelledAnswered);
    }

    void create_givesTheInstance() {
        const auto created = create();
        QVERIFY(created);
        QVERIFY2(created->instance, created->error ? qPrintable(created->error->summary()) : "");
        QVERIFY(!created->error);
        QVERIFY(!created->quotaReached);
        QCOMPARE(created->instance->image, QStringLiteral("ubuntu-22.04"));
        const std::vector<Instance> instances = listed();
        QCOMPARE(instances.size(), size_t{1});
        QCOMPARE(instances.front().instanceUuid, created->instance->instanceUuid);
    }

    void create_overTheQuota_saysTheQuotaFromTheMessage() {
        for (int i = 0; i < kQuota; ++i) {
            const auto created = create();
            QVERIFY(created && created->instance);
        }
        const auto refused = create();
        QVERIFY(refused);
        QVERIFY(!refused->instance);
        QVERIFY(refused->quotaReached);
        QVERIFY(refused->error);
        QVERIFY(refused->error->isHttp(ErrorCode::Conflict));
        QVERIFY(refused->quota == std::optional<int>(kQuota));
        QCOMPARE(listed().size(), size_t{kQuota});
    }

    void create_otherFailure_isNotTheQuota() {
        m_proxy->setFault(
            [](const test::RawRequest& request) -> std::optional<test::FaultyProxy::Answer> {
                if (request.method != "POST" || !request.target.endsWith("/instances"))
                    return std::nullopt;
                return test::FaultyProxy::Answer{
                    500, test::HostileServer::errorBody("INTERNAL", "The database is locked")};
            });
        const auto failed = create();
        QVERIFY(failed);
        QVERIFY(!failed->instance);
        QVERIFY(!failed->quotaReached);
        QVERIFY(!failed->quota);
        QVERIFY(failed->error);
        QCOMPARE(failed->error->httpStatus, 500);
    }

    void quotaOfMessage_readsTheNumber() {
        QVERIFY(InstanceActions::quotaOfMessage(
                    QStringLiteral("The organization's quota of 10 live instances is reached")) ==
                std::optional<int>(10));
        QVERIFY(!InstanceActions::quotaOfMessage(QStringLiteral("Quota reached")));
    }

    void destroySeveral_oneAlreadyGone_oneFailing_oneResult() {
        const auto first = create();
        const auto second = create();
        QVERIFY(first && first->instance && second && second->instance);
        const QString gone = first->instance->instanceUuid;
        const QString failing = second->instance->instanceUuid;
        m_proxy->setFault(
            [failing](const test::RawRequest& request) -> std::optional<test::FaultyProxy::Answer> {
                if (request.method != "DELETE" || !request.target.contains(failing.toUtf8()))
                    return std::nullopt;
                return test::FaultyProxy::Answer{
                    500, test::HostileServer::errorBody("INTERNAL", "The database is locked")};
            });
        int answers = 0;
        std::optional<InstanceActions::Destroyed> destroyed;
        m_actions->destroy({gone, kGhost, failing}, [&](InstanceActions::Destroyed d) {
            ++answers;
            destroyed = std::move(d);
        });
        QTRY_VERIFY_WITH_TIMEOUT(destroyed.has_value(), kWait);
        QCOMPARE(destroyed->destroyed, QStringList{gone});
        QCOMPARE(destroyed->alreadyGone, QStringList{kGhost});
        QCOMPARE(destroyed->failures.size(), size_t{1});
        QCOMPARE(destroyed->failures.front().instanceUuid, failing);
        QCOMPARE(destroyed->failures.front().error.httpStatus, 500);
        QCOMPARE(answers, 1);
        // The failing one is still there; the destroyed one is on its way out or gone.
        bool failingListed = false;
        for (const Instance& instance : listed())
            failingListed = failingListed || instance.instanceUuid == failing;
        QVERIFY(failingListed);
    }

    void curlCommands_describeTheListAndOneInstance_withoutTheKey() {
        const QString list = m_actions->curlCommand();
        QVERIFY2(list.contains(m_proxy->baseUrl().toString(QUrl::StripTrailingSlash)),
                 qPrintable(list));
        QVERIFY2(list.contains(QStringLiteral("/instances")), qPrintable(list));
        QVERIFY2(list.contains(QStringLiteral("$LEGBA_API_TOKEN")), qPrintable(list));
        QVERIFY(!list.contains(QString::fromLatin1(m_server->ownerKey().reveal())));
        const QString one = m_actions->curlCommand(kGhost);
        QVERIFY2(one.contains(QStringLiteral("/instances/") + kGhost), qPrintable(one));
        QVERIFY(!one.contains(QString::fromLatin1(m_server->ownerKey().reveal())));
    }
};

QTEST_MAIN(TestInstanceActions)
#include "tst_instanceactions.moc"
