#pragma once

#include "AuditArchiveExport.h"
#include "AuditFormat.h"
#include "AuditHistory.h"
#include "AuditPageLoader.h"
#include "LegbaClient.h"

#include <QFutureWatcher>
#include <QObject>
#include <QPointer>
#include <QSaveFile>
#include <memory>

namespace legba {

// Writes the whole filtered audit log (every page through the cursor, not just what is
// loaded) to a file, streamed: a page is read through AuditPageLoader (parsed off the UI
// thread), formatted off the UI thread too, then appended. The file appears only when every
// page is written (QSaveFile); cancelling or an error leaves no file, not even half of one.
//
// From the local archive (the pane reading it), the events the archive query selects (the
// pane's filters and full-text search) are read page by page through
// AuditArchiveExportReader, the path `legba-admin --export-audit` writes with, one page a
// turn of the event loop. A query the archive refuses (malformed full-text syntax) is
// refused by start(), before any file is made.
class AuditExporter : public QObject {
    Q_OBJECT

public:
    using Format = auditformat::Format;

    // `loader` reads the pages (owned from now on). `needle`: the text search the table
    // applies, applied to every page as well.
    AuditExporter(std::unique_ptr<AuditPageLoader> loader, AuditQuery query, QString needle,
                  Format format, QString path, QObject* parent = nullptr);
    // From `history`'s open archive (not owned); it fails when the archive closes meanwhile.
    // `query.limit`: the events read a turn (the pane's page size).
    AuditExporter(AuditHistory* history, ArchiveQuery query, Format format, QString path,
                  QObject* parent = nullptr);
    ~AuditExporter() override;

    // Opens the file and asks for the first page; false (with *error) if it cannot.
    bool start(QString* error);
    void cancel();
    bool isRunning() const { return m_running; }
    qint64 written() const { return m_written; }
    const QString& path() const { return m_path; }

    // The format is app/AuditFormat's (shared with `legba-admin --export-audit`).
    static Format formatForPath(const QString& path) { return auditformat::formatForPath(path); }
    static QByteArray csvHeader() { return auditformat::csvHeader(); }
    static QString csvCellValue(const QString& cell) { return auditformat::csvCellValue(cell); }
    static void appendCsvRow(std::string& out, const audit::RecordView& event) {
        auditformat::appendCsvRow(out, event);
    }

Q_SIGNALS:
    void progress(qint64 eventsWritten);
    // ok: the file is complete and in place. Otherwise `message` says why there is none.
    void finished(bool ok, const QString& message);

private:
    struct Chunk {
        QByteArray bytes;
        qint64 events = 0;
        qint64 unreadable = 0; // events the page had that could not be read
        QString nextCursor;
    };

    void requestPage(const QString& cursor);
    void readArchivePage();
    void onPage(const AuditPageLoader::Page& page);
    void onPageFailed(const ApiError& error);
    void onChunk();
    void fail(const QString& message);
    QString cannotWrite(const QString& why) const;

    AuditPageLoader* m_loader = nullptr;     // owned (child); null when reading the archive
    QPointer<AuditHistory> m_history;        // not owned; null when reading the server
    const AuditArchive* m_archive = nullptr; // the one open when the export started
    std::unique_ptr<AuditArchiveExportReader> m_reader;
    AuditQuery m_query;
    QString m_needle;
    Format m_format;
    QString m_path;
    std::unique_ptr<QSaveFile> m_file;
    QFutureWatcher<Chunk>* m_watcher = nullptr;
    Chunk m_pending; // the archive's page read, to be written
    qint64 m_written = 0;
    qint64 m_unreadable = 0;
    bool m_running = false;
};

} // namespace legba
