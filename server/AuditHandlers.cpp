#include "ApiFailure.h"
#include "Handlers.h"
#include "Json.h"
#include "KeyFormat.h"
#include "Rfc3339.h"

// The audit log's one route.
namespace legba::server::handlers {

namespace wire = legba::json;

namespace {

constexpr int kMaxAuditLimit = 1000;

} // namespace

HttpResponse auditLog(Call& call, ApiContext& ctx) {
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
    ctx.flushAudit(call.now, false);
    const AuditPage page = ctx.store.audit().page(call.key->orgUuid, query);
    return jsonResponse(200, wire::serialize(page));
}

} // namespace legba::server::handlers
