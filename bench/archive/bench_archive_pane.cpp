// bench_archive_pane EVENTS DIR: the audit table's first rows on screen, from the local
// archive against from the sandbox, over EVENTS demo-shaped events (issue 19: "first rows on
// screen <= 100 ms after the pane opens", "<= 50 ms for a word query", side by side with
// fetching the same events from the sandbox).
//
// The table is what the Audit pane shows: an AuditLogModel in a QTableView with the pane's
// delegates and settings, shown (offscreen platform) before the clock starts. "On screen" is
// the model holding the rows and the view laid out and painted once (QWidget::grab()).
//   archive:  open the archive file (a new connection), read the newest 200, hand them to
//             the model as its first page, paint.
//   sandbox:  the first page asked of an in-process sandbox (legba-server seed-demo, EVENTS
//             events of the same shape) through AuditPageLoader, as the pane loads today:
//             GET over loopback, parsed on a worker, handed to the model, paint.
//   search:   a word query (FTS5) over the whole archive into a reset model, painted;
//             beside, the same word found as the pane finds it without the archive (the
//             server has no text search): every page fetched, then the model's own filter.
// The archive is DIR/audit/bench.sqlite, made with bench_archive's generator unless it is
// there already with EVENTS events (bench_archive EVENTS DIR leaves it there). Prints one
// line per measure.
#include "AuditArchive.h"
#include "AuditLogModel.h"
#include "AuditPageLoader.h"
#include "BenchData.h"
#include "CachedTextDelegate.h"
#include "SeededSandbox.h"
#include "StatusBadgeDelegate.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QHeaderView>
#include <QTableView>
#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <vector>

using namespace legba;

namespace {

constexpr int kPage = 1000;
constexpr int kRuns = 5;

#define print(...)                                                                                 \
    do {                                                                                           \
        std::printf(__VA_ARGS__);                                                                  \
        std::fflush(stdout);                                                                       \
    } while (false)

double ms(qint64 ns) {
    return static_cast<double>(ns) / 1e6;
}

QString loadAverage() {
    QFile file(QStringLiteral("/proc/loadavg"));
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("?");
    return QString::fromLatin1(file.readAll()).section(QLatin1Char(' '), 0, 2);
}

// The first run, then the median of the others.
struct Timings {
    double first = 0;
    double median = 0;
};
Timings timings(std::vector<double> runs) {
    Timings t;
    t.first = runs.front();
    runs.erase(runs.begin());
    std::sort(runs.begin(), runs.end());
    t.median = runs.empty() ? t.first : runs[runs.size() / 2];
    return t;
}

// The audit table as AuditPane builds it (ui/AuditPane.cpp), shown, empty.
struct Table {
    AuditLogModel model;
    QTableView view;
    std::function<void(quint64, const QString&)> fetch;

    Table() {
        model.setFetcher([this](quint64 generation, const QString& cursor) {
            if (fetch)
                fetch(generation, cursor);
        });
        view.setModel(&model);
        view.setSelectionBehavior(QAbstractItemView::SelectRows);
        view.setSelectionMode(QAbstractItemView::SingleSelection);
        view.setVerticalScrollMode(QAbstractItemView::ScrollPerItem);
        view.setAlternatingRowColors(true);
        view.setShowGrid(false);
        view.setWordWrap(false);
        view.verticalHeader()->hide();
        view.verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
        view.verticalHeader()->setDefaultSectionSize(view.fontMetrics().height() + 8);
        view.horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
        view.horizontalHeader()->setStretchLastSection(true);
        view.setSortingEnabled(true);
        view.sortByColumn(AuditLogModel::TimeColumn, Qt::DescendingOrder);
        view.setItemDelegate(new CachedTextDelegate(&view));
        auto* badges = new StatusBadgeDelegate(AuditLogModel::BadgeToneRole, &view);
        view.setItemDelegateForColumn(AuditLogModel::OutcomeColumn, badges);
        view.setItemDelegateForColumn(AuditLogModel::ActionColumn, badges);
        const int charWidth = view.fontMetrics().averageCharWidth();
        view.setColumnWidth(AuditLogModel::TimeColumn, charWidth * 22);
        view.setColumnWidth(AuditLogModel::ActorColumn, charWidth * 30);
        view.setColumnWidth(AuditLogModel::ActionColumn, charWidth * 22);
        view.setColumnWidth(AuditLogModel::TargetColumn, charWidth * 22);
        view.setColumnWidth(AuditLogModel::OutcomeColumn, charWidth * 13);
        view.setColumnWidth(AuditLogModel::StatusColumn, charWidth * 8);
        view.setColumnWidth(AuditLogModel::IpColumn, charWidth * 16);
        view.resize(1100, 640);
        view.show();
        QApplication::processEvents();
        view.grab();
    }

