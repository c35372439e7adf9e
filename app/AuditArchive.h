#pragma once

#include "AuditRecords.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QStringList>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

namespace legba {

// Why the archive could not be opened, read or written: names the file and what failed.
class ArchiveError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// What to read from the archive: the audit pane's structured filters, a full-text query,
// and the keyset that pages newest first.
struct ArchiveQuery {
    QDateTime since; // inclusive
    QDateTime until; // exclusive
    QString actorKeyId;
    QString action; // exact, or a prefix ending in '.'
    std::optional<bool> success;
    // FTS5 query syntax over every field (actor, action, target, outcome, IP, user agent,
    // details' values): words, "a phrase", prefix*, AND / OR / NOT; or a request id, whole
    // (quoted or not), matched exactly. Empty: no text filter.
    QString text;
    int limit = 200;
    qint64 before = 0; // only events archived before this sequence; 0: from the newest
};

// A page read from the archive, newest first, in the compact shape the models show.
struct ArchivePage {
    audit::AuditBatch batch;
    std::vector<qint64> sequences;     // each record's archive sequence
    std::vector<bool> beyondRetention; // each record: the server no longer has it
    qint64 next = 0;                   // ArchiveQuery::before for the next page; 0: no more
};

// What storing a run of events did. `changed`: events already archived whose copy in the
// run differs from the archived one; the archived copy is kept, never rewritten.
struct StoreResult {
    int inserted = 0;
    int duplicates = 0;
    int notStored = 0; // storeNewer: below the newest archived event and not archived
    QStringList changed;
};

// One disagreement between the archive and the server, or inside the archive.
struct IntegrityIssue {
    enum class Kind {
        ChangedOnServer,  // the server sent the event with other contents than archived
        VanishedOnServer, // archived between two events the server sent, but not sent
        ChangedLocally,   // the archived row no longer matches the digest it was stored with
    };
    Kind kind;
    QString eventId;
    friend bool operator==(const IntegrityIssue&, const IntegrityIssue&) = default;
};

// The audit log of one organization profile kept on this machine: one SQLite file (WAL,
// mode 0600) holding events only, never a key. Events keep the server's order of recording
// as an archive sequence (larger: recorded later), so "the newest archived event" is exact:
// a sync stores the events newer than it with storeNewer(), and the history below the
// oldest with storeOlder(), whose cursor is persisted so that a backfill resumes after a
// restart. Each event carries the SHA-256 of its canonical JSON (RecordView::appendJson),
// truncated to 128 bits. Strings that repeat (actions, addresses, user agents, actors,
// details) are interned in a side table; a contentless FTS5 index (detail=full: phrases and
// prefixes) covers every field but the request id, which has an exact index of its own, and
// details' JSON keys (their values are indexed). Not thread-safe: one thread per archive.
//
// Size (bench/README.md): under 250 bytes an event on the demo traffic. What it costs:
// a request id is found whole (ArchiveQuery::text being exactly one), not by a part or a
// prefix; a details key ("route") is not a word of the index, its value is. The file is
// not VACUUMed: the FTS index's segments are merged and the freed pages given back when the
// backfill ends, on the thread that stores.
class AuditArchive {
public:
    static constexpr int kSchemaVersion = 3;

    // <dataDir>/audit/<profile id>.sqlite; dataDir defaults to AppDataLocation.
    static QString pathFor(const QString& profileId, const QString& dataDir = {});

    // Deletes an archive's file with its -wal and -shm (a profile being removed; the archive
    // must not be open). True when none of them is left; else, with `error`, names the first
    // file left and why ("<file>: <reason>").
    static bool removeFiles(const QString& path, QString* error = nullptr);

    // Opens (creating with mode 0600, or migrating an older schema) the file. Throws
    // ArchiveError.
    explicit AuditArchive(const QString& path);
    ~AuditArchive();
    AuditArchive(const AuditArchive&) = delete;
    AuditArchive& operator=(const AuditArchive&) = delete;

    QString path() const;
    qint64 count() const;
    QString newestEventId() const; // empty when the archive is empty
    QString oldestEventId() const;
    // The cursor of the next older page to backfill; empty when none is known yet.
    QString backfillCursor() const;
    bool backfillDone() const; // the server said there is nothing older
    // When the archive was last verified against the server's whole log (invalid: never).
    QDateTime lastVerified() const;
    void setLastVerified(const QDateTime& when);

    // Stores the events the server recorded after the newest archived one: `pages` as the
    // server sent them, newest first, from its newest event down to (and possibly past)
    // the newest archived one. What comes after the newest archived event is compared with
    // the archive, never stored (it is the backfill's). One transaction. On an empty archive
    // the last page's next_cursor becomes the backfill cursor.
    StoreResult storeNewer(const std::vector<const audit::AuditBatch*>& pages);
    StoreResult storeNewer(const audit::AuditBatch& page) { return storeNewer({&page}); }
    // Stores a page older than the oldest archived event (the page at backfillCursor()) and
    // moves the cursor to its next_cursor, in one transaction.
    StoreResult storeOlder(const audit::AuditBatch& page);

    // Marks the events archived before `serverOldestEventId` (the oldest event the server
    // still sends) as beyond the server's retention. Returns how many were newly marked;
    // -1 when that event is not archived.
    int markBeyondRetention(const QString& serverOldestEventId);
    // Marks the events archived at or below `sequence` (a walk's ceiling at the server's end:
    // below the oldest archived event the server still sent) as beyond the server's
    // retention. Returns how many were newly marked.
    int markBeyondRetentionThrough(qint64 sequence);

    // The events of `serverPage` whose server copy differs from the archived one, and the
    // archived events between its newest and oldest that it lacks. `serverPage` must be an
    // unfiltered page. Changes nothing.
    std::vector<IntegrityIssue> compareWithServer(const audit::AuditBatch& serverPage) const;
    // The same for one page of a walk down the server's whole unfiltered log, newest first,
    // which also finds an archived event missing between this page and the one before.
    // `*ceiling`: the highest archive sequence the walk compares; start it at
    // newestSequence() read when the walk began (events stored since, newer than the walk's
    // first page, are not compared), and pass it on from page to page: it moves below the
    // page's oldest archived event. Events the archive lacks (newer than it) are skipped.
    std::vector<IntegrityIssue> compareWithServer(const audit::AuditBatch& serverPage,
                                                  qint64* ceiling) const;
    // The archive sequence of the newest event; 0 when the archive is empty.
    qint64 newestSequence() const;
    // Archived rows that no longer match their digest (edited in the file).
    std::vector<IntegrityIssue> checkLocal() const;

    // Newest first; throws ArchiveError naming the problem for a malformed text query.
    ArchivePage read(const ArchiveQuery& query) const;

private:
    std::vector<IntegrityIssue> compare(const audit::AuditBatch& serverPage, qint64* ceiling,
                                        bool walk) const;

    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace legba
