// bench_audit stall compact|qt URL ORG N (key in $LEGBA_API_TOKEN)
//
// Streams N events from a running sandbox into a shown table while a 1 ms QTimer probes
// the UI thread: the longest gap between two of its ticks is the longest stall a user
// would feel. `compact` is the real AuditPane (raw pages parsed by SAX on a worker
// thread, merged into AuditLogModel, chart and all); `qt` is the obvious way:
// LegbaClient::auditLog (DOM parse in the callback, on the UI thread) appending
// QStandardItems behind a sorting QSortFilterProxyModel.
#include "StallProbe.h"

#include "AuditLogModel.h"
#include "AuditPane.h"
#include "Json.h"
#include "Session.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QSortFilterProxyModel>
#include <QStandardItemModel>
#include <QTableView>
#include <QTimer>
#include <algorithm>
#include <cstdio>
#include <ctime>

namespace legba::bench {

namespace {

class FrameProbe : public QObject {
public:
    FrameProbe() {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(1);
        QObject::connect(&m_timer, &QTimer::timeout, this, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            const qint64 cpu = threadCpuNs();
            if (m_last) {
                m_gaps.push_back(now - m_last);
                m_maxCpu = std::max(m_maxCpu, cpu - m_lastCpu);
            }
            m_last = now;
            m_lastCpu = cpu;
        });
    }
    void start() {
        m_clock.start();
        m_timer.start();
    }
    void stop() { m_timer.stop(); }
    // The most CPU the UI thread itself used between two ticks: a gap much longer than
    // this was the thread waiting for a core (other processes), not the app working.
    double maxCpuMs() const { return static_cast<double>(m_maxCpu) / 1e6; }
    static qint64 threadCpuNs() {
        timespec t{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
        return static_cast<qint64>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
    }
    double maxMs() const {
        return m_gaps.empty()
                   ? 0
                   : static_cast<double>(*std::max_element(m_gaps.begin(), m_gaps.end())) / 1e6;
    }
    double percentileMs(double p) const {
        if (m_gaps.empty())
            return 0;
        std::vector<qint64> sorted = m_gaps;
        std::sort(sorted.begin(), sorted.end());
        const auto at = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1));
        return static_cast<double>(sorted[at]) / 1e6;
    }
    int over(double ms) const {
        return static_cast<int>(std::count_if(m_gaps.begin(), m_gaps.end(), [ms](qint64 gap) {
            return static_cast<double>(gap) / 1e6 > ms;
        }));
    }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    qint64 m_lastCpu = 0;
    qint64 m_maxCpu = 0;
    std::vector<qint64> m_gaps;
};

void report(const char* what, const FrameProbe& probe, qint64 events, qint64 ms) {
    std::printf("stall: %-58s %lld events in %lld ms: longest UI-thread gap %.1f ms, p99.9 %.1f "
                "ms, p99 %.1f ms, gaps over 16 ms: %d; most UI-thread CPU within one gap "
                "%.1f ms\n",
                what, static_cast<long long>(events), static_cast<long long>(ms), probe.maxMs(),
                probe.percentileMs(0.999), probe.percentileMs(0.99), probe.over(16.0),
                probe.maxCpuMs());
    std::fflush(stdout);
}

} // namespace

