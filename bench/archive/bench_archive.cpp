// bench_archive EVENTS DIR: the local audit archive with EVENTS demo-shaped events in DIR,
// beside the obvious schema in the same run (one row per event holding the server's JSON,
// searched with LIKE). bench_archive EVENTS DIR loopback: EVENTS seeded in an in-process
// sandbox, fetched over loopback as the pane does, and synced into an empty archive.
// Prints one line per measure.
#include "AuditArchive.h"
#include "AuditArchiveSync.h"
#include "BenchData.h"
#include "SeededSandbox.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimer>
#include <algorithm>
#include <cstdio>
#include <functional>
#include <vector>

using namespace legba;

namespace {

constexpr int kPage = 1000;

qint64 filesBytes(const QString& path) {
    qint64 total = 0;
    for (const char* suffix : {"", "-wal", "-shm"})
        total += QFileInfo(path + QLatin1String(suffix)).size();
    return total;
}

// The median of `runs` timings of `work`, in milliseconds.
double medianMs(int runs, const std::function<void()>& work) {
    std::vector<double> times;
    for (int i = 0; i < runs; ++i) {
        QElapsedTimer t;
        t.start();
        work();
        times.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

// Demo pages, newest first, generated (and parsed) outside the timed part.
template <typename F> double feed(int events, F&& store) {
    bench::AuditPageGenerator generator;
    qint64 storeNs = 0;
    for (int done = 0; done < events; done += kPage) {
        const int n = std::min(kPage, events - done);
        const audit::AuditBatch batch =
            audit::parseAuditPage(generator.serverPage(n, done + n < events));
        QElapsedTimer t;
        t.start();
        store(batch, done == 0);
        storeNs += t.nsecsElapsed();
    }
    return static_cast<double>(storeNs) / 1e9;
}

void archiveMeasures(int events, const QString& dir) {
    const QString path = AuditArchive::pathFor(QStringLiteral("bench"), dir);
    const double seconds = [&] {
        AuditArchive archive(path);
        return feed(events, [&](const audit::AuditBatch& batch, bool first) {
            if (first)
                archive.storeNewer(batch);
            else
                archive.storeOlder(batch);
        });
    }();
    std::printf("archive  insert: %d events in %.1f s, %.0f events/s\n", events, seconds,
                events / seconds);
    const qint64 bytes = filesBytes(path);
    std::printf("archive  on disk: %.1f MB, %.1f bytes/event\n", static_cast<double>(bytes) / 1e6,
                static_cast<double>(bytes) / events);
    {
        QSqlDatabase db =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("stat"));
        db.setDatabaseName(path);
        db.open();
        QSqlQuery q(db);
        if (q.exec(QStringLiteral(
                "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC"))) {
            while (q.next())
                std::printf("archive    %-28s %6.1f bytes/event\n",
                            qPrintable(q.value(0).toString()), q.value(1).toDouble() / events);
        }
    }
    QSqlDatabase::removeDatabase(QStringLiteral("stat"));

    // Reopened: what the pane does when it opens.
    QElapsedTimer open;
    open.start();
    AuditArchive archive(path);
    ArchiveQuery first;
    const ArchivePage page = archive.read(first);
    std::printf("archive  open + newest 200 rows: %.1f ms (%zu rows)\n",
                static_cast<double>(open.nsecsElapsed()) / 1e6, page.batch.records.size());
    const double next = medianMs(5, [&] {
        ArchiveQuery q;
        q.before = page.next;
        archive.read(q);
    });
    std::printf("archive  next 200 rows (keyset): %.2f ms\n", next);
    struct Search {
        const char* what;
        QString text;
        QString actor;
    };
    const Search searches[] = {
        {"word (grafana)", QStringLiteral("grafana"), {}},
        {"rare word (conflict, ~1%)", QStringLiteral("conflict"), {}},
        {"phrase (\"key rotation bot\")", QStringLiteral("\"key rotation bot\""), {}},
        {"prefix (rotat*)", QStringLiteral("rotat*"), {}},
        {"absent word", QStringLiteral("zanzibar"), {}},
        {"word + actor filter", QStringLiteral("curl"), QStringLiteral("key_0000000000000003")},
        {"actor filter only", {}, QStringLiteral("key_0000000000000003")},
    };
    for (const Search& s : searches) {
        std::size_t rows = 0;
        const double ms = medianMs(5, [&] {
            ArchiveQuery q;
            q.text = s.text;
            q.actorKeyId = s.actor;
            rows = archive.read(q).batch.records.size();
        });
        std::printf("archive  search %-32s first 200: %7.2f ms (%zu rows)\n", s.what, ms, rows);
    }
    if (!page.batch.records.empty()) {
        // A request id: found through its own index, not FTS (schema version 3).
        const std::string_view id =
            page.batch.view(page.batch.records.size() / 2).strings().requestId;
        const QString text = QString::fromUtf8(id.data(), static_cast<qsizetype>(id.size()));
        std::size_t rows = 0;
        const double ms = medianMs(5, [&] {
            ArchiveQuery q;
            q.text = text;
            rows = archive.read(q).batch.records.size();
        });
        std::printf("archive  search %-32s first 200: %7.2f ms (%zu rows)\n", "request id (exact)",
                    ms, rows);
    }
}

void naiveMeasures(int events, const QString& dir) {
    const QString path = dir + QStringLiteral("/naive.sqlite");
    {
        QSqlDatabase db =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("naive"));
        db.setDatabaseName(path);
        db.open();
        QSqlQuery q(db);
        q.exec(QStringLiteral("PRAGMA journal_mode = WAL"));
        q.exec(QStringLiteral("PRAGMA synchronous = NORMAL"));
        q.exec(QStringLiteral("CREATE TABLE events(seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL "
                              "UNIQUE, json TEXT NOT NULL)"));
        QSqlQuery insert(db);
        insert.prepare(QStringLiteral("INSERT OR IGNORE INTO events VALUES(?, ?, ?)"));
        qint64 seq = 0;
        std::string json;
        const double seconds = feed(events, [&](const audit::AuditBatch& batch, bool) {
            db.transaction();
            for (std::size_t i = 0; i < batch.records.size(); ++i) {
                json.clear();
                const audit::RecordView view = batch.view(i);
                view.appendJson(json);
                insert.bindValue(0, --seq);
                insert.bindValue(
                    1, QString::fromUtf8(view.strings().eventId.data(),
                                         static_cast<qsizetype>(view.strings().eventId.size())));
                insert.bindValue(2, QString::fromStdString(json));
                insert.exec();
            }
            db.commit();
        });
        std::printf("naive    insert: %d events in %.1f s, %.0f events/s\n", events, seconds,
                    events / seconds);
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("naive"));
    std::printf("naive    on disk: %.1f MB, %.1f bytes/event\n",
                static_cast<double>(filesBytes(path)) / 1e6,
                static_cast<double>(filesBytes(path)) / events);
    QElapsedTimer open;
    open.start();
    QSqlDatabase db =
        QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("naive2"));
    db.setDatabaseName(path);
    db.open();
    auto firstPage = [&](const QString& like) {
        QSqlQuery q(db);
        q.prepare(QStringLiteral(
            "SELECT json FROM events WHERE json LIKE ? ORDER BY seq DESC LIMIT 200"));
        q.bindValue(0, like);
        q.exec();
        std::size_t rows = 0;
        while (q.next()) {
            q.value(0).toString();
            ++rows;
        }
        return rows;
    };
    const std::size_t rows = firstPage(QStringLiteral("%"));
    std::printf("naive    open + newest 200 rows: %.1f ms (%zu rows)\n",
                static_cast<double>(open.nsecsElapsed()) / 1e6, rows);
    for (const auto& [what, like] :
         {std::pair{"word (grafana)", "%grafana%"},
          std::pair{"rare word (conflict, ~1%)", "%conflict%"},
          std::pair{"phrase (\"key rotation bot\")", "%key rotation bot%"},
          std::pair{"absent word", "%zanzibar%"}}) {
        std::size_t found = 0;
        const double ms = medianMs(3, [&] { found = firstPage(QString::fromLatin1(like)); });
        std::printf("naive    search %-32s first 200: %7.2f ms (%zu rows)\n", what, ms, found);
    }
}

