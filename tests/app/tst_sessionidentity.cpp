// GET /key answered, but not usably (404, 500, an HTML error page, a 200 that is not a key):
// the session asks again with backoff a bounded number of times, then stops and says why.
// It once asked 2,500 times a second, from inside the signal the answer raised.
#include "HostileServer.h"
#include "Session.h"

#include <QSignalSpy>
#include <QTest>

using namespace legba;
using namespace std::chrono_literals;

namespace {

constexpr int kWait = 30000;

int keyRequests(const test::HostileServer& server) {
    int n = 0;
    for (const test::RawRequest& request : server.requests())
        n += request.target.split('?').first().endsWith("/api/key") ? 1 : 0;
    return n;
}

} // namespace

class TestSessionIdentity : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void unusableAnswer_isAskedAgainBoundedlyThenGivenUp_data() {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("404 JSON") << 404
                                  << test::HostileServer::errorBody("NOT_FOUND", "No such route");
        QTest::newRow("404 plain text") << 404 << QByteArray("404 page not found\n");
        QTest::newRow("500") << 500 << test::HostileServer::errorBody("INTERNAL", "boom");
        QTest::newRow("502 HTML") << 502 << QByteArray("<html><body>Bad Gateway</body></html>");
        QTest::newRow("200 not JSON") << 200 << QByteArray("<html>login</html>");
        QTest::newRow("200 not a key") << 200 << QByteArray(R"({"status":"ok"})");
    }

    void unusableAnswer_isAskedAgainBoundedlyThenGivenUp() {
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        test::HostileServer server;
        QVERIFY(server.listen());
        // Every other route answers well: each answer tells the session the server is there,
        // which is what once made it ask GET /key again at once, for ever.
        server.setHandler([status, body](QTcpSocket* socket, const test::RawRequest& request) {
            if (request.target.split('?').first().endsWith("/api/key"))
                test::HostileServer::answer(socket, status, body);
            else
                test::HostileServer::answer(socket, 200, R"({"instances":[],"total":0})");
        });
        Session session;
        session.setIdentityRetry({4, 20ms, 80ms});
        Profile profile;
        profile.id = QStringLiteral("p");
        profile.baseUrl = server.baseUrl();
        profile.orgUuid = QStringLiteral("123e4567-e89b-12d3-a456-426614174000");
        QVERIFY(!session.connectTo(profile, Secret("legba_new_api_key_xyz789")));
        // A pane polling meanwhile.
        QTimer poll;
        connect(&poll, &QTimer::timeout, &session,
                [&session] { session.client()->listInstances(&session, [](auto) {}); });
        poll.start(5);

        QTRY_VERIFY_WITH_TIMEOUT(session.identityGivenUp(), kWait);
        QCOMPARE(keyRequests(server), 4);
        QCOMPARE(session.state(), Session::State::Offline);
        QVERIFY2(session.identityProblem().contains(QLatin1String("Stopped asking after 4 tries")),
                 qPrintable(session.identityProblem()));

        // More answered requests do not start it again.
        const qsizetype seen = server.requests().size();
        QTRY_VERIFY_WITH_TIMEOUT(server.requests().size() >= seen + 20, kWait);
        QCOMPARE(keyRequests(server), 4);

        // A person's Retry starts one more bounded round.
        poll.stop();
        session.refreshIdentity();
        QVERIFY(!session.identityGivenUp());
        QTRY_VERIFY_WITH_TIMEOUT(session.identityGivenUp(), kWait);
        QCOMPARE(keyRequests(server), 8);
    }

    void usableAnswerAfterSomeFailures_connects() {
        test::HostileServer server;
        QVERIFY(server.listen());
        int asked = 0;
        server.setHandler([&asked](QTcpSocket* socket, const test::RawRequest&) {
            if (++asked < 3)
                test::HostileServer::answer(socket, 502, "<html>Bad Gateway</html>");
            else
                test::HostileServer::answer(
                    socket, 200,
                    R"({"key_id":"key_a","name":"ci","created_at":"2025-01-10T12:00:00Z",)"
                    R"("last_used_at":null,"scopes":["instances:read"]})");
        });
        Session session;
        session.setIdentityRetry({5, 10ms, 40ms});
        Profile profile;
        profile.id = QStringLiteral("p");
        profile.baseUrl = server.baseUrl();
        profile.orgUuid = QStringLiteral("123e4567-e89b-12d3-a456-426614174000");
        QVERIFY(!session.connectTo(profile, Secret("legba_new_api_key_xyz789")));
        QTRY_COMPARE_WITH_TIMEOUT(session.state(), Session::State::Connected, kWait);
        QCOMPARE(asked, 3);
        QVERIFY(session.identityProblem().isEmpty());
        QCOMPARE(session.identity()->prefix, QStringLiteral("legba_new_ap"));
    }
};

QTEST_GUILESS_MAIN(TestSessionIdentity)
#include "tst_sessionidentity.moc"
