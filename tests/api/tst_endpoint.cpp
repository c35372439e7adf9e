#include "Endpoint.h"
#include "LegbaClient.h"
#include "TestPrinters.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>
#include <nlohmann/json.hpp>

using namespace legba;

namespace {
const QString kOrg = QStringLiteral("123e4567-e89b-42d3-a456-426614174000");

Endpoint endpoint(const char* url, const QString& org = kOrg) {
    return Endpoint{QUrl(QString::fromLatin1(url)), org};
}

// Every route the client knows, as it describes them.
std::vector<RequestSpec> everyRoute() {
    AuditQuery audit;
    audit.cursor = QStringLiteral("c");
    return {requests::health(),
            requests::getKey(),
            requests::rotateOwnKey(),
            requests::listKeys(true),
            requests::createKey({QStringLiteral("ci"), {QStringLiteral("keys:read")}, {}}),
            requests::getKeyById(QStringLiteral("key_aaaaaaaaaaaaaaaa")),
            requests::rotateKey(QStringLiteral("key_aaaaaaaaaaaaaaaa"), 60),
            requests::revokeKey(QStringLiteral("key_aaaaaaaaaaaaaaaa")),
            requests::listInstances(),
            requests::createInstance({QStringLiteral("ubuntu-22.04"), InstanceSize::Small}),
            requests::getInstance(QStringLiteral("1234-5678-90ab-cdef")),
            requests::destroyInstance(QStringLiteral("1234-5678-90ab-cdef")),
            requests::auditLog(audit),
            requests::auditLogRaw(audit)};
}
} // namespace

class EndpointTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void problem_noneForHttpsAndLoopback_data();
    void problem_noneForHttpsAndLoopback();
    void problem_refusesWithAReason_data();
    void problem_refusesWithAReason();
    void problem_plainHttpNamesHostAndHttps();
    void apiUrl_joinsBasePathOrgAndRoute();
    void sameOrigin_comparesSchemeHostAndPort_data();
    void sameOrigin_comparesSchemeHostAndPort();
    void client_setEndpointRefusesAndKeepsThePreviousOne();
    void client_insecureEndpointFailsCallsWithoutSending();
    void describe_buildsTheRequestsTheClientSends();
    void requests_everyRouteTakesAnyTwoHundred();
    void curl_usesTheEnvironmentVariableNeverTheKey();
    void curl_quotesBodiesForTheShell();
    void curl_isSafeToPasteIntoAShell();
};

void EndpointTest::problem_noneForHttpsAndLoopback_data() {
    QTest::addColumn<QString>("url");
    QTest::newRow("https") << QStringLiteral("https://api.legba.example");
    QTest::newRow("https port and path") << QStringLiteral("https://api.legba.example:8443/v/");
    QTest::newRow("https IP") << QStringLiteral("https://192.0.2.10");
    QTest::newRow("http localhost") << QStringLiteral("http://localhost:8080");
    QTest::newRow("http LOCALHOST") << QStringLiteral("http://LOCALHOST:8080");
    QTest::newRow("http 127.0.0.1") << QStringLiteral("http://127.0.0.1:8080");
    QTest::newRow("http 127.0.0.2") << QStringLiteral("http://127.0.0.2");
    QTest::newRow("http [::1]") << QStringLiteral("http://[::1]:8080");
    QTest::newRow("HTTP scheme uppercase") << QStringLiteral("HTTP://127.0.0.1:8080");
}

void EndpointTest::problem_noneForHttpsAndLoopback() {
    QFETCH(QString, url);
    const auto problem = Endpoint{QUrl(url), kOrg}.problem();
    QVERIFY2(!problem, qPrintable(problem.value_or(QString())));
    // The org id may come in upper case from a paste; it is still a UUID.
    const Endpoint upperOrg{QUrl(url), kOrg.toUpper()};
    QVERIFY(!upperOrg.problem());
}

