#include "Json.h"
#include "JsonWriter.h"
#include "TestPrinters.h"

#include <QTest>
#include <QTimeZone>

using namespace legba;
using Json = nlohmann::json;

namespace {

QDateTime utc(int y, int mo, int d, int h, int mi, int s, int ms = 0) {
    return QDateTime(QDate(y, mo, d), QTime(h, mi, s, ms), QTimeZone::utc());
}

// base with patch's members set over it.
Json merged(Json base, const Json& patch) {
    base.update(patch);
    return base;
}

Json keyRecord(const char* keyId = "key_0123456789abcdef") {
    return merged(Json::parse(R"({
        "key_id": "", "name": "CI deploy", "prefix": "legba_AbCdEf",
        "scopes": ["instances:read", "keys:read"],
        "created_at": "2025-01-10T12:00:00Z", "expires_at": null,
        "last_used_at": "2025-01-11T08:30:00.250Z", "revoked_at": null, "status": "active"})"),
                  {{"key_id", keyId}});
}

Json instanceRecord(const char* uuid) {
    return merged(Json::parse(R"({
        "instance_uuid": "", "status": "running", "image": "ubuntu-22.04", "size": "medium",
        "created_at": "2025-01-10T12:00:00.500Z",
        "access_url": "https://browser.legba.example/i/1"})"),
                  {{"instance_uuid", uuid}});
}

Json auditEvent(const char* id) {
    return merged(Json::parse(R"({
        "event_id": "", "occurred_at": "2025-01-10T12:00:00Z",
        "actor": {"key_id": "key_0123456789abcdef", "name": "owner", "prefix": "legba_AbCdEf"},
        "action": "api_key.created", "target": {"type": "api_key", "id": "key_aaaaaaaaaaaaaaaa"},
        "outcome": "success", "status_code": 201, "ip": "127.0.0.1", "user_agent": "curl/8",
        "request_id": "req_1", "details": {"scopes": ["keys:read"], "n": 1}})"),
                  {{"event_id", id}});
}

Json validBody(const QString& kind) {
    if (kind == QLatin1String("key"))
        return keyRecord();
    if (kind == QLatin1String("issued"))
        return merged(keyRecord(), {{"key", "legba_0123456789abcdefghijABCDEFGHIJ011ahSqu"},
                                    {"rotated_from", "key_ffffffffffffffff"}});
    if (kind == QLatin1String("keys"))
        return Json{
            {"keys", {keyRecord("key_aaaaaaaaaaaaaaaa"), keyRecord("key_bbbbbbbbbbbbbbbb")}},
            {"total", 2}};
    if (kind == QLatin1String("instance"))
        return instanceRecord("11111111-1111-4111-8111-111111111111");
    if (kind == QLatin1String("instances"))
        return Json{{"instances",
                     {instanceRecord("11111111-1111-4111-8111-111111111111"),
                      instanceRecord("22222222-2222-4222-8222-222222222222"),
                      instanceRecord("33333333-3333-4333-8333-333333333333")}},
                    {"total", 3}};
    if (kind == QLatin1String("audit"))
        return Json{{"events", {auditEvent("evt_1"), auditEvent("evt_2")}}, {"next_cursor", "abc"}};
    if (kind == QLatin1String("health"))
        return Json{{"status", "ok"}, {"version", "0.1.0"}};
    return nullptr;
}

// Runs the client's parser for one kind of answer on a body's text, the way LegbaClient does.
void parseAs(const QString& kind, QByteArrayView body) {
    const Json value = legba::json::parse(body);
    if (kind == QLatin1String("key"))
        legba::json::apiKeyFromJson(value);
    else if (kind == QLatin1String("issued"))
        legba::json::issuedKeyFromJson(value);
    else if (kind == QLatin1String("keys"))
        legba::json::keyListFromJson(value);
    else if (kind == QLatin1String("instance"))
        legba::json::instanceFromJson(value);
    else if (kind == QLatin1String("instances"))
        legba::json::instanceListFromJson(value);
    else if (kind == QLatin1String("audit"))
        legba::json::auditPageFromJson(value);
    else if (kind == QLatin1String("health"))
        legba::json::healthFromJson(value);
    else
        qFatal("unknown kind");
}

QByteArray text(const Json& value) {
    return legba::json::dump(value);
}

// The body with the member at `pointer` removed.
QByteArray without(const QString& kind, const char* pointer) {
    Json body = validBody(kind);
    const Json::json_pointer ptr(pointer);
    body.at(ptr.parent_pointer()).erase(ptr.back());
    return text(body);
}

// The body with the member at `pointer` replaced.
QByteArray with(const QString& kind, const char* pointer, Json value) {
    Json body = validBody(kind);
    body[Json::json_pointer(pointer)] = std::move(value);
    return text(body);
}

} // namespace

class JsonTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void validBodies_parse_data();
    void validBodies_parse();
    void apiKey_readsEveryField();
    void apiKey_publicGetKeyShapeWithoutDashboardFields();
    void issuedKey_carriesSecretAndRotatedFrom();
    void instanceList_readsInstancesAndTotal();
    void auditPage_readsEventsActorTargetDetails();
    void auditPage_nullActorTargetAndCursor();
    void health_versionOptional();
    void unknownFields_areIgnored_data();
    void unknownFields_areIgnored();
    void badBody_errorNamesTheField_data();
    void badBody_errorNamesTheField();
    void unknownValues_areKeptAsTheServersWord();
    void times_anyRfc3339FormIsRead_data();
    void times_anyRfc3339FormIsRead();
    void oneBadElement_costsOnlyItself_data();
    void oneBadElement_costsOnlyItself();
    void listWithoutTotal_countsWhatItHolds();
    void issuedKey_hostedRotationShape_secretAndWhatThereIs();
    void issuedKey_malformedRestKeepsTheSecret_data();
    void issuedKey_malformedRestKeepsTheSecret();
    void malformedJson_isParseErrorWithoutField_data();
    void malformedJson_isParseErrorWithoutField();
    void deepNesting_isRefusedWithoutCrashing();
    void errorBody_readsTheContractShape();
    void errorBody_isLenient_data();
    void errorBody_isLenient();
    void roundTrip_toJsonThenBackIsIdentity();
    void requests_serialiseAsTheContractSays();
    void writer_escapesAsNlohmannDoes_data();
    void writer_escapesAsNlohmannDoes();
    void writer_replacesLoneSurrogates();
    void writer_nestsWithCommasInTheRightPlaces();
    void auditEvent_detailsThatAreNotAnObjectGoOutEmpty_data();
    void auditEvent_detailsThatAreNotAnObjectGoOutEmpty();
};

void JsonTest::validBodies_parse_data() {
    QTest::addColumn<QString>("kind");
    for (const char* kind : {"key", "issued", "keys", "instance", "instances", "audit", "health"})
        QTest::newRow(kind) << QString::fromLatin1(kind);
}

void JsonTest::validBodies_parse() {
    QFETCH(QString, kind);
    try {
        parseAs(kind, text(validBody(kind)));
    } catch (const legba::json::ParseError& error) {
        QFAIL(qPrintable(error.field() + QLatin1Char(' ') + error.problem()));
    }
}

void JsonTest::apiKey_readsEveryField() {
    const ApiKey key = legba::json::apiKeyFromJson(keyRecord());
    QCOMPARE(key.keyId, QStringLiteral("key_0123456789abcdef"));
    QCOMPARE(key.name, QStringLiteral("CI deploy"));
    QCOMPARE(key.prefix, QStringLiteral("legba_AbCdEf"));
    QCOMPARE(key.scopes,
             (QStringList{QStringLiteral("instances:read"), QStringLiteral("keys:read")}));
    QCOMPARE(key.createdAt, utc(2025, 1, 10, 12, 0, 0));
    QVERIFY(!key.expiresAt.isValid());
    QCOMPARE(key.lastUsedAt, utc(2025, 1, 11, 8, 30, 0, 250));
    QVERIFY(!key.revokedAt.isValid());
    QCOMPARE(key.status, KeyStatus::Active);
    QVERIFY(key.hasScope(QStringLiteral("keys:read")));
    QVERIFY(!key.hasScope(QStringLiteral("keys:write")));

    const ApiKey revoked = legba::json::apiKeyFromJson(
        merged(keyRecord(), {{"status", "revoked"}, {"revoked_at", "2025-02-01T00:00:00Z"}}));
    QCOMPARE(revoked.status, KeyStatus::Revoked);
    QCOMPARE(revoked.revokedAt, utc(2025, 2, 1, 0, 0, 0));
}

void JsonTest::apiKey_publicGetKeyShapeWithoutDashboardFields() {
    // The public documentation's GET /key shows only these fields.
    const ApiKey key = legba::json::apiKeyFromJson(Json::parse(R"({
        "key_id": "key_0123456789abcdef", "name": "prod", "created_at": "2025-01-10T12:00:00Z",
        "last_used_at": null, "scopes": ["instances:read"]})"));
    QCOMPARE(key.name, QStringLiteral("prod"));
    QVERIFY(key.prefix.isEmpty());
    QCOMPARE(key.status, KeyStatus::Active);
    QVERIFY(!key.lastUsedAt.isValid());
}

void JsonTest::issuedKey_carriesSecretAndRotatedFrom() {
    const IssuedKey issued = legba::json::issuedKeyFromJson(validBody(QStringLiteral("issued")));
    QCOMPARE(issued.secret.reveal(), QByteArray("legba_0123456789abcdefghijABCDEFGHIJ011ahSqu"));
    QCOMPARE(issued.rotatedFrom, QStringLiteral("key_ffffffffffffffff"));
    QCOMPARE(issued.record.keyId, QStringLiteral("key_0123456789abcdef"));

    Json created = validBody(QStringLiteral("issued"));
    created.erase("rotated_from");
    QVERIFY(legba::json::issuedKeyFromJson(created).rotatedFrom.isEmpty());
}

