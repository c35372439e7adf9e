#pragma once

#include "ApiError.h"
#include "AuditPageLoader.h"
#include "Types.h"

#include <QObject>
#include <functional>
#include <memory>
#include <string>
#include <vector>

class QTimer;

namespace legba {

class Session;

// The audit log as the app reads it, without widgets: the query a view shows and its
// generation, its pages on demand, and the live tail. Pages go through AuditPageLoader (a
// worker-thread parse); the feed decides what is asked and what is new, the pane only
// shows it.
//
// The live tail. The server lists events in the order it recorded them, newest first, and
// records some late: it stamps an event when the request came in but writes reads' events
// in batches, so an event stamped seconds before the newest one loaded can still be
// recorded after it. Asking for events `since` some time therefore misses those. Instead a
// look reads the top of the log with the query's filters, page after page, until it meets
// the event that was on top last time (the head): everything above it is new, nothing below
// it is. The pages of a look are handed over only once it reaches the head, so that a look
// that fails part way adds nothing (and the next one adds each event once). When the head
// is no longer listed at all, this is not the log that was loaded (a server whose data was
// replaced): reloadNeeded().
class AuditFeed : public QObject {
    Q_OBJECT

public:
    // Of one page of a tail look: its first `count` records are new.
    struct NewerPage {
        AuditPageLoader::Page page;
        std::size_t count = 0;
    };

    explicit AuditFeed(Session* session, QObject* parent = nullptr);
    ~AuditFeed() override;

    // Starts over with `query` (its cursor is ignored): a new generation. Pages and tail
    // looks in flight are dropped; the head and the unreadable events are forgotten.
    void setQuery(AuditQuery query);
    const AuditQuery& query() const { return m_query; }
    quint64 generation() const { return m_generation; }
    void setPageSize(int events) { m_pageSize = events; }
    int pageSize() const { return m_pageSize; }

    // Asks for the query's page at `cursor` (empty: the first), superseding a page asked
    // and not answered. Answered by pageLoaded or pageFailed; false when there is no one
    // to ask (not connected, or the key may not read the log): then pageNotAsked follows,
    // from the event loop, and the page may be asked again later.
    bool fetchPage(const QString& cursor);
    bool isFetchingPage() const { return m_pages->isLoading(); }
    // Drops the page and the tail look in flight (the session went away).
    void stop();

    // Looks for newer events every tailInterval() while on (and once at once).
    void setLiveTail(bool on);
    bool isLiveTail() const { return m_live; }
    void setTailInterval(int msecs);
    int tailInterval() const;
    // One look now: false when one is running, or none can run (the first page is not in,
    // not connected, a range that ends, the route refused).
    bool lookForNewer();
    bool isTailBusy() const { return m_tailBusy; }

    // Events the server sent since setQuery() that could not be read, in arrival order.
    const std::vector<UnreadableItem>& unreadable() const { return m_unreadable; }

    // A loader on the feed's session for a reader of its own (the export).
    std::unique_ptr<AuditPageLoader> newLoader() const;
    // "Copy as curl" for `query`: the request as it is sent, the key as $LEGBA_API_TOKEN.
    QString curlCommand(const AuditQuery& query) const;
    // The organization's keys, revoked ones too: the actors the log may be filtered by.
    // `done` runs while `context` lives; the call is dropped with the feed.
    RequestHandle listActors(QObject* context, std::function<void(Result<KeyList>)> done) const;

Q_SIGNALS:
    void pageLoaded(const QString& cursor, legba::AuditPageLoader::Page page);
    void pageFailed(const QString& cursor, const legba::ApiError& error);
    void pageNotAsked(const QString& cursor);
    // A look reached the head: the new events of each page, newest first (`pages` may hold
    // no new event at all). `unreadableAdded`: the look added to unreadable().
    void newerEvents(const std::vector<legba::AuditFeed::NewerPage>& pages, bool unreadableAdded);
    void tailFailed(const legba::ApiError& error);
    // A look started or ended (reached the head, failed, dropped).
    void tailBusyChanged(bool busy);
    // The head is no longer listed: the log must be loaded again from the top.
    void reloadNeeded();

private:
    void onPage(const AuditQuery& query, const AuditPageLoader::Page& page);
    void onPageFailed(const AuditQuery& query, const ApiError& error);
    void onTailPage(const AuditQuery& query, const AuditPageLoader::Page& page);
    void onTailFailed(const AuditQuery& query, const ApiError& error);
    void endTail();
    void noteFailure(const ApiError& error);

    Session* m_session;       // not owned
    AuditPageLoader* m_pages; // owned (child)
    AuditPageLoader* m_tail;  // owned (child)
    QTimer* m_tailTimer;      // owned (child)
    AuditQuery m_query;
    quint64 m_generation = 1;
    int m_pageSize = 1000;
    bool m_firstPageIn = false;
    bool m_refused = false; // the route answered 404 or 403 since the last page came
    bool m_live = false;
    bool m_tailBusy = false;
    // The id of the event the server listed first (the most recently recorded one matching
    // the query) when the top of the log was last read.
    std::string m_head;
    // The pages of the look in flight, newest first, and how many of each are new.
    std::vector<NewerPage> m_tailPages;
    std::vector<UnreadableItem> m_unreadable;
};

} // namespace legba
