// Authentication's lookups by digest: an unknown key is remembered as unknown, so that it
// costs what a revoked key costs (no query after the first), a key created after its digest
// was remembered as unknown works at once, and the memory of unknown digests is bounded.
//
// The Api is driven directly, without the audit writer's thread: that thread's commits come
// from another connection and (correctly) drop every cache, which would make the count of
// queries depend on when it runs. Its events are written here by flush(), on our connection.

#include "Admin.h"
#include "Api.h"
#include "CachedStore.h"
#include "Database.h"
#include "KeyFormat.h"
#include "Store.h"

#include <QTemporaryDir>
#include <QTest>

using namespace legba;
using namespace legba::server;

namespace {

constexpr qint64 kNow = 1'700'000'000'000;

struct Fixture {
    QTemporaryDir dir;
    Database db;
    std::unique_ptr<Store> store;
    std::unique_ptr<Api> api;
    CreatedOrganization org;

    Fixture() {
        db.open(dir.filePath(QStringLiteral("legba.sqlite3")));
        store = std::make_unique<Store>(db);
        org = admin::createOrganization(*store, QStringLiteral("Org"), kNow);
        ServerOptions options;
        options.clock = [] {
            return kNow;
        };
        options.failedAuthPerMinute = 0; // counting queries, not refusals
        api = std::make_unique<Api>(*store, options);
    }

    int get(const QByteArray& token) {
        HttpRequest request;
        request.method = "GET";
        request.path = "/orgs/" + org.orgUuid.toLatin1() + "/api/key";
        request.clientAddress = QStringLiteral("127.0.0.1");
        if (!token.isNull())
            request.headers.emplace_back("authorization", "Bearer " + token);
        const int status = api->handle(request).status;
        api->flush();
        return status;
    }

    // A key row of the organization stored under `digest`, as `legba-server keys create`
    // or the API would store it.
    void insertKey(const QByteArray& digest, qint64 revokedAt = 0) {
        KeyRow row;
        row.keyId = keyformat::generateKeyId();
        row.orgUuid = org.orgUuid;
        row.name = QStringLiteral("Late key");
        row.prefix = QStringLiteral("lk_test");
        row.scopes = QStringList{QStringLiteral("keys:read")};
        row.createdAt = kNow - 1000;
        api->exclusive([&] {
            Transaction tx(db);
            store->insertKey(row, digest);
            if (revokedAt)
                store->setRevoked(row.keyId, revokedAt);
            tx.commit();
        });
    }
};

} // namespace

class KeyCacheTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void unknownKey_isLookedUpOnce_likeAKnownOne() {
        Fixture f;
        const QByteArray unknown = keyformat::generate();
        QCOMPARE(f.get(unknown), 401);
        const quint64 afterFirst = f.store->digestLookups();
        QCOMPARE(f.get(unknown), 401);
        QCOMPARE(f.get(unknown), 401);
        QCOMPARE(f.store->digestLookups(), afterFirst);
    }

    void everyKindOfRefusal_costsTheSameLookups_data() {
        QTest::addColumn<QByteArray>("kind");
        QTest::newRow("unknown") << QByteArray("unknown");
        QTest::newRow("revoked") << QByteArray("revoked");
        QTest::newRow("malformed") << QByteArray("malformed");
        QTest::newRow("missing") << QByteArray("missing");
    }
    void everyKindOfRefusal_costsTheSameLookups() {
        QFETCH(QByteArray, kind);
        Fixture f;
        QByteArray token = keyformat::generate();
        if (kind == "revoked")
            f.insertKey(keyformat::digest(token), kNow - 10);
        else if (kind == "malformed")
            token = "not-a-key";
        else if (kind == "missing")
            token = QByteArray();
        const quint64 before = f.store->digestLookups();
        QCOMPARE(f.get(token), 401);
        QCOMPARE(f.store->digestLookups(), before + 1); // the first time: one query
        QCOMPARE(f.get(token), 401);
        QCOMPARE(f.get(token), 401);
        QCOMPARE(f.store->digestLookups(), before + 1); // then none
    }

    void keyCreatedAfterItsDigestWasCachedAsUnknown_authenticatesAtOnce() {
        Fixture f;
        const QByteArray token = keyformat::generate();
        QCOMPARE(f.get(token), 401);
        QCOMPARE(f.get(token), 401); // now answered from the cache of unknown digests
        f.insertKey(keyformat::digest(token));
        QCOMPARE(f.get(token), 200);
    }

    void keyCreatedByAnotherConnection_authenticatesAtOnce() {
        Fixture f;
        const QByteArray token = keyformat::generate();
        QCOMPARE(f.get(token), 401);
        QCOMPARE(f.get(token), 401);
        // As `legba-server keys create` would, from another process.
        Database other;
        other.open(f.dir.filePath(QStringLiteral("legba.sqlite3")));
        Store otherStore(other);
        KeyRow row;
        row.keyId = keyformat::generateKeyId();
        row.orgUuid = f.org.orgUuid;
        row.name = QStringLiteral("From the CLI");
        row.prefix = QStringLiteral("lk_cli");
        row.scopes = QStringList{QStringLiteral("keys:read")};
        row.createdAt = kNow - 1000;
        {
            Transaction tx(other);
            otherStore.insertKey(row, keyformat::digest(token));
            tx.commit();
        }
        QCOMPARE(f.get(token), 200);
    }

    void manyDistinctUnknownKeys_keepTheCacheBounded() {
        QTemporaryDir dir;
        Database db;
        db.open(dir.filePath(QStringLiteral("legba.sqlite3")));
        Store store(db);
        CachedStore cache(store);
        const qsizetype n = CachedStore::kMaxUnknownDigests * 3;
        QByteArray last;
        for (qsizetype i = 0; i < n; ++i) {
            last = keyformat::digest(QByteArray::number(i));
            QVERIFY(!cache.keyByDigest(last));
            QVERIFY(cache.unknownDigestCount() <= CachedStore::kMaxUnknownDigests);
        }
        QCOMPARE(cache.unknownDigestCount(), CachedStore::kMaxUnknownDigests);
        // The newest are kept; the oldest went first.
        const quint64 lookups = store.digestLookups();
        QVERIFY(!cache.keyByDigest(last));
        QCOMPARE(store.digestLookups(), lookups);
        QVERIFY(!cache.keyByDigest(keyformat::digest(QByteArray::number(0))));
        QCOMPARE(store.digestLookups(), lookups + 1);
    }
};

QTEST_GUILESS_MAIN(KeyCacheTest)
#include "tst_server_keycache.moc"