void JsonTest::instanceList_readsInstancesAndTotal() {
    const InstanceList list =
        legba::json::instanceListFromJson(validBody(QStringLiteral("instances")));
    QCOMPARE(list.total, qint64(3));
    QCOMPARE(list.instances.size(), std::size_t(3));
    const Instance& first = list.instances.front();
    QCOMPARE(first.instanceUuid, QStringLiteral("11111111-1111-4111-8111-111111111111"));
    QCOMPARE(first.status, InstanceStatus::Running);
    QCOMPARE(first.image, QStringLiteral("ubuntu-22.04"));
    QCOMPARE(first.size, InstanceSize::Medium);
    QCOMPARE(first.createdAt, utc(2025, 1, 10, 12, 0, 0, 500));
    QCOMPARE(first.accessUrl, QStringLiteral("https://browser.legba.example/i/1"));

    const InstanceList empty =
        legba::json::instanceListFromJson(Json{{"instances", Json::array()}, {"total", 0}});
    QVERIFY(empty.instances.empty());
}

void JsonTest::auditPage_readsEventsActorTargetDetails() {
    const AuditPage page = legba::json::auditPageFromJson(validBody(QStringLiteral("audit")));
    QCOMPARE(page.events.size(), std::size_t(2));
    QCOMPARE(page.nextCursor, QStringLiteral("abc"));
    const AuditEvent& event = page.events.front();
    QCOMPARE(event.eventId, QStringLiteral("evt_1"));
    QCOMPARE(event.occurredAt, utc(2025, 1, 10, 12, 0, 0));
    QVERIFY(event.actor);
    QCOMPARE(event.actor->keyId, QStringLiteral("key_0123456789abcdef"));
    QCOMPARE(event.actor->prefix, QStringLiteral("legba_AbCdEf"));
    QCOMPARE(event.action, QStringLiteral("api_key.created"));
    QVERIFY(event.target);
    QCOMPARE(event.target->type, QStringLiteral("api_key"));
    QVERIFY(event.succeeded());
    QCOMPARE(event.statusCode, 201);
    QCOMPARE(event.ip, QStringLiteral("127.0.0.1"));
    QCOMPARE(event.userAgent, QStringLiteral("curl/8"));
    QCOMPARE(event.requestId, QStringLiteral("req_1"));
    LEGBA_COMPARE_JSON(Json::parse(event.detailsJson.toStdString()),
                       Json::parse(R"({"scopes": ["keys:read"], "n": 1})"));
}

void JsonTest::auditPage_nullActorTargetAndCursor() {
    Json body = validBody(QStringLiteral("audit"));
    body["events"][0]["actor"] = nullptr;
    body["events"][0]["target"] = nullptr;
    body["events"][0]["outcome"] = "failure";
    body["events"][0]["status_code"] = 401;
    body["next_cursor"] = nullptr;
    const AuditPage page = legba::json::auditPageFromJson(body);
    QVERIFY(!page.events.front().actor);
    QVERIFY(!page.events.front().target);
    QVERIFY(page.events.front().failed());
    QVERIFY(page.nextCursor.isEmpty());
}

void JsonTest::health_versionOptional() {
    QCOMPARE(legba::json::healthFromJson(Json{{"status", "ok"}}).status, QStringLiteral("ok"));
    QCOMPARE(legba::json::healthFromJson(validBody(QStringLiteral("health"))).version,
             QStringLiteral("0.1.0"));
}

void JsonTest::unknownFields_areIgnored_data() {
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("key") << QStringLiteral("key")
                         << with(QStringLiteral("key"), "/colour", Json{{"nested", {1, 2}}});
    QTest::newRow("instances item")
        << QStringLiteral("instances")
        << with(QStringLiteral("instances"), "/instances/1/region", "eu-west");
    QTest::newRow("instances top")
        << QStringLiteral("instances") << with(QStringLiteral("instances"), "/page", 1);
    QTest::newRow("audit actor") << QStringLiteral("audit")
                                 << with(QStringLiteral("audit"), "/events/0/actor/email", "x@y");
    QTest::newRow("keys") << QStringLiteral("keys")
                          << with(QStringLiteral("keys"), "/keys/0/owner", nullptr);
    QTest::newRow("health") << QStringLiteral("health")
                            << with(QStringLiteral("health"), "/uptime", 12.5);
}

void JsonTest::unknownFields_areIgnored() {
    QFETCH(QString, kind);
    QFETCH(QByteArray, body);
    try {
        parseAs(kind, body);
    } catch (const legba::json::ParseError& error) {
        QFAIL(qPrintable(error.field() + QLatin1Char(' ') + error.problem()));
    }
}