// The same events from the sandbox over loopback: fetched page by page as the pane does on
// every opening (parsed, nothing kept), and synced into an empty archive (the backfill
// AuditArchiveSync runs: fetched, parsed, stored, one transaction per page).
int loopbackMeasures(int events, const QString& dir) {
    server::SandboxServer sandbox;
    LegbaClient client;
    if (!bench::serveSeededSandbox(dir + QStringLiteral("/sandbox"), events, stdout, sandbox,
                                   client))
        return 1;

    // Fetch only.
    std::size_t fetched = 0;
    QElapsedTimer t;
    t.start();
    {
        QEventLoop loop;
        AuditPageLoader loader(&client);
        QObject::connect(&loader, &AuditPageLoader::pageLoaded, &loop,
                         [&](const AuditQuery& query, const AuditPageLoader::Page& page) {
                             fetched += page->records.size();
                             if (page->nextCursor.isEmpty()) {
                                 loop.quit();
                                 return;
                             }
                             AuditQuery next = query;
                             next.cursor = page->nextCursor;
                             loader.load(next);
                         });
        QObject::connect(&loader, &AuditPageLoader::failed, &loop, &QEventLoop::quit);
        AuditQuery first;
        first.limit = kPage;
        loader.load(first);
        loop.exec();
    }
    std::printf("loopback fetch all (no archive): %zu events in %.1f ms\n", fetched,
                static_cast<double>(t.nsecsElapsed()) / 1e6);

    // Synced into an empty archive.
    AuditArchive archive(AuditArchive::pathFor(QStringLiteral("loopback"), dir));
    AuditArchiveSync sync(&client, &archive);
    sync.setPageSize(kPage);
    t.restart();
    {
        QEventLoop loop;
        QObject::connect(&sync, &AuditArchiveSync::backfillFinished, &loop, &QEventLoop::quit);
        QObject::connect(&sync, &AuditArchiveSync::failed, &loop, &QEventLoop::quit);
        sync.backfill();
        loop.exec();
    }
    std::printf("loopback sync into an empty archive: %lld events in %.1f ms\n",
                static_cast<long long>(archive.count()),
                static_cast<double>(t.nsecsElapsed()) / 1e6);
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    const int events = app.arguments().value(1, QStringLiteral("1000000")).toInt();
    const QString dir = app.arguments().value(2, QDir::tempPath());
    try {
        if (app.arguments().value(3) == QLatin1String("loopback"))
            return loopbackMeasures(events, dir);
        archiveMeasures(events, dir);
        naiveMeasures(events, dir);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_archive: %s\n", e.what());
        return 1;
    }
    return 0;
}
