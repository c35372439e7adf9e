#include "TimeFormat.h"

#include <QCoreApplication>
#include <QLocale>

namespace legba::timeformat {

namespace {
QString tr(const char* text, int n = -1) {
    return QCoreApplication::translate("TimeFormat", text, nullptr, n);
}

// English plurals without a loaded translation (tr's %n leaves "(s)" in place then).
QString plural(qint64 n, const char* one, const char* many) {
    return QCoreApplication::translate("TimeFormat", n == 1 ? one : many).arg(n);
}

QString span(qint64 seconds) {
    if (seconds < 60)
        return tr("%n s", static_cast<int>(seconds));
    if (seconds < 3600)
        return tr("%n min", static_cast<int>(seconds / 60));
    if (seconds < 86400)
        return tr("%n h", static_cast<int>(seconds / 3600));
    if (seconds < 86400 * 60)
        return plural(seconds / 86400, "%1 day", "%1 days");
    if (seconds < 86400 * 730)
        return plural(seconds / (86400 * 30), "%1 month", "%1 months");
    return plural(seconds / (86400 * 365), "%1 year", "%1 years");
}
} // namespace

QString relative(const QDateTime& time, const QDateTime& now) {
    if (!time.isValid())
        return {};
    const qint64 delta = now.secsTo(time);
    if (delta > -45 && delta < 45)
        return delta <= 0 ? tr("just now") : tr("in a moment");
    if (delta < 0)
        return tr("%1 ago").arg(span(-delta));
    return tr("in %1").arg(span(delta));
}

QString exactLocal(const QDateTime& time) {
    if (!time.isValid())
        return {};
    const QDateTime local = time.toLocalTime();
    return local.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss ")) + local.timeZoneAbbreviation();
}

QString duration(qint64 seconds) {
    if (seconds < 0)
        seconds = 0;
    if (seconds < 60)
        return tr("%1 s").arg(seconds);
    if (seconds < 3600)
        return tr("%1 min").arg(seconds / 60);
    if (seconds < 86400)
        return tr("%1 h %2 min").arg(seconds / 3600).arg((seconds % 3600) / 60);
    return tr("%1 d %2 h").arg(seconds / 86400).arg((seconds % 86400) / 3600);
}

} // namespace legba::timeformat
