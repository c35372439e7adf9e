// The in-process sandbox as the app hosts it: first use creates the organization and puts
// its key in the (real) keychain; the next run finds both; a forgotten key is replaced by
// a new one for the same organization, so the sandbox's data is never lost.
#include "CredentialStore.h"
#include "SandboxHost.h"
#include "Wait.h"

#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace legba;
using Outcome = std::variant<SandboxHost::Started, SandboxHost::Failed>;

class TestSandboxHost : public QObject {
    Q_OBJECT

private:
    Outcome startHost(SandboxHost& host) {
        auto result = test::await<Outcome>([&](auto done) { host.start(this, done); });
        if (!result)
            return SandboxHost::Failed{QStringLiteral("timed out")};
        return std::move(*result);
    }

private Q_SLOTS:
    void firstRunCreates_nextRunReuses_forgottenKeyIsReissued() {
        QTemporaryDir dir;
        QSettings settings(dir.filePath(QStringLiteral("s.ini")), QSettings::IniFormat);
        ProfileStore profiles(&settings);
        CredentialStore credentials(QStringLiteral("legba-admin-test"));
        const QString data = dir.filePath(QStringLiteral("sandbox"));

        QString orgUuid;
        Secret firstKey;
        {
            SandboxHost host(data, &profiles, &credentials);
            Outcome outcome = startHost(host);
            auto* started = std::get_if<SandboxHost::Started>(&outcome);
            const QString why =
                started ? QString() : std::get<SandboxHost::Failed>(outcome).message;
            QVERIFY2(started, qPrintable(why));
            QVERIFY(started->warning.isEmpty());
            QVERIFY(started->profile.isSandbox());
            QCOMPARE(started->profile.baseUrl.host(), QStringLiteral("127.0.0.1"));
            orgUuid = started->profile.orgUuid;
            firstKey = started->key;
            QVERIFY(host.isRunning());
        }
        {
            SandboxHost host(data, &profiles, &credentials);
            Outcome outcome = startHost(host);
            auto* started = std::get_if<SandboxHost::Started>(&outcome);
            QVERIFY(started);
            QCOMPARE(started->profile.orgUuid, orgUuid);
            QCOMPARE(started->key, firstKey);
            QCOMPARE(profiles.profiles().size(), 1);
        }
        {
            auto removed = test::await<CredentialStore::Outcome>([&](auto done) {
                credentials.remove(profiles.sandboxProfile()->credentialAccount(), this, done);
            });
            QVERIFY(removed && removed->ok());
            SandboxHost host(data, &profiles, &credentials);
            Outcome outcome = startHost(host);
            auto* started = std::get_if<SandboxHost::Started>(&outcome);
            QVERIFY(started);
            QCOMPARE(started->profile.orgUuid, orgUuid); // same organization, same data
            QVERIFY(!(started->key == firstKey));
            auto stored = test::await<CredentialStore::Outcome>([&](auto done) {
                credentials.read(started->profile.credentialAccount(), this, done);
            });
            QVERIFY(stored && stored->ok());
            QCOMPARE(stored->key, started->key);
            credentials.remove(started->profile.credentialAccount(), this,
                               [](CredentialStore::Outcome) {});
        }
    }

    void unwritableDataDir_failsWithAReason() {
        QTemporaryDir dir;
        QSettings settings(dir.filePath(QStringLiteral("s.ini")), QSettings::IniFormat);
        ProfileStore profiles(&settings);
        CredentialStore credentials(QStringLiteral("legba-admin-test"));
        QFile blocker(dir.filePath(QStringLiteral("file")));
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        // A data dir below a regular file cannot be created.
        SandboxHost host(dir.filePath(QStringLiteral("file/sandbox")), &profiles, &credentials);
        Outcome outcome = startHost(host);
        auto* failed = std::get_if<SandboxHost::Failed>(&outcome);
        QVERIFY(failed);
        QVERIFY(failed->message.contains(QStringLiteral("file/sandbox")));
    }
};

QTEST_GUILESS_MAIN(TestSandboxHost)
#include "tst_sandboxhost.moc"
