// The audit pane on the profile's local archive (app/AuditHistory), against a real sandbox:
// the first page comes from the archive before any answer from the server, new events merge
// in after a sync, the search box is the archive's full-text search (a malformed query is
// said in the banner), rows beyond the server's retention are marked, the backfill shows its
// progress with a Cancel that a Resume undoes, an archive edited on disk is named in a
// banner, and an archive that cannot be opened leaves the pane on the server with a banner.
// Export writes what the table shows from the archive (the same full-text query; a malformed
// one refused, no file), as `legba-admin --export-audit` writes the same events; with the
// server gone, the filters, search and export go on over the archive, the tail and Refresh
// wait, and the banner says the table is the local copy.
#include "AdminProcess.h"
#include "AuditArchiveSync.h"
#include "AuditHistory.h"
#include "AuditLogModel.h"
#include "AuditPane.h"
#include "Cli.h"
#include "MessageBanner.h"
#include "Session.h"
#include "TestServer.h"

#include <QAbstractItemModelTester>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPushButton>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QUuid>
#include <algorithm>

using namespace legba;

namespace {

constexpr int kWait = 15000;
const QString kProfile = QStringLiteral("archive-pane");

} // namespace

class TestAuditPaneArchive : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<test::TestServer> server;
    std::unique_ptr<QTemporaryDir> dir;
    std::unique_ptr<Session> session;
    std::unique_ptr<AuditHistory> history;
    AuditPane* pane = nullptr;
    QAbstractItemModelTester* tester = nullptr;

    QString archivePath() const { return AuditArchive::pathFor(kProfile, dir->path()); }

    // `count` GET /instances as `agent`, each recorded by the server; waits for the answers.
    void requestAs(const QByteArray& agent, int count) {
        QNetworkAccessManager manager;
        for (int i = 0; i < count; ++i) {
            QNetworkRequest request(QUrl(server->baseUrl().toString() + QStringLiteral("/orgs/") +
                                         server->orgUuid() + QStringLiteral("/api/instances")));
            request.setRawHeader("Authorization", "Bearer " + server->ownerKey().reveal());
            request.setHeader(QNetworkRequest::UserAgentHeader, agent);
            QNetworkReply* reply = manager.get(request);
            QTRY_VERIFY(reply->isFinished());
            reply->deleteLater();
        }
    }

    // The archive filled with what the server has now, as a previous run would have left it.
    void fillArchive() {
        LegbaClient client;
        QVERIFY(!client.setEndpoint(server->endpoint()));
        client.setKey(server->ownerKey());
        AuditArchive archive(archivePath());
        AuditArchiveSync sync(&client, &archive);
        QSignalSpy finished(&sync, &AuditArchiveSync::backfillFinished);
        sync.backfill();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, kWait);
    }

    // The pane, shown, on a history that opens when the session connects.
    void openPane(int pageSize = 1000) {
        session = std::make_unique<Session>();
        history = std::make_unique<AuditHistory>(session.get(), dir->path());
        history->setPageSize(pageSize);
        pane = new AuditPane(session.get());
        tester = new QAbstractItemModelTester(
            pane->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        pane->setHistory(history.get());
        pane->resize(1200, 700);
        pane->setPageSize(50);
        pane->show();
        QVERIFY(QTest::qWaitForWindowExposed(pane));
        connect(session.get(), &Session::stateChanged, pane, &AuditPane::sessionChanged);
    }

    void connectSession() {
        Profile profile;
        profile.id = kProfile;
        profile.baseUrl = server->baseUrl();
        profile.orgUuid = server->orgUuid();
        QVERIFY(!session->connectTo(profile, server->ownerKey()));
        QTRY_COMPARE_WITH_TIMEOUT(session->state(), Session::State::Connected, kWait);
    }

    QStringList shownIds() const {
        QStringList ids;
        for (int row = 0; row < pane->model()->rowCount(); ++row)
            ids << pane->model()->index(row, 0).data(AuditLogModel::EventIdRole).toString();
        return ids;
    }

    // Scrolls to the bottom until the model has no more to read.
    bool scrollToEnd() {
        return QTest::qWaitFor(
            [this] {
                pane->view()->scrollToBottom();
                return pane->model()->atEnd() && !pane->model()->isFetching();
            },
            kWait);
    }

    // How many loaded events carry `agent`.
    int withAgent(const QString& agent) const {
        int found = 0;
        for (AuditStore::Index i = 0; i < pane->model()->store().size(); ++i)
            found += pane->model()->store().event(i).userAgent == agent ? 1 : 0;
        return found;
    }

    // The event ids of a JSON Lines export, in the file's order.
    static QStringList idsInFile(const QString& path) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return {QStringLiteral("<cannot read %1>").arg(path)};
        QStringList ids;
        for (const QByteArray& line : file.readAll().split('\n'))
            if (!line.isEmpty())
                ids << QJsonDocument::fromJson(line).object().value(u"event_id").toString();
        return ids;
    }

    // Exports through the pane to `path`; true when the file is complete.
    bool exportAndWait(const QString& path) {
        QSignalSpy finished(pane, &AuditPane::exportFinished);
        QString error;
        if (!pane->exportTo(path, &error)) {
            qWarning().noquote() << "export refused:" << error;
            return false;
        }
        return finished.wait(kWait) && finished.first().at(0).toBool();
    }

    bool settled() const {
        return history->archive() && !history->isSyncing() && !history->isBackfilling();
    }

