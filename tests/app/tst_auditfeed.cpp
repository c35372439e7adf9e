// AuditFeed without widgets: its pages and the live tail's edge cases, against the real
// sandbox server (seeded with `seed-demo`) behind a proxy that injects the faults and
// marks the moments a race needs: new events since the head, a catch-up of more than one
// page, the head gone from the log (a reload), a failure in the middle of a catch-up (it
// adds nothing, and the next look adds each event once), and a query changed while a look
// is between pages (its answer is dropped).
#include "AuditFeed.h"
#include "Cli.h"
#include "FaultyProxy.h"
#include "Session.h"
#include "TestServer.h"
#include "Wait.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <nlohmann/json.hpp>

using namespace legba;

namespace {

constexpr int kWait = 20000;
constexpr int kPageSize = 10;

QString idOf(const audit::AuditBatch& page, std::size_t i) {
    return QString::fromUtf8(page.uniqueOf(page.records[i]).eventId);
}

QString agentOf(const audit::AuditBatch& page, std::size_t i) {
    return QString::fromUtf8(page.view(i).strings().userAgent);
}

// What one look handed over: the new events' ids and user agents, newest first.
struct Look {
    bool reachedHead = false;
    qsizetype pages = 0;
    QStringList ids;
    QStringList agents;
};

} // namespace

class TestAuditFeed : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<test::TestServer> m_server;
    std::unique_ptr<test::FaultyProxy> m_proxy;
    std::unique_ptr<Session> m_session;
    std::unique_ptr<AuditFeed> m_feed;
    QSet<QString> m_firstPage; // ids of the first page loaded
    QString m_top;             // the first of them: the tail's head

    // `count` GET /instances straight to the server as `agent`: the server records each.
    void makeEvents(const QByteArray& agent, int count) {
        QNetworkAccessManager manager;
        for (int i = 0; i < count; ++i) {
            QNetworkRequest request(QUrl(m_server->baseUrl().toString() + QStringLiteral("/orgs/") +
                                         m_server->orgUuid() + QStringLiteral("/api/instances")));
            request.setRawHeader("Authorization", "Bearer " + m_server->ownerKey().reveal());
            request.setHeader(QNetworkRequest::UserAgentHeader, agent);
            QNetworkReply* reply = manager.get(request);
            QTRY_VERIFY(reply->isFinished());
            QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
            reply->deleteLater();
        }
    }

    // Reads are recorded in batches, a few milliseconds late: waits until the top of the log
    // (asked straight of the server) lists `count` events by `agent`.
    bool waitRecorded(const QString& agent, int count) {
        LegbaClient client;
        client.setEndpoint(m_server->endpoint());
        client.setKey(m_server->ownerKey());
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < kWait) {
            AuditQuery query;
            query.limit = 200;
            auto page = test::await<Result<AuditPage>>(
                [&](auto done) { client.auditLog(query, this, done); });
            if (page && *page) {
                int found = 0;
                for (const AuditEvent& event : page->value().events)
                    found += event.userAgent == agent ? 1 : 0;
                if (found >= count)
                    return true;
            }
            QTest::qWait(20);
        }
        return false;
    }

    // Loads the query's first page; its ids go to m_firstPage.
    void loadFirstPage() {
        QSignalSpy loaded(m_feed.get(), &AuditFeed::pageLoaded);
        QVERIFY(m_feed->fetchPage({}));
        QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), 1, kWait);
        QCOMPARE(loaded[0][0].toString(), QString());
        const auto page = loaded[0][1].value<AuditPageLoader::Page>();
        QVERIFY(!page->records.empty());
        m_firstPage.clear();
        m_top = idOf(*page, 0);
        for (std::size_t i = 0; i < page->records.size(); ++i)
            m_firstPage.insert(idOf(*page, i));
    }

    // One look at the top of the log, to its end.
    Look look() {
        Look result;
        QSignalSpy newer(m_feed.get(), &AuditFeed::newerEvents);
        if (!m_feed->lookForNewer()) {
            qWarning("no look started");
            return result;
        }
        if (!QTest::qWaitFor([&] { return !m_feed->isTailBusy(); }, kWait) || newer.size() != 1)
            return result;
        result.reachedHead = true;
        const auto pages = newer[0][0].value<std::vector<AuditFeed::NewerPage>>();
        result.pages = static_cast<qsizetype>(pages.size());
        for (const AuditFeed::NewerPage& newerPage : pages) {
            for (std::size_t i = 0; i < newerPage.count; ++i) {
                result.ids << idOf(*newerPage.page, i);
                result.agents << agentOf(*newerPage.page, i);
            }
        }
        return result;
    }

    void checkNothingTwice(const QStringList& ids) {
        QCOMPARE(QSet<QString>(ids.begin(), ids.end()).size(), ids.size());
        for (const QString& id : ids)
            QVERIFY2(!m_firstPage.contains(id), qPrintable(id));
    }

