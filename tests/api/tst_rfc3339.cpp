#include "Rfc3339.h"

#include <QTest>
#include <QTimeZone>
#include <vector>

using namespace legba;

namespace {
QDateTime utc(int y, int mo, int d, int h, int mi, int s, int ms = 0) {
    return QDateTime(QDate(y, mo, d), QTime(h, mi, s, ms), QTimeZone::utc());
}
} // namespace

class Rfc3339Test : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parse_acceptsTheContractsForms_data();
    void parse_acceptsTheContractsForms();
    void parse_rejectsEverythingElse_data();
    void parse_rejectsEverythingElse();
    void format_writesUtcWithZ_data();
    void format_writesUtcWithZ();
    void format_ofInvalidTimeIsEmpty();
    void roundTrip_parseOfFormatIsIdentity();
    void formatMs_agreesWithQDateTimeEverywhere();
};

void Rfc3339Test::parse_acceptsTheContractsForms_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QDateTime>("expected");
    QTest::newRow("whole seconds")
        << QStringLiteral("2025-01-10T12:00:00Z") << utc(2025, 1, 10, 12, 0, 0);
    QTest::newRow("milliseconds") << QStringLiteral("2025-01-10T12:00:00.123Z")
                                  << utc(2025, 1, 10, 12, 0, 0, 123);
    QTest::newRow("zero milliseconds")
        << QStringLiteral("2025-01-10T12:00:00.000Z") << utc(2025, 1, 10, 12, 0, 0);
    QTest::newRow("leap day") << QStringLiteral("2024-02-29T23:59:59.999Z")
                              << utc(2024, 2, 29, 23, 59, 59, 999);
    QTest::newRow("year one") << QStringLiteral("0001-01-01T00:00:00Z") << utc(1, 1, 1, 0, 0, 0);
    QTest::newRow("year 9999") << QStringLiteral("9999-12-31T23:59:59Z")
                               << utc(9999, 12, 31, 23, 59, 59);
}

void Rfc3339Test::parse_acceptsTheContractsForms() {
    QFETCH(QString, text);
    QFETCH(QDateTime, expected);
    const auto parsed = rfc3339::parse(text);
    QVERIFY(parsed);
    QCOMPARE(*parsed, expected);
    QCOMPARE(parsed->offsetFromUtc(), 0);
}

void Rfc3339Test::parse_rejectsEverythingElse_data() {
    QTest::addColumn<QString>("text");
    QTest::newRow("empty") << QString();
    QTest::newRow("date only") << QStringLiteral("2025-01-10");
    QTest::newRow("no Z") << QStringLiteral("2025-01-10T12:00:00");
    QTest::newRow("lowercase z") << QStringLiteral("2025-01-10T12:00:00z");
    QTest::newRow("lowercase t") << QStringLiteral("2025-01-10t12:00:00Z");
    QTest::newRow("space separator") << QStringLiteral("2025-01-10 12:00:00Z");
    QTest::newRow("offset") << QStringLiteral("2025-01-10T12:00:00+00:00");
    QTest::newRow("offset and millis") << QStringLiteral("2025-01-10T12:00:00.123+01:00");
    QTest::newRow("one fraction digit") << QStringLiteral("2025-01-10T12:00:00.1Z");
    QTest::newRow("two fraction digits") << QStringLiteral("2025-01-10T12:00:00.12Z");
    QTest::newRow("four fraction digits") << QStringLiteral("2025-01-10T12:00:00.1234Z");
    QTest::newRow("six fraction digits") << QStringLiteral("2025-01-10T12:00:00.123456Z");
    QTest::newRow("comma fraction") << QStringLiteral("2025-01-10T12:00:00,123Z");
    QTest::newRow("no minutes separator") << QStringLiteral("2025-01-10T1200:00Z");
    QTest::newRow("single digit month") << QStringLiteral("2025-1-10T12:00:00Z");
    QTest::newRow("month 13") << QStringLiteral("2025-13-10T12:00:00Z");
    QTest::newRow("month 0") << QStringLiteral("2025-00-10T12:00:00Z");
    QTest::newRow("February 30") << QStringLiteral("2025-02-30T12:00:00Z");
    QTest::newRow("February 29 of a common year") << QStringLiteral("2023-02-29T12:00:00Z");
    QTest::newRow("hour 24") << QStringLiteral("2025-01-10T24:00:00Z");
    QTest::newRow("minute 60") << QStringLiteral("2025-01-10T12:60:00Z");
    QTest::newRow("leap second") << QStringLiteral("2016-12-31T23:59:60Z");
    QTest::newRow("year zero") << QStringLiteral("0000-01-01T00:00:00Z");
    QTest::newRow("negative year") << QStringLiteral("-001-01-01T00:00:00Z");
    QTest::newRow("sign in a field") << QStringLiteral("2025-+1-10T12:00:00Z");
    QTest::newRow("leading space") << QStringLiteral(" 2025-01-10T12:00:00Z");
    QTest::newRow("trailing space") << QStringLiteral("2025-01-10T12:00:00Z ");
    QTest::newRow("fullwidth digits")
        << (QString(4, QChar(0xFF12)) + QStringLiteral("-01-10T12:00:00Z"));
    QTest::newRow("Arabic-Indic digits")
        << (QStringLiteral("2025-01-10T12:00:0") + QChar(0x0663) + QLatin1Char('Z'));
    QTest::newRow("epoch number") << QStringLiteral("1736510400");
}

