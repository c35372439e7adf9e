// The audit pane against a real sandbox server filled by `legba-server seed-demo`:
// scrolling loads every event once, each filter gives the server's events, export
// round-trips (CSV and JSON Lines) and leaves no file when cancelled, the live tail adds
// newer events once each without moving the view.
#include "AuditChart.h"
#include "AuditDetails.h"
#include "AuditExport.h"
#include "AuditLogModel.h"
#include "AuditPane.h"
#include "Cli.h"
#include "Json.h"
#include "Rfc3339.h"
#include "Session.h"
#include "TestServer.h"
#include "Wait.h"

#include <QAbstractItemModelTester>
#include <QDir>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProgressDialog>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>
#include <atomic>

using namespace legba;

namespace {

// RFC 4180 records from text: quoted fields may hold commas, quotes and line breaks.
QList<QStringList> parseCsv(const QString& text) {
    QList<QStringList> rows;
    QStringList row;
    QString field;
    bool quoted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (quoted) {
            if (c == QLatin1Char('"') && i + 1 < text.size() && text[i + 1] == QLatin1Char('"')) {
                field += QLatin1Char('"');
                ++i;
            } else if (c == QLatin1Char('"')) {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == QLatin1Char('"')) {
            quoted = true;
        } else if (c == QLatin1Char(',')) {
            row << field;
            field.clear();
        } else if (c == QLatin1Char('\r') && i + 1 < text.size() &&
                   text[i + 1] == QLatin1Char('\n')) {
            row << field;
            field.clear();
            rows << row;
            row.clear();
            ++i;
        } else {
            field += c;
        }
    }
    if (!field.isEmpty() || !row.isEmpty())
        rows << (row << field);
    return rows;
}

// GET /instances as `agent`: the server records it like any request.
void requestAs(test::TestServer& server, const QByteArray& agent) {
    QNetworkAccessManager manager;
    QNetworkRequest request(QUrl(server.baseUrl().toString() + QStringLiteral("/orgs/") +
                                 server.orgUuid() + QStringLiteral("/api/instances")));
    request.setRawHeader("Authorization", "Bearer " + server.ownerKey().reveal());
    request.setHeader(QNetworkRequest::UserAgentHeader, agent);
    QNetworkReply* reply = manager.get(request);
    QTRY_VERIFY(reply->isFinished());
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    reply->deleteLater();
}

// How many loaded events carry `agent`.
int loadedWithAgent(const AuditLogModel* model, const QString& agent) {
    int found = 0;
    for (AuditStore::Index i = 0; i < model->store().size(); ++i)
        found += model->store().event(i).userAgent == agent ? 1 : 0;
    return found;
}

nlohmann::json jsonOf(const QByteArray& text) {
    return nlohmann::json::parse(text.isEmpty() ? QByteArray("{}") : text);
}

} // namespace

class TestAuditPane : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<test::TestServer> server;
    std::unique_ptr<Session> session;
    AuditPane* pane = nullptr;
    QAbstractItemModelTester* tester = nullptr;
    QDateTime since;
    QDateTime until;
    QString ciKeyId;

    AuditQuery seeded() const {
        AuditQuery query;
        query.since = since;
        query.until = until;
        return query;
    }

    // Every event the server has for a query, through its cursor, with the DOM parser.
    std::vector<AuditEvent> serverEvents(AuditQuery query) {
        std::vector<AuditEvent> all;
        query.limit = 1000;
        for (;;) {
            auto page = test::await<Result<AuditPage>>(
                [&](auto done) { session->client()->auditLog(query, this, done); });
            if (!page || !*page)
                return {};
            const AuditPage& value = page->value();
            all.insert(all.end(), value.events.begin(), value.events.end());
            if (value.nextCursor.isEmpty())
                return all;
            query.cursor = value.nextCursor;
        }
    }

    // Scrolls to the bottom until the model has no more to fetch.
    bool scrollToEnd() {
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 60'000) {
            if (pane->model()->atEnd() && !pane->model()->isFetching())
                return true;
            pane->view()->scrollToBottom();
            QTest::qWait(5);
        }
        return false;
    }

    QStringList loadedIds() const {
        QStringList ids;
        const AuditLogModel* model = pane->model();
        for (int row = 0; row < model->rowCount(); ++row)
            ids << model->index(row, 0).data(AuditLogModel::EventIdRole).toString();
        return ids;
    }

    static QStringList idsOf(const std::vector<AuditEvent>& events) {
        QStringList ids;
        for (const AuditEvent& e : events)
            ids << e.eventId;
        return ids;
    }

