#include "Api.h"

#include "ApiFailure.h"
#include "ApiShape.h"
#include "Database.h"
#include "Handlers.h"
#include "Json.h"
#include "Logging.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <utility>

namespace legba::server {

namespace wire = legba::json;

namespace {

constexpr qint64 kMaxBodyBytes = qint64{64} * 1024;

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

HttpResponse healthz() {
    return jsonResponse(
        200, wire::serialize(Health{QStringLiteral("ok"), QStringLiteral(LEGBA_VERSION)}));
}

} // namespace

Api::Api(Store& store, ServerOptions options)
    : m_options(std::move(options))
    , m_shape(ApiShape::of(m_options))
    , m_writer(store)
    , m_cache(store)
    , m_auth(store, m_cache, m_writer, m_options, m_shape)
    , m_context{store, m_cache, m_writer, m_auth, m_options, m_shape, QString(), false} {}

Api::~Api() = default;

qint64 Api::now() const {
    return m_options.clock ? m_options.clock() : QDateTime::currentMSecsSinceEpoch();
}

void Api::setBaseUrl(const QString& baseUrl, bool tls) {
    m_context.baseUrl = baseUrl;
    m_context.tls = tls;
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
        m_writer.enqueue(auditRecord(call, response.status));
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
        return healthz();
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
        return handlers::instancePage(call, m_context, segments[3]);
    }
    throw ApiFailure::noSuchRoute();
}

HttpResponse Api::dispatchOrg(Call& call, const QList<QByteArray>& segments) {
    const QByteArray& org = segments[2];
    call.orgUuid = isUuid(org) ? QString::fromLatin1(org) : QString();
    // Authentication comes before the route: an unknown path or method tells a caller
    // without a key nothing.
    m_auth.authenticate(call);
    m_auth.checkKeyRate(call);
    const Router::Route& route = Router::match(call, segments, m_shape.publicRoutesOnly);
    if (const auto scope = route.api().scope; scope && !call.key->scopes.contains(wireName(*scope)))
        throw ApiFailure::forbidden(wireName(*scope));
    return route.handler(call, m_context);
}

void Api::flush(bool closing) {
    m_context.flushAudit(now(), closing);
}

} // namespace legba::server
