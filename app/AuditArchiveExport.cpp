#include "AuditArchiveExport.h"

#include <utility>

namespace legba {

AuditArchiveExportReader::AuditArchiveExportReader(const AuditArchive* archive, ArchiveQuery query,
                                                   auditformat::Format format)
    : m_archive(archive)
    , m_query(std::move(query))
    , m_format(format) {}

qint64 AuditArchiveExportReader::readPage(std::string& out) {
    if (m_atEnd)
        return 0;
    const ArchivePage page = m_archive->read(m_query);
    for (std::size_t i = 0; i < page.batch.records.size(); ++i)
        auditformat::append(out, m_format, page.batch.view(i));
    m_atEnd = page.next == 0;
    m_query.before = page.next;
    return static_cast<qint64>(page.batch.records.size());
}

} // namespace legba
