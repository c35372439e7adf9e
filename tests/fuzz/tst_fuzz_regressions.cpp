// Every seed and every input the fuzzers ever crashed on, through the same entry points,
// in the ordinary test run: a crash found once stays fixed.
#include "FuzzTargets.h"
#include "Json.h"
#include "KeyFormat.h"
#include "Rfc3339.h"
#include "ServerTargets.h"

#include <QDir>
#include <QFile>
#include <QTest>

Q_DECLARE_METATYPE(legba::fuzz::ServerRoute)

class FuzzRegressionsTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void everyTargetHasSeeds();
    void input_keepsItsInvariants_data();
    void input_keepsItsInvariants();
    // The server targets check something: seeds get the answers the contract gives...
    void serverSeed_getsTheContractsAnswer_data();
    void serverSeed_getsTheContractsAnswer();
    void serverInstances_refusedAtTheQuota_thenCreatedAgain();
    // ...and a wrong answer is caught.
    void serverChecks_catchAWrongAnswer_data();
    void serverChecks_catchAWrongAnswer();
    void cleanupTestCase();
};

namespace {
const QString kFuzzDir = QStringLiteral(LEGBA_FUZZ_DIR);

using legba::fuzz::ServerRoute;

QByteArray seed(const char* target, const char* name) {
    QFile file(kFuzzDir + QStringLiteral("/corpus/") + QLatin1String(target) + QLatin1Char('/') +
               QLatin1String(name));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("no seed %s/%s", target, name);
    return file.readAll();
}

QFileInfoList inputsOf(const QString& kind, const char* target) {
    return QDir(kFuzzDir + QLatin1Char('/') + kind + QLatin1Char('/') + QLatin1String(target))
        .entryInfoList(QDir::Files, QDir::Name);
}
} // namespace

void FuzzRegressionsTest::everyTargetHasSeeds() {
    for (const auto& target : legba::fuzz::targets())
        QVERIFY2(!inputsOf(QStringLiteral("corpus"), target.name).isEmpty(), target.name);
}

void FuzzRegressionsTest::input_keepsItsInvariants_data() {
    QTest::addColumn<QString>("target");
    QTest::addColumn<QString>("path");
    for (const auto& target : legba::fuzz::targets()) {
        for (const char* kind : {"corpus", "regressions"}) {
            for (const QFileInfo& file : inputsOf(QLatin1String(kind), target.name)) {
                const QByteArray row =
                    QByteArray(target.name) + '/' + kind + '/' + file.fileName().toUtf8();
                QTest::newRow(row.constData())
                    << QString::fromLatin1(target.name) << file.absoluteFilePath();
            }
        }
    }
}

void FuzzRegressionsTest::input_keepsItsInvariants() {
    QFETCH(QString, target);
    QFETCH(QString, path);
    QFile file(path);
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(path));
    const QByteArray input = file.readAll();
    const auto* entry = legba::fuzz::findTarget(target.toStdString());
    QVERIFY(entry);
    try {
        const auto violation = entry->run(input);
        QVERIFY2(!violation, violation.value_or(std::string()).c_str());
    } catch (const std::exception& error) {
        QFAIL(error.what());
    }
}

