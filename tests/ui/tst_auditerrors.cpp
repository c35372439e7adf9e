// The audit pane when things go wrong, against the real sandbox server (seeded with
// `seed-demo`): GET /audit-log answering 404 or 403, the server going away while the user
// scrolls, and an export failing part way (a server error on page 3, the server gone, a
// destination that cannot be written, a full disk). Each time: a clear message naming
// what failed, no file (not even half of one), and the loaded rows kept.
//
// Faults the real server never makes on its own (a 404 for the route, a 500) come from a
// proxy in front of it that forwards everything else unchanged (tests/support/FaultyProxy).
#include "AuditExport.h"
#include "AuditLogModel.h"
#include "AuditPane.h"
#include "Badge.h"
#include "Cli.h"
#include "FaultyProxy.h"
#include "HostileServer.h"
#include "Json.h"
#include "MessageBanner.h"
#include "Session.h"
#include "TestServer.h"
#include "Wait.h"

#include <QAbstractItemModelTester>
#include <QDir>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPointer>
#include <QProgressDialog>
#include <QPushButton>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTableView>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <csignal>
#include <optional>
#include <sys/resource.h>

using namespace legba;

namespace {

// Files left in `dir` (a QSaveFile's temporary one included).
QStringList filesIn(const QString& dir) {
    return QDir(dir).entryList(QDir::Files | QDir::Hidden | QDir::System);
}

} // namespace

class TestAuditErrors : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<test::TestServer> server;
    std::unique_ptr<test::FaultyProxy> proxy;
    std::unique_ptr<Session> session;
    std::unique_ptr<AuditPane> pane;
    std::unique_ptr<QAbstractItemModelTester> tester;

    // A session to `base` with `key`, and the pane on it, its model under the tester for
    // the whole test.
    void open(const QUrl& base, const Secret& key) {
        session = std::make_unique<Session>();
        // Fewer, quicker retries than a person gets: the failures are on purpose.
        session->client()->setRetryPolicy(
            {1, std::chrono::milliseconds(50), std::chrono::milliseconds(500)});
        Profile profile;
        profile.id = QStringLiteral("audit-errors");
        profile.displayName = QStringLiteral("Audit errors");
        profile.baseUrl = base;
        profile.orgUuid = server->orgUuid();
        QVERIFY(!session->connectTo(profile, key));
        QTRY_COMPARE_WITH_TIMEOUT(session->state(), Session::State::Connected, 10000);
        pane = std::make_unique<AuditPane>(session.get());
        tester = std::make_unique<QAbstractItemModelTester>(
            pane->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        pane->resize(1200, 800);
        pane->setPageSize(100);
        pane->show();
        QVERIFY(QTest::qWaitForWindowExposed(pane.get()));
        pane->sessionChanged();
        pane->setRange(AuditPane::Range::AllTime);
    }

    void openThroughProxy() {
        proxy = std::make_unique<test::FaultyProxy>(server->baseUrl());
        QVERIFY(proxy->listen());
        open(proxy->baseUrl(), server->ownerKey());
    }

    QPushButton* button(const QString& text) const {
        const auto buttons = pane->findChildren<QPushButton*>();
        for (QPushButton* b : buttons) {
            if (b->text() == text)
                return b;
        }
        return nullptr;
    }

    // The rows the view shows, by event id, in order.
    QStringList rowIds() const {
        QStringList ids;
        for (int row = 0; row < pane->model()->rowCount(); ++row)
            ids << pane->model()->index(row, 0).data(AuditLogModel::EventIdRole).toString();
        return ids;
    }

    // After a failed export: the message says what and that there is no file, there is
    // none, the banner says so in place and the table is as it was.
    void checkFailedExport(const QSignalSpy& finished, const QString& path,
                           const QStringList& loaded, const QString& why) {
        QCOMPARE(finished.size(), 1);
        QVERIFY(!finished[0][0].toBool());
        const QString message = finished[0][1].toString();
        QVERIFY2(message.contains(why), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("No file was written")), qPrintable(message));
        QVERIFY(!QFile::exists(path));
        QCOMPARE(filesIn(QFileInfo(path).absolutePath()), QStringList());
        QVERIFY(pane->banner()->isVisible());
        QVERIFY2(pane->banner()->text().contains(why), qPrintable(pane->banner()->text()));
        QCOMPARE(rowIds(), loaded);
        QVERIFY(!pane->exportProgress() || !pane->exportProgress()->isVisible());
    }

