#include "AuditStore.h"

#include <QCoreApplication>
#include <cstring>
#include <emmintrin.h>

namespace legba {

using audit::ActorIds;
using audit::AuditBatch;
using audit::AuditRecord;
using audit::StringId;

AuditStore::AuditStore() = default;

void AuditStore::clear() {
    m_chunks.clear();
    m_size = 0;
    m_blocks.clear();
    m_blockUsed = kBlockSize;
    m_blockBytes = 0;
    m_strings = audit::StringPool();
    m_actors.assign(1, ActorIds{});
    m_actorIndex.clear();
}

quint32 AuditStore::reserveUnique(std::size_t bytes, char** where) {
    if (bytes > kBlockSize / 2) {
        // An outsized id gets a block of its own, addressed at offset 0.
        m_blocks.push_back(std::make_unique<char[]>(bytes + kPadding));
        m_blockBytes += bytes + kPadding;
        // The block after it starts fresh.
        m_blockUsed = kBlockSize;
        *where = m_blocks.back().get();
        return static_cast<quint32>((m_blocks.size() - 1) << kBlockBits);
    }
    if (m_blockUsed + bytes > kBlockSize) {
        // Zeroed, so that SIMD reads past the last span see no garbage matches.
        m_blocks.push_back(std::make_unique<char[]>(kBlockSize + kPadding));
        m_blockBytes += kBlockSize + kPadding;
        m_blockUsed = 0;
    }
    *where = m_blocks.back().get() + m_blockUsed;
    const auto offset = static_cast<quint32>(((m_blocks.size() - 1) << kBlockBits) | m_blockUsed);
    m_blockUsed += bytes;
    return offset;
}

quint32 AuditStore::actorIndex(const ActorIds& actor) {
    std::string key(reinterpret_cast<const char*>(&actor), sizeof actor);
    const auto [it, inserted] = m_actorIndex.try_emplace(std::move(key), 0);
    if (inserted) {
        it->second = static_cast<quint32>(m_actors.size());
        m_actors.push_back(actor);
    }
    return it->second;
}

AuditStore::Index AuditStore::append(const AuditBatch& batch, const std::vector<char>* keep) {
    const auto first = static_cast<Index>(m_size);
    // Re-point the batch's ids once per distinct string, not once per event.
    std::vector<StringId> strings(batch.strings.size());
    for (StringId id = 1; id < batch.strings.size(); ++id)
        strings[id] = m_strings.intern(batch.strings.view(id));
    std::vector<quint32> actors(batch.actors.size());
    for (std::size_t a = 1; a < batch.actors.size(); ++a) {
        const ActorIds& local = batch.actors[a];
        actors[a] =
            actorIndex(ActorIds{strings[local.keyId], strings[local.name], strings[local.prefix]});
    }

    for (std::size_t i = 0; i < batch.records.size(); ++i) {
        if (keep && !(*keep)[i])
            continue;
        if ((m_size >> kChunkBits) >= m_chunks.size())
            m_chunks.push_back(std::make_unique<AuditRecord[]>(kChunkSize));
        AuditRecord r = batch.records[i];
        const audit::UniqueStrings u = batch.uniqueOf(r);
        char* where = nullptr;
        r.uniqueOffset = reserveUnique(u.packedSize, &where);
        std::memcpy(where, batch.unique.data() + batch.records[i].uniqueOffset, u.packedSize);
        r.actor = actors[r.actor];
        r.action = strings[r.action];
        r.targetType = strings[r.targetType];
        r.ip = strings[r.ip];
        r.userAgent = strings[r.userAgent];
        r.details = strings[r.details];
        m_chunks[m_size >> kChunkBits][m_size & (kChunkSize - 1)] = r;
        ++m_size;
    }
    return first;
}

std::size_t AuditStore::memoryBytes() const {
    return m_chunks.size() * kChunkSize * sizeof(AuditRecord) + m_blockBytes +
           m_strings.memoryBytes() + m_actors.capacity() * sizeof(ActorIds) +
           m_actorIndex.size() * 64;
}

// ---- text search ---------------------------------------------------------------------

namespace {

char foldAscii(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool containsFolded(QStringView haystack, const QString& needle) {
    return haystack.contains(needle, Qt::CaseInsensitive);
}

QString fromUtf8(std::string_view text) {
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

} // namespace

AuditTextMatcher::AuditTextMatcher(const QString& needle)
    : m_needle(needle.trimmed()) {
    const QByteArray utf8 = m_needle.toUtf8();
    m_folded.assign(utf8.constData(), static_cast<std::size_t>(utf8.size()));
    for (char& c : m_folded)
        c = foldAscii(c);
    if (m_needle.isEmpty())
        return;
    for (int code = 0; code < 1000; ++code)
        m_statusHits[static_cast<std::size_t>(code)] =
            QString::number(code).contains(m_needle, Qt::CaseInsensitive);
    m_successHit = outcomeText(true).contains(m_needle, Qt::CaseInsensitive);
    m_failureHit = outcomeText(false).contains(m_needle, Qt::CaseInsensitive);
}

QString AuditTextMatcher::outcomeText(bool success) {
    return success ? QCoreApplication::translate("AuditLogModel", "success")
                   : QCoreApplication::translate("AuditLogModel", "failure");
}

QString AuditTextMatcher::unauthenticatedText() {
    return QCoreApplication::translate("AuditLogModel", "unauthenticated");
}

void AuditTextMatcher::update(const audit::StringPool& strings,
                              const std::vector<ActorIds>& actors) {
    if (m_needle.isEmpty())
        return;
    for (auto id = static_cast<StringId>(m_stringHits.size()); id < strings.size(); ++id)
        m_stringHits.push_back(id != 0 && containsFolded(fromUtf8(strings.view(id)), m_needle));
    for (std::size_t a = m_actorHits.size(); a < actors.size(); ++a) {
        if (a == 0) {
            m_actorHits.push_back(containsFolded(unauthenticatedText(), m_needle));
            continue;
        }
        const ActorIds& actor = actors[a];
        m_actorHits.push_back(m_stringHits[actor.keyId] || m_stringHits[actor.name] ||
                              m_stringHits[actor.prefix]);
    }
}

bool AuditTextMatcher::matches(const AuditRecord& r, const char* packed) const {
    if (m_needle.isEmpty())
        return true;
    if (m_stringHits[r.action] || m_stringHits[r.ip] || m_stringHits[r.userAgent] ||
        m_stringHits[r.details] || m_actorHits[r.actor] ||
        (r.hasTarget() && m_stringHits[r.targetType]) ||
        (r.statusCode < 1000 && m_statusHits[r.statusCode]) || (r.success() && m_successHit) ||
        (r.failure() && m_failureHit))
        return true;
    return uniqueMatches(r, packed);
}

bool AuditTextMatcher::uniqueMatches(const AuditRecord& r, const char* packed) const {
    // The record's unique bytes are one span: [len]event_id[len]request_id[len]target_id,
    // then [len]outcome when the outcome is the server's own word.
    // Scan it 16 bytes at a time for the needle's first byte in either case, then check the
    // candidate and that it lies inside one string, not across a length byte.
    const audit::UniqueStrings u = audit::readUnique(r, packed);
    const std::size_t m = m_folded.size();
    if (m == 0 || m > u.packedSize)
        return false;
    auto upperOf = [](char c) {
        return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c;
    };
    // Candidates match the needle's first two bytes (in either case): few false starts.
    const char second = m > 1 ? m_folded[1] : '\0';
    const __m128i lower0 = _mm_set1_epi8(m_folded[0]);
    const __m128i upper0 = _mm_set1_epi8(upperOf(m_folded[0]));
    const __m128i lower1 = _mm_set1_epi8(second);
    const __m128i upper1 = _mm_set1_epi8(upperOf(second));
    const std::size_t last = u.packedSize - m; // last candidate start
    for (std::size_t base = 0; base <= last; base += 16) {
        const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(packed + base));
        __m128i hits = _mm_or_si128(_mm_cmpeq_epi8(chunk, lower0), _mm_cmpeq_epi8(chunk, upper0));
        if (m > 1) {
            const __m128i next =
                _mm_loadu_si128(reinterpret_cast<const __m128i*>(packed + base + 1));
            hits = _mm_and_si128(
                hits, _mm_or_si128(_mm_cmpeq_epi8(next, lower1), _mm_cmpeq_epi8(next, upper1)));
        }
        auto mask = static_cast<unsigned>(_mm_movemask_epi8(hits));
        if (last - base < 15)
            mask &= (1u << (last - base + 1)) - 1;
        while (mask) {
            const std::size_t at = base + static_cast<std::size_t>(__builtin_ctz(mask));
            mask &= mask - 1;
            std::size_t k = 1;
            while (k < m && foldAscii(packed[at + k]) == m_folded[k])
                ++k;
            if (k < m)
                continue;
            for (std::string_view part : {u.eventId, u.requestId, u.targetId, u.otherOutcome}) {
                const auto start = static_cast<std::size_t>(part.data() - packed);
                if (at >= start && at + m <= start + part.size())
                    return true;
            }
        }
    }
    return false;
}

} // namespace legba
