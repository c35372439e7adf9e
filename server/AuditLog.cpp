#include "AuditLog.h"

#include "ApiFailure.h"
#include "Database.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QRandomGenerator>
#include <QTimeZone>

namespace legba::server {

namespace {

const QByteArray kGenesis(64, '0');

// Length-prefixed fields, so that no two different events serialize alike.
void field(QCryptographicHash& hash, const QByteArray& value) {
    hash.addData(QByteArray::number(value.size()));
    hash.addData(QByteArrayView(":"));
    hash.addData(value);
    hash.addData(QByteArrayView(";"));
}

void field(QCryptographicHash& hash, const QString& value) {
    field(hash, value.toUtf8());
}

struct StoredEvent {
    qint64 seq = 0;
    QString eventId;
    AuditRecord record;
};

QByteArray chainHash(const QByteArray& previous, const StoredEvent& e) {
    QCryptographicHash hash(QCryptographicHash::Sha256);
    field(hash, previous);
    field(hash, QByteArray::number(e.seq));
    field(hash, e.eventId);
    const AuditRecord& r = e.record;
    field(hash, r.orgUuid);
    field(hash, QByteArray::number(r.occurredAtMs));
    field(hash, r.actor ? r.actor->keyId : QString());
    field(hash, r.actor ? r.actor->name : QString());
    field(hash, r.actor ? r.actor->prefix : QString());
    field(hash, r.action);
    field(hash, r.target ? r.target->type : QString());
    field(hash, r.target ? r.target->id : QString());
    field(hash, QByteArray::number(r.statusCode));
    field(hash, r.ip);
    field(hash, r.userAgent);
    field(hash, r.requestId);
    field(hash, r.detailsJson.isEmpty() ? QByteArray("{}") : r.detailsJson);
    return hash.result().toHex();
}

QString newEventId() {
    static constexpr char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    QString id = QStringLiteral("evt_");
    id.reserve(24);
    QRandomGenerator* rng = QRandomGenerator::global();
    for (int i = 0; i < 20; ++i)
        id.append(QLatin1Char(alphabet[rng->bounded(36U)]));
    return id;
}

QVariant textOrNull(const QString& s, bool present) {
    return present ? QVariant(s) : QVariant();
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
    event.occurredAt = QDateTime::fromMSecsSinceEpoch(e.record.occurredAtMs, QTimeZone::utc());
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

} // namespace

constexpr const char* kInsertHead =
    "INSERT INTO audit_events (seq, event_id, org_uuid, occurred_at, actor_key_id, actor_name, "
    "actor_prefix, action, target_type, target_id, status_code, ip, user_agent, request_id, "
    "details, prev_hash, hash) VALUES ";
constexpr const char* kInsertRow = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

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
    // Many rows per statement: one statement's overhead in Qt's driver costs more than
    // binding its values, and reads make an event each.
    constexpr int kBatch = 32;
    static const std::string batchSql = [] {
        std::string sql = kInsertHead;
        for (int i = 0; i < kBatch; ++i)
            sql += i == 0 ? kInsertRow : std::string(",") + kInsertRow;
        return sql;
    }();
    static const std::string oneSql = std::string(kInsertHead) + kInsertRow;
    QVariantList values;
    values.reserve(kBatch * 17);
    int inBatch = 0;
    std::size_t left = records.size();
    for (const AuditRecord& r : records) {
        StoredEvent e{++seq, newEventId(), r};
        const QByteArray hash = chainHash(previous, e);
        values << e.seq << e.eventId << r.orgUuid << r.occurredAtMs
               << textOrNull(r.actor ? r.actor->keyId : QString(), r.actor.has_value())
               << textOrNull(r.actor ? r.actor->name : QString(), r.actor.has_value())
               << textOrNull(r.actor ? r.actor->prefix : QString(), r.actor.has_value())
               << text(r.action)
               << textOrNull(r.target ? r.target->type : QString(), r.target.has_value())
               << textOrNull(r.target ? r.target->id : QString(), r.target.has_value())
               << r.statusCode << text(r.ip) << text(r.userAgent) << text(r.requestId)
               << (r.detailsJson.isEmpty() ? QByteArray("{}") : r.detailsJson) << previous << hash;
        previous = hash;
        ++inBatch;
        --left;
        // Full batches go in one statement; the rest one by one.
        if (inBatch == kBatch) {
            m_db.run(batchSql.c_str(), values).finish();
            values.clear();
            inBatch = 0;
        } else if (inBatch + static_cast<int>(left) < kBatch) {
            m_db.run(oneSql.c_str(), values).finish();
            values.clear();
            inBatch = 0;
        }
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
    if (!ok || seq <= 0 || QByteArray::number(seq) != decoded.decoded.mid(3))
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
