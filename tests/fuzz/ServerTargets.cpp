#include "ServerTargets.h"

#include "Admin.h"
#include "Api.h"
#include "Database.h"
#include "ErrorCode.h"
#include "Json.h"
#include "KeyFormat.h"
#include "Rfc3339.h"
#include "Scope.h"
#include "Store.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QUuid>
#include <algorithm>
#include <array>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

namespace legba::fuzz {

namespace {

using Json = nlohmann::json;
using server::HttpRequest;
using server::HttpResponse;

// A fixed clock, so that an input gets the same answer on any day: an `expires_at` in 2030
// stays in the future, and instances stay `provisioning`.
constexpr qint64 kNow = 1767225600000; // 2026-01-01T00:00:00Z
constexpr qint64 kMaxGraceSeconds = 604800;
constexpr int kInstanceQuota = 3;
const QByteArray kHost = "127.0.0.1:8080";
// The caller of every route but /key/rotate holds every scope but this one, so that
// asking for it is the 403 the contract gives.
const QString kScopeCallerLacks = QStringLiteral("audit:read");

std::string text(const QString& s) {
    return s.toStdString();
}

std::string text(const QByteArray& s) {
    return s.toStdString();
}

std::string text(const QDateTime& t) {
    return t.isValid() ? rfc3339::format(t).toStdString() : std::string("null");
}

QByteArray headerOf(const HttpResponse& response, const char* name) {
    for (const auto& [key, value] : response.headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

bool isBlank(QByteArrayView body) {
    return body.toByteArray().trimmed().isEmpty();
}

// The body as the server's parser reads it, when that is a JSON object.
std::optional<Json> bodyObject(QByteArrayView body) {
    try {
        Json value = json::parse(body);
        if (value.is_object())
            return value;
    } catch (const json::ParseError&) {
    }
    return std::nullopt;
}

// A member that is there and not null.
const Json* given(const Json& object, const char* name) {
    const auto it = object.find(name);
    return it == object.end() || it->is_null() ? nullptr : &*it;
}

// One server for the process: a real database in a scratch directory (tmpfs when there is
// one, since every input writes), the Api without a transport, an organization and keys.
class FuzzServer {
public:
    FuzzServer() {
        // The Api's audit timer needs an event dispatcher, even though no event loop ever runs
        // here: audit events are written when 512 are pending, or by commits.
        if (!QCoreApplication::instance())
            m_app = std::make_unique<QCoreApplication>(m_argc, m_argv.data());
        const QFileInfo shm(QStringLiteral("/dev/shm"));
        const QString base =
            shm.isDir() && shm.isWritable() ? shm.absoluteFilePath() : QDir::tempPath();
        m_dir = std::make_unique<QTemporaryDir>(base + QStringLiteral("/legba-fuzz-XXXXXX"));
        if (!m_dir->isValid())
            throw std::runtime_error("cannot create a scratch directory in " + text(base));
        m_db.open(m_dir->filePath(QStringLiteral("legba.sqlite3")));
        m_store = std::make_unique<server::Store>(m_db);

        server::ServerOptions options;
        options.clock = [] {
            return kNow;
        };
        options.instanceQuota = kInstanceQuota;
        options.keyRequestsPerMinute = 0; // no rate limit: millions of requests per key
        options.failedAuthPerMinute = 0;
        m_api = std::make_unique<server::Api>(*m_store, options);
        m_api->setBaseUrl(QStringLiteral("http://") + QString::fromLatin1(kHost), false);

        const server::CreatedOrganization org =
            server::admin::createOrganization(*m_store, QStringLiteral("Fuzz"), kNow);
        m_orgUuid = org.orgUuid;
        m_apiBase = "/orgs/" + org.orgUuid.toLatin1() + "/api";
        QStringList callerScopes;
        for (Scope scope : allScopes()) {
            if (wireName(scope) != kScopeCallerLacks)
                callerScopes.append(wireName(scope));
        }
        const IssuedKey caller = issue(QStringLiteral("Fuzz caller"), callerScopes);
        m_caller = caller.secret;
        m_callerId = caller.record.keyId;
        m_rotateTargetId = issue(QStringLiteral("Rotated by the fuzzer"),
                                 {QStringLiteral("instances:read"), QStringLiteral("keys:read")})
                               .record.keyId;
        const IssuedKey own =
            issue(QStringLiteral("Rotating itself"), {QStringLiteral("instances:read")});
        m_ownKey = own.secret;
        m_ownKeyId = own.record.keyId;
    }
    FuzzServer(const FuzzServer&) = delete;
    FuzzServer& operator=(const FuzzServer&) = delete;
    ~FuzzServer() = default;

    ServerExchange exchange(ServerRoute route, QByteArrayView input) {
        QByteArray path;
        const Secret* key = &m_caller;
        switch (route) {
        case ServerRoute::CreateKey:
            path = "/keys";
            break;
        case ServerRoute::CreateInstance:
            path = "/instances";
            break;
        case ServerRoute::RotateKey:
            path = "/keys/" + m_rotateTargetId.toLatin1() + "/rotate";
            break;
        case ServerRoute::RotateOwnKey:
            path = "/key/rotate";
            key = &m_ownKey;
            break;
        }
        const HttpResponse response = send("POST", path, input, *key);
        ServerExchange out{response.status, response.body, std::nullopt};
        out.violation = checkHeaders(response);
        if (!out.violation)
            out.violation = checkServerAnswer(route, input, response.status, response.body);
        if (!out.violation)
            out.violation = checkAudited(
                route, response, route == ServerRoute::RotateOwnKey ? m_ownKeyId : m_callerId);
        if (!out.violation)
            out.violation = checkState(route, input, response);
        return out;
    }

private:
    IssuedKey issue(const QString& name, const QStringList& scopes) {
        return server::admin::createKey(*m_store, m_orgUuid, name, scopes, 0, kNow,
                                        QStringLiteral("fuzz"));
    }

    HttpResponse send(const QByteArray& method, const QByteArray& path, QByteArrayView body,
                      const Secret& key) {
        HttpRequest request;
        request.method = method;
        request.path = m_apiBase + path;
        request.body = body.toByteArray();
        request.clientAddress = QStringLiteral("127.0.0.1");
        request.headers = {{"authorization", "Bearer " + key.reveal()},
                           {"host", kHost},
                           {"content-type", "application/json"}};
        return m_api->handle(request);
    }

    static Violation checkHeaders(const HttpResponse& response) {
        if (!headerOf(response, "x-request-id").startsWith("req_"))
            return "an answer without X-Request-Id";
        if (headerOf(response, "cache-control") != "no-store")
            return "an answer under /orgs/ without Cache-Control: no-store";
        if (headerOf(response, "content-type") != "application/json")
            return "an answer that is not application/json";
        return std::nullopt;
    }

    // The answer is the newest event of the organization's log, under the route's action,
    // with its status, actor and (after a success) what it created or rotated. A 413 is
    // answered before the key is looked at, so it is not in the log.
    Violation checkAudited(ServerRoute route, const HttpResponse& response,
                           const QString& actorKeyId) {
        if (response.status == 413)
            return std::nullopt;
        m_api->flush();
        AuditQuery query;
        query.limit = 1;
        const AuditPage page = m_store->audit().page(m_orgUuid, query);
        if (page.events.empty() ||
            page.events.front().requestId.toLatin1() != headerOf(response, "x-request-id"))
            return "the answer is not the newest event of the audit log";
        const AuditEvent& event = page.events.front();
        const char* action = route == ServerRoute::CreateKey        ? "api_key.created"
                             : route == ServerRoute::CreateInstance ? "instance.created"
                                                                    : "api_key.rotated";
        if (event.action != QLatin1String(action) || event.statusCode != response.status ||
            event.succeeded() != (response.status < 400))
            return "audited as " + text(event.action) + " " + std::to_string(event.statusCode) +
                   ", answered " + std::to_string(response.status);
        if (!event.actor || event.actor->keyId != actorKeyId)
            return "audited with another actor than the caller";
        const Json details =
            Json::parse(event.detailsJson.begin(), event.detailsJson.end(), nullptr, false);
        if (!details.is_object() || details.value("method", std::string()) != "POST")
            return "audited details without the method: " + text(event.detailsJson);
        if (response.status >= 400)
            return std::nullopt;
        QString created;
        if (route == ServerRoute::CreateInstance)
            created = json::instanceFromJson(json::parse(response.body)).instanceUuid;
        else if (route == ServerRoute::CreateKey)
            created = json::issuedKeyFromJson(json::parse(response.body)).record.keyId;
        else
            created = json::issuedKeyFromJson(json::parse(response.body)).rotatedFrom;
        if (!event.target || event.target->id != created)
            return "audited with another target than " + text(created);
        return std::nullopt;
    }

    // What a success must have changed, and that a refusal did not leave the fuzzer's
    // routes unusable.
    Violation checkState(ServerRoute route, QByteArrayView input, const HttpResponse& response) {
        if (route == ServerRoute::CreateInstance) {
            const int live = m_store->countNotDeleted(m_orgUuid, kNow);
            if (response.status == 201) {
                if (live > kInstanceQuota)
                    return "201 past the quota: " + std::to_string(live) + " live instances";
                m_instances.push_back(
                    json::instanceFromJson(json::parse(response.body)).instanceUuid);
            }
            if (response.status == 409) {
                if (live < kInstanceQuota)
                    return "409 with " + std::to_string(live) + " live instances, under the quota";
                // Destroyed through the API (which keeps its own counts), so that valid
                // bodies keep reaching the 201 path.
                for (const QString& uuid : std::exchange(m_instances, {})) {
                    const HttpResponse destroyed =
                        send("DELETE", "/instances/" + uuid.toLatin1(), {}, m_caller);
                    if (destroyed.status != 204)
                        return "DELETE of an instance just created answered " +
                               std::to_string(destroyed.status);
                }
            }
            return std::nullopt;
        }
        if (response.status != 200 && response.status != 201)
            return std::nullopt;
        const IssuedKey issued = json::issuedKeyFromJson(json::parse(response.body));
        switch (route) {
        case ServerRoute::CreateKey:
            return checkKeyWorks(issued);
        case ServerRoute::RotateKey: {
            // The new key is the one to rotate next, whatever the checks below find.
            const QString oldId = std::exchange(m_rotateTargetId, issued.record.keyId);
            if (issued.rotatedFrom != oldId)
                return "rotated_from " + text(issued.rotatedFrom) + " is not the key rotated, " +
                       text(oldId);
            qint64 grace = 0;
            if (const std::optional<Json> object = bodyObject(input)) {
                if (const Json* value = given(*object, "grace_period_seconds"))
                    grace = value->get<qint64>();
            }
            const auto old = m_store->key(m_orgUuid, oldId);
            if (!old || old->revokedAt != kNow + grace * 1000 ||
                old->rotatedTo != issued.record.keyId)
                return "the rotated key does not end its grace of " + std::to_string(grace) +
                       " s then, or does not name its successor";
            if (old->name != issued.record.name || old->scopes != issued.record.scopes ||
                old->expiresAt != (issued.record.expiresAt.isValid()
                                       ? issued.record.expiresAt.toMSecsSinceEpoch()
                                       : 0))
                return "the new key does not keep the old one's name, scopes and expiry";
            return checkKeyWorks(issued);
        }
        case ServerRoute::RotateOwnKey: {
            const QString oldId = std::exchange(m_ownKeyId, issued.record.keyId);
            const Secret oldKey = std::exchange(m_ownKey, issued.secret);
            if (issued.rotatedFrom != oldId)
                return "rotated_from " + text(issued.rotatedFrom) + " is not the caller's key";
            const HttpResponse old = send("GET", "/key", {}, oldKey);
            if (old.status != 401)
                return "the rotated key still works: GET /key answered " +
                       std::to_string(old.status);
            return checkKeyWorks(issued);
        }
        case ServerRoute::CreateInstance:
            break;
        }
        return std::nullopt;
    }

    // The secret just issued authenticates, as the key it was issued for.
    Violation checkKeyWorks(const IssuedKey& issued) {
        const HttpResponse answer = send("GET", "/key", {}, issued.secret);
        if (answer.status != 200)
            return "the key just issued gets " + std::to_string(answer.status) + " on GET /key";
        const ApiKey record = json::apiKeyFromJson(json::parse(answer.body));
        if (record.keyId != issued.record.keyId || record.scopes != issued.record.scopes)
            return "the key just issued is another key: " + text(record.keyId);
        return std::nullopt;
    }

    int m_argc = 1;
    char m_arg0[16] = "legba-fuzz";
    std::array<char*, 2> m_argv{m_arg0, nullptr};
    std::unique_ptr<QCoreApplication> m_app;
    std::unique_ptr<QTemporaryDir> m_dir;
    server::Database m_db;
    std::unique_ptr<server::Store> m_store;
    std::unique_ptr<server::Api> m_api;
    QString m_orgUuid;
    QByteArray m_apiBase; // /orgs/{org_uuid}/api
    Secret m_caller;
    QString m_callerId;
    QString m_rotateTargetId; // replaced by its successor after each rotation
    Secret m_ownKey;          // the caller of /key/rotate, replaced likewise
    QString m_ownKeyId;
    std::vector<QString> m_instances; // created and not destroyed yet
};

std::unique_ptr<FuzzServer>& serverSlot() {
    static std::unique_ptr<FuzzServer> server;
    return server;
}

FuzzServer& fuzzServer() {
    std::unique_ptr<FuzzServer>& server = serverSlot();
    if (!server) {
        server = std::make_unique<FuzzServer>();
        // Registered after Qt's own globals (the SQL connections) were made, so run before
        // they are destroyed: a fuzzer's exit() closes the database first.
        static const bool once = [] {
            return std::atexit(shutDownServer) == 0;
        }();
        Q_UNUSED(once);
    }
    return *server;
}

// ---- checks of one answer ----

bool allowedStatus(ServerRoute route, int status) {
    // No 401 (the key is valid) and no 429 (the limits are off).
    switch (route) {
    case ServerRoute::CreateKey:
        return status == 201 || status == 400 || status == 403 || status == 413;
    case ServerRoute::CreateInstance:
        return status == 201 || status == 400 || status == 409 || status == 413;
    case ServerRoute::RotateKey:
        return status == 200 || status == 400 || status == 413;
    case ServerRoute::RotateOwnKey:
        return status == 200 || status == 413;
    }
    return false;
}

// The contract's error body, exactly: {"error": {"code", "message"}}, the code that of the
// status. Sets *message.
Violation checkErrorBody(int status, const QByteArray& answer, QString* message) {
    const Json value = Json::parse(answer.begin(), answer.end(), nullptr, false);
    const Json* error = value.is_object() && value.size() == 1 ? given(value, "error") : nullptr;
    const Json* code = error && error->is_object() ? given(*error, "code") : nullptr;
    const Json* text16 = error && error->is_object() ? given(*error, "message") : nullptr;
    if (!code || !text16 || error->size() != 2 || !code->is_string() || !text16->is_string())
        return "a " + std::to_string(status) +
               " whose body is not the error shape: " + text(answer);
    const ErrorBody body = json::errorBodyFromJson(answer);
    const auto parsed = errorCodeFromWireName(body.code);
    if (!parsed || httpStatusFor(*parsed) != status)
        return "a " + std::to_string(status) + " with the code " + text(body.code);
    if (body.message.isEmpty())
        return "a " + std::to_string(status) + " without a message";
    *message = body.message;
    return std::nullopt;
}

// A 400 names a field of the route's body that is wrong in it.
Violation checkNamedField(ServerRoute route, QByteArrayView input, const QString& message) {
    static const QRegularExpression shape(QStringLiteral("^Field '([^']+)' (.+)$"),
                                          QRegularExpression::DotMatchesEverythingOption);
    const QRegularExpressionMatch match = shape.match(message);
    if (!match.hasMatch())
        return "a 400 that names no field: " + text(message);
    const QString field = match.captured(1);
    const bool saysRequired = match.captured(2) == QLatin1String("is required");
    const std::optional<Json> object = bodyObject(input);
    const bool blankIsObject = route == ServerRoute::RotateKey;
    if (field == QLatin1String("(body)")) {
        if (object || (blankIsObject && isBlank(input)))
            return "the body blamed though it is a JSON object: " + text(message);
        return std::nullopt;
    }
    if (!object && !(blankIsObject && isBlank(input)))
        return "field " + text(field) + " blamed in a body that is not a JSON object";
    const Json empty = Json::object();
    const Json& body = object ? *object : empty;

    static const QRegularExpression element(QStringLiteral("^scopes\\[(\\d+)\\]$"));
    QStringList fields;
    switch (route) {
    case ServerRoute::CreateKey:
        fields = {QStringLiteral("name"), QStringLiteral("scopes"), QStringLiteral("expires_at")};
        if (const QRegularExpressionMatch m = element.match(field); m.hasMatch()) {
            const Json* scopes = given(body, "scopes");
            if (!scopes || !scopes->is_array() || m.captured(1).toULongLong() >= scopes->size())
                return "a 400 naming " + text(field) + ", which the body does not have";
            return std::nullopt;
        }
        break;
    case ServerRoute::CreateInstance:
        fields = {QStringLiteral("image"), QStringLiteral("size")};
        break;
    case ServerRoute::RotateKey:
        fields = {QStringLiteral("grace_period_seconds")};
        break;
    case ServerRoute::RotateOwnKey:
        break;
    }
    if (!fields.contains(field))
        return "a 400 naming " + text(field) + ", not a field of this body";
    const bool present = given(body, field.toLatin1().constData()) != nullptr;
    if (present == saysRequired)
        return present ? "a 400 saying " + text(field) + " is required, though it is there"
                       : "a 400 blaming " + text(field) + ", which is absent: " + text(message);
    return std::nullopt;
}

// A 403 names the scope the caller lacks, which the body asked for.
Violation checkForbidden(QByteArrayView input, const QString& message) {
    if (message != QStringLiteral("This key lacks the scope '%1'").arg(kScopeCallerLacks))
        return "a 403 that does not name the scope lacking: " + text(message);
    const std::optional<Json> object = bodyObject(input);
    const Json* scopes = object ? given(*object, "scopes") : nullptr;
    if (!scopes || !scopes->is_array() ||
        std::find(scopes->begin(), scopes->end(), Json(text(kScopeCallerLacks))) == scopes->end())
        return "a 403 for a body that does not ask for " + text(kScopeCallerLacks);
    return std::nullopt;
}

Violation checkIssuedKey(const IssuedKey& issued) {
    const ApiKey& r = issued.record;
    if (!keyformat::isWellFormed(issued.secret.reveal()))
        return "an issued key that is not well formed";
    if (r.prefix != keyformat::displayPrefix(issued.secret.reveal()))
        return "an issued key whose prefix is not its first 12 characters";
    if (!keyformat::isKeyId(r.keyId))
        return "an issued key_id of the wrong shape: " + text(r.keyId);
    if (r.status != KeyStatus::Active || r.revokedAt.isValid() || r.lastUsedAt.isValid())
        return "an issued key that is not simply active";
    if (r.createdAt.toMSecsSinceEpoch() != kNow)
        return "an issued key not created now: " + text(r.createdAt);
    if (r.expiresAt.isValid() && r.expiresAt.toMSecsSinceEpoch() <= kNow)
        return "an issued key that has already expired";
    return std::nullopt;
}

// 201 of POST /keys: the key the body asked for.
Violation checkCreatedKey(QByteArrayView input, const IssuedKey& issued) {
    if (auto v = checkIssuedKey(issued))
        return v;
    if (!issued.rotatedFrom.isEmpty())
        return "a created key with rotated_from";
    const std::optional<Json> object = bodyObject(input);
    if (!object)
        return "201 for a body that is not a JSON object";
    const ApiKey& r = issued.record;
    const Json* name = given(*object, "name");
    if (!name || !name->is_string() ||
        json::qstr(name->get_ref<const std::string&>()).trimmed() != r.name)
        return "the key's name is not the trimmed name asked for: " + text(r.name);
    if (!isValidKeyName(r.name))
        return "a created key's name of " + std::to_string(characterCount(r.name)) + " characters";
    const Json* scopes = given(*object, "scopes");
    QStringList asked;
    if (scopes && scopes->is_array()) {
        for (const Json& scope : *scopes) {
            if (scope.is_string())
                asked.append(json::qstr(scope.get_ref<const std::string&>()));
        }
    }
    if (asked != r.scopes || r.scopes.isEmpty() || r.scopes.contains(kScopeCallerLacks))
        return "the key's scopes are not those asked for: " + text(r.scopes.join(QLatin1Char(',')));
    const Json* expires = given(*object, "expires_at");
    const QDateTime wanted =
        expires && expires->is_string()
            ? rfc3339::parse(json::qstr(expires->get_ref<const std::string&>()))
                  .value_or(QDateTime())
            : QDateTime();
    if (wanted != r.expiresAt)
        return "expires_at " + text(r.expiresAt) + " is not what was asked for";
    return std::nullopt;
}

Violation checkCreatedInstance(QByteArrayView input, const Instance& instance) {
    const std::optional<Json> object = bodyObject(input);
    if (!object)
        return "201 for a body that is not a JSON object";
    const Json* image = given(*object, "image");
    const Json* size = given(*object, "size");
    if (!image || !image->is_string() ||
        json::qstr(image->get_ref<const std::string&>()) != instance.image)
        return "the instance's image is not the one asked for: " + text(instance.image);
    if (!size || !size->is_string() ||
        json::qstr(size->get_ref<const std::string&>()) != wireName(instance.size))
        return "the instance's size is not the one asked for";
    const QUuid uuid = QUuid::fromString(instance.instanceUuid);
    if (uuid.isNull() || uuid.toString(QUuid::WithoutBraces) != instance.instanceUuid)
        return "an instance_uuid that is not a UUID: " + text(instance.instanceUuid);
    if (instance.status != InstanceStatus::Provisioning ||
        instance.createdAt.toMSecsSinceEpoch() != kNow)
        return "a new instance that is not provisioning since now";
    if (instance.accessUrl != QStringLiteral("http://%1/sandbox/instances/%2")
                                  .arg(QString::fromLatin1(kHost), instance.instanceUuid))
        return "an access_url not on the host asked: " + text(instance.accessUrl);
    return std::nullopt;
}

Violation checkRotated(ServerRoute route, QByteArrayView input, const IssuedKey& issued) {
    if (auto v = checkIssuedKey(issued))
        return v;
    if (!keyformat::isKeyId(issued.rotatedFrom) || issued.rotatedFrom == issued.record.keyId)
        return "a rotation whose rotated_from is not another key: " + text(issued.rotatedFrom);
    if (route == ServerRoute::RotateOwnKey || isBlank(input))
        return std::nullopt;
    const std::optional<Json> object = bodyObject(input);
    if (!object)
        return "200 for a body that is neither blank nor a JSON object";
    if (const Json* grace = given(*object, "grace_period_seconds")) {
        if (!grace->is_number_integer())
            return "200 for a grace period that is not an integer: " + grace->dump();
        const bool inRange =
            grace->is_number_unsigned()
                ? grace->get<quint64>() <= quint64(kMaxGraceSeconds)
                : grace->get<qint64>() >= 0 && grace->get<qint64>() <= kMaxGraceSeconds;
        if (!inRange)
            return "200 for a grace period out of range: " + grace->dump();
    }
    return std::nullopt;
}

} // namespace

Violation checkServerAnswer(ServerRoute route, QByteArrayView requestBody, int status,
                            const QByteArray& answerBody) {
    if (status >= 500)
        return "the server failed with " + std::to_string(status) + ": " + text(answerBody);
    if (!allowedStatus(route, status))
        return "a status the contract does not give this route: " + std::to_string(status) + " " +
               text(answerBody);
    if (status >= 400) {
        QString message;
        if (auto v = checkErrorBody(status, answerBody, &message))
            return v;
        if (status == 400)
            return checkNamedField(route, requestBody, message);
        if (status == 403)
            return checkForbidden(requestBody, message);
        return std::nullopt;
    }
    try {
        const Json value = json::parse(answerBody);
        if (route == ServerRoute::CreateInstance)
            return checkCreatedInstance(requestBody, json::instanceFromJson(value));
        const IssuedKey issued = json::issuedKeyFromJson(value);
        if (route == ServerRoute::CreateKey)
            return checkCreatedKey(requestBody, issued);
        return checkRotated(route, requestBody, issued);
    } catch (const json::ParseError& error) {
        return "a " + std::to_string(status) + " that does not parse: field '" +
               text(error.field()) + "' " + text(error.problem()) + " in " + text(answerBody);
    }
}

ServerExchange exchangeWithServer(ServerRoute route, QByteArrayView body) {
    return fuzzServer().exchange(route, body);
}

int serverInstanceQuota() {
    return kInstanceQuota;
}

void shutDownServer() {
    serverSlot().reset();
}

Violation serverCreateKey(QByteArrayView input) {
    return exchangeWithServer(ServerRoute::CreateKey, input).violation;
}

Violation serverCreateInstance(QByteArrayView input) {
    return exchangeWithServer(ServerRoute::CreateInstance, input).violation;
}

Violation serverRotateKey(QByteArrayView input) {
    return exchangeWithServer(ServerRoute::RotateKey, input).violation;
}

Violation serverRotateOwnKey(QByteArrayView input) {
    return exchangeWithServer(ServerRoute::RotateOwnKey, input).violation;
}

} // namespace legba::fuzz