void FuzzRegressionsTest::serverSeed_getsTheContractsAnswer_data() {
    QTest::addColumn<ServerRoute>("route");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("says"); // in the error message

    const auto row = [](const char* target, const char* name, ServerRoute route, int status,
                        const char* says) {
        QTest::addRow("%s/%s", target, name)
            << route << seed(target, name) << status << QString::fromLatin1(says);
    };
    row("server_create_key", "valid-all-fields.json", ServerRoute::CreateKey, 201, "");
    row("server_create_key", "valid-minimal.json", ServerRoute::CreateKey, 201, "");
    row("server_create_key", "scopes-string.json", ServerRoute::CreateKey, 400,
        "Field 'scopes' must be a non-empty list of scopes");
    row("server_create_key", "name-blank.json", ServerRoute::CreateKey, 400, "Field 'name'");
    row("server_create_key", "expires-past.json", ServerRoute::CreateKey, 400,
        "Field 'expires_at' must be in the future");
    row("server_create_key", "scope-unknown.json", ServerRoute::CreateKey, 400,
        "Field 'scopes[1]' is not a known scope");
    row("server_create_key", "scope-caller-lacks.json", ServerRoute::CreateKey, 403,
        "This key lacks the scope 'audit:read'");
    row("server_create_key", "not-json.txt", ServerRoute::CreateKey, 400,
        "Field '(body)' is not valid JSON");
    row("server_create_instance", "image-unknown.json", ServerRoute::CreateInstance, 400,
        "Field 'image' must be one of");
    row("server_create_instance", "size-missing.json", ServerRoute::CreateInstance, 400,
        "Field 'size' is required");
    row("server_rotate_key", "grace-max.json", ServerRoute::RotateKey, 200, "");
    row("server_rotate_key", "empty", ServerRoute::RotateKey, 200, "");
    row("server_rotate_key", "grace-over-max.json", ServerRoute::RotateKey, 400,
        "Field 'grace_period_seconds' must be between 0 and 604800");
    row("server_rotate_key", "grace-float.json", ServerRoute::RotateKey, 400,
        "Field 'grace_period_seconds' must be an integer");
    row("server_rotate_own_key", "empty", ServerRoute::RotateOwnKey, 200, "");
    const QByteArray huge = "{\"name\":\"" + QByteArray(qsizetype(64) * 1024, 'x') + "\"}";
    QTest::newRow("server_create_key/over 64 KiB")
        << ServerRoute::CreateKey << huge << 413 << QStringLiteral("exceeds 64 KiB");
}

void FuzzRegressionsTest::serverSeed_getsTheContractsAnswer() {
    QFETCH(ServerRoute, route);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, says);
    const auto answer = legba::fuzz::exchangeWithServer(route, body);
    QVERIFY2(!answer.violation, answer.violation.value_or(std::string()).c_str());
    QCOMPARE(answer.status, status);
    const legba::ErrorBody error = legba::json::errorBodyFromJson(answer.body);
    if (says.isEmpty())
        QVERIFY2(error.code.isEmpty(), answer.body.constData());
    else
        QVERIFY2(error.message.contains(says), qPrintable(error.message));
}

void FuzzRegressionsTest::serverInstances_refusedAtTheQuota_thenCreatedAgain() {
    // The harness clears the organization's instances after a 409, so that valid bodies
    // keep reaching the 201 path: within quota + 1 requests comes one 409, then a 201.
    const QByteArray body = seed("server_create_instance", "valid.json");
    int refusedAt = -1;
    for (int i = 0; i <= legba::fuzz::serverInstanceQuota() && refusedAt < 0; ++i) {
        const auto answer = legba::fuzz::exchangeWithServer(ServerRoute::CreateInstance, body);
        QVERIFY2(!answer.violation, answer.violation.value_or(std::string()).c_str());
        QVERIFY2(answer.status == 201 || answer.status == 409, answer.body.constData());
        if (answer.status == 409)
            refusedAt = i;
    }
    QVERIFY(refusedAt >= 0);
    const auto answer = legba::fuzz::exchangeWithServer(ServerRoute::CreateInstance, body);
    QVERIFY2(!answer.violation, answer.violation.value_or(std::string()).c_str());
    QCOMPARE(answer.status, 201);
}

