#include "Api.h"

#include "ApiFailure.h"
#include "ApiShape.h"
#include "Database.h"
#include "Json.h"
#include "JsonWriter.h"
#include "KeyFormat.h"
#include "Logging.h"
#include "Rfc3339.h"
#include "Scope.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <QUuid>
#include <array>
#include <optional>
#include <utility>

namespace legba::server {

using Json = nlohmann::json;
namespace wire = legba::json;

namespace {

constexpr qint64 kMaxBodyBytes = qint64{64} * 1024;
constexpr qint64 kMaxGraceSeconds = 604800;
constexpr qint64 kWindowMs = 60'000;
constexpr int kMaxAuditLimit = 1000;

const QStringList kImages = {QStringLiteral("ubuntu-20.04"), QStringLiteral("windows-10"),
                             QStringLiteral("ubuntu-22.04")};

QString newRequestId() {
    // "req_" and 24 hex digits; built by hand because every answer carries one.
    QRandomGenerator* rng = QRandomGenerator::global();
    const quint64 a = rng->generate64();
    const quint32 b = rng->generate();
    static constexpr char hex[] = "0123456789abcdef";
    char text[28] = {'r', 'e', 'q', '_'};
    for (int i = 0; i < 16; ++i)
        text[4 + i] = hex[(a >> (60 - 4 * i)) & 0xF];
    for (int i = 0; i < 8; ++i)
        text[20 + i] = hex[(b >> (28 - 4 * i)) & 0xF];
    return QString::fromLatin1(text, 28);
}

HttpResponse jsonResponse(int status, QByteArray body) {
    HttpResponse response;
    response.status = status;
    response.body = std::move(body);
    response.addHeader("Content-Type", "application/json");
    return response;
}

HttpResponse noContent() {
    HttpResponse response;
    response.status = 204;
    return response;
}

// Only what looks like a key's prefix is kept: never more than 12 printable characters.
QString presentedPrefix(const QByteArray& token) {
    if (!token.startsWith(keyformat::kTag) || token.size() < keyformat::kPrefixLength)
        return {};
    const QByteArray prefix = token.first(keyformat::kPrefixLength);
    for (char c : prefix) {
        if (c < 0x21 || c > 0x7e)
            return {};
    }
    return QString::fromLatin1(prefix);
}

bool isUuid(QByteArrayView text) {
    return text.size() == 36 && !QUuid::fromString(QLatin1StringView(text)).isNull();
}

// Either shape's ids, whichever shape serves: a data dir may be served in both.
bool isInstanceId(QByteArrayView text) {
    return isUuid(text) || hostedshape::isInstanceId(text);
}

QString sanitized(const QByteArray& value, qsizetype max) {
    QString out = QString::fromUtf8(value.first(std::min(value.size(), max)));
    for (QChar& c : out) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            c = QLatin1Char('?');
    }
    return out;
}

// The body as a JSON object; an empty body counts as {} where `emptyIsObject`.
Json bodyObject(const QByteArray& body, bool emptyIsObject) {
    if (body.trimmed().isEmpty()) {
        if (emptyIsObject)
            return Json::object();
        throw ApiFailure::validation(QStringLiteral("(body)"),
                                     QStringLiteral("is missing: send a JSON object"));
    }
    try {
        Json value = wire::parse(body);
        if (!value.is_object())
            throw ApiFailure::validation(QStringLiteral("(body)"),
                                         QStringLiteral("is not a JSON object"));
        return value;
    } catch (const wire::ParseError&) {
        throw ApiFailure::validation(QStringLiteral("(body)"), QStringLiteral("is not valid JSON"));
    }
}

const Json* member(const Json& object, const char* name) {
    const auto it = object.find(name);
    return it == object.end() ? nullptr : &*it;
}

QString requireStringField(const Json& object, const char* name) {
    const Json* value = member(object, name);
    if (!value || value->is_null())
        throw ApiFailure::validation(QString::fromLatin1(name), QStringLiteral("is required"));
    if (!value->is_string())
        throw ApiFailure::validation(QString::fromLatin1(name), QStringLiteral("must be a string"));
    return wire::qstr(value->get_ref<const std::string&>());
}

QString missingScope(const QStringList& held, const QStringList& wanted) {
    for (const QString& scope : wanted) {
        if (!held.contains(scope))
            return scope;
    }
    return {};
}

// An audit event's details: what the handler noted, then the request's method and route.
QByteArray detailsText(const Json& noted, const QByteArray& method, const QString& route) {
    wire::Writer w;
    w.beginObject();
    for (const auto& item : noted.items()) {
        if (item.key() != "method" && item.key() != "route")
            w.key(item.key()).raw(wire::dump(item.value()));
    }
    w.key("method").string(
        std::string_view(method.constData(), static_cast<std::size_t>(method.size())));
    w.key("route").string(route);
    w.endObject();
    return w.text();
}

} // namespace

