#include "AuditArchive.h"

#include "AuditPageSax.h"
#include "Logging.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QUuid>
#include <algorithm>
#include <limits>

namespace legba {

namespace {

// Version 1, the older schema (kept here because migrate() reads it): one row per event,
// its JSON as the server sent it, no digest, no index but event_id's.
//   CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)
//   CREATE TABLE events(seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE,
//                       json TEXT NOT NULL)
//   PRAGMA user_version = 1
//
// Version 2: strings that repeat are interned (strings, actors); string id 0 is "". An event
// is a row of small integers plus its unique strings (event_id, request_id, target id) and
// a 32-byte SHA-256; events_fts is contentless (the text lives in events and strings), its
// rowid is the event's seq. detail=full because phrase queries need positions; columnsize=0
// because results are ranked by seq, never by bm25. FTS text: every field, the request id
// and details' whole JSON (keys too) included.
//
// Version 3 (bench/README.md, "The local audit archive": 293 to under 250 bytes an event):
// - the digest is SHA-256 truncated to 128 bits (an integrity check against edits and a
//   server's changes, not a signature: 128 bits leave no practical collision);
// - the request id is no longer in the FTS index (a token unique to each event: ~30 bytes
//   of index each). It is stored as the bytes of its hex digits when it has the server's
//   shape ("req_" and an even number of lower-case hex digits; any other stays text) and
//   found through an index of its own: a search whose whole text is a request id (quoted
//   or not) matches it exactly (AuditArchive::read);
// - details are indexed by their values only: the JSON's keys (the same few in every
//   event) are left out; a key is found by the words of its value.
constexpr const char* kSchema[] = {
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE strings(id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE)",
    "INSERT INTO strings(id, text) VALUES(0, '')",
    "CREATE TABLE actors(id INTEGER PRIMARY KEY, key_id INTEGER NOT NULL, name INTEGER NOT NULL,"
    " prefix INTEGER NOT NULL, UNIQUE(key_id, name, prefix))",
    // request_id has no declared type: a BLOB (the server's shape, compacted) or TEXT.
    "CREATE TABLE events(seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE,"
    " occurred_ms INTEGER NOT NULL, actor INTEGER NOT NULL, action INTEGER NOT NULL,"
    " outcome INTEGER NOT NULL, status INTEGER NOT NULL, ip INTEGER NOT NULL,"
    " user_agent INTEGER NOT NULL, request_id NOT NULL, target_type INTEGER,"
    " target_id TEXT, details INTEGER NOT NULL, beyond_retention INTEGER NOT NULL DEFAULT 0,"
    " digest BLOB NOT NULL)",
    "CREATE INDEX events_request ON events(request_id)",
    "CREATE VIRTUAL TABLE events_fts USING fts5(text, content='', columnsize=0, detail=full)",
};

// The digest's length: SHA-256's first 16 bytes.
constexpr qsizetype kDigestBytes = 16;
constexpr std::string_view kRequestPrefix = "req_";

constexpr const char* kSelectColumns =
    "SELECT e.seq, e.event_id, e.occurred_ms, e.status, e.request_id, e.target_id,"
    " e.beyond_retention, e.digest, sa.text, so.text, si.text, su.text, st.text, sd.text,"
    " e.actor, ak.text, an.text, ap.text";
constexpr const char* kJoins =
    " JOIN strings sa ON sa.id = e.action JOIN strings so ON so.id = e.outcome"
    " JOIN strings si ON si.id = e.ip JOIN strings su ON su.id = e.user_agent"
    " LEFT JOIN strings st ON st.id = e.target_type JOIN strings sd ON sd.id = e.details"
    " LEFT JOIN actors a ON a.id = e.actor LEFT JOIN strings ak ON ak.id = a.key_id"
    " LEFT JOIN strings an ON an.id = a.name LEFT JOIN strings ap ON ap.id = a.prefix";

std::string_view viewOf(const QByteArray& bytes) {
    return {bytes.constData(), static_cast<std::size_t>(bytes.size())};
}

void closeConnection(const QString& name) {
    QSqlDatabase::database(name, false).close();
    QSqlDatabase::removeDatabase(name);
}

QString fromView(std::string_view text) {
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

QByteArray digestOf(const audit::RecordView& view, std::string& scratch) {
    scratch.clear();
    view.appendJson(scratch);
    return QCryptographicHash::hash(
               QByteArrayView(scratch.data(), static_cast<qsizetype>(scratch.size())),
               QCryptographicHash::Sha256)
        .first(kDigestBytes);
}

// A request id as stored: the bytes of its hex digits when it has the server's shape, else
// its text (empty: a null, stored as '').
QVariant requestIdValue(std::string_view id) {
    if (id.starts_with(kRequestPrefix)) {
        const std::string_view digits = id.substr(kRequestPrefix.size());
        const bool hex = !digits.empty() && digits.size() % 2 == 0 &&
                         std::all_of(digits.begin(), digits.end(), [](char c) {
                             return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                         });
        if (hex)
            return QByteArray::fromHex(
                QByteArray(digits.data(), static_cast<qsizetype>(digits.size())));
    }
    return fromView(id);
}

// The inverse of requestIdValue().
QByteArray requestIdText(const QVariant& stored) {
    if (stored.typeId() == QMetaType::QByteArray)
        return QByteArray(kRequestPrefix.data(), static_cast<qsizetype>(kRequestPrefix.size())) +
               stored.toByteArray().toHex();
    return stored.toString().toUtf8();
}

// The values of a JSON text (strings' contents, numbers, literals), each followed by a
// space; its keys and punctuation are left out. Not a validator: details are JSON already.
void appendJsonValues(std::string& out, std::string_view json) {
    std::size_t i = 0;
    while (i < json.size()) {
        const char c = json[i];
        if (c == '"') {
            const std::size_t begin = ++i;
            while (i < json.size() && json[i] != '"')
                i += json[i] == '\\' ? std::size_t{2} : std::size_t{1};
            const std::size_t end = std::min(i, json.size());
            ++i;
            std::size_t next = i;
            while (next < json.size() && (json[next] == ' ' || json[next] == '\n' ||
                                          json[next] == '\r' || json[next] == '\t'))
                ++next;
            if (next < json.size() && json[next] == ':')
                continue; // a key
            out.append(json.substr(begin, end - begin));
            out.push_back(' ');
        } else if (std::string_view("{}[],: \n\r\t").find(c) != std::string_view::npos) {
            ++i;
        } else {
            const std::size_t begin = i;
            while (i < json.size() &&
                   std::string_view("{}[],: \n\r\t\"").find(json[i]) == std::string_view::npos)
                ++i;
            out.append(json.substr(begin, i - begin));
            out.push_back(' ');
        }
    }
}

// Every field a person may search for, as one text: FTS5's tokenizer splits it into words.
// The request id is searched through its own index; details by their values.
QString searchText(const audit::RecordView& view) {
    const audit::RecordStrings& s = view.strings();
    std::string text;
    text.reserve(256);
    for (std::string_view part : {s.actorName, s.actorKeyId, s.actorPrefix, s.action, s.targetType,
                                  s.targetId, view.outcome(), s.ip, s.userAgent}) {
        if (part.empty())
            continue;
        text.append(part);
        text.push_back(' ');
    }
    appendJsonValues(text, s.details);
    return fromView(text);
}

// Rows of kSelectColumns, rebuilt into a batch.
struct Rows {
    audit::AuditBatch batch;
    std::vector<qint64> sequences;
    std::vector<bool> beyondRetention;
    std::vector<QByteArray> digests;
};

class RowReader {
public:
    explicit RowReader(Rows& rows)
        : m_rows(rows) {}

    void add(const QSqlQuery& q) {
        audit::AuditBatch& b = m_rows.batch;
        audit::AuditRecord r;
        r.occurredMs = q.value(2).toLongLong();
        r.statusCode = static_cast<quint16>(q.value(3).toInt());
        const QByteArray outcome = q.value(9).toString().toUtf8();
        if (outcome == "success")
            r.flags |= audit::AuditRecord::Success;
        else if (outcome != "failure")
            r.flags |= audit::AuditRecord::OtherOutcome;
        if (!q.value(12).isNull())
            r.flags |= audit::AuditRecord::HasTarget;
        r.action = intern(q.value(8));
        r.ip = intern(q.value(10));
        r.userAgent = intern(q.value(11));
        r.targetType = intern(q.value(12));
        r.details = intern(q.value(13));
        const qint64 actor = q.value(14).toLongLong();
        if (actor != 0) {
            auto it = m_actors.find(actor);
            if (it == m_actors.end()) {
                b.actors.push_back({intern(q.value(15)), intern(q.value(16)), intern(q.value(17))});
                it = m_actors.insert(actor, static_cast<quint32>(b.actors.size() - 1));
            }
            r.actor = *it;
        }
        r.uniqueOffset = static_cast<quint32>(b.unique.size());
        const QByteArray eventId = q.value(1).toString().toUtf8();
        const QByteArray requestId = requestIdText(q.value(4));
        const QByteArray targetId = q.value(5).toString().toUtf8();
        audit::appendUnique(b.unique, viewOf(eventId), viewOf(requestId), viewOf(targetId));
        if (r.hasOtherOutcome())
            audit::appendOtherOutcome(b.unique, viewOf(outcome));
        b.records.push_back(r);
        m_rows.sequences.push_back(q.value(0).toLongLong());
        m_rows.beyondRetention.push_back(q.value(6).toInt() != 0);
        m_rows.digests.push_back(q.value(7).toByteArray());
    }

private:
    audit::StringId intern(const QVariant& value) {
        if (value.isNull())
            return 0;
        const QByteArray utf8 = value.toString().toUtf8();
        return m_rows.batch.strings.intern(viewOf(utf8));
    }

    Rows& m_rows;
    QHash<qint64, quint32> m_actors; // archive actor id -> index in the batch
};

} // namespace

struct AuditArchive::Impl {
    QString path;
    QString connection;
    QHash<QByteArray, qint64> stringIds;
    QHash<QByteArray, qint64> actorIds;
    std::unique_ptr<QSqlQuery> findString, addString, findActor, addActor, addEvent, addText,
        eventDigest;
    std::string scratch;