void FuzzRegressionsTest::serverChecks_catchAWrongAnswer_data() {
    QTest::addColumn<ServerRoute>("route");
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("answer");
    QTest::addColumn<QString>("caught"); // in the violation

    const QByteArray keyRequest = R"({"name":"ci","scopes":["keys:read"]})";
    const QByteArray instanceRequest = R"({"image":"windows-10","size":"small"})";
    const auto error = [](const char* code, const char* message) -> QByteArray {
        return QByteArray(R"({"error":{"code":")") + code + R"(","message":")" + message + R"("}})";
    };
    legba::IssuedKey issued;
    issued.secret = legba::Secret(legba::keyformat::generate());
    issued.record.keyId = legba::keyformat::generateKeyId();
    issued.record.name = QStringLiteral("not ci");
    issued.record.prefix = legba::keyformat::displayPrefix(issued.secret.reveal());
    issued.record.scopes = {QStringLiteral("keys:read")};
    issued.record.createdAt = *legba::rfc3339::parse(QStringLiteral("2026-01-01T00:00:00Z"));
    const QByteArray otherName = legba::json::dump(legba::json::toJson(issued));
    issued.record.name = QStringLiteral("ci");
    issued.rotatedFrom = legba::keyformat::generateKeyId();
    const QByteArray rotated = legba::json::dump(legba::json::toJson(issued));

    QTest::newRow("500") << ServerRoute::CreateKey << keyRequest << 500
                         << error("INTERNAL", "Internal server error")
                         << QStringLiteral("failed with 500");
    QTest::newRow("200 where the contract says 201")
        << ServerRoute::CreateKey << keyRequest << 200 << otherName
        << QStringLiteral("status the contract does not give");
    QTest::newRow("400 with another code")
        << ServerRoute::CreateInstance << instanceRequest << 400
        << error("CONFLICT", "Field 'size' is wrong") << QStringLiteral("with the code CONFLICT");
    QTest::newRow("400 not in the error shape")
        << ServerRoute::CreateInstance << instanceRequest << 400
        << QByteArray(R"({"message":"Field 'size' is wrong"})")
        << QStringLiteral("not the error shape");
    QTest::newRow("400 naming no field")
        << ServerRoute::CreateInstance << instanceRequest << 400
        << error("VALIDATION_ERROR", "Bad request") << QStringLiteral("names no field");
    QTest::newRow("400 naming a field the route does not have")
        << ServerRoute::CreateInstance << instanceRequest << 400
        << error("VALIDATION_ERROR", "Field 'colour' is wrong")
        << QStringLiteral("not a field of this body");
    QTest::newRow("400 blaming an absent field")
        << ServerRoute::CreateKey << keyRequest << 400
        << error("VALIDATION_ERROR", "Field 'expires_at' must be in the future")
        << QStringLiteral("which is absent");
    QTest::newRow("400 blaming the body of a JSON object")
        << ServerRoute::CreateKey << keyRequest << 400
        << error("VALIDATION_ERROR", "Field '(body)' is not valid JSON")
        << QStringLiteral("body blamed");
    QTest::newRow("403 for a scope not asked for")
        << ServerRoute::CreateKey << keyRequest << 403
        << error("FORBIDDEN", "This key lacks the scope 'audit:read'")
        << QStringLiteral("does not ask for");
    QTest::newRow("201 with another name") << ServerRoute::CreateKey << keyRequest << 201
                                           << otherName << QStringLiteral("not the trimmed name");
    QTest::newRow("201 that does not parse")
        << ServerRoute::CreateInstance << instanceRequest << 201 << QByteArray("{}")
        << QStringLiteral("does not parse");
    QTest::newRow("200 for a fractional grace period")
        << ServerRoute::RotateKey << QByteArray(R"({"grace_period_seconds":1.5})") << 200 << rotated
        << QStringLiteral("not an integer");
}

void FuzzRegressionsTest::serverChecks_catchAWrongAnswer() {
    QFETCH(ServerRoute, route);
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    QFETCH(QByteArray, answer);
    QFETCH(QString, caught);
    const auto violation = legba::fuzz::checkServerAnswer(route, request, status, answer);
    QVERIFY2(violation, "not caught");
    QVERIFY2(QString::fromStdString(*violation).contains(caught), violation->c_str());
}

void FuzzRegressionsTest::cleanupTestCase() {
    legba::fuzz::shutDownServer();
}

QTEST_GUILESS_MAIN(FuzzRegressionsTest)
#include "tst_fuzz_regressions.moc"