void JsonTest::badBody_errorNamesTheField_data() {
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("problem");
    const QString key = QStringLiteral("key"), keys = QStringLiteral("keys"),
                  issued = QStringLiteral("issued"), instance = QStringLiteral("instance"),
                  instances = QStringLiteral("instances"), audit = QStringLiteral("audit"),
                  health = QStringLiteral("health");
    auto row = [](const char* name, const QString& kind, const QByteArray& body, const char* field,
                  const char* problem) {
        QTest::newRow(name) << kind << body << QString::fromLatin1(field)
                            << QString::fromLatin1(problem);
    };
    row("key: missing key_id", key, without(key, "/key_id"), "key_id", "is missing");
    row("key: name a number", key, with(key, "/name", 5), "name", "is not a string");
    row("key: name null", key, with(key, "/name", nullptr), "name", "is not a string");
    row("key: scopes a string", key, with(key, "/scopes", "keys:read"), "scopes",
        "is not an array");
    row("key: scope not a string", key, with(key, "/scopes/1", true), "scopes[1]",
        "is not a string");
    row("key: created_at missing", key, without(key, "/created_at"), "created_at", "is missing");
    row("key: created_at null", key, with(key, "/created_at", nullptr), "created_at",
        "is not an RFC 3339 time string");
    row("key: expires_at a number", key, with(key, "/expires_at", 1736510400), "expires_at",
        "is not an RFC 3339 time string");
    row("key: prefix an object", key, with(key, "/prefix", Json::object()), "prefix",
        "is not a string");
    row("key: body an array", key, "[]", "(body)", "is not an object");
    row("key: body a string", key, "\"key\"", "(body)", "is not an object");

    row("issued: key missing", issued, without(issued, "/key"), "key", "is missing");
    row("issued: key a number", issued, with(issued, "/key", 1), "key", "is not a string");
    row("issued: key empty", issued, with(issued, "/key", ""), "key", "is not a usable API key");
    row("issued: key with a space", issued, with(issued, "/key", "legba_ab cd"), "key",
        "is not a usable API key");
    row("issued: body an array", issued, "[]", "(body)", "is not an object");

    row("keys: keys missing", keys, without(keys, "/keys"), "keys", "is missing");
    row("keys: keys an object", keys, with(keys, "/keys", Json::object()), "keys",
        "is not an array");
    row("keys: total a string", keys, with(keys, "/total", "2"), "total", "is not an integer");
    row("keys: total a float", keys, with(keys, "/total", 2.5), "total", "is not an integer");

    row("instance: uuid missing", instance, without(instance, "/instance_uuid"), "instance_uuid",
        "is missing");

    row("instances: instances null", instances, with(instances, "/instances", nullptr), "instances",
        "is not an array");

    row("audit: events missing", audit, without(audit, "/events"), "events", "is missing");
    row("audit: events an object", audit, with(audit, "/events", Json::object()), "events",
        "is not an array");
    row("audit: next_cursor a number", audit, with(audit, "/next_cursor", 2), "next_cursor",
        "is not a string");

    row("health: status missing", health, without(health, "/status"), "status", "is missing");
    row("health: version a number", health, with(health, "/version", 1), "version",
        "is not a string");
}

void JsonTest::badBody_errorNamesTheField() {
    QFETCH(QString, kind);
    QFETCH(QByteArray, body);
    QFETCH(QString, field);
    QFETCH(QString, problem);
    try {
        parseAs(kind, body);
    } catch (const legba::json::ParseError& error) {
        QCOMPARE(error.field(), field);
        QCOMPARE(error.problem(), problem);
        return;
    }
    QFAIL("no ParseError for a bad body");
}

void JsonTest::unknownValues_areKeptAsTheServersWord() {
    const ApiKey key = json::apiKeyFromJson(merged(keyRecord(), {{"status", "paused"}}));
    QVERIFY(!key.status.isKnown());
    QCOMPARE(key.status.wire(), QStringLiteral("paused"));
    QVERIFY(key.status != KeyStatus::Active);

    // "Running" is not "running": the server's word is kept exactly, never guessed at.
    const Instance instance = json::instanceFromJson(
        merged(instanceRecord("1234-5678-90ab-cdef"), {{"status", "Running"}, {"size", "xl"}}));
    QCOMPARE(instance.instanceUuid, QStringLiteral("1234-5678-90ab-cdef"));
    QVERIFY(!instance.status.isKnown());
    QCOMPARE(instance.status.wire(), QStringLiteral("Running"));
    QCOMPARE(instance.size.wire(), QStringLiteral("xl"));
    QVERIFY(!instance.size.isKnown());
    // And written back as it came, so that the sandbox and the client agree on the text.
    const Json again = json::toJson(instance);
    QVERIFY(again["status"] == "Running");
    QVERIFY(again["size"] == "xl");

    const Instance known = json::instanceFromJson(instanceRecord("a"));
    QVERIFY(known.status == InstanceStatus::Running);
    QVERIFY(known.size == InstanceSize::Medium);

    // An audit outcome the docs never named is neither success nor failure, and kept.
    const AuditEvent event =
        json::auditEventFromJson(merged(auditEvent("evt_9"), {{"outcome", "partial"}}));
    QVERIFY(!event.outcome.isKnown());
    QCOMPARE(event.outcome.wire(), QStringLiteral("partial"));
    QVERIFY(!event.succeeded());
    QVERIFY(!event.failed());
    QVERIFY(json::toJson(event)["outcome"] == "partial");
    const AuditPage page = json::auditPageFromJson(
        json::parse(with(QStringLiteral("audit"), "/events/1/outcome", "")));
    QCOMPARE(page.events.size(), std::size_t{2});
    QVERIFY(page.unreadable.empty());
    QVERIFY(!page.events[1].outcome.isKnown());
    QCOMPARE(page.events[1].outcome.wire(), QString());
    QVERIFY(page.events[0].succeeded());
}

