#include "AuditArchiveSync.h"

#include "Logging.h"

namespace legba {

namespace {

bool contains(const audit::AuditBatch& page, const QString& eventId) {
    const QByteArray id = eventId.toUtf8();
    const std::string_view wanted(id.constData(), static_cast<std::size_t>(id.size()));
    for (std::size_t i = 0; i < page.records.size(); ++i)
        if (page.uniqueOf(page.records[i]).eventId == wanted)
            return true;
    return false;
}

} // namespace

AuditArchiveSync::AuditArchiveSync(LegbaClient* client, AuditArchive* archive, QObject* parent)
    : QObject(parent)
    , m_loader(client)
    , m_archive(archive) {
    connect(&m_loader, &AuditPageLoader::pageLoaded, this, &AuditArchiveSync::onPage);
    connect(&m_loader, &AuditPageLoader::failed, this, &AuditArchiveSync::onLoadFailed);
}

void AuditArchiveSync::syncNewest() {
    cancel();
    m_mode = Mode::Newest;
    m_stopAt = m_archive->newestEventId();
    m_run.clear();
    load({});
}

void AuditArchiveSync::backfill() {
    cancel();
    m_mode = Mode::Backfill;
    if (m_archive->backfillDone()) {
        stop();
        Q_EMIT backfillFinished();
        return;
    }
    // An empty archive starts from the newest page, which sets the backfill cursor.
    load(m_archive->count() == 0 ? QString() : m_archive->backfillCursor());
}

void AuditArchiveSync::verify() {
    cancel();
    m_mode = Mode::Verify;
    // Read before the first page is asked for: every event archived by now is on the server
    // by then, and every event stored later (a head sync meanwhile) is left out.
    m_ceiling = m_archive->newestSequence();
    m_compared = 0;
    load({});
}

void AuditArchiveSync::cancel() {
    m_loader.cancel();
    stop();
}

void AuditArchiveSync::stop(const QString& failure) {
    m_mode = Mode::Idle;
    m_run.clear();
    if (!failure.isEmpty())
        Q_EMIT failed(failure);
}

void AuditArchiveSync::load(const QString& cursor) {
    AuditQuery query;
    query.limit = m_pageSize;
    query.cursor = cursor;
    m_loader.load(query);
}

void AuditArchiveSync::onLoadFailed(const AuditQuery&, const ApiError& error) {
    stop(error.details());
}

void AuditArchiveSync::onPage(const AuditQuery& query, const AuditPageLoader::Page& page) {
    try {
        if (m_mode == Mode::Newest) {
            m_run.push_back(page);
            if (m_stopAt.isEmpty() || page->nextCursor.isEmpty() || contains(*page, m_stopAt))
                storeRun();
            else
                load(page->nextCursor);
        } else if (m_mode == Mode::Backfill) {
            if (query.cursor.isEmpty()) {
                // The first page of an empty archive.
                m_archive->storeNewer(*page);
                Q_EMIT backfillProgress(m_archive->count());
                if (m_mode != Mode::Backfill)
                    return; // cancelled from a slot
                if (page->nextCursor.isEmpty()) {
                    stop();
                    Q_EMIT backfillFinished();
                } else {
                    load(page->nextCursor);
                }
            } else {
                storeOlder(*page);
            }
        } else if (m_mode == Mode::Verify) {
            verifyPage(*page);
        }
    } catch (const ArchiveError& e) {
        stop(QString::fromUtf8(e.what()));
    }
}

void AuditArchiveSync::storeRun() {
    std::vector<const audit::AuditBatch*> pages;
    for (const AuditPageLoader::Page& page : m_run)
        pages.push_back(page.get());
    const StoreResult result = m_archive->storeNewer(pages);
    if (!result.changed.isEmpty())
        qCWarning(lcApp) << "the server's copy of" << result.changed.size()
                         << "archived audit events differs from the archive's";
    stop();
    Q_EMIT newestSynced(result);
}

void AuditArchiveSync::storeOlder(const audit::AuditBatch& page) {
    m_archive->storeOlder(page);
    Q_EMIT backfillProgress(m_archive->count());
    if (m_mode != Mode::Backfill)
        return; // cancelled from a slot
    if (!page.nextCursor.isEmpty()) {
        load(page.nextCursor);
        return;
    }
    if (!page.records.empty()) {
        const std::string_view oldest = page.uniqueOf(page.records.back()).eventId;
        m_archive->markBeyondRetention(
            QString::fromUtf8(oldest.data(), static_cast<qsizetype>(oldest.size())));
    }
    stop();
    Q_EMIT backfillFinished();
}

void AuditArchiveSync::verifyPage(const audit::AuditBatch& page) {
    const std::vector<IntegrityIssue> found = m_archive->compareWithServer(page, &m_ceiling);
    m_compared += static_cast<qint64>(page.records.size());
    if (!found.empty()) {
        qCWarning(lcApp) << "the server's audit log and the archive disagree on" << found.size()
                         << "events";
        Q_EMIT verifyIssues(found);
        if (m_mode != Mode::Verify)
            return; // cancelled from a slot
    }
    Q_EMIT verifyProgress(m_compared);
    if (m_mode != Mode::Verify)
        return;
    if (!page.nextCursor.isEmpty()) {
        load(page.nextCursor);
        return;
    }
    // The server's end: what is archived below the oldest archived event it still sent (all
    // that was archived when the walk began, when it sent none) is beyond its retention.
    const int marked = m_archive->markBeyondRetentionThrough(m_ceiling);
    stop();
    Q_EMIT verifyFinished(marked);
}

} // namespace legba
