#pragma once

#include "Types.h"

#include <QString>
#include <array>
#include <optional>
#include <stdexcept>
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

// What verification found, for callers that act on it rather than print it.
enum class ChainFinding {
    Intact,
    MissingEvent,   // a sequence number is skipped
    BrokenLink,     // prev_hash is not the previous event's hash
    ChangedContent, // the fields do not hash to the stored hash
    NullSwapped,    // the same, and flipping one column between NULL and '' would match
    CutTail,        // fewer events than the anchor records
    ExtraEvents,    // more events than the anchor records: appended without the key
    Rechained,      // as many events as anchored, but another head hash
    AnchorForged,   // the anchor or the pruning record does not match its MAC
    AnchorMissing,  // no anchor at all
    AnchorOtherKey, // the anchor was made with another key than the one given
};

struct ChainVerdict {
    bool intact = true;
    ChainFinding finding = ChainFinding::Intact;
    qint64 eventsChecked = 0;
    qint64 eventsPruned = 0; // removed by retention before the first event kept
    QString brokenEventId;   // the first event whose hash or link does not match
    qint64 brokenSeq = 0;
    QString problem;
};

// The anchor key cannot be read or created. Its text names the file, never the key.
class AnchorKeyError : public std::runtime_error {
public:
    explicit AnchorKeyError(const QString& what)
        : std::runtime_error(what.toStdString()) {}
};

// The key that MACs the chain's head. It lives outside the data directory, so that whoever
// can only write the data directory cannot make a cut or recomputed chain look anchored:
// $XDG_CONFIG_HOME/legba-server/audit-anchor.key by default, shared by legba-server and
// the app's in-process sandbox so that either can verify the other's data dir.
QString defaultAnchorKeyPath();
// Reads the key at `path`; with `create`, makes one (32 random bytes, mode 0600) when the
// file does not exist. Throws AnchorKeyError.
QByteArray loadAnchorKey(const QString& path, bool create);

// One stored event's columns as the v2 chain hashes them, in LEGBA_AUDIT_COLUMNS order:
// nullopt for SQL NULL, else the value's text (integers in decimal). Public for the tests
// that play an attacker recomputing the chain.
using AuditColumns = std::array<std::optional<QByteArray>, 15>;

// The append-only log. Each event's hash covers its fields and the previous event's hash,
// so that changing, removing or inserting a row breaks the chain from there on; an anchor
// (the head's sequence and hash, MACed with a key kept outside the data directory) makes a
// cut tail or a recomputed chain show. SQLite triggers refuse UPDATE, and DELETE except of
// what retention pruned.
class AuditLog {
public:
    struct Settings {
        QByteArray anchorKey; // empty: no anchor is written or checked
        qint64 maxEvents = 0; // retention by count; 0: keep all
        qint64 maxAgeMs = 0;  // retention by age; 0: keep all
    };

    explicit AuditLog(Database& db)
        : m_db(db) {}

    void configure(Settings settings) { m_settings = std::move(settings); }
    const Settings& settings() const { return m_settings; }

    // Appends in order. Must run inside a Transaction, which is what keeps an event and
    // the change it describes together.
    void append(const std::vector<AuditRecord>& records);
    void append(const AuditRecord& record) { append(std::vector<AuditRecord>{record}); }

    // Newest first. The cursor is the position after the last event returned, so events
    // that arrive meanwhile (always newer) never shift a page. Throws ApiFailure on a bad
    // cursor.
    AuditPage page(const QString& orgUuid, const AuditQuery& query);

    // Walks the chain from the pruned prefix's anchor (or the genesis) to the head, then
    // checks the head against the MACed anchor when a key is configured.
    ChainVerdict verify();

    // Writes the anchor for the current head when there is none (a data dir from before
    // anchors, or a new one). Must run inside a Transaction; needs the key.
    void ensureAnchor();

    // The v2 chain's hash of one event (chain version 2: length-prefixed, NULL distinct
    // from ''). One definition for append, verify, and the tests.
    static QByteArray hashV2(const QByteArray& previous, const AuditColumns& columns);

    static QString encodeCursor(qint64 seq);
    // The position of a cursor encodeCursor issued; nothing for any other text.
    static std::optional<qint64> decodeCursor(const QString& cursor);

private:
    // Removes the oldest events beyond the retention settings, leaving the last removed
    // event's hash and sequence as the start the chain is verified from. append runs it
    // after each batch, in its transaction. Returns how many it removed.
    qint64 prune(qint64 nowMs);
    void writeAnchor(qint64 headSeq, const QByteArray& headHash);

    Database& m_db;
    Settings m_settings;
};

} // namespace legba::server
