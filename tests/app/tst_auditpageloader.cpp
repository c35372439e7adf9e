// The one audit page loader, without widgets: against the real sandbox server (seeded with
// `seed-demo`) it reads every page through the cursor once, signals only the newest of
// loads that supersede each other and nothing after cancel(); against a hostile server, a
// body that is not an audit page is a Parse failure naming the field, and an event that
// cannot be read costs only itself.
#include "AuditPageLoader.h"
#include "Cli.h"
#include "HostileServer.h"
#include "TestServer.h"

#include <QSet>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

using namespace legba;

namespace {

constexpr int kEvents = 250;
constexpr int kWait = 15000;

AuditQuery page(int limit, const QString& cursor = {}) {
    AuditQuery query;
    query.limit = limit;
    query.cursor = cursor;
    return query;
}

} // namespace

class TestAuditPageLoader : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<test::TestServer> m_server;
    std::unique_ptr<LegbaClient> m_client;

    static AuditPageLoader::Page pageOf(const QSignalSpy& spy, qsizetype i) {
        return spy[i][1].value<AuditPageLoader::Page>();
    }

private Q_SLOTS:
    void initTestCase() {
        m_server = std::make_unique<test::TestServer>();
        QVERIFY2(m_server->ok(), qPrintable(m_server->error()));
        std::FILE* null = std::fopen("/dev/null", "w");
        const int seeded =
            server::runCli({QStringLiteral("seed-demo"), QStringLiteral("--data-dir"),
                            m_server->dataDir(), QStringLiteral("--org"), m_server->orgUuid(),
                            QStringLiteral("--events"), QString::number(kEvents)},
                           null, null);
        std::fclose(null);
        QCOMPARE(seeded, 0);
        m_client = std::make_unique<LegbaClient>();
        QVERIFY(!m_client->setEndpoint(m_server->endpoint()));
        m_client->setKey(m_server->ownerKey());
    }

    void pagesThroughTheCursor_readsEveryEventOnce() {
        AuditPageLoader loader(m_client.get());
        QSignalSpy loaded(&loader, &AuditPageLoader::pageLoaded);
        QSignalSpy failed(&loader, &AuditPageLoader::failed);
        QSet<QString> ids;
        int pages = 0;
        QString cursor;
        do {
            loader.load(page(100, cursor));
            QVERIFY(loader.isLoading());
            QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), pages + 1, kWait);
            QVERIFY(!loader.isLoading());
            QCOMPARE(loaded[pages][0].value<AuditQuery>().cursor, cursor);
            const AuditPageLoader::Page batch = pageOf(loaded, pages);
            QVERIFY(batch);
            QVERIFY(batch->records.size() <= 100);
            QVERIFY(batch->unreadable.empty());
            for (std::size_t i = 0; i < batch->records.size(); ++i)
                ids.insert(QString::fromUtf8(batch->uniqueOf(batch->records[i]).eventId));
            cursor = batch->nextCursor;
            ++pages;
        } while (!cursor.isEmpty() && pages < 100);
        QVERIFY(cursor.isEmpty());
        QCOMPARE(failed.size(), 0);
        // seed-demo's events and the ones the sandbox recorded of this test's reads.
        QVERIFY2(ids.size() >= kEvents, qPrintable(QString::number(ids.size())));
        QVERIFY(pages >= 3);
    }

    void aNewLoadSupersedesTheOneInFlight() {
        AuditPageLoader loader(m_client.get());
        QSignalSpy loaded(&loader, &AuditPageLoader::pageLoaded);
        loader.load(page(5));
        loader.load(page(7));
        QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), 1, kWait);
        // A later load's answer comes after anything the first could have sent.
        loader.load(page(9));
        QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), 2, kWait);
        QCOMPARE(loaded[0][0].value<AuditQuery>().limit, 7);
        QCOMPARE(pageOf(loaded, 0)->records.size(), std::size_t(7));
        QCOMPARE(loaded[1][0].value<AuditQuery>().limit, 9);
        QCOMPARE(loaded.size(), 2);
    }

    void cancelledLoadSignalsNothing() {
        AuditPageLoader loader(m_client.get());
        QSignalSpy loaded(&loader, &AuditPageLoader::pageLoaded);
        QSignalSpy failed(&loader, &AuditPageLoader::failed);
        loader.load(page(5));
        loader.cancel();
        QVERIFY(!loader.isLoading());
        loader.load(page(3));
        QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), 1, kWait);
        QCOMPARE(loaded[0][0].value<AuditQuery>().limit, 3);
        QCOMPARE(failed.size(), 0);
    }

    void anHttpErrorIsAFailure() {
        AuditPageLoader loader(m_client.get());
        QSignalSpy loaded(&loader, &AuditPageLoader::pageLoaded);
        QSignalSpy failed(&loader, &AuditPageLoader::failed);
        loader.load(page(10, QStringLiteral("not-a-cursor")));
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, kWait);
        const auto error = failed[0][1].value<ApiError>();
        QVERIFY(error.kind == ApiError::Kind::Http);
        QCOMPARE(error.httpStatus, 400);
        QCOMPARE(failed[0][0].value<AuditQuery>().cursor, QStringLiteral("not-a-cursor"));
        QVERIFY(!loader.isLoading());
        QCOMPARE(loaded.size(), 0);
    }

    void aBodyThatIsNotAnAuditPage_isAParseFailureNamingTheField() {
        test::HostileServer hostile;
        QVERIFY(hostile.listen());
        hostile.setHandler([](QTcpSocket* socket, const test::RawRequest&) {
            test::HostileServer::answer(socket, 200, R"({"events": 5, "next_cursor": null})",
                                        {{"Content-Type", "application/json"}});
        });
        LegbaClient client;
        QVERIFY(!client.setEndpoint(Endpoint{hostile.baseUrl(), m_server->orgUuid()}));
        client.setKey(m_server->ownerKey());
        AuditPageLoader loader(&client);
        QSignalSpy failed(&loader, &AuditPageLoader::failed);
        loader.load(page(10));
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, kWait);
        const auto error = failed[0][1].value<ApiError>();
        QVERIFY(error.kind == ApiError::Kind::Parse);
        QCOMPARE(error.route, QStringLiteral("GET /audit-log"));
        QCOMPARE(error.field, QStringLiteral("events"));
        QVERIFY2(error.message.startsWith(QStringLiteral("field 'events' ")),
                 qPrintable(error.message));
    }

    void anUnreadableEventCostsOnlyItself() {
        // One real event, as the sandbox writes it, beside one this client cannot read.
        AuditPageLoader real(m_client.get());
        QSignalSpy realLoaded(&real, &AuditPageLoader::pageLoaded);
        real.load(page(1));
        QTRY_COMPARE_WITH_TIMEOUT(realLoaded.size(), 1, kWait);
        std::string event;
        pageOf(realLoaded, 0)->view(std::size_t(0)).appendJson(event);
        const QByteArray body = QByteArray(R"({"events": [)") + QByteArray::fromStdString(event) +
                                R"(, {"event_id": "evt_broken"}], "next_cursor": "c2"})";

        test::HostileServer hostile;
        QVERIFY(hostile.listen());
        hostile.setHandler([body](QTcpSocket* socket, const test::RawRequest&) {
            test::HostileServer::answer(socket, 200, body, {{"Content-Type", "application/json"}});
        });
        LegbaClient client;
        QVERIFY(!client.setEndpoint(Endpoint{hostile.baseUrl(), m_server->orgUuid()}));
        client.setKey(m_server->ownerKey());
        AuditPageLoader loader(&client);
        QSignalSpy loaded(&loader, &AuditPageLoader::pageLoaded);
        loader.load(page(10));
        QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), 1, kWait);
        const AuditPageLoader::Page batch = pageOf(loaded, 0);
        QCOMPARE(batch->records.size(), std::size_t(1));
        QCOMPARE(batch->unreadable.size(), std::size_t(1));
        QCOMPARE(batch->nextCursor, QStringLiteral("c2"));
        std::string again;
        batch->view(std::size_t(0)).appendJson(again);
        QCOMPARE(again, event);
    }
};

QTEST_GUILESS_MAIN(TestAuditPageLoader)
#include "tst_auditpageloader.moc"