void JsonTest::times_anyRfc3339FormIsRead_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QDateTime>("expected");
    QTest::newRow("offset +01:00")
        << QStringLiteral("2025-01-10T12:00:00+01:00") << utc(2025, 1, 10, 11, 0, 0);
    QTest::newRow("offset -05:30")
        << QStringLiteral("2025-01-10T12:00:00-05:30") << utc(2025, 1, 10, 17, 30, 0);
    QTest::newRow("microseconds") << QStringLiteral("2025-01-10T12:00:00.123456Z")
                                  << utc(2025, 1, 10, 12, 0, 0, 123);
    QTest::newRow("one digit") << QStringLiteral("2025-01-10T12:00:00.5Z")
                               << utc(2025, 1, 10, 12, 0, 0, 500);
    QTest::newRow("nanoseconds and offset")
        << QStringLiteral("2025-01-10T00:30:00.987654321+02:00") << utc(2025, 1, 9, 22, 30, 0, 987);
    QTest::newRow("lowercase") << QStringLiteral("2025-01-10t12:00:00z")
                               << utc(2025, 1, 10, 12, 0, 0);
    QTest::newRow("-00:00") << QStringLiteral("2025-01-10T12:00:00-00:00")
                            << utc(2025, 1, 10, 12, 0, 0);
}

void JsonTest::times_anyRfc3339FormIsRead() {
    QFETCH(QString, text);
    QFETCH(QDateTime, expected);
    const ApiKey key = json::apiKeyFromJson(merged(keyRecord(), {{"created_at", json::str(text)}}));
    QCOMPARE(key.createdAt, expected);
    QCOMPARE(key.createdAt.offsetFromUtc(), 0);
}

void JsonTest::oneBadElement_costsOnlyItself_data() {
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("readable");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("problem");
    const QString keys = QStringLiteral("keys"), instances = QStringLiteral("instances");
    QTest::newRow("second key not an object")
        << keys << with(keys, "/keys/1", 7) << 1 << QStringLiteral("keys[1]")
        << QStringLiteral("is not an object");
    QTest::newRow("second key's scope null")
        << keys << with(keys, "/keys/1/scopes/0", nullptr) << 1
        << QStringLiteral("keys[1].scopes[0]") << QStringLiteral("is not a string");
    QTest::newRow("first key without key_id")
        << keys << without(keys, "/keys/0/key_id") << 1 << QStringLiteral("keys[0].key_id")
        << QStringLiteral("is missing");
    QTest::newRow("third created_at a number")
        << instances << with(instances, "/instances/2/created_at", 5) << 2
        << QStringLiteral("instances[2].created_at")
        << QStringLiteral("is not an RFC 3339 time string");
    QTest::newRow("third created_at missing")
        << instances << without(instances, "/instances/2/created_at") << 2
        << QStringLiteral("instances[2].created_at") << QStringLiteral("is missing");
    QTest::newRow("first image an array")
        << instances << with(instances, "/instances/0/image", Json::array()) << 2
        << QStringLiteral("instances[0].image") << QStringLiteral("is not a string");
    QTest::newRow("second a string")
        << instances << with(instances, "/instances/1", "x") << 2 << QStringLiteral("instances[1]")
        << QStringLiteral("is not an object");

    const QString audit = QStringLiteral("audit");
    auto auditRow = [&](const char* name, const QByteArray& body, const char* field,
                        const char* problem) {
        QTest::newRow(name) << audit << body << 1 << QString::fromLatin1(field)
                            << QString::fromLatin1(problem);
    };
    auditRow("audit: actor key_id missing", without(audit, "/events/1/actor/key_id"),
             "events[1].actor.key_id", "is missing");
    auditRow("audit: actor a string", with(audit, "/events/0/actor", "owner"), "events[0].actor",
             "is not an object");
    auditRow("audit: target id a number", with(audit, "/events/0/target/id", 3),
             "events[0].target.id", "is not a string");
    auditRow("audit: outcome a number", with(audit, "/events/0/outcome", 1), "events[0].outcome",
             "is not a string");
    auditRow("audit: outcome missing", without(audit, "/events/1/outcome"), "events[1].outcome",
             "is missing");
    auditRow("audit: status_code a string", with(audit, "/events/1/status_code", "200"),
             "events[1].status_code", "is not an integer");
    auditRow("audit: status_code 1000", with(audit, "/events/1/status_code", 1000),
             "events[1].status_code", "is not an HTTP status code");
    auditRow("audit: details an array", with(audit, "/events/0/details", Json::array()),
             "events[0].details", "is not an object");
    auditRow("audit: occurred_at bad", with(audit, "/events/1/occurred_at", "yesterday"),
             "events[1].occurred_at", "is not an RFC 3339 time");
    auditRow("audit: event a number", with(audit, "/events/0", 5), "events[0]", "is not an object");
}

