#include "AuditFormat.h"

#include "Rfc3339.h"

#include <charconv>

namespace legba::auditformat {

namespace {

// The CSV columns, in order: each one's name in the header and its cell from the event.
// JSON Lines writes the contract's shape (audit::RecordView::appendJson), the same members.
struct CsvColumn {
    std::string_view name;
    void (*append)(std::string& out, const audit::RecordView& event);
};

void text(std::string& out, std::string_view value) {
    appendCsvField(out, value);
}

constexpr CsvColumn kCsvColumns[] = {
    {"event_id",
     [](std::string& out, const audit::RecordView& e) {
         text(out, e.strings().eventId);
     }},
    {"occurred_at",
     [](std::string& out, const audit::RecordView& e) {
         rfc3339::appendMs(out, e.record().occurredMs);
     }},
    {"actor_key_id",
     [](std::string& out, const audit::RecordView& e) {
         text(out, e.strings().hasActor ? e.strings().actorKeyId : std::string_view());
     }},
    {"actor_name",
     [](std::string& out, const audit::RecordView& e) {
         text(out, e.strings().hasActor ? e.strings().actorName : std::string_view());
     }},
    {"actor_prefix",
     [](std::string& out, const audit::RecordView& e) {
         text(out, e.strings().hasActor ? e.strings().actorPrefix : std::string_view());
     }},
    {"action",
     [](std::string& out, const audit::RecordView& e) {
         text(out, e.strings().action);
     }},
    {"target_type",
     [](std::string& out, const audit::RecordView& e) {
         text(out, e.record().hasTarget() ? e.strings().targetType : std::string_view());
     }},
    {"target_id",
     [](std::string& out, const audit::RecordView& e) {
         text(out, e.record().hasTarget() ? e.strings().targetId : std::string_view());
     }},
    {"outcome",
     [](std::string& out, const audit::RecordView& e) {
         text(out, e.outcome());
     }},
    {"status_code",
     [](std::string& out, const audit::RecordView& e) {
         char number[8];
         const auto end = std::to_chars(number, number + sizeof number, e.record().statusCode).ptr;
         out.append(number, static_cast<std::size_t>(end - number));
     }},
    {"ip",
     [](std::string& out, const audit::RecordView& e) {
         text(out, e.strings().ip);
     }},
    {"user_agent",
     [](std::string& out, const audit::RecordView& e) {
         text(out, e.strings().userAgent);
     }},
    {"request_id",
     [](std::string& out, const audit::RecordView& e) {
         text(out, e.strings().requestId);
     }},
    {"details",
     [](std::string& out, const audit::RecordView& e) {
         text(out, e.strings().details.empty() ? std::string_view("{}") : e.strings().details);
     }},
};

} // namespace

Format formatForPath(const QString& path) {
    return path.endsWith(QLatin1String(".jsonl"), Qt::CaseInsensitive) ||
                   path.endsWith(QLatin1String(".ndjson"), Qt::CaseInsensitive)
               ? Format::JsonLines
               : Format::Csv;
}

QByteArray csvHeader() {
    QByteArray header;
    for (const CsvColumn& column : kCsvColumns) {
        if (!header.isEmpty())
            header += ',';
        header.append(column.name.data(), static_cast<qsizetype>(column.name.size()));
    }
    return header + "\r\n";
}

void appendCsvField(std::string& out, std::string_view field) {
    const bool defused = !field.empty() && std::string_view("=+-@\t\r'").find(field.front()) !=
                                               std::string_view::npos;
    if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
        if (defused)
            out.push_back('\'');
        out.append(field);
        return;
    }
    out.push_back('"');
    if (defused)
        out.push_back('\'');
    for (const char c : field) {
        if (c == '"')
            out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
}

QString csvCellValue(const QString& cell) {
    return cell.startsWith(QLatin1Char('\'')) ? cell.mid(1) : cell;
}

void appendCsvRow(std::string& out, const audit::RecordView& event) {
    bool first = true;
    for (const CsvColumn& column : kCsvColumns) {
        if (!first)
            out.push_back(',');
        first = false;
        column.append(out, event);
    }
    out.append("\r\n");
}

void appendJsonLine(std::string& out, const audit::RecordView& event) {
    event.appendJson(out);
    out.push_back('\n');
}

void append(std::string& out, Format format, const audit::RecordView& event) {
    if (format == Format::Csv)
        appendCsvRow(out, event);
    else
        appendJsonLine(out, event);
}

} // namespace legba::auditformat