private Q_SLOTS:
    void init() {
        server = std::make_unique<test::TestServer>();
        QVERIFY2(server->ok(), qPrintable(server->error()));
        dir = std::make_unique<QTemporaryDir>();
    }

    void cleanup() {
        delete tester;
        tester = nullptr;
        delete pane;
        pane = nullptr;
        history.reset();
        session.reset();
        server.reset();
        dir.reset();
    }

    void opens_onTheArchive_beforeAnyNetwork_thenMergesNewEvents() {
        requestAs("before", 80);
        fillArchive();
        const qint64 archived = AuditArchive(archivePath()).count();
        openPane();
        int firstPage = -1;
        qsizetype syncedAtFirstPage = -1;
        QSignalSpy synced(history.get(), &AuditHistory::newestSynced);
        connect(pane, &AuditPane::pageLoaded, this, [&](int events) {
            if (firstPage >= 0)
                return;
            firstPage = events;
            syncedAtFirstPage = synced.size();
        });
        connectSession();
        QVERIFY(pane->readsArchive());
        QTRY_VERIFY_WITH_TIMEOUT(firstPage >= 0, kWait);
        QCOMPARE(firstPage, 50);                      // one page of the archive...
        QCOMPARE(syncedAtFirstPage, 0);               // ...before the server answered the sync
        QVERIFY(!pane->archiveStatus()->isVisible()); // the backfill has nothing to do
        QTRY_VERIFY_WITH_TIMEOUT(settled(), kWait);

        // Select a row down the table: new events must not move it.
        pane->view()->scrollTo(pane->model()->index(20, 0), QAbstractItemView::PositionAtTop);
        pane->view()->selectRow(20);
        const QString selected =
            pane->model()->index(20, 0).data(AuditLogModel::EventIdRole).toString();
        const int topRow = pane->view()->rowAt(0);
        const QString top =
            pane->model()->index(topRow, 0).data(AuditLogModel::EventIdRole).toString();

        QSignalSpy inserted(pane, &AuditPane::tailInserted);
        requestAs("after", 7);
        pane->refresh(); // syncs the archive; its new events merge in
        QTRY_VERIFY_WITH_TIMEOUT(!inserted.isEmpty(), kWait);
        QTRY_VERIFY_WITH_TIMEOUT(settled(), kWait);
        QVERIFY(history->archive()->count() >= archived + 7);
        QCOMPARE(pane->model()
                     ->index(pane->view()->currentIndex().row(), 0)
                     .data(AuditLogModel::EventIdRole)
                     .toString(),
                 selected);
        QCOMPARE(pane->model()
                     ->index(pane->view()->rowAt(0), 0)
                     .data(AuditLogModel::EventIdRole)
                     .toString(),
                 top);
        QCOMPARE(withAgent(QStringLiteral("after")), 7);

        // The live tail syncs the archive every interval; what it stores merges in once.
        pane->setTailInterval(100);
        pane->setLiveTail(true);
        requestAs("tailed", 3);
        QTRY_COMPARE_WITH_TIMEOUT(withAgent(QStringLiteral("tailed")), 3, kWait);
        pane->setLiveTail(false);
        QTRY_VERIFY_WITH_TIMEOUT(settled(), kWait);
        QCOMPARE(withAgent(QStringLiteral("tailed")), 3);

        // Scrolling pages down the archive: everything once, as the archive has it.
        QVERIFY(scrollToEnd());
        const QStringList ids = shownIds();
        QCOMPARE(QSet<QString>(ids.cbegin(), ids.cend()).size(), ids.size());
        QCOMPARE(qint64{ids.size()}, history->archive()->count());
        QVERIFY(pane->stateText().isEmpty());
    }

    void search_isTheArchivesFullText_malformedIsSaid() {
        requestAs("zebra-crossing/1.0", 4);
        requestAs("plain", 60);
        fillArchive();
        openPane();
        connectSession();
        QTRY_VERIFY_WITH_TIMEOUT(settled(), kWait);
        QVERIFY(pane->model()->rowCount() > 0);

        // The whole archive: the zebra events are far below the first page.
        QSignalSpy pages(pane, &AuditPane::pageLoaded);
        const auto search = [&](const QString& text) {
            pages.clear();
            pane->setSearchText(text);
            return pages.wait(kWait);
        };
        QVERIFY(search(QStringLiteral("zebra")));
        QCOMPARE(pane->model()->rowCount(), 4);
        QVERIFY(search(QStringLiteral("zeb*")));
        QCOMPARE(pane->model()->rowCount(), 4);
        QVERIFY(search(QStringLiteral("\"zebra crossing\"")));
        QCOMPARE(pane->model()->rowCount(), 4);
        QVERIFY(search(QStringLiteral("zebra NOT zebra")));
        QCOMPARE(pane->model()->rowCount(), 0);
        QVERIFY(pane->stateText().contains(QStringLiteral("No archived events match")));

        pane->setSearchText(QStringLiteral("\"unbalanced"));
        QTRY_VERIFY_WITH_TIMEOUT(
            pane->banner()->text().contains(QStringLiteral("unterminated string")), kWait);
        QCOMPARE(pane->model()->rowCount(), 0);

        QVERIFY(search(QString()));
        QVERIFY(pane->model()->rowCount() > 4);
        QVERIFY(pane->banner()->text().isEmpty());
    }

    void rowsBeyondRetention_areMarked() {
        requestAs("old", 20);
        fillArchive();
        QString oldestOnServer;
        int marked = 0;
        {
            AuditArchive archive(archivePath());
            ArchiveQuery q;
            q.limit = 10;
            const ArchivePage page = archive.read(q);
            const std::string_view id = page.batch.uniqueOf(page.batch.records.back()).eventId;
            oldestOnServer = QString::fromUtf8(id.data(), static_cast<qsizetype>(id.size()));
            marked = archive.markBeyondRetention(oldestOnServer);
            QVERIFY(marked >= 10);
        }
        openPane();
        connectSession();
        QTRY_VERIFY_WITH_TIMEOUT(settled(), kWait);
        QVERIFY(scrollToEnd());
        int kept = 0;
        for (int row = 0; row < pane->model()->rowCount(); ++row) {
            const QModelIndex index = pane->model()->index(row, AuditLogModel::ActionColumn);
            if (!index.data(AuditLogModel::KeptLocallyRole).toBool())
                continue;
            ++kept;
            QVERIFY(index.data(Qt::ToolTipRole)
                        .toString()
                        .contains(QStringLiteral("the server no longer has this event")));
            QVERIFY(index.data(Qt::ForegroundRole).isValid());
        }
        QCOMPARE(kept, marked);
    }

    void backfill_showsProgress_cancelAndResume() {
        requestAs("history", 40);
        openPane(5);
        QSignalSpy stopped(history.get(), &AuditHistory::backfillStopped);
        QSignalSpy finished(history.get(), &AuditHistory::backfillFinished);
        bool sawProgress = false;
        connect(history.get(), &AuditHistory::backfillProgress, this, [&] {
            if (sawProgress)
                return;
            sawProgress = true;
            QVERIFY(pane->archiveStatus()->isVisible());
            QVERIFY(pane->archiveStatus()->text().contains(QStringLiteral("Fetching older")));
            QCOMPARE(pane->archiveButton()->text(), QStringLiteral("Cancel"));
            QTest::mouseClick(pane->archiveButton(), Qt::LeftButton);
        });
        connectSession();
        QTRY_COMPARE_WITH_TIMEOUT(stopped.size(), 1, kWait);
        QVERIFY(sawProgress);
        QVERIFY(pane->archiveStatus()->isVisible());
        QVERIFY(pane->archiveStatus()->text().contains(QStringLiteral("not fetched yet")));
        QCOMPARE(pane->archiveButton()->text(), QStringLiteral("Resume"));
        QVERIFY(!history->backfillDone());
        if (const QString out = qEnvironmentVariable("LEGBA_ARCHIVE_SCREENSHOTS"); !out.isEmpty())
            QVERIFY(pane->grab().save(out + QStringLiteral("/audit-archive-backfill.png")));

        QTest::mouseClick(pane->archiveButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, kWait);
        QTRY_VERIFY_WITH_TIMEOUT(settled(), kWait);
        QVERIFY(!pane->archiveStatus()->isVisible());
        // The older history is in the table.
        QVERIFY(scrollToEnd());
        int shown = 0;
        for (AuditStore::Index i = 0; i < pane->model()->store().size(); ++i)
            shown += pane->model()->store().event(i).userAgent == QLatin1String("history") ? 1 : 0;
        QCOMPARE(shown, 40);
    }

    void archiveEditedOnDisk_bannerNamesTheEvents() {
        requestAs("x", 5);
        fillArchive();
        QString edited;
        {
            AuditArchive archive(archivePath());
            edited = archive.newestEventId();
        }
        {
            const QString name = QUuid::createUuid().toString();
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
            db.setDatabaseName(archivePath());
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("UPDATE events SET status = 599 WHERE event_id = '%1'")
                               .arg(edited)));
            q.finish();
            db.close();
            db = QSqlDatabase();
            QSqlDatabase::removeDatabase(name);
        }
        openPane();
        connectSession();
        QTRY_VERIFY_WITH_TIMEOUT(settled(), kWait);
        QVERIFY(!history->issues().empty());
        QCOMPARE(history->issues().front().kind, IntegrityIssue::Kind::ChangedLocally);
        QVERIFY2(pane->banner()->text().contains(edited), qPrintable(pane->banner()->text()));
        QVERIFY(pane->banner()->text().contains(QStringLiteral("edited")));
        QVERIFY(pane->model()->rowCount() > 0);
    }

    // A saved profile on a server with the hosted API's shape (no audit log): the archive
    // opens, its sync is refused, and the pane says what the server answered rather than
    // showing an empty archive as if the log had no events.
    void hostedShape_noAuditLog_isSaidNotShownEmpty() {
        server::ServerOptions options = test::TestServer::fastOptions();
        options.hostedShape = true;
        server = std::make_unique<test::TestServer>(options);
        QVERIFY2(server->ok(), qPrintable(server->error()));
        openPane();
        connectSession();
        QTRY_VERIFY_WITH_TIMEOUT(!history->isSyncing() && !history->isBackfilling(), kWait);
        const auto says404 = [this] {
            const auto labels = pane->findChildren<QLabel*>();
            return std::any_of(labels.begin(), labels.end(), [](const QLabel* label) {
                return label->isVisible() && label->text().contains(QStringLiteral("404"));
            });
        };
        QTRY_VERIFY_WITH_TIMEOUT(says404(), kWait);
        QCOMPARE(pane->model()->rowCount(), 0);
    }

    void archiveUnusable_paneReadsTheServer_withABanner() {
        requestAs("served", 5);
        QVERIFY(QDir().mkpath(QFileInfo(archivePath()).path()));
        {
            QFile file(archivePath());
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(QByteArray(8192, 'x'));
        }
        openPane();
        QSignalSpy loaded(pane, &AuditPane::pageLoaded);
        connectSession();
        QVERIFY(!pane->readsArchive());
        QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), kWait);
        QVERIFY(pane->model()->rowCount() > 0);
        QVERIFY2(pane->banner()->text().contains(QStringLiteral("archive-pane.sqlite")),
                 qPrintable(pane->banner()->text()));
        QVERIFY(pane->banner()->text().contains(QStringLiteral("reads the server only")));
    }

    void export_fromTheArchive_isWhatTheTableShows() {
        requestAs("zebra-crossing/1.0", 40);
        requestAs("plain", 30);
        requestAs("zebra-crossing/2.0", 35);
        fillArchive();
        openPane();
        connectSession();
        QTRY_VERIFY_WITH_TIMEOUT(settled(), kWait);

        // Full-text syntax a substring filter reads otherwise (it would find nothing).
        QSignalSpy pages(pane, &AuditPane::pageLoaded);
        pane->setSearchText(QStringLiteral("zeb* NOT \"crossing 1.0\""));
        QVERIFY(pages.wait(kWait));
        QVERIFY(scrollToEnd());
        const QStringList shown = shownIds();
        QCOMPARE(shown.size(), 35);
        QCOMPARE(withAgent(QStringLiteral("zebra-crossing/2.0")), 35);

        // More than one page of the archive (the pane reads 50 at a time).
        pane->setSearchText(QStringLiteral("zeb*"));
        QVERIFY(pages.wait(kWait));
        QVERIFY(scrollToEnd());
        const QStringList zebras = shownIds();
        QCOMPARE(zebras.size(), 75);
        const QString path = dir->filePath(QStringLiteral("zebras.jsonl"));
        QVERIFY(exportAndWait(path));
        QCOMPARE(idsInFile(path), zebras); // the same events, in the table's order

        pane->setSearchText(QStringLiteral("zeb* NOT \"crossing 1.0\""));
        QVERIFY(pages.wait(kWait));
        const QString narrowed = dir->filePath(QStringLiteral("narrowed.jsonl"));
        QVERIFY(exportAndWait(narrowed));
        QCOMPARE(idsInFile(narrowed), shown);

        // `legba-admin --export-audit` writes the same lines for the same events, in order.
        const QString all = dir->filePath(QStringLiteral("all.jsonl"));
        QTemporaryDir home;
        const test::AdminRun run =
            test::runAdmin(QStringLiteral(LEGBA_ADMIN_BINARY),
                           {QStringLiteral("--export-audit"), QStringLiteral("env"), all},
                           home.path(), server.get());
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QFile cli(all);
        QVERIFY(cli.open(QIODevice::ReadOnly));
        QList<QByteArray> cliZebras;
        for (const QByteArray& line : cli.readAll().split('\n'))
            if (line.contains("zebra-crossing"))
                cliZebras << line;
        QFile mine(path);
        QVERIFY(mine.open(QIODevice::ReadOnly));
        QList<QByteArray> mineLines = mine.readAll().split('\n');
        mineLines.removeAll(QByteArray());
        QCOMPARE(mineLines, cliZebras);

        // A query the archive cannot read: refused with its words, and no file.
        pane->setSearchText(QStringLiteral("\"unbalanced"));
        QTRY_VERIFY_WITH_TIMEOUT(
            pane->banner()->text().contains(QStringLiteral("unterminated string")), kWait);
        const QString refused = dir->filePath(QStringLiteral("refused.csv"));
        QString error;
        QVERIFY(!pane->exportTo(refused, &error));
        QVERIFY2(error.contains(QStringLiteral("unterminated string")), qPrintable(error));
        QVERIFY(!QFile::exists(refused));
        QCOMPARE(QDir(dir->path()).entryList({QStringLiteral("refused*")}, QDir::Files).size(), 0);
    }

    void serverGone_filtersSearchAndExportReadTheArchive() {
        requestAs("zebra-crossing/1.0", 6);
        requestAs("plain", 30);
        fillArchive();
        openPane();
        connectSession();
        QTRY_VERIFY_WITH_TIMEOUT(settled(), kWait);
        QToolButton* tail = nullptr;
        for (QToolButton* b : pane->findChildren<QToolButton*>())
            if (b->accessibleName() == QStringLiteral("Live tail"))
                tail = b;
        QVERIFY(tail);
        QPushButton* refreshButton = nullptr;
        for (QPushButton* b : pane->findChildren<QPushButton*>())
            if (b->accessibleName() == QStringLiteral("Refresh audit log"))
                refreshButton = b;
        QVERIFY(refreshButton);
        QLineEdit* search = nullptr;
        for (QLineEdit* e : pane->findChildren<QLineEdit*>())
            if (e->accessibleName() == QStringLiteral("Search the archived audit log"))
                search = e;
        QVERIFY(search);
        QVERIFY(tail->isEnabled());

        // The server stops mid-session: the next sync finds it gone.
        server->server().close();
        pane->refresh();
        QTRY_COMPARE_WITH_TIMEOUT(session->state(), Session::State::Offline, 2 * kWait);
        QVERIFY(pane->readsArchive());
        QTRY_VERIFY_WITH_TIMEOUT(
            pane->banner()->text().contains(QStringLiteral("Showing the local copy")), kWait);
        QVERIFY(pane->banner()->text().contains(QStringLiteral("cannot be reached")));
        QVERIFY(search->isEnabled());
        QVERIFY(!refreshButton->isEnabled());
        QVERIFY(refreshButton->toolTip().contains(QStringLiteral("cannot be reached")));
        QVERIFY(!tail->isEnabled());
        QVERIFY(tail->toolTip().contains(QStringLiteral("cannot be reached")));

        // Typing in the search box searches the archive.
        search->clear();
        QTest::keyClicks(search, QStringLiteral("zebra"));
        QTRY_COMPARE_WITH_TIMEOUT(pane->model()->rowCount(), 6, kWait);
        QVERIFY(pane->banner()->text().contains(QStringLiteral("Showing the local copy")));
        pane->setOutcome(AuditPane::Outcome::Failure);
        QTRY_COMPARE_WITH_TIMEOUT(pane->model()->rowCount(), 0, kWait);
        pane->setOutcome(AuditPane::Outcome::Any);
        QTRY_COMPARE_WITH_TIMEOUT(pane->model()->rowCount(), 6, kWait);

        const QString out = qEnvironmentVariable("LEGBA_ARCHIVE_SCREENSHOTS");
        if (!out.isEmpty())
            QVERIFY(pane->grab().save(out + QStringLiteral("/audit-archive-offline.png")));

        const QString path = dir->filePath(QStringLiteral("offline.jsonl"));
        QVERIFY(exportAndWait(path));
        QCOMPARE(idsInFile(path), shownIds());
        // The export's words keep saying what the table is.
        QVERIFY(pane->banner()->text().contains(QStringLiteral("Exported 6 events")));
        QVERIFY(pane->banner()->text().contains(QStringLiteral("Showing the local copy")));
    }

    // Not a check: LEGBA_ARCHIVE_SCREENSHOTS=DIR grabs the pane opened on an archive of
    // 100,000 demo events (seeded in the sandbox, synced once), and a search of it.
    void screenshots_largeArchive() {
        const QString out = qEnvironmentVariable("LEGBA_ARCHIVE_SCREENSHOTS");
        if (out.isEmpty())
            QSKIP("LEGBA_ARCHIVE_SCREENSHOTS is not set");
        std::FILE* null = std::fopen("/dev/null", "w");
        const int seeded =
            server::runCli({QStringLiteral("seed-demo"), QStringLiteral("--data-dir"),
                            server->dataDir(), QStringLiteral("--org"), server->orgUuid(),
                            QStringLiteral("--events"), QStringLiteral("100000")},
                           null, null);
        std::fclose(null);
        QCOMPARE(seeded, 0);
        fillArchive();
        {
            // All but the newest 15 beyond the server's retention, to show how they look.
            AuditArchive archive(archivePath());
            ArchiveQuery q;
            q.limit = 16;
            const ArchivePage page = archive.read(q);
            const std::string_view id = page.batch.uniqueOf(page.batch.records.back()).eventId;
            archive.markBeyondRetention(
                QString::fromUtf8(id.data(), static_cast<qsizetype>(id.size())));
        }
        openPane();
        pane->setPageSize(1000);
        pane->setRange(AuditPane::Range::AllTime);
        QElapsedTimer opening;
        opening.start();
        qint64 firstRowsMs = -1;
        connect(history.get(), &AuditHistory::opened, this,
                [&] { firstRowsMs = opening.elapsed(); });
        connectSession();
        QTRY_VERIFY_WITH_TIMEOUT(settled(), 60000);
        qInfo() << "archive" << history->archive()->count() << "events; rows on screen"
                << firstRowsMs << "ms after connect";
        // Where the rows the server still has meet those it no longer has.
        int boundary = 0;
        while (boundary < pane->model()->rowCount() &&
               !pane->model()->index(boundary, 0).data(AuditLogModel::KeptLocallyRole).toBool())
            ++boundary;
        pane->view()->scrollTo(pane->model()->index(boundary, 0),
                               QAbstractItemView::PositionAtCenter);
        pane->view()->selectRow(boundary);
        QTest::qWait(200);
        QVERIFY(pane->grab().save(out + QStringLiteral("/audit-archive-open.png")));
        pane->setSearchText(QStringLiteral("\"CI pipeline\" instance*"));
        QTest::qWait(200);
        QVERIFY(pane->grab().save(out + QStringLiteral("/audit-archive-search.png")));
    }
};

QTEST_MAIN(TestAuditPaneArchive)
#include "tst_auditpanearchive.moc"