void JsonTest::oneBadElement_costsOnlyItself() {
    QFETCH(QString, kind);
    QFETCH(QByteArray, body);
    QFETCH(int, readable);
    QFETCH(QString, field);
    QFETCH(QString, problem);
    std::vector<UnreadableItem> unreadable;
    qint64 total = 0;
    if (kind == QLatin1String("keys")) {
        const KeyList list = json::keyListFromJson(json::parse(body));
        QCOMPARE(static_cast<int>(list.keys.size()), readable);
        unreadable = list.unreadable;
        total = list.total;
    } else if (kind == QLatin1String("instances")) {
        const InstanceList list = json::instanceListFromJson(json::parse(body));
        QCOMPARE(static_cast<int>(list.instances.size()), readable);
        unreadable = list.unreadable;
        total = list.total;
    } else {
        // An audit page has no total: the page keeps the events it could read.
        const AuditPage page = json::auditPageFromJson(json::parse(body));
        QCOMPARE(static_cast<int>(page.events.size()), readable);
        QCOMPARE(page.nextCursor, QStringLiteral("abc"));
        unreadable = page.unreadable;
        total = static_cast<qint64>(page.events.size() + page.unreadable.size());
    }
    QCOMPARE(unreadable.size(), std::size_t{1});
    QCOMPARE(unreadable.front().field, field);
    QCOMPARE(unreadable.front().problem, problem);
    // The server's count stays the server's: the pane can say how many it could not show.
    QCOMPARE(total, static_cast<qint64>(readable + 1));
}

void JsonTest::listWithoutTotal_countsWhatItHolds() {
    const KeyList keys =
        json::keyListFromJson(json::parse(without(QStringLiteral("keys"), "/total")));
    QCOMPARE(keys.total, qint64{2});
    const InstanceList instances =
        json::instanceListFromJson(json::parse(without(QStringLiteral("instances"), "/total")));
    QCOMPARE(instances.total, qint64{3});
    QVERIFY(instances.unreadable.empty());
}

void JsonTest::issuedKey_hostedRotationShape_secretAndWhatThereIs() {
    // What the hosted docs show POST /key/rotate answering, and nothing more.
    const IssuedKey issued = json::issuedKeyFromJson(Json{{"key", "legba_new_api_key_xyz789"},
                                                          {"key_id", "key_abc123"},
                                                          {"created_at", "2025-01-10T12:00:00Z"}});
    QCOMPARE(issued.secret.reveal(), QByteArray("legba_new_api_key_xyz789"));
    QCOMPARE(issued.record.keyId, QStringLiteral("key_abc123"));
    QCOMPARE(issued.record.createdAt, utc(2025, 1, 10, 12, 0, 0));
    QCOMPARE(issued.record.prefix, QStringLiteral("legba_new_ap"));
    QVERIFY(issued.record.name.isEmpty());
    QVERIFY(issued.record.scopes.isEmpty());
    QVERIFY(issued.recordProblem.isEmpty());

    // Only the key: still a key.
    const IssuedKey bare = json::issuedKeyFromJson(Json{{"key", "opaque-token.42"}});
    QCOMPARE(bare.secret.reveal(), QByteArray("opaque-token.42"));
    QVERIFY(bare.record.keyId.isEmpty());
    QVERIFY(bare.recordProblem.isEmpty());
}

void JsonTest::issuedKey_malformedRestKeepsTheSecret_data() {
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("problem");
    const QString issued = QStringLiteral("issued");
    QTest::newRow("rotated_from a number")
        << with(issued, "/rotated_from", 1)
        << QStringLiteral("field 'rotated_from' is not a string");
    QTest::newRow("created_at garbage")
        << with(issued, "/created_at", "yesterday")
        << QStringLiteral("field 'created_at' is not an RFC 3339 time");
    QTest::newRow("scopes an object") << with(issued, "/scopes", Json::object())
                                      << QStringLiteral("field 'scopes' is not an array");
    QTest::newRow("key_id a number")
        << with(issued, "/key_id", 5) << QStringLiteral("field 'key_id' is not a string");
}

void JsonTest::issuedKey_malformedRestKeepsTheSecret() {
    QFETCH(QByteArray, body);
    QFETCH(QString, problem);
    const IssuedKey issued = json::issuedKeyFromJson(json::parse(body));
    QCOMPARE(issued.secret.reveal(), QByteArray("legba_0123456789abcdefghijABCDEFGHIJ011ahSqu"));
    QCOMPARE(issued.recordProblem, problem);
}

void JsonTest::malformedJson_isParseErrorWithoutField_data() {
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("truncated") << QByteArray(R"({"key_id": "key_)");
    QTest::newRow("trailing comma") << QByteArray(R"({"status": "ok",})");
    QTest::newRow("single quotes") << QByteArray("{'status': 'ok'}");
    QTest::newRow("two documents") << QByteArray(R"({"status": "ok"} {"status": "ok"})");
    QTest::newRow("invalid UTF-8 in a string") << QByteArray("{\"status\": \"o\xFF\"}");
    QTest::newRow("lone surrogate") << QByteArray(R"({"status": "\ud800"})");
    QTest::newRow("NUL byte") << QByteArray("{\"status\": \"ok\"}\0", 17);
    QTest::newRow("HTML") << QByteArray("<html><body>502 Bad Gateway</body></html>");
    QTest::newRow("NaN") << QByteArray(R"({"status": NaN})");
}

void JsonTest::malformedJson_isParseErrorWithoutField() {
    QFETCH(QByteArray, body);
    try {
        parseAs(QStringLiteral("health"), body);
    } catch (const legba::json::ParseError& error) {
        QVERIFY(error.field().isEmpty());
        QVERIFY(!error.problem().isEmpty());
        return;
    }
    QFAIL("no ParseError for malformed JSON");
}

