// The instances table: create with validation, the provisioning -> running life cycle,
// DELETE through terminating to gone, the access page, the quota, and isolation.

#include "Harness.h"

#include <QTest>
#include <QUuid>

using namespace legba::servertest;

class ServerInstancesTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void createAnswers201AndProvisioningTurnsRunning() {
        Harness h;
        const Reply r = h.post(h.api(QStringLiteral("/instances")), h.ownerKey,
                               Json{{"image", "windows-10"}, {"size", "large"}});
        QCOMPARE(r.status, 201);
        const Json j = r.json();
        const QString uuid = str(j, "instance_uuid");
        QVERIFY(!QUuid::fromString(uuid).isNull());
        QCOMPARE(str(j, "status"), QStringLiteral("provisioning"));
        QCOMPARE(str(j, "image"), QStringLiteral("windows-10"));
        QCOMPARE(str(j, "size"), QStringLiteral("large"));
        QVERIFY(j["created_at"].is_string());
        QVERIFY(str(j, "access_url").endsWith(uuid));
        QTRY_COMPARE_WITH_TIMEOUT(
            str(h.get(h.api(QStringLiteral("/instances/") + uuid), h.ownerKey).json(), "status"),
            QStringLiteral("running"), 5000);
    }

    void everyImageAndSizeOfTheContractIsAccepted() {
        Harness h; // nine combinations fit the default quota of ten
        for (const char* image : {"ubuntu-20.04", "windows-10", "ubuntu-22.04"}) {
            for (const char* size : {"small", "medium", "large"}) {
                const Reply r = h.post(h.api(QStringLiteral("/instances")), h.ownerKey,
                                       Json{{"image", image}, {"size", size}});
                QCOMPARE(r.status, 201);
            }
        }
    }

    void validationNamesTheField_data() {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("field");
        QTest::newRow("unknown image") << QByteArray("{\"image\":\"debian-12\",\"size\":\"small\"}")
                                       << QStringLiteral("image");
        QTest::newRow("image missing")
            << QByteArray("{\"size\":\"small\"}") << QStringLiteral("image");
        QTest::newRow("image a number")
            << QByteArray("{\"image\":12,\"size\":\"small\"}") << QStringLiteral("image");
        QTest::newRow("image null")
            << QByteArray("{\"image\":null,\"size\":\"small\"}") << QStringLiteral("image");
        QTest::newRow("unknown size")
            << QByteArray("{\"image\":\"windows-10\",\"size\":\"huge\"}") << QStringLiteral("size");
        QTest::newRow("size missing")
            << QByteArray("{\"image\":\"windows-10\"}") << QStringLiteral("size");
        QTest::newRow("size an array")
            << QByteArray("{\"image\":\"windows-10\",\"size\":[\"small\"]}")
            << QStringLiteral("size");
        QTest::newRow("size in capitals")
            << QByteArray("{\"image\":\"windows-10\",\"size\":\"SMALL\"}")
            << QStringLiteral("size");
        QTest::newRow("not json") << QByteArray("image=windows-10") << QStringLiteral("(body)");
        QTest::newRow("json string") << QByteArray("\"windows-10\"") << QStringLiteral("(body)");
        QTest::newRow("empty") << QByteArray() << QStringLiteral("(body)");
        QTest::newRow("truncated utf-8")
            << QByteArray("{\"image\":\"\xc3\",\"size\":\"small\"}") << QStringLiteral("(body)");
    }

    void validationNamesTheField() {
        QFETCH(QByteArray, body);
        QFETCH(QString, field);
        Harness h;
        const Reply r = h.call("POST", h.api(QStringLiteral("/instances")), h.ownerKey, body);
        QCOMPARE(r.status, 400);
        QCOMPARE(r.errorCode(), QStringLiteral("VALIDATION_ERROR"));
        QVERIFY2(r.errorMessage().contains(QLatin1Char('\'') + field + QLatin1Char('\'')),
                 qPrintable(r.errorMessage()));
        QCOMPARE(h.get(h.api(QStringLiteral("/instances")), h.ownerKey).json()["total"].get<int>(),
                 0);
    }

    void listShowsTheOrganizationsLiveInstances() {
        Harness h;
        QStringList created;
        for (int i = 0; i < 3; ++i)
            created << str(h.post(h.api(QStringLiteral("/instances")), h.ownerKey,
                                  Json{{"image", "ubuntu-22.04"}, {"size", "small"}})
                               .json(),
                           "instance_uuid");
        const Reply r = h.get(h.api(QStringLiteral("/instances")), h.ownerKey);
        QCOMPARE(r.status, 200);
        const Json j = r.json();
        QCOMPARE(j["total"].get<int>(), 3);
        QStringList listed;
        for (const Json& i : j["instances"])
            listed << str(i, "instance_uuid");
        QCOMPARE(listed, created);
    }

    void deletePassesThroughTerminatingAndLeavesTheList() {
        Harness h;
        const QString uuid = str(h.post(h.api(QStringLiteral("/instances")), h.ownerKey,
                                        Json{{"image", "ubuntu-20.04"}, {"size", "medium"}})
                                     .json(),
                                 "instance_uuid");
        const Reply d = h.del(h.api(QStringLiteral("/instances/") + uuid), h.ownerKey);
        QCOMPARE(d.status, 204);
        QVERIFY(d.body.isEmpty());
        const Reply during = h.get(h.api(QStringLiteral("/instances/") + uuid), h.ownerKey);
        QCOMPARE(str(during.json(), "status"), QStringLiteral("terminating"));
        QCOMPARE(h.get(h.api(QStringLiteral("/instances")), h.ownerKey).json()["total"].get<int>(),
                 1);
        QTRY_COMPARE_WITH_TIMEOUT(
            h.get(h.api(QStringLiteral("/instances/") + uuid), h.ownerKey).status, 404, 5000);
        QCOMPARE(h.get(h.api(QStringLiteral("/instances")), h.ownerKey).json()["total"].get<int>(),
                 0);
        const Reply again = h.del(h.api(QStringLiteral("/instances/") + uuid), h.ownerKey);
        QCOMPARE(again.status, 404);
        QCOMPARE(again.errorCode(), QStringLiteral("NOT_FOUND"));
    }

    void unknownInstanceIs404() {
        Harness h;
        for (const QString& id : {QUuid::createUuid().toString(QUuid::WithoutBraces),
                                  QStringLiteral("not-a-uuid"), QStringLiteral("%2e%2e")}) {
            QCOMPARE(h.get(h.api(QStringLiteral("/instances/") + id), h.ownerKey).status, 404);
            QCOMPARE(h.del(h.api(QStringLiteral("/instances/") + id), h.ownerKey).status, 404);
        }
    }

    void quotaOfLiveInstancesIs409() {
        legba::server::ServerOptions options = Harness::fastOptions();
        options.instanceQuota = 3;
        Harness h(options);
        QStringList ids;
        for (int i = 0; i < 3; ++i) {
            const Reply r = h.post(h.api(QStringLiteral("/instances")), h.ownerKey,
                                   Json{{"image", "ubuntu-22.04"}, {"size", "small"}});
            QCOMPARE(r.status, 201);
            ids << str(r.json(), "instance_uuid");
        }
        const Reply over = h.post(h.api(QStringLiteral("/instances")), h.ownerKey,
                                  Json{{"image", "ubuntu-22.04"}, {"size", "small"}});
        QCOMPARE(over.status, 409);
        QCOMPARE(over.errorCode(), QStringLiteral("CONFLICT"));
        QVERIFY(over.errorMessage().contains(QStringLiteral("3")));
        // Destroying one makes room.
        QCOMPARE(h.del(h.api(QStringLiteral("/instances/") + ids.front()), h.ownerKey).status, 204);
        QCOMPARE(h.post(h.api(QStringLiteral("/instances")), h.ownerKey,
                        Json{{"image", "ubuntu-22.04"}, {"size", "small"}})
                     .status,
                 201);
    }

    void defaultQuotaIsTen() {
        Harness h;
        for (int i = 0; i < 10; ++i)
            QCOMPARE(h.post(h.api(QStringLiteral("/instances")), h.ownerKey,
                            Json{{"image", "ubuntu-22.04"}, {"size", "small"}})
                         .status,
                     201);
        QCOMPARE(h.post(h.api(QStringLiteral("/instances")), h.ownerKey,
                        Json{{"image", "ubuntu-22.04"}, {"size", "small"}})
                     .status,
                 409);
    }

    void accessUrlServesAPageForTheInstance() {
        Harness h;
        const Json j = h.post(h.api(QStringLiteral("/instances")), h.ownerKey,
                              Json{{"image", "ubuntu-22.04"}, {"size", "small"}})
                           .json();
        const QUrl url(str(j, "access_url"));
        QCOMPARE(url.port(), h.base.port());
        const Reply page = h.send("GET", url.path(), {});
        QCOMPARE(page.status, 200);
        QVERIFY(page.header("Content-Type").startsWith("text/html"));
        QVERIFY(page.body.contains(str(j, "instance_uuid").toUtf8()));
        QVERIFY(page.body.contains("ubuntu-22.04"));
        QVERIFY(!page.header("X-Request-Id").isEmpty());
        QCOMPARE(h.send("GET",
                        QStringLiteral("/sandbox/instances/") +
                            QUuid::createUuid().toString(QUuid::WithoutBraces),
                        {})
                     .status,
                 404);
    }

    void organizationsCannotSeeEachOthersInstances() {
        Harness h;
        const auto other = h.server().createOrganization(QStringLiteral("Other"));
        QVERIFY(other);
        const QByteArray theirKey = other->key.reveal();
        const QString uuid = str(h.post(h.api(QStringLiteral("/instances")), h.ownerKey,
                                        Json{{"image", "ubuntu-22.04"}, {"size", "small"}})
                                     .json(),
                                 "instance_uuid");
        QCOMPARE(h.get(h.api(QStringLiteral("/instances"), other->orgUuid), theirKey)
                     .json()["total"]
                     .get<int>(),
                 0);
        QCOMPARE(
            h.get(h.api(QStringLiteral("/instances/") + uuid, other->orgUuid), theirKey).status,
            404);
        QCOMPARE(
            h.del(h.api(QStringLiteral("/instances/") + uuid, other->orgUuid), theirKey).status,
            404);
        QCOMPARE(
            str(h.get(h.api(QStringLiteral("/instances/") + uuid), h.ownerKey).json(), "status")
                .isEmpty(),
            false);
    }
};

QTEST_MAIN(ServerInstancesTest)
#include "tst_server_instances.moc"
