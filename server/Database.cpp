#include "Database.h"

#include "Logging.h"

#include <QAtomicInteger>
#include <QFile>
#include <QSqlDriver>
#include <QSqlError>

#if LEGBA_SQLITE_HANDLE
#include <sqlite3.h>
#endif

#ifdef Q_OS_UNIX
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace legba::server {

namespace {

QAtomicInteger<quint64> connectionCounter;

// Each entry moves the schema one version up, in one transaction. Never edit a released
// entry: add a new one.
const char* const kMigrations[] = {
    // 1: organizations, keys, instances, and the append-only, hash-chained audit log.
    R"sql(
CREATE TABLE organizations (
    org_uuid   TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE api_keys (
    key_id       TEXT PRIMARY KEY,
    org_uuid     TEXT NOT NULL REFERENCES organizations(org_uuid),
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    digest       TEXT NOT NULL UNIQUE,
    scopes       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER,
    last_used_at INTEGER,
    revoked_at   INTEGER,
    rotated_to   TEXT
);
CREATE INDEX api_keys_by_org ON api_keys(org_uuid, created_at);
CREATE TABLE instances (
    instance_uuid TEXT PRIMARY KEY,
    org_uuid      TEXT NOT NULL REFERENCES organizations(org_uuid),
    image         TEXT NOT NULL,
    size          TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    ready_at      INTEGER NOT NULL,
    deleted_at    INTEGER,
    terminated_at INTEGER
);
CREATE INDEX instances_by_org ON instances(org_uuid, terminated_at);
CREATE TABLE audit_events (
    seq          INTEGER PRIMARY KEY,
    event_id     TEXT NOT NULL UNIQUE,
    org_uuid     TEXT NOT NULL,
    occurred_at  INTEGER NOT NULL,
    actor_key_id TEXT,
    actor_name   TEXT,
    actor_prefix TEXT,
    action       TEXT NOT NULL,
    target_type  TEXT,
    target_id    TEXT,
    status_code  INTEGER NOT NULL,
    ip           TEXT NOT NULL,
    user_agent   TEXT NOT NULL,
    request_id   TEXT NOT NULL,
    details      TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);
CREATE INDEX audit_by_org ON audit_events(org_uuid, seq);
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
)sql",
    // 2: the audit chain's version 2 (length-prefixed, NULL distinct from '') for the events
    // from here on, the events before verified as version 1; the anchor (the head MACed
    // with a key outside the data dir) and the record of what retention pruned, which
    // alone lets the delete trigger remove events.
    R"sql(
CREATE TABLE audit_meta (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO audit_meta (name, value) SELECT 'chain_v2_from', COALESCE(MAX(seq), 0) + 1 FROM audit_events;
INSERT INTO audit_meta (name, value) VALUES ('pruned_through', '0');
INSERT INTO audit_meta (name, value) VALUES ('pruned_hash', '0000000000000000000000000000000000000000000000000000000000000000');
DROP TRIGGER audit_events_no_delete;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
WHEN OLD.seq > CAST((SELECT value FROM audit_meta WHERE name = 'pruned_through') AS INTEGER)
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
)sql",
};

QString describe(const QSqlError& error) {
    return error.text();
}

} // namespace

// Without LEGBA_SQLITE_HANDLE no Statement is ever made (statement() gives null), but
// Database's map of them is destroyed all the same.
Statement::~Statement() {
#if LEGBA_SQLITE_HANDLE
    sqlite3_finalize(m_statement);
#endif
}

#if LEGBA_SQLITE_HANDLE
Statement::Statement(sqlite3* db, const char* sql)
    : m_db(db) {
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &m_statement, nullptr) !=
        SQLITE_OK)
        throw DbError(QStringLiteral("cannot prepare [%1]: %2")
                          .arg(QString::fromUtf8(sql), QString::fromUtf8(sqlite3_errmsg(db))));
}

void Statement::check(int result, const char* what) {
    if (result == SQLITE_OK)
        return;
    // Nothing half-bound may stay behind: the bound bytes are the caller's and go away.
    sqlite3_reset(m_statement);
    sqlite3_clear_bindings(m_statement);
    throw DbError(QStringLiteral("%1 [%2]: %3")
                      .arg(QLatin1String(what), QString::fromUtf8(sqlite3_sql(m_statement)),
                           QString::fromUtf8(sqlite3_errmsg(m_db))));
}

void Statement::bind(int index, qint64 value) {
    check(sqlite3_bind_int64(m_statement, index, value), "cannot bind");
}

void Statement::bindText(int index, QByteArrayView utf8) {
    // A null pointer would bind SQL NULL; empty text is still text.
    check(sqlite3_bind_text64(m_statement, index, utf8.data() ? utf8.data() : "",
                              static_cast<sqlite3_uint64>(utf8.size()), SQLITE_STATIC, SQLITE_UTF8),
          "cannot bind");
}

