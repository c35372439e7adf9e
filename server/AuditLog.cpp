#include "AuditLog.h"

#include "ApiFailure.h"
#include "Database.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QRandomGenerator>
#include <limits>

namespace legba::server {

namespace {

const QByteArray kGenesis(64, '0');

struct StoredEvent {
    qint64 seq = 0;
    QString eventId;
    AuditRecord record;
};

// An event's fields as UTF-8, in the hash chain's order: what is hashed and what is stored
// are the same bytes, converted once.
struct EventText {
    EventText(qint64 s, QByteArray id, const AuditRecord& r)
        : seqValue(s)
        , seq(QByteArray::number(s))
        , eventId(std::move(id))
        , orgUuid(r.orgUuid.toUtf8())
        , occurredAt(QByteArray::number(r.occurredAtMs))
        , actorKeyId(r.actor ? r.actor->keyId.toUtf8() : QByteArray())
        , actorName(r.actor ? r.actor->name.toUtf8() : QByteArray())
        , actorPrefix(r.actor ? r.actor->prefix.toUtf8() : QByteArray())
        , action(r.action.toUtf8())
        , targetType(r.target ? r.target->type.toUtf8() : QByteArray())
        , targetId(r.target ? r.target->id.toUtf8() : QByteArray())
        , statusCode(QByteArray::number(r.statusCode))
        , ip(r.ip.toUtf8())
        , userAgent(r.userAgent.toUtf8())
        , requestId(r.requestId.toUtf8())
        , details(r.detailsJson.isEmpty() ? QByteArray("{}") : r.detailsJson) {}

