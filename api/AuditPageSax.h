#pragma once

#include "Types.h"

#include <QByteArrayView>
#include <QString>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Audit pages in compact form, parsed without a DOM.
//
// A page of a million-event log must not become a million QStrings. Values that repeat
// (actions, addresses, user agents, actors, target types, details) are interned once in a
// StringPool and referred to by a 32-bit id; values unique to an event (event id, request
// id, target id) are packed back to back in a byte arena; times are milliseconds. One
// event is a 40-byte AuditRecord plus its unique bytes. An outcome word other than success
// or failure (rare: a newer API's) is packed after the unique strings, flagged in the record.
namespace legba::audit {

using StringId = quint32;

// Interned UTF-8 strings. Id 0 is the empty string. Storage never moves, so views stay
// valid for the pool's life.
class StringPool {
public:
    StringPool();
    StringPool(StringPool&&) noexcept;
    StringPool& operator=(StringPool&&) noexcept;
    StringPool(const StringPool&) = delete;
    StringPool& operator=(const StringPool&) = delete;
    ~StringPool();

    StringId intern(std::string_view text);
    std::string_view view(StringId id) const { return m_views[id]; }
    QString string(StringId id) const;
    quint32 size() const { return static_cast<quint32>(m_views.size()); }
    // Bytes held (text, views, hash table), for the benchmarks' accounting.
    std::size_t memoryBytes() const;

private:
    void grow();
    const char* store(std::string_view text);

    std::vector<std::unique_ptr<char[]>> m_blocks;
    char* m_current = nullptr; // where the next small string goes
    std::size_t m_currentLeft = 0;
    std::size_t m_blockBytes = 0;
    std::vector<std::string_view> m_views;
    std::vector<std::size_t> m_hashes;
    std::vector<quint32> m_slots; // id + 1, 0 empty; open addressing, power of two
};

// The actor of an event as three pooled strings.
struct ActorIds {
    StringId keyId = 0;
    StringId name = 0;
    StringId prefix = 0;
    friend bool operator==(const ActorIds&, const ActorIds&) = default;
};

// One event. The owner (an AuditBatch or a store) holds the pool, the actor table and the
// unique bytes the ids and the offset refer to.
struct AuditRecord {
    // OtherOutcome: the outcome is neither success nor failure; the server's word follows the
    // unique strings (and Success is clear).
    enum Flag : quint8 { Success = 1, HasTarget = 2, OtherOutcome = 4 };

    qint64 occurredMs = 0;    // milliseconds since the epoch, UTC
    quint32 uniqueOffset = 0; // event_id, request_id, target id in the owner's unique bytes
    quint32 actor = 0;        // index in the owner's actor table; 0: unauthenticated
    StringId action = 0;
    StringId targetType = 0;
    StringId ip = 0;
    StringId userAgent = 0;
    StringId details = 0; // compact JSON of "details"; 0 (empty) when there were none
    quint16 statusCode = 0;
    quint8 flags = 0;

    bool success() const { return flags & Success; }
    bool failure() const { return !(flags & (Success | OtherOutcome)); }
    bool hasOtherOutcome() const { return flags & OtherOutcome; }
    bool hasTarget() const { return flags & HasTarget; }
};
static_assert(sizeof(AuditRecord) == 40, "an event's fixed part stays 40 bytes");

// The outcome as the server wrote it: "success", "failure" or its own word.
inline std::string_view outcomeWord(const AuditRecord& record, std::string_view otherOutcome) {
    if (record.hasOtherOutcome())
        return otherOutcome;
    return record.success() ? std::string_view("success") : std::string_view("failure");
}

// The strings unique to an event, as they are packed: each a varint length and its bytes;
// the outcome word only when the record has OtherOutcome.
struct UniqueStrings {
    std::string_view eventId;
    std::string_view requestId;
    std::string_view targetId;
    std::string_view otherOutcome;
    std::size_t packedSize = 0;
};
void appendUnique(std::string& out, std::string_view eventId, std::string_view requestId,
                  std::string_view targetId);
void appendOtherOutcome(std::string& out, std::string_view word);
std::size_t packedUniqueSize(std::string_view eventId, std::string_view requestId,
                             std::string_view targetId);
void writeUnique(char* out, std::string_view eventId, std::string_view requestId,
                 std::string_view targetId);
UniqueStrings readUnique(const char* packed, quint8 flags);
inline UniqueStrings readUnique(const AuditRecord& record, const char* packed) {
    return readUnique(packed, record.flags);
}

// One parsed page.
struct AuditBatch {
    std::vector<AuditRecord> records; // uniqueOffset is into `unique`
    StringPool strings;
    std::vector<ActorIds> actors{ActorIds{}}; // index 0: no actor
    std::string unique;
    QString nextCursor;                     // empty: no more pages
    std::vector<UnreadableItem> unreadable; // events that could not be read, in page order

    UniqueStrings uniqueOf(const AuditRecord& record) const {
        return readUnique(record, unique.data() + record.uniqueOffset);
    }
    // The record as the api's value type (for tests, export and the details panel).
    AuditEvent event(std::size_t index) const;
    // How many of `unreadable` stand in the page before its first `count` records' end,
    // that is among the events up to (not including) record `count`; all of them when
    // `count` is records.size(). The live tail keeps only the top of a page.
    std::size_t unreadableAbove(std::size_t count) const;
};

// Parses a GET /audit-log answer straight into an AuditBatch with nlohmann_json's SAX
// interface, reading what json::auditPageFromJson reads. One event with a member missing or
// of the wrong type costs only itself: it goes to `unreadable`, named by its field path
// ("events[3].actor.key_id"), and the page keeps the others. The page as a whole fails with
// json::ParseError when the body is not a JSON object (malformed JSON: an empty field),
// `events` is missing or not an array, or `next_cursor` is not a string. Status codes must
// be 0..999.
AuditBatch parseAuditPage(QByteArrayView body);

// An RFC 3339 time to milliseconds, accepting exactly what rfc3339::parseAny accepts; the
// form the contract writes ("2025-01-10T12:00:00Z" / "...00.123Z") without a QDateTime.
std::optional<qint64> parseRfc3339Ms(std::string_view text);
// The reverse: three fractional digits only when they are not zero, like rfc3339::format.
void appendRfc3339(std::string& out, qint64 msecs);

// The event as one compact JSON object, in the contract's field order.
struct RecordStrings {
    std::string_view eventId, requestId, targetId, action, targetType, ip, userAgent, details;
    std::string_view actorKeyId, actorName, actorPrefix;
    std::string_view otherOutcome; // the outcome word when the record has OtherOutcome
    bool hasActor = false;
};
void appendEventJson(std::string& out, const AuditRecord& record, const RecordStrings& strings);

} // namespace legba::audit