    QSqlDatabase db() const { return QSqlDatabase::database(connection, false); }

    [[noreturn]] void fail(const QString& what, const QSqlError& error) const {
        throw ArchiveError(
            QStringLiteral("audit archive %1: %2: %3").arg(path, what, error.text()).toStdString());
    }
    void exec(QSqlQuery& q, const char* what) const {
        if (!q.exec())
            fail(QString::fromLatin1(what), q.lastError());
    }
    QSqlQuery run(const QString& sql) const {
        QSqlQuery q(db());
        if (!q.exec(sql))
            fail(sql, q.lastError());
        return q;
    }
    QVariant scalar(const QString& sql) const {
        QSqlQuery q = run(sql);
        return q.next() ? q.value(0) : QVariant();
    }
    std::unique_ptr<QSqlQuery> prepare(const char* sql) const {
        auto q = std::make_unique<QSqlQuery>(db());
        if (!q->prepare(QString::fromLatin1(sql)))
            fail(QString::fromLatin1(sql), q->lastError());
        return q;
    }

    void prepareStatements() {
        findString = prepare("SELECT id FROM strings WHERE text = ?");
        addString = prepare("INSERT INTO strings(text) VALUES(?)");
        findActor = prepare("SELECT id FROM actors WHERE key_id = ? AND name = ? AND prefix = ?");
        addActor = prepare("INSERT INTO actors(key_id, name, prefix) VALUES(?, ?, ?)");
        addEvent = prepare(
            "INSERT INTO events(seq, event_id, occurred_ms, actor, action, outcome, status, ip,"
            " user_agent, request_id, target_type, target_id, details, digest)"
            " VALUES(?, coalesce(?, ''), ?, ?, ?, ?, ?, ?, ?, coalesce(?, ''), ?, ?, ?, ?)"
            " ON CONFLICT(event_id) DO NOTHING");
        addText = prepare("INSERT INTO events_fts(rowid, text) VALUES(?, ?)");
        eventDigest = prepare("SELECT seq, digest FROM events WHERE event_id = ?");
    }

