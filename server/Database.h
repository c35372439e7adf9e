#pragma once

#include <QDateTime>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QVariant>
#include <array>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace legba::server {

// Times are stored as milliseconds since the epoch, 0 (or NULL) for "none". Qt::UTC, not
// QTimeZone::utc(): a QDateTime with a time zone object lives on the heap and looks the zone
// up, four times for every key the server answers with.
inline QDateTime timeFromStoredMs(qint64 ms) {
    return ms > 0 ? QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC) : QDateTime();
}

// A database failure. Its text is for the server's log only, never for a response.
class DbError : public std::runtime_error {
public:
    explicit DbError(const QString& what)
        : std::runtime_error(what.toStdString()) {}
};

// A statement prepared once on a connection's own SQLite handle, for the audit log's
// inserts: there, Qt's driver (a QVariant per value, a placeholder name built with
// QString::arg per bind) cost as much as SQLite's own work. Text is bound without a copy,
// so the bytes must stay alive until execute().
class Statement {
public:
    Statement(sqlite3* db, const char* sql); // throws DbError
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    // Parameters count from 1, as in SQLite.
    void bind(int index, qint64 value);
    void bindText(int index, QByteArrayView utf8);
    void bindBlob(int index, QByteArrayView bytes);
    void bindNull(int index);
    // Runs to completion, then clears the bindings for the next use. Throws DbError.
    void execute();

private:
    void check(int result, const char* what);

    sqlite3* m_db = nullptr;
    sqlite3_stmt* m_statement = nullptr;
};

// One SQLite connection in WAL mode, on the thread that opened it, with the schema
// migrated to the newest version and every statement prepared once and reused.
class Database {
public:
    Database();
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    // Opens (creating when needed) and migrates. Throws DbError.
    void open(const QString& path);
    void close();
    bool isOpen() const;
    const QString& path() const { return m_path; }

    // Runs a statement prepared once per call site: `sql` must be a string literal, whose
    // address is the cache key. Positional arguments bind to '?' in order. Throws DbError.
    QSqlQuery& run(const char* sql, std::initializer_list<QVariant> args = {});
    // The same with arguments built at run time. `sql` must outlive the Database.
    QSqlQuery& run(const char* sql, const QVariantList& args);
    // A statement on the connection's SQLite handle, prepared on first use; the same rules
    // for `sql` as run(). Null when this build or this Qt does not allow it (the driver's
    // SQLite is not the library this server links): then use run(). Throws DbError.
    Statement* statement(const char* sql);
    // Runs text that is not cached (migrations, pragmas). Throws DbError.
    void execute(const QString& sql);

    // The WAL-index header (the first 48 bytes of the "-shm" file, sqlite.org/walformat.html):
    // its iChange counter moves with every commit, by any connection of any process, which
    // a file's size and coarse mtime do not always show. Invalid when it cannot be read.
    struct WalStamp {
        std::array<char, 48> header{};
        bool valid = false;
        bool isNull() const { return !valid; }
        friend bool operator==(const WalStamp&, const WalStamp&) = default;
    };
    WalStamp walStamp();

    int schemaVersion();
    static int latestSchemaVersion();

private:
    void migrate();
    QSqlQuery& prepared(const char* sql);
    sqlite3* usableHandle();

    QString m_connectionName;
    QString m_path;
    int m_shmFd = -1; // kept open: no path lookup per check
    static constexpr int kShmMapBytes = 4096;
    void* m_shmHeader = nullptr; // the file's first page, mapped read-only
    std::unordered_map<const void*, std::unique_ptr<QSqlQuery>> m_statements;
    std::unordered_map<const void*, std::unique_ptr<Statement>> m_rawStatements;
    sqlite3* m_handle = nullptr; // set by open() when statement() may use it
};

// Reads the rows of a query run by Database::run and releases the statement when done,
// so that a pending read never holds the database.
class Rows {
public:
    explicit Rows(QSqlQuery& query)
        : m_query(query) {}
    ~Rows() { m_query.finish(); }
    Rows(const Rows&) = delete;
    Rows& operator=(const Rows&) = delete;
    bool next() { return m_query.next(); }
    QVariant value(int column) const { return m_query.value(column); }
    QString string(int column) const { return m_query.value(column).toString(); }
    qint64 integer(int column) const { return m_query.value(column).toLongLong(); }
    bool isNull(int column) const { return m_query.isNull(column); }

private:
    QSqlQuery& m_query;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back when left without commit (an exception).
class Transaction {
public:
    explicit Transaction(Database& db);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

private:
    Database& m_db;
    bool m_done = false;
};

// Qt binds a null QString as SQL NULL; a NOT NULL text column wants '' instead.
inline QVariant text(const QString& s) {
    return s.isNull() ? QVariant(QStringLiteral("")) : QVariant(s);
}

// Null for an absent value, so that optional columns bind as SQL NULL.
inline QVariant nullableMs(qint64 ms) {
    return ms > 0 ? QVariant(ms) : QVariant();
}

} // namespace legba::server