void Statement::bindBlob(int index, QByteArrayView bytes) {
    check(sqlite3_bind_blob64(m_statement, index, bytes.data() ? bytes.data() : "",
                              static_cast<sqlite3_uint64>(bytes.size()), SQLITE_STATIC),
          "cannot bind");
}

void Statement::bindNull(int index) {
    check(sqlite3_bind_null(m_statement, index), "cannot bind");
}

void Statement::execute() {
    int result = sqlite3_step(m_statement);
    while (result == SQLITE_ROW)
        result = sqlite3_step(m_statement);
    sqlite3_reset(m_statement);
    sqlite3_clear_bindings(m_statement);
    if (result != SQLITE_DONE)
        throw DbError(QStringLiteral("[%1]: %2")
                          .arg(QString::fromUtf8(sqlite3_sql(m_statement)),
                               QString::fromUtf8(sqlite3_errmsg(m_db))));
}
#endif

Database::Database()
    : m_connectionName(QStringLiteral("legba-server-%1").arg(++connectionCounter)) {}

Database::~Database() {
    close();
}

void Database::open(const QString& path) {
    close();
    m_path = path;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
        if (!db.open())
            throw DbError(QStringLiteral("cannot open %1: %2").arg(path, describe(db.lastError())));
    }
    execute(QStringLiteral("PRAGMA journal_mode=WAL"));
    // NORMAL in WAL mode: a committed transaction survives the process being killed (the
    // WAL is in the OS's hands); only a power cut may lose the last commits.
    execute(QStringLiteral("PRAGMA synchronous=NORMAL"));
    execute(QStringLiteral("PRAGMA foreign_keys=ON"));
    execute(QStringLiteral("PRAGMA temp_store=MEMORY"));
    migrate();
    m_handle = usableHandle();
}

sqlite3* Database::usableHandle() {
#if LEGBA_SQLITE_HANDLE
    const QVariant handle = QSqlDatabase::database(m_connectionName, false).driver()->handle();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0)
        return nullptr;
    // The driver's SQLite must be the library linked here: a second copy must never get
    // this handle. Two copies would almost surely differ in version.
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    if (!query.exec(QStringLiteral("SELECT sqlite_version()")) || !query.next() ||
        query.value(0).toString() != QLatin1String(sqlite3_libversion())) {
        qCInfo(lcServer,
               "Qt's SQLite is not the linked libsqlite3 %s: audit inserts go through "
               "Qt's driver",
               sqlite3_libversion());
        return nullptr;
    }
    return *static_cast<sqlite3* const*>(handle.constData());
#else
    return nullptr;
#endif
}

