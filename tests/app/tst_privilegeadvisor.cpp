// The least-privilege advisor on an organization seeded with keys and known traffic: real
// requests to the in-process sandbox at times a test clock sets, the sandbox's own audit log
// read back over HTTP and parsed as the app parses it, and the advice exact.
#include "AuditPageSax.h"
#include "PrivilegeAdvisor.h"
#include "PrivilegeEvidence.h"
#include "TestServer.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTest>
#include <QTimeZone>
#include <QUrlQuery>
#include <atomic>
#include <memory>

using namespace legba;
using Window = PrivilegeAdvisor::Window;
using Verdict = PrivilegeAdvisor::Verdict;

namespace {

constexpr int kWait = 30000;
const QDateTime kNow(QDate(2026, 12, 1), QTime(12, 0), QTimeZone::utc());

QDateTime daysAgo(int days) {
    return kNow.addDays(-days);
}

} // namespace

class TestPrivilegeAdvisor : public QObject {
    Q_OBJECT

private:
    std::shared_ptr<std::atomic<qint64>> m_clock = std::make_shared<std::atomic<qint64>>(0);
    std::unique_ptr<test::TestServer> m_server;
    QNetworkAccessManager m_nam;
    IssuedKey m_reader; // holds three scopes, uses only instances:read (and keys:read once)
    IssuedKey m_idle;   // never used
    IssuedKey m_full;   // uses all it holds
    PrivilegeAdvisor m_advisor;

    void setTime(const QDateTime& when) { m_clock->store(when.toMSecsSinceEpoch()); }

    IssuedKey issue(const QString& name, const QStringList& scopes) {
        auto issued = m_server->server().issueKey(m_server->orgUuid(), name, scopes);
        if (!issued)
            qFatal("cannot issue the key %s", qPrintable(name));
        return std::move(*issued);
    }

    // One request at the current test time; its status.
    int call(const QByteArray& method, const QString& path, const Secret& key,
             const QByteArray& body = {}) {
        QNetworkRequest request(m_server->endpoint().apiUrl(path));
        request.setRawHeader("Authorization", "Bearer " + key.reveal());
        if (!body.isEmpty())
            request.setRawHeader("Content-Type", "application/json");
        std::unique_ptr<QNetworkReply> reply(m_nam.sendCustomRequest(request, method, body));
        QSignalSpy finished(reply.get(), &QNetworkReply::finished);
        if (!reply->isFinished() && !finished.wait(kWait))
            qFatal("no answer to %s %s", method.constData(), qPrintable(path));
        reply->readAll();
        return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    }

    // The whole audit log, read with the owner key and parsed as the app parses a page.
    void loadLog() {
        QString cursor;
        do {
            QUrl url = m_server->endpoint().apiUrl(QStringLiteral("/audit-log"));
            QUrlQuery query;
            query.addQueryItem(QStringLiteral("limit"), QStringLiteral("1000"));
            if (!cursor.isEmpty())
                query.addQueryItem(QStringLiteral("cursor"), cursor);
            url.setQuery(query);
            QNetworkRequest request(url);
            request.setRawHeader("Authorization", "Bearer " + m_server->ownerKey().reveal());
            std::unique_ptr<QNetworkReply> reply(m_nam.get(request));
            QSignalSpy finished(reply.get(), &QNetworkReply::finished);
            if (!reply->isFinished() && !finished.wait(kWait))
                qFatal("no answer to GET /audit-log");
            const audit::AuditBatch batch = audit::parseAuditPage(reply->readAll());
            if (!batch.unreadable.empty())
                qFatal("unreadable audit events");
            m_advisor.add(batch);
            cursor = batch.nextCursor;
        } while (!cursor.isEmpty());
    }

    static QList<Scope> scopes(std::initializer_list<Scope> list) { return QList<Scope>(list); }

private Q_SLOTS:
    void initTestCase() {
        setTime(daysAgo(61));
        server::ServerOptions options = test::TestServer::fastOptions();
        options.clock = [clock = m_clock] {
            return clock->load();
        };
        m_server = std::make_unique<test::TestServer>(options);
        QVERIFY2(m_server->ok(), qPrintable(m_server->error()));

        setTime(daysAgo(60));
        m_reader = issue(QStringLiteral("reader"),
                         {QStringLiteral("instances:read"), QStringLiteral("instances:write"),
                          QStringLiteral("keys:read")});
        m_idle = issue(QStringLiteral("idle"), {QStringLiteral("instances:read")});
        m_full = issue(QStringLiteral("full"),
                       {QStringLiteral("instances:read"), QStringLiteral("audit:read")});

        // The reader: keys:read once, 40 days ago; instances:read since, including a 404.
        setTime(daysAgo(40));
        QCOMPARE(call("GET", QStringLiteral("/keys"), m_reader.secret), 200);
        for (int days : {20, 10, 1}) {
            setTime(daysAgo(days));
            QCOMPARE(call("GET", QStringLiteral("/instances"), m_reader.secret), 200);
        }
        setTime(daysAgo(5));
        QCOMPARE(call("GET", QStringLiteral("/instances/00000000-0000-4000-8000-000000000000"),
                      m_reader.secret),
                 404);
        // Refused: a scope it does not hold is no use of one.
        setTime(daysAgo(3));
        QCOMPARE(call("POST", QStringLiteral("/keys"), m_reader.secret,
                      R"({"name":"x","scopes":["instances:read"]})"),
                 403);
        // Any valid key may read its own record; an unknown route needs nothing known.
        setTime(daysAgo(2));
        QCOMPARE(call("GET", QStringLiteral("/key"), m_reader.secret), 200);
        QCOMPARE(call("GET", QStringLiteral("/nothing-here"), m_reader.secret), 404);

        // The full key: both of its scopes.
        setTime(daysAgo(7));
        QCOMPARE(call("GET", QStringLiteral("/instances"), m_full.secret), 200);
        setTime(daysAgo(6));
        QCOMPARE(call("GET", QStringLiteral("/audit-log"), m_full.secret), 200);

        setTime(kNow);
        loadLog();
        // Every page was read: the log is complete since the organization was created.
        m_advisor.setCoverageFrom(daysAgo(61));
    }

