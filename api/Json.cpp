#include "Json.h"

#include "JsonWriter.h"
#include "KeyFormat.h"
#include "Rfc3339.h"

namespace legba::json {

using nlohmann::json;

QString tooDeepProblem() {
    return QStringLiteral("is nested more than %1 levels deep").arg(kMaxDepth);
}

namespace {

QString join(const QString& path, const char* field) {
    return path.isEmpty() ? QString::fromLatin1(field)
                          : path + QLatin1Char('.') + QLatin1String(field);
}

QString indexed(const char* field, std::size_t index) {
    return QString::fromLatin1(field) + QLatin1Char('[') + QString::number(index) +
           QLatin1Char(']');
}

const json* member(const json& object, const char* field) {
    const auto it = object.find(field);
    return it == object.end() ? nullptr : &*it;
}

const json& requiredMember(const json& object, const char* field, const QString& path) {
    const json* value = member(object, field);
    if (!value)
        throw ParseError(join(path, field), QStringLiteral("is missing"));
    return *value;
}

QDateTime timeFrom(const json& value, const QString& where) {
    if (!value.is_string())
        throw ParseError(where, QStringLiteral("is not an RFC 3339 time string"));
    // Servers promise RFC 3339; ours writes one form of it, a hosted one may write another.
    const auto parsed = rfc3339::parseAny(qstr(value.get_ref<const std::string&>()));
    if (!parsed)
        throw ParseError(where, QStringLiteral("is not an RFC 3339 time"));
    return *parsed;
}

qint64 requiredInteger(const json& object, const char* field, const QString& path) {
    const json& value = requiredMember(object, field, path);
    if (!value.is_number_integer())
        throw ParseError(join(path, field), QStringLiteral("is not an integer"));
    return value.get<qint64>();
}

const json& requiredArray(const json& object, const char* field, const QString& path) {
    const json& value = requiredMember(object, field, path);
    if (!value.is_array())
        throw ParseError(join(path, field), QStringLiteral("is not an array"));
    return value;
}

// The list's elements that read, and what was wrong with those that did not: a live API
// may send one element this client cannot read, and that must not hide all the others.
template <typename Item>
std::vector<Item> tolerantList(const json& array, const char* field,
                               Item (*read)(const json&, const QString&),
                               std::vector<UnreadableItem>& unreadable) {
    std::vector<Item> items;
    items.reserve(array.size());
    for (std::size_t i = 0; i < array.size(); ++i) {
        try {
            items.push_back(read(array[i], indexed(field, i)));
        } catch (const ParseError& error) {
            unreadable.push_back(UnreadableItem{error.field(), error.problem()});
        }
    }
    return items;
}

// "total" is the server's count; a server that leaves it out is taken at its list's word.
qint64 totalOr(const json& object, qint64 fallback) {
    const json* value = member(object, "total");
    if (!value || value->is_null())
        return fallback;
    if (!value->is_number_integer())
        throw ParseError(QStringLiteral("total"), QStringLiteral("is not an integer"));
    return value->get<qint64>();
}

QStringList stringArray(const json& object, const char* field, const QString& path) {
    const json& array = requiredArray(object, field, path);
    QStringList strings;
    strings.reserve(static_cast<qsizetype>(array.size()));
    for (std::size_t i = 0; i < array.size(); ++i) {
        if (!array[i].is_string())
            throw ParseError(join(path, field) + QLatin1Char('[') + QString::number(i) +
                                 QLatin1Char(']'),
                             QStringLiteral("is not a string"));
        strings.append(qstr(array[i].get_ref<const std::string&>()));
    }
    return strings;
}

// What the DOM parser would let through: nesting deep enough to overflow the stack later,
// and a raw NUL, which is never valid JSON but which nlohmann's lexer takes for the end of
// the input. One linear pass, far cheaper than the parse itself.
std::optional<QString> lexicalProblem(QByteArrayView text) {
    int depth = 0;
    bool inString = false;
    bool escaped = false;
    for (const char c : text) {
        if (c == '\0')
            return QStringLiteral("is not valid JSON (it contains a NUL byte)");
        if (inString) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                inString = false;
        } else if (c == '"') {
            inString = true;
        } else if (c == '[' || c == '{') {
            if (++depth > kMaxDepth)
                return tooDeepProblem();
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return std::nullopt;
}

} // namespace

ParseError::ParseError(QString field, QString problem)
    : std::runtime_error("malformed JSON body")
    , m_field(std::move(field))
    , m_problem(std::move(problem)) {}

json parse(QByteArrayView body) {
    if (const auto problem = lexicalProblem(body))
        throw ParseError(QString(), *problem);
    json value = json::parse(body.begin(), body.end(), nullptr, false);
    if (value.is_discarded())
        throw ParseError(QString(), QStringLiteral("is not valid JSON"));
    return value;
}

QByteArray dump(const json& value) {
    const std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
    return QByteArray(text.data(), static_cast<qsizetype>(text.size()));
}

const json& requiredObject(const json& value, const QString& path) {
    if (!value.is_object())
        throw ParseError(path.isEmpty() ? QStringLiteral("(body)") : path,
                         QStringLiteral("is not an object"));
    return value;
}

QString requiredString(const json& object, const char* field, const QString& path) {
    const json& value = requiredMember(object, field, path);
    if (!value.is_string())
        throw ParseError(join(path, field), QStringLiteral("is not a string"));
    return qstr(value.get_ref<const std::string&>());
}

std::optional<QString> optionalString(const json& object, const char* field, const QString& path) {
    const json* value = member(object, field);
    if (!value || value->is_null())
        return std::nullopt;
    if (!value->is_string())
        throw ParseError(join(path, field), QStringLiteral("is not a string"));
    return qstr(value->get_ref<const std::string&>());
}

QDateTime requiredTime(const json& object, const char* field, const QString& path) {
    return timeFrom(requiredMember(object, field, path), join(path, field));
}

QDateTime nullableTime(const json& object, const char* field, const QString& path) {
    const json* value = member(object, field);
    if (!value || value->is_null())
        return {};
    return timeFrom(*value, join(path, field));
}

ApiKey apiKeyFromJson(const json& object, const QString& path) {
    requiredObject(object, path);
    ApiKey key;
    key.keyId = requiredString(object, "key_id", path);
    key.name = requiredString(object, "name", path);
    // The public GET /key documents only some fields; the dashboard ones may be absent there.
    key.prefix = optionalString(object, "prefix", path).value_or(QString());
    key.scopes = stringArray(object, "scopes", path);
    key.createdAt = requiredTime(object, "created_at", path);
    key.expiresAt = nullableTime(object, "expires_at", path);
    key.lastUsedAt = nullableTime(object, "last_used_at", path);
    key.revokedAt = nullableTime(object, "revoked_at", path);
    if (const auto status = optionalString(object, "status", path))
        key.status = OpenEnum<KeyStatus>::fromWire(*status);
    return key;
}

KeyList keyListFromJson(const json& object) {
    requiredObject(object);
    KeyList list;
    list.keys =
        tolerantList(requiredArray(object, "keys", {}), "keys", &apiKeyFromJson, list.unreadable);
    list.total = totalOr(object, static_cast<qint64>(list.keys.size()));
    return list;
}

namespace {

// What a person or a server could mean by a key: a token that fits in an Authorization
// header. Anything else is no key at all, whatever the member is called.
std::optional<Secret> usableSecret(const json& object) {
    const json* value = member(object, "key");
    if (!value || !value->is_string())
        return std::nullopt;
    const std::string& text = value->get_ref<const std::string&>();
    if (!keyformat::checkToken(QString::fromStdString(text)).usable())
        return std::nullopt;
    return Secret(QByteArray(text.data(), static_cast<qsizetype>(text.size())));
}

// Each part of an issued key's record that the answer gives; the first malformed part
// stops the reading and is reported, what was read before it stays.
void readIssuedRecord(const json& object, IssuedKey& issued) {
    ApiKey& key = issued.record;
    key.prefix = keyformat::displayPrefix(issued.secret.reveal());
    if (auto keyId = optionalString(object, "key_id"))
        key.keyId = *keyId;
    if (auto created = nullableTime(object, "created_at"); created.isValid())
        key.createdAt = created;
    if (auto name = optionalString(object, "name"))
        key.name = *name;
    if (auto prefix = optionalString(object, "prefix"))
        key.prefix = *prefix;
    if (const json* scopes = member(object, "scopes"); scopes && !scopes->is_null())
        key.scopes = stringArray(object, "scopes", {});
    key.expiresAt = nullableTime(object, "expires_at");
    key.lastUsedAt = nullableTime(object, "last_used_at");
    key.revokedAt = nullableTime(object, "revoked_at");
    if (const auto status = optionalString(object, "status"))
        key.status = OpenEnum<KeyStatus>::fromWire(*status);
    issued.rotatedFrom = optionalString(object, "rotated_from").value_or(QString());
}

} // namespace

IssuedKey issuedKeyFromJson(const json& object) {
    // The secret first, before anything else in the answer is judged: a server that
    // rotated a key has already invalidated the old one, so a malformed date beside the
    // new key must not cost the organization its only working key.
    requiredObject(object);
    IssuedKey issued;
    if (auto secret = usableSecret(object)) {
        issued.secret = std::move(*secret);
    } else {
        const json* value = member(object, "key");
        throw ParseError(QStringLiteral("key"), !value ? QStringLiteral("is missing")
                                                : !value->is_string()
                                                    ? QStringLiteral("is not a string")
                                                    : QStringLiteral("is not a usable API key"));
    }
    try {
        readIssuedRecord(object, issued);
    } catch (const ParseError& error) {
        issued.recordProblem = QStringLiteral("field '%1' %2").arg(error.field(), error.problem());
    }
    return issued;
}

Instance instanceFromJson(const json& object, const QString& path) {
    requiredObject(object, path);
    Instance instance;
    instance.instanceUuid = requiredString(object, "instance_uuid", path);
    instance.status = OpenEnum<InstanceStatus>::fromWire(requiredString(object, "status", path));
    instance.image = requiredString(object, "image", path);
    instance.size = OpenEnum<InstanceSize>::fromWire(requiredString(object, "size", path));
    instance.createdAt = requiredTime(object, "created_at", path);
    instance.accessUrl = optionalString(object, "access_url", path).value_or(QString());
    return instance;
}

InstanceList instanceListFromJson(const json& object) {
    requiredObject(object);
    InstanceList list;
    list.instances = tolerantList(requiredArray(object, "instances", {}), "instances",
                                  &instanceFromJson, list.unreadable);
    list.total = totalOr(object, static_cast<qint64>(list.instances.size()));
    return list;
}

AuditEvent auditEventFromJson(const json& object, const QString& path) {
    requiredObject(object, path);
    AuditEvent event;
    event.eventId = requiredString(object, "event_id", path);
    event.occurredAt = requiredTime(object, "occurred_at", path);
    if (const json* actor = member(object, "actor"); actor && !actor->is_null()) {
        const QString actorPath = join(path, "actor");
        requiredObject(*actor, actorPath);
        event.actor = AuditActor{requiredString(*actor, "key_id", actorPath),
                                 requiredString(*actor, "name", actorPath),
                                 requiredString(*actor, "prefix", actorPath)};
    }
    event.action = requiredString(object, "action", path);
    if (const json* target = member(object, "target"); target && !target->is_null()) {
        const QString targetPath = join(path, "target");
        requiredObject(*target, targetPath);
        event.target = AuditTarget{requiredString(*target, "type", targetPath),
                                   requiredString(*target, "id", targetPath)};
    }
    event.outcome = OpenEnum<AuditOutcome>::fromWire(requiredString(object, "outcome", path));
    const qint64 status = requiredInteger(object, "status_code", path);
    if (status < 0 || status > 999)
        throw ParseError(join(path, "status_code"), QStringLiteral("is not an HTTP status code"));
    event.statusCode = static_cast<int>(status);
    event.ip = optionalString(object, "ip", path).value_or(QString());
    event.userAgent = optionalString(object, "user_agent", path).value_or(QString());
    event.requestId = optionalString(object, "request_id", path).value_or(QString());
    if (const json* details = member(object, "details"); details && !details->is_null()) {
        if (!details->is_object())
            throw ParseError(join(path, "details"), QStringLiteral("is not an object"));
        event.detailsJson = dump(*details);
    }
    return event;
}

AuditPage auditPageFromJson(const json& object) {
    requiredObject(object);
    AuditPage page;
    page.events = tolerantList(requiredArray(object, "events", {}), "events", &auditEventFromJson,
                               page.unreadable);
    page.nextCursor = optionalString(object, "next_cursor").value_or(QString());
    return page;
}

Health healthFromJson(const json& object) {
    requiredObject(object);
    return Health{requiredString(object, "status"),
                  optionalString(object, "version").value_or(QString())};
}

ErrorBody errorBodyFromJson(QByteArrayView body) {
    const json value = json::parse(body.begin(), body.end(), nullptr, false);
    if (!value.is_object())
        return {};
    const auto it = value.find("error");
    if (it == value.end() || !it->is_object())
        return {};
    ErrorBody error;
    if (const auto code = it->find("code"); code != it->end() && code->is_string())
        error.code = qstr(code->get_ref<const std::string&>());
    if (const auto message = it->find("message"); message != it->end() && message->is_string())
        error.message = qstr(message->get_ref<const std::string&>());
    return error;
}

namespace {

// The stored text of an event's details when it is one well-formed JSON object; otherwise
// empty, and the event goes out with {}.
QByteArrayView objectText(QByteArrayView text) {
    const QByteArrayView trimmed = text.trimmed();
    if (!trimmed.startsWith('{') || lexicalProblem(trimmed) ||
        !json::accept(trimmed.begin(), trimmed.end()))
        return {};
    return trimmed;
}

void write(Writer& w, const QStringList& strings) {
    w.beginArray();
    for (const QString& s : strings)
        w.string(s);
    w.endArray();
}

void writeMembers(Writer& w, const ApiKey& key) {
    w.key("key_id").string(key.keyId);
    w.key("name").string(key.name);
    w.key("prefix").string(key.prefix);
    w.key("scopes");
    write(w, key.scopes);
    w.key("created_at").time(key.createdAt);
    w.key("expires_at").time(key.expiresAt);
    w.key("last_used_at").time(key.lastUsedAt);
    w.key("revoked_at").time(key.revokedAt);
    w.key("status").string(wireName(key.status));
}

void write(Writer& w, const ApiKey& key) {
    w.beginObject();
    writeMembers(w, key);
    w.endObject();
}

void write(Writer& w, const Instance& instance) {
    w.beginObject();
    w.key("instance_uuid").string(instance.instanceUuid);
    w.key("status").string(wireName(instance.status));
    w.key("image").string(instance.image);
    w.key("size").string(wireName(instance.size));
    w.key("created_at").time(instance.createdAt);
    w.key("access_url").string(instance.accessUrl);
    w.endObject();
}

void write(Writer& w, const AuditEvent& event) {
    w.beginObject();
    w.key("event_id").string(event.eventId);
    w.key("occurred_at").time(event.occurredAt);
    w.key("actor");
    if (event.actor) {
        w.beginObject();
        w.key("key_id").string(event.actor->keyId);
        w.key("name").string(event.actor->name);
        w.key("prefix").string(event.actor->prefix);
        w.endObject();
    } else {
        w.null();
    }
    w.key("action").string(event.action);
    w.key("target");
    if (event.target) {
        w.beginObject();
        w.key("type").string(event.target->type);
        w.key("id").string(event.target->id);
        w.endObject();
    } else {
        w.null();
    }
    w.key("outcome").string(wireName(event.outcome));
    w.key("status_code").number(event.statusCode);
    w.key("ip").string(event.ip);
    w.key("user_agent").string(event.userAgent);
    w.key("request_id").string(event.requestId);
    // Details are stored as text; only a well-formed object goes out as it is.
    const QByteArrayView details = objectText(event.detailsJson);
    w.key("details").raw(details.isEmpty() ? QByteArrayView("{}") : details);
    w.endObject();
}

// {"<name>": [items...], "total": n}: the shape of the key and instance lists.
template <typename Item>
QByteArray listText(std::string_view name, const std::vector<Item>& items, qint64 total) {
    Writer w;
    w.beginObject().key(name).beginArray();
    for (const Item& item : items)
        write(w, item);
    w.endArray().key("total").number(total).endObject();
    return w.text();
}

template <typename Value> QByteArray written(const Value& value) {
    Writer w;
    write(w, value);
    return w.text();
}

} // namespace

QByteArray serialize(const ApiKey& key) {
    return written(key);
}

QByteArray serialize(const IssuedKey& key) {
    Writer w;
    w.beginObject();
    writeMembers(w, key.record);
    const QByteArray& secret = key.secret.reveal();
    w.key("key").string(
        std::string_view(secret.constData(), static_cast<std::size_t>(secret.size())));
    if (!key.rotatedFrom.isEmpty())
        w.key("rotated_from").string(key.rotatedFrom);
    w.endObject();
    return w.text();
}

QByteArray serialize(const KeyList& list) {
    return listText("keys", list.keys, list.total);
}

QByteArray serialize(const Instance& instance) {
    return written(instance);
}

QByteArray serialize(const InstanceList& list) {
    return listText("instances", list.instances, list.total);
}

QByteArray serialize(const AuditEvent& event) {
    return written(event);
}

QByteArray serialize(const AuditPage& page) {
    Writer w;
    w.beginObject().key("events").beginArray();
    for (const AuditEvent& event : page.events)
        write(w, event);
    w.endArray().key("next_cursor");
    if (page.nextCursor.isEmpty())
        w.null();
    else
        w.string(page.nextCursor);
    w.endObject();
    return w.text();
}

QByteArray serialize(const Health& health) {
    Writer w;
    w.beginObject();
    w.key("status").string(health.status);
    w.key("version").string(health.version);
    w.endObject();
    return w.text();
}

QByteArray serialize(const NewKeyRequest& request) {
    Writer w;
    w.beginObject();
    w.key("name").string(request.name);
    w.key("scopes");
    write(w, request.scopes);
    w.key("expires_at").time(request.expiresAt);
    w.endObject();
    return w.text();
}

QByteArray serialize(const NewInstanceRequest& request) {
    Writer w;
    w.beginObject();
    w.key("image").string(request.image);
    w.key("size").string(wireName(request.size));
    w.endObject();
    return w.text();
}

QByteArray serializeError(ErrorCode code, const QString& message) {
    Writer w;
    w.beginObject().key("error").beginObject();
    w.key("code").string(wireName(code));
    w.key("message").string(message);
    w.endObject().endObject();
    return w.text();
}

json errorJson(ErrorCode code, const QString& message) {
    return parse(serializeError(code, message));
}

// ---- The hosted Legba API's public shape ----

QByteArray serializeHostedKey(const ApiKey& key) {
    Writer w;
    w.beginObject();
    w.key("key_id").string(key.keyId);
    w.key("name").string(key.name);
    w.key("created_at").time(key.createdAt);
    w.key("last_used_at").time(key.lastUsedAt);
    w.key("scopes");
    write(w, key.scopes);
    w.endObject();
    return w.text();
}

QByteArray serializeHostedRotation(const IssuedKey& key) {
    Writer w;
    w.beginObject();
    const QByteArray& secret = key.secret.reveal();
    w.key("key").string(
        std::string_view(secret.constData(), static_cast<std::size_t>(secret.size())));
    w.key("key_id").string(key.record.keyId);
    w.key("created_at").time(key.record.createdAt);
    w.endObject();
    return w.text();
}

} // namespace legba::json
