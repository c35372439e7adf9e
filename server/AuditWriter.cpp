#include "AuditWriter.h"

#include "Logging.h"
#include "Store.h"

#include <chrono>
#include <future>

namespace legba::server {

namespace {

// How long events of reads may wait before they are written: long enough to gather a
// batch, short enough that a kill -9 loses little and GET /audit-log soon shows them. On 2
// cores the writer's burst of work is what the slowest reads wait behind: 25 ms batches
// gave a p99 of 5 ms under load, 5 ms batches 3.6-4.2 ms at the same rate.
constexpr auto kGatherTime = std::chrono::milliseconds(5);
// Written at once when this many are waiting.
constexpr std::size_t kFullBatch = 512;
constexpr auto kRetryAfterError = std::chrono::seconds(1);
// How often the thread moves the WAL's pages into the database file. Checkpoints are its
// work, not the request thread's: reads never wait for one, a change at most for one.
constexpr auto kCheckpointEvery = std::chrono::milliseconds(200);

} // namespace

AuditWriter::AuditWriter(Store& store)
    : m_store(store)
    , m_db(store.db()) {
    m_timer.setSingleShot(true);
    m_timer.setInterval(static_cast<int>(kGatherTime.count()));
    QObject::connect(&m_timer, &QTimer::timeout, &m_timer, [this] { flushFromTimer(); });
}

AuditWriter::~AuditWriter() {
    stop();
    try {
        if (m_db.isOpen())
            flush();
    } catch (const DbError& error) {
        qCCritical(lcServer, "audit events lost at shutdown: %s", error.what());
    }
}

void AuditWriter::start() {
    if (m_thread.joinable())
        return;
    m_timer.stop();
    {
        std::lock_guard queue(m_queueLock);
        m_stopping = false;
    }
    std::promise<QString> opened;
    std::future<QString> openError = opened.get_future();
    m_thread = std::thread(&AuditWriter::run, this, m_db.path(), std::move(opened));
    if (const QString error = openError.get(); !error.isEmpty()) {
        m_thread.join();
        throw DbError(QStringLiteral("the audit writer cannot open the database: ") + error);
    }
    m_db.execute(QStringLiteral("PRAGMA wal_autocheckpoint=0"));
}

void AuditWriter::stop() {
    if (!m_thread.joinable())
        return;
    {
        std::lock_guard queue(m_queueLock);
        m_stopping = true;
    }
    m_wake.notify_all();
    m_thread.join();
    try {
        if (m_db.isOpen())
            m_db.execute(QStringLiteral("PRAGMA wal_autocheckpoint=1000"));
    } catch (const DbError& error) {
        qCWarning(lcServer, "cannot turn automatic checkpoints back on: %s", error.what());
    }
}

void AuditWriter::enqueue(AuditRecord record) {
    std::size_t waiting = 0;
    {
        std::lock_guard queue(m_queueLock);
        m_pending.events.push_back(std::move(record));
        waiting = m_pending.events.size();
    }
    if (m_thread.joinable()) {
        // The thread only needs waking to open a gathering window or to end it early.
        if (waiting == 1 || waiting == kFullBatch)
            m_wake.notify_one();
    } else if (waiting >= kFullBatch) {
        flushFromTimer();
    } else if (!m_timer.isActive()) {
        m_timer.start();
    }
}

void AuditWriter::noteUse(const QString& keyId, qint64 when) {
    bool first = false;
    {
        std::lock_guard queue(m_queueLock);
        first = m_pending.empty();
        qint64& latest = m_pending.lastUse[keyId];
        latest = std::max(latest, when);
    }
    if (m_thread.joinable()) {
        if (first)
            m_wake.notify_one();
    } else if (!m_timer.isActive()) {
        m_timer.start();
    }
}

AuditWriter::Batch AuditWriter::take() {
    std::lock_guard queue(m_queueLock);
    return std::exchange(m_pending, Batch{});
}

void AuditWriter::putBack(Batch batch) {
    std::lock_guard queue(m_queueLock);
    // What arrived meanwhile is newer: it goes after the batch.
    std::move(m_pending.events.begin(), m_pending.events.end(), std::back_inserter(batch.events));
    for (auto it = m_pending.lastUse.cbegin(); it != m_pending.lastUse.cend(); ++it) {
        qint64& latest = batch.lastUse[it.key()];
        latest = std::max(latest, it.value());
    }
    m_pending = std::move(batch);
}

void AuditWriter::write(Store& store, const Batch& batch) {
    store.audit().append(batch.events);
    for (auto it = batch.lastUse.cbegin(); it != batch.lastUse.cend(); ++it)
        store.setLastUsed(it.key(), it.value());
}

void AuditWriter::flush() {
    m_timer.stop();
    std::lock_guard writing(m_writeLock);
    writePendingLocked();
}

void AuditWriter::writePendingLocked() {
    Batch batch = take();
    if (!batch.empty())
        writeInTransaction(m_db, m_store, std::move(batch), [] {});
}

void AuditWriter::flushFromTimer() {
    try {
        flush();
    } catch (const DbError& error) {
        qCCritical(lcServer, "cannot write the audit events of reads: %s", error.what());
        m_timer.start(static_cast<int>(
            std::chrono::duration_cast<std::chrono::milliseconds>(kRetryAfterError).count()));
    }
}

void AuditWriter::checkpoint(Database& db) {
    try {
        // First beside the commits: copying the WAL's pages and the fsync that follows are
        // the slow part, and a passive checkpoint does not stop writers.
        db.execute(QStringLiteral("PRAGMA wal_checkpoint(PASSIVE)"));
        // Then under the write lock, for what was committed meanwhile (a few pages): so that
        // no commit lands between the checkpoint and the next transaction, which can then
        // start the WAL over from its beginning instead of growing it without end. Holding
        // the lock for the whole copy made changes wait 35-55 ms behind it (their p99).
        std::lock_guard writing(m_writeLock);
        db.execute(QStringLiteral("PRAGMA wal_checkpoint(PASSIVE)"));
    } catch (const DbError& error) {
        qCWarning(lcServer, "checkpoint failed: %s", error.what());
    }
}

void AuditWriter::run(QString path, std::promise<QString> opened) {
    Database db;
    std::unique_ptr<Store> store;
    try {
        db.open(path);
        db.execute(QStringLiteral("PRAGMA wal_autocheckpoint=0"));
        store = std::make_unique<Store>(db);
        store->audit().configure(m_store.audit().settings());
    } catch (const DbError& error) {
        opened.set_value(QString::fromUtf8(error.what()));
        return;
    }
    opened.set_value({});
    auto lastCheckpoint = std::chrono::steady_clock::now();
    std::unique_lock queue(m_queueLock);
    while (true) {
        m_wake.wait(queue, [this] { return m_stopping || !m_pending.empty(); });
        if (m_stopping)
            break;
        m_wake.wait_for(queue, kGatherTime,
                        [this] { return m_stopping || m_pending.events.size() >= kFullBatch; });
        queue.unlock();
        bool failed = false;
        {
            std::lock_guard writing(m_writeLock);
            Batch batch = take();
            try {
                if (!batch.empty())
                    writeInTransaction(db, *store, std::move(batch), [] {});
            } catch (const DbError& error) {
                qCCritical(lcServer, "cannot write the audit events of reads: %s", error.what());
                failed = true;
            }
        }
        if (!failed && std::chrono::steady_clock::now() - lastCheckpoint >= kCheckpointEvery) {
            checkpoint(db);
            lastCheckpoint = std::chrono::steady_clock::now();
        }
        queue.lock();
        if (failed)
            m_wake.wait_for(queue, kRetryAfterError, [this] { return m_stopping; });
    }
    // What is still pending is written by the owner's flush() after join().
}

} // namespace legba::server
