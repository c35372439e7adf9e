#include "AuditLogModel.h"

#include "Identifiers.h"
#include "TimeFormat.h"

#include <QFont>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QLoggingCategory>
#include <QPalette>
#include <QScopeGuard>
#include <QTimeZone>
#include <algorithm>
#include <numeric>
#include <queue>

Q_LOGGING_CATEGORY(lcAuditModel, "legba.models.audit")

namespace legba {

using audit::AuditRecord;
using Index = AuditStore::Index;

namespace {

constexpr quint64 kTimeBits = 40;
constexpr quint64 kTimeMask = (quint64(1) << kTimeBits) - 1;
constexpr quint64 kPrimaryMax = (quint64(1) << 24) - 1;

// Stable LSD radix sort on 64-bit keys, 16 bits a pass; passes where every key has the
// same digit are skipped (times share their high bits).
template <typename T> void radixSort(std::vector<T>& items) {
    if (items.size() < 2)
        return;
    std::vector<T> scratch(items.size());
    std::vector<std::array<quint32, 65536>> counts(4);
    for (auto& c : counts)
        c.fill(0);
    for (const T& item : items) {
        for (unsigned pass = 0; pass < 4; ++pass)
            ++counts[pass][(item.key >> (16 * pass)) & 0xFFFF];
    }
    for (unsigned pass = 0; pass < 4; ++pass) {
        auto& count = counts[pass];
        const auto digit = (items.front().key >> (16 * pass)) & 0xFFFF;
        if (count[digit] == items.size())
            continue;
        quint32 sum = 0;
        for (quint32& c : count) {
            const quint32 here = c;
            c = sum;
            sum += here;
        }
        for (const T& item : items)
            scratch[count[(item.key >> (16 * pass)) & 0xFFFF]++] = item;
        items.swap(scratch);
    }
}

QString text(std::string_view view) {
    return QString::fromUtf8(view.data(), static_cast<qsizetype>(view.size()));
}

// The tooltip without the line that says an event is kept locally.
constexpr int kPlainToolTipRole = Qt::UserRole + 1000;

} // namespace

AuditLogModel::AuditLogModel(QObject* parent)
    : QAbstractTableModel(parent) {}

void AuditLogModel::reset() {
    beginResetModel();
    m_store.clear();
    m_order.clear();
    m_order.shrink_to_fit();
    m_visible.clear();
    m_visible.shrink_to_fit();
    m_matcher = AuditTextMatcher(m_matcher.needle());
    m_filtered = !m_matcher.isEmpty();
    m_match.clear();
    m_match.shrink_to_fit();
    m_keptLocally.clear();
    m_keptLocally.shrink_to_fit();
    m_ranks.clear();
    m_actorRanks.clear();
    ++m_generation;
    const bool wasPending = m_pending;
    m_pending = false;
    m_atEnd = false;
    m_held = false;
    m_started = false;
    m_nextCursor.clear();
    m_pendingCursor.clear();
    m_asked.clear();
    m_newestMs = 0;
    endResetModel();
    if (wasPending)
        Q_EMIT fetchingChanged(false);
}

bool AuditLogModel::canFetchMore(const QModelIndex& parent) const {
    return !parent.isValid() && m_fetcher && !m_pending && !m_atEnd && !m_held;
}

void AuditLogModel::fetchMore(const QModelIndex& parent) {
    if (!canFetchMore(parent))
        return;
    const QString cursor = m_started ? m_nextCursor : QString();
    if (m_asked.contains(cursor)) {
        // The server handed back a cursor we already followed: stop rather than loop.
        qCWarning(lcAuditModel) << "cursor repeated; paging stops";
        m_atEnd = true;
        return;
    }
    m_asked.insert(cursor);
    m_pending = true;
    m_pendingCursor = cursor;
    Q_EMIT fetchingChanged(true);
    m_fetcher(m_generation, cursor);
}

bool AuditLogModel::addPage(quint64 generation, const QString& cursor,
                            const audit::AuditBatch& batch) {
    if (generation != m_generation || !m_pending || cursor != m_pendingCursor)
        return false;
    m_pending = false;
    m_started = true;
    m_nextCursor = batch.nextCursor;
    m_atEnd = batch.nextCursor.isEmpty();
    if (!batch.records.empty()) {
        const Index first = m_store.append(batch);
        const auto end = static_cast<Index>(m_store.size());
        integrate(first, end);
        Q_EMIT eventsStored(first, end);
    }
    Q_EMIT fetchingChanged(false);
    return true;
}

void AuditLogModel::pageFailed(quint64 generation, const QString& cursor) {
    if (generation != m_generation || !m_pending || cursor != m_pendingCursor)
        return;
    m_pending = false;
    m_asked.remove(cursor);
    Q_EMIT fetchingChanged(false);
}

void AuditLogModel::pageErrored(quint64 generation, const QString& cursor) {
    if (generation != m_generation || !m_pending || cursor != m_pendingCursor)
        return;
    m_held = true;
    pageFailed(generation, cursor);
}

void AuditLogModel::retry() {
    m_held = false;
}

int AuditLogModel::addNewer(const audit::AuditBatch& batch, const std::vector<char>& keep) {
    const auto count = static_cast<int>(std::count(keep.begin(), keep.end(), 1));
    if (count == 0)
        return 0;
    const Index first = m_store.append(batch, &keep);
    const auto end = static_cast<Index>(m_store.size());
    integrate(first, end);
    Q_EMIT eventsStored(first, end);
    return count;
}

void AuditLogModel::markKeptLocally(AuditStore::Index first, const std::vector<bool>& flags) {
    const auto last = std::find(flags.rbegin(), flags.rend(), true);
    if (last == flags.rend())
        return;
    const std::size_t end = first + static_cast<std::size_t>(flags.rend() - last);
    if (m_keptLocally.size() < end)
        m_keptLocally.resize(end, 0);
    for (std::size_t k = 0; k < flags.size() && first + k < end; ++k)
        if (flags[k])
            m_keptLocally[first + k] = 1;
    const int rows = rowCount();
    if (rows > 0)
        Q_EMIT dataChanged(index(0, 0), index(rows - 1, ColumnCount - 1),
                           {Qt::ForegroundRole, Qt::ToolTipRole, KeptLocallyRole});
}

std::vector<quint32> AuditLogModel::stringRanks() const {
    const audit::StringPool& pool = m_store.strings();
    std::vector<QString> texts(pool.size());
    for (quint32 id = 0; id < pool.size(); ++id)
        texts[id] = text(pool.view(id));
    std::vector<quint32> ids(pool.size());
    std::iota(ids.begin(), ids.end(), 0U);
    std::stable_sort(ids.begin(), ids.end(), [&](quint32 a, quint32 b) {
        const int c = texts[a].compare(texts[b], Qt::CaseInsensitive);
        return c != 0 ? c < 0 : texts[a] < texts[b];
    });
    std::vector<quint32> ranks(pool.size());
    for (quint32 r = 0; r < ids.size(); ++r)
        ranks[ids[r]] = std::min<quint32>(r, static_cast<quint32>(kPrimaryMax));
    return ranks;
}

void AuditLogModel::prepareKeys() {
    const audit::StringPool& pool = m_store.strings();
    const bool strings =
        m_sortColumn != TimeColumn && m_sortColumn != StatusColumn && m_sortColumn != OutcomeColumn;
    if (strings && m_ranks.size() != pool.size())
        m_ranks = stringRanks();
    if (m_sortColumn == ActorColumn && m_actorRanks.size() != m_store.actors().size()) {
        // Unauthenticated first, then by name and prefix.
        const auto& actors = m_store.actors();
        std::vector<quint32> order(actors.size());
        std::iota(order.begin(), order.end(), 0U);
        std::stable_sort(order.begin() + 1, order.end(), [&](quint32 a, quint32 b) {
            const auto& x = actors[a];
            const auto& y = actors[b];
            return m_ranks[x.name] != m_ranks[y.name] ? m_ranks[x.name] < m_ranks[y.name]
                                                      : m_ranks[x.prefix] < m_ranks[y.prefix];
        });
        m_actorRanks.assign(actors.size(), 0);
        for (quint32 r = 0; r < order.size(); ++r)
            m_actorRanks[order[r]] = r;
    }
    if (m_keyTimeBase == 0)
        m_keyTimeBase = QDateTime::currentMSecsSinceEpoch() + 365LL * 86'400'000;
}

quint64 AuditLogModel::sortKey(Index index) const {
    const AuditRecord& r = m_store.record(index);
    const bool descending = m_sortOrder == Qt::DescendingOrder;
    if (m_sortColumn == TimeColumn) {
        const quint64 key = static_cast<quint64>(r.occurredMs) ^ (quint64(1) << 63);
        return descending ? ~key : key;
    }
    quint64 primary = 0;
    switch (m_sortColumn) {
    case ActorColumn:
        primary = m_actorRanks[r.actor];
        break;
    case ActionColumn:
        primary = m_ranks[r.action];
        break;
    case TargetColumn:
        primary = r.hasTarget() ? quint64(m_ranks[r.targetType]) + 1 : 0;
        break;
    case OutcomeColumn:
        // failure, a newer API's word (neither), success
        primary = r.success() ? 2 : r.hasOtherOutcome() ? 1 : 0;
        break;
    case StatusColumn:
        primary = r.statusCode;
        break;
    case IpColumn:
        primary = m_ranks[r.ip];
        break;
    case UserAgentColumn:
        primary = m_ranks[r.userAgent];
        break;
    default:
        break;
    }
    primary = std::min(primary, kPrimaryMax);
    if (descending)
        primary = kPrimaryMax - primary;
    // Within equal values, newest first.
    const qint64 age =
        std::clamp<qint64>(m_keyTimeBase - r.occurredMs, 0, static_cast<qint64>(kTimeMask));
    return (primary << kTimeBits) | static_cast<quint64>(age);
}

void AuditLogModel::rebuildVisible() {
    if (!m_filtered)
        return;
    m_visible.clear();
    for (const Index i : m_order) {
        if (m_match[i])
            m_visible.push_back(i);
    }
}

int AuditLogModel::rowOfStoreIndex(Index index) const {
    const auto& rows = m_filtered ? m_visible : m_order;
    const auto it = std::find(rows.begin(), rows.end(), index);
    return it == rows.end() ? -1 : static_cast<int>(it - rows.begin());
}

void AuditLogModel::integrate(Index first, Index end) {
    m_merging = true;
    const auto done = qScopeGuard([this] { m_merging = false; });
    const auto n = static_cast<std::size_t>(end - first);
    for (Index i = first; i < end; ++i)
        m_newestMs = std::max(m_newestMs, m_store.record(i).occurredMs);
    if (m_filtered)
        m_matcher.update(m_store.strings(), m_store.actors());
    prepareKeys();

    std::vector<KeyIndex> fresh(n);
    for (std::size_t k = 0; k < n; ++k)
        fresh[k] = {sortKey(first + static_cast<Index>(k)), first + static_cast<Index>(k)};
    std::sort(fresh.begin(), fresh.end(), [](const KeyIndex& a, const KeyIndex& b) {
        return a.key != b.key ? a.key < b.key : a.index < b.index;
    });
    std::vector<Index> freshVisible;
    freshVisible.reserve(n);
    if (m_filtered)
        m_match.resize(m_store.size(), 0);
    for (const KeyIndex& k : fresh) {
        if (!m_filtered || (m_match[k.index] = m_matcher.matches(m_store, k.index)))
            freshVisible.push_back(k.index);
    }

    // Fresh keys all after the last row (paging older in the default order), or all before
    // the first (the live tail): one contiguous insert, the cheap and common cases.
    const bool append = m_order.empty() || fresh.front().key > sortKey(m_order.back());
    const bool prepend = !append && fresh.back().key < sortKey(m_order.front());
    if (append || prepend) {
        const int at = append ? static_cast<int>(visibleCount()) : 0;
        if (!freshVisible.empty())
            beginInsertRows({}, at, at + static_cast<int>(freshVisible.size()) - 1);
        auto& order = m_order;
        std::vector<Index> keys(n);
        for (std::size_t k = 0; k < n; ++k)
            keys[k] = fresh[k].index;
        order.insert(append ? order.end() : order.begin(), keys.begin(), keys.end());
        if (m_filtered)
            m_visible.insert(append ? m_visible.end() : m_visible.begin(), freshVisible.begin(),
                             freshVisible.end());
        if (!freshVisible.empty())
            endInsertRows();
        return;
    }

    // A few rows amid the others (a live-tail poll under a text sort, or with an event
    // stamped late): each goes where the sort puts it, found by binary search. That is
    // O(k log n) keys and a move of the row vectors per row, where merging the whole order
    // and remapping persistent indexes costs O(n) with a key per row.
    if (n <= kFewRows) {
        auto keyBefore = [this](quint64 key, Index i) {
            return key < sortKey(i);
        };
        for (const KeyIndex& k : fresh) {
            const auto at = std::upper_bound(m_order.begin(), m_order.end(), k.key, keyBefore);
            if (m_filtered && !m_match[k.index]) {
                m_order.insert(at, k.index);
                continue;
            }
            auto& rows = m_filtered ? m_visible : m_order;
            const auto visibleAt =
                m_filtered ? std::upper_bound(m_visible.begin(), m_visible.end(), k.key, keyBefore)
                           : at;
            const auto row = static_cast<int>(visibleAt - rows.begin());
            beginInsertRows({}, row, row);
            if (m_filtered)
                m_visible.insert(visibleAt, k.index);
            m_order.insert(at, k.index);
            endInsertRows();
        }
        return;
    }

    // Anywhere else: insert at the end, then move everything where the sort puts it.
    if (!freshVisible.empty()) {
        const int at = static_cast<int>(visibleCount());
        beginInsertRows({}, at, at + static_cast<int>(freshVisible.size()) - 1);
    }
    const std::size_t oldSize = m_order.size();
    for (const KeyIndex& k : fresh)
        m_order.push_back(k.index);
    if (m_filtered)
        m_visible.insert(m_visible.end(), freshVisible.begin(), freshVisible.end());
    if (!freshVisible.empty())
        endInsertRows();

    Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    const QModelIndexList before = persistentIndexList();
    std::vector<Index> records;
    records.reserve(static_cast<std::size_t>(before.size()));
    for (const QModelIndex& index : before)
        records.push_back(rowAt(static_cast<std::size_t>(index.row())));

    std::vector<Index> merged;
    merged.reserve(m_order.size());
    std::size_t a = 0;
    std::size_t b = 0;
    while (a < oldSize || b < n) {
        if (b == n || (a < oldSize && sortKey(m_order[a]) <= fresh[b].key))
            merged.push_back(m_order[a++]);
        else
            merged.push_back(fresh[b++].index);
    }
    m_order.swap(merged);
    rebuildVisible();

    if (!before.isEmpty()) {
        std::vector<int> rowOf(m_store.size(), -1);
        const auto& rows = m_filtered ? m_visible : m_order;
        for (std::size_t r = 0; r < rows.size(); ++r)
            rowOf[rows[r]] = static_cast<int>(r);
        QModelIndexList after;
        after.reserve(before.size());
        for (qsizetype k = 0; k < before.size(); ++k)
            after.push_back(index(rowOf[records[static_cast<std::size_t>(k)]], before[k].column()));
        changePersistentIndexList(before, after);
    }
    Q_EMIT layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

bool AuditLogModel::sortByMergingRuns() {
    // Arrival order is mostly sorted by time, one way or the other: pages come newest
    // first, and the live tail appends short runs of newer events after them. So split it
    // into maximal runs sorted either way, keep the longest where it is and merge the
    // others into it, the smallest first: O(n) plus the cost of merging the short runs.
    // Other columns are never in arrival order: the radix sort it is.
    if (m_sortColumn != TimeColumn)
        return false;
    struct Run {
        Index first;
        Index end;
        bool reversed; // keys fall along arrival order: read it backwards
    };
    const auto n = static_cast<Index>(m_store.size());
    std::vector<Run> runs;
    Index start = 0;
    int direction = 0; // 0 until two keys differ, then +1 rising or -1 falling
    quint64 previous = n ? sortKey(0) : 0;
    for (Index i = 1; i < n; ++i) {
        const quint64 key = sortKey(i);
        if (key != previous) {
            const int step = key > previous ? 1 : -1;
            if (direction == 0) {
                direction = step;
            } else if (step != direction) {
                runs.push_back({start, i, direction < 0});
                if (runs.size() >= kMaxRuns)
                    return false;
                start = i;
                direction = 0;
            }
        }
        previous = key;
    }
    runs.push_back({start, n, direction < 0});
    if (runs.size() == 1) { // sorted already, one way or the other: the usual case
        if (runs.front().reversed)
            std::iota(m_order.rbegin(), m_order.rend(), Index(0));
        else
            std::iota(m_order.begin(), m_order.end(), Index(0));
        return true;
    }

    const auto longest = std::max_element(runs.begin(), runs.end(), [](const Run& a, const Run& b) {
        return a.end - a.first < b.end - b.first;
    });
    const Run main = *longest;
    runs.erase(longest);
    // What merging the short runs costs (each merge moves both): worth it while it stays
    // below one pass over everything, which is what the radix sort makes three or four of.
    std::priority_queue<std::size_t, std::vector<std::size_t>, std::greater<>> sizes;
    std::size_t shortTotal = 0;
    for (const Run& run : runs) {
        sizes.push(run.end - run.first);
        shortTotal += run.end - run.first;
    }
    std::size_t cost = shortTotal;
    while (sizes.size() > 1) {
        const std::size_t a = sizes.top();
        sizes.pop();
        const std::size_t b = sizes.top();
        sizes.pop();
        cost += a + b;
        sizes.push(a + b);
    }
    if (cost > n) {
        qCDebug(lcAuditModel) << "time sort:" << runs.size() + 1 << "runs, too many to merge";
        return false;
    }
    qCDebug(lcAuditModel) << "time sort: merging" << runs.size() + 1 << "runs," << shortTotal
                          << "events outside the longest";

    // The short runs, merged smallest first into one sorted vector.
    auto keyed = [this](const Run& run) {
        std::vector<KeyIndex> out;
        out.reserve(run.end - run.first);
        for (Index k = 0; k < run.end - run.first; ++k) {
            const Index i = run.reversed ? run.end - 1 - k : run.first + k;
            out.push_back({sortKey(i), i});
        }
        return out;
    };
    auto bySize = [](const std::vector<KeyIndex>& a, const std::vector<KeyIndex>& b) {
        return a.size() > b.size();
    };
    std::vector<std::vector<KeyIndex>> pending;
    pending.reserve(runs.size());
    for (const Run& run : runs)
        pending.push_back(keyed(run));
    std::make_heap(pending.begin(), pending.end(), bySize);
    while (pending.size() > 1) {
        std::pop_heap(pending.begin(), pending.end(), bySize);
        std::vector<KeyIndex> a = std::move(pending.back());
        pending.pop_back();
        std::pop_heap(pending.begin(), pending.end(), bySize);
        std::vector<KeyIndex>& b = pending.back();
        std::vector<KeyIndex> merged(a.size() + b.size());
        std::merge(a.begin(), a.end(), b.begin(), b.end(), merged.begin(),
                   [](const KeyIndex& x, const KeyIndex& y) { return x.key < y.key; });
        b = std::move(merged);
        std::push_heap(pending.begin(), pending.end(), bySize);
    }

    // The longest run, read in place, merged with them.
    std::vector<KeyIndex> rest;
    if (!pending.empty())
        rest = std::move(pending.front());
    const Index mainSize = main.end - main.first;
    std::size_t r = 0;
    std::size_t out = 0;
    for (Index k = 0; k < mainSize; ++k) {
        const Index i = main.reversed ? main.end - 1 - k : main.first + k;
        const quint64 key = sortKey(i);
        while (r < rest.size() && rest[r].key < key)
            m_order[out++] = rest[r++].index;
        m_order[out++] = i;
    }
    while (r < rest.size())
        m_order[out++] = rest[r++].index;
    return true;
}

void AuditLogModel::sort(int column, Qt::SortOrder order) {
    if (column < 0 || column >= ColumnCount)
        return;
    Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    const QModelIndexList before = persistentIndexList();
    std::vector<Index> records;
    records.reserve(static_cast<std::size_t>(before.size()));
    for (const QModelIndex& index : before)
        records.push_back(rowAt(static_cast<std::size_t>(index.row())));

    m_sortColumn = column;
    m_sortOrder = order;
    prepareKeys();
    const auto n = static_cast<Index>(m_store.size());
    if (!sortByMergingRuns()) {
        std::vector<KeyIndex> keyed(n);
        for (Index i = 0; i < n; ++i)
            keyed[i] = {sortKey(i), i};
        radixSort(keyed);
        for (std::size_t r = 0; r < keyed.size(); ++r)
            m_order[r] = keyed[r].index;
    }
    rebuildVisible();

    if (!before.isEmpty()) {
        std::vector<int> rowOf(m_store.size(), -1);
        const auto& rows = m_filtered ? m_visible : m_order;
        for (std::size_t r = 0; r < rows.size(); ++r)
            rowOf[rows[r]] = static_cast<int>(r);
        QModelIndexList after;
        after.reserve(before.size());
        for (qsizetype k = 0; k < before.size(); ++k)
            after.push_back(index(rowOf[records[static_cast<std::size_t>(k)]], before[k].column()));
        changePersistentIndexList(before, after);
    }
    Q_EMIT layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

void AuditLogModel::setFilterText(const QString& filterText) {
    AuditTextMatcher matcher(filterText);
    if (matcher.needle() == m_matcher.needle())
        return;
    const bool narrowing =
        m_filtered && matcher.needle().contains(m_matcher.needle(), Qt::CaseInsensitive);
    beginResetModel();
    matcher.update(m_store.strings(), m_store.actors());
    if (matcher.isEmpty()) {
        m_filtered = false;
        m_visible.clear();
        m_visible.shrink_to_fit();
        m_match.clear();
        m_match.shrink_to_fit();
    } else {
        // Narrowing only ever removes rows: test just those still shown.
        const auto& from = narrowing ? m_visible : m_order;
        std::vector<Index> visible;
        visible.reserve(narrowing ? from.size() : from.size() / 4 + 16);
        if (!narrowing)
            m_match.assign(m_store.size(), 0);
        for (const Index i : from) {
            const bool hit = matcher.matches(m_store, i);
            m_match[i] = hit;
            if (hit)
                visible.push_back(i);
        }
        m_visible.swap(visible);
        m_filtered = true;
    }
    m_matcher = std::move(matcher);
    endResetModel();
}

int AuditLogModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(visibleCount());
}

int AuditLogModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AuditLogModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Index i = rowAt(static_cast<std::size_t>(index.row()));
    const AuditRecord& r = m_store.record(i);
    const audit::StringPool& pool = m_store.strings();
    const auto column = static_cast<Column>(index.column());
    const bool authFailed = isAuthFailure(pool.view(r.action));

    const bool keptLocally = isKeptLocally(i);
    if (keptLocally && role == Qt::ToolTipRole) {
        const QString rest = data(index, kPlainToolTipRole).toString();
        const QString kept = tr("Kept on this computer only: the server no longer has this "
                                "event (beyond its retention).");
        return rest.isEmpty() ? kept : QString(kept + QLatin1Char('\n') + rest);
    }

    switch (role) {
    case StoreIndexRole:
        return static_cast<qulonglong>(i);
    case KeptLocallyRole:
        return keptLocally;
    case Qt::ForegroundRole:
        if (keptLocally)
            return QGuiApplication::palette().brush(QPalette::PlaceholderText);
        return {};
    case EventIdRole:
        return text(m_store.unique(i).eventId);
    case RequestIdRole:
        return text(m_store.unique(i).requestId);
    case FailureRole:
        return r.failure();
    case AuthFailedRole:
        return authFailed;
    case OccurredAtRole:
        return QDateTime::fromMSecsSinceEpoch(r.occurredMs, QTimeZone::utc());
    case BadgeToneRole:
        if (column == OutcomeColumn)
            return QVariant::fromValue(r.success()   ? BadgeTone::Good
                                       : r.failure() ? BadgeTone::Bad
                                                     : BadgeTone::Neutral);
        if (column == ActionColumn && authFailed)
            return QVariant::fromValue(BadgeTone::Bad);
        return {};
    case Qt::FontRole: {
        const bool mono = column == IpColumn || column == TargetColumn;
        if (!mono && !authFailed)
            return {};
        // Built once: views ask for fonts on every paint of every cell.
        if (!m_fonts) {
            m_fonts.emplace();
            (*m_fonts)[0] = QFontDatabase::systemFont(QFontDatabase::FixedFont);
            (*m_fonts)[1] = (*m_fonts)[0];
            (*m_fonts)[1].setBold(true);
            (*m_fonts)[2] = QGuiApplication::font();
            (*m_fonts)[2].setBold(true);
        }
        return (*m_fonts)[mono ? (authFailed ? 1 : 0) : 2];
    }
    case Qt::TextAlignmentRole:
        if (column == StatusColumn)
            return (Qt::AlignRight | Qt::AlignVCenter).toInt();
        return {};
    case Qt::DisplayRole:
    case Qt::AccessibleTextRole:
        switch (column) {
        case TimeColumn:
            return QDateTime::fromMSecsSinceEpoch(r.occurredMs, QTimeZone::utc())
                .toLocalTime()
                .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        case ActorColumn: {
            if (!r.actor)
                return AuditTextMatcher::unauthenticatedText();
            const auto& actor = m_store.actors()[r.actor];
            return tr("%1 (%2…)").arg(text(pool.view(actor.name)), text(pool.view(actor.prefix)));
        }
        case ActionColumn:
            return text(pool.view(r.action));
        case TargetColumn: {
            if (!r.hasTarget())
                return QStringLiteral("—");
            const QString id = text(m_store.unique(i).targetId);
            return QString(text(pool.view(r.targetType)) + QLatin1Char(' ') +
                           (role == Qt::DisplayRole ? shortId(id) : id));
        }
        case OutcomeColumn:
            if (r.hasOtherOutcome()) // a word the docs never named: the server's own
                return text(m_store.unique(i).otherOutcome);
            return AuditTextMatcher::outcomeText(r.success());
        case StatusColumn:
            return QString::number(r.statusCode);
        case IpColumn:
            return text(pool.view(r.ip));
        case UserAgentColumn:
            return text(pool.view(r.userAgent));
        case ColumnCount:
            break;
        }
        return {};
    case Qt::ToolTipRole:
    case kPlainToolTipRole:
        switch (column) {
        case TimeColumn: {
            const QDateTime when = QDateTime::fromMSecsSinceEpoch(r.occurredMs, QTimeZone::utc());
            return QString(timeformat::relative(when, now()) + QLatin1Char('\n') +
                           timeformat::exactLocal(when));
        }
        case ActorColumn: {
            if (!r.actor)
                return tr("No valid key was presented.");
            const auto& actor = m_store.actors()[r.actor];
            return tr("%1\nprefix %2\nkey id %3")
                .arg(text(pool.view(actor.name)), text(pool.view(actor.prefix)),
                     text(pool.view(actor.keyId)));
        }
        case TargetColumn:
            if (!r.hasTarget())
                return {};
            return QString(text(pool.view(r.targetType)) + QLatin1Char(' ') +
                           text(m_store.unique(i).targetId));
        case UserAgentColumn:
            return text(pool.view(r.userAgent));
        default:
            return {};
        }
    case SortRole:
        switch (column) {
        case TimeColumn:
            return r.occurredMs;
        case StatusColumn:
            return r.statusCode;
        case OutcomeColumn:
            return r.success() ? 2 : r.hasOtherOutcome() ? 1 : 0;
        default:
            return data(index, Qt::AccessibleTextRole);
        }
    default:
        return {};
    }
}

QVariant AuditLogModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (static_cast<Column>(section)) {
    case TimeColumn:
        return tr("Time");
    case ActorColumn:
        return tr("Actor");
    case ActionColumn:
        return tr("Action");
    case TargetColumn:
        return tr("Target");
    case OutcomeColumn:
        return tr("Outcome");
    case StatusColumn:
        return tr("Status");
    case IpColumn:
        return tr("IP address");
    case UserAgentColumn:
        return tr("User agent");
    case ColumnCount:
        break;
    }
    return {};
}

QHash<int, QByteArray> AuditLogModel::roleNames() const {
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(SortRole, "sort");
    names.insert(EventIdRole, "eventId");
    names.insert(RequestIdRole, "requestId");
    names.insert(BadgeToneRole, "badgeTone");
    names.insert(FailureRole, "failure");
    names.insert(AuthFailedRole, "authFailed");
    names.insert(OccurredAtRole, "occurredAt");
    names.insert(StoreIndexRole, "storeIndex");
    names.insert(KeptLocallyRole, "keptLocally");
    return names;
}

} // namespace legba