private Q_SLOTS:
    void initTestCase() {
        server = std::make_unique<test::TestServer>();
        QVERIFY2(server->ok(), qPrintable(server->error()));
        std::FILE* null = std::fopen("/dev/null", "w");
        const int seeded =
            server::runCli({QStringLiteral("seed-demo"), QStringLiteral("--data-dir"),
                            server->dataDir(), QStringLiteral("--org"), server->orgUuid(),
                            QStringLiteral("--events"), QStringLiteral("3500")},
                           null, null);
        std::fclose(null);
        QCOMPARE(seeded, 0);
    }

    void cleanup() {
        tester.reset();
        pane.reset();
        session.reset();
        proxy.reset();
    }

    void auditLogAnswering404_saysNotAvailableOnThisServer() {
        openThroughProxy();
        proxy->setFault(
            [](const test::RawRequest& request) -> std::optional<test::FaultyProxy::Answer> {
                if (!test::isAuditLog(request))
                    return std::nullopt;
                return test::FaultyProxy::Answer{
                    404, test::HostileServer::errorBody("NOT_FOUND", "Not found")};
            });
        pane->refresh();
        QTRY_VERIFY(pane->stateText().contains(QStringLiteral("Not available on this server")));
        QVERIFY(pane->stateText().contains(QStringLiteral("404")));
        QVERIFY(!pane->banner()->isVisible()); // a state, not an error
        QCOMPARE(pane->model()->rowCount(), 0);
        QPushButton* exportButton = button(QStringLiteral("Export…"));
        QVERIFY(exportButton);
        QVERIFY(!exportButton->isEnabled());
        QVERIFY2(exportButton->toolTip().contains(QStringLiteral("Not available")),
                 qPrintable(exportButton->toolTip()));
        QVERIFY(!pane->isLoading());
    }

    void auditLogAnswering403_saysTheKeyMayNotReadIt() {
        // A key without audit:read that the proxy passes off as having it (as a server whose
        // permissions changed since the key was read would): the real server refuses.
        NewKeyRequest noAudit;
        noAudit.name = QStringLiteral("no audit");
        noAudit.scopes = {QStringLiteral("instances:read")};
        Session owner;
        Profile profile;
        profile.id = QStringLiteral("owner");
        profile.baseUrl = server->baseUrl();
        profile.orgUuid = server->orgUuid();
        QVERIFY(!owner.connectTo(profile, server->ownerKey()));
        QTRY_COMPARE(owner.state(), Session::State::Connected);
        auto issued = test::await<Result<IssuedKey>>(
            [&](auto done) { owner.client()->createKey(noAudit, this, done); });
        QVERIFY(issued && *issued);

        proxy = std::make_unique<test::FaultyProxy>(server->baseUrl());
        QVERIFY(proxy->listen());
        proxy->setRewrite([](const test::RawRequest& request, QByteArray body) {
            if (!request.target.endsWith("/api/key"))
                return body;
            nlohmann::json key = nlohmann::json::parse(body.toStdString());
            key["scopes"].push_back("audit:read");
            return QByteArray::fromStdString(key.dump());
        });
        open(proxy->baseUrl(), issued->value().secret);
        QVERIFY(session->can(Scope::AuditRead));

        QTRY_VERIFY(pane->banner()->isVisible());
        const QString text = pane->banner()->text();
        // The words every pane uses for a 403: what failed, and the scope the key lacks.
        QVERIFY2(text.contains(QStringLiteral("Loading the audit log failed.")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("The key in use lacks the scope 'audit:read'")),
                 qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("HTTP 403")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("Request id: req_")), qPrintable(text));
        QCOMPARE(pane->model()->rowCount(), 0);
        QVERIFY(!pane->isLoading());
        // Exporting would be refused the same way: not offered, and the tooltip says why.
        QPushButton* exportButton = button(QStringLiteral("Export…"));
        QVERIFY(!exportButton->isEnabled());
        QVERIFY2(exportButton->toolTip().contains(QStringLiteral("403")),
                 qPrintable(exportButton->toolTip()));
    }

    void serverDownMidScroll_keepsTheRowsAndRetryResumes() {
        // The server stops just as the table asks for its second page.
        int nextPages = 0;
        proxy = std::make_unique<test::FaultyProxy>(server->baseUrl());
        QVERIFY(proxy->listen());
        proxy->setFault([this, &nextPages](const test::RawRequest& request)
                            -> std::optional<test::FaultyProxy::Answer> {
            if (test::isAuditLog(request) && request.target.contains("cursor=") && ++nextPages == 1)
                proxy->setDown(true);
            return std::nullopt;
        });
        open(proxy->baseUrl(), server->ownerKey());
        QTRY_VERIFY_WITH_TIMEOUT(pane->banner()->isVisible(), 15000);
        QVERIFY2(pane->banner()->text().contains(QStringLiteral("cannot be reached")),
                 qPrintable(pane->banner()->text()));
        QVERIFY(pane->isStale());
        QTRY_VERIFY(!pane->isLoading());
        QCOMPARE(pane->model()->rowCount(), 100);
        pane->view()->setCurrentIndex(pane->model()->index(20, 0));
        const QString selected =
            pane->view()->currentIndex().data(AuditLogModel::EventIdRole).toString();
        const QStringList before = rowIds();
        // Scrolling on does not ask again and again while the error shows; Retry does.
        const int asked = nextPages;
        pane->view()->scrollToBottom();
        QTest::qWait(300);
        QCOMPARE(nextPages, asked);
        QCOMPARE(rowIds(), before);
        QCOMPARE(pane->view()->currentIndex().data(AuditLogModel::EventIdRole).toString(),
                 selected);
        QVERIFY(!pane->model()->canFetchMore());

        proxy->setDown(false);
        QPushButton* retry = pane->banner()->findChild<QPushButton*>();
        QVERIFY(retry && retry->isVisible());
        retry->click();
        QTRY_VERIFY_WITH_TIMEOUT(pane->model()->rowCount() > before.size(), 15000);
        QTRY_VERIFY(!pane->isStale());
        QVERIFY(!pane->banner()->isVisible());
        QElapsedTimer timer;
        timer.start();
        while (!(pane->model()->atEnd() && !pane->isLoading()) && timer.elapsed() < 60'000) {
            pane->view()->scrollToBottom();
            QTest::qWait(5);
        }
        QVERIFY(pane->model()->atEnd());
        const QStringList ids = rowIds();
        QCOMPARE(QSet<QString>(ids.begin(), ids.end()).size(), ids.size());
        QVERIFY(ids.size() >= 3500);
        for (const QString& id : before) // what was loaded before the failure is still there
            QVERIFY(ids.contains(id));
    }

    void exportWhenPageThreeFails_leavesNoFileAndSaysWhy() {
        openThroughProxy();
        QList<QByteArray> exportPages; // each counted once, though Qt may send one twice
        proxy->setFault([&exportPages](const test::RawRequest& request)
                            -> std::optional<test::FaultyProxy::Answer> {
            // The export asks 1000 at a time; the table 100.
            if (!test::isAuditLog(request) || !request.target.contains("limit=1000"))
                return std::nullopt;
            if (!exportPages.contains(request.target))
                exportPages << request.target;
            if (exportPages.indexOf(request.target) < 2)
                return std::nullopt;
            return test::FaultyProxy::Answer{
                500, test::HostileServer::errorBody("INTERNAL", "The database is locked")};
        });
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("audit.csv"));
        QSignalSpy finished(pane.get(), &AuditPane::exportFinished);
        QTRY_VERIFY_WITH_TIMEOUT(pane->model()->rowCount() > 0 && !pane->isLoading(), 10000);
        const QStringList loaded = rowIds();
        QVERIFY(pane->exportTo(path));
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30000);
        QCOMPARE(exportPages.size(), 3);
        checkFailedExport(finished, path, loaded, QStringLiteral("HTTP 500"));
        QVERIFY(finished[0][1].toString().contains(QStringLiteral("The database is locked")));
        QVERIFY(finished[0][1].toString().contains(QStringLiteral("2,000 events")) ||
                finished[0][1].toString().contains(QStringLiteral("2000 events")));
    }

    void exportWhenTheServerGoesAway_leavesNoFileAndSaysWhy() {
        openThroughProxy();
        // The export asks for its second page only once the first is written. The proxy
        // holds that request, stops the server, then forwards it: the server is gone while
        // the page is outstanding, however fast the export runs.
        int pagesAskedOfAStoppedServer = 0;
        proxy->setFault([this, &pagesAskedOfAStoppedServer](const test::RawRequest& request)
                            -> std::optional<test::FaultyProxy::Answer> {
            if (test::isAuditLog(request) && request.target.contains("limit=1000") &&
                request.target.contains("cursor=")) {
                proxy->setDown(true);
                ++pagesAskedOfAStoppedServer;
            }
            return std::nullopt;
        });
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("audit.jsonl"));
        QSignalSpy finished(pane.get(), &AuditPane::exportFinished);
        QTRY_VERIFY_WITH_TIMEOUT(pane->model()->rowCount() > 0 && !pane->isLoading(), 10000);
        const QStringList loaded = rowIds();
        QVERIFY(pane->exportTo(path));
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30000);
        QVERIFY(pagesAskedOfAStoppedServer >= 1);
        checkFailedExport(finished, path, loaded, QStringLiteral("Cannot reach the server"));
        // The first page was in the file being written when the server went.
        const QString message = finished[0][1].toString();
        QVERIFY2(message.contains(QStringLiteral("after 1,000 events")) ||
                     message.contains(QStringLiteral("after 1000 events")),
                 qPrintable(message));
    }

    void exportToAPlaceThatCannotBeWritten_saysWhy() {
        open(server->baseUrl(), server->ownerKey());
        QTRY_VERIFY_WITH_TIMEOUT(pane->model()->rowCount() > 0 && !pane->isLoading(), 10000);
        const QStringList loaded = rowIds();
        QTemporaryDir dir;
        // A file where a directory should be: no one, root included, can write below it.
        QFile blocker(dir.filePath(QStringLiteral("not-a-directory")));
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        const QString path = dir.filePath(QStringLiteral("not-a-directory/audit.csv"));
        QSignalSpy finished(pane.get(), &AuditPane::exportFinished);
        QString error;
        QVERIFY(!pane->exportTo(path, &error));
        QVERIFY2(error.contains(path), qPrintable(error));
        QVERIFY(!QFile::exists(path));
        QCOMPARE(filesIn(dir.path()), QStringList{QStringLiteral("not-a-directory")});
        QVERIFY(!pane->exportProgress());
        QCOMPARE(finished.size(), 0);
        QCOMPARE(rowIds(), loaded);
        QVERIFY(!pane->isLoading());
    }

    void exportWhenTheDiskFills_leavesNoFileAndSaysWhy() {
        open(server->baseUrl(), server->ownerKey());
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("audit.csv"));
        QSignalSpy finished(pane.get(), &AuditPane::exportFinished);
        QTRY_VERIFY_WITH_TIMEOUT(pane->model()->rowCount() > 0 && !pane->isLoading(), 10000);
        const QStringList loaded = rowIds();
        // No file may grow past 64 KiB: a write past that fails as on a full disk (EFBIG
        // rather than ENOSPC, the same path through QSaveFile). The sandbox's own writes
        // meanwhile fail too; it keeps the events and writes them once the limit is gone.
        rlimit previous{};
        QCOMPARE(getrlimit(RLIMIT_FSIZE, &previous), 0);
        const auto previousHandler = std::signal(SIGXFSZ, SIG_IGN);
        rlimit small = previous;
        small.rlim_cur = 64 * 1024;
        QCOMPARE(setrlimit(RLIMIT_FSIZE, &small), 0);
        const auto restore = qScopeGuard([&] {
            setrlimit(RLIMIT_FSIZE, &previous);
            std::signal(SIGXFSZ, previousHandler);
        });
        QVERIFY(pane->exportTo(path));
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30000);
        checkFailedExport(finished, path, loaded, QStringLiteral("cannot write"));
        QVERIFY2(finished[0][1].toString().contains(path), qPrintable(finished[0][1].toString()));
    }

    // What a newer hosted API may send: an outcome word the docs never named, and events
    // this client cannot read. The word is shown as it is with a neutral badge and exported
    // as it is; the unreadable events cost only themselves, and the banner says how many.
    void unknownOutcomeAndUnreadableEvents_showTheRestAndSayHowMany() {
        proxy = std::make_unique<test::FaultyProxy>(server->baseUrl());
        QVERIFY(proxy->listen());
        auto partialId = std::make_shared<QString>();
        auto unreadableIds = std::make_shared<QStringList>();
        proxy->setRewrite(
            [partialId, unreadableIds](const test::RawRequest& request, QByteArray body) {
                if (!test::isAuditLog(request) || request.target.contains("cursor="))
                    return body; // the top of the log only
                nlohmann::json page = nlohmann::json::parse(body.toStdString());
                auto& events = page["events"];
                // The pane may ask for the top of the log more than once (a reload that
                // supersedes the first load), and the log grows meanwhile: the events are
                // chosen on the first answer and changed the same way in every answer.
                const auto idOf = [](const nlohmann::json& event) {
                    return QString::fromStdString(event["event_id"].get<std::string>());
                };
                if (partialId->isEmpty()) {
                    if (events.size() < 3)
                        return body;
                    *partialId = idOf(events[0]);
                    *unreadableIds = {idOf(events[1]), idOf(events[2])};
                }
                for (auto& event : events) {
                    const QString id = idOf(event);
                    if (id == *partialId)
                        event["outcome"] = "partial";
                    else if (id == unreadableIds->at(0))
                        event["actor"] = 5;
                    else if (id == unreadableIds->at(1))
                        event.erase("occurred_at");
                }
                return QByteArray::fromStdString(page.dump());
            });
        open(proxy->baseUrl(), server->ownerKey());
        QTRY_VERIFY_WITH_TIMEOUT(pane->model()->rowCount() > 0 && !pane->isLoading(), 10000);
        // The two unreadable events are not shown; the one next to them is.
        QCOMPARE(unreadableIds->size(), 2);
        for (const QString& id : *unreadableIds)
            QVERIFY2(!rowIds().contains(id), qPrintable(id));

        QVERIFY(pane->banner()->isVisible());
        const QString banner = pane->banner()->text();
        QVERIFY2(banner.contains(QStringLiteral("2 events could not be read")), qPrintable(banner));
        // events[1] unless the log grew between a superseded load and the one shown.
        QVERIFY2(banner.contains(QRegularExpression(
                     QStringLiteral(R"(Field 'events\[\d+\]\.actor' is not an object)"))),
                 qPrintable(banner));
        QVERIFY2(banner.contains(QStringLiteral("1 more like it")), qPrintable(banner));

        QVERIFY(!partialId->isEmpty());
        const auto row = static_cast<int>(rowIds().indexOf(*partialId));
        QVERIFY(row >= 0);
        const QModelIndex outcome = pane->model()->index(row, AuditLogModel::OutcomeColumn);
        QCOMPARE(outcome.data().toString(), QStringLiteral("partial"));
        QCOMPARE(outcome.data(AuditLogModel::BadgeToneRole).value<BadgeTone>(), BadgeTone::Neutral);
        QVERIFY(!outcome.data(AuditLogModel::FailureRole).toBool());
        const AuditEvent event = pane->model()->store().event(pane->model()->storeIndex(row));
        QCOMPARE(event.outcome.wire(), QStringLiteral("partial"));
        QVERIFY(!event.succeeded() && !event.failed());

        // Exported as the server's word; the unreadable events are said to be left out.
        for (const QString& file : {QStringLiteral("audit.csv"), QStringLiteral("audit.jsonl")}) {
            QTemporaryDir dir;
            const QString path = dir.filePath(file);
            QSignalSpy finished(pane.get(), &AuditPane::exportFinished);
            QVERIFY(pane->exportTo(path));
            QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 60000);
            QVERIFY2(finished[0][0].toBool(), qPrintable(finished[0][1].toString()));
            QVERIFY2(finished[0][1].toString().contains(
                         QStringLiteral("2 events the server sent could not be read")),
                     qPrintable(finished[0][1].toString()));
            QFile out(path);
            QVERIFY(out.open(QIODevice::ReadOnly));
            const QByteArray bytes = out.readAll();
            const QByteArray id = partialId->toUtf8();
            const qsizetype at = bytes.indexOf(id);
            QVERIFY(at >= 0);
            const QByteArray line = bytes.mid(at, bytes.indexOf('\n', at) - at);
            QVERIFY2(line.contains(file.endsWith(QLatin1String(".csv"))
                                       ? QByteArray(",partial,")
                                       : QByteArray("\"outcome\":\"partial\"")),
                     line.constData());
        }
    }
};

QTEST_MAIN(TestAuditErrors)
#include "tst_auditerrors.moc"