    qint64 intern(std::string_view text) {
        if (text.empty())
            return 0;
        const QByteArray key(text.data(), static_cast<qsizetype>(text.size()));
        if (const auto it = stringIds.constFind(key); it != stringIds.cend())
            return *it;
        const QString value = QString::fromUtf8(key);
        findString->bindValue(0, value);
        exec(*findString, "find string");
        qint64 id = 0;
        if (findString->next()) {
            id = findString->value(0).toLongLong();
        } else {
            addString->bindValue(0, value);
            exec(*addString, "add string");
            id = addString->lastInsertId().toLongLong();
        }
        findString->finish();
        stringIds.insert(key, id);
        return id;
    }

    qint64 actorOf(const audit::RecordView& view) {
        const audit::RecordStrings& s = view.strings();
        if (!s.hasActor)
            return 0;
        const qint64 ids[] = {intern(s.actorKeyId), intern(s.actorName), intern(s.actorPrefix)};
        const QByteArray key = QByteArray::number(ids[0]) + ':' + QByteArray::number(ids[1]) + ':' +
                               QByteArray::number(ids[2]);
        if (const auto it = actorIds.constFind(key); it != actorIds.cend())
            return *it;
        for (int i = 0; i < 3; ++i)
            findActor->bindValue(i, ids[i]);
        exec(*findActor, "find actor");
        qint64 id = 0;
        if (findActor->next()) {
            id = findActor->value(0).toLongLong();
        } else {
            for (int i = 0; i < 3; ++i)
                addActor->bindValue(i, ids[i]);
            exec(*addActor, "add actor");
            id = addActor->lastInsertId().toLongLong();
        }
        findActor->finish();
        actorIds.insert(key, id);
        return id;
    }

    // Inserts one event at `seq` unless its event_id is archived; true when inserted.
    bool insert(const audit::RecordView& view, qint64 seq, StoreResult& result) {
        const audit::AuditRecord& r = view.record();
        const audit::RecordStrings& s = view.strings();
        const QByteArray digest = digestOf(view, scratch);
        addEvent->bindValue(0, seq);
        addEvent->bindValue(1, fromView(s.eventId));
        addEvent->bindValue(2, r.occurredMs);
        addEvent->bindValue(3, actorOf(view));
        addEvent->bindValue(4, intern(s.action));
        addEvent->bindValue(5, intern(view.outcome()));
        addEvent->bindValue(6, r.statusCode);
        addEvent->bindValue(7, intern(s.ip));
        addEvent->bindValue(8, intern(s.userAgent));
        addEvent->bindValue(9, requestIdValue(s.requestId));
        addEvent->bindValue(10, r.hasTarget() ? QVariant(intern(s.targetType)) : QVariant());
        addEvent->bindValue(11, r.hasTarget() ? QVariant(fromView(s.targetId)) : QVariant());
        addEvent->bindValue(12, intern(s.details));
        addEvent->bindValue(13, digest);
        exec(*addEvent, "add event");
        if (addEvent->numRowsAffected() == 0) {
            ++result.duplicates;
            if (archivedDigest(s.eventId) != digest)
                result.changed.append(fromView(s.eventId));
            return false;
        }
        addText->bindValue(0, seq);
        addText->bindValue(1, searchText(view));
        exec(*addText, "index event");
        ++result.inserted;
        return true;
    }