    void aKeyUsingOneOfThreeScopes_holdsTwoItHasNotUsed_over30Days() {
        const auto advice = m_advisor.advise(m_reader.record, Window::Days30, kNow);
        QCOMPARE(advice.verdict, Verdict::HoldsUnused);
        QCOMPARE(advice.verdictText(), QStringLiteral("holds 2 scopes it has not used"));
        QCOMPARE(advice.held,
                 scopes({Scope::InstancesRead, Scope::InstancesWrite, Scope::KeysRead}));
        QCOMPARE(advice.used, scopes({Scope::InstancesRead}));
        QCOMPARE(advice.unused, scopes({Scope::InstancesWrite, Scope::KeysRead}));
        QCOMPARE(advice.narrowedScopes(), QStringList{QStringLiteral("instances:read")});
        QCOMPARE(advice.events, 7);
        QCOMPARE(advice.refused, 1);
        QCOMPARE(advice.unknown, 1);
        QCOMPARE(advice.noScope, 1);
        QCOMPARE(advice.from, daysAgo(30));
        QCOMPARE(advice.to, kNow);
        QCOMPARE(advice.firstEvent, daysAgo(20));
        QCOMPARE(advice.lastEvent, daysAgo(1));
        QCOMPARE(advice.uses.size(), 3u);
        QCOMPARE(advice.uses[0].scope, Scope::InstancesRead);
        QCOMPARE(advice.uses[0].events, 4); // three lists and the 404
        QCOMPARE(advice.uses[0].first, daysAgo(20));
        QCOMPARE(advice.uses[0].last, daysAgo(1));
        QCOMPARE(advice.uses[1].scope, Scope::InstancesWrite);
        QCOMPARE(advice.uses[1].events, 0);
        QVERIFY(!advice.uses[1].first.isValid());
        QCOMPARE(advice.uses[2].scope, Scope::KeysRead);
        QCOMPARE(advice.uses[2].events, 0);
        QCOMPARE(advice.evidenceText(),
                 QStringLiteral("7 events from 2026-11-01T12:00:00Z to 2026-12-01T12:00:00Z; 1 "
                                "refused (no use of a scope); 1 requests this app does not know"));
    }

    void theSameKeyOver90Days_usedKeysReadToo() {
        for (Window window : {Window::Days90, Window::AllLoaded}) {
            const auto advice = m_advisor.advise(m_reader.record, window, kNow);
            QCOMPARE(advice.verdict, Verdict::HoldsUnused);
            QCOMPARE(advice.verdictText(), QStringLiteral("holds 1 scope it has not used"));
            QCOMPARE(advice.used, scopes({Scope::InstancesRead, Scope::KeysRead}));
            QCOMPARE(advice.unused, scopes({Scope::InstancesWrite}));
            QCOMPARE(advice.events, 8);
            // The key exists since 60 days ago: the evidence covers no more.
            QCOMPARE(advice.from, daysAgo(60));
            QCOMPARE(advice.firstEvent, daysAgo(40));
            QCOMPARE(advice.uses[2].events, 1);
            QCOMPARE(advice.uses[2].first, daysAgo(40));
            QCOMPARE(advice.uses[2].last, daysAgo(40));
        }
    }

    void aKeyWithNoEvents_isUnused() {
        for (Window window : {Window::Days30, Window::Days90, Window::AllLoaded}) {
            const auto advice = m_advisor.advise(m_idle.record, window, kNow);
            QCOMPARE(advice.verdict, Verdict::Unused);
            QCOMPARE(advice.verdictText(), QStringLiteral("unused"));
            QCOMPARE(advice.events, 0);
            QCOMPARE(advice.held, scopes({Scope::InstancesRead}));
            QCOMPARE(advice.unused, scopes({Scope::InstancesRead}));
            QVERIFY(advice.narrowedScopes().isEmpty());
            QVERIFY(!advice.firstEvent.isValid());
        }
        QCOMPARE(m_advisor.advise(m_idle.record, Window::Days30, kNow).from, daysAgo(30));
    }