private Q_SLOTS:
    void initTestCase() {
        qRegisterMetaType<std::vector<AuditFeed::NewerPage>>();
        m_server = std::make_unique<test::TestServer>();
        QVERIFY2(m_server->ok(), qPrintable(m_server->error()));
        std::FILE* null = std::fopen("/dev/null", "w");
        const int seeded =
            server::runCli({QStringLiteral("seed-demo"), QStringLiteral("--data-dir"),
                            m_server->dataDir(), QStringLiteral("--org"), m_server->orgUuid(),
                            QStringLiteral("--events"), QStringLiteral("60")},
                           null, null);
        std::fclose(null);
        QCOMPARE(seeded, 0);
    }

    void init() {
        m_proxy = std::make_unique<test::FaultyProxy>(m_server->baseUrl());
        QVERIFY(m_proxy->listen());
        m_session = std::make_unique<Session>();
        // The failures are on purpose: no retries.
        m_session->client()->setRetryPolicy(
            {0, std::chrono::milliseconds(50), std::chrono::milliseconds(50)});
        Profile profile;
        profile.id = QStringLiteral("audit-feed");
        profile.baseUrl = m_proxy->baseUrl();
        profile.orgUuid = m_server->orgUuid();
        QVERIFY(!m_session->connectTo(profile, m_server->ownerKey()));
        QTRY_COMPARE_WITH_TIMEOUT(m_session->state(), Session::State::Connected, kWait);
        m_feed = std::make_unique<AuditFeed>(m_session.get());
        m_feed->setPageSize(kPageSize);
        m_feed->setQuery(AuditQuery{});
    }

    void cleanup() {
        m_feed.reset();
        m_session.reset();
        m_proxy.reset();
    }

    void noLookBeforeTheFirstPage() {
        QVERIFY(!m_feed->lookForNewer());
        QVERIFY(!m_feed->isTailBusy());
    }

    void newEventsSinceTheHead_areHandedOverOnce() {
        loadFirstPage();
        makeEvents("feed-new", 3);
        QVERIFY(waitRecorded(QStringLiteral("feed-new"), 3));
        const Look first = look();
        QVERIFY(first.reachedHead);
        QCOMPARE(first.agents.count(QStringLiteral("feed-new")), 3);
        checkNothingTwice(first.ids);
        // The next look starts from the new head: none of them again.
        const Look second = look();
        QVERIFY(second.reachedHead);
        QCOMPARE(second.agents.count(QStringLiteral("feed-new")), 0);
        checkNothingTwice(first.ids + second.ids);
    }

    void aCatchUpOfMoreThanOnePage_handsOverEveryNewEvent() {
        loadFirstPage();
        makeEvents("feed-burst", 25);
        QVERIFY(waitRecorded(QStringLiteral("feed-burst"), 25));
        const Look burst = look();
        QVERIFY(burst.reachedHead);
        QVERIFY2(burst.pages >= 3, qPrintable(QString::number(burst.pages)));
        QCOMPARE(burst.agents.count(QStringLiteral("feed-burst")), 25);
        checkNothingTwice(burst.ids);
    }

    void theHeadGoneFromTheLog_asksForAReload() {
        loadFirstPage();
        // Another log from now on: the event that was on top is in no page.
        const QString top = m_top;
        m_proxy->setRewrite([top](const test::RawRequest& request, QByteArray body) {
            if (!test::isAuditLog(request))
                return body;
            nlohmann::json page = nlohmann::json::parse(body.toStdString());
            auto& events = page["events"];
            for (auto it = events.begin(); it != events.end(); ++it) {
                if (QString::fromStdString((*it)["event_id"].get<std::string>()) == top) {
                    events.erase(it);
                    break;
                }
            }
            return QByteArray::fromStdString(page.dump());
        });
        QSignalSpy reload(m_feed.get(), &AuditFeed::reloadNeeded);
        QSignalSpy newer(m_feed.get(), &AuditFeed::newerEvents);
        QVERIFY(m_feed->lookForNewer());
        QTRY_COMPARE_WITH_TIMEOUT(reload.size(), 1, kWait);
        QVERIFY(!m_feed->isTailBusy());
        QCOMPARE(newer.size(), 0);
    }

    void aFailureInTheMiddleOfACatchUp_addsNothingTwice() {
        loadFirstPage();
        makeEvents("feed-retry", 25);
        QVERIFY(waitRecorded(QStringLiteral("feed-retry"), 25));
        // The look's second page fails, once.
        int failures = 0;
        m_proxy->setFault([&failures](const test::RawRequest& request)
                              -> std::optional<test::FaultyProxy::Answer> {
            if (!test::isAuditLog(request) || !request.target.contains("cursor=") || failures > 0)
                return std::nullopt;
            ++failures;
            return test::FaultyProxy::Answer{
                500, test::HostileServer::errorBody("INTERNAL", "The database is locked")};
        });
        QSignalSpy failed(m_feed.get(), &AuditFeed::tailFailed);
        QSignalSpy newer(m_feed.get(), &AuditFeed::newerEvents);
        QVERIFY(m_feed->lookForNewer());
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, kWait);
        QCOMPARE(failed[0][0].value<ApiError>().httpStatus, 500);
        QVERIFY(!m_feed->isTailBusy());
        QCOMPARE(newer.size(), 0); // the first page of the failed look was not handed over
        QCOMPARE(failures, 1);

        const Look again = look();
        QVERIFY(again.reachedHead);
        QVERIFY(again.pages >= 3);
        QCOMPARE(again.agents.count(QStringLiteral("feed-retry")), 25);
        checkNothingTwice(again.ids);
    }

    void aQueryChangedBetweenTheLooksPages_dropsTheStaleAnswer() {
        loadFirstPage();
        makeEvents("feed-stale", 25);
        QVERIFY(waitRecorded(QStringLiteral("feed-stale"), 25));
        // When the look asks for its second page, the query changes to failures only; the
        // page is still forwarded and answered.
        AuditQuery failures;
        failures.success = false;
        QByteArray changedOn;
        int laterPages = 0; // pages after the first asked since the change
        bool staleAnswered = false;
        m_proxy->setFault([&, failures](const test::RawRequest& request)
                              -> std::optional<test::FaultyProxy::Answer> {
            if (!test::isAuditLog(request) || !request.target.contains("cursor="))
                return std::nullopt;
            if (changedOn.isEmpty()) {
                changedOn = request.target;
                m_feed->setQuery(failures);
            } else if (request.target != changedOn) {
                ++laterPages;
            }
            return std::nullopt;
        });
        m_proxy->setRewrite([&](const test::RawRequest& request, QByteArray body) {
            if (!changedOn.isEmpty() && request.target == changedOn)
                staleAnswered = true;
            return body;
        });
        QSignalSpy newer(m_feed.get(), &AuditFeed::newerEvents);
        QSignalSpy busy(m_feed.get(), &AuditFeed::tailBusyChanged);
        QVERIFY(m_feed->lookForNewer());
        QTRY_VERIFY_WITH_TIMEOUT(!changedOn.isEmpty(), kWait);
        QVERIFY(!m_feed->isTailBusy());
        QCOMPARE(busy.size(), 2);         // started, dropped
        QVERIFY(!m_feed->lookForNewer()); // the new query has no first page yet
        QTRY_VERIFY_WITH_TIMEOUT(staleAnswered, kWait);

        // The new query's first page, then a look: only failures, none of the stale look's,
        // and the stale look never went on to its next page.
        QSignalSpy loaded(m_feed.get(), &AuditFeed::pageLoaded);
        QVERIFY(m_feed->fetchPage({}));
        QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), 1, kWait);
        QCOMPARE(laterPages, 0);
        m_proxy->setFault({});
        m_proxy->setRewrite({});
        const auto page = loaded[0][1].value<AuditPageLoader::Page>();
        for (const audit::AuditRecord& record : page->records)
            QVERIFY(record.failure());
        const Look after = look();
        QVERIFY(after.reachedHead);
        QCOMPARE(after.agents.count(QStringLiteral("feed-stale")), 0);
        QCOMPARE(newer.size(), 1); // the look just made, never the stale one
        QCOMPARE(m_feed->query().success, std::optional<bool>(false));
    }
};

QTEST_GUILESS_MAIN(TestAuditFeed)
#include "tst_auditfeed.moc"