    // The archived digest of an event, and its seq; empty when not archived.
    QByteArray archivedDigest(std::string_view eventId, qint64* seq = nullptr) const {
        eventDigest->bindValue(0, fromView(eventId));
        exec(*eventDigest, "find event");
        QByteArray digest;
        if (eventDigest->next()) {
            if (seq)
                *seq = eventDigest->value(0).toLongLong();
            digest = eventDigest->value(1).toByteArray();
        }
        eventDigest->finish();
        return digest;
    }

    void setMeta(const QString& key, const QString& value) {
        QSqlQuery q(db());
        q.prepare(QStringLiteral("INSERT INTO meta(key, value) VALUES(?, coalesce(?, ''))"
                                 " ON CONFLICT(key) DO UPDATE SET value = excluded.value"));
        q.bindValue(0, key);
        q.bindValue(1, value);
        exec(q, "set meta");
    }
    QString meta(const QString& key) const {
        QSqlQuery q(db());
        q.prepare(QStringLiteral("SELECT value FROM meta WHERE key = ?"));
        q.bindValue(0, key);
        exec(q, "read meta");
        return q.next() ? q.value(0).toString() : QString();
    }

    void begin() {
        if (!db().transaction())
            fail(QStringLiteral("begin"), db().lastError());
    }
    void commit() {
        if (!db().commit())
            fail(QStringLiteral("commit"), db().lastError());
    }
    void rollback() { db().rollback(); }

    template <typename F> auto transaction(F&& work) {
        begin();
        try {
            if constexpr (std::is_void_v<decltype(work())>) {
                work();
                commit();
            } else {
                auto result = work();
                commit();
                return result;
            }
        } catch (...) {
            rollback();
            throw;
        }
    }

    void createSchema() {
        for (const char* sql : kSchema)
            run(QString::fromLatin1(sql));
    }

    void migrateFrom1() {
        transaction([&] {
            run(QStringLiteral("ALTER TABLE events RENAME TO events_v1"));
            createSchema();
            prepareStatements();
            StoreResult ignored;
            QSqlQuery q(db());
            q.setForwardOnly(true);
            if (!q.exec(QStringLiteral("SELECT seq, json FROM events_v1 ORDER BY seq")))
                fail(QStringLiteral("read version 1"), q.lastError());
            bool more = q.next();
            while (more) {
                // A page in the API's shape, read by the one reader of audit pages.
                QByteArray body("{\"events\":[");
                std::vector<qint64> seqs;
                for (; more && seqs.size() < 1000; more = q.next()) {
                    if (!seqs.empty())
                        body.append(',');
                    body.append(q.value(1).toString().toUtf8());
                    seqs.push_back(q.value(0).toLongLong());
                }
                body.append("],\"next_cursor\":null}");
                audit::AuditBatch page;
                try {
                    page = audit::parseAuditPage(body);
                } catch (const std::exception& e) {
                    throw ArchiveError(QStringLiteral("audit archive %1: version 1 events cannot "
                                                      "be read: %2")
                                           .arg(path, QString::fromUtf8(e.what()))
                                           .toStdString());
                }
                if (!page.unreadable.empty() || page.records.size() != seqs.size())
                    throw ArchiveError(QStringLiteral("audit archive %1: a version 1 event cannot "
                                                      "be read (%2); the file is left as it was")
                                           .arg(path, page.unreadable.empty()
                                                          ? QString()
                                                          : page.unreadable.front().field)
                                           .toStdString());
                for (std::size_t i = 0; i < seqs.size(); ++i)
                    insert(page.view(i), seqs[i], ignored);
            }
            q.finish();
            run(QStringLiteral("DROP TABLE events_v1"));
            run(QStringLiteral("PRAGMA user_version = %1").arg(kSchemaVersion));
        });
    }

