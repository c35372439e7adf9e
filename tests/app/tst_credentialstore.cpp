// The real keychain, in the private D-Bus session that scripts/test starts.
#include "CredentialStore.h"
#include "KeyFormat.h"
#include "Wait.h"

#include <QStandardPaths>
#include <QTest>

using namespace legba;
using Outcome = CredentialStore::Outcome;

class TestCredentialStore : public QObject {
    Q_OBJECT

private:
    CredentialStore m_store{QStringLiteral("legba-admin-test")};

    Outcome read(const QString& account) {
        auto result = test::await<Outcome>([&](auto done) { m_store.read(account, this, done); });
        return result.value_or(
            Outcome{CredentialStore::Status::Unavailable, QStringLiteral("timeout"), {}});
    }
    Outcome write(const QString& account, const Secret& key) {
        auto result =
            test::await<Outcome>([&](auto done) { m_store.write(account, key, this, done); });
        return result.value_or(
            Outcome{CredentialStore::Status::Unavailable, QStringLiteral("timeout"), {}});
    }
    Outcome remove(const QString& account) {
        auto result = test::await<Outcome>([&](auto done) { m_store.remove(account, this, done); });
        return result.value_or(
            Outcome{CredentialStore::Status::Unavailable, QStringLiteral("timeout"), {}});
    }

private Q_SLOTS:
    void roundTrip_writeReadDeleteWriteRead() {
        const QString account = QStringLiteral("profile/round-trip");
        const Secret first(keyformat::generate());
        const Secret second(keyformat::generate());

        Outcome outcome = write(account, first);
        QVERIFY2(outcome.ok(), qPrintable(outcome.message));
        outcome = read(account);
        QVERIFY2(outcome.ok(), qPrintable(outcome.message));
        QCOMPARE(outcome.key, first);

        QVERIFY(remove(account).ok());
        QCOMPARE(read(account).status, CredentialStore::Status::NotFound);

        QVERIFY(write(account, second).ok());
        outcome = read(account);
        QVERIFY(outcome.ok());
        QCOMPARE(outcome.key, second);
        QVERIFY(remove(account).ok());
    }

    void entriesOfTwoProfiles_areSeparate() {
        const Secret a(keyformat::generate());
        const Secret b(keyformat::generate());
        QVERIFY(write(QStringLiteral("profile/a"), a).ok());
        QVERIFY(write(QStringLiteral("profile/b"), b).ok());
        QCOMPARE(read(QStringLiteral("profile/a")).key, a);
        QCOMPARE(read(QStringLiteral("profile/b")).key, b);
        QVERIFY(remove(QStringLiteral("profile/a")).ok());
        QCOMPARE(read(QStringLiteral("profile/a")).status, CredentialStore::Status::NotFound);
        QCOMPARE(read(QStringLiteral("profile/b")).key, b);
        QVERIFY(remove(QStringLiteral("profile/b")).ok());
    }

    void savedKey_isInNoFileUnderHome() {
        const Secret key(keyformat::generate());
        QVERIFY(write(QStringLiteral("profile/files"), key).ok());
        QCOMPARE(read(QStringLiteral("profile/files")).key, key);
        const QString home = QDir::homePath();
        QVERIFY2(home.startsWith(QDir::tempPath()) || qEnvironmentVariableIsSet("LEGBA_TEST_HOME"),
                 "run this test through scripts/test, with a temporary HOME");
        const QStringList hits = test::filesContaining(home, key.reveal());
        QVERIFY2(hits.isEmpty(), qPrintable(hits.join(QLatin1Char(','))));
        QVERIFY(remove(QStringLiteral("profile/files")).ok());
    }

    void sessionOnlyKey_isReadFromMemoryAndNeverWritten() {
        const QString account = QStringLiteral("profile/session-only");
        const Secret key(keyformat::generate());
        m_store.keepForSession(account, key);
        QVERIFY(m_store.isSessionOnly(account));
        QCOMPARE(read(account).key, key);
        QVERIFY(test::filesContaining(QDir::homePath(), key.reveal()).isEmpty());
        m_store.forgetSessionKey(account);
        QCOMPARE(read(account).status, CredentialStore::Status::NotFound);
    }

    void removingAnAbsentEntry_succeeds() {
        QVERIFY(remove(QStringLiteral("profile/never-written")).ok());
    }
};

QTEST_GUILESS_MAIN(TestCredentialStore)
#include "tst_credentialstore.moc"
