#include "AuditRecords.h"

#include "JsonWriter.h"
#include "Rfc3339.h"

#include <QTimeZone>
#include <charconv>
#include <cstring>
#include <functional>

namespace legba::audit {

namespace {

constexpr std::size_t kPoolBlock = std::size_t{64} * 1024;

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

// ---- the record view -----------------------------------------------------------------

RecordView::RecordView(const AuditRecord& record, const StringPool& strings, const ActorIds& actor,
                       const char* packed)
    : m_record(&record) {
    const UniqueStrings u = readUnique(record, packed);
    RecordStrings& s = m_strings;
    s.eventId = u.eventId;
    s.requestId = u.requestId;
    s.targetId = u.targetId;
    s.otherOutcome = u.otherOutcome;
    s.action = strings.view(record.action);
    s.targetType = strings.view(record.targetType);
    s.ip = strings.view(record.ip);
    s.userAgent = strings.view(record.userAgent);
    s.details = strings.view(record.details);
    s.hasActor = record.actor != 0;
    s.actorKeyId = strings.view(actor.keyId);
    s.actorName = strings.view(actor.name);
    s.actorPrefix = strings.view(actor.prefix);
}

AuditEvent RecordView::event() const {
    auto text = [](std::string_view v) {
        return QString::fromUtf8(v.data(), static_cast<qsizetype>(v.size()));
    };
    const AuditRecord& r = *m_record;
    const RecordStrings& s = m_strings;
    AuditEvent e;
    e.eventId = text(s.eventId);
    e.occurredAt = QDateTime::fromMSecsSinceEpoch(r.occurredMs, QTimeZone::utc());
    if (s.hasActor)
        e.actor = AuditActor{text(s.actorKeyId), text(s.actorName), text(s.actorPrefix)};
    e.action = text(s.action);
    if (r.hasTarget())
        e.target = AuditTarget{text(s.targetType), text(s.targetId)};
    e.outcome = OpenEnum<AuditOutcome>::fromWire(text(outcome()));
    e.statusCode = r.statusCode;
    e.ip = text(s.ip);
    e.userAgent = text(s.userAgent);
    e.requestId = text(s.requestId);
    e.detailsJson = QByteArray(s.details.data(), static_cast<qsizetype>(s.details.size()));
    return e;
}

void RecordView::appendJson(std::string& out) const {
    const AuditRecord& r = *m_record;
    const RecordStrings& s = m_strings;
    out.append("{\"event_id\":");
    json::appendString(out, s.eventId);
    out.append(",\"occurred_at\":\"");
    rfc3339::appendMs(out, r.occurredMs);
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
    json::appendString(out, outcome());
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

// ---- a page --------------------------------------------------------------------------

AuditPage AuditBatch::page() const {
    AuditPage page;
    page.events.reserve(records.size());
    for (const AuditRecord& record : records)
        page.events.push_back(view(record).event());
    page.nextCursor = nextCursor;
    page.unreadable = unreadable;
    return page;
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

} // namespace legba::audit
