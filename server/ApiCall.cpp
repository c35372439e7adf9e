#include "ApiCall.h"

#include "ApiFailure.h"
#include "ApiShape.h"
#include "Authenticator.h"
#include "Json.h"
#include "JsonWriter.h"
#include "Logging.h"

#include <QUuid>
#include <cctype>

namespace legba::server {

using Json = nlohmann::json;
namespace wire = legba::json;

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

bool isUuid(QByteArrayView text) {
    return text.size() == 36 && !QUuid::fromString(QLatin1StringView(text)).isNull();
}

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

AuditRecord auditRecord(const Call& call, int status) {
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

void ApiContext::flushAudit(qint64 now, bool closing) {
    if (!store.db().isOpen())
        return;
    auth.recordSuppressedUpTo(now, closing);
    try {
        writer.flush();
    } catch (const DbError& error) {
        qCCritical(lcServer, "cannot write the audit events of reads: %s", error.what());
    }
}

QString ApiContext::accessUrlBase(const Call& call) const {
    const QByteArray host = call.request.header("host");
    bool ok = !host.isEmpty() && host.size() < 256;
    for (char c : host) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' ||
              c == '[' || c == ']'))
            ok = false;
    }
    if (!ok)
        return baseUrl;
    return (tls ? QStringLiteral("https://") : QStringLiteral("http://")) +
           QString::fromLatin1(host);
}

ApiKey ApiContext::withPendingUse(const KeyRow& row, qint64 now) const {
    ApiKey key = row.toApiKey(now);
    if (const qint64 used = auth.lastUse(row.keyId); used > row.lastUsedAt)
        key.lastUsedAt = timeFromStoredMs(used);
    return key;
}

} // namespace legba::server
