// LEGBA_API_TOKEN is read once and then gone: not in the environment children inherit, and
// not in /proc/PID/environ, which shows the original environment block after unsetenv().
#include <QProcess>
#include <QProcessEnvironment>
#include <QTest>

class TestEnvironmentProfile : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void token_isWipedFromTheOriginalEnvironmentBlock() {
        const QByteArray token = "legba_sk_EnvironCanary0123456789abcdef";
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("LEGBA_BASE_URL"), QStringLiteral("http://127.0.0.1:9"));
        env.insert(QStringLiteral("LEGBA_ORG_UUID"),
                   QStringLiteral("123e4567-e89b-12d3-a456-426614174000"));
        env.insert(QStringLiteral("LEGBA_API_TOKEN"), QString::fromLatin1(token));
        QProcess child;
        child.setProcessEnvironment(env);
        child.start(QStringLiteral(LEGBA_ENVIRON_CHILD), {});
        QVERIFY(child.waitForFinished(30000));
        const QByteArray said = child.readAllStandardOutput().trimmed();
        QCOMPARE(said, QByteArray("clean"));
        QCOMPARE(child.exitCode(), 0);
    }
};

QTEST_GUILESS_MAIN(TestEnvironmentProfile)
#include "tst_environmentprofile.moc"
