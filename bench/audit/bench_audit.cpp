// The audit log's benchmarks, each beside the obvious Qt approach in the same run:
//   bench_audit parse [PAGES]            SAX into compact records vs DOM into AuditEvent
//   bench_audit memory compact|qt [N]    RSS growth per event
//   bench_audit filter compact|qt [N]    text search: narrow, narrow more, broaden, clear
//   bench_audit sort compact|qt [N]      by time and by a string column (action)
//   bench_audit stall compact|qt URL ORG N   longest UI-thread gap while N events stream in
// The key for `stall` comes from $LEGBA_API_TOKEN. `bench/audit/run` runs them all.

#include "AuditLogModel.h"
#include "AuditPageSax.h"
#include "BenchData.h"
#include "HeapCounter.h"
#include "Json.h"
#include "StallProbe.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QSortFilterProxyModel>
#include <QStandardItemModel>
#include <cstdio>
#include <malloc.h>

using namespace legba;

namespace {

long long rssBytes() {
    QFile status(QStringLiteral("/proc/self/statm"));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> fields = status.readAll().split(' ');
    return fields.value(1).toLongLong() * 4096;
}

long long settledRss() {
    malloc_trim(0);
    return rssBytes();
}

// printf, then flush, so that `run` sees lines as they come.
#define print(...)                                                                                 \
    do {                                                                                           \
        std::printf(__VA_ARGS__);                                                                  \
        std::fflush(stdout);                                                                       \
    } while (false)

double ms(const QElapsedTimer& timer) {
    return static_cast<double>(timer.nsecsElapsed()) / 1e6;
}

// ---- parse ---------------------------------------------------------------------------

int benchParse(int pages) {
    bench::AuditPageGenerator generator;
    std::vector<QByteArray> bodies;
    qint64 bytes = 0;
    for (int p = 0; p < pages; ++p) {
        bodies.push_back(generator.serverPage(1000));
        bytes += bodies.back().size();
    }
    const double mb = static_cast<double>(bytes) / 1e6;
    print("parse: %d pages of 1000 events, %.1f MB (%.0f bytes/event)\n", pages, mb,
          static_cast<double>(bytes) / (pages * 1000.0));

    auto best = [&](auto&& run) {
        double fastest = 1e18;
        for (int round = 0; round < 5; ++round) {
            QElapsedTimer timer;
            timer.start();
            std::size_t events = 0;
            for (const QByteArray& body : bodies)
                events += run(body);
            fastest = std::min(fastest, ms(timer));
            if (events != static_cast<std::size_t>(pages) * 1000)
                std::abort();
        }
        return fastest;
    };
    const double sax =
        best([](const QByteArray& body) { return audit::parseAuditPage(body).records.size(); });
    const double dom = best([](const QByteArray& body) {
        return json::auditPageFromJson(json::parse(body)).events.size();
    });
    const double domOnly =
        best([](const QByteArray& body) { return json::parse(body)["events"].size(); });

    // Temporary memory: the heap's peak during one page's parse (the parsed result
    // included), the input page not counted.
    auto peakOf = [&](auto&& run) {
        long long worst = 0;
        for (int i = 0; i < 5; ++i) {
            const QByteArray& body = bodies[static_cast<std::size_t>(i)];
            bench::startCounting();
            run(body);
            bench::stopCounting();
            worst = std::max(worst, bench::heapPeak());
        }
        return worst;
    };
    const double pageBytes = static_cast<double>(bodies[0].size());
    const long long saxPeak =
        peakOf([](const QByteArray& body) { return audit::parseAuditPage(body).records.size(); });
    const long long domPeak = peakOf([](const QByteArray& body) {
        return json::auditPageFromJson(json::parse(body)).events.size();
    });
    print("parse: SAX into AuditRecord        %7.1f ms  %6.1f MB/s  peak temp %.2f x page\n", sax,
          mb / (sax / 1000), static_cast<double>(saxPeak) / pageBytes);
    print("parse: DOM into AuditEvent (Qt way) %7.1f ms  %6.1f MB/s  peak temp %.2f x page\n", dom,
          mb / (dom / 1000), static_cast<double>(domPeak) / pageBytes);
    print("parse: DOM alone (json::parse)      %7.1f ms  %6.1f MB/s\n", domOnly,
          mb / (domOnly / 1000));
    return 0;
}

// ---- loading N events into either approach -------------------------------------------

struct Loaded {
    std::unique_ptr<AuditLogModel> model;
    std::unique_ptr<QStandardItemModel> items;
    std::unique_ptr<QSortFilterProxyModel> proxy;
};

constexpr int kTimeRole = Qt::UserRole + 1;

void loadCompact(Loaded& loaded, int events) {
    loaded.model = std::make_unique<AuditLogModel>();
    AuditLogModel& model = *loaded.model;
    model.setFetcher([](quint64, const QString&) {});
    bench::AuditPageGenerator generator;
    for (int done = 0; done < events; done += 1000) {
        const QByteArray body = generator.serverPage(std::min(1000, events - done));
        const audit::AuditBatch batch = audit::parseAuditPage(body);
        model.fetchMore({});
        model.addPage(model.generation(), model.pendingCursor(), batch);
    }
}

QList<QStandardItem*> itemsFor(const AuditEvent& e) {
    // The obvious model: one QStandardItem per cell, display text and a sort value, and
    // the fields the details panel needs on the first item.
    auto* time = new QStandardItem(e.occurredAt.toLocalTime().toString(Qt::ISODate));
    time->setData(e.occurredAt.toMSecsSinceEpoch(), kTimeRole);
    time->setData(e.eventId, Qt::UserRole + 2);
    time->setData(e.requestId, Qt::UserRole + 3);
    time->setData(e.detailsJson, Qt::UserRole + 4);
    const QString actor =
        e.actor ? e.actor->name + QStringLiteral(" (") + e.actor->prefix + QStringLiteral("…)")
                : QStringLiteral("unauthenticated");
    const QString target = e.target ? e.target->type + QLatin1Char(' ') + e.target->id : QString();
    QList<QStandardItem*> row{
        time,
        new QStandardItem(actor),
        new QStandardItem(e.action),
        new QStandardItem(target),
        new QStandardItem(e.succeeded() ? QStringLiteral("success") : QStringLiteral("failure")),
        new QStandardItem(QString::number(e.statusCode)),
        new QStandardItem(e.ip),
        new QStandardItem(e.userAgent)};
    for (QStandardItem* item : row)
        item->setEditable(false);
    return row;
}

void loadQt(Loaded& loaded, int events) {
    loaded.items = std::make_unique<QStandardItemModel>(0, 8);
    loaded.proxy = std::make_unique<QSortFilterProxyModel>();
    loaded.proxy->setSourceModel(loaded.items.get());
    loaded.proxy->setFilterKeyColumn(-1);
    loaded.proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    bench::AuditPageGenerator generator;
    for (int done = 0; done < events; done += 1000) {
        const QByteArray body = generator.serverPage(std::min(1000, events - done));
        const AuditPage page = json::auditPageFromJson(json::parse(body));
        for (const AuditEvent& e : page.events)
            loaded.items->appendRow(itemsFor(e));
    }
    loaded.proxy->rowCount(); // the proxy builds its mapping
}

bool compactApproach(const char* which) {
    return qstrcmp(which, "compact") == 0;
}

int benchMemory(const char* which, int events) {
    Loaded loaded;
    const long long before = settledRss();
    QElapsedTimer timer;
    timer.start();
    if (compactApproach(which))
        loadCompact(loaded, events);
    else
        loadQt(loaded, events);
    const double loadMs = ms(timer);
    const long long after = settledRss();
    const double perEvent = static_cast<double>(after - before) / events;
    if (compactApproach(which)) {
        const AuditStore& store = loaded.model->store();
        print("memory: compact AuditLogModel  %d events: RSS +%.1f MB = %.1f bytes/event "
              "(store %.1f bytes/event, of which pool %.0f KB; %zu distinct strings); "
              "loaded in %.0f ms\n",
              events, static_cast<double>(after - before) / 1e6, perEvent,
              static_cast<double>(store.memoryBytes()) / events,
              static_cast<double>(store.strings().memoryBytes()) / 1e3,
              static_cast<std::size_t>(store.strings().size()), loadMs);
    } else {
        print("memory: QStandardItemModel + QSortFilterProxyModel %d events: RSS +%.1f MB = "
              "%.1f bytes/event; loaded in %.0f ms\n",
              events, static_cast<double>(after - before) / 1e6, perEvent, loadMs);
    }
    return 0;
}

// ---- filter and sort -----------------------------------------------------------------

int benchFilter(const char* which, int events) {
    Loaded loaded;
    const bool compact = compactApproach(which);
    if (compact)
        loadCompact(loaded, events);
    else
        loadQt(loaded, events);
    const char* steps[][2] = {{"203.0.113.7", "apply (narrow from all)"},
                              {"203.0.113.77", "narrow further"},
                              {"203.0.113.7", "broaden"},
                              {"", "clear (broaden to all)"}};
    for (const auto& step : steps) {
        QElapsedTimer timer;
        timer.start();
        int rows = 0;
        if (compact) {
            loaded.model->setFilterText(QString::fromLatin1(step[0]));
            rows = loaded.model->rowCount();
        } else {
            loaded.proxy->setFilterFixedString(QString::fromLatin1(step[0]));
            rows = loaded.proxy->rowCount();
        }
        print("filter: %-30s %-14s \"%s\" -> %d rows: %.1f ms\n",
              compact ? "compact AuditLogModel" : "QSortFilterProxyModel", step[1], step[0], rows,
              ms(timer));
    }
    return 0;
}

int benchSort(const char* which, int events) {
    Loaded loaded;
    const bool compact = compactApproach(which);
    if (compact)
        loadCompact(loaded, events);
    else
        loadQt(loaded, events);
    struct Step {
        int column;
        Qt::SortOrder order;
        const char* what;
    };
    const Step steps[] = {
        {AuditLogModel::TimeColumn, Qt::AscendingOrder, "time, oldest first"},
        {AuditLogModel::TimeColumn, Qt::DescendingOrder, "time, newest first"},
        {AuditLogModel::ActionColumn, Qt::AscendingOrder, "action (string)"},
        {AuditLogModel::UserAgentColumn, Qt::DescendingOrder, "user agent (string)"},
    };
    for (const Step& step : steps) {
        QElapsedTimer timer;
        timer.start();
        if (compact) {
            loaded.model->sort(step.column, step.order);
        } else {
            loaded.proxy->setSortRole(step.column == AuditLogModel::TimeColumn ? kTimeRole
                                                                               : Qt::DisplayRole);
            loaded.proxy->sort(step.column, step.order);
        }
        print("sort: %-30s %-22s %.1f ms\n",
              compact ? "compact AuditLogModel" : "QSortFilterProxyModel", step.what, ms(timer));
    }

    // Then the live tail: 200 polls of 5 newer events appended after what is loaded, each
    // poll newest first, and in one poll of four an event stamped before those of the poll
    // before (recorded late). Arrival order is then no longer time order.
    bench::AuditPageGenerator tail(11);
    const qint64 newest = 1'767'225'600'000;
    int tailEvents = 0;
    double tailMs = 0;
    double slowestPollMs = 0;
    for (int poll = 0; poll < 200; ++poll) {
        tail.setTimeMs(newest + (poll + 1) * 15'000);
        QByteArray body = tail.serverPage(5, false);
        std::vector<QByteArray> bodies{body};
        if (poll % 4 == 3) {
            tail.setTimeMs(newest + (poll - 1) * 15'000);
            bodies.push_back(tail.serverPage(1, false));
        }
        for (const QByteArray& page : bodies) {
            QElapsedTimer timer;
            timer.start();
            if (compact) {
                const audit::AuditBatch batch = audit::parseAuditPage(page);
                loaded.model->addNewer(batch, std::vector<char>(batch.records.size(), 1));
                tailEvents += static_cast<int>(batch.records.size());
            } else {
                const AuditPage parsed = json::auditPageFromJson(json::parse(page));
                for (const AuditEvent& e : parsed.events)
                    loaded.items->appendRow(itemsFor(e));
                tailEvents += static_cast<int>(parsed.events.size());
            }
            const double pollMs = ms(timer);
            tailMs += pollMs;
            slowestPollMs = std::max(slowestPollMs, pollMs);
        }
    }
    print("sort: %-30s live tail: %d events in 250 polls, %.1f ms in all, slowest poll %.1f ms\n",
          compact ? "compact AuditLogModel" : "QSortFilterProxyModel", tailEvents, tailMs,
          slowestPollMs);
    const Step afterTail[] = {
        {AuditLogModel::TimeColumn, Qt::AscendingOrder, "time, oldest first, after live tail"},
        {AuditLogModel::TimeColumn, Qt::DescendingOrder, "time, newest first, after live tail"},
    };
    for (const Step& step : afterTail) {
        QElapsedTimer timer;
        timer.start();
        if (compact) {
            loaded.model->sort(step.column, step.order);
        } else {
            loaded.proxy->setSortRole(kTimeRole);
            loaded.proxy->sort(step.column, step.order);
        }
        print("sort: %-30s %-22s %.1f ms\n",
              compact ? "compact AuditLogModel" : "QSortFilterProxyModel", step.what, ms(timer));
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    const QStringList args = app.arguments();
    const QString mode = args.value(1);
    const QByteArray which = args.value(2).toLatin1();
    const int count = args.value(3, QStringLiteral("1000000")).toInt();
    if (mode == QLatin1String("parse"))
        return benchParse(args.value(2, QStringLiteral("40")).toInt());
    if (mode == QLatin1String("memory"))
        return benchMemory(which.constData(), count);
    if (mode == QLatin1String("filter"))
        return benchFilter(which.constData(), count);
    if (mode == QLatin1String("sort"))
        return benchSort(which.constData(), count);
    if (mode == QLatin1String("stall"))
        return bench::benchStall(which.constData(), args.mid(3));
    std::fprintf(stderr, "usage: bench_audit parse|memory|filter|sort|stall ...\n");
    return 2;
}