int benchStall(const char* which, const QStringList& args) {
    if (args.size() < 3) {
        std::fprintf(stderr, "usage: bench_audit stall compact|qt URL ORG N\n");
        return 2;
    }
    const QByteArray token = qgetenv("LEGBA_API_TOKEN");
    const int wanted = args[2].toInt();
    Session session;
    Profile profile;
    profile.id = QStringLiteral("bench");
    profile.displayName = QStringLiteral("bench");
    profile.baseUrl = QUrl(args[0]);
    profile.orgUuid = args[1];
    if (auto problem = session.connectTo(profile, Secret(token))) {
        std::fprintf(stderr, "stall: %s\n", qPrintable(*problem));
        return 1;
    }
    QElapsedTimer wait;
    wait.start();
    while (session.state() != Session::State::Connected && wait.elapsed() < 10'000)
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
    if (session.state() != Session::State::Connected) {
        std::fprintf(stderr, "stall: cannot connect to %s\n", qPrintable(args[0]));
        return 1;
    }

    FrameProbe probe;
    QElapsedTimer clock;
    QEventLoop loop;
    QTimer guard;
    guard.setSingleShot(true);
    QObject::connect(&guard, &QTimer::timeout, &loop, &QEventLoop::quit);
    guard.start(300'000);
    if (qstrcmp(which, "idle") == 0) {
        // The same probe with nothing to do: what the machine's scheduling alone costs.
        probe.start();
        clock.start();
        QTimer::singleShot(5000, &loop, &QEventLoop::quit);
        loop.exec();
        probe.stop();
        report("idle event loop (baseline: the machine, not the app)", probe, 0, clock.elapsed());
        return 0;
    }

    if (qstrcmp(which, "compact") == 0) {
        AuditPane pane(&session);
        pane.resize(1200, 800);
        pane.setPageSize(1000);
        pane.show();
        // The next page is asked for as soon as one is in, as the view's fetchMore would
        // while its last row shows; the view stays at the top, like the other approach's,
        // so that both measure the data path and not the painting of a scrolling table.
        QTimer scroller;
        scroller.setInterval(4);
        QObject::connect(&scroller, &QTimer::timeout, &pane, [&] {
            if (pane.model()->canFetchMore())
                pane.model()->fetchMore();
            const auto loaded = static_cast<int>(pane.model()->store().size());
            if (loaded >= wanted || (pane.model()->atEnd() && !pane.isLoading()))
                loop.quit();
        });
        probe.start();
        clock.start();
        pane.setRange(AuditPane::Range::AllTime);
        pane.sessionChanged();
        scroller.start();
        loop.exec();
        probe.stop();
        report("AuditPane (SAX on a worker, AuditLogModel, chart)", probe,
               static_cast<qint64>(pane.model()->store().size()), clock.elapsed());
        return 0;
    }

    QStandardItemModel items(0, 8);
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&items);
    proxy.setSortRole(Qt::UserRole + 1);
    QTableView view;
    view.setModel(&proxy);
    view.setSortingEnabled(true);
    view.sortByColumn(0, Qt::DescendingOrder);
    view.resize(1200, 800);
    view.show();
    qint64 loaded = 0;
    std::function<void(const QString&)> next = [&](const QString& cursor) {
        AuditQuery query;
        query.limit = 1000;
        query.cursor = cursor;
        session.client()->auditLogRaw(query, &view, [&](Result<QByteArray> body) {
            if (!body) {
                loop.quit();
                return;
            }
            // The obvious approach: nlohmann's DOM into AuditEvent values.
            AuditPage page;
            try {
                page = json::auditPageFromJson(json::parse(body.value()));
            } catch (const json::ParseError&) {
                loop.quit();
                return;
            }
            for (const AuditEvent& e : page.events) {
                auto* time = new QStandardItem(e.occurredAt.toLocalTime().toString(Qt::ISODate));
                time->setData(e.occurredAt.toMSecsSinceEpoch(), Qt::UserRole + 1);
                time->setData(e.eventId, Qt::UserRole + 2);
                time->setData(e.detailsJson, Qt::UserRole + 3);
                items.appendRow(
                    {time,
                     new QStandardItem(e.actor ? e.actor->name : QStringLiteral("unauthenticated")),
                     new QStandardItem(e.action),
                     new QStandardItem(e.target ? e.target->id : QString()),
                     new QStandardItem(e.succeeded() ? QStringLiteral("success")
                                                     : QStringLiteral("failure")),
                     new QStandardItem(QString::number(e.statusCode)), new QStandardItem(e.ip),
                     new QStandardItem(e.userAgent)});
            }
            loaded += static_cast<qint64>(page.events.size());
            if (loaded >= wanted || page.nextCursor.isEmpty())
                loop.quit();
            else
                next(page.nextCursor);
        });
    };
    probe.start();
    clock.start();
    next({});
    loop.exec();
    probe.stop();
    report("QStandardItemModel + sorting proxy, DOM parse on the UI thread", probe, loaded,
           clock.elapsed());
    return 0;
}

} // namespace legba::bench
