#pragma once

#include <QDateTime>
#include <QString>
#include <optional>
#include <string>
#include <string_view>

namespace legba::rfc3339 {

// The contract's timestamps: UTC with a 'Z', whole seconds or exactly three fractional
// digits. Anything else (offsets, other precisions, lowercase) is rejected.
std::optional<QDateTime> parse(QStringView s);
// Any RFC 3339 date-time (section 5.6): any number of fractional digits (milliseconds
// kept), a 'Z' or a numeric offset, 't' and 'z' in either case, a leap second read as
// :59. What the client accepts from a server whose docs promise only "RFC 3339"; the
// result is in UTC.
std::optional<QDateTime> parseAny(QStringView s);
QString format(const QDateTime& time);
QString formatMs(qint64 msSinceEpoch);

// The same in UTF-8 and milliseconds since the epoch, for the audit log's reader and writers
// (a page of a million events must not become a million QDateTimes). parseMs accepts
// exactly what parseAny accepts, the contract's own form on a fast path; appendMs writes
// what formatMs writes.
std::optional<qint64> parseMs(std::string_view s);
void appendMs(std::string& out, qint64 msSinceEpoch);

} // namespace legba::rfc3339