    // Version 2 to 3 (kSchema): digests truncated, request ids compacted and indexed, the
    // FTS index rebuilt without request ids and details' keys. One transaction; the events'
    // rows keep their seq and contents.
    void migrateFrom2() {
        transaction([&] {
            run(QStringLiteral("DROP TABLE events_fts"));
            run(QStringLiteral("CREATE VIRTUAL TABLE events_fts USING fts5(text, content='',"
                               " columnsize=0, detail=full)"));
            run(QStringLiteral("UPDATE events SET digest = substr(digest, 1, %1)")
                    .arg(kDigestBytes));
            QSqlQuery setRequest(db());
            QSqlQuery indexText(db());
            if (!setRequest.prepare(
                    QStringLiteral("UPDATE events SET request_id = ? WHERE seq = ?")) ||
                !indexText.prepare(
                    QStringLiteral("INSERT INTO events_fts(rowid, text) VALUES(?, ?)")))
                fail(QStringLiteral("migrate from version 2"), setRequest.lastError());
            qint64 after = std::numeric_limits<qint64>::min();
            for (;;) {
                const Rows rows =
                    select(QString::fromLatin1(kSelectColumns) + QStringLiteral(" FROM events e") +
                               QString::fromLatin1(kJoins) +
                               QStringLiteral(" WHERE e.seq > ? ORDER BY e.seq LIMIT 5000"),
                           {after});
                if (rows.sequences.empty())
                    break;
                for (std::size_t i = 0; i < rows.sequences.size(); ++i) {
                    const audit::RecordView view = rows.batch.view(i);
                    setRequest.bindValue(0, requestIdValue(view.strings().requestId));
                    setRequest.bindValue(1, rows.sequences[i]);
                    exec(setRequest, "migrate a request id");
                    indexText.bindValue(0, rows.sequences[i]);
                    indexText.bindValue(1, searchText(view));
                    exec(indexText, "index an event");
                }
                after = rows.sequences.back();
            }
            run(QStringLiteral("CREATE INDEX events_request ON events(request_id)"));
            run(QStringLiteral("INSERT INTO events_fts(events_fts) VALUES('optimize')"));
            run(QStringLiteral("PRAGMA user_version = %1").arg(kSchemaVersion));
        });
        freePages();
    }

    // Gives free pages back to the file system. The pragma frees one page per row it
    // answers, and Qt reads a statement without columns only once: so once per free page.
    void freePages() {
        qint64 free = scalar(QStringLiteral("PRAGMA freelist_count")).toLongLong();
        while (free-- > 0)
            run(QStringLiteral("PRAGMA incremental_vacuum"));
    }

    Rows select(const QString& sql, const QVariantList& binds) const {
        QSqlQuery q(db());
        q.setForwardOnly(true);
        if (!q.prepare(sql))
            fail(QStringLiteral("read"), q.lastError());
        for (int i = 0; i < binds.size(); ++i)
            q.bindValue(i, binds[i]);
        exec(q, "read");
        Rows rows;
        RowReader reader(rows);
        while (q.next())
            reader.add(q);
        return rows;
    }
};

QString AuditArchive::pathFor(const QString& profileId, const QString& dataDir) {
    const QString dir = dataDir.isEmpty()
                            ? QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
                            : dataDir;
    // A profile id is a UUID; anything else is hex-encoded so it can never leave the folder.
    QString name = profileId;
    const bool plain = !name.isEmpty() && std::all_of(name.cbegin(), name.cend(), [](QChar c) {
        return (c.isLetterOrNumber() && c.unicode() < 128) || c == QLatin1Char('-');
    });
    if (!plain)
        name = QString::fromLatin1(profileId.toUtf8().toHex());
    return dir + QStringLiteral("/audit/") + name + QStringLiteral(".sqlite");
}

bool AuditArchive::removeFiles(const QString& path, QString* error) {
    bool gone = true;
    for (const char* suffix : {"", "-wal", "-shm"}) {
        QFile file(path + QLatin1String(suffix));
        if (!file.exists() || file.remove())
            continue;
        if (gone && error)
            *error = file.fileName() + QStringLiteral(": ") + file.errorString();
        gone = false;
    }
    return gone;
}

AuditArchive::AuditArchive(const QString& path)
    : d(std::make_unique<Impl>()) {
    d->path = path;
    d->connection = QStringLiteral("legba-archive-") + QUuid::createUuid().toString(QUuid::Id128);
    const QFileInfo info(path);
    // The folder of archives, when made here, is owner-only too: its names are profile ids.
    if (const QString dir = info.absolutePath(); !QFileInfo::exists(dir)) {
        QDir().mkpath(dir);
        QFile::setPermissions(dir, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                       QFileDevice::ExeOwner);
    }
    // The file is made owner-only before SQLite writes a byte to it; SQLite gives its -wal
    // and -shm files the main file's mode.
    if (!info.exists()) {
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly,
                       QFileDevice::ReadOwner | QFileDevice::WriteOwner))
            throw ArchiveError(QStringLiteral("audit archive %1: cannot create: %2")
                                   .arg(path, file.errorString())
                                   .toStdString());
    }
    QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);

    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), d->connection);
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
        if (!db.open()) {
            const QSqlError error = db.lastError();
            db = QSqlDatabase();
            QSqlDatabase::removeDatabase(d->connection);
            d->fail(QStringLiteral("cannot open"), error);
        }
    }
    try {
        // Only takes effect on a file without tables, that is a new one: pages freed (by the
        // FTS index's merges) can then be given back to the file system.
        d->run(QStringLiteral("PRAGMA auto_vacuum = INCREMENTAL"));
        d->run(QStringLiteral("PRAGMA journal_mode = WAL"));
        d->run(QStringLiteral("PRAGMA synchronous = NORMAL"));
        const int version = d->scalar(QStringLiteral("PRAGMA user_version")).toInt();
        if (version == 0) {
            if (d->scalar(QStringLiteral("SELECT count(*) FROM sqlite_master")).toInt() != 0)
                throw ArchiveError(QStringLiteral("audit archive %1: not an audit archive")
                                       .arg(path)
                                       .toStdString());
            d->transaction([&] {
                d->createSchema();
                d->run(QStringLiteral("PRAGMA user_version = %1").arg(kSchemaVersion));
            });
        } else if (version == 1) {
            qCInfo(lcApp) << "migrating the audit archive" << path << "from version 1";
            d->migrateFrom1();
        } else if (version == 2) {
            qCInfo(lcApp) << "migrating the audit archive" << path << "from version 2";
            d->migrateFrom2();
        } else if (version != kSchemaVersion) {
            throw ArchiveError(QStringLiteral("audit archive %1: schema version %2 is newer than "
                                              "this app reads (%3)")
                                   .arg(path)
                                   .arg(version)
                                   .arg(kSchemaVersion)
                                   .toStdString());
        }
        d->prepareStatements();
    } catch (...) {
        const QString connection = d->connection;
        d.reset();
        closeConnection(connection);
        throw;
    }
}