void EndpointTest::problem_refusesWithAReason_data() {
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("org");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("http remote host")
        << QStringLiteral("http://api.legba.example") << kOrg << QStringLiteral("https://");
    QTest::newRow("http LAN address")
        << QStringLiteral("http://192.168.1.10:8080") << kOrg << QStringLiteral("192.168.1.10");
    QTest::newRow("http all interfaces")
        << QStringLiteral("http://0.0.0.0:8080") << kOrg << QStringLiteral("0.0.0.0");
    QTest::newRow("http localhost lookalike") << QStringLiteral("http://localhost.evil.example")
                                              << kOrg << QStringLiteral("localhost.evil.example");
    QTest::newRow("http loopback lookalike")
        << QStringLiteral("http://127.0.0.1.nip.io") << kOrg << QStringLiteral("127.0.0.1.nip.io");
    QTest::newRow("http v6 non-loopback")
        << QStringLiteral("http://[2001:db8::1]") << kOrg << QStringLiteral("2001:db8::1");
    QTest::newRow("ftp") << QStringLiteral("ftp://api.legba.example") << kOrg
                         << QStringLiteral("https://");
    QTest::newRow("no scheme") << QStringLiteral("api.legba.example") << kOrg << QString();
    QTest::newRow("empty") << QString() << kOrg << QString();
    QTest::newRow("credentials in URL")
        << QStringLiteral("https://me:pw@api.legba.example") << kOrg << QStringLiteral("password");
    QTest::newRow("org empty") << QStringLiteral("https://api.legba.example") << QString()
                               << QStringLiteral("UUID");
    QTest::newRow("org not a UUID") << QStringLiteral("https://api.legba.example")
                                    << QStringLiteral("acme") << QStringLiteral("UUID");
    QTest::newRow("org in braces")
        << QStringLiteral("https://api.legba.example")
        << (QLatin1Char('{') + kOrg + QLatin1Char('}')) << QStringLiteral("UUID");
    QTest::newRow("org with a path")
        << QStringLiteral("https://api.legba.example") << (kOrg.left(35) + QLatin1Char('/'))
        << QStringLiteral("UUID");
}

void EndpointTest::problem_refusesWithAReason() {
    QFETCH(QString, url);
    QFETCH(QString, org);
    QFETCH(QString, mentions);
    const auto problem = Endpoint{QUrl(url), org}.problem();
    QVERIFY(problem);
    QVERIFY(!problem->isEmpty());
    if (!mentions.isEmpty())
        QVERIFY2(problem->contains(mentions), qPrintable(*problem));
}

void EndpointTest::problem_plainHttpNamesHostAndHttps() {
    const auto problem = endpoint("http://api.legba.example:8080").problem();
    QVERIFY(problem);
    QVERIFY(problem->contains(QLatin1String("http://")));
    QVERIFY(problem->contains(QLatin1String("api.legba.example")));
    QVERIFY(problem->contains(QLatin1String("https://")));
    QVERIFY(problem->contains(QLatin1String("unencrypted")));
}

void EndpointTest::apiUrl_joinsBasePathOrgAndRoute() {
    QCOMPARE(endpoint("https://api.legba.example").apiUrl(QStringLiteral("/instances")),
             QUrl(QStringLiteral("https://api.legba.example/orgs/") + kOrg +
                  QStringLiteral("/api/instances")));
    QCOMPARE(
        endpoint("https://h.example/base/").apiUrl(QStringLiteral("/key")),
        QUrl(QStringLiteral("https://h.example/base/orgs/") + kOrg + QStringLiteral("/api/key")));
    const Endpoint withQuery{QUrl(QStringLiteral("https://h.example?x=1#f")), kOrg.toUpper()};
    QCOMPARE(withQuery.apiUrl(QStringLiteral("/keys")),
             QUrl(QStringLiteral("https://h.example/orgs/") + kOrg + QStringLiteral("/api/keys")));
}

void EndpointTest::sameOrigin_comparesSchemeHostAndPort_data() {
    QTest::addColumn<QString>("a");
    QTest::addColumn<QString>("b");
    QTest::addColumn<bool>("same");
    QTest::newRow("identical") << QStringLiteral("https://h.example/x")
                               << QStringLiteral("https://h.example/y") << true;
    QTest::newRow("default https port")
        << QStringLiteral("https://h.example") << QStringLiteral("https://h.example:443/") << true;
    QTest::newRow("default http port")
        << QStringLiteral("http://127.0.0.1:80") << QStringLiteral("http://127.0.0.1/") << true;
    QTest::newRow("host case") << QStringLiteral("https://H.example")
                               << QStringLiteral("https://h.EXAMPLE") << true;
    QTest::newRow("other port") << QStringLiteral("http://127.0.0.1:8080")
                                << QStringLiteral("http://127.0.0.1:8081") << false;
    QTest::newRow("other host") << QStringLiteral("https://h.example")
                                << QStringLiteral("https://evil.example") << false;
    QTest::newRow("other scheme") << QStringLiteral("https://h.example")
                                  << QStringLiteral("http://h.example") << false;
    QTest::newRow("https vs http on 443")
        << QStringLiteral("https://h.example") << QStringLiteral("http://h.example:443") << false;
    QTest::newRow("localhost vs 127.0.0.1") << QStringLiteral("http://localhost:8080")
                                            << QStringLiteral("http://127.0.0.1:8080") << false;
}