struct Api::Call {
    Call(const HttpRequest& r, QString id, qint64 t)
        : request(r)
        , requestId(std::move(id))
        , now(t) {}
    const HttpRequest& request;
    QString requestId;
    qint64 now = 0;
    QString orgUuid;
    std::optional<KeyRow> key; // set once authenticated
    QList<QByteArray> params;  // path parameters in order
    QString route;             // the path template matched, or the raw path
    QString action;            // the audit action; empty: api.request
    std::optional<AuditTarget> target;
    Json details = Json::object();
    bool audited = false;
    QByteArray allow; // for 405
    // Rate limit state to report, when the per-key limit is on.
    std::optional<std::array<qint64, 3>> rate; // limit, remaining, reset seconds
};

struct Api::Route {
    QByteArray method;
    bool isPublic;    // shown by the hosted API's public docs: served in the hosted shape
    const char* path; // after /orgs/{org_uuid}/api; "{}" is a parameter
    const char* pathTemplate;
    std::optional<Scope> scope;
    const char* action; // audit action; nullptr: api.request
    const char* targetType;
    Api::Handler handler;
};

const std::vector<Api::Route>& Api::routeTable() {
    static const std::vector<Route> table = {
        {"GET", true, "/key", "/key", std::nullopt, nullptr, nullptr, &Api::getOwnKey},
        {"POST", true, "/key/rotate", "/key/rotate", std::nullopt, "api_key.rotated", "api_key",
         &Api::rotateOwnKey},
        {"GET", false, "/keys", "/keys", Scope::KeysRead, nullptr, nullptr, &Api::listKeys},
        {"POST", false, "/keys", "/keys", Scope::KeysWrite, "api_key.created", "api_key",
         &Api::createKey},
        {"GET", false, "/keys/{}", "/keys/{key_id}", Scope::KeysRead, nullptr, "api_key",
         &Api::getKey},
        {"DELETE", false, "/keys/{}", "/keys/{key_id}", Scope::KeysWrite, "api_key.revoked",
         "api_key", &Api::revokeKey},
        {"POST", false, "/keys/{}/rotate", "/keys/{key_id}/rotate", Scope::KeysWrite,
         "api_key.rotated", "api_key", &Api::rotateKey},
        {"GET", true, "/instances", "/instances", Scope::InstancesRead, nullptr, nullptr,
         &Api::listInstances},
        {"POST", true, "/instances", "/instances", Scope::InstancesWrite, "instance.created",
         "instance", &Api::createInstance},
        {"GET", false, "/instances/{}", "/instances/{instance_uuid}", Scope::InstancesRead, nullptr,
         "instance", &Api::getInstance},
        {"DELETE", true, "/instances/{}", "/instances/{instance_uuid}", Scope::InstancesWrite,
         "instance.destroyed", "instance", &Api::deleteInstance},
        {"GET", false, "/audit-log", "/audit-log", Scope::AuditRead, nullptr, nullptr,
         &Api::auditLog},
    };
    return table;
}

Api::Api(Store& store, ServerOptions options)
    : m_store(store)
    , m_options(std::move(options))
    , m_shape(ApiShape::of(m_options))
    , m_writer(store)
    , m_cache(store) {}

Api::~Api() = default;

std::vector<RouteInfo> Api::routes() {
    std::vector<RouteInfo> out;
    out.push_back({"GET", QStringLiteral("/healthz"), false});
    out.push_back({"GET", QStringLiteral("/sandbox/instances/{instance_uuid}"), false});
    for (const Route& r : routeTable())
        out.push_back({r.method,
                       QStringLiteral("/orgs/{org_uuid}/api") + QString::fromLatin1(r.pathTemplate),
                       r.isPublic});
    return out;
}

qint64 Api::now() const {
    return m_options.clock ? m_options.clock() : QDateTime::currentMSecsSinceEpoch();
}

void Api::setBaseUrl(const QString& baseUrl, bool tls) {
    m_baseUrl = baseUrl;
    m_tls = tls;
}

HttpResponse Api::refusal(int status, const QString& message) {
    const QString requestId = newRequestId();
    const ErrorCode code = status == 413 ? ErrorCode::PayloadTooLarge : ErrorCode::ValidationError;
    HttpResponse response = jsonResponse(status, wire::serializeError(code, message));
    response.addHeader("X-Request-Id", requestId.toLatin1());
    return response;
}

HttpResponse Api::handle(const HttpRequest& request) {
    Call call{request, newRequestId(), now()};
    HttpResponse response;
    try {
        response = dispatch(call);
    } catch (const ApiFailure& failure) {
        response = errorResponse(call, failure);
    } catch (const DbError& error) {
        qCCritical(lcServer, "database error on request %s: %s", qPrintable(call.requestId),
                   error.what());
        response = errorResponse(
            call, ApiFailure(ErrorCode::Internal, QStringLiteral("Internal server error")));
    } catch (const std::exception& error) {
        qCCritical(lcServer, "unexpected error on request %s: %s", qPrintable(call.requestId),
                   error.what());
        response = errorResponse(
            call, ApiFailure(ErrorCode::Internal, QStringLiteral("Internal server error")));
    }
    if (call.key && !call.audited)
        m_writer.enqueue(record(call, response.status));
    if (call.rate) {
        response.addHeader("X-RateLimit-Limit", QByteArray::number((*call.rate)[0]));
        response.addHeader("X-RateLimit-Remaining", QByteArray::number((*call.rate)[1]));
        response.addHeader("X-RateLimit-Reset", QByteArray::number((*call.rate)[2]));
    }
    if (request.path.startsWith("/orgs/"))
        response.addHeader("Cache-Control", "no-store");
    response.addHeader("X-Request-Id", call.requestId.toLatin1());
    return response;
}