AuditArchive::~AuditArchive() {
    if (!d)
        return;
    const QString connection = d->connection;
    d.reset(); // the statements go before the connection
    closeConnection(connection);
}

QString AuditArchive::path() const {
    return d->path;
}

qint64 AuditArchive::count() const {
    return d->scalar(QStringLiteral("SELECT count(*) FROM events")).toLongLong();
}

QString AuditArchive::newestEventId() const {
    return d->scalar(QStringLiteral("SELECT event_id FROM events ORDER BY seq DESC LIMIT 1"))
        .toString();
}

QString AuditArchive::oldestEventId() const {
    return d->scalar(QStringLiteral("SELECT event_id FROM events ORDER BY seq LIMIT 1")).toString();
}

QString AuditArchive::backfillCursor() const {
    return d->meta(QStringLiteral("backfill_cursor"));
}

bool AuditArchive::backfillDone() const {
    return d->meta(QStringLiteral("backfill_done")) == QLatin1String("1");
}

QDateTime AuditArchive::lastVerified() const {
    return QDateTime::fromString(d->meta(QStringLiteral("verified_at")), Qt::ISODateWithMs);
}

void AuditArchive::setLastVerified(const QDateTime& when) {
    d->setMeta(QStringLiteral("verified_at"), when.toUTC().toString(Qt::ISODateWithMs));
}

qint64 AuditArchive::newestSequence() const {
    return d->scalar(QStringLiteral("SELECT coalesce(max(seq), 0) FROM events")).toLongLong();
}

StoreResult AuditArchive::storeNewer(const std::vector<const audit::AuditBatch*>& pages) {
    return d->transaction([&] {
        StoreResult result;
        const bool wasEmpty = d->scalar(QStringLiteral("SELECT count(*) FROM (SELECT 1 FROM "
                                                       "events LIMIT 1)"))
                                  .toInt() == 0;
        qint64 seq =
            d->scalar(QStringLiteral("SELECT coalesce(max(seq), 0) FROM events")).toLongLong();
        // The run newest first; it is stored down to the newest archived event. What follows
        // that event is only compared: an event the archive lacks below it belongs to the
        // backfill, and stored here it would be ordered above the newest.
        std::vector<audit::RecordView> run;
        for (const audit::AuditBatch* page : pages)
            for (std::size_t i = 0; i < page->records.size(); ++i)
                run.push_back(page->view(i));
        const QByteArray newest = d->scalar(QStringLiteral("SELECT event_id FROM events ORDER "
                                                           "BY seq DESC LIMIT 1"))
                                      .toString()
                                      .toUtf8();
        std::size_t stop = run.size();
        for (std::size_t i = 0; i < run.size() && !wasEmpty; ++i) {
            if (run[i].strings().eventId == viewOf(newest)) {
                stop = i;
                break;
            }
        }
        for (std::size_t i = stop; i < run.size(); ++i) {
            const QByteArray archived = d->archivedDigest(run[i].strings().eventId);
            if (archived.isEmpty()) {
                ++result.notStored;
                continue;
            }
            ++result.duplicates;
            if (archived != digestOf(run[i], d->scratch))
                result.changed.append(fromView(run[i].strings().eventId));
        }
        // Oldest first, so that each inserted event gets the next sequence.
        for (std::size_t i = stop; i-- > 0;) {
            if (d->insert(run[i], seq + 1, result))
                ++seq;
        }
        if (wasEmpty && !pages.empty()) {
            const QString cursor = pages.back()->nextCursor;
            d->setMeta(QStringLiteral("backfill_cursor"), cursor);
            d->setMeta(QStringLiteral("backfill_done"),
                       cursor.isEmpty() ? QStringLiteral("1") : QStringLiteral("0"));
        }
        return result;
    });
}

