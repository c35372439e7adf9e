#pragma once

#include <QDateTime>
#include <QString>

namespace legba::timeformat {

// "just now", "5 min ago", "3 h ago", "in 3 days"; empty for an invalid time.
QString relative(const QDateTime& time, const QDateTime& now);
// Exact local time for tooltips: "2025-01-10 13:00:00 CET".
QString exactLocal(const QDateTime& time);
// "2 h 5 min", "3 days 4 h": a duration for an uptime column.
QString duration(qint64 seconds);

} // namespace legba::timeformat
