#include "AuditLog.h"

#include "ApiFailure.h"
#include "Database.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMessageAuthenticationCode>
#include <QRandomGenerator>
#include <QStandardPaths>
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

// Chain version 1, kept to verify the events written before version 2: SHA-256 over the
// previous hash and every field, each length-prefixed ("5:hello;"); lowercase hex. It reads
// NULL as '' and ignores actor_name/actor_prefix (target_id) when actor_key_id
// (target_type) is NULL, which is why version 2 hashes each column as stored.
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

AuditColumns columnsOf(const EventText& e, const AuditRecord& r) {
    const auto optional = [](bool present, const QByteArray& value) {
        return present ? std::optional<QByteArray>(value) : std::nullopt;
    };
    const bool actor = r.actor.has_value();
    const bool target = r.target.has_value();
    return {e.seq,
            e.eventId,
            e.orgUuid,
            e.occurredAt,
            optional(actor, e.actorKeyId),
            optional(actor, e.actorName),
            optional(actor, e.actorPrefix),
            e.action,
            optional(target, e.targetType),
            optional(target, e.targetId),
            e.statusCode,
            e.ip,
            e.userAgent,
            e.requestId,
            e.details};
}

constexpr const char* kColumnNames[] = {"seq",          "event_id",   "org_uuid",     "occurred_at",
                                        "actor_key_id", "actor_name", "actor_prefix", "action",
                                        "target_type",  "target_id",  "status_code",  "ip",
                                        "user_agent",   "request_id", "details"};
constexpr std::size_t kNullableColumns[] = {4, 5, 6, 8, 9};

// What the chain's start and end are checked against, kept in audit_meta (migration 2).
struct Meta {
    qint64 v2From = 1;                // events from this sequence on are hashed with version 2
    qint64 prunedThrough = 0;         // events up to this sequence were removed by retention
    QByteArray prunedHash = kGenesis; // the hash of the last of them
    std::optional<QByteArray> anchor;
};

Meta readMeta(Database& db) {
    Meta meta;
    Rows rows(db.run("SELECT name, value FROM audit_meta"));
    while (rows.next()) {
        const QString name = rows.string(0);
        const QByteArray value = rows.value(1).toString().toUtf8();
        if (name == QLatin1String("chain_v2_from"))
            meta.v2From = value.toLongLong();
        else if (name == QLatin1String("pruned_through"))
            meta.prunedThrough = value.toLongLong();
        else if (name == QLatin1String("pruned_hash"))
            meta.prunedHash = value;
        else if (name == QLatin1String("anchor"))
            meta.anchor = value;
    }
    return meta;
}

void setMeta(Database& db, const QString& name, const QString& value) {
    db.run("INSERT INTO audit_meta (name, value) VALUES (?, ?) "
           "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
           {name, value})
        .finish();
}

// Names the key without revealing it, so that verify can tell "another key" from "forged".
QByteArray keyId(const QByteArray& key) {
    QByteArray input("legba-audit-anchor-key-id:");
    input += key;
    return QCryptographicHash::hash(input, QCryptographicHash::Sha256).toHex().left(16);
}

// The MAC covers the head and everything that says where the chain starts and which
// version hashes what, so that none of those can be moved without the key.
QByteArray anchorMac(const QByteArray& key, qint64 headSeq, const QByteArray& headHash,
                     const Meta& meta) {
    const QByteArray message = "legba-audit-anchor-v1 " + QByteArray::number(headSeq) + ' ' +
                               headHash + ' ' + QByteArray::number(meta.prunedThrough) + ' ' +
                               meta.prunedHash + ' ' + QByteArray::number(meta.v2From);
    return QMessageAuthenticationCode::hash(message, key, QCryptographicHash::Sha256).toHex();
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
    event.outcome = e.record.statusCode < 400 ? AuditOutcome::Success : AuditOutcome::Failure;
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

QString defaultAnchorKeyPath() {
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) +
           QStringLiteral("/legba-server/audit-anchor.key");
}

QByteArray loadAnchorKey(const QString& path, bool create) {
    QFile file(path);
    if (!file.exists()) {
        if (!create)
            throw AnchorKeyError(QStringLiteral("no audit anchor key at %1").arg(path));
        if (!QDir().mkpath(QFileInfo(path).absolutePath()))
            throw AnchorKeyError(
                QStringLiteral("cannot create the directory of the audit anchor key %1").arg(path));
        QByteArray key(32, Qt::Uninitialized);
        QRandomGenerator::system()->generate(key.begin(), key.end());
        // NewOnly: two processes starting at once must not each write a different key.
        // Created 0600, not chmod-ed after: no moment where another user may read it.
        if (file.open(QIODevice::WriteOnly | QIODevice::NewOnly,
                      QFile::ReadOwner | QFile::WriteOwner)) {
            const bool written = file.write(key.toHex()) == 64 && file.flush();
            file.close();
            if (!written)
                throw AnchorKeyError(
                    QStringLiteral("cannot write the audit anchor key %1").arg(path));
        }
    }
    if (!file.open(QIODevice::ReadOnly))
        throw AnchorKeyError(QStringLiteral("cannot read the audit anchor key %1: %2")
                                 .arg(path, file.errorString()));
    const QByteArray text = file.read(1024).trimmed();
    const QByteArray key = QByteArray::fromHex(text);
    if (text.size() != 64 || key.size() != 32)
        throw AnchorKeyError(
            QStringLiteral("%1 is not an audit anchor key (64 hex digits)").arg(path));
    return key;
}

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
        QByteArray hash = hashV2(previous, columnsOf(e, r));