StoreResult AuditArchive::storeOlder(const audit::AuditBatch& page) {
    StoreResult stored = d->transaction([&] {
        StoreResult result;
        const qint64 below =
            d->scalar(QStringLiteral("SELECT coalesce(min(seq), 1) FROM events")).toLongLong();
        // The page's newest event gets below - 1, its oldest below - size, and they are
        // inserted oldest first: SQLite fills leaf pages when keys come in ascending order and
        // leaves them half empty when each key is below the last (measured: 81% against 45% of
        // each page used). A duplicate leaves a gap, which orders the same.
        for (std::size_t i = page.records.size(); i-- > 0;)
            d->insert(page.view(i), below - 1 - static_cast<qint64>(i), result);
        d->setMeta(QStringLiteral("backfill_cursor"), page.nextCursor);
        d->setMeta(QStringLiteral("backfill_done"),
                   page.nextCursor.isEmpty() ? QStringLiteral("1") : QStringLiteral("0"));
        // The whole history is in: the index's segments, written page by page, are merged
        // into one (measured on 100,000 demo events: 116 to 101 bytes per event).
        if (page.nextCursor.isEmpty())
            d->run(QStringLiteral("INSERT INTO events_fts(events_fts) VALUES('optimize')"));
        return result;
    });
    if (page.nextCursor.isEmpty())
        d->freePages(); // those the merge freed
    return stored;
}

int AuditArchive::markBeyondRetention(const QString& serverOldestEventId) {
    const QByteArray id = serverOldestEventId.toUtf8();
    qint64 seq = 0;
    if (d->archivedDigest(viewOf(id), &seq).isEmpty())
        return -1;
    return markBeyondRetentionThrough(seq - 1);
}

int AuditArchive::markBeyondRetentionThrough(qint64 sequence) {
    QSqlQuery q(d->db());
    q.prepare(QStringLiteral(
        "UPDATE events SET beyond_retention = 1 WHERE seq <= ? AND beyond_retention = 0"));
    q.bindValue(0, sequence);
    d->exec(q, "mark beyond retention");
    return q.numRowsAffected();
}

std::vector<IntegrityIssue>
AuditArchive::compareWithServer(const audit::AuditBatch& serverPage) const {
    qint64 ceiling = 0; // the page's own newest archived event
    return compare(serverPage, &ceiling, false);
}

std::vector<IntegrityIssue> AuditArchive::compareWithServer(const audit::AuditBatch& serverPage,
                                                            qint64* ceiling) const {
    return compare(serverPage, ceiling, true);
}

std::vector<IntegrityIssue> AuditArchive::compare(const audit::AuditBatch& serverPage,
                                                  qint64* ceiling, bool walk) const {
    std::vector<IntegrityIssue> issues;
    QSet<QString> sent;
    qint64 low = std::numeric_limits<qint64>::max();
    qint64 high = std::numeric_limits<qint64>::min();
    std::string scratch;
    for (std::size_t i = 0; i < serverPage.records.size(); ++i) {
        const audit::RecordView view = serverPage.view(i);
        const QString eventId = fromView(view.strings().eventId);
        sent.insert(eventId);
        qint64 seq = 0;
        const QByteArray archived = d->archivedDigest(view.strings().eventId, &seq);
        if (archived.isEmpty())
            continue;
        low = std::min(low, seq);
        high = std::max(high, seq);
        if (archived != digestOf(view, scratch))
            issues.push_back({IntegrityIssue::Kind::ChangedOnServer, eventId});
    }
    if (walk && low <= high)
        high = std::max(high, *ceiling);
    if (low <= high) {
        QSqlQuery q(d->db());
        q.prepare(QStringLiteral("SELECT event_id FROM events WHERE seq BETWEEN ? AND ? ORDER BY "
                                 "seq DESC"));
        q.bindValue(0, low);
        q.bindValue(1, high);
        d->exec(q, "compare");
        while (q.next()) {
            const QString eventId = q.value(0).toString();
            if (!sent.contains(eventId))
                issues.push_back({IntegrityIssue::Kind::VanishedOnServer, eventId});
        }
        if (walk)
            *ceiling = low - 1;
    }
    return issues;
}

std::vector<IntegrityIssue> AuditArchive::checkLocal() const {
    std::vector<IntegrityIssue> issues;
    std::string scratch;
    qint64 before = std::numeric_limits<qint64>::max();
    for (;;) {
        const Rows rows =
            d->select(QString::fromLatin1(kSelectColumns) + QStringLiteral(" FROM events e") +
                          QString::fromLatin1(kJoins) +
                          QStringLiteral(" WHERE e.seq < ? ORDER BY e.seq DESC LIMIT 5000"),
                      {before});
        if (rows.sequences.empty())
            return issues;
        for (std::size_t i = 0; i < rows.sequences.size(); ++i) {
            const audit::RecordView view = rows.batch.view(i);
            if (digestOf(view, scratch) != rows.digests[i])
                issues.push_back(
                    {IntegrityIssue::Kind::ChangedLocally, fromView(view.strings().eventId)});
        }
        before = rows.sequences.back();
    }
}