HttpResponse Api::errorResponse(Call& call, const ApiFailure& failure) {
    if (call.key)
        call.details["error"] = wire::str(wireName(failure.code()));
    // The hosted API's docs show no answer for a route they do not document: it is what its
    // web server answers (a Go server's), so clients learn to read a 404 that is not JSON.
    if (failure.isRouteMiss() && m_shape.publicRoutesOnly)
        return hostedshape::notFound();
    QString message = failure.message();
    if (failure.code() == ErrorCode::Unauthorized)
        message = QString::fromLatin1(kUnauthorizedMessage);
    HttpResponse response =
        jsonResponse(httpStatusFor(failure.code()), wire::serializeError(failure.code(), message));
    if (failure.code() == ErrorCode::Unauthorized)
        response.addHeader("WWW-Authenticate", "Bearer realm=\"legba\"");
    if (failure.code() == ErrorCode::RateLimited)
        response.addHeader("Retry-After",
                           QByteArray::number(std::max(1, failure.retryAfterSeconds())));
    if (failure.code() == ErrorCode::MethodNotAllowed && !call.allow.isEmpty())
        response.addHeader("Allow", call.allow);
    return response;
}

HttpResponse Api::dispatch(Call& call) {
    const HttpRequest& req = call.request;
    if (req.body.size() > kMaxBodyBytes)
        throw ApiFailure(ErrorCode::PayloadTooLarge,
                         QStringLiteral("The request body exceeds 64 KiB"));
    // The public docs show nothing outside /orgs/.
    if (m_shape.publicRoutesOnly && !req.path.startsWith("/orgs/"))
        throw ApiFailure::noSuchRoute();
    if (req.path == "/healthz") {
        if (req.method != "GET" && req.method != "HEAD") {
            call.allow = "GET";
            throw ApiFailure::methodNotAllowed(QStringLiteral("Method not allowed on /healthz"));
        }
        return healthz(call);
    }
    const QList<QByteArray> segments = req.path.split('/');
    // "/orgs/{org}/..." splits into "", "orgs", org, ...: everything under /orgs/ needs a key.
    if (segments.size() >= 3 && segments[1] == "orgs") {
        return dispatchOrg(call, segments);
    }
    if (segments.size() == 4 && segments[1] == "sandbox" && segments[2] == "instances") {
        if (req.method != "GET" && req.method != "HEAD") {
            call.allow = "GET";
            throw ApiFailure::methodNotAllowed(QStringLiteral("Method not allowed"));
        }
        return instancePage(call, segments[3]);
    }
    throw ApiFailure::noSuchRoute();
}

HttpResponse Api::dispatchOrg(Call& call, const QList<QByteArray>& segments) {
    const QByteArray& org = segments[2];
    call.orgUuid = isUuid(org) ? QString::fromLatin1(org) : QString();
    authenticate(call, call.orgUuid);
    checkKeyRate(call);

    // The route in the audit event: the matched template, else the path as sent.
    if (segments.size() < 5 || segments[3] != "api") {
        call.route = sanitized(call.request.path, 256);
        throw ApiFailure::noSuchRoute();
    }
    const QList<QByteArray> rest = segments.mid(4);

    // Each route's path split into segments once, in the order of routeTable().
    static const std::vector<QList<QByteArray>> patterns = [] {
        std::vector<QList<QByteArray>> out;
        for (const Route& route : routeTable())
            out.push_back(QByteArray(route.path).mid(1).split('/'));
        return out;
    }();
    const Route* matched = nullptr;
    QList<QByteArray> allowed;
    QList<QByteArray> params;
    for (std::size_t r = 0; r < routeTable().size(); ++r) {
        const Route& route = routeTable()[r];
        const QList<QByteArray>& pattern = patterns[r];
        if (pattern.size() != rest.size() || (m_shape.publicRoutesOnly && !route.isPublic))
            continue;
        QList<QByteArray> found;
        bool ok = true;
        for (qsizetype i = 0; i < pattern.size() && ok; ++i) {
            if (pattern[i] == "{}")
                found.append(rest[i]);
            else
                ok = pattern[i] == rest[i];
        }
        if (!ok || (!found.isEmpty() && found.contains(QByteArray())))
            continue;
        allowed.append(route.method);
        call.route = QString::fromLatin1(route.pathTemplate);
        if (route.method == call.request.method) {
            matched = &route;
            params = found;
        }
    }
    if (!matched) {
        if (allowed.isEmpty()) {
            call.route = sanitized(call.request.path, 256);
            throw ApiFailure::noSuchRoute();
        }
        call.allow = allowed.join(", ");
        throw ApiFailure::methodNotAllowed(
            QStringLiteral("Method not allowed; use %1").arg(QString::fromLatin1(call.allow)));
    }
    call.params = params;
    call.route = QString::fromLatin1(matched->pathTemplate);
    if (matched->action)
        call.action = QString::fromLatin1(matched->action);
    if (matched->targetType && !params.isEmpty())
        call.target =
            AuditTarget{QString::fromLatin1(matched->targetType), sanitized(params.front(), 64)};
    if (matched->scope && !call.key->scopes.contains(wireName(*matched->scope)))
        throw ApiFailure::forbidden(wireName(*matched->scope));
    return (this->*(matched->handler))(call);
}

