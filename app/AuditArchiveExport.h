#pragma once

#include "AuditArchive.h"
#include "AuditFormat.h"

#include <string>

namespace legba {

// Reads the events an archive query selects, newest first (the order the Audit pane shows
// them in), page by page, and appends each page to a buffer in the export format
// (app/AuditFormat). The one archive-reading path of an export: `legba-admin
// --export-audit` runs it to the end at once; the pane's export (ui/AuditExport) one page
// per turn of the event loop, so that its progress shows and Cancel is heard.
//
// The archive must outlive the reader; read on the thread that owns the archive.
class AuditArchiveExportReader {
public:
    // `query`: its filters and full-text search select the events; its limit is the page
    // size; its `before` is where the reading starts (0: from the newest).
    AuditArchiveExportReader(const AuditArchive* archive, ArchiveQuery query,
                             auditformat::Format format);

    // Appends the next page's events to `out`; returns how many. Throws ArchiveError (a
    // malformed full-text query says so here, on the first page).
    qint64 readPage(std::string& out);
    bool atEnd() const { return m_atEnd; }

private:
    const AuditArchive* m_archive; // not owned
    ArchiveQuery m_query;
    auditformat::Format m_format;
    bool m_atEnd = false;
};

} // namespace legba
