#pragma once

#include "AuditStore.h"
#include "Badge.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QFont>
#include <QSet>
#include <functional>
#include <vector>

namespace legba {

// The audit log, one row per loaded event, over an AuditStore.
//
// Paging: the view's fetchMore asks the injected fetcher for the page after the last one
// (the model does no I/O); addPage() takes the answer. Each cursor is asked for at most
// once per generation, and an answer is taken only for the cursor asked, so no page is
// loaded twice and none is skipped. reset() starts a new generation: answers to older
// requests are ignored.
//
// Sorting and the text search are the model's own work over an index vector: a radix sort
// on 64-bit keys (ranks of the distinct strings for string columns) and a scan with
// precomputed verdicts per distinct string. No QSortFilterProxyModel.
class AuditLogModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column {
        TimeColumn,
        ActorColumn,
        ActionColumn,
        TargetColumn,
        OutcomeColumn,
        StatusColumn,
        IpColumn,
        UserAgentColumn,
        ColumnCount
    };
    Q_ENUM(Column)

    enum Role {
        SortRole = Qt::UserRole + 1, // the value the column sorts by
        EventIdRole,
        RequestIdRole,
        BadgeToneRole,   // BadgeTone, on the outcome and (for auth.failed) action columns
        FailureRole,     // bool
        AuthFailedRole,  // bool
        OccurredAtRole,  // QDateTime, UTC
        StoreIndexRole,  // the event's index in store()
        KeptLocallyRole, // bool: archived here, beyond the server's retention
    };
    Q_ENUM(Role)

    // Asks for the page at `cursor` (empty: the first) for `generation`.
    using Fetcher = std::function<void(quint64 generation, const QString& cursor)>;
    using Clock = std::function<QDateTime()>;

    explicit AuditLogModel(QObject* parent = nullptr);

    void setFetcher(Fetcher fetcher) { m_fetcher = std::move(fetcher); }
    void setClock(Clock clock) { m_clock = std::move(clock); }

    // Forgets every event and starts a new generation; paging starts over.
    void reset();
    quint64 generation() const { return m_generation; }
    bool isFetching() const { return m_pending; }
    // True while new events are being merged in (their inserts and layout changes), as
    // opposed to a sort or a search the user asked for.
    bool isMerging() const { return m_merging; }
    bool atEnd() const { return m_atEnd; }
    // The cursor asked for and not answered yet (valid while isFetching()).
    const QString& pendingCursor() const { return m_pendingCursor; }

    // A page answered for (generation, cursor). Returns false (and changes nothing) for a
    // stale or unasked page.
    bool addPage(quint64 generation, const QString& cursor, const audit::AuditBatch& batch);
    // The request for (generation, cursor) was not made: it may be asked again.
    void pageFailed(quint64 generation, const QString& cursor);
    // The request for (generation, cursor) failed with an error the user is shown: paging
    // holds (canFetchMore is false, so views and testers do not ask again and again) until
    // retry().
    void pageErrored(quint64 generation, const QString& cursor);
    void retry();
    bool isHeld() const { return m_held; }
    // Newer events (live tail), where keep[i] is set; placed where the sort puts them.
    // Returns how many were added.
    int addNewer(const audit::AuditBatch& batch, const std::vector<char>& keep);
    // Marks the events from store index `first` on whose flag is set as kept on this
    // computer only (the local archive has them; the server no longer does): muted, with a
    // tooltip that says so.
    void markKeptLocally(AuditStore::Index first, const std::vector<bool>& flags);
    bool isKeptLocally(AuditStore::Index index) const {
        return index < m_keptLocally.size() && m_keptLocally[index] != 0;
    }

    bool canFetchMore(const QModelIndex& parent = {}) const override;
    void fetchMore(const QModelIndex& parent = {}) override;

    void setFilterText(const QString& text);
    QString filterText() const { return m_matcher.needle(); }
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    int sortColumn() const { return m_sortColumn; }
    Qt::SortOrder sortOrder() const { return m_sortOrder; }

    const AuditStore& store() const { return m_store; }
    // The store index of a row, and back (-1 when the event is filtered out).
    AuditStore::Index storeIndex(int row) const { return rowAt(static_cast<std::size_t>(row)); }
    int rowOfStoreIndex(AuditStore::Index index) const;
    // Newest occurred_at among loaded events, msecs; 0 when none.
    qint64 newestMs() const { return m_newestMs; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    static bool isAuthFailure(std::string_view action) { return action == "auth.failed"; }

Q_SIGNALS:
    // New events were stored (counts for charts and summaries): store indexes [first, end).
    void eventsStored(AuditStore::Index first, AuditStore::Index end);
    void fetchingChanged(bool fetching);

private:
    static constexpr std::size_t kMaxRuns = 1 << 16;
    // New events up to this many that land amid the rows are inserted one by one.
    static constexpr std::size_t kFewRows = 16;

    struct KeyIndex {
        quint64 key;
        quint32 index;
    };

    AuditStore::Index rowAt(std::size_t row) const {
        return m_filtered ? m_visible[row] : m_order[row];
    }
    std::size_t visibleCount() const { return m_filtered ? m_visible.size() : m_order.size(); }
    QDateTime now() const { return m_clock ? m_clock() : QDateTime::currentDateTimeUtc(); }

    // Sorts m_order by merging the sorted runs arrival order is made of; false (and
    // m_order untouched) when there are too many for that to beat a radix sort.
    bool sortByMergingRuns();
    void prepareKeys();
    quint64 sortKey(AuditStore::Index index) const;
    void integrate(AuditStore::Index first, AuditStore::Index end);
    void rebuildVisible();
    std::vector<quint32> stringRanks() const;

    AuditStore m_store;
    std::vector<AuditStore::Index> m_order;   // every event, in sort order
    std::vector<AuditStore::Index> m_visible; // those the text search keeps, when filtered
    bool m_filtered = false;
    AuditTextMatcher m_matcher;
    std::vector<char> m_match;       // per store index, while filtered: the search keeps it
    std::vector<char> m_keptLocally; // per store index (shorter: the rest are not)

    int m_sortColumn = TimeColumn;
    Qt::SortOrder m_sortOrder = Qt::DescendingOrder;
    std::vector<quint32> m_ranks;      // per pooled string, for string columns
    std::vector<quint32> m_actorRanks; // per actor
    qint64 m_keyTimeBase = 0;

    Fetcher m_fetcher;
    Clock m_clock;
    quint64 m_generation = 1;
    bool m_pending = false;
    bool m_merging = false;
    bool m_atEnd = false;
    bool m_held = false;
    bool m_started = false;
    QString m_nextCursor;
    QString m_pendingCursor;
    QSet<QString> m_asked;
    qint64 m_newestMs = 0;
    mutable std::optional<std::array<QFont, 3>> m_fonts; // mono, mono bold, bold
};

} // namespace legba