private Q_SLOTS:
    void initTestCase() {
        server = std::make_unique<test::TestServer>();
        QVERIFY2(server->ok(), qPrintable(server->error()));
        std::FILE* null = std::fopen("/dev/null", "w");
        const int seeded =
            server::runCli({QStringLiteral("seed-demo"), QStringLiteral("--data-dir"),
                            server->dataDir(), QStringLiteral("--org"), server->orgUuid(),
                            QStringLiteral("--events"), QStringLiteral("5000")},
                           null, null);
        std::fclose(null);
        QCOMPARE(seeded, 0);

        session = std::make_unique<Session>();
        Profile profile;
        profile.id = QStringLiteral("audit-test");
        profile.displayName = QStringLiteral("Audit test");
        profile.baseUrl = server->baseUrl();
        profile.orgUuid = server->orgUuid();
        QVERIFY(!session->connectTo(profile, server->ownerKey()));
        QTRY_COMPARE_WITH_TIMEOUT(session->state(), Session::State::Connected, 10000);

        // User agents a CSV must quote, recorded by the server like any request's.
        QNetworkAccessManager manager;
        // And some a spreadsheet would run as formulas, were they not defused.
        for (const char* agent : {"Mozilla/5.0 (X11; \"quoted\", comma)", "agent,with,commas",
                                  "=HYPERLINK(\"http://evil.example/\",\"click\")",
                                  "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)", "'already quoted"}) {
            QNetworkRequest request(QUrl(server->baseUrl().toString() + QStringLiteral("/orgs/") +
                                         server->orgUuid() + QStringLiteral("/api/instances")));
            request.setRawHeader("Authorization", "Bearer " + server->ownerKey().reveal());
            request.setHeader(QNetworkRequest::UserAgentHeader, QByteArray(agent));
            QNetworkReply* reply = manager.get(request);
            QTRY_VERIFY(reply->isFinished());
            reply->deleteLater();
        }

        // A key whose name is a formula, used once: its name is in the actor columns.
        NewKeyRequest formulaKey;
        formulaKey.name = QStringLiteral("=cmd|' /C calc'!A0");
        formulaKey.scopes = {QStringLiteral("instances:read")};
        auto issuedFormula = test::await<Result<IssuedKey>>(
            [&](auto done) { session->client()->createKey(formulaKey, this, done); });
        QVERIFY(issuedFormula && *issuedFormula);
        {
            QNetworkRequest request(QUrl(server->baseUrl().toString() + QStringLiteral("/orgs/") +
                                         server->orgUuid() + QStringLiteral("/api/instances")));
            request.setRawHeader("Authorization",
                                 "Bearer " + issuedFormula->value().secret.reveal());
            QNetworkReply* reply = manager.get(request);
            QTRY_VERIFY(reply->isFinished());
            reply->deleteLater();
        }

        // A range that ends now, in whole seconds, so that what the tests do later is not in it.
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        until = QDateTime::fromMSecsSinceEpoch((now / 1000 + 1) * 1000, QTimeZone::utc());
        since = until.addDays(-31);
        QTRY_VERIFY(QDateTime::currentDateTimeUtc() > until.addMSecs(50));

        auto keys = test::await<Result<KeyList>>(
            [&](auto done) { session->client()->listKeys(true, this, done); });
        QVERIFY(keys && *keys);
        for (const ApiKey& key : keys->value().keys) {
            if (key.name == QLatin1String("CI pipeline"))
                ciKeyId = key.keyId;
        }
        QVERIFY(!ciKeyId.isEmpty());
    }

    void init() {
        pane = new AuditPane(session.get());
        tester = new QAbstractItemModelTester(
            pane->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        pane->resize(1200, 800);
        pane->setPageSize(500);
        pane->show();
        QVERIFY(QTest::qWaitForWindowExposed(pane));
        pane->sessionChanged();
    }
    void cleanup() {
        delete tester;
        tester = nullptr;
        delete pane;
        pane = nullptr;
    }

    void scrollingToTheEndLoadsEveryEventExactlyOnce() {
        QSignalSpy pages(pane, &AuditPane::pageLoaded);
        pane->setCustomRange(since, until);
        QVERIFY(scrollToEnd());
        const std::vector<AuditEvent> expected = serverEvents(seeded());
        QVERIFY(expected.size() >= 5002);
        QStringList ids = loadedIds();
        QCOMPARE(pane->model()->store().size(), expected.size());
        QCOMPARE(QSet<QString>(ids.begin(), ids.end()).size(), ids.size());
        QStringList want = idsOf(expected);
        ids.sort();
        want.sort();
        QCOMPARE(ids, want);
        // Page by page: as many answers as pages, none repeated.
        QCOMPARE(pages.size(), int((expected.size() + 499) / 500));
        // Each loaded event is the server's, field by field.
        QHash<QString, AuditEvent> byId;
        for (const AuditEvent& e : expected)
            byId.insert(e.eventId, e);
        for (AuditStore::Index i = 0; i < pane->model()->store().size(); ++i) {
            AuditEvent mine = pane->model()->store().event(i);
            AuditEvent theirs = byId.value(mine.eventId);
            QVERIFY(jsonOf(mine.detailsJson) == jsonOf(theirs.detailsJson));
            mine.detailsJson = theirs.detailsJson;
            QCOMPARE(mine, theirs);
        }
        // The chart counts them all, failures apart.
        pane->chart()->rebuild(pane->model()->store(), true);
        int successes = 0;
        int failures = 0;
        for (int b = 0; b < pane->chart()->bucketCount(); ++b) {
            successes += pane->chart()->successAt(b);
            failures += pane->chart()->failureAt(b);
        }
        QCOMPARE(successes + failures, int(expected.size()));
        QCOMPARE(failures, int(std::count_if(expected.begin(), expected.end(),
                                             [](const AuditEvent& e) { return e.failed(); })));
        QCOMPARE(pane->chart()->bucketMs(), qint64(86'400'000));
    }

    void eachFilterGivesTheServersEvents_data() {
        QTest::addColumn<QString>("action");
        QTest::addColumn<int>("outcome");
        QTest::addColumn<bool>("byActor");
        QTest::newRow("auth.failed")
            << QStringLiteral("auth.failed") << int(AuditPane::Outcome::Any) << false;
        QTest::newRow("api_key. prefix")
            << QStringLiteral("api_key.") << int(AuditPane::Outcome::Any) << false;
        QTest::newRow("failures") << QString() << int(AuditPane::Outcome::Failure) << false;
        QTest::newRow("instance. successes")
            << QStringLiteral("instance.") << int(AuditPane::Outcome::Success) << false;
        QTest::newRow("one actor") << QString() << int(AuditPane::Outcome::Any) << true;
        QTest::newRow("one actor's failures")
            << QString() << int(AuditPane::Outcome::Failure) << true;
    }
    void eachFilterGivesTheServersEvents() {
        QFETCH(QString, action);
        QFETCH(int, outcome);
        QFETCH(bool, byActor);
        pane->setCustomRange(since, until);
        pane->setAction(action);
        pane->setOutcome(static_cast<AuditPane::Outcome>(outcome));
        if (byActor)
            pane->setActorKeyId(ciKeyId);
        QVERIFY(scrollToEnd());

        AuditQuery query = seeded();
        query.action = action;
        query.actorKeyId = byActor ? ciKeyId : QString();
        if (outcome != int(AuditPane::Outcome::Any))
            query.success = outcome == int(AuditPane::Outcome::Success);
        const std::vector<AuditEvent> expected = serverEvents(query);
        QVERIFY(!expected.empty());
        QStringList ids = loadedIds();
        QStringList want = idsOf(expected);
        ids.sort();
        want.sort();
        QCOMPARE(ids, want);
        for (AuditStore::Index i = 0; i < pane->model()->store().size(); ++i) {
            const AuditEvent e = pane->model()->store().event(i);
            if (!action.isEmpty())
                QVERIFY(action.endsWith(QLatin1Char('.')) ? e.action.startsWith(action)
                                                          : e.action == action);
            if (query.success)
                QCOMPARE(e.succeeded(), *query.success);
            if (byActor)
                QCOMPARE(e.actor->keyId, ciKeyId);
            QVERIFY(e.occurredAt >= since && e.occurredAt < until);
        }
    }

    void searchNarrowsWhatIsLoadedAndKeepsTheSelection() {
        pane->setCustomRange(since, until);
        QVERIFY(scrollToEnd());
        const int all = pane->model()->rowCount();
        // Select an auth.failed event, then search for what it has.
        int row = 0;
        while (!pane->model()->index(row, 0).data(AuditLogModel::AuthFailedRole).toBool())
            ++row;
        pane->view()->setCurrentIndex(pane->model()->index(row, 0));
        const QString id = pane->model()->index(row, 0).data(AuditLogModel::EventIdRole).toString();
        QCOMPARE(pane->details()->fieldText(QStringLiteral("event_id")), id);
        QVERIFY(pane->details()->detailsText().contains(QStringLiteral("\"key_prefix\"")));
        pane->setSearchText(QStringLiteral("AUTH.failed"));
        QVERIFY(pane->model()->rowCount() < all);
        QVERIFY(pane->model()->rowCount() > 0);
        QCOMPARE(pane->view()->currentIndex().data(AuditLogModel::EventIdRole).toString(), id);
        pane->setSearchText(QString());
        QCOMPARE(pane->model()->rowCount(), all);
        QCOMPARE(pane->view()->currentIndex().data(AuditLogModel::EventIdRole).toString(), id);
    }

    void exportRoundTrips_data() {
        QTest::addColumn<QString>("file");
        QTest::newRow("csv") << QStringLiteral("audit.csv");
        QTest::newRow("json lines") << QStringLiteral("audit.jsonl");
    }
    void exportRoundTrips() {
        QFETCH(QString, file);
        QTemporaryDir dir;
        const QString path = dir.filePath(file);
        pane->setCustomRange(since, until);
        QTRY_VERIFY(pane->model()->rowCount() > 0); // only a page loaded: export goes further
        QVERIFY(!pane->model()->atEnd());
        QSignalSpy finished(pane, &AuditPane::exportFinished);
        QVERIFY(pane->exportTo(path));
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 60000);
        QVERIFY2(finished[0][0].toBool(), qPrintable(finished[0][1].toString()));

        const std::vector<AuditEvent> expected = serverEvents(seeded());
        QFile out(path);
        QVERIFY(out.open(QIODevice::ReadOnly));
        const QByteArray bytes = out.readAll();
        std::vector<AuditEvent> back;
        bool defused = false;
        if (file.endsWith(QLatin1String(".csv"))) {
            const QList<QStringList> rows = parseCsv(QString::fromUtf8(bytes));
            QCOMPARE(rows.value(0).join(QLatin1Char(',')).toLatin1() + "\r\n",
                     AuditExporter::csvHeader());
            for (qsizetype r = 1; r < rows.size(); ++r) {
                const QStringList& cells = rows[r];
                QCOMPARE(cells.size(), 14);
                // No cell a spreadsheet would run; each text cell read back as documented.
                QStringList f;
                for (const QString& cell : cells) {
                    QVERIFY2(cell.isEmpty() || !QStringLiteral("=+-@\t\r").contains(cell[0]),
                             qPrintable(cell));
                    f << AuditExporter::csvCellValue(cell);
                }
                defused = defused || cells[11].startsWith(QLatin1Char('\'')) ||
                          cells[3].startsWith(QLatin1Char('\''));
                AuditEvent e;
                e.eventId = f[0];
                e.occurredAt = *rfc3339::parse(f[1]);
                if (!f[2].isEmpty())
                    e.actor = AuditActor{f[2], f[3], f[4]};
                e.action = f[5];
                if (!f[6].isEmpty())
                    e.target = AuditTarget{f[6], f[7]};
                e.outcome = OpenEnum<AuditOutcome>::fromWire(f[8]);
                e.statusCode = f[9].toInt();
                e.ip = f[10];
                e.userAgent = f[11];
                e.requestId = f[12];
                e.detailsJson = f[13].toUtf8();
                back.push_back(e);
            }
        } else {
            for (const QByteArray& line : bytes.split('\n')) {
                if (!line.isEmpty())
                    back.push_back(json::auditEventFromJson(json::parse(line)));
            }
        }
        QCOMPARE(back.size(), expected.size());
        bool quotedAgent = false;
        for (std::size_t i = 0; i < expected.size(); ++i) {
            AuditEvent mine = back[i];
            const AuditEvent& theirs = expected[i];
            QVERIFY(jsonOf(mine.detailsJson) == jsonOf(theirs.detailsJson));
            mine.detailsJson = theirs.detailsJson;
            QCOMPARE(mine, theirs);
            quotedAgent = quotedAgent || theirs.userAgent.contains(QLatin1Char('"'));
        }
        QVERIFY(quotedAgent); // the round trip went through RFC 4180 quoting
        // ...and through formulas defused: user agents and a key name like them.
        QCOMPARE(std::count_if(expected.begin(), expected.end(),
                               [](const AuditEvent& e) {
                                   return e.actor &&
                                          e.actor->name == QStringLiteral("=cmd|' /C calc'!A0");
                               }),
                 std::ptrdiff_t(1));
        QVERIFY(std::any_of(expected.begin(), expected.end(), [](const AuditEvent& e) {
            return e.userAgent.startsWith(QLatin1String("=HYPERLINK("));
        }));
        QCOMPARE(defused, file.endsWith(QLatin1String(".csv")));
    }

    void csvDefusesFormulas_data() {
        QTest::addColumn<QString>("value");
        QTest::addColumn<bool>("prefixed");
        QTest::newRow("equals") << QStringLiteral("=1+1") << true;
        QTest::newRow("plus") << QStringLiteral("+1") << true;
        QTest::newRow("minus") << QStringLiteral("-1+2") << true;
        QTest::newRow("at") << QStringLiteral("@SUM(A1:A9)") << true;
        QTest::newRow("tab") << QStringLiteral("\t=1") << true;
        QTest::newRow("carriage return") << QStringLiteral("\r\n=1") << true;
        QTest::newRow("quote first") << QStringLiteral("'=1") << true;
        QTest::newRow("formula with comma and quote")
            << QStringLiteral("=HYPERLINK(\"http://x\",\"y\")") << true;
        QTest::newRow("equals later") << QStringLiteral("a=b") << false;
        QTest::newRow("plain") << QStringLiteral("curl/8.0") << false;
        QTest::newRow("empty") << QString() << false;
    }
    void csvDefusesFormulas() {
        QFETCH(QString, value);
        QFETCH(bool, prefixed);
        const std::string utf8 = value.toStdString();
        audit::AuditRecord r;
        r.occurredMs = 1'736'510'400'000;
        r.statusCode = 200;
        audit::RecordStrings s;
        s.eventId = "evt_1";
        s.action = "api.request";
        s.hasActor = true;
        s.actorKeyId = "key_1";
        s.actorName = utf8;
        s.actorPrefix = "legba_Ab12Cd";
        s.userAgent = utf8;
        s.requestId = utf8;
        s.details = R"({"route":"/x"})";
        std::string out;
        AuditExporter::appendCsvRow(out, audit::RecordView(r, s));
        const QList<QStringList> rows = parseCsv(QString::fromStdString(out));
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows[0].size(), 14);
        for (const int column : {3, 11, 12}) {
            const QString cell = rows[0][column];
            QCOMPARE(cell.startsWith(QLatin1Char('\'')), prefixed);
            QVERIFY(cell.isEmpty() || !QStringLiteral("=+-@\t\r").contains(cell[0]));
            QCOMPARE(AuditExporter::csvCellValue(cell), value);
        }
        // What is not text is written as it is.
        QCOMPARE(rows[0][1], QStringLiteral("2025-01-10T12:00:00Z"));
        QCOMPARE(rows[0][9], QStringLiteral("200"));
        QCOMPARE(rows[0][13], QStringLiteral(R"({"route":"/x"})"));
    }

    void csvQuotesCommasQuotesAndLineBreaks() {
        audit::AuditRecord r;
        r.occurredMs = 1'736'510'400'000;
        r.statusCode = 401;
        const std::string agent = "multi\r\nline, \"agent\"";
        audit::RecordStrings s;
        s.eventId = "evt_1";
        s.action = "auth.failed";
        s.userAgent = agent;
        s.details = R"({"a":"b,c"})";
        std::string out;
        AuditExporter::appendCsvRow(out, audit::RecordView(r, s));
        const QList<QStringList> rows = parseCsv(QString::fromStdString(out));
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows[0].size(), 14);
        QCOMPARE(rows[0][11], QString::fromStdString(agent));
        QCOMPARE(rows[0][13], QStringLiteral(R"({"a":"b,c"})"));
        QCOMPARE(rows[0][1], QStringLiteral("2025-01-10T12:00:00Z"));
    }

    void cancellingAnExportLeavesNoFile() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("cancelled.csv"));
        pane->setCustomRange(since, until);
        QSignalSpy finished(pane, &AuditPane::exportFinished);
        QVERIFY(pane->exportTo(path));
        QVERIFY(pane->exportProgress());
        QPushButton* cancel = pane->exportProgress()->findChild<QPushButton*>();
        QVERIFY(cancel);
        cancel->click();
        QTRY_COMPARE(finished.size(), 1);
        QVERIFY(!finished[0][0].toBool());
        QTest::qWait(200);
        QVERIFY(!QFile::exists(path));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList());
    }

    void liveTailInsertsNewerEventsOnceWithoutMovingTheView() {
        pane->setPageSize(200);
        pane->setRange(AuditPane::Range::AllTime);
        QTRY_VERIFY(pane->model()->rowCount() >= 200);
        QTRY_VERIFY(!pane->isLoading());
        QTableView* view = pane->view();
        view->scrollTo(pane->model()->index(40, 0), QAbstractItemView::PositionAtTop);
        view->setCurrentIndex(pane->model()->index(45, 0));
        const QString topId =
            view->indexAt(QPoint(2, 2)).data(AuditLogModel::EventIdRole).toString();
        const QString selectedId = view->currentIndex().data(AuditLogModel::EventIdRole).toString();
        const std::size_t before = pane->model()->store().size();

        QSignalSpy inserted(pane, &AuditPane::tailInserted);
        pane->setTailInterval(200);
        pane->setLiveTail(true);
        // New activity: every authenticated request is recorded.
        for (int i = 0; i < 5; ++i) {
            auto listed = test::await<Result<InstanceList>>(
                [&](auto done) { session->client()->listInstances(this, done); });
            QVERIFY(listed && *listed);
        }
        const qint64 lastRequest = QDateTime::currentMSecsSinceEpoch();
        QTRY_VERIFY_WITH_TIMEOUT(pane->model()->newestMs() >= lastRequest - 1000 &&
                                     pane->model()->store().size() >= before + 5,
                                 15000);
        QTest::qWait(800); // a few more ticks over the same overlap: repeats must be dropped
        pane->setLiveTail(false);

        const QStringList ids = loadedIds();
        QCOMPARE(QSet<QString>(ids.begin(), ids.end()).size(), ids.size());
        QCOMPARE(std::size_t(ids.size()), pane->model()->store().size());
        QVERIFY(pane->model()->index(0, 0).data(AuditLogModel::SortRole).toLongLong() >=
                lastRequest - 1000);
        QCOMPARE(view->indexAt(QPoint(2, 2)).data(AuditLogModel::EventIdRole).toString(), topId);
        QCOMPARE(view->currentIndex().data(AuditLogModel::EventIdRole).toString(), selectedId);
    }

    // The server stamps an event when its request comes in but records reads' events in
    // batches, so an event can be recorded after one stamped later. The tail must find it
    // all the same, and once.
    void liveTailFindsEventsRecordedAfterNewerOnes() {
        auto offset = std::make_shared<std::atomic<qint64>>(0);
        server::ServerOptions options = test::TestServer::fastOptions();
        options.clock = [offset] {
            return QDateTime::currentMSecsSinceEpoch() + offset->load();
        };
        test::TestServer clocked(options);
        QVERIFY2(clocked.ok(), qPrintable(clocked.error()));
        Session own;
        Profile profile;
        profile.id = QStringLiteral("clocked");
        profile.baseUrl = clocked.baseUrl();
        profile.orgUuid = clocked.orgUuid();
        QVERIFY(!own.connectTo(profile, clocked.ownerKey()));
        QTRY_COMPARE(own.state(), Session::State::Connected);
        for (int i = 0; i < 120; ++i)
            requestAs(clocked, "earlier");

        AuditPane tailing(&own);
        QAbstractItemModelTester ownTester(tailing.model(),
                                           QAbstractItemModelTester::FailureReportingMode::QtTest);
        tailing.resize(1200, 800);
        tailing.setPageSize(10);
        tailing.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tailing));
        tailing.sessionChanged();
        tailing.setRange(AuditPane::Range::AllTime);
        QTRY_VERIFY(tailing.model()->rowCount() > 0 && !tailing.isLoading());

        QSignalSpy inserted(&tailing, &AuditPane::tailInserted);
        tailing.setTailInterval(100);
        tailing.setLiveTail(true);
        requestAs(clocked, "on time");
        QTRY_COMPARE_WITH_TIMEOUT(loadedWithAgent(tailing.model(), QStringLiteral("on time")), 1,
                                  10000);
        // Stamped 10 s before events already loaded (the tail's own reads), recorded after.
        offset->store(-10'000);
        requestAs(clocked, "stamped late");
        offset->store(0);
        QVERIFY(tailing.model()->newestMs() > QDateTime::currentMSecsSinceEpoch() - 10'000);
        QTRY_COMPARE_WITH_TIMEOUT(loadedWithAgent(tailing.model(), QStringLiteral("stamped late")),
                                  1, 10000);
        // More than a tail page of new events between two looks.
        tailing.setLiveTail(false);
        for (int i = 0; i < 25; ++i)
            requestAs(clocked, "burst");
        tailing.setLiveTail(true);
        QTRY_COMPARE_WITH_TIMEOUT(loadedWithAgent(tailing.model(), QStringLiteral("burst")), 25,
                                  10000);
        const qsizetype ticks = inserted.size();
        QTRY_VERIFY(inserted.size() >= ticks + 3); // a few more looks find nothing twice
        tailing.setLiveTail(false);
        QTRY_VERIFY(!tailing.isLoading());

        // Scrolling to the end now loads what is below the first page: together every event
        // the server has, each once, but those of the tail's last looks.
        QElapsedTimer timer;
        timer.start();
        while (!(tailing.model()->atEnd() && !tailing.model()->isFetching()) &&
               timer.elapsed() < 30'000) {
            tailing.view()->scrollToBottom();
            QTest::qWait(5);
        }
        QVERIFY(tailing.model()->atEnd());
        QStringList ids;
        for (AuditStore::Index i = 0; i < tailing.model()->store().size(); ++i)
            ids << tailing.model()->store().event(i).eventId;
        const QSet<QString> loaded(ids.begin(), ids.end());
        QCOMPARE(loaded.size(), ids.size());
        QCOMPARE(loadedWithAgent(tailing.model(), QStringLiteral("earlier")), 120);
        QCOMPARE(loadedWithAgent(tailing.model(), QStringLiteral("stamped late")), 1);

        AuditQuery query;
        query.limit = 1000;
        auto page = test::await<Result<AuditPage>>(
            [&](auto done) { own.client()->auditLog(query, this, done); });
        QVERIFY(page && *page);
        QVERIFY(page->value().nextCursor.isEmpty());
        // Newest first: what is not loaded is only on top (the reads of the log recorded
        // after the tail's last look and while paging down), never a gap below.
        bool reachedLoaded = false;
        int stillLoaded = 0;
        for (const AuditEvent& e : page->value().events) {
            if (loaded.contains(e.eventId)) {
                reachedLoaded = true;
                ++stillLoaded;
                continue;
            }
            QVERIFY2(!reachedLoaded, qPrintable(e.eventId + QStringLiteral(" was missed")));
            QCOMPARE(e.action, QStringLiteral("api.request"));
            QVERIFY2(e.detailsJson.contains("audit-log"), e.detailsJson.constData());
        }
        QCOMPARE(stillLoaded, ids.size());
    }

    void clickingABarNarrowsTheRange() {
        pane->setCustomRange(since, until);
        QTRY_VERIFY(pane->model()->rowCount() > 0);
        const qint64 start = pane->chart()->firstBucketMs() + 3 * pane->chart()->bucketMs();
        Q_EMIT pane->chart()->bucketClicked(start, start + pane->chart()->bucketMs());
        const AuditQuery query = pane->currentQuery();
        QCOMPARE(query.since.toMSecsSinceEpoch(), start);
        QCOMPARE(query.until.toMSecsSinceEpoch(), start + 86'400'000);
    }

    void copyAsCurlNamesTheQueryNotTheKey() {
        pane->setAction(QStringLiteral("auth.failed"));
        const QString curl = pane->copySelectionAsCurl();
        QVERIFY(curl.contains(QStringLiteral("/audit-log?")));
        QVERIFY(curl.contains(QStringLiteral("action=auth.failed")));
        QVERIFY(curl.contains(QStringLiteral("$LEGBA_API_TOKEN")));
        QVERIFY(!curl.contains(QString::fromLatin1(server->ownerKey().reveal())));
    }

    void aKeyWithoutAuditReadSeesWhyAndNoExport() {
        NewKeyRequest request;
        request.name = QStringLiteral("instances only");
        request.scopes = {QStringLiteral("instances:read")};
        auto issued = test::await<Result<IssuedKey>>(
            [&](auto done) { session->client()->createKey(request, this, done); });
        QVERIFY(issued && *issued);
        Session limited;
        Profile profile;
        profile.id = QStringLiteral("limited");
        profile.baseUrl = server->baseUrl();
        profile.orgUuid = server->orgUuid();
        QVERIFY(!limited.connectTo(profile, issued->value().secret));
        QTRY_COMPARE(limited.state(), Session::State::Connected);
        AuditPane other(&limited);
        other.show();
        other.sessionChanged();
        QVERIFY(other.stateText().contains(QStringLiteral("audit:read")));
        const auto buttons = other.findChildren<QPushButton*>();
        for (QPushButton* button : buttons) {
            if (button->text() == QStringLiteral("Export…"))
                QVERIFY(!button->isEnabled());
        }
        QCOMPARE(other.model()->rowCount(), 0);
    }
};

QTEST_MAIN(TestAuditPane)
#include "tst_auditpane.moc"