void EndpointTest::sameOrigin_comparesSchemeHostAndPort() {
    QFETCH(QString, a);
    QFETCH(QString, b);
    QFETCH(bool, same);
    QCOMPARE(sameOrigin(QUrl(a), QUrl(b)), same);
    QCOMPARE(sameOrigin(QUrl(b), QUrl(a)), same);
}

void EndpointTest::client_setEndpointRefusesAndKeepsThePreviousOne() {
    LegbaClient client;
    QVERIFY(!client.setEndpoint(endpoint("http://127.0.0.1:9")));
    const auto refused = client.setEndpoint(endpoint("http://api.legba.example"));
    QVERIFY(refused);
    QVERIFY(refused->contains(QLatin1String("https://")));
    QCOMPARE(client.endpoint(), endpoint("http://127.0.0.1:9"));
}

void EndpointTest::client_insecureEndpointFailsCallsWithoutSending() {
    // Never given an endpoint: calls fail with a reason, asynchronously, and send nothing.
    LegbaClient client;
    client.setKey(Secret(QByteArrayLiteral("legba_0123456789abcdefghijABCDEFGHIJ011ahSqu")));
    std::optional<Result<ApiKey>> result;
    client.getKey(this, [&](Result<ApiKey> r) { result.emplace(std::move(r)); });
    QVERIFY(!result); // never inside the call
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 5000);
    QVERIFY(!result->ok());
    LEGBA_COMPARE_KIND(result->error().kind, ApiError::Kind::InsecureUrl);
    QVERIFY(!result->error().message.isEmpty());
    QCOMPARE(result->error().route, QStringLiteral("GET /key"));
}

void EndpointTest::describe_buildsTheRequestsTheClientSends() {
    LegbaClient client;
    QVERIFY(!client.setEndpoint(endpoint("https://api.legba.example")));
    const QString api =
        QStringLiteral("https://api.legba.example/orgs/") + kOrg + QStringLiteral("/api");

    RequestDescription d = client.describe(requests::listInstances());
    QCOMPARE(d.method, QByteArray("GET"));
    QCOMPARE(d.url, QUrl(api + QStringLiteral("/instances")));
    QVERIFY(d.body.isEmpty());

    d = client.describe(
        requests::createInstance({QStringLiteral("ubuntu-22.04"), InstanceSize::Small}));
    QCOMPARE(d.method, QByteArray("POST"));
    LEGBA_COMPARE_JSON(nlohmann::json::parse(d.body.toStdString()),
                       nlohmann::json::parse(R"({"image": "ubuntu-22.04", "size": "small"})"));

    d = client.describe(requests::destroyInstance(QStringLiteral("../keys")));
    QCOMPARE(d.method, QByteArray("DELETE"));
    // A hostile id cannot climb out of its collection.
    QCOMPARE(d.url.toString(QUrl::FullyEncoded), api + QStringLiteral("/instances/..%2Fkeys"));

    QCOMPARE(client.describe(requests::listKeys(true)).url,
             QUrl(api + QStringLiteral("/keys?include_revoked=true")));
    QCOMPARE(client.describe(requests::listKeys(false)).url, QUrl(api + QStringLiteral("/keys")));
    QCOMPARE(client.describe(requests::revokeKey(QStringLiteral("key_aaaaaaaaaaaaaaaa"))).method,
             QByteArray("DELETE"));
    d = client.describe(requests::rotateKey(QStringLiteral("key_aaaaaaaaaaaaaaaa"), 3600));
    QCOMPARE(d.url, QUrl(api + QStringLiteral("/keys/key_aaaaaaaaaaaaaaaa/rotate")));
    LEGBA_COMPARE_JSON(nlohmann::json::parse(d.body.toStdString()),
                       nlohmann::json::parse(R"({"grace_period_seconds": 3600})"));

    AuditQuery query;
    query.limit = 50;
    query.action = QStringLiteral("api_key.");
    query.success = false;
    query.cursor = QStringLiteral("a&b=c");
    const QUrlQuery sent(client.describe(requests::auditLog(query)).url);
    QCOMPARE(sent.queryItemValue(QStringLiteral("limit")), QStringLiteral("50"));
    QCOMPARE(sent.queryItemValue(QStringLiteral("action")), QStringLiteral("api_key."));
    QCOMPARE(sent.queryItemValue(QStringLiteral("outcome")), QStringLiteral("failure"));
    QCOMPARE(sent.queryItemValue(QStringLiteral("cursor"), QUrl::FullyDecoded),
             QStringLiteral("a&b=c"));
    QVERIFY(!sent.hasQueryItem(QStringLiteral("since")));

    // /healthz lives beside the organizations, not under one.
    QCOMPARE(client.describe(requests::health()).url,
             QUrl(QStringLiteral("https://api.legba.example/healthz")));
}