    qint64 seqValue;
    QByteArray seq, eventId, orgUuid, occurredAt, actorKeyId, actorName, actorPrefix, action,
        targetType, targetId, statusCode, ip, userAgent, requestId, details;
};

// SHA-256 over the previous hash and every field, each length-prefixed ("5:hello;") so that
// no two different events serialize alike; lowercase hex.
QByteArray chainHash(const QByteArray& previous, const EventText& e) {
    QByteArray input;
    input.reserve(256 + e.userAgent.size() + e.details.size());
    const auto field = [&input](const QByteArray& value) {
        input += QByteArray::number(value.size());
        input += ':';
        input += value;
        input += ';';
    };
    for (const QByteArray* value :
         {&previous, &e.seq, &e.eventId, &e.orgUuid, &e.occurredAt, &e.actorKeyId, &e.actorName,
          &e.actorPrefix, &e.action, &e.targetType, &e.targetId, &e.statusCode, &e.ip, &e.userAgent,
          &e.requestId, &e.details})
        field(*value);
    return QCryptographicHash::hash(input, QCryptographicHash::Sha256).toHex();
}

QByteArray chainHash(const QByteArray& previous, const StoredEvent& e) {
    return chainHash(previous, EventText(e.seq, e.eventId.toUtf8(), e.record));
}

// "evt_", the event's time in milliseconds as 9 digits of [0-9a-z], then 11 random ones
// (56 bits). Ids sort by time, so the unique index on them grows at one end: random ids
// dirtied one page of that index per event, which every batch wrote to the WAL and again
// to the database file.
QByteArray newEventId(qint64 occurredAtMs) {
    static constexpr char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    char id[24] = {'e', 'v', 't', '_'};
    constexpr quint64 kTimeRange = 101559956668416ULL; // 36^9 ms: over 3,000 years
    quint64 time = static_cast<quint64>(std::max<qint64>(occurredAtMs, 0)) % kTimeRange;
    for (int i = 12; i >= 4; --i) {
        id[i] = alphabet[time % 36];
        time /= 36;
    }
    // 36^11 < 2^57: unbiased digits from a 64-bit draw below the largest multiple of it.
    constexpr quint64 kRandomRange = 131621703842267136ULL; // 36^11
    constexpr quint64 kLimit = std::numeric_limits<quint64>::max() / kRandomRange * kRandomRange;
    QRandomGenerator* rng = QRandomGenerator::global();
    quint64 random = rng->generate64();
    while (random >= kLimit)
        random = rng->generate64();
    random %= kRandomRange;
    for (int i = 23; i >= 13; --i) {
        id[i] = alphabet[random % 36];
        random /= 36;
    }
    return QByteArray(id, sizeof id);
}

// Columns in the order every SELECT below lists them.
#define LEGBA_AUDIT_COLUMNS                                                                        \
    "seq, event_id, org_uuid, occurred_at, actor_key_id, actor_name, actor_prefix, action, "       \
    "target_type, target_id, status_code, ip, user_agent, request_id, details"

StoredEvent readEvent(const Rows& rows) {
    StoredEvent e;
    e.seq = rows.integer(0);
    e.eventId = rows.string(1);
    AuditRecord& r = e.record;
    r.orgUuid = rows.string(2);
    r.occurredAtMs = rows.integer(3);
    if (!rows.isNull(4))
        r.actor = AuditActor{rows.string(4), rows.string(5), rows.string(6)};
    r.action = rows.string(7);
    if (!rows.isNull(8))
        r.target = AuditTarget{rows.string(8), rows.string(9)};
    r.statusCode = static_cast<int>(rows.integer(10));
    r.ip = rows.string(11);
    r.userAgent = rows.string(12);
    r.requestId = rows.string(13);
    r.detailsJson = rows.value(14).toByteArray();
    return e;
}

AuditEvent toEvent(const StoredEvent& e) {
    AuditEvent event;
    event.eventId = e.eventId;
    event.occurredAt = timeFromStoredMs(e.record.occurredAtMs);
    event.actor = e.record.actor;
    event.action = e.record.action;
    event.target = e.record.target;
    event.statusCode = e.record.statusCode;
    event.success = e.record.statusCode < 400;
    event.ip = e.record.ip;
    event.userAgent = e.record.userAgent;
    event.requestId = e.record.requestId;
    event.detailsJson = e.record.detailsJson;
    return event;
}

constexpr const char* kInsertEvent =
    "INSERT INTO audit_events (seq, event_id, org_uuid, occurred_at, actor_key_id, actor_name, "
    "actor_prefix, action, target_type, target_id, status_code, ip, user_agent, request_id, "
    "details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

#if LEGBA_SQLITE_HANDLE
void insertDirect(Statement& insert, const EventText& e, const AuditRecord& r,
                  const QByteArray& previous, const QByteArray& hash) {
    insert.bind(1, e.seqValue);
    insert.bindText(2, e.eventId);
    insert.bindText(3, e.orgUuid);
    insert.bind(4, r.occurredAtMs);
    const auto optional = [&insert](int index, bool present, const QByteArray& value) {
        if (present)
            insert.bindText(index, value);
        else
            insert.bindNull(index);
    };
    optional(5, r.actor.has_value(), e.actorKeyId);
    optional(6, r.actor.has_value(), e.actorName);
    optional(7, r.actor.has_value(), e.actorPrefix);
    insert.bindText(8, e.action);
    optional(9, r.target.has_value(), e.targetType);
    optional(10, r.target.has_value(), e.targetId);
    insert.bind(11, r.statusCode);
    insert.bindText(12, e.ip);
    insert.bindText(13, e.userAgent);
    insert.bindText(14, e.requestId);
    // Blobs, as Qt's driver binds these QByteArrays: one storage class per column either way.
    insert.bindBlob(15, e.details);
    insert.bindBlob(16, previous);
    insert.bindBlob(17, hash);
    insert.execute();
}
#endif

void insertThroughQt(Database& db, const EventText& e, const AuditRecord& r,
                     const QByteArray& previous, const QByteArray& hash) {
    const auto textOrNull = [](const QString& s, bool present) {
        return present ? text(s) : QVariant();
    };
    const bool actor = r.actor.has_value();
    const bool target = r.target.has_value();
    db.run(kInsertEvent,
           QVariantList{e.seqValue, QString::fromLatin1(e.eventId), text(r.orgUuid), r.occurredAtMs,
                        textOrNull(actor ? r.actor->keyId : QString(), actor),
                        textOrNull(actor ? r.actor->name : QString(), actor),
                        textOrNull(actor ? r.actor->prefix : QString(), actor), text(r.action),
                        textOrNull(target ? r.target->type : QString(), target),
                        textOrNull(target ? r.target->id : QString(), target), r.statusCode,
                        text(r.ip), text(r.userAgent), text(r.requestId), e.details, previous,
                        hash})
        .finish();
}

} // namespace

void AuditLog::append(const std::vector<AuditRecord>& records) {
    if (records.empty())
        return;
    qint64 seq = 0;
    QByteArray previous = kGenesis;
    {
        Rows head(m_db.run("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1"));
        if (head.next()) {
            seq = head.integer(0);
            previous = head.value(1).toByteArray();
        }
    }
#if LEGBA_SQLITE_HANDLE
    Statement* insert = m_db.statement(kInsertEvent); // null when Qt's SQLite is another copy
#endif
    for (const AuditRecord& r : records) {
        const EventText e(++seq, newEventId(r.occurredAtMs), r);
        QByteArray hash = chainHash(previous, e);
#if LEGBA_SQLITE_HANDLE
        if (insert)
            insertDirect(*insert, e, r, previous, hash);
        else
#endif
            insertThroughQt(m_db, e, r, previous, hash);
        previous = std::move(hash);
    }
}

QString AuditLog::encodeCursor(qint64 seq) {
    return QString::fromLatin1(
        QByteArray("v1:" + QByteArray::number(seq))
            .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

std::optional<qint64> AuditLog::decodeCursor(const QString& cursor) {
    if (cursor.isEmpty() || cursor.size() > 64)
        return std::nullopt;
    const auto decoded = QByteArray::fromBase64Encoding(
        cursor.toLatin1(), QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || !decoded.decoded.startsWith("v1:"))
        return std::nullopt;
    bool ok = false;
    const qint64 seq = decoded.decoded.mid(3).toLongLong(&ok);
    // Only the very text encodeCursor issues: base64 has other spellings of the same bytes
    // ('=' padding, stray bits in the last digit) and a number other spellings ("01",
    // "+1"). Accepting them would let one position go by many cursors, and make the
    // refusal's "not a cursor this server issued" untrue.
    if (!ok || seq <= 0 || encodeCursor(seq) != cursor)
        return std::nullopt;
    return seq;
}

AuditPage AuditLog::page(const QString& orgUuid, const AuditQuery& query) {
    qint64 before = std::numeric_limits<qint64>::max();
    if (!query.cursor.isEmpty()) {
        const auto seq = decodeCursor(query.cursor);
        if (!seq)
            throw ApiFailure::validation(QStringLiteral("cursor"),
                                         QStringLiteral("is not a cursor this server issued"));
        before = *seq;
    }
    const qint64 since = query.since.isValid() ? query.since.toMSecsSinceEpoch()
                                               : std::numeric_limits<qint64>::min();
    const qint64 until = query.until.isValid() ? query.until.toMSecsSinceEpoch()
                                               : std::numeric_limits<qint64>::max();
    QString actionExact;
    QString actionPrefix;
    if (query.action.endsWith(QLatin1Char('.')))
        actionPrefix = query.action;
    else
        actionExact = query.action;
    const int outcome = !query.success ? 0 : (*query.success ? 1 : 2);

    // One statement for every combination of filters: an empty filter matches everything.
    // Fetch one more than asked to know whether another page exists.
    Rows rows(
        m_db.run("SELECT " LEGBA_AUDIT_COLUMNS " FROM audit_events "
                 "WHERE org_uuid = ? AND seq < ? AND occurred_at >= ? AND occurred_at < ? "
                 "AND (? = '' OR actor_key_id = ?) "
                 "AND (? = '' OR action = ?) "
                 "AND (? = '' OR substr(action, 1, length(?)) = ?) "
                 "AND (? = 0 OR (? = 1 AND status_code < 400) OR (? = 2 AND status_code >= 400)) "
                 "ORDER BY seq DESC LIMIT ?",
                 {orgUuid, before, since, until, text(query.actorKeyId), text(query.actorKeyId),
                  text(actionExact), text(actionExact), text(actionPrefix), text(actionPrefix),
                  text(actionPrefix), outcome, outcome, outcome, query.limit + 1}));
    AuditPage page;
    qint64 lastSeq = 0;
    while (rows.next()) {
        if (static_cast<int>(page.events.size()) == query.limit) {
            page.nextCursor = encodeCursor(lastSeq);
            break;
        }
        const StoredEvent e = readEvent(rows);
        lastSeq = e.seq;
        page.events.push_back(toEvent(e));
    }
    return page;
}

ChainVerdict AuditLog::verify() {
    ChainVerdict verdict;
    QByteArray previous = kGenesis;
    qint64 expectedSeq = 1;
    Rows rows(m_db.run("SELECT " LEGBA_AUDIT_COLUMNS ", prev_hash, hash FROM audit_events "
                       "ORDER BY seq ASC"));
    while (rows.next()) {
        const StoredEvent e = readEvent(rows);
        const QByteArray storedPrevious = rows.value(15).toByteArray();
        const QByteArray stored = rows.value(16).toByteArray();
        QString problem;
        if (e.seq != expectedSeq)
            problem = QStringLiteral("event #%1 is missing before it").arg(expectedSeq);
        else if (storedPrevious != previous)
            problem = QStringLiteral("its link to the previous event does not match");
        else if (chainHash(previous, e) != stored)
            problem = QStringLiteral("its content does not match its hash");
        if (!problem.isEmpty()) {
            verdict.intact = false;
            verdict.brokenEventId = e.eventId;
            verdict.brokenSeq = e.seq;
            verdict.problem = problem;
            return verdict;
        }
        previous = stored;
        ++expectedSeq;
        ++verdict.eventsChecked;
    }
    return verdict;
}

} // namespace legba::server