void Api::authenticate(Call& call, const QString& orgUuid) {
    const HttpRequest& req = call.request;
    const QByteArray header = req.header("authorization");
    QByteArray token;
    // RFC 7235: the scheme is case-insensitive; the contract asks for exactly one space.
    if (header.size() > 7 && header[6] == ' ' &&
        header.first(6).compare("bearer", Qt::CaseInsensitive) == 0)
        token = header.mid(7);
    if (token.contains(' ') || token.contains('\t'))
        token.clear();

    // Whatever was presented (nothing, a malformed token, an unknown, revoked, expired or
    // valid key) costs the same work before the verdict: one digest and one lookup, cached
    // for unknown digests as for known ones (CachedStore). A refusal's time then says
    // nothing about which kind it was. Secrets are never compared, only their digests, as
    // hash keys: matching a digest's first bytes teaches nothing about the key.
    std::optional<KeyRow> key = m_cache.keyByDigest(keyformat::digest(token));
    QString reason;
    if (token.isEmpty()) {
        reason = QStringLiteral("missing_or_malformed");
        key.reset();
    } else if (!m_shape.admitsToken(token)) {
        reason = QStringLiteral("malformed_key");
        key.reset();
    } else if (!key || key->orgUuid != orgUuid) {
        reason = QStringLiteral("unknown_key");
        key.reset();
    } else if (!key->usableAt(call.now)) {
        reason = key->toApiKey(call.now).status == KeyStatus::Expired
                     ? QStringLiteral("expired_key")
                     : QStringLiteral("revoked_key");
        key.reset();
    }
    if (key) {
        call.key = std::move(key);
        m_writer.noteUse(call.key->keyId, call.now);
        if (m_lastUse.size() > 100000)
            m_lastUse.clear(); // the database has all but the last batch's values
        m_lastUse.insert(call.key->keyId, call.now);
        return;
    }

    // Failed: limited per client address, recorded in the named organization's log.
    int status = 401;
    int retryAfter = 0;
    if (m_options.failedAuthPerMinute > 0) {
        std::deque<qint64>& failures = m_failedAuth[req.clientAddress];
        while (!failures.empty() && failures.front() <= call.now - kWindowMs)
            failures.pop_front();
        if (static_cast<int>(failures.size()) >= m_options.failedAuthPerMinute) {
            status = 429;
            retryAfter = static_cast<int>((failures.front() + kWindowMs - call.now + 999) / 1000);
        } else {
            failures.push_back(call.now);
        }
        if (m_failedAuth.size() > 10000) {
            for (auto it = m_failedAuth.begin(); it != m_failedAuth.end();) {
                if (it->empty() || it->back() <= call.now - kWindowMs)
                    it = m_failedAuth.erase(it);
                else
                    ++it;
            }
        }
    }
    const bool recorded = !orgUuid.isEmpty() && m_store.organizationExists(orgUuid);
    const QString suppressedKey = req.clientAddress + QLatin1Char('\n') + orgUuid;
    if (recorded) {
        // A count whose window closed goes in first, so the log keeps the order.
        const auto it = m_suppressed.find(suppressedKey);
        if (it != m_suppressed.end() && call.now - it->firstMs >= kWindowMs) {
            recordSuppressed(*it);
            m_suppressed.erase(it);
        }
    }
    if (recorded && status == 429) {
        Suppressed& s = m_suppressed[suppressedKey];
        if (s.count == 0) {
            s.orgUuid = orgUuid;
            s.ip = req.clientAddress;
            s.firstMs = call.now;
        }
        ++s.count;
        s.lastMs = call.now;
        if (m_suppressed.size() > 10000)
            recordSuppressedUpTo(call.now, true); // bounded memory: record early, not never
    } else if (recorded) {
        AuditRecord r;
        r.orgUuid = orgUuid;
        r.occurredAtMs = call.now;
        r.action = QStringLiteral("auth.failed");
        r.statusCode = status;
        r.ip = req.clientAddress;
        r.userAgent = sanitized(req.header("user-agent"), 256);
        r.requestId = call.requestId;
        Json noted{{"reason", wire::str(reason)}};
        const QString prefix = presentedPrefix(token);
        if (!prefix.isEmpty())
            noted["key_prefix"] = wire::str(prefix);
        r.detailsJson = detailsText(noted, req.method, sanitized(req.path, 256));
        m_writer.enqueue(std::move(r));
    }
    if (status == 429)
        throw ApiFailure(ErrorCode::RateLimited,
                         QStringLiteral("Too many failed authentications; retry later"),
                         retryAfter);
    throw ApiFailure(ErrorCode::Unauthorized, QString::fromLatin1(kUnauthorizedMessage));
}