#if LEGBA_SQLITE_HANDLE
        if (insert)
            insertDirect(*insert, e, r, previous, hash);
        else
#endif
            insertThroughQt(m_db, e, r, previous, hash);
        previous = std::move(hash);
    }
    prune(records.back().occurredAtMs);
    writeAnchor(seq, previous);
}

QByteArray AuditLog::hashV2(const QByteArray& previous, const AuditColumns& columns) {
    QByteArray input;
    input.reserve(320 + (columns[12] ? columns[12]->size() : 0) +
                  (columns[14] ? columns[14]->size() : 0));
    input += "legba-audit-v2;";
    const auto field = [&input](const QByteArray& value) {
        input += QByteArray::number(value.size());
        input += ':';
        input += value;
        input += ';';
    };
    field(previous);
    for (const std::optional<QByteArray>& column : columns) {
        if (column)
            field(*column);
        else
            input += "-;"; // no length starts with '-': NULL never reads as ''
    }
    return QCryptographicHash::hash(input, QCryptographicHash::Sha256).toHex();
}

void AuditLog::writeAnchor(qint64 headSeq, const QByteArray& headHash) {
    if (m_settings.anchorKey.isEmpty())
        return;
    const Meta meta = readMeta(m_db);
    const QByteArray anchor = QByteArray::number(headSeq) + ' ' + headHash + ' ' +
                              keyId(m_settings.anchorKey) + ' ' +
                              anchorMac(m_settings.anchorKey, headSeq, headHash, meta);
    setMeta(m_db, QStringLiteral("anchor"), QString::fromLatin1(anchor));
}

void AuditLog::ensureAnchor() {
    if (m_settings.anchorKey.isEmpty() || readMeta(m_db).anchor)
        return;
    const Meta meta = readMeta(m_db);
    qint64 seq = meta.prunedThrough;
    QByteArray hash = meta.prunedHash;
    {
        Rows head(m_db.run("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1"));
        if (head.next()) {
            seq = head.integer(0);
            hash = head.value(1).toByteArray();
        }
    }
    writeAnchor(seq, hash);
}

