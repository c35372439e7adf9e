#pragma once

#include "AuditRecords.h"

#include <QString>
#include <array>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace legba {

// Every loaded audit event, compactly: 40-byte records in fixed-size chunks (so that
// growing never copies what is there), one string pool and actor table for all of them,
// and the strings unique to each event packed in 1 MiB blocks. Append-only; an index is
// an event's place in arrival order and never changes until clear().
class AuditStore {
public:
    using Index = quint32;

    AuditStore();

    // Appends the batch's records, all of them or those with keep[i] set, re-pointing their
    // ids at this store's pool. Returns the index of the first one appended.
    Index append(const audit::AuditBatch& batch, const std::vector<char>* keep = nullptr);
    void clear();

    std::size_t size() const { return m_size; }
    bool empty() const { return m_size == 0; }
    const audit::AuditRecord& record(Index i) const {
        return m_chunks[i >> kChunkBits][i & (kChunkSize - 1)];
    }
    // Where the record's unique strings are packed (followed by at least 16 readable bytes).
    const char* packed(Index i) const { return packedAt(record(i).uniqueOffset); }
    audit::UniqueStrings unique(Index i) const { return audit::readUnique(record(i), packed(i)); }
    const audit::StringPool& strings() const { return m_strings; }
    const std::vector<audit::ActorIds>& actors() const { return m_actors; }

    audit::RecordView view(Index i) const {
        const audit::AuditRecord& r = record(i);
        return audit::RecordView(r, m_strings, m_actors[r.actor], packed(i));
    }
    AuditEvent event(Index i) const { return view(i).event(); }
    // The event as one JSON object in the contract's shape.
    std::string eventJson(Index i) const {
        std::string out;
        view(i).appendJson(out);
        return out;
    }

    // Bytes held by records, unique strings, pool and actor table (capacity, not use).
    std::size_t memoryBytes() const;

private:
    static constexpr int kChunkBits = 16;
    static constexpr std::size_t kChunkSize = std::size_t(1) << kChunkBits;
    static constexpr int kBlockBits = 20;
    static constexpr std::size_t kBlockSize = std::size_t(1) << kBlockBits;
    static constexpr std::size_t kPadding = 16; // SIMD reads may run past a span's end

    const char* packedAt(quint32 offset) const {
        return m_blocks[offset >> kBlockBits].get() + (offset & (kBlockSize - 1));
    }
    quint32 reserveUnique(std::size_t bytes, char** where);
    quint32 actorIndex(const audit::ActorIds& actor);

    std::vector<std::unique_ptr<audit::AuditRecord[]>> m_chunks;
    std::size_t m_size = 0;
    std::vector<std::unique_ptr<char[]>> m_blocks;
    std::size_t m_blockUsed = kBlockSize;
    std::size_t m_blockBytes = 0;
    audit::StringPool m_strings;
    std::vector<audit::ActorIds> m_actors{audit::ActorIds{}};
    std::unordered_map<std::string, quint32> m_actorIndex;
};

// The text search over loaded events: case-insensitive substring of any cell's text (time
// aside) or of the event id, request id, target id or details. Pooled values are tested
// once per distinct string, so a row costs a few table lookups plus a SIMD scan of its
// unique bytes (ASCII case folding there: ids are ASCII).
class AuditTextMatcher {
public:
    explicit AuditTextMatcher(const QString& needle = {});

    bool isEmpty() const { return m_needle.isEmpty(); }
    const QString& needle() const { return m_needle; }
    // Extends the per-string verdicts to strings and actors added since the last call.
    void update(const audit::StringPool& strings, const std::vector<audit::ActorIds>& actors);
    // update() must have seen the pool and actors the record refers to.
    bool matches(const audit::AuditRecord& record, const char* packed) const;
    bool matches(const AuditStore& store, AuditStore::Index i) const {
        return matches(store.record(i), store.packed(i));
    }

    // "success" and "failure", the words the outcome column shows (any other outcome is
    // shown as the server's word).
    static QString outcomeText(bool success);
    static QString unauthenticatedText();

private:
    bool uniqueMatches(const audit::AuditRecord& record, const char* packed) const;

    QString m_needle;
    std::string m_folded; // UTF-8, ASCII-lowercased
    std::vector<char> m_stringHits;
    std::vector<char> m_actorHits;
    std::array<char, 1000> m_statusHits{};
    bool m_successHit = false;
    bool m_failureHit = false;
};

} // namespace legba
