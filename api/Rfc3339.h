#pragma once

#include <QDateTime>
#include <QString>
#include <optional>

namespace legba::rfc3339 {

// The contract's timestamps: UTC with a 'Z', whole seconds or exactly three fractional
// digits. Anything else (offsets, other precisions, lowercase) is rejected.
std::optional<QDateTime> parse(QStringView s);
QString format(const QDateTime& time);
QString formatMs(qint64 msSinceEpoch);

} // namespace legba::rfc3339