qint64 AuditLog::prune(qint64 nowMs) {
    if (m_settings.maxEvents <= 0 && m_settings.maxAgeMs <= 0)
        return 0;
    const Meta meta = readMeta(m_db);
    qint64 headSeq = 0;
    {
        Rows head(m_db.run("SELECT MAX(seq) FROM audit_events"));
        if (head.next())
            headSeq = head.integer(0);
    }
    qint64 through = meta.prunedThrough;
    // By count, once the log is 1/64 over: one larger delete instead of a small one per
    // batch, which rewrote the same first pages of the table and its indexes every time.
    if (m_settings.maxEvents > 0 &&
        headSeq - meta.prunedThrough > m_settings.maxEvents + m_settings.maxEvents / 64)
        through = std::max(through, headSeq - m_settings.maxEvents);
    if (m_settings.maxAgeMs > 0) {
        // From the oldest kept event up to the first young enough: only what goes is read.
        Rows young(m_db.run("SELECT seq FROM audit_events WHERE seq > ? AND occurred_at >= ? "
                            "ORDER BY seq LIMIT 1",
                            {meta.prunedThrough, nowMs - m_settings.maxAgeMs}));
        through = std::max(through, young.next() ? young.integer(0) - 1 : headSeq);
    }
    if (through <= meta.prunedThrough)
        return 0;
    QByteArray lastHash;
    {
        Rows last(m_db.run("SELECT hash FROM audit_events WHERE seq = ?", {through}));
        if (!last.next())
            throw DbError(
                QStringLiteral("cannot prune the audit log: event #%1 is missing").arg(through));
        lastHash = last.value(0).toByteArray();
    }
    // The record first: the delete trigger allows removing only what it covers.
    setMeta(m_db, QStringLiteral("pruned_through"), QString::number(through));
    setMeta(m_db, QStringLiteral("pruned_hash"), QString::fromLatin1(lastHash));
    m_db.run("DELETE FROM audit_events WHERE seq <= ?", {through}).finish();
    return through - meta.prunedThrough;
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
    const Meta meta = readMeta(m_db);
    verdict.eventsPruned = meta.prunedThrough;
    QByteArray previous = meta.prunedThrough > 0 ? meta.prunedHash : kGenesis;
    qint64 expectedSeq = meta.prunedThrough + 1;
    const auto fail = [&verdict](ChainFinding finding, const QString& problem) {
        verdict.intact = false;
        verdict.finding = finding;
        verdict.problem = problem;
        return verdict;
    };
    {
        Rows rows(m_db.run("SELECT " LEGBA_AUDIT_COLUMNS ", prev_hash, hash FROM audit_events "
                           "ORDER BY seq ASC"));
        while (rows.next()) {
            const StoredEvent e = readEvent(rows);
            const QByteArray storedPrevious = rows.value(15).toByteArray();
            const QByteArray stored = rows.value(16).toByteArray();
            verdict.brokenEventId = e.eventId;
            verdict.brokenSeq = e.seq;
            if (e.seq != expectedSeq)
                return fail(ChainFinding::MissingEvent,
                            QStringLiteral("event #%1 is missing before it").arg(expectedSeq));
            if (storedPrevious != previous)
                return fail(ChainFinding::BrokenLink,
                            QStringLiteral("its link to the previous event does not match"));
            if (e.seq < meta.v2From) {
                if (chainHash(previous, e) != stored)
                    return fail(ChainFinding::ChangedContent,
                                QStringLiteral("its content does not match its hash"));
            } else {
                AuditColumns columns;
                for (std::size_t i = 0; i < columns.size(); ++i) {
                    if (rows.isNull(static_cast<int>(i)))
                        continue;
                    const QVariant v = rows.value(static_cast<int>(i));
                    columns[i] = v.typeId() == QMetaType::QByteArray ? v.toByteArray()
                                                                     : v.toString().toUtf8();
                }
                if (hashV2(previous, columns) != stored) {
                    for (const std::size_t i : kNullableColumns) {
                        AuditColumns flipped = columns;
                        if (!flipped[i])
                            flipped[i] = QByteArray("");
                        else if (flipped[i]->isEmpty())
                            flipped[i].reset();
                        else
                            continue;
                        if (hashV2(previous, flipped) == stored)
                            return fail(ChainFinding::NullSwapped,
                                        QStringLiteral("its %1 was changed %2")
                                            .arg(QLatin1String(kColumnNames[i]),
                                                 columns[i] ? QStringLiteral("from NULL to ''")
                                                            : QStringLiteral("from '' to NULL")));
                    }
                    return fail(ChainFinding::ChangedContent,
                                QStringLiteral("its content does not match its hash"));
                }
            }
            previous = stored;
            ++expectedSeq;
            ++verdict.eventsChecked;
        }
    }
    verdict.brokenEventId.clear();
    verdict.brokenSeq = 0;
    if (m_settings.anchorKey.isEmpty())
        return verdict;

    const qint64 headSeq = expectedSeq - 1;
    if (!meta.anchor)
        return fail(ChainFinding::AnchorMissing,
                    QStringLiteral("the log has no anchor: a cut tail or a recomputed chain "
                                   "cannot be ruled out"));
    const QList<QByteArray> parts = meta.anchor->split(' ');
    if (parts.size() != 4)
        return fail(ChainFinding::AnchorForged, QStringLiteral("the anchor is not readable"));
    bool ok = false;
    const qint64 anchoredSeq = parts[0].toLongLong(&ok);
    const QByteArray& anchoredHash = parts[1];
    if (!ok)
        return fail(ChainFinding::AnchorForged, QStringLiteral("the anchor is not readable"));
    if (parts[2] != keyId(m_settings.anchorKey))
        return fail(ChainFinding::AnchorOtherKey,
                    QStringLiteral("the anchor was made with another key (id %1) than the one "
                                   "given (id %2): pass the key the server used with "
                                   "--anchor-key")
                        .arg(QString::fromLatin1(parts[2]),
                             QString::fromLatin1(keyId(m_settings.anchorKey))));
    if (parts[3] != anchorMac(m_settings.anchorKey, anchoredSeq, anchoredHash, meta))
        return fail(ChainFinding::AnchorForged,
                    QStringLiteral("the anchor or the record of pruned events does not match "
                                   "its MAC: it was changed without the key"));
    if (headSeq < anchoredSeq)
        return fail(ChainFinding::CutTail,
                    QStringLiteral("%1 events are missing at the end: the anchor records the "
                                   "log up to #%2, the log ends at #%3 (a cut tail, or events "
                                   "removed and the chain recomputed)")
                        .arg(anchoredSeq - headSeq)
                        .arg(anchoredSeq)
                        .arg(headSeq));
    if (headSeq > anchoredSeq)
        return fail(ChainFinding::ExtraEvents,
                    QStringLiteral("%1 events after the anchored head #%2 were not written by a "
                                   "server holding the key")
                        .arg(headSeq - anchoredSeq)
                        .arg(anchoredSeq));
    if (previous != anchoredHash)
        return fail(ChainFinding::Rechained,
                    QStringLiteral("the chain was recomputed: its head #%1 does not have the "
                                   "anchored hash")
                        .arg(headSeq));
    return verdict;
}

} // namespace legba::server
