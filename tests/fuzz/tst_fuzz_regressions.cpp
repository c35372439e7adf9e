// Every seed and every input the fuzzers ever crashed on, through the same entry points,
// in the ordinary test run: a crash found once stays fixed.
#include "FuzzTargets.h"

#include <QDir>
#include <QFile>
#include <QTest>

class FuzzRegressionsTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void everyTargetHasSeeds();
    void input_keepsItsInvariants_data();
    void input_keepsItsInvariants();
};

namespace {
const QString kFuzzDir = QStringLiteral(LEGBA_FUZZ_DIR);

QFileInfoList inputsOf(const QString& kind, const char* target) {
    return QDir(kFuzzDir + QLatin1Char('/') + kind + QLatin1Char('/') + QLatin1String(target))
        .entryInfoList(QDir::Files, QDir::Name);
}
} // namespace

void FuzzRegressionsTest::everyTargetHasSeeds() {
    for (const auto& target : legba::fuzz::targets())
        QVERIFY2(!inputsOf(QStringLiteral("corpus"), target.name).isEmpty(), target.name);
}

void FuzzRegressionsTest::input_keepsItsInvariants_data() {
    QTest::addColumn<QString>("target");
    QTest::addColumn<QString>("path");
    for (const auto& target : legba::fuzz::targets()) {
        for (const char* kind : {"corpus", "regressions"}) {
            for (const QFileInfo& file : inputsOf(QLatin1String(kind), target.name)) {
                const QByteArray row =
                    QByteArray(target.name) + '/' + kind + '/' + file.fileName().toUtf8();
                QTest::newRow(row.constData())
                    << QString::fromLatin1(target.name) << file.absoluteFilePath();
            }
        }
    }
}

void FuzzRegressionsTest::input_keepsItsInvariants() {
    QFETCH(QString, target);
    QFETCH(QString, path);
    QFile file(path);
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(path));
    const QByteArray input = file.readAll();
    const auto* entry = legba::fuzz::findTarget(target.toStdString());
    QVERIFY(entry);
    try {
        const auto violation = entry->run(input);
        QVERIFY2(!violation, violation.value_or(std::string()).c_str());
    } catch (const std::exception& error) {
        QFAIL(error.what());
    }
}

QTEST_GUILESS_MAIN(FuzzRegressionsTest)
#include "tst_fuzz_regressions.moc"
