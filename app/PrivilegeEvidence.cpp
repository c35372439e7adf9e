#include "PrivilegeEvidence.h"

namespace legba {

PrivilegeEvidence::PrivilegeEvidence(LegbaClient* client, QObject* parent)
    : QObject(parent)
    , m_loader(client) {
    connect(&m_loader, &AuditPageLoader::pageLoaded, this, &PrivilegeEvidence::onPage);
    connect(&m_loader, &AuditPageLoader::failed, this,
            [this](const AuditQuery&, const ApiError& error) { onFailed(error); });
}

void PrivilegeEvidence::load(Window window) {
    m_loader.cancel();
    m_advisor.clear();
    m_window = window;
    m_loadedAt = now();
    const int days = PrivilegeAdvisor::days(window);
    m_since = days > 0 ? m_loadedAt.addDays(-days) : QDateTime();
    m_pages = 0;
    m_complete = false;
    m_loaded = false;
    m_error.reset();
    AuditQuery query;
    query.limit = m_pageSize;
    query.since = m_since;
    m_loader.load(query);
}

void PrivilegeEvidence::cancel() {
    if (!m_loader.isLoading())
        return;
    m_loader.cancel();
    end(false);
}

void PrivilegeEvidence::clear() {
    m_loader.cancel();
    m_advisor.clear();
    m_pages = 0;
    m_complete = false;
    m_loaded = false;
    m_error.reset();
}

void PrivilegeEvidence::onPage(const AuditQuery& query, const AuditPageLoader::Page& page) {
    m_advisor.add(*page);
    ++m_pages;
    Q_EMIT progress(static_cast<int>(m_advisor.eventCount()), m_pages);
    if (page->nextCursor.isEmpty()) {
        end(true);
        return;
    }
    if (m_pages >= kMaxPages) {
        end(false);
        return;
    }
    AuditQuery next = query;
    next.cursor = page->nextCursor;
    m_loader.load(next);
}

void PrivilegeEvidence::onFailed(const ApiError& error) {
    m_error = error;
    m_loaded = false;
    m_complete = false;
    m_advisor.clear();
    Q_EMIT finished();
}

void PrivilegeEvidence::end(bool complete) {
    m_complete = complete;
    m_loaded = true;
    // Complete: the events reach back to the window's start (or, for the whole log, to its
    // first event). Stopped early: only as far as the oldest event read.
    m_advisor.setCoverageFrom(complete ? m_since : QDateTime());
    Q_EMIT finished();
}

} // namespace legba
