#include <QTest>

class ClientSandboxTest : public QObject {
    Q_OBJECT
};

QTEST_GUILESS_MAIN(ClientSandboxTest)
#include "tst_client_sandbox.moc"