    void aKeyUsingAllItHolds() {
        const auto advice = m_advisor.advise(m_full.record, Window::Days30, kNow);
        QCOMPARE(advice.verdict, Verdict::UsesAllItHolds);
        QCOMPARE(advice.verdictText(), QStringLiteral("uses all it holds"));
        QCOMPARE(advice.used, scopes({Scope::InstancesRead, Scope::AuditRead}));
        QVERIFY(advice.unused.isEmpty());
        QCOMPARE(advice.events, 2);
        QCOMPARE(advice.uses[0].first, daysAgo(7));
        QCOMPARE(advice.uses[1].scope, Scope::AuditRead);
        QCOMPARE(advice.uses[1].first, daysAgo(6));
    }

    void eventsAfterNow_countForNothing() {
        // Seen from just before the full key read the log: only its list of instances.
        const auto advice = m_advisor.advise(m_full.record, Window::Days30, daysAgo(6).addSecs(-1));
        QCOMPARE(advice.events, 1);
        QCOMPARE(advice.verdict, Verdict::HoldsUnused);
        QCOMPARE(advice.unused, scopes({Scope::AuditRead}));
    }

    // The same advice through the app's loader: every page of the window, a few events a page.
    void evidence_loadsEveryPageOfTheWindow() {
        LegbaClient client;
        QVERIFY(!client.setEndpoint(m_server->endpoint()));
        client.setKey(m_server->ownerKey());
        PrivilegeEvidence evidence(&client);
        evidence.setClock([] { return kNow; });
        evidence.setPageSize(3);
        QSignalSpy progress(&evidence, &PrivilegeEvidence::progress);
        QSignalSpy finished(&evidence, &PrivilegeEvidence::finished);
        for (Window window : {Window::Days30, Window::Days90}) {
            finished.clear();
            evidence.load(window);
            QVERIFY(evidence.isLoading());
            QVERIFY(finished.wait(kWait));
            QVERIFY(evidence.isComplete());
            QVERIFY(!evidence.error());
            QVERIFY(evidence.pagesLoaded() > 1);
            for (const IssuedKey* key : {&m_reader, &m_idle, &m_full}) {
                const auto loaded = evidence.advise(key->record);
                const auto direct = m_advisor.advise(key->record, window, kNow);
                QCOMPARE(loaded.verdict, direct.verdict);
                QCOMPARE(loaded.used, direct.used);
                QCOMPARE(loaded.events, direct.events);
                QCOMPARE(loaded.from, direct.from);
            }
        }
        QVERIFY(progress.count() > 2);

        // Cancelled after the first page: what was read is kept, marked incomplete.
        finished.clear();
        progress.clear();
        evidence.load(Window::Days90);
        QVERIFY(progress.wait(kWait));
        evidence.cancel();
        QCOMPARE(finished.count(), 1);
        QVERIFY(!evidence.isLoading());
        QVERIFY(!evidence.isComplete());
        QVERIFY(evidence.hasEvidence());
        QCOMPARE(evidence.advisor().eventCount(), 3u);
    }

    void evidence_withoutAuditRead_failsWith403() {
        LegbaClient client;
        QVERIFY(!client.setEndpoint(m_server->endpoint()));
        client.setKey(issue(QStringLiteral("no audit"), {QStringLiteral("keys:read")}).secret);
        PrivilegeEvidence evidence(&client);
        QSignalSpy finished(&evidence, &PrivilegeEvidence::finished);
        evidence.load(Window::Days30);
        QVERIFY(finished.wait(kWait));
        QVERIFY(evidence.error());
        QCOMPARE(evidence.error()->httpStatus, 403);
        QVERIFY(!evidence.hasEvidence());
    }

    void evidence_fromAServerWithoutAnAuditLog_failsWith404() {
        server::ServerOptions options = test::TestServer::fastOptions();
        options.hostedShape = true;
        test::TestServer hosted(options);
        QVERIFY2(hosted.ok(), qPrintable(hosted.error()));
        LegbaClient client;
        QVERIFY(!client.setEndpoint(hosted.endpoint()));
        client.setKey(hosted.ownerKey());
        PrivilegeEvidence evidence(&client);
        QSignalSpy finished(&evidence, &PrivilegeEvidence::finished);
        evidence.load(Window::Days90);
        QVERIFY(finished.wait(kWait));
        QVERIFY(evidence.error());
        QVERIFY(evidence.error()->isNotFound());
        QVERIFY(!evidence.hasEvidence());
    }

    void coverage_isTheLoadedStartWhenLater() {
        PrivilegeAdvisor advisor;
        advisor.setCoverageFrom(daysAgo(10));
        const auto advice = advisor.advise(m_idle.record, Window::Days90, kNow);
        QCOMPARE(advice.from, daysAgo(10));
        QCOMPARE(advice.verdict, Verdict::Unused);
    }
};

QTEST_MAIN(TestPrivilegeAdvisor)
#include "tst_privilegeadvisor.moc"