void Rfc3339Test::parse_rejectsEverythingElse() {
    QFETCH(QString, text);
    QVERIFY(!rfc3339::parse(text));
}

void Rfc3339Test::format_writesUtcWithZ_data() {
    QTest::addColumn<QDateTime>("time");
    QTest::addColumn<QString>("expected");
    QTest::newRow("whole seconds")
        << utc(2025, 1, 10, 12, 0, 0) << QStringLiteral("2025-01-10T12:00:00Z");
    QTest::newRow("milliseconds") << utc(2025, 1, 10, 12, 0, 0, 7)
                                  << QStringLiteral("2025-01-10T12:00:00.007Z");
    QTest::newRow("offset converted to UTC")
        << QDateTime(QDate(2025, 1, 10), QTime(14, 30, 0), QTimeZone(2 * 3600))
        << QStringLiteral("2025-01-10T12:30:00Z");
    QTest::newRow("offset crossing midnight")
        << QDateTime(QDate(2025, 1, 1), QTime(0, 30, 0, 500), QTimeZone(3600))
        << QStringLiteral("2024-12-31T23:30:00.500Z");
}

void Rfc3339Test::format_writesUtcWithZ() {
    QFETCH(QDateTime, time);
    QFETCH(QString, expected);
    QCOMPARE(rfc3339::format(time), expected);
}

void Rfc3339Test::format_ofInvalidTimeIsEmpty() {
    QVERIFY(rfc3339::format(QDateTime()).isEmpty());
}

void Rfc3339Test::roundTrip_parseOfFormatIsIdentity() {
    const QDateTime start = utc(1999, 12, 31, 23, 59, 59, 1);
    for (qint64 step = 0; step < 2000; ++step) {
        // About 78 years in uneven steps, with many millisecond remainders.
        const QDateTime t = start.addMSecs(step * 1'234'567'891LL + step);
        const QString text = rfc3339::format(t);
        const auto back = rfc3339::parse(text);
        QVERIFY2(back, qPrintable(text));
        QCOMPARE(*back, t);
    }
}

QTEST_GUILESS_MAIN(Rfc3339Test)
#include "tst_rfc3339.moc"

void Rfc3339Test::formatMs_agreesWithQDateTimeEverywhere() {
    // The hand-written calendar arithmetic against Qt's, over edges and a spread of days:
    // negative times, leap days, century years, the last millisecond of a day and of 9999.
    std::vector<qint64> samples = {0,
                                   -1,
                                   -86'400'000,
                                   951'782'400'000,     // 2000-02-29
                                   4'107'542'399'999,   // 2100-02-28T23:59:59.999
                                   253'402'300'799'999, // 9999-12-31T23:59:59.999
                                   -62'135'596'800'000, // 0001-01-01
                                   1'764'387'600'123};
    for (qint64 ms = -62'000'000'000'000; ms < 253'000'000'000'000; ms += 7'777'777'777'777)
        samples.push_back(ms);
    for (qint64 day = 10'950; day < 11'400; ++day) // 1999-12-25 .. 2001-03-18, every day
        samples.push_back(day * 86'400'000 + (day % 1000) * 1'234);
    for (const qint64 ms : samples) {
        const QDateTime time = QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc());
        const QString expected =
            time.toString(time.time().msec() == 0 ? QStringLiteral("yyyy-MM-ddTHH:mm:ssZ")
                                                  : QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzzZ"));
        QCOMPARE(rfc3339::formatMs(ms), expected);
        QCOMPARE(rfc3339::parse(rfc3339::formatMs(ms)), time);
    }
}
