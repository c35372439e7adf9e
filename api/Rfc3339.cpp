#include "Rfc3339.h"

#include <QTimeZone>

namespace legba::rfc3339 {

namespace {

bool digits(QStringView s, qsizetype from, qsizetype count, int& out) {
    int value = 0;
    for (qsizetype i = from; i < from + count; ++i) {
        const QChar c = s[i];
        if (c < QLatin1Char('0') || c > QLatin1Char('9'))
            return false;
        value = value * 10 + (c.unicode() - '0');
    }
    out = value;
    return true;
}

} // namespace

std::optional<QDateTime> parse(QStringView s) {
    // 2025-01-10T12:00:00Z or 2025-01-10T12:00:00.123Z
    if (s.size() != 20 && s.size() != 24)
        return std::nullopt;
    if (s[4] != QLatin1Char('-') || s[7] != QLatin1Char('-') || s[10] != QLatin1Char('T') ||
        s[13] != QLatin1Char(':') || s[16] != QLatin1Char(':') || s.back() != QLatin1Char('Z'))
        return std::nullopt;
    int year, month, day, hour, minute, second, msec = 0;
    if (!digits(s, 0, 4, year) || !digits(s, 5, 2, month) || !digits(s, 8, 2, day) ||
        !digits(s, 11, 2, hour) || !digits(s, 14, 2, minute) || !digits(s, 17, 2, second))
        return std::nullopt;
    if (s.size() == 24) {
        if (s[19] != QLatin1Char('.') || !digits(s, 20, 3, msec))
            return std::nullopt;
    }
    const QDate date(year, month, day);
    const QTime time(hour, minute, second, msec);
    if (!date.isValid() || !time.isValid())
        return std::nullopt;
    return QDateTime(date, time, QTimeZone::utc());
}

QString format(const QDateTime& time) {
    const QDateTime utc = time.toUTC();
    return utc.toString(utc.time().msec() == 0 ? QStringLiteral("yyyy-MM-ddTHH:mm:ssZ")
                                               : QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzzZ"));
}

} // namespace legba::rfc3339
