#include "AuditPageSax.h"

#include "Json.h"
#include "JsonWriter.h"
#include "Rfc3339.h"

#include <QTimeZone>
#include <charconv>
#include <cstring>
#include <functional>
#include <unordered_map>

namespace legba::audit {

namespace {

constexpr std::size_t kPoolBlock = 64 * 1024;

std::size_t hashOf(std::string_view text) {
    return std::hash<std::string_view>{}(text);
}

void appendVarint(std::string& out, std::size_t value) {
    while (value >= 0x80) {
        out.push_back(static_cast<char>((value & 0x7F) | 0x80));
        value >>= 7;
    }
    out.push_back(static_cast<char>(value));
}

char* writeVarint(char* out, std::size_t value) {
    while (value >= 0x80) {
        *out++ = static_cast<char>((value & 0x7F) | 0x80);
        value >>= 7;
    }
    *out++ = static_cast<char>(value);
    return out;
}

std::size_t varintSize(std::size_t value) {
    std::size_t n = 1;
    while (value >= 0x80) {
        value >>= 7;
        ++n;
    }
    return n;
}

const char* readVarint(const char* in, std::size_t& value) {
    value = 0;
    int shift = 0;
    for (;;) {
        const auto byte = static_cast<unsigned char>(*in++);
        value |= static_cast<std::size_t>(byte & 0x7F) << shift;
        if (!(byte & 0x80))
            return in;
        shift += 7;
    }
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
qint64 daysFromCivil(int y, int m, int d) {
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return static_cast<qint64>(era) * 146097 + doe - 719468;
}

void civilFromDays(qint64 z, int& y, int& m, int& d) {
    z += 719468;
    const qint64 era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<int>(z - era * 146097);
    const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y = static_cast<int>(yoe + era * 400) + (m <= 2);
}

bool digitsAt(std::string_view s, std::size_t from, std::size_t count, int& out) {
    int value = 0;
    for (std::size_t i = from; i < from + count; ++i) {
        const char c = s[i];
        if (c < '0' || c > '9')
            return false;
        value = value * 10 + (c - '0');
    }
    out = value;
    return true;
}

void appendDigits(std::string& out, int value, int width) {
    char buffer[8];
    for (int i = width - 1; i >= 0; --i) {
        buffer[i] = static_cast<char>('0' + value % 10);
        value /= 10;
    }
    out.append(buffer, static_cast<std::size_t>(width));
}

} // namespace

// ---- StringPool ----------------------------------------------------------------------

StringPool::StringPool() {
    m_slots.assign(64, 0);
    m_views.reserve(64);
    m_hashes.reserve(64);
    m_views.emplace_back();
    m_hashes.push_back(hashOf({}));
    m_slots[m_hashes[0] & (m_slots.size() - 1)] = 1;
}

StringPool::StringPool(StringPool&&) noexcept = default;
StringPool& StringPool::operator=(StringPool&&) noexcept = default;
StringPool::~StringPool() = default;

const char* StringPool::store(std::string_view text) {
    if (text.size() > kPoolBlock / 4) {
        // Large strings get a block of their own, so that small ones keep packing densely.
        auto block = std::make_unique<char[]>(text.size());
        std::memcpy(block.get(), text.data(), text.size());
        const char* where = block.get();
        m_blocks.push_back(std::move(block));
        m_blockBytes += text.size();
        return where;
    }
    if (!m_current || m_currentLeft < text.size()) {
        m_blocks.push_back(std::make_unique<char[]>(kPoolBlock));
        m_blockBytes += kPoolBlock;
        m_current = m_blocks.back().get();
        m_currentLeft = kPoolBlock;
    }
    char* where = m_current;
    std::memcpy(where, text.data(), text.size());
    m_current += text.size();
    m_currentLeft -= text.size();
    return where;
}

void StringPool::grow() {
    std::vector<quint32> slots(m_slots.size() * 2, 0);
    const std::size_t mask = slots.size() - 1;
    for (quint32 id = 0; id < m_views.size(); ++id) {
        std::size_t i = m_hashes[id] & mask;
        while (slots[i])
            i = (i + 1) & mask;
        slots[i] = id + 1;
    }
    m_slots = std::move(slots);
}

StringId StringPool::intern(std::string_view text) {
    if (text.empty())
        return 0;
    const std::size_t hash = hashOf(text);
    const std::size_t mask = m_slots.size() - 1;
    std::size_t i = hash & mask;
    while (const quint32 slot = m_slots[i]) {
        const quint32 id = slot - 1;
        if (m_hashes[id] == hash && m_views[id] == text)
            return id;
        i = (i + 1) & mask;
    }
    const auto id = static_cast<StringId>(m_views.size());
    m_views.emplace_back(store(text), text.size());
    m_hashes.push_back(hash);
    m_slots[i] = id + 1;
    if (m_views.size() * 2 > m_slots.size())
        grow();
    return id;
}

QString StringPool::string(StringId id) const {
    const std::string_view text = m_views[id];
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

std::size_t StringPool::memoryBytes() const {
    return m_blockBytes + m_views.capacity() * sizeof(std::string_view) +
           m_hashes.capacity() * sizeof(std::size_t) + m_slots.capacity() * sizeof(quint32);
}

// ---- unique strings ------------------------------------------------------------------

std::size_t packedUniqueSize(std::string_view eventId, std::string_view requestId,
                             std::string_view targetId) {
    return varintSize(eventId.size()) + eventId.size() + varintSize(requestId.size()) +
           requestId.size() + varintSize(targetId.size()) + targetId.size();
}

void writeUnique(char* out, std::string_view eventId, std::string_view requestId,
                 std::string_view targetId) {
    for (std::string_view part : {eventId, requestId, targetId}) {
        out = writeVarint(out, part.size());
        if (!part.empty())
            std::memcpy(out, part.data(), part.size());
        out += part.size();
    }
}

void appendUnique(std::string& out, std::string_view eventId, std::string_view requestId,
                  std::string_view targetId) {
    for (std::string_view part : {eventId, requestId, targetId}) {
        appendVarint(out, part.size());
        out.append(part);
    }
}

void appendOtherOutcome(std::string& out, std::string_view word) {
    appendVarint(out, word.size());
    out.append(word);
}

UniqueStrings readUnique(const char* packed, quint8 flags) {
    UniqueStrings result;
    const char* p = packed;
    std::size_t size = 0;
    p = readVarint(p, size);
    result.eventId = {p, size};
    p += size;
    p = readVarint(p, size);
    result.requestId = {p, size};
    p += size;
    p = readVarint(p, size);
    result.targetId = {p, size};
    p += size;
    if (flags & AuditRecord::OtherOutcome) {
        p = readVarint(p, size);
        result.otherOutcome = {p, size};
        p += size;
    }
    result.packedSize = static_cast<std::size_t>(p - packed);
    return result;
}

// ---- times and JSON text -------------------------------------------------------------

namespace {
// The form our server writes, in nanoseconds: whole seconds or three digits, 'Z'.
std::optional<qint64> parseContractForm(std::string_view s) {
    if (s.size() != 20 && s.size() != 24)
        return std::nullopt;
    if (s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
        s.back() != 'Z')
        return std::nullopt;
    int year, month, day, hour, minute, second, msec = 0;
    if (!digitsAt(s, 0, 4, year) || !digitsAt(s, 5, 2, month) || !digitsAt(s, 8, 2, day) ||
        !digitsAt(s, 11, 2, hour) || !digitsAt(s, 14, 2, minute) || !digitsAt(s, 17, 2, second))
        return std::nullopt;
    if (s.size() == 24 && (s[19] != '.' || !digitsAt(s, 20, 3, msec)))
        return std::nullopt;
    // What QDate and QTime accept: no year 0, real days of the month, no leap seconds.
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (year < 1 || month < 1 || month > 12 || day < 1 ||
        day > kDays[month - 1] + (month == 2 && leap) || hour > 23 || minute > 59 || second > 59)
        return std::nullopt;
    const qint64 days = daysFromCivil(year, month, day);
    return ((days * 24 + hour) * 60 + minute) * 60'000LL + second * 1000LL + msec;
}
} // namespace

std::optional<qint64> parseRfc3339Ms(std::string_view s) {
    if (const auto ms = parseContractForm(s))
        return ms;
    // Any other RFC 3339 form (offsets, other precisions) is rare: the one general parser.
    const auto time =
        rfc3339::parseAny(QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())));
    return time ? std::optional<qint64>(time->toMSecsSinceEpoch()) : std::nullopt;
}

void appendRfc3339(std::string& out, qint64 msecs) {
    qint64 days = msecs / 86'400'000;
    qint64 rest = msecs % 86'400'000;
    if (rest < 0) {
        rest += 86'400'000;
        --days;
    }
    int y, m, d;
    civilFromDays(days, y, m, d);
    const auto dayMs = static_cast<int>(rest);
    appendDigits(out, y, 4);
    out.push_back('-');
    appendDigits(out, m, 2);
    out.push_back('-');
    appendDigits(out, d, 2);
    out.push_back('T');
    appendDigits(out, dayMs / 3'600'000, 2);
    out.push_back(':');
    appendDigits(out, dayMs / 60'000 % 60, 2);
    out.push_back(':');
    appendDigits(out, dayMs / 1000 % 60, 2);
    if (dayMs % 1000) {
        out.push_back('.');
        appendDigits(out, dayMs % 1000, 3);
    }
    out.push_back('Z');
}

void appendEventJson(std::string& out, const AuditRecord& r, const RecordStrings& s) {
    out.append("{\"event_id\":");
    json::appendString(out, s.eventId);
    out.append(",\"occurred_at\":\"");
    appendRfc3339(out, r.occurredMs);
    out.append("\",\"actor\":");
    if (s.hasActor) {
        out.append("{\"key_id\":");
        json::appendString(out, s.actorKeyId);
        out.append(",\"name\":");
        json::appendString(out, s.actorName);
        out.append(",\"prefix\":");
        json::appendString(out, s.actorPrefix);
        out.push_back('}');
    } else {
        out.append("null");
    }
    out.append(",\"action\":");
    json::appendString(out, s.action);
    out.append(",\"target\":");
    if (r.hasTarget()) {
        out.append("{\"type\":");
        json::appendString(out, s.targetType);
        out.append(",\"id\":");
        json::appendString(out, s.targetId);
        out.push_back('}');
    } else {
        out.append("null");
    }
    out.append(",\"outcome\":");
    json::appendString(out, outcomeWord(r, s.otherOutcome));
    out.append(",\"status_code\":");
    char number[8];
    const auto end = std::to_chars(number, number + sizeof number, r.statusCode).ptr;
    out.append(number, static_cast<std::size_t>(end - number));
    out.append(",\"ip\":");
    json::appendString(out, s.ip);
    out.append(",\"user_agent\":");
    json::appendString(out, s.userAgent);
    out.append(",\"request_id\":");
    json::appendString(out, s.requestId);
    out.append(",\"details\":");
    out.append(s.details.empty() ? std::string_view("{}") : s.details);
    out.push_back('}');
}

AuditEvent AuditBatch::event(std::size_t index) const {
    const AuditRecord& r = records[index];
    const UniqueStrings u = uniqueOf(r);
    auto text = [](std::string_view v) {
        return QString::fromUtf8(v.data(), static_cast<qsizetype>(v.size()));
    };
    AuditEvent e;
    e.eventId = text(u.eventId);
    e.occurredAt = QDateTime::fromMSecsSinceEpoch(r.occurredMs, QTimeZone::utc());
    if (r.actor) {
        const ActorIds& a = actors[r.actor];
        e.actor =
            AuditActor{strings.string(a.keyId), strings.string(a.name), strings.string(a.prefix)};
    }
    e.action = strings.string(r.action);
    if (r.hasTarget())
        e.target = AuditTarget{strings.string(r.targetType), text(u.targetId)};
    e.outcome = OpenEnum<AuditOutcome>::fromWire(text(audit::outcomeWord(r, u.otherOutcome)));
    e.statusCode = r.statusCode;
    e.ip = strings.string(r.ip);
    e.userAgent = strings.string(r.userAgent);
    e.requestId = text(u.requestId);
    const std::string_view details = strings.view(r.details);
    e.detailsJson = QByteArray(details.data(), static_cast<qsizetype>(details.size()));
    return e;
}

std::size_t AuditBatch::unreadableAbove(std::size_t count) const {
    if (count >= records.size())
        return unreadable.size();
    // Each item names its event first: "events[7]...". Record `count` is event `count` plus
    // the unreadable events before it.
    auto eventIndex = [](const UnreadableItem& item) {
        const qsizetype open = item.field.indexOf(QLatin1Char('['));
        const qsizetype close = item.field.indexOf(QLatin1Char(']'));
        return item.field.mid(open + 1, close - open - 1).toULongLong();
    };
    std::size_t above = 0;
    std::size_t event = count;
    while (above < unreadable.size() && eventIndex(unreadable[above]) <= event) {
        ++above;
        ++event;
    }
    return above;
}

// ---- the SAX handler -----------------------------------------------------------------

namespace {

using Json = nlohmann::json;
using legba::json::ParseError;

enum class Field : quint8 {
    Unknown,
    EventId,
    OccurredAt,
    Actor,
    Action,
    Target,
    Outcome,
    StatusCode,
    Ip,
    UserAgent,
    RequestId,
    Details,
    // actor
    KeyId,
    Name,
    Prefix,
    // target
    Type,
    Id,
};

template <std::size_t N> bool equals(const std::string& key, const char (&literal)[N]) {
    return key.size() == N - 1 && std::memcmp(key.data(), literal, N - 1) == 0;
}

Field eventField(const std::string& k) {
    switch (k.size()) {
    case 2:
        return equals(k, "ip") ? Field::Ip : Field::Unknown;
    case 5:
        return equals(k, "actor") ? Field::Actor : Field::Unknown;
    case 6:
        if (equals(k, "action"))
            return Field::Action;
        return equals(k, "target") ? Field::Target : Field::Unknown;
    case 7:
        if (equals(k, "outcome"))
            return Field::Outcome;
        return equals(k, "details") ? Field::Details : Field::Unknown;
    case 8:
        return equals(k, "event_id") ? Field::EventId : Field::Unknown;
    case 10:
        if (equals(k, "user_agent"))
            return Field::UserAgent;
        return equals(k, "request_id") ? Field::RequestId : Field::Unknown;
    case 11:
        if (equals(k, "occurred_at"))
            return Field::OccurredAt;
        return equals(k, "status_code") ? Field::StatusCode : Field::Unknown;
    default:
        return Field::Unknown;
    }
}

Field actorField(const std::string& k) {
    if (equals(k, "key_id"))
        return Field::KeyId;
    if (equals(k, "name"))
        return Field::Name;
    return equals(k, "prefix") ? Field::Prefix : Field::Unknown;
}

Field targetField(const std::string& k) {
    if (equals(k, "type"))
        return Field::Type;
    return equals(k, "id") ? Field::Id : Field::Unknown;
}

const char* fieldName(Field f) {
    switch (f) {
    case Field::EventId:
        return "event_id";
    case Field::OccurredAt:
        return "occurred_at";
    case Field::Actor:
        return "actor";
    case Field::Action:
        return "action";
    case Field::Target:
        return "target";
    case Field::Outcome:
        return "outcome";
    case Field::StatusCode:
        return "status_code";
    case Field::Ip:
        return "ip";
    case Field::UserAgent:
        return "user_agent";
    case Field::RequestId:
        return "request_id";
    case Field::Details:
        return "details";
    case Field::KeyId:
        return "key_id";
    case Field::Name:
        return "name";
    case Field::Prefix:
        return "prefix";
    case Field::Type:
        return "type";
    case Field::Id:
        return "id";
    case Field::Unknown:
        break;
    }
    return "";
}

class PageHandler {
public:
    explicit PageHandler(AuditBatch& batch)
        : m_batch(batch) {}

    std::optional<ParseError> error;

    bool null() { return scalar(Kind::Null); }
    bool boolean(bool value) {
        if (m_state == State::Details) {
            detailsValue(value ? "true" : "false");
            return true;
        }
        return scalar(Kind::Other);
    }
    bool number_integer(Json::number_integer_t value) {
        if (m_state == State::Details) {
            char buffer[24];
            const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
            detailsValue({buffer, static_cast<std::size_t>(end - buffer)});
            return true;
        }
        if (m_state == State::Event && m_field == Field::StatusCode)
            return statusCode(value);
        return scalar(Kind::Other);
    }
    bool number_unsigned(Json::number_unsigned_t value) {
        if (m_state == State::Details) {
            char buffer[24];
            const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
            detailsValue({buffer, static_cast<std::size_t>(end - buffer)});
            return true;
        }
        if (m_state == State::Event && m_field == Field::StatusCode)
            return statusCode(value > 1000 ? 1000 : static_cast<qint64>(value));
        return scalar(Kind::Other);
    }
    bool number_float(Json::number_float_t, const std::string& text) {
        if (m_state == State::Details) {
            detailsValue(text);
            return true;
        }
        return scalar(Kind::Other);
    }
    bool binary(Json::binary_t&) { return scalar(Kind::Other); }

    bool string(std::string& value) {
        switch (m_state) {
        case State::Event:
            return eventString(value);
        case State::Actor:
            return actorString(value);
        case State::Target:
            return targetString(value);
        case State::Root:
            if (m_rootKey == RootKey::NextCursor) {
                m_batch.nextCursor =
                    QString::fromUtf8(value.data(), static_cast<qsizetype>(value.size()));
                return true;
            }
            return scalar(Kind::Other);
        case State::Details:
            detailsValue({}, &value);
            return true;
        default:
            return scalar(Kind::Other);
        }
    }

    bool key(std::string& k) {
        switch (m_state) {
        case State::Root:
            m_rootKey = equals(k, "events")        ? RootKey::Events
                        : equals(k, "next_cursor") ? RootKey::NextCursor
                                                   : RootKey::Other;
            if (m_rootKey == RootKey::Other)
                startSkip();
            if (m_rootKey == RootKey::Events && m_eventsSeen) {
                // The last of duplicate members wins, as in the DOM parser.
                m_batch.records.clear();
                m_batch.unique.clear();
                m_batch.unreadable.clear();
                m_index = 0;
            }
            return true;
        case State::Event:
            m_field = eventField(k);
            if (m_field == Field::Unknown)
                startSkip();
            return true;
        case State::Actor:
            m_field = actorField(k);
            if (m_field == Field::Unknown)
                startSkip();
            return true;
        case State::Target:
            m_field = targetField(k);
            if (m_field == Field::Unknown)
                startSkip();
            return true;
        case State::Details:
            detailsKey(k);
            return true;
        case State::Skip:
        case State::BadEvent:
            return true;
        case State::Start:
        case State::Events:
        case State::Done:
            break;
        }
        return true;
    }

    bool start_object(std::size_t) {
        switch (m_state) {
        case State::Start:
            m_state = State::Root;
            return true;
        case State::Root:
            return scalar(Kind::Object);
        case State::Events:
            beginEvent();
            return true;
        case State::Event:
            if (m_field == Field::Actor) {
                m_hasActor = true;
                m_actorSeen = 0;
                m_state = State::Actor;
                return true;
            }
            if (m_field == Field::Target) {
                m_hasTarget = true;
                m_targetSeen = 0;
                m_targetType.clear();
                m_targetId.clear();
                m_state = State::Target;
                return true;
            }
            if (m_field == Field::Details) {
                m_details.clear();
                m_detailsStack.clear();
                detailsOpen('{');
                m_state = State::Details;
                return true;
            }
            return scalar(Kind::Object);
        case State::Details:
            detailsOpen('{');
            return true;
        case State::Skip:
            ++m_skipDepth;
            return true;
        case State::BadEvent:
            ++m_badDepth;
            return true;
        default:
            return scalar(Kind::Object);
        }
    }

    bool end_object() {
        switch (m_state) {
        case State::Root:
            if (!m_eventsSeen)
                return fail(QStringLiteral("events"), QStringLiteral("is missing"));
            m_state = State::Done;
            return true;
        case State::Event:
            return endEvent();
        case State::Actor:
            for (Field f : {Field::KeyId, Field::Name, Field::Prefix}) {
                if (!(m_actorSeen & bit(f))) // the actor is closed: the event is still open
                    return badEvent(path(Field::Actor, f), QStringLiteral("is missing"), 1);
            }
            m_state = State::Event;
            return true;
        case State::Target:
            for (Field f : {Field::Type, Field::Id}) {
                if (!(m_targetSeen & bit(f)))
                    return badEvent(path(Field::Target, f), QStringLiteral("is missing"), 1);
            }
            m_state = State::Event;
            return true;
        case State::Details:
            detailsClose('}');
            return true;
        case State::Skip:
            endSkipLevel();
            return true;
        case State::BadEvent:
            endBadLevel();
            return true;
        default:
            return true;
        }
    }

    bool start_array(std::size_t) {
        switch (m_state) {
        case State::Root:
            if (m_rootKey == RootKey::Events) {
                m_eventsSeen = true;
                m_state = State::Events;
                return true;
            }
            return scalar(Kind::Array);
        case State::Details:
            detailsOpen('[');
            return true;
        case State::Skip:
            ++m_skipDepth;
            return true;
        case State::BadEvent:
            ++m_badDepth;
            return true;
        default:
            return scalar(Kind::Array);
        }
    }

    bool end_array() {
        switch (m_state) {
        case State::Events:
            m_state = State::Root;
            return true;
        case State::Details:
            detailsClose(']');
            return true;
        case State::Skip:
            endSkipLevel();
            return true;
        case State::BadEvent:
            endBadLevel();
            return true;
        default:
            return true;
        }
    }

    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
        if (!error)
            error.emplace(QString(), QStringLiteral("is not valid JSON"));
        return false;
    }

private:
    // BadEvent: the rest of an event that cannot be read, skipped.
    enum class State : quint8 {
        Start,
        Root,
        Events,
        Event,
        Actor,
        Target,
        Details,
        Skip,
        BadEvent,
        Done
    };
    enum class RootKey : quint8 { None, Events, NextCursor, Other };
    enum class Kind : quint8 { Null, Object, Array, Other };

    static quint32 bit(Field f) { return 1u << static_cast<unsigned>(f); }

    QString eventPath() const {
        return QStringLiteral("events[") + QString::number(m_index) + QLatin1Char(']');
    }
    QString path(Field f) const {
        return eventPath() + QLatin1Char('.') + QLatin1String(fieldName(f));
    }
    QString path(Field parent, Field f) const {
        return path(parent) + QLatin1Char('.') + QLatin1String(fieldName(f));
    }

    bool fail(QString field, QString problem) {
        if (!error)
            error.emplace(std::move(field), std::move(problem));
        return false;
    }

    // One event that cannot be read: noted, and the rest of it skipped; the page goes on.
    // `open` counts the containers open from the event object (1) down to where the parser
    // is; 0 when the event is already closed (or was not an object).
    bool badEvent(QString field, QString problem, int open) {
        m_batch.unreadable.push_back(UnreadableItem{std::move(field), std::move(problem)});
        if (open == 0) {
            nextEvent();
        } else {
            m_badDepth = open;
            m_state = State::BadEvent;
        }
        return true;
    }
    // The same, for a value of the wrong kind where the parser now is.
    bool badValue(QString field, QString problem, Kind kind) {
        int open = m_state == State::Event                               ? 1
                   : m_state == State::Actor || m_state == State::Target ? 2
                                                                         : 0;
        if (kind == Kind::Object || kind == Kind::Array)
            ++open; // the wrong value is itself a container, now open
        return badEvent(std::move(field), std::move(problem), open);
    }
    void endBadLevel() {
        if (--m_badDepth == 0)
            nextEvent();
    }
    void nextEvent() {
        ++m_index;
        m_state = State::Events;
    }

    void startSkip() {
        m_skipReturn = m_state;
        m_skipDepth = 0;
        m_state = State::Skip;
    }
    void endSkipLevel() {
        if (--m_skipDepth == 0)
            m_state = m_skipReturn;
    }

    // A value that is not what the current field wants (or a value to skip).
    bool scalar(Kind kind) {
        switch (m_state) {
        case State::Skip:
            // A scalar as the whole skipped value: done with it.
            if (m_skipDepth == 0)
                m_state = m_skipReturn;
            return true;
        case State::BadEvent:
            return true;
        case State::Details:
            detailsValue("null");
            return true;
        case State::Start:
            return fail(QStringLiteral("(body)"), QStringLiteral("is not an object"));
        case State::Root:
            if (m_rootKey == RootKey::Events)
                return fail(QStringLiteral("events"), QStringLiteral("is not an array"));
            if (kind == Kind::Null) { // next_cursor: null
                // The last of duplicate members wins, as in the DOM parser.
                m_batch.nextCursor.clear();
                return true;
            }
            return fail(QStringLiteral("next_cursor"), QStringLiteral("is not a string"));
        case State::Events:
            return badValue(eventPath(), QStringLiteral("is not an object"), kind);
        case State::Event:
            return eventMismatch(kind);
        case State::Actor:
            return badValue(path(Field::Actor, m_field), QStringLiteral("is not a string"), kind);
        case State::Target:
            return badValue(path(Field::Target, m_field), QStringLiteral("is not a string"), kind);
        case State::Done:
            return true;
        }
        return true;
    }

    bool eventMismatch(Kind kind) {
        const bool null = kind == Kind::Null;
        switch (m_field) {
        case Field::Actor:
            if (null) {
                m_hasActor = false;
                return true;
            }
            return badValue(path(m_field), QStringLiteral("is not an object"), kind);
        case Field::Target:
            if (null) {
                m_hasTarget = false;
                return true;
            }
            return badValue(path(m_field), QStringLiteral("is not an object"), kind);
        case Field::Details:
            if (null) {
                m_details.clear();
                return true;
            }
            return badValue(path(m_field), QStringLiteral("is not an object"), kind);
        case Field::Ip:
        case Field::UserAgent:
        case Field::RequestId:
            if (null) {
                m_seen |= bit(m_field);
                if (m_field == Field::Ip)
                    m_record.ip = 0;
                else if (m_field == Field::UserAgent)
                    m_record.userAgent = 0;
                else
                    m_requestId.clear();
                return true;
            }
            return badValue(path(m_field), QStringLiteral("is not a string"), kind);
        case Field::OccurredAt:
            return badValue(path(m_field), QStringLiteral("is not an RFC 3339 time string"), kind);
        case Field::StatusCode:
            return badValue(path(m_field), QStringLiteral("is not an integer"), kind);
        default:
            return badValue(path(m_field), QStringLiteral("is not a string"), kind);
        }
    }

    void beginEvent() {
        m_state = State::Event;
        m_record = AuditRecord{};
        m_seen = 0;
        m_hasActor = false;
        m_hasTarget = false;
        m_eventId.clear();
        m_requestId.clear();
        m_targetId.clear();
        m_details.clear();
    }

    bool eventString(std::string& value) {
        m_seen |= bit(m_field);
        switch (m_field) {
        case Field::EventId:
            m_eventId.assign(value);
            return true;
        case Field::OccurredAt: {
            const auto ms = parseRfc3339Ms(value);
            if (!ms)
                return badValue(path(m_field), QStringLiteral("is not an RFC 3339 time"),
                                Kind::Other);
            m_record.occurredMs = *ms;
            return true;
        }
        case Field::Action:
            m_record.action = m_batch.strings.intern(value);
            return true;
        case Field::Outcome:
            m_record.flags &=
                static_cast<quint8>(~(AuditRecord::Success | AuditRecord::OtherOutcome));
            if (equals(value, "success")) {
                m_record.flags |= AuditRecord::Success;
            } else if (!equals(value, "failure")) {
                // A word of a newer API's: kept as it is, neither success nor failure.
                m_record.flags |= AuditRecord::OtherOutcome;
                m_otherOutcome.assign(value);
            }
            return true;
        case Field::Ip:
            m_record.ip = m_batch.strings.intern(value);
            return true;
        case Field::UserAgent:
            m_record.userAgent = m_batch.strings.intern(value);
            return true;
        case Field::RequestId:
            m_requestId.assign(value);
            return true;
        default:
            m_seen &= ~bit(m_field);
            return eventMismatch(Kind::Other);
        }
    }

    bool actorString(std::string& value) {
        m_actorSeen |= bit(m_field);
        const StringId id = m_batch.strings.intern(value);
        if (m_field == Field::KeyId)
            m_actor.keyId = id;
        else if (m_field == Field::Name)
            m_actor.name = id;
        else
            m_actor.prefix = id;
        return true;
    }

    bool targetString(std::string& value) {
        m_targetSeen |= bit(m_field);
        if (m_field == Field::Type)
            m_targetType.assign(value);
        else
            m_targetId.assign(value);
        return true;
    }

    bool statusCode(qint64 value) {
        if (value < 0 || value > 999)
            return badValue(path(Field::StatusCode), QStringLiteral("is not an HTTP status code"),
                            Kind::Other);
        m_seen |= bit(Field::StatusCode);
        m_record.statusCode = static_cast<quint16>(value);
        return true;
    }

    bool endEvent() {
        for (Field f : {Field::EventId, Field::OccurredAt, Field::Action, Field::Outcome,
                        Field::StatusCode}) {
            if (!(m_seen & bit(f)))
                return badEvent(path(f), QStringLiteral("is missing"), 0); // closed already
        }
        if (m_hasActor)
            m_record.actor = actorIndex(m_actor);
        if (m_hasTarget) {
            m_record.flags |= AuditRecord::HasTarget;
            m_record.targetType = m_batch.strings.intern(m_targetType);
        } else {
            m_targetId.clear();
        }
        m_record.details = m_batch.strings.intern(m_details);
        m_record.uniqueOffset = static_cast<quint32>(m_batch.unique.size());
        appendUnique(m_batch.unique, m_eventId, m_requestId, m_targetId);
        if (m_record.hasOtherOutcome())
            appendOtherOutcome(m_batch.unique, m_otherOutcome);
        m_batch.records.push_back(m_record);
        nextEvent();
        return true;
    }

    quint32 actorIndex(const ActorIds& actor) {
        // Pages hold a handful of actors: a linear scan beats hashing here.
        auto& actors = m_batch.actors;
        if (m_lastActor && actors[m_lastActor] == actor)
            return m_lastActor;
        for (quint32 i = 1; i < actors.size(); ++i) {
            if (actors[i] == actor)
                return m_lastActor = i;
        }
        actors.push_back(actor);
        return m_lastActor = static_cast<quint32>(actors.size() - 1);
    }

    // details: re-serialised compactly as it streams by, then interned.
    void detailsComma() {
        if (m_detailsStack.empty())
            return;
        auto& top = m_detailsStack.back();
        if (top.afterKey) {
            top.afterKey = false;
            return;
        }
        if (top.count++)
            m_details.push_back(',');
    }
    void detailsValue(std::string_view literal, const std::string* text = nullptr) {
        detailsComma();
        if (text)
            json::appendString(m_details, *text);
        else
            m_details.append(literal);
    }
    void detailsKey(const std::string& k) {
        auto& top = m_detailsStack.back();
        if (top.count++)
            m_details.push_back(',');
        json::appendString(m_details, k);
        m_details.push_back(':');
        top.afterKey = true;
    }
    void detailsOpen(char bracket) {
        detailsComma();
        m_details.push_back(bracket);
        m_detailsStack.push_back({});
    }
    void detailsClose(char bracket) {
        m_details.push_back(bracket);
        m_detailsStack.pop_back();
        if (m_detailsStack.empty()) {
            m_seen |= bit(Field::Details);
            m_state = State::Event;
        }
    }

    struct DetailsLevel {
        quint32 count = 0;
        bool afterKey = false;
    };

    AuditBatch& m_batch;
    State m_state = State::Start;
    State m_skipReturn = State::Root;
    RootKey m_rootKey = RootKey::None;
    Field m_field = Field::Unknown;
    int m_skipDepth = 0;
    int m_badDepth = 0;
    bool m_eventsSeen = false;
    std::size_t m_index = 0;

    AuditRecord m_record;
    quint32 m_seen = 0;
    quint32 m_actorSeen = 0;
    quint32 m_targetSeen = 0;
    bool m_hasActor = false;
    bool m_hasTarget = false;
    ActorIds m_actor;
    quint32 m_lastActor = 0;
    std::string m_eventId;
    std::string m_requestId;
    std::string m_targetType;
    std::string m_targetId;
    std::string m_details;
    std::string m_otherOutcome;
    std::vector<DetailsLevel> m_detailsStack;
};

} // namespace

AuditBatch parseAuditPage(QByteArrayView body) {
    AuditBatch batch;
    // A first guess from typical events (~350 bytes each), so that vectors rarely regrow.
    const auto guess = static_cast<std::size_t>(body.size() / 320 + 1);
    batch.records.reserve(guess);
    batch.unique.reserve(guess * 56);
    PageHandler handler(batch);
    const char* begin = body.data();
    const char* end = begin + body.size();
    const bool ok = Json::sax_parse(begin, end, &handler, Json::input_format_t::json, true, false);
    if (handler.error)
        throw *handler.error;
    if (!ok)
        throw json::ParseError(QString(), QStringLiteral("is not valid JSON"));
    return batch;
}

} // namespace legba::audit