ArchivePage AuditArchive::read(const ArchiveQuery& query) const {
    QString sql = QString::fromLatin1(kSelectColumns);
    QVariantList binds;
    QStringList where;
    const qint64 before = query.before != 0 ? query.before : std::numeric_limits<qint64>::max();
    QString order;
    // A text that is a request id (quoted or not) finds it through its index, with whatever
    // else the words match: request ids are not in the FTS index.
    QString word = query.text.trimmed();
    if (word.size() > 2 && word.startsWith(QLatin1Char('"')) && word.endsWith(QLatin1Char('"')))
        word = word.mid(1, word.size() - 2);
    const QByteArray wordUtf8 = word.toUtf8();
    QVariant requestId;
    if (!word.isEmpty() && !word.contains(QLatin1Char('"')) && !word.contains(QLatin1Char(' '))) {
        requestId = requestIdValue(viewOf(wordUtf8));
        QSqlQuery probe(d->db());
        probe.prepare(QStringLiteral("SELECT 1 FROM events WHERE request_id = ? LIMIT 1"));
        probe.bindValue(0, requestId);
        d->exec(probe, "find a request id");
        if (!probe.next())
            requestId.clear();
    }
    if (requestId.isValid()) {
        sql += QStringLiteral(" FROM events e");
        where << QStringLiteral("(e.seq IN (SELECT rowid FROM events_fts WHERE events_fts MATCH "
                                "?) OR e.request_id = ?)")
              << QStringLiteral("e.seq < ?");
        binds << query.text << requestId << before;
        order = QStringLiteral(" ORDER BY e.seq DESC");
    } else if (!query.text.trimmed().isEmpty()) {
        // The FTS table drives: its rowids come newest first and stop at the limit.
        sql += QStringLiteral(" FROM events_fts CROSS JOIN events e ON e.seq = events_fts.rowid");
        where << QStringLiteral("events_fts MATCH ?") << QStringLiteral("events_fts.rowid < ?");
        binds << query.text << before;
        order = QStringLiteral(" ORDER BY events_fts.rowid DESC");
    } else {
        sql += QStringLiteral(" FROM events e");
        where << QStringLiteral("e.seq < ?");
        binds << before;
        order = QStringLiteral(" ORDER BY e.seq DESC");
    }
    sql += QString::fromLatin1(kJoins);
    if (query.since.isValid()) {
        where << QStringLiteral("e.occurred_ms >= ?");
        binds << query.since.toMSecsSinceEpoch();
    }
    if (query.until.isValid()) {
        where << QStringLiteral("e.occurred_ms < ?");
        binds << query.until.toMSecsSinceEpoch();
    }
    if (!query.actorKeyId.isEmpty()) {
        where << QStringLiteral("e.actor IN (SELECT x.id FROM actors x JOIN strings xs ON xs.id = "
                                "x.key_id WHERE xs.text = ?)");
        binds << query.actorKeyId;
    }
    if (query.action.endsWith(QLatin1Char('.'))) {
        // Every action that starts with the prefix: [prefix, prefix with '.' -> '/').
        QString upper = query.action;
        upper.back() = QLatin1Char('/');
        where << QStringLiteral(
            "e.action IN (SELECT id FROM strings WHERE text >= ? AND text < ?)");
        binds << query.action << upper;
    } else if (!query.action.isEmpty()) {
        where << QStringLiteral("e.action IN (SELECT id FROM strings WHERE text = ?)");
        binds << query.action;
    }
    if (query.success) {
        where << QStringLiteral("e.outcome IN (SELECT id FROM strings WHERE text = ?)");
        binds << (*query.success ? QStringLiteral("success") : QStringLiteral("failure"));
    }
    const int limit = std::max(1, query.limit);
    sql += QStringLiteral(" WHERE ") + where.join(QStringLiteral(" AND ")) + order +
           QStringLiteral(" LIMIT %1").arg(limit);

    Rows rows;
    try {
        rows = d->select(sql, binds);
    } catch (const ArchiveError& e) {
        if (query.text.trimmed().isEmpty())
            throw;
        // Most likely the query itself (FTS5 syntax): say which words were read as a query.
        throw ArchiveError(QStringLiteral("search \"%1\": %2")
                               .arg(query.text, QString::fromUtf8(e.what()))
                               .toStdString());
    }
    ArchivePage page;
    if (static_cast<int>(rows.sequences.size()) == limit)
        page.next = rows.sequences.back();
    page.batch = std::move(rows.batch);
    page.sequences = std::move(rows.sequences);
    page.beyondRetention = std::move(rows.beyondRetention);
    return page;
}

} // namespace legba
