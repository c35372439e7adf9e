// A whole session with canary keys: connect to the in-process sandbox, generate a key,
// copy it, rotate it, revoke it, rotate the app's own key. Afterwards no canary may be in
// any log line, any file under the (temporary) HOME — settings, the sandbox's data, caches
// — or on the clipboard once the clear delay has passed.
#include "ConnectionManager.h"
#include "CredentialStore.h"
#include "KeyRotation.h"
#include "SandboxHost.h"
#include "SecretClipboard.h"
#include "Session.h"
#include "Wait.h"

#include <QApplication>
#include <QClipboard>
#include <QLoggingCategory>
#include <QSettings>
#include <QStandardPaths>
#include <QTest>

using namespace legba;

namespace {
QStringList g_log;
void capture(QtMsgType, const QMessageLogContext& context, const QString& message) {
    g_log << QString::fromLatin1(context.category ? context.category : "") + QLatin1Char(' ') +
                 message;
}
} // namespace

class TestNoSecretLeaks : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        QVERIFY2(qEnvironmentVariableIsSet("LEGBA_TEST_HOME"),
                 "run through scripts/test: it gives this test a temporary HOME to search");
        QCoreApplication::setOrganizationName(QStringLiteral("LegbaLeakTest"));
        QCoreApplication::setApplicationName(QStringLiteral("Legba Admin"));
        QLoggingCategory::setFilterRules(QStringLiteral("*.debug=true"));
        qInstallMessageHandler(capture);
    }

    void wholeSession_leavesNoCanaryAnywhere() {
        QList<QByteArray> canaries;
        QSettings settings;
        ProfileStore profiles(&settings);
        CredentialStore credentials(QStringLiteral("legba-admin-leaktest"));
        Session session;
        const QString dataDir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
                                QStringLiteral("/sandbox");
        SandboxHost sandbox(dataDir, &profiles, &credentials);
        ConnectionManager connections(&session, &profiles, &credentials, &sandbox);

        // Connect: the sandbox's owner key is canary one.
        connections.activateSandbox();
        QTRY_COMPARE_WITH_TIMEOUT(session.state(), Session::State::Connected, 15000);
        auto owner = test::await<CredentialStore::Outcome>([&](auto done) {
            credentials.read(profiles.sandboxProfile()->credentialAccount(), this, done);
        });
        QVERIFY(owner && owner->ok());
        canaries << owner->key.reveal();

        // Generate, copy, rotate, revoke.
        LegbaClient* client = session.client();
        auto created = test::await<Result<IssuedKey>>([&](auto done) {
            client->createKey({QStringLiteral("canary"), {QStringLiteral("instances:read")}, {}},
                              this, done);
        });
        QVERIFY(created && created->ok());
        canaries << created->value().secret.reveal();
        {
            SecretClipboard clipboard;
            clipboard.setClearDelay(std::chrono::milliseconds(300));
            clipboard.copy(created->value().secret);
            QCOMPARE(QApplication::clipboard()->text().toLatin1(),
                     created->value().secret.reveal());
            QTRY_VERIFY_WITH_TIMEOUT(!clipboard.isHolding(), 5000);
        }
        auto rotated = test::await<Result<IssuedKey>>(
            [&](auto done) { client->rotateKey(created->value().record.keyId, 0, this, done); });
        QVERIFY(rotated && rotated->ok());
        canaries << rotated->value().secret.reveal();
        auto revoked = test::await<Result<Done>>(
            [&](auto done) { client->revokeKey(rotated->value().record.keyId, this, done); });
        QVERIFY(revoked && revoked->ok());

        // Rotate the app's own key: the new one goes to the keychain, and is a canary too.
        KeyRotation rotation(&connections);
        auto outcome = test::await<KeyRotation::Outcome>([&](auto done) {
            const auto refused = rotation.start(0, done);
            QVERIFY2(!refused, qPrintable(refused.value_or(QString())));
        });
        QVERIFY(outcome);
        QVERIFY2(outcome->verified, qPrintable(outcome->message));
        canaries << outcome->issued.secret.reveal();
        QTRY_COMPARE_WITH_TIMEOUT(session.state(), Session::State::Connected, 10000);

        settings.sync();
        QVERIFY(!g_log.isEmpty()); // the session did log: the search below means something
        const QString home = QDir::homePath();
        for (const QByteArray& canary : std::as_const(canaries)) {
            QVERIFY(!canary.isEmpty());
            for (const QString& line : std::as_const(g_log))
                QVERIFY2(!line.contains(QString::fromLatin1(canary)),
                         qPrintable(QStringLiteral("log: ") + line));
            // Also its body without the legba_ tag, in case something trimmed it.
            for (const QByteArray& needle : {canary, canary.mid(6)}) {
                const QStringList hits = test::filesContaining(home, needle);
                QVERIFY2(hits.isEmpty(), qPrintable(hits.join(QLatin1Char(','))));
            }
            QVERIFY(!QApplication::clipboard()->text().contains(QString::fromLatin1(canary)));
        }
        QVERIFY(QFileInfo::exists(dataDir)); // the sandbox data was searched
        QVERIFY(QFileInfo::exists(settings.fileName()));
    }
};

QTEST_MAIN(TestNoSecretLeaks)
#include "tst_nosecretleaks.moc"