void Api::checkKeyRate(Call& call) {
    const int limit = m_options.keyRequestsPerMinute;
    if (limit <= 0)
        return;
    Window& w = m_keyWindows[call.key->keyId];
    if (call.now - w.start >= kWindowMs) {
        w.start = call.now;
        w.count = 0;
    }
    const qint64 reset = (w.start + kWindowMs - call.now + 999) / 1000;
    if (w.count >= limit) {
        call.rate = std::array<qint64, 3>{limit, 0, reset};
        throw ApiFailure(ErrorCode::RateLimited,
                         QStringLiteral("This key exceeded %1 requests per minute").arg(limit),
                         static_cast<int>(reset));
    }
    ++w.count;
    call.rate = std::array<qint64, 3>{limit, limit - w.count, reset};
}

AuditRecord Api::record(const Call& call, int status) const {
    AuditRecord r;
    r.orgUuid = call.key->orgUuid;
    r.occurredAtMs = call.now;
    r.actor = AuditActor{call.key->keyId, call.key->name, call.key->prefix};
    r.action = call.action.isEmpty() ? QStringLiteral("api.request") : call.action;
    r.target = call.target;
    r.statusCode = status;
    r.ip = call.request.clientAddress;
    r.userAgent = sanitized(call.request.header("user-agent"), 256);
    r.requestId = call.requestId;
    r.detailsJson = detailsText(call.details, call.request.method, call.route);
    return r;
}

void Api::recordSuppressed(const Suppressed& s) {
    AuditRecord r;
    r.orgUuid = s.orgUuid;
    r.occurredAtMs = s.lastMs;
    r.action = QStringLiteral("auth.failed");
    r.statusCode = 429;
    r.ip = s.ip;
    const Json noted{
        {"reason", "rate_limited"},
        {"aggregated", s.count},
        {"window_seconds", kWindowMs / 1000},
        {"first_at", wire::str(rfc3339::formatMs(s.firstMs))},
        {"message",
         wire::str(QStringLiteral("%1 more failed attempts from %2").arg(s.count).arg(s.ip))}};
    r.detailsJson = wire::dump(noted);
    m_writer.enqueue(std::move(r));
}

void Api::recordSuppressedUpTo(qint64 now, bool all) {
    for (auto it = m_suppressed.begin(); it != m_suppressed.end();) {
        if (all || now - it->firstMs >= kWindowMs) {
            recordSuppressed(*it);
            it = m_suppressed.erase(it);
        } else {
            ++it;
        }
    }
}

void Api::flush(bool closing) {
    if (!m_store.db().isOpen())
        return;
    recordSuppressedUpTo(now(), closing);
    try {
        m_writer.flush();
    } catch (const DbError& error) {
        qCCritical(lcServer, "cannot write the audit events of reads: %s", error.what());
    }
}

template <typename Change> void Api::commitChange(Call& call, int status, Change&& change) {
    // The caller drops what its change makes stale from the caches (after the commit).
    m_writer.commit([&] {
        change();
        m_store.audit().append(record(call, status));
    });
    call.audited = true;
}

QString Api::accessUrlBase(const Call& call) const {
    const QByteArray host = call.request.header("host");
    bool ok = !host.isEmpty() && host.size() < 256;
    for (char c : host) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' ||
              c == '[' || c == ']'))
            ok = false;
    }
    if (!ok)
        return m_baseUrl;
    return (m_tls ? QStringLiteral("https://") : QStringLiteral("http://")) +
           QString::fromLatin1(host);
}

ApiKey Api::withPendingUse(const KeyRow& row, qint64 now) const {
    ApiKey key = row.toApiKey(now);
    const auto it = m_lastUse.constFind(row.keyId);
    if (it != m_lastUse.cend() && it.value() > row.lastUsedAt)
        key.lastUsedAt = timeFromStoredMs(it.value());
    return key;
}

// ---- unauthenticated routes ----

HttpResponse Api::healthz(Call&) {
    return jsonResponse(
        200, wire::serialize(Health{QStringLiteral("ok"), QStringLiteral(LEGBA_VERSION)}));
}

HttpResponse Api::instancePage(Call& call, const QByteArray& uuid) {
    if (!isInstanceId(uuid))
        throw ApiFailure::notFound(QStringLiteral("Instance not found"));
    const auto row = m_store.instanceAnyOrg(QString::fromLatin1(uuid));
    if (!row || row->statusAt(call.now) == InstanceStatus::Terminated)
        throw ApiFailure::notFound(QStringLiteral("Instance not found"));
    const Instance i = row->toInstance(call.now, accessUrlBase(call));
    HttpResponse response;
    response.addHeader("Content-Type", "text/html; charset=utf-8");
    response.body = QStringLiteral("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                                   "<title>Legba sandbox instance</title></head><body>"
                                   "<h1>Legba sandbox instance</h1><dl>"
                                   "<dt>Instance</dt><dd id=\"instance\">%1</dd>"
                                   "<dt>Image</dt><dd id=\"image\">%2</dd>"
                                   "<dt>Size</dt><dd id=\"size\">%3</dd>"
                                   "<dt>Status</dt><dd id=\"status\">%4</dd></dl>"
                                   "<p>This sandbox stands in for a remote browser session.</p>"
                                   "</body></html>\n")
                        .arg(i.instanceUuid.toHtmlEscaped(), i.image.toHtmlEscaped(),
                             wireName(i.size), wireName(i.status))
                        .toUtf8();
    return response;
}

// ---- keys ----

HttpResponse Api::getOwnKey(Call& call) {
    ApiKey key = call.key->toApiKey(call.now);
    key.lastUsedAt = timeFromStoredMs(call.now);
    return jsonResponse(200, m_shape.ownKey(key));
}

