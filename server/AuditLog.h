#pragma once

#include "Types.h"

#include <QString>
#include <optional>
#include <vector>

namespace legba::server {

class Database;

// One event as the server writes it: AuditEvent plus the organization it belongs to.
struct AuditRecord {
    QString orgUuid;
    qint64 occurredAtMs = 0;
    std::optional<AuditActor> actor;
    QString action;
    std::optional<AuditTarget> target;
    int statusCode = 200;
    QString ip;
    QString userAgent;
    QString requestId;
    QByteArray detailsJson; // compact JSON object; empty means {}
};

struct ChainVerdict {
    bool intact = true;
    qint64 eventsChecked = 0;
    QString brokenEventId; // the first event whose hash or link does not match
    qint64 brokenSeq = 0;
    QString problem;
};

// The append-only log. Each event's hash covers its fields and the previous event's hash,
// so that changing, removing or inserting a row breaks the chain from there on. SQLite
// triggers refuse UPDATE and DELETE on the table as well.
class AuditLog {
public:
    explicit AuditLog(Database& db)
        : m_db(db) {}

    // Appends in order. Must run inside a Transaction, which is what keeps an event and
    // the change it describes together.
    void append(const std::vector<AuditRecord>& records);
    void append(const AuditRecord& record) { append(std::vector<AuditRecord>{record}); }

    // Newest first. The cursor is the position after the last event returned, so events
    // that arrive meanwhile (always newer) never shift a page. Throws ApiFailure on a bad
    // cursor.
    AuditPage page(const QString& orgUuid, const AuditQuery& query);

    ChainVerdict verify();

    static QString encodeCursor(qint64 seq);
    // The position of a cursor encodeCursor issued; nothing for any other text.
    static std::optional<qint64> decodeCursor(const QString& cursor);

private:
    Database& m_db;
};

} // namespace legba::server
