#include "AuditFeed.h"

#include "Logging.h"
#include "Session.h"

#include <QTimer>
#include <algorithm>

namespace legba {

namespace {

// A look's first page: usually holds every new event and the head.
constexpr int kTailFirstPage = 100;

} // namespace

AuditFeed::AuditFeed(Session* session, QObject* parent)
    : QObject(parent)
    , m_session(session)
    , m_pages(new AuditPageLoader(session->client(), this))
    , m_tail(new AuditPageLoader(session->client(), this))
    , m_tailTimer(new QTimer(this)) {
    connect(m_pages, &AuditPageLoader::pageLoaded, this, &AuditFeed::onPage);
    connect(m_pages, &AuditPageLoader::failed, this, &AuditFeed::onPageFailed);
    connect(m_tail, &AuditPageLoader::pageLoaded, this, &AuditFeed::onTailPage);
    connect(m_tail, &AuditPageLoader::failed, this, &AuditFeed::onTailFailed);
    m_tailTimer->setInterval(3000);
    connect(m_tailTimer, &QTimer::timeout, this, &AuditFeed::lookForNewer);
}

AuditFeed::~AuditFeed() = default;

void AuditFeed::setQuery(AuditQuery query) {
    query.cursor.clear();
    m_query = std::move(query);
    ++m_generation;
    m_pages->cancel();
    m_firstPageIn = false;
    m_refused = false;
    m_head.clear();
    m_unreadable.clear();
    if (m_tailBusy) {
        m_tail->cancel();
        endTail();
    }
}

bool AuditFeed::fetchPage(const QString& cursor) {
    // Offline, asking is how we find out the server is back (Retry, scrolling on).
    const Session::State state = m_session->state();
    if ((state != Session::State::Connected && state != Session::State::Offline) ||
        !m_session->can(Scope::AuditRead)) {
        const quint64 generation = m_generation;
        QTimer::singleShot(0, this, [this, generation, cursor] {
            if (generation == m_generation)
                Q_EMIT pageNotAsked(cursor);
        });
        return false;
    }
    AuditQuery query = m_query;
    query.cursor = cursor;
    query.limit = m_pageSize;
    m_pages->load(query);
    return true;
}

void AuditFeed::stop() {
    m_pages->cancel();
    if (m_tailBusy) {
        m_tail->cancel();
        endTail();
    }
}

std::unique_ptr<AuditPageLoader> AuditFeed::newLoader() const {
    return std::make_unique<AuditPageLoader>(m_session->client());
}

QString AuditFeed::curlCommand(const AuditQuery& query) const {
    return legba::curlCommand(m_session->client()->describe(requests::auditLog(query)));
}

RequestHandle AuditFeed::listActors(QObject* context,
                                    std::function<void(Result<KeyList>)> done) const {
    return m_session->client()->listKeys(true, context, std::move(done));
}

void AuditFeed::onPage(const AuditQuery& query, const AuditPageLoader::Page& page) {
    if (query.cursor.isEmpty()) {
        m_firstPageIn = true;
        if (!page->records.empty())
            m_head = page->uniqueOf(page->records.front()).eventId;
    }
    m_refused = false;
    m_unreadable.insert(m_unreadable.end(), page->unreadable.begin(), page->unreadable.end());
    Q_EMIT pageLoaded(query.cursor, page);
}

void AuditFeed::onPageFailed(const AuditQuery& query, const ApiError& error) {
    noteFailure(error);
    Q_EMIT pageFailed(query.cursor, error);
}

void AuditFeed::noteFailure(const ApiError& error) {
    if (error.isNotFound() || error.isForbidden())
        m_refused = true;
}

// ---- live tail -----------------------------------------------------------------------

void AuditFeed::setLiveTail(bool on) {
    if (on == m_live)
        return;
    m_live = on;
    if (on) {
        m_tailTimer->start();
        lookForNewer();
        return;
    }
    m_tailTimer->stop();
    if (m_tailBusy) {
        m_tail->cancel();
        endTail();
    }
}

void AuditFeed::setTailInterval(int msecs) {
    m_tailTimer->setInterval(msecs);
}

int AuditFeed::tailInterval() const {
    return m_tailTimer->interval();
}

bool AuditFeed::lookForNewer() {
    if (m_tailBusy || !m_firstPageIn || m_refused || m_query.until.isValid() ||
        m_session->state() != Session::State::Connected || !m_session->can(Scope::AuditRead))
        return false;
    AuditQuery query = m_query;
    query.limit = std::min(m_pageSize, kTailFirstPage);
    m_tailBusy = true;
    m_tailPages.clear();
    m_tail->load(query);
    Q_EMIT tailBusyChanged(true);
    return true;
}

void AuditFeed::endTail() {
    m_tailPages.clear();
    m_tailBusy = false;
    Q_EMIT tailBusyChanged(false);
}

void AuditFeed::onTailFailed(const AuditQuery& /*query*/, const ApiError& error) {
    noteFailure(error);
    endTail();
    Q_EMIT tailFailed(error);
}

void AuditFeed::onTailPage(const AuditQuery& query, const AuditPageLoader::Page& page) {
    std::size_t fresh = page->records.size();
    bool reached = false;
    if (!m_head.empty()) {
        for (std::size_t i = 0; i < page->records.size(); ++i) {
            if (page->uniqueOf(page->records[i]).eventId == m_head) {
                fresh = i;
                reached = true;
                break;
            }
        }
    }
    m_tailPages.push_back({page, fresh});
    if (!reached && !page->nextCursor.isEmpty()) {
        AuditQuery next = query;
        next.cursor = page->nextCursor;
        next.limit = m_pageSize;
        m_tail->load(next);
        return;
    }
    if (!reached && !m_head.empty()) {
        // The log is append-only, so the event on top last time is still there unless this
        // is not the log that was loaded.
        qCWarning(lcApp) << "live tail: the audit log no longer lists the event it listed "
                            "first; loading it again";
        endTail();
        Q_EMIT reloadNeeded();
        return;
    }

    const std::vector<NewerPage> pages = std::move(m_tailPages);
    m_tailPages.clear();
    const audit::AuditBatch& top = *pages.front().page;
    if (!top.records.empty())
        m_head = top.uniqueOf(top.records.front()).eventId;
    bool unreadable = false;
    for (const NewerPage& newer : pages) {
        const auto count = static_cast<std::ptrdiff_t>(newer.page->unreadableAbove(newer.count));
        m_unreadable.insert(m_unreadable.end(), newer.page->unreadable.begin(),
                            newer.page->unreadable.begin() + count);
        unreadable = unreadable || count > 0;
    }
    m_refused = false;
    endTail();
    Q_EMIT newerEvents(pages, unreadable);
}

} // namespace legba
