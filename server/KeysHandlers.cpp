#include "ApiFailure.h"
#include "ApiShape.h"
#include "Handlers.h"
#include "Json.h"
#include "KeyFormat.h"
#include "Rfc3339.h"
#include "Scope.h"

// The routes of API keys: the caller's own key, and the organization's keys.
namespace legba::server::handlers {

using Json = nlohmann::json;
namespace wire = legba::json;

namespace {

constexpr qint64 kMaxGraceSeconds = 604800;

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

KeyRow requireKey(Call& call, ApiContext& ctx) {
    const QString id = QString::fromLatin1(call.params.front());
    if (!keyformat::isKeyId(id))
        throw ApiFailure::notFound(QStringLiteral("API key not found"));
    auto row = ctx.store.key(call.key->orgUuid, id);
    if (!row)
        throw ApiFailure::notFound(QStringLiteral("API key not found"));
    return *row;
}

HttpResponse issueRotation(Call& call, ApiContext& ctx, const KeyRow& old, qint64 graceSeconds) {
    if (old.revokedAt != 0 || !old.rotatedTo.isEmpty() || !old.usableAt(call.now))
        throw ApiFailure(ErrorCode::Conflict,
                         QStringLiteral("Only an active key can be rotated; this one is %1")
                             .arg(old.revokedAt != 0 && old.revokedAt > call.now
                                      ? QStringLiteral("already rotated")
                                      : wireName(old.toApiKey(call.now).status)));
    Secret secret(ctx.shape.newKey());
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
    ctx.commitChange(call, 200, [&] {
        ctx.store.insertKey(row, keyformat::digest(secret.reveal()));
        ctx.store.setRevoked(old.keyId, revokedAt, row.keyId);
    });
    IssuedKey issued{row.toApiKey(call.now), secret, old.keyId};
    return jsonResponse(200, ctx.shape.rotation(issued));
}

} // namespace

HttpResponse getOwnKey(Call& call, ApiContext& ctx) {
    ApiKey key = call.key->toApiKey(call.now);
    key.lastUsedAt = timeFromStoredMs(call.now);
    return jsonResponse(200, ctx.shape.ownKey(key));
}

HttpResponse rotateOwnKey(Call& call, ApiContext& ctx) {
    call.target = AuditTarget{QStringLiteral("api_key"), call.key->keyId};
    const KeyRow old = *call.key;
    return issueRotation(call, ctx, old, 0);
}

HttpResponse listKeys(Call& call, ApiContext& ctx) {
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
    for (const KeyRow& row : ctx.store.keys(call.key->orgUuid)) {
        ApiKey key = ctx.withPendingUse(row, call.now);
        if (key.status == KeyStatus::Revoked && !includeRevoked)
            continue;
        list.keys.push_back(std::move(key));
    }
    list.total = static_cast<qint64>(list.keys.size());
    return jsonResponse(200, wire::serialize(list));
}

HttpResponse createKey(Call& call, ApiContext& ctx) {
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

    Secret secret(ctx.shape.newKey());
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
    ctx.commitChange(call, 201,
                     [&] { ctx.store.insertKey(row, keyformat::digest(secret.reveal())); });
    IssuedKey issued{row.toApiKey(call.now), secret, QString()};
    return jsonResponse(201, wire::serialize(issued));
}

HttpResponse getKey(Call& call, ApiContext& ctx) {
    const KeyRow row = requireKey(call, ctx);
    return jsonResponse(200, wire::serialize(ctx.withPendingUse(row, call.now)));
}

HttpResponse rotateKey(Call& call, ApiContext& ctx) {
    const KeyRow old = requireKey(call, ctx);
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
    return issueRotation(call, ctx, old, grace);
}

HttpResponse revokeKey(Call& call, ApiContext& ctx) {
    const KeyRow row = requireKey(call, ctx);
    const bool alreadyRevoked = row.revokedAt != 0 && row.revokedAt <= call.now;
    call.details["already_revoked"] = alreadyRevoked;
    ctx.commitChange(call, 204, [&] {
        if (!alreadyRevoked)
            ctx.store.setRevoked(row.keyId, call.now);
    });
    return noContent();
}

} // namespace legba::server::handlers