HttpResponse Api::rotateOwnKey(Call& call) {
    call.target = AuditTarget{QStringLiteral("api_key"), call.key->keyId};
    const KeyRow old = *call.key;
    return issueRotation(call, old, 0);
}

HttpResponse Api::listKeys(Call& call) {
    bool includeRevoked = false;
    if (call.request.query.hasQueryItem(QStringLiteral("include_revoked"))) {
        const QString value = call.request.query.queryItemValue(QStringLiteral("include_revoked"));
        if (value == QLatin1String("true"))
            includeRevoked = true;
        else if (value != QLatin1String("false"))
            throw ApiFailure::validation(QStringLiteral("include_revoked"),
                                         QStringLiteral("must be true or false"));
    }
    KeyList list;
    for (const KeyRow& row : m_store.keys(call.key->orgUuid)) {
        ApiKey key = withPendingUse(row, call.now);
        if (key.status == KeyStatus::Revoked && !includeRevoked)
            continue;
        list.keys.push_back(std::move(key));
    }
    list.total = static_cast<qint64>(list.keys.size());
    return jsonResponse(200, wire::serialize(list));
}

namespace {

// A name is shown in lists, dialogs and the audit log: a control character can break a line
// or a terminal, and a bidirectional override or isolate can make "txt.exe" read as
// "exe.txt". Returns the first one as "U+XXXX (what it is)", or nothing.
QString unsafeCharacterIn(const QString& name) {
    // The bidirectional formatting characters, U+202A..U+202E and U+2066..U+2069.
    static constexpr std::pair<char16_t, const char*> kBidi[] = {
        {0x202a, "a left-to-right embedding"},    {0x202b, "a right-to-left embedding"},
        {0x202c, "a pop directional formatting"}, {0x202d, "a left-to-right override"},
        {0x202e, "a right-to-left override"},     {0x2066, "a left-to-right isolate"},
        {0x2067, "a right-to-left isolate"},      {0x2068, "a first strong isolate"},
        {0x2069, "a pop directional isolate"}};
    for (const QChar c : name) {
        const char16_t u = c.unicode();
        const char* what = nullptr;
        if (u < 0x20 || (u >= 0x7f && u <= 0x9f))
            what = "a control character";
        for (const auto& [code, description] : kBidi) {
            if (u == code)
                what = description;
        }
        if (what)
            return QStringLiteral("U+%1 (%2)")
                .arg(QString::number(unsigned(u), 16).toUpper().rightJustified(4, QLatin1Char('0')),
                     QLatin1String(what));
    }
    return {};
}

} // namespace

HttpResponse Api::createKey(Call& call) {
    const Json body = bodyObject(call.request.body, false);
    NewKeyRequest wanted;
    wanted.name = requireStringField(body, "name").trimmed();
    if (!isValidKeyName(wanted.name))
        throw ApiFailure::validation(QStringLiteral("name"),
                                     QStringLiteral("must be 1 to 100 characters after trimming"));
    if (const QString unsafe = unsafeCharacterIn(wanted.name); !unsafe.isEmpty())
        throw ApiFailure::validation(QStringLiteral("name"), QStringLiteral("contains ") + unsafe);
    const Json* scopes = member(body, "scopes");
    if (!scopes || scopes->is_null())
        throw ApiFailure::validation(QStringLiteral("scopes"), QStringLiteral("is required"));
    if (!scopes->is_array() || scopes->empty())
        throw ApiFailure::validation(QStringLiteral("scopes"),
                                     QStringLiteral("must be a non-empty list of scopes"));
    for (std::size_t i = 0; i < scopes->size(); ++i) {
        const Json& scope = (*scopes)[i];
        const QString field = QStringLiteral("scopes[%1]").arg(i);
        if (!scope.is_string())
            throw ApiFailure::validation(field, QStringLiteral("must be a string"));
        const QString name = wire::qstr(scope.get_ref<const std::string&>());
        if (!scopeFromWireName(name))
            throw ApiFailure::validation(field, QStringLiteral("is not a known scope"));
        if (wanted.scopes.contains(name))
            throw ApiFailure::validation(field, QStringLiteral("repeats a scope"));
        wanted.scopes.append(name);
    }
    if (const Json* expires = member(body, "expires_at"); expires && !expires->is_null()) {
        if (!expires->is_string())
            throw ApiFailure::validation(QStringLiteral("expires_at"),
                                         QStringLiteral("must be an RFC 3339 time or null"));
        const auto parsed = rfc3339::parse(wire::qstr(expires->get_ref<const std::string&>()));
        if (!parsed)
            throw ApiFailure::validation(QStringLiteral("expires_at"),
                                         QStringLiteral("must be an RFC 3339 UTC time"));
        if (parsed->toMSecsSinceEpoch() <= call.now)
            throw ApiFailure::validation(QStringLiteral("expires_at"),
                                         QStringLiteral("must be in the future"));
        wanted.expiresAt = *parsed;
    }
    if (const QString lacking = missingScope(call.key->scopes, wanted.scopes); !lacking.isEmpty())
        throw ApiFailure::forbidden(lacking);

    Secret secret(m_shape.newKey());
    KeyRow row;
    row.keyId = keyformat::generateKeyId();
    row.orgUuid = call.key->orgUuid;
    row.name = wanted.name;
    row.prefix = keyformat::displayPrefix(secret.reveal());
    row.scopes = wanted.scopes;
    row.createdAt = call.now;
    row.expiresAt = wanted.expiresAt.isValid() ? wanted.expiresAt.toMSecsSinceEpoch() : 0;
    call.target = AuditTarget{QStringLiteral("api_key"), row.keyId};
    call.details["name"] = wire::str(row.name);
    call.details["scopes"] = Json(std::vector<std::string>());
    for (const QString& s : row.scopes)
        call.details["scopes"].push_back(wire::str(s));
    commitChange(call, 201, [&] { m_store.insertKey(row, keyformat::digest(secret.reveal())); });
    IssuedKey issued{row.toApiKey(call.now), secret, QString()};
    return jsonResponse(201, wire::serialize(issued));
}