void EndpointTest::requests_everyRouteTakesAnyTwoHundred() {
    // The hosted API may answer any 2xx where our sandbox sends one (docs/compatibility.md).
    for (const RequestSpec& route : everyRoute()) {
        QVERIFY2(route.success == SuccessStatuses{}, qPrintable(route.route()));
        QVERIFY(route.success.contains(200) && route.success.contains(204));
        QVERIFY(!route.success.contains(301) && !route.success.contains(404));
    }
}

void EndpointTest::curl_usesTheEnvironmentVariableNeverTheKey() {
    LegbaClient client;
    QVERIFY(!client.setEndpoint(endpoint("https://api.legba.example")));
    const QByteArray key("legba_0123456789abcdefghijABCDEFGHIJ011ahSqu");
    client.setKey(Secret(key));
    const QString curl = curlCommand(client.describe(requests::getKey()));
    QVERIFY(curl.startsWith(QLatin1String("curl -X GET ")));
    for (const RequestSpec& route : everyRoute()) {
        const QString command = curlCommand(client.describe(route));
        QVERIFY2(command.contains(QLatin1String("Authorization: Bearer $LEGBA_API_TOKEN")),
                 qPrintable(command));
        QVERIFY2(!command.contains(QString::fromLatin1(key)), qPrintable(command));
        QVERIFY2(!command.contains(QString::fromLatin1(key.left(12))), qPrintable(command));
    }
}

void EndpointTest::curl_quotesBodiesForTheShell() {
    RequestDescription request{"POST", QUrl(QStringLiteral("https://h.example/x")),
                               QByteArray(R"x({"name":"it's $(rm -rf ~)"})x")};
    const QString curl = curlCommand(request);
    QVERIFY2(curl.contains(QLatin1String(R"x(-d '{"name":"it'\''s $(rm -rf ~)"}')x")),
             qPrintable(curl));
}

void EndpointTest::curl_isSafeToPasteIntoAShell() {
    // The cursor comes from the server and the filters from the user: whatever they hold,
    // pasting the command runs curl with exactly these arguments and nothing else.
    LegbaClient client;
    QVERIFY(!client.setEndpoint(endpoint("https://api.legba.example")));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString marker = dir.filePath(QStringLiteral("pwned"));
    AuditQuery query;
    query.cursor = QStringLiteral("$(touch ") + marker + QStringLiteral(")`touch ") + marker +
                   QStringLiteral("`\"'");
    query.action = QStringLiteral("api_key.$HOME");
    const QString curl = curlCommand(client.describe(requests::auditLog(query)));

    // Run it with printf in curl's place: one argument a line.
    QProcess shell;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("LEGBA_API_TOKEN"), QStringLiteral("token-from-env"));
    shell.setProcessEnvironment(env);
    shell.start(QStringLiteral("/bin/sh"),
                {QStringLiteral("-c"), QStringLiteral("printf '%s\\n'") + curl.sliced(4)});
    QVERIFY(shell.waitForFinished(10000));
    QCOMPARE(shell.exitCode(), 0);
    const QStringList args =
        QString::fromUtf8(shell.readAllStandardOutput()).split(QLatin1Char('\n'));
    QVERIFY2(!QFile::exists(marker), qPrintable(curl));
    QVERIFY2(args.contains(QLatin1String("Authorization: Bearer token-from-env")),
             qPrintable(curl));
    const QUrl url(args.value(2));
    QVERIFY2(url.isValid(), qPrintable(args.value(2)));
    QCOMPARE(url.toString(QUrl::FullyEncoded),
             client.describe(requests::auditLog(query)).url.toString(QUrl::FullyEncoded));
    QCOMPARE(QUrlQuery(url).queryItemValue(QStringLiteral("cursor"), QUrl::FullyDecoded),
             query.cursor);
    QCOMPARE(QUrlQuery(url).queryItemValue(QStringLiteral("action"), QUrl::FullyDecoded),
             query.action);
}

QTEST_GUILESS_MAIN(EndpointTest)
#include "tst_endpoint.moc"
