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

// Days since 1970-01-01 of a proleptic Gregorian date, and back (H. Hinnant's
// days_from_civil and civil_from_days).
qint64 daysFromCivil(qint64 y, int m, int d) {
    y -= m <= 2;
    const qint64 era = (y >= 0 ? y : y - 399) / 400;
    const qint64 yoe = y - era * 400;
    const qint64 doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const qint64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void civilFromDays(qint64 days, qint64& year, qint64& month, qint64& day) {
    const qint64 z = days + 719468;
    const qint64 era = (z >= 0 ? z : z - 146096) / 146097;
    const qint64 doe = z - era * 146097;
    const qint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const qint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const qint64 mp = (5 * doy + 2) / 153;
    day = doy - (153 * mp + 2) / 5 + 1;
    month = mp < 10 ? mp + 3 : mp - 9;
    year = yoe + era * 400 + (month <= 2 ? 1 : 0);
}

// The contract's form of a time into `text` (at least 24 bytes): its length, 20 or 24; 0
// for a year outside 0..9999, which that form cannot write.
int writeContractForm(char* text, qint64 msSinceEpoch) {
    // Servers format a timestamp for every key and instance they answer with, the audit
    // export one per event; QDateTime's locale-aware toString() costs microseconds, this
    // costs nanoseconds.
    constexpr qint64 msPerDay = 86'400'000;
    qint64 days = msSinceEpoch / msPerDay;
    qint64 msOfDay = msSinceEpoch % msPerDay;
    if (msOfDay < 0) {
        msOfDay += msPerDay;
        --days;
    }
    qint64 year, month, day;
    civilFromDays(days, year, month, day);
    if (year < 0 || year > 9999)
        return 0;
    const auto put = [text](int at, qint64 value, int width) {
        for (int i = width - 1; i >= 0; --i) {
            text[at + i] = static_cast<char>('0' + value % 10);
            value /= 10;
        }
    };
    put(0, year, 4);
    text[4] = '-';
    put(5, month, 2);
    text[7] = '-';
    put(8, day, 2);
    text[10] = 'T';
    put(11, msOfDay / 3'600'000, 2);
    text[13] = ':';
    put(14, msOfDay / 60'000 % 60, 2);
    text[16] = ':';
    put(17, msOfDay / 1000 % 60, 2);
    const qint64 ms = msOfDay % 1000;
    if (ms == 0) {
        text[19] = 'Z';
        return 20;
    }
    text[19] = '.';
    put(20, ms, 3);
    text[23] = 'Z';
    return 24;
}

bool asciiDigits(std::string_view s, std::size_t from, std::size_t count, int& out) {
    int value = 0;
    for (std::size_t i = from; i < from + count; ++i) {
        const char c = s[i];
        if (c < '0' || c > '9')
            return false;
        value = value * 10 + (c - '0');
    }
    out = value;
    return true;
}

// The form our server writes, without a QDateTime: whole seconds or three digits, 'Z'.
std::optional<qint64> parseContractFormMs(std::string_view s) {
    if (s.size() != 20 && s.size() != 24)
        return std::nullopt;
    if (s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
        s.back() != 'Z')
        return std::nullopt;
    int year, month, day, hour, minute, second, msec = 0;
    if (!asciiDigits(s, 0, 4, year) || !asciiDigits(s, 5, 2, month) || !asciiDigits(s, 8, 2, day) ||
        !asciiDigits(s, 11, 2, hour) || !asciiDigits(s, 14, 2, minute) ||
        !asciiDigits(s, 17, 2, second))
        return std::nullopt;
    if (s.size() == 24 && (s[19] != '.' || !asciiDigits(s, 20, 3, msec)))
        return std::nullopt;
    // What QDate and QTime accept: no year 0, real days of the month, no leap seconds.
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (year < 1 || month < 1 || month > 12 || day < 1 ||
        day > kDays[month - 1] + (month == 2 && leap) || hour > 23 || minute > 59 || second > 59)
        return std::nullopt;
    const qint64 days = daysFromCivil(year, month, day);
    return ((days * 24 + hour) * 60 + minute) * 60'000LL + second * 1000LL + msec;
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

std::optional<QDateTime> parseAny(QStringView s) {
    // 2025-01-10T12:00:00Z, 2025-01-10t12:00:00.123456+02:00, 2025-01-10T12:00:00-05:30
    if (s.size() < 20)
        return std::nullopt;
    const auto is = [&s](qsizetype at, char c) {
        return s[at] == QLatin1Char(c);
    };
    if (!is(4, '-') || !is(7, '-') || !(is(10, 'T') || is(10, 't')) || !is(13, ':') || !is(16, ':'))
        return std::nullopt;
    int year, month, day, hour, minute, second, msec = 0;
    if (!digits(s, 0, 4, year) || !digits(s, 5, 2, month) || !digits(s, 8, 2, day) ||
        !digits(s, 11, 2, hour) || !digits(s, 14, 2, minute) || !digits(s, 17, 2, second))
        return std::nullopt;
    qsizetype at = 19;
    if (is(at, '.')) {
        const qsizetype first = ++at;
        int digit = 0;
        while (at < s.size() && digits(s, at, 1, digit)) {
            if (at - first < 3)
                msec = msec * 10 + digit;
            ++at;
        }
        if (at == first)
            return std::nullopt;
        for (qsizetype place = at - first; place < 3; ++place)
            msec *= 10;
    }
    if (at >= s.size())
        return std::nullopt;
    int offsetMinutes = 0;
    if (is(at, 'Z') || is(at, 'z')) {
        ++at;
    } else if (is(at, '+') || is(at, '-')) {
        int offsetHours, offsetMins;
        if (s.size() - at != 6 || !is(at + 3, ':') || !digits(s, at + 1, 2, offsetHours) ||
            !digits(s, at + 4, 2, offsetMins) || offsetHours > 23 || offsetMins > 59)
            return std::nullopt;
        offsetMinutes = (offsetHours * 60 + offsetMins) * (is(at, '-') ? -1 : 1);
        at += 6;
    }
    if (at != s.size())
        return std::nullopt;
    // A leap second (23:59:60) is a real RFC 3339 time that QTime cannot hold.
    if (second == 60)
        second = 59;
    const QDate date(year, month, day);
    const QTime time(hour, minute, second, msec);
    if (!date.isValid() || !time.isValid())
        return std::nullopt;
    return QDateTime(date, time, QTimeZone::utc()).addSecs(-60LL * offsetMinutes);
}

QString format(const QDateTime& time) {
    if (!time.isValid())
        return {};
    return formatMs(time.toMSecsSinceEpoch());
}

QString formatMs(qint64 msSinceEpoch) {
    char text[24];
    const int length = writeContractForm(text, msSinceEpoch);
    if (length == 0) {
        const QDateTime utc = QDateTime::fromMSecsSinceEpoch(msSinceEpoch, QTimeZone::utc());
        return utc.toString(msSinceEpoch % 1000 == 0 ? QStringLiteral("yyyy-MM-ddTHH:mm:ssZ")
                                                     : QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzzZ"));
    }
    return QString::fromLatin1(text, length);
}

std::optional<qint64> parseMs(std::string_view s) {
    if (const auto ms = parseContractFormMs(s))
        return ms;
    // Any other RFC 3339 form (offsets, other precisions) is rare: the one general parser.
    const auto time = parseAny(QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())));
    return time ? std::optional<qint64>(time->toMSecsSinceEpoch()) : std::nullopt;
}

void appendMs(std::string& out, qint64 msSinceEpoch) {
    char text[24];
    const int length = writeContractForm(text, msSinceEpoch);
    if (length == 0) {
        out.append(formatMs(msSinceEpoch).toStdString());
        return;
    }
    out.append(text, static_cast<std::size_t>(length));
}

} // namespace legba::rfc3339
