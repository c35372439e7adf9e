#pragma once

#include "AuditLog.h"
#include "Database.h"

#include <QHash>
#include <QString>
#include <QTimer>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

namespace legba::server {

class Store;

// The audit events of reads and the keys' last_used_at values, written in batches so that
// answering a read never waits for SQLite. Once start() ran, a thread of its own writes them
// on a connection of its own a few milliseconds after they arrive; before that (and in
// harnesses without an event loop's thread) the caller's flush() or a timer does.
//
// Every write transaction of the process goes through commit() or flush(), which hold one
// lock and first write what is pending: the log stays in the order things happened, and
// the hash chain is extended by one writer at a time.
class AuditWriter {
public:
    explicit AuditWriter(Store& store);
    ~AuditWriter();
    AuditWriter(const AuditWriter&) = delete;
    AuditWriter& operator=(const AuditWriter&) = delete;

    // Starts the background thread on the database file `store` uses. Throws DbError when
    // that connection cannot be opened.
    void start();
    bool isRunning() const { return m_thread.joinable(); }

    void enqueue(AuditRecord record);
    void noteUse(const QString& keyId, qint64 when);

    // Writes everything pending on the caller's connection, now. Throws DbError.
    void flush();

    // Runs `change` in a transaction of the caller's connection, after every event pending
    // before it, holding the write lock. The pending events go back to the queue when the
    // change throws.
    template <typename Change> void commit(Change&& change) {
        std::lock_guard writing(m_writeLock);
        writeInTransaction(m_db, m_store, take(), std::forward<Change>(change));
    }

    // Runs `fn`, which makes transactions of its own on the caller's connection, after
    // writing what is pending, holding the write lock.
    template <typename Fn> auto exclusive(Fn&& fn) {
        std::lock_guard writing(m_writeLock);
        writePendingLocked();
        return fn();
    }

private:
    struct Batch {
        std::vector<AuditRecord> events;
        QHash<QString, qint64> lastUse;
        bool empty() const { return events.empty() && lastUse.isEmpty(); }
    };

    Batch take();
    void putBack(Batch batch);
    static void write(Store& store, const Batch& batch);
    // Writes `batch`, then runs `change`, in one transaction of `db` (the caller holds the
    // write lock); the batch goes back to the queue when anything throws.
    template <typename Change>
    void writeInTransaction(Database& db, Store& store, Batch batch, Change&& change) {
        try {
            Transaction tx(db);
            write(store, batch);
            change();
            tx.commit();
        } catch (...) {
            putBack(std::move(batch));
            throw;
        }
    }
    void writePendingLocked();
    void run(QString path, std::promise<QString> opened);
    void checkpoint(Database& db);
    void stop();
    void flushFromTimer();

    Store& m_store;
    Database& m_db;

    std::mutex m_queueLock; // guards m_pending and m_stopping
    std::condition_variable m_wake;
    Batch m_pending;
    bool m_stopping = false;

    std::mutex m_writeLock; // held for every write transaction of this process
    std::thread m_thread;
    QTimer m_timer; // without the thread
};

} // namespace legba::server
