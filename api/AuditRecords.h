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

// The audit event's one compact shape: what a page is parsed into (AuditBatch) and what
// the loaded log is kept in (models' AuditStore), and the one view that turns a record
// back into strings, an AuditEvent or the contract's JSON.
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
UniqueStrings readUnique(const char* packed, quint8 flags);
inline UniqueStrings readUnique(const AuditRecord& record, const char* packed) {
    return readUnique(packed, record.flags);
}

class RecordView;

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
    RecordView view(const AuditRecord& record) const;
    RecordView view(std::size_t index) const;
    AuditEvent event(std::size_t index) const;
    // The page as the api's value types (the client's auditLog, tests).
    AuditPage page() const;
    // How many of `unreadable` stand in the page before its first `count` records' end,
    // that is among the events up to (not including) record `count`; all of them when
    // `count` is records.size(). The live tail keeps only the top of a page.
    std::size_t unreadableAbove(std::size_t count) const;
};

// A record's strings, resolved from what its owner holds.
struct RecordStrings {
    std::string_view eventId, requestId, targetId, action, targetType, ip, userAgent, details;
    std::string_view actorKeyId, actorName, actorPrefix;
    std::string_view otherOutcome; // the outcome word when the record has OtherOutcome
    bool hasActor = false;
};

// One record with its strings: the one place a record becomes strings, an AuditEvent or
// the contract's JSON. Built by its owner (AuditBatch::view, AuditStore::view), valid
// while the owner is and does not change; or from strings at hand (tests).
class RecordView {
public:
    RecordView(const AuditRecord& record, const StringPool& strings, const ActorIds& actor,
               const char* packed);
    RecordView(const AuditRecord& record, const RecordStrings& strings)
        : m_record(&record)
        , m_strings(strings) {}

    const AuditRecord& record() const { return *m_record; }
    const RecordStrings& strings() const { return m_strings; }
    // "success", "failure" or the server's own word.
    std::string_view outcome() const { return outcomeWord(*m_record, m_strings.otherOutcome); }

    AuditEvent event() const;
    // The event as one compact JSON object, in the contract's member order.
    void appendJson(std::string& out) const;

private:
    const AuditRecord* m_record;
    RecordStrings m_strings;
};

inline RecordView AuditBatch::view(const AuditRecord& record) const {
    return RecordView(record, strings, actors[record.actor], unique.data() + record.uniqueOffset);
}
inline RecordView AuditBatch::view(std::size_t index) const {
    return view(records[index]);
}
inline AuditEvent AuditBatch::event(std::size_t index) const {
    return view(index).event();
}

} // namespace legba::audit