KeyRow Api::requireKey(Call& call) {
    const QString id = QString::fromLatin1(call.params.front());
    if (!keyformat::isKeyId(id))
        throw ApiFailure::notFound(QStringLiteral("API key not found"));
    auto row = m_store.key(call.key->orgUuid, id);
    if (!row)
        throw ApiFailure::notFound(QStringLiteral("API key not found"));
    return *row;
}

HttpResponse Api::getKey(Call& call) {
    const KeyRow row = requireKey(call);
    return jsonResponse(200, wire::serialize(withPendingUse(row, call.now)));
}

HttpResponse Api::rotateKey(Call& call) {
    const KeyRow old = requireKey(call);
    const Json body = bodyObject(call.request.body, true);
    qint64 grace = 0;
    if (const Json* value = member(body, "grace_period_seconds"); value && !value->is_null()) {
        if (!value->is_number_integer())
            throw ApiFailure::validation(QStringLiteral("grace_period_seconds"),
                                         QStringLiteral("must be an integer"));
        if (value->is_number_unsigned()
                ? value->get<quint64>() > quint64(kMaxGraceSeconds)
                : (value->get<qint64>() < 0 || value->get<qint64>() > kMaxGraceSeconds))
            throw ApiFailure::validation(QStringLiteral("grace_period_seconds"),
                                         QStringLiteral("must be between 0 and 604800"));
        grace = value->get<qint64>();
    }
    if (const QString lacking = missingScope(call.key->scopes, old.scopes); !lacking.isEmpty())
        throw ApiFailure::forbidden(lacking);
    return issueRotation(call, old, grace);
}

HttpResponse Api::issueRotation(Call& call, const KeyRow& old, qint64 graceSeconds) {
    if (old.revokedAt != 0 || !old.rotatedTo.isEmpty() || !old.usableAt(call.now))
        throw ApiFailure(ErrorCode::Conflict,
                         QStringLiteral("Only an active key can be rotated; this one is %1")
                             .arg(old.revokedAt != 0 && old.revokedAt > call.now
                                      ? QStringLiteral("already rotated")
                                      : wireName(old.toApiKey(call.now).status)));
    Secret secret(m_shape.newKey());
    KeyRow row;
    row.keyId = keyformat::generateKeyId();
    row.orgUuid = old.orgUuid;
    row.name = old.name;
    row.prefix = keyformat::displayPrefix(secret.reveal());
    row.scopes = old.scopes;
    row.createdAt = call.now;
    row.expiresAt = old.expiresAt;
    const qint64 revokedAt = call.now + graceSeconds * 1000;
    call.details["new_key_id"] = wire::str(row.keyId);
    call.details["grace_period_seconds"] = graceSeconds;
    commitChange(call, 200, [&] {
        m_store.insertKey(row, keyformat::digest(secret.reveal()));
        m_store.setRevoked(old.keyId, revokedAt, row.keyId);
    });
    IssuedKey issued{row.toApiKey(call.now), secret, old.keyId};
    return jsonResponse(200, m_shape.rotation(issued));
}

HttpResponse Api::revokeKey(Call& call) {
    const KeyRow row = requireKey(call);
    const bool alreadyRevoked = row.revokedAt != 0 && row.revokedAt <= call.now;
    call.details["already_revoked"] = alreadyRevoked;
    commitChange(call, 204, [&] {
        if (!alreadyRevoked)
            m_store.setRevoked(row.keyId, call.now);
    });
    return noContent();
}

// ---- instances ----

HttpResponse Api::listInstances(Call& call) {
    InstanceList list;
    const QString base = accessUrlBase(call);
    for (const InstanceRow& row : m_cache.liveInstances(call.key->orgUuid, call.now)) {
        if (row.statusAt(call.now) != InstanceStatus::Terminated)
            list.instances.push_back(row.toInstance(call.now, base));
    }
    list.total = static_cast<qint64>(list.instances.size());
    return jsonResponse(200, wire::serialize(list));
}

