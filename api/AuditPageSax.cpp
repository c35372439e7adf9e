#include "AuditPageSax.h"

#include "Json.h"
#include "JsonWriter.h"
#include "Rfc3339.h"

#include <charconv>
#include <cstring>

// The reader of GET /audit-log pages: nlohmann_json's SAX events straight into an
// AuditBatch (AuditRecords.h), without a DOM.
namespace legba::audit {

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
        if (!deeper())
            return false;
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
        --m_depth;
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
        if (!deeper())
            return false;
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
        --m_depth;
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

    // As json::parse: nesting that whatever walks the details later could not survive
    // (the details panel parses and prints them) fails the page.
    bool deeper() {
        if (++m_depth <= json::kMaxDepth)
            return true;
        return fail(QString(), json::tooDeepProblem());
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
            const auto ms = rfc3339::parseMs(value);
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
    int m_depth = 0; // containers open, the body's own included
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