void JsonTest::deepNesting_isRefusedWithoutCrashing() {
    // A hostile server could nest arrays a million deep; anything recursive over the
    // DOM (dump, copy, compare) would overflow the stack. Audit details are dumped.
    constexpr int depth = 1'000'000;
    Json body = validBody(QStringLiteral("audit"));
    QByteArray nested = QByteArray(depth, '[') + QByteArray(depth, ']');
    QByteArray text = legba::json::dump(body);
    text.replace(QByteArray(R"("n":1)"), QByteArray(QByteArray(R"("n":)") + nested));
    QVERIFY(text.size() > 2 * depth);
    try {
        parseAs(QStringLiteral("audit"), text);
    } catch (const legba::json::ParseError& error) {
        QVERIFY(error.field().isEmpty());
        QVERIFY2(error.problem().contains(QLatin1String("deep")), qPrintable(error.problem()));
        return;
    }
    QFAIL("a million levels of nesting were accepted");
}

void JsonTest::errorBody_readsTheContractShape() {
    const ErrorBody body = legba::json::errorBodyFromJson(
        R"({"error": {"code": "UNAUTHORIZED", "message": "Invalid or missing API key"}})");
    QCOMPARE(body.code, QStringLiteral("UNAUTHORIZED"));
    QCOMPARE(body.message, QStringLiteral("Invalid or missing API key"));
    QCOMPARE(errorCodeFromWireName(body.code), ErrorCode::Unauthorized);

    const Json written =
        legba::json::errorJson(ErrorCode::Forbidden, QStringLiteral("needs keys:write"));
    const ErrorBody back = legba::json::errorBodyFromJson(legba::json::dump(written));
    QCOMPARE(back.code, QStringLiteral("FORBIDDEN"));
    QCOMPARE(back.message, QStringLiteral("needs keys:write"));
}