HttpResponse Api::createInstance(Call& call) {
    const Json body = bodyObject(call.request.body, false);
    const QString image = requireStringField(body, "image");
    if (!kImages.contains(image))
        throw ApiFailure::validation(
            QStringLiteral("image"),
            QStringLiteral("must be one of %1").arg(kImages.join(QStringLiteral(", "))));
    const QString size = requireStringField(body, "size");
    if (!instanceSizeFromWireName(size))
        throw ApiFailure::validation(QStringLiteral("size"),
                                     QStringLiteral("must be one of small, medium, large"));
    call.details["image"] = wire::str(image);
    call.details["size"] = wire::str(size);
    const int notDeleted = m_cache.notDeletedInstances(call.key->orgUuid, call.now);
    if (notDeleted >= m_options.instanceQuota)
        throw ApiFailure(ErrorCode::Conflict,
                         QStringLiteral("The organization's quota of %1 live instances is reached")
                             .arg(m_options.instanceQuota));
    InstanceRow row;
    row.instanceUuid = m_shape.newInstanceId();
    row.orgUuid = call.key->orgUuid;
    row.image = image;
    row.size = size;
    row.createdAt = call.now;
    row.readyAt = call.now + m_options.provisioningDelay.count();
    call.target = AuditTarget{QStringLiteral("instance"), row.instanceUuid};
    commitChange(call, 201, [&] { m_store.insertInstance(row); });
    m_cache.instanceCreated(row.orgUuid, notDeleted + 1);
    return jsonResponse(201, wire::serialize(row.toInstance(call.now, accessUrlBase(call))));
}

InstanceRow Api::requireInstance(Call& call) {
    const QByteArray& uuid = call.params.front();
    if (!isInstanceId(uuid))
        throw ApiFailure::notFound(QStringLiteral("Instance not found"));
    auto row = m_store.instance(call.key->orgUuid, QString::fromLatin1(uuid));
    if (!row || row->statusAt(call.now) == InstanceStatus::Terminated)
        throw ApiFailure::notFound(QStringLiteral("Instance not found"));
    return *row;
}

HttpResponse Api::getInstance(Call& call) {
    const InstanceRow row = requireInstance(call);
    return jsonResponse(200, wire::serialize(row.toInstance(call.now, accessUrlBase(call))));
}

HttpResponse Api::deleteInstance(Call& call) {
    InstanceRow row = requireInstance(call);
    const bool alreadyTerminating = row.deletedAt != 0;
    call.details["already_terminating"] = alreadyTerminating;
    if (!alreadyTerminating) {
        row.deletedAt = call.now;
        row.terminatedAt = call.now + m_options.terminationDelay.count();
    }
    const int status = m_shape.deleteAnswersInstance ? 200 : 204;
    commitChange(call, status, [&] {
        if (!alreadyTerminating)
            m_store.markDeleted(row.instanceUuid, row.deletedAt, row.terminatedAt);
    });
    m_cache.instancesChanged(row.orgUuid);
    if (!m_shape.deleteAnswersInstance)
        return noContent();
    return jsonResponse(200, wire::serialize(row.toInstance(call.now, accessUrlBase(call))));
}

// ---- audit log ----

HttpResponse Api::auditLog(Call& call) {
    const QUrlQuery& q = call.request.query;
    AuditQuery query;
    const auto text = [&](const char* name) {
        return q.queryItemValue(QString::fromLatin1(name), QUrl::FullyDecoded);
    };
    const auto has = [&](const char* name) {
        return q.hasQueryItem(QString::fromLatin1(name));
    };
    if (has("limit")) {
        bool ok = false;
        const int limit = text("limit").toInt(&ok);
        if (!ok || limit < 1 || limit > kMaxAuditLimit)
            throw ApiFailure::validation(QStringLiteral("limit"),
                                         QStringLiteral("must be an integer from 1 to 1000"));
        query.limit = limit;
    }
    if (has("cursor"))
        query.cursor = text("cursor");
    if (has("cursor") && query.cursor.isEmpty())
        throw ApiFailure::validation(QStringLiteral("cursor"), QStringLiteral("is empty"));
    for (const char* name : {"since", "until"}) {
        if (!has(name))
            continue;
        const auto time = rfc3339::parse(text(name));
        if (!time)
            throw ApiFailure::validation(QString::fromLatin1(name),
                                         QStringLiteral("must be an RFC 3339 UTC time"));
        (qstrcmp(name, "since") == 0 ? query.since : query.until) = *time;
    }
    if (has("actor_key_id")) {
        query.actorKeyId = text("actor_key_id");
        if (!keyformat::isKeyId(query.actorKeyId))
            throw ApiFailure::validation(QStringLiteral("actor_key_id"),
                                         QStringLiteral("is not a key id"));
    }
    if (has("action")) {
        query.action = text("action");
        if (query.action.isEmpty() || query.action.size() > 100)
            throw ApiFailure::validation(QStringLiteral("action"),
                                         QStringLiteral("must be 1 to 100 characters"));
    }
    if (has("outcome")) {
        const QString outcome = text("outcome");
        if (outcome == QLatin1String("success"))
            query.success = true;
        else if (outcome == QLatin1String("failure"))
            query.success = false;
        else
            throw ApiFailure::validation(QStringLiteral("outcome"),
                                         QStringLiteral("must be success or failure"));
    }
    // The caller sees every request answered before this one.
    flush();
    const AuditPage page = m_store.audit().page(call.key->orgUuid, query);
    return jsonResponse(200, wire::serialize(page));
}

} // namespace legba::server
