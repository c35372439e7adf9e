#pragma once

#include "AuditRecords.h"

#include <QByteArray>
#include <QString>
#include <string>
#include <string_view>

namespace legba::auditformat {

// The one definition of an exported audit log's format, written by the Audit pane's export
// (ui/AuditExport) and by `legba-admin --export-audit` (app/ExportAuditCommand) alike.
//
// JSON Lines: one event a line, the contract's shape (audit::RecordView::appendJson).
// CSV: RFC 4180 (CRLF line ends; fields with a comma, quote, CR or LF quoted, quotes
// doubled), a header line, then one row an event in the columns of csvHeader().
enum class Format { Csv, JsonLines };

// .jsonl and .ndjson are JSON Lines; anything else is CSV.
Format formatForPath(const QString& path);

QByteArray csvHeader();
// A text cell. Besides RFC 4180 quoting, one that begins with = + - @ tab or CR (which a
// spreadsheet would run as a formula: OWASP "CSV injection") or with ' gets a ' in front,
// so that it shows as text. Every text column is written so, not only those a caller
// controls (user agent, key name, target, details): one rule to undo, and a hostile
// server's ids are no safer. Reading back: drop one leading ' from any text cell that has
// one. Time, outcome and status code never begin with those.
void appendCsvField(std::string& out, std::string_view field);
// The cell's value from what appendCsvField wrote (once unquoted): the inverse.
QString csvCellValue(const QString& cell);
void appendCsvRow(std::string& out, const audit::RecordView& event);
void appendJsonLine(std::string& out, const audit::RecordView& event);
// One event in `format`: a CSV row or a JSON line.
void append(std::string& out, Format format, const audit::RecordView& event);

} // namespace legba::auditformat