void JsonTest::errorBody_isLenient_data() {
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("message");
    QTest::newRow("empty") << QByteArray() << QString() << QString();
    QTest::newRow("HTML") << QByteArray("<h1>502</h1>") << QString() << QString();
    QTest::newRow("array") << QByteArray("[1]") << QString() << QString();
    QTest::newRow("error a string") << QByteArray(R"({"error": "bad"})") << QString() << QString();
    QTest::newRow("code a number") << QByteArray(R"({"error": {"code": 5, "message": "m"}})")
                                   << QString() << QStringLiteral("m");
    QTest::newRow("message missing") << QByteArray(R"({"error": {"code": "INTERNAL"}})")
                                     << QStringLiteral("INTERNAL") << QString();
    QTest::newRow("deep") << (QByteArray(100'000, '[') + QByteArray(100'000, ']')) << QString()
                          << QString();
}

void JsonTest::errorBody_isLenient() {
    QFETCH(QByteArray, body);
    QFETCH(QString, code);
    QFETCH(QString, message);
    const ErrorBody parsed = legba::json::errorBodyFromJson(body);
    QCOMPARE(parsed.code, code);
    QCOMPARE(parsed.message, message);
}

void JsonTest::roundTrip_toJsonThenBackIsIdentity() {
    const ApiKey key = legba::json::apiKeyFromJson(keyRecord());
    QCOMPARE(legba::json::apiKeyFromJson(legba::json::toJson(key)), key);

    const InstanceList list =
        legba::json::instanceListFromJson(validBody(QStringLiteral("instances")));
    const InstanceList listBack = legba::json::instanceListFromJson(legba::json::toJson(list));
    QCOMPARE(listBack.total, list.total);
    QVERIFY(listBack.instances == list.instances);

    const AuditPage page = legba::json::auditPageFromJson(validBody(QStringLiteral("audit")));
    const AuditPage pageBack = legba::json::auditPageFromJson(legba::json::toJson(page));
    QVERIFY(pageBack.events == page.events);
    QCOMPARE(pageBack.nextCursor, page.nextCursor);

    const IssuedKey issued = legba::json::issuedKeyFromJson(validBody(QStringLiteral("issued")));
    const IssuedKey issuedBack = legba::json::issuedKeyFromJson(legba::json::toJson(issued));
    QCOMPARE(issuedBack.record, issued.record);
    QCOMPARE(issuedBack.secret, issued.secret);
    QCOMPARE(issuedBack.rotatedFrom, issued.rotatedFrom);
}

void JsonTest::requests_serialiseAsTheContractSays() {
    NewKeyRequest request{QStringLiteral("CI"), {QStringLiteral("instances:read")}, {}};
    LEGBA_COMPARE_JSON(
        legba::json::toJson(request),
        Json::parse(R"({"name": "CI", "scopes": ["instances:read"], "expires_at": null})"));
    request.expiresAt = utc(2030, 1, 1, 0, 0, 0);
    LEGBA_COMPARE_JSON(legba::json::toJson(request)["expires_at"], Json("2030-01-01T00:00:00Z"));

    const NewInstanceRequest instance{QStringLiteral("windows-10"), InstanceSize::Large};
    LEGBA_COMPARE_JSON(legba::json::toJson(instance),
                       Json::parse(R"({"image": "windows-10", "size": "large"})"));
}

void JsonTest::writer_escapesAsNlohmannDoes_data() {
    QTest::addColumn<QString>("text");
    QString controls;
    for (char16_t c = 0; c < 0x20; ++c)
        controls += QChar(c);
    QTest::newRow("empty") << QString();
    QTest::newRow("plain") << QStringLiteral("CI deploy key");
    QTest::newRow("quotes and backslashes") << QStringLiteral(R"(say "hi" \ C:\path\)");
    QTest::newRow("every control character") << controls;
    QTest::newRow("DEL and slash") << QStringLiteral("\x7f / </script>");
    QTest::newRow("two-byte") << QStringLiteral("café Größe");
    QTest::newRow("three-byte") << QStringLiteral("鍵 \u2028 line separator");
    QTest::newRow("astral") << QStringLiteral("keys 🔑🗝️ and 𝄞");
}

void JsonTest::writer_escapesAsNlohmannDoes() {
    QFETCH(QString, text);
    legba::json::Writer w;
    w.string(text);
    const QByteArray written = w.text();
    // Byte for byte what nlohmann writes for the same UTF-8, and it reads back the same.
    QCOMPARE(written, QByteArray::fromStdString(Json(text.toStdString()).dump()));
    QCOMPARE(QString::fromStdString(Json::parse(written.toStdString()).get<std::string>()), text);

    legba::json::Writer fromUtf8;
    const std::string utf8 = text.toStdString();
    fromUtf8.string(std::string_view(utf8));
    QCOMPARE(fromUtf8.text(), written);
}

void JsonTest::writer_replacesLoneSurrogates() {
    // A QString can hold half of a surrogate pair; what goes out must still be valid UTF-8.
    const QChar high(char16_t(0xD83D));
    const QChar low(char16_t(0xDD11));
    const QString text = QStringLiteral("a") + high + QStringLiteral("b") + low;
    legba::json::Writer w;
    w.string(text);
    const QByteArray written = w.text();
    QCOMPARE(written, QByteArray("\"a\xEF\xBF\xBD"
                                 "b\xEF\xBF\xBD\""));
    QVERIFY(Json::accept(written.toStdString()));
}

void JsonTest::writer_nestsWithCommasInTheRightPlaces() {
    legba::json::Writer w;
    w.beginObject();
    w.key("empty_object").beginObject().endObject();
    w.key("empty_array").beginArray().endArray();
    w.key("list").beginArray();
    w.number(0).number(-1).number(std::numeric_limits<qint64>::min());
    w.beginObject().key("a").null().key("b").boolean(false).endObject();
    w.beginArray().boolean(true).endArray();
    w.endArray();
    w.key("time").time(utc(2025, 1, 11, 8, 30, 0, 250));
    w.key("no_time").time(QDateTime());
    w.key("raw").raw(R"({"x":[1,2]})");
    w.endObject();
    QCOMPARE(w.text(), QByteArray(R"({"empty_object":{},"empty_array":[],"list":[0,-1,)"
                                  R"(-9223372036854775808,{"a":null,"b":false},[true]],)"
                                  R"("time":"2025-01-11T08:30:00.250Z","no_time":null,)"
                                  R"("raw":{"x":[1,2]}})"));
}

void JsonTest::auditEvent_detailsThatAreNotAnObjectGoOutEmpty_data() {
    QTest::addColumn<QByteArray>("stored");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("object") << QByteArray(R"({"method":"GET"})")
                            << QByteArray(R"({"method":"GET"})");
    QTest::newRow("padded object") << QByteArray(" {\"a\": 1}\n") << QByteArray(R"({"a":1})");
    QTest::newRow("empty") << QByteArray() << QByteArray("{}");
    QTest::newRow("array") << QByteArray("[1]") << QByteArray("{}");
    QTest::newRow("truncated") << QByteArray(R"({"a":)") << QByteArray("{}");
    QTest::newRow("trailing garbage") << QByteArray(R"({"a":1}{)") << QByteArray("{}");
    QTest::newRow("NUL inside") << QByteArray("{\"a\":\"\0\"}", 9) << QByteArray("{}");
    QTest::newRow("too deep")
        << (QByteArray("{\"a\":") + QByteArray(100, '[') + QByteArray(100, ']') + '}')
        << QByteArray("{}"); // balanced and valid to nlohmann, but deeper than we ever dump
    // nlohmann's lexer takes a NUL for the end of the input: the rest must not slip through.
    QTest::newRow("NUL after the object")
        << QByteArray("{\"a\":1}\0,\"x\":2}", 15) << QByteArray("{}");
}

void JsonTest::auditEvent_detailsThatAreNotAnObjectGoOutEmpty() {
    QFETCH(QByteArray, stored);
    QFETCH(QByteArray, expected);
    AuditEvent event;
    event.eventId = QStringLiteral("evt_1");
    event.occurredAt = utc(2025, 1, 11, 8, 30, 0);
    event.action = QStringLiteral("api.request");
    event.detailsJson = stored;
    const Json written = Json::parse(legba::json::serialize(event).toStdString());
    LEGBA_COMPARE_JSON(written["details"], Json::parse(expected.toStdString()));
}

QTEST_GUILESS_MAIN(JsonTest)
#include "tst_json.moc"
