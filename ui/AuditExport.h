#pragma once

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
// thread), formatted off the UI thread too, then appended. The file appears only when every page is
// written (QSaveFile); cancelling or an error leaves no file, not even half of one.
class AuditExporter : public QObject {
    Q_OBJECT

public:
    enum class Format { Csv, JsonLines };

    // `loader` reads the pages (owned from now on). `needle`: the text search the table
    // applies, applied to every page as well.
    AuditExporter(std::unique_ptr<AuditPageLoader> loader, AuditQuery query, QString needle,
                  Format format, QString path, QObject* parent = nullptr);
    ~AuditExporter() override;

    // Opens the file and asks for the first page; false (with *error) if it cannot.
    bool start(QString* error);
    void cancel();
    bool isRunning() const { return m_running; }
    qint64 written() const { return m_written; }
    const QString& path() const { return m_path; }

    static Format formatForPath(const QString& path);
    // RFC 4180: CRLF line ends; fields with a comma, quote, CR or LF quoted, quotes doubled.
    static QByteArray csvHeader();
    // A text cell. Besides RFC 4180 quoting, one that begins with = + - @ tab or CR (which a
    // spreadsheet would run as a formula: OWASP "CSV injection") or with ' gets a ' in
    // front, so that it shows as text. Every text column is written so, not only those a
    // caller controls (user agent, key name, target, details): one rule to undo, and a
    // hostile server's ids are no safer. Reading back: drop one leading ' from any text
    // cell that has one. Time, outcome and status code never begin with those.
    static void appendCsvField(std::string& out, std::string_view field);
    // The cell's value from what appendCsvField wrote (once unquoted): the inverse.
    static QString csvCellValue(const QString& cell);
    static void appendCsvRow(std::string& out, const audit::RecordView& event);

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
    void onPage(const AuditPageLoader::Page& page);
    void onPageFailed(const ApiError& error);
    void onChunk();
    void fail(const QString& message);
    QString cannotWrite(const QString& why) const;

    AuditPageLoader* m_loader; // owned (child)
    AuditQuery m_query;
    QString m_needle;
    Format m_format;
    QString m_path;
    std::unique_ptr<QSaveFile> m_file;
    QFutureWatcher<Chunk>* m_watcher;
    qint64 m_written = 0;
    qint64 m_unreadable = 0;
    bool m_running = false;
};

} // namespace legba
