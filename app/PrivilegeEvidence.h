#pragma once

#include "ApiError.h"
#include "AuditPageLoader.h"
#include "PrivilegeAdvisor.h"

#include <QDateTime>
#include <QObject>
#include <functional>
#include <optional>

namespace legba {

class LegbaClient;

// Loads the advisor's evidence: every page of the audit log over a window (since now less
// 30 or 90 days, or the whole log up to kMaxPages pages for "all loaded"), through the one
// page loader (AuditPageLoader: fetch, parse on a worker), into a PrivilegeAdvisor. Progress
// after each page; cancel keeps what was loaded, marked incomplete (the advice then covers
// only the period those events reach back to). A failure (403: the key lacks audit:read;
// 404: the server offers no audit log) ends the load with the error.
class PrivilegeEvidence : public QObject {
    Q_OBJECT

public:
    using Window = PrivilegeAdvisor::Window;
    using Clock = std::function<QDateTime()>;

    static constexpr int kPageSize = 1000;
    static constexpr int kMaxPages = 200; // all loaded: the newest 200,000 events at most

    // `client` is not owned and must outlive this.
    explicit PrivilegeEvidence(LegbaClient* client, QObject* parent = nullptr);

    void setClock(Clock clock) { m_clock = std::move(clock); }
    void setPageSize(int size) { m_pageSize = size; }

    // Forgets what was loaded and loads `window` afresh, ending at now.
    void load(Window window);
    void cancel();
    // Forgets everything (disconnected).
    void clear();

    bool isLoading() const { return m_loader.isLoading(); }
    // Every page of the window was loaded.
    bool isComplete() const { return m_complete; }
    bool hasEvidence() const { return m_loaded; }
    Window window() const { return m_window; }
    // The end of the window: when the load started.
    QDateTime loadedAt() const { return m_loadedAt; }
    int pagesLoaded() const { return m_pages; }
    const std::optional<ApiError>& error() const { return m_error; }
    const PrivilegeAdvisor& advisor() const { return m_advisor; }
    PrivilegeAdvisor::Advice advise(const ApiKey& key) const {
        return m_advisor.advise(key, m_window, m_loadedAt);
    }

Q_SIGNALS:
    // After each page: events read so far.
    void progress(int events, int pages);
    // The load ended: complete, cancelled (isComplete() false) or failed (error() set).
    void finished();

private:
    void onPage(const AuditQuery& query, const AuditPageLoader::Page& page);
    void onFailed(const ApiError& error);
    void end(bool complete);
    QDateTime now() const { return m_clock ? m_clock() : QDateTime::currentDateTimeUtc(); }

    AuditPageLoader m_loader;
    PrivilegeAdvisor m_advisor;
    Clock m_clock;
    Window m_window = Window::Days30;
    QDateTime m_loadedAt;
    QDateTime m_since; // invalid: the whole log
    int m_pageSize = kPageSize;
    int m_pages = 0;
    bool m_complete = false;
    bool m_loaded = false;
    std::optional<ApiError> m_error;
};

} // namespace legba