    // Starts over empty, as the pane does on opening (and on a new query). The view may
    // ask for the first page as it lays out: the request waits for open().
    void reset() {
        fetch = nullptr;
        model.reset();
        QApplication::processEvents();
        view.grab();
    }
    // Asks for the first page through `fetch` (answering the view's request, if it made one).
    void open() {
        if (model.isFetching())
            fetch(model.generation(), model.pendingCursor());
        else
            model.fetchMore();
    }
    // Laid out and painted once: what the user sees.
    void paint() { view.grab(); }
};

QString archivePath(const QString& dir) {
    return AuditArchive::pathFor(QStringLiteral("bench"), dir);
}

// bench_archive's archive: the same generator, the same backfill.
bool ensureArchive(int events, const QString& dir) {
    const QString path = archivePath(dir);
    if (QFileInfo::exists(path)) {
        AuditArchive archive(path);
        if (archive.count() == events) {
            print("archive  reused %s (%d events)\n", qPrintable(path), events);
            return true;
        }
    }
    AuditArchive::removeFiles(path);
    QElapsedTimer t;
    t.start();
    AuditArchive archive(path);
    bench::AuditPageGenerator generator;
    for (int done = 0; done < events; done += kPage) {
        const int n = std::min(kPage, events - done);
        const audit::AuditBatch batch =
            audit::parseAuditPage(generator.serverPage(n, done + n < events));
        if (done == 0)
            archive.storeNewer(batch);
        else
            archive.storeOlder(batch);
    }
    print("archive  made: %lld events in %.1f s\n", static_cast<long long>(archive.count()),
          ms(t.nsecsElapsed()) / 1000);
    return archive.count() == events;
}

// Open + newest 200 + model + paint, from the archive file.
void archiveFirstRows(const QString& dir) {
    Table table;
    std::vector<double> total;
    std::vector<double> read;
    std::size_t rows = 0;
    for (int run = 0; run <= kRuns; ++run) {
        table.reset();
        std::unique_ptr<AuditArchive> archive;
        qint64 readNs = 0;
        table.fetch = [&](quint64 generation, const QString& cursor) {
            QElapsedTimer r;
            r.start();
            archive = std::make_unique<AuditArchive>(archivePath(dir));
            const ArchivePage page = archive->read(ArchiveQuery{});
            readNs = r.nsecsElapsed();
            table.model.addPage(generation, cursor, page.batch);
        };
        QElapsedTimer t;
        t.start();
        table.open();
        table.paint();
        total.push_back(ms(t.nsecsElapsed()));
        read.push_back(ms(readNs));
        rows = static_cast<std::size_t>(table.model.rowCount());
    }
    const Timings all = timings(total);
    const Timings sql = timings(read);
    print("archive  first rows on screen (open + newest 200 + model + paint): first %.1f ms, "
          "median %.1f ms (%zu rows; of which open + read: first %.1f, median %.1f ms)\n",
          all.first, all.median, rows, sql.first, sql.median);
}

// The same, with a word query over the whole archive (FTS5) instead of the newest rows.
void archiveSearch(const QString& dir) {
    Table table;
    AuditArchive archive(archivePath(dir));
    struct Search {
        const char* what;
        QString text;
    };
    const Search searches[] = {
        {"word (grafana, 1 event in 6)", QStringLiteral("grafana")},
        {"rare word (conflict, ~1%)", QStringLiteral("conflict")},
        {"absent word", QStringLiteral("zanzibar")},
    };
    for (const Search& s : searches) {
        std::vector<double> total;
        std::size_t rows = 0;
        for (int run = 0; run <= kRuns; ++run) {
            table.reset();
            table.fetch = [&](quint64 generation, const QString& cursor) {
                ArchiveQuery q;
                q.text = s.text;
                table.model.addPage(generation, cursor, archive.read(q).batch);
            };
            QElapsedTimer t;
            t.start();
            table.open();
            table.paint();
            total.push_back(ms(t.nsecsElapsed()));
            rows = static_cast<std::size_t>(table.model.rowCount());
        }
        const Timings all = timings(total);
        print("archive  search %-30s into the table: first %.1f ms, median %.1f ms (%zu rows)\n",
              s.what, all.first, all.median, rows);
    }
}

// The first page from an in-process sandbox holding `events`, as the pane loads it today.
int sandboxFirstRows(int events, const QString& dir) {
    const QString data = dir + QStringLiteral("/sandbox");
    QDir(data).removeRecursively();
    QElapsedTimer seed;
    seed.start();
    std::FILE* quiet = std::tmpfile();
    server::SandboxServer sandbox;
    LegbaClient client;
    if (!quiet || !bench::serveSeededSandbox(data, events, quiet, sandbox, client))
        return 1;
    std::fclose(quiet);
    print("sandbox  seeded and open: %d events in %.1f s\n", events,
          ms(seed.nsecsElapsed()) / 1000);

    for (const int limit : {kPage, 200}) {
        Table table;
        AuditPageLoader loader(&client);
        std::vector<double> total;
        std::size_t rows = 0;
        bool failed = false;
        for (int run = 0; run <= kRuns && !failed; ++run) {
            table.reset();
            QEventLoop loop;
            table.fetch = [&](quint64, const QString& cursor) {
                AuditQuery query;
                query.limit = limit;
                query.cursor = cursor;
                loader.load(query);
            };
            const quint64 generation = table.model.generation();
            auto loaded =
                QObject::connect(&loader, &AuditPageLoader::pageLoaded, &loop,
                                 [&](const AuditQuery& query, const AuditPageLoader::Page& page) {
                                     table.model.addPage(generation, query.cursor, *page);
                                     loop.quit();
                                 });
            auto broken =
                QObject::connect(&loader, &AuditPageLoader::failed, &loop,
                                 [&](const AuditQuery&, const ApiError& e) {
                                     std::fprintf(stderr, "sandbox: %s\n", qPrintable(e.details()));
                                     failed = true;
                                     loop.quit();
                                 });
            QElapsedTimer t;
            t.start();
            table.open();
            loop.exec();
            table.paint();
            total.push_back(ms(t.nsecsElapsed()));
            rows = static_cast<std::size_t>(table.model.rowCount());
            QObject::disconnect(loaded);
            QObject::disconnect(broken);
        }
        if (failed)
            return 1;
        const Timings all = timings(total);
        print("sandbox  first rows on screen (GET limit=%d over loopback, parse on a worker, "
              "model, paint): first %.1f ms, median %.1f ms (%zu rows)\n",
              limit, all.first, all.median, rows);
    }

    // The word search as the pane does it without the archive: the server has no text
    // search, so every page is fetched into the model and the model's own filter looks
    // through them. One run: it fetches everything.
    {
        Table table;
        AuditPageLoader loader(&client);
        table.reset();
        table.fetch = [&](quint64, const QString& cursor) {
            AuditQuery query;
            query.limit = kPage;
            query.cursor = cursor;
            loader.load(query);
        };
        const quint64 generation = table.model.generation();
        bool failed = false;
        QEventLoop loop;
        QObject::connect(&loader, &AuditPageLoader::pageLoaded, &loop,
                         [&](const AuditQuery& query, const AuditPageLoader::Page& page) {
                             table.model.addPage(generation, query.cursor, *page);
                             if (table.model.atEnd())
                                 loop.quit();
                             else
                                 table.model.fetchMore();
                         });
        QObject::connect(&loader, &AuditPageLoader::failed, &loop,
                         [&](const AuditQuery&, const ApiError& e) {
                             std::fprintf(stderr, "sandbox: %s\n", qPrintable(e.details()));
                             failed = true;
                             loop.quit();
                         });
        QElapsedTimer t;
        t.start();
        table.open();
        loop.exec();
        if (failed)
            return 1;
        const double fetched = ms(t.nsecsElapsed());
        const int loaded = table.model.rowCount();
        table.model.setFilterText(QStringLiteral("conflict"));
        table.paint();
        print("sandbox  search rare word (conflict) into the table: %.1f ms (every page fetched: "
              "%d events in %.1f ms, then the model's filter: %d rows)\n",
              ms(t.nsecsElapsed()), loaded, fetched, table.model.rowCount());
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    const int events = app.arguments().value(1, QStringLiteral("1000000")).toInt();
    const QString dir = app.arguments().value(2, QDir::tempPath());
    print("load average at start: %s\n", qPrintable(loadAverage()));
    try {
        if (!ensureArchive(events, dir))
            return 1;
        print("load average before the measures: %s\n", qPrintable(loadAverage()));
        archiveFirstRows(dir);
        archiveSearch(dir);
        if (sandboxFirstRows(events, dir) != 0)
            return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_archive_pane: %s\n", e.what());
        return 1;
    }
    print("load average at the end: %s\n", qPrintable(loadAverage()));
    return 0;
}