void Database::close() {
    // Before the connection: SQLite refuses to close one with statements left.
    m_rawStatements.clear();
    m_statements.clear();
    m_handle = nullptr;
    if (QSqlDatabase::contains(m_connectionName)) {
        {
            QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(m_connectionName);
    }
#ifdef Q_OS_UNIX
    // After the connection: closing any descriptor of a file drops every POSIX lock this
    // process holds on it, SQLite's locks on the -shm file included.
    if (m_shmHeader) {
        ::munmap(m_shmHeader, kShmMapBytes);
        m_shmHeader = nullptr;
    }
    if (m_shmFd >= 0) {
        ::close(m_shmFd);
        m_shmFd = -1;
    }
#endif
}

bool Database::isOpen() const {
    return QSqlDatabase::contains(m_connectionName) &&
           QSqlDatabase::database(m_connectionName, false).isOpen();
}

namespace {
template <typename Args> QSqlQuery& runWith(QSqlQuery& query, const char* sql, const Args& args) {
    int index = 0;
    for (const QVariant& arg : args)
        query.bindValue(index++, arg);
    if (!query.exec()) {
        const QString error = query.lastError().text();
        query.finish();
        throw DbError(QStringLiteral("[%1]: %2").arg(QString::fromUtf8(sql), error));
    }
    return query;
}
} // namespace

QSqlQuery& Database::prepared(const char* sql) {
    auto it = m_statements.find(sql);
    if (it == m_statements.end()) {
        auto query = std::make_unique<QSqlQuery>(QSqlDatabase::database(m_connectionName, false));
        query->setForwardOnly(true);
        if (!query->prepare(QString::fromUtf8(sql)))
            throw DbError(QStringLiteral("cannot prepare [%1]: %2")
                              .arg(QString::fromUtf8(sql), describe(query->lastError())));
        it = m_statements.emplace(sql, std::move(query)).first;
    }
    return *it->second;
}

QSqlQuery& Database::run(const char* sql, std::initializer_list<QVariant> args) {
    return runWith(prepared(sql), sql, args);
}

QSqlQuery& Database::run(const char* sql, const QVariantList& args) {
    return runWith(prepared(sql), sql, args);
}

Statement* Database::statement(const char* sql) {
#if LEGBA_SQLITE_HANDLE
    if (!m_handle)
        return nullptr;
    auto it = m_rawStatements.find(sql);
    if (it == m_rawStatements.end())
        it = m_rawStatements.emplace(sql, std::make_unique<Statement>(m_handle, sql)).first;
    return it->second.get();
#else
    Q_UNUSED(sql);
    return nullptr;
#endif
}

void Database::execute(const QString& sql) {
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    if (!query.exec(sql))
        throw DbError(QStringLiteral("[%1]: %2").arg(sql, describe(query.lastError())));
}

Database::WalStamp Database::walStamp() {
#ifdef Q_OS_UNIX
    if (m_shmFd < 0) {
        const QByteArray shm = QFile::encodeName(m_path + QStringLiteral("-shm"));
        m_shmFd = ::open(shm.constData(), O_RDONLY | O_CLOEXEC);
        if (m_shmFd < 0)
            return {};
    }
    WalStamp stamp;
    if (!m_shmHeader) {
        // Mapped once SQLite has sized the file (32 KiB and up): reading the header is then a
        // copy from memory, no system call per request. The file cannot shrink under the
        // mapping while our own connection is open: SQLite truncates it only for a
        // connection that has the database to itself, and close() unmaps as soon as the
        // connection is gone, before anything could read through the mapping again.
        struct stat info {};
        if (::fstat(m_shmFd, &info) == 0 && info.st_size >= kShmMapBytes) {
            void* mapped = ::mmap(nullptr, kShmMapBytes, PROT_READ, MAP_SHARED, m_shmFd, 0);
            if (mapped != MAP_FAILED)
                m_shmHeader = mapped;
        }
    }
    if (m_shmHeader) {
        // A torn read (a commit racing the copy) only costs a needless version query.
        std::memcpy(stamp.header.data(), m_shmHeader, stamp.header.size());
        stamp.valid = true;
        return stamp;
    }
    stamp.valid = ::pread(m_shmFd, stamp.header.data(), stamp.header.size(), 0) ==
                  static_cast<ssize_t>(stamp.header.size());
    return stamp;
#else
    return {}; // ask PRAGMA data_version every time
#endif
}

int Database::schemaVersion() {
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    if (!query.exec(QStringLiteral("PRAGMA user_version")) || !query.next())
        throw DbError(QStringLiteral("cannot read the schema version"));
    return query.value(0).toInt();
}

int Database::latestSchemaVersion() {
    return static_cast<int>(std::size(kMigrations));
}

void Database::migrate() {
    const int current = schemaVersion();
    if (current > latestSchemaVersion())
        throw DbError(QStringLiteral("the database has schema version %1, newer than this "
                                     "server knows (%2)")
                          .arg(current)
                          .arg(latestSchemaVersion()));
    for (int version = current + 1; version <= latestSchemaVersion(); ++version) {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        execute(QStringLiteral("BEGIN IMMEDIATE"));
        try {
            const QString script = QString::fromUtf8(kMigrations[version - 1]);
            // QSqlQuery runs one statement at a time; triggers hold ';' inside BEGIN..END.
            QString statement;
            for (const QString& line : script.split(QLatin1Char('\n'))) {
                statement += line + QLatin1Char('\n');
                const QString trimmed = line.trimmed();
                const bool inTrigger = statement.contains(QLatin1String("CREATE TRIGGER"));
                if (trimmed.endsWith(QLatin1Char(';')) &&
                    (!inTrigger || trimmed.endsWith(QLatin1String("END;")))) {
                    execute(statement);
                    statement.clear();
                }
            }
            execute(QStringLiteral("PRAGMA user_version=%1").arg(version));
            execute(QStringLiteral("COMMIT"));
        } catch (...) {
            try {
                execute(QStringLiteral("ROLLBACK"));
            } catch (const DbError&) {
            }
            throw;
        }
        qCInfo(lcServer, "database migrated to schema version %d", version);
    }
}

Transaction::Transaction(Database& db)
    : m_db(db) {
    m_db.run("BEGIN IMMEDIATE").finish();
}

Transaction::~Transaction() {
    if (!m_done) {
        try {
            m_db.run("ROLLBACK").finish();
        } catch (const DbError& error) {
            qCWarning(lcServer, "rollback failed: %s", error.what());
        }
    }
}

void Transaction::commit() {
    m_db.run("COMMIT").finish();
    m_done = true;
}

} // namespace legba::server
