#include "AuditExport.h"

#include "AuditFormat.h"
#include "AuditStore.h"
#include "Logging.h"

#include <QLocale>
#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>

namespace legba {

namespace {

constexpr int kExportPageSize = 1000;

} // namespace

AuditExporter::AuditExporter(std::unique_ptr<AuditPageLoader> loader, AuditQuery query,
                             QString needle, Format format, QString path, QObject* parent)
    : QObject(parent)
    , m_loader(loader.release())
    , m_query(std::move(query))
    , m_needle(std::move(needle))
    , m_format(format)
    , m_path(std::move(path))
    , m_watcher(new QFutureWatcher<Chunk>(this)) {
    m_query.limit = kExportPageSize;
    m_query.cursor.clear();
    m_loader->setParent(this);
    connect(m_watcher, &QFutureWatcher<Chunk>::finished, this, &AuditExporter::onChunk);
    connect(m_loader, &AuditPageLoader::pageLoaded, this,
            [this](const AuditQuery&, const AuditPageLoader::Page& page) { onPage(page); });
    connect(m_loader, &AuditPageLoader::failed, this,
            [this](const AuditQuery&, const ApiError& error) { onPageFailed(error); });
}

AuditExporter::AuditExporter(AuditHistory* history, ArchiveQuery query, Format format, QString path,
                             QObject* parent)
    : QObject(parent)
    , m_history(history)
    , m_format(format)
    , m_path(std::move(path))
    , m_watcher(new QFutureWatcher<Chunk>(this)) {
    if (query.limit <= 0)
        query.limit = kExportPageSize;
    query.before = 0;
    m_archive = history ? history->archive() : nullptr;
    if (m_archive)
        m_reader = std::make_unique<AuditArchiveExportReader>(m_archive, std::move(query), format);
}

AuditExporter::~AuditExporter() {
    if (m_loader)
        m_loader->cancel();
    // A worker still formatting holds no reference to us; wait so it ends before we do.
    m_watcher->waitForFinished();
}

bool AuditExporter::start(QString* error) {
    std::string first;
    qint64 firstEvents = 0;
    if (!m_loader) {
        // The archive's answer to the query comes before any file: a query it refuses leaves
        // nothing behind.
        if (!m_reader) {
            if (error)
                *error = tr("The audit log kept on this computer is not open.");
            return false;
        }
        if (m_format == Format::Csv)
            first = csvHeader().toStdString();
        try {
            firstEvents = m_reader->readPage(first);
        } catch (const ArchiveError& e) {
            if (error)
                *error = tr("The archive could not be searched for this: %1")
                             .arg(QString::fromUtf8(e.what()));
            return false;
        }
    }
    m_file = std::make_unique<QSaveFile>(m_path);
    if (!m_file->open(QIODevice::WriteOnly)) {
        if (error)
            *error = tr("Cannot write %1: %2").arg(m_path, m_file->errorString());
        m_file.reset();
        return false;
    }
    m_running = true;
    m_written = 0;
    m_unreadable = 0;
    if (!m_loader) {
        // The first page goes out as any other: through onChunk, from the event loop.
        Chunk chunk;
        chunk.bytes = QByteArray(first.data(), static_cast<qsizetype>(first.size()));
        chunk.events = firstEvents;
        m_pending = std::move(chunk);
        QMetaObject::invokeMethod(this, &AuditExporter::onChunk, Qt::QueuedConnection);
        return true;
    }
    if (m_format == Format::Csv)
        m_file->write(csvHeader());
    requestPage({});
    return true;
}

void AuditExporter::cancel() {
    if (!m_running)
        return;
    m_running = false;
    if (m_loader)
        m_loader->cancel();
    if (m_file) {
        m_file->cancelWriting();
        m_file.reset(); // never committed: the target is untouched
    }
    Q_EMIT finished(false, tr("Export cancelled; no file was written."));
}

void AuditExporter::fail(const QString& message) {
    if (!m_running)
        return;
    m_running = false;
    if (m_file) {
        m_file->cancelWriting();
        m_file.reset();
    }
    qCWarning(lcUi).noquote() << "audit export failed:" << message;
    Q_EMIT finished(false, message);
}

QString AuditExporter::cannotWrite(const QString& why) const {
    return tr("Export stopped after %1 events: cannot write %2: %3. No file was written.")
        .arg(QLocale().toString(m_written), m_path, why);
}

void AuditExporter::requestPage(const QString& cursor) {
    AuditQuery query = m_query;
    query.cursor = cursor;
    m_loader->load(query);
}

void AuditExporter::readArchivePage() {
    if (!m_running)
        return;
    if (!m_history || m_history->archive() != m_archive) {
        fail(tr("Export stopped after %1 events: the audit log kept on this computer was "
                "closed. No file was written.")
                 .arg(QLocale().toString(m_written)));
        return;
    }
    std::string out;
    Chunk chunk;
    try {
        chunk.events = m_reader->readPage(out);
    } catch (const ArchiveError& e) {
        fail(tr("Export stopped after %1 events: the archive could not be read (%2). No file "
                "was written.")
                 .arg(QLocale().toString(m_written), QString::fromUtf8(e.what())));
        return;
    }
    chunk.bytes = QByteArray(out.data(), static_cast<qsizetype>(out.size()));
    m_pending = std::move(chunk);
    onChunk();
}

void AuditExporter::onPageFailed(const ApiError& error) {
    if (!m_running)
        return;
    if (error.kind == ApiError::Kind::Parse) {
        fail(tr("Export stopped after %1 events: the server's answer was malformed (%2). No "
                "file was written.")
                 .arg(QLocale().toString(m_written), error.message));
        return;
    }
    QString why = error.summary();
    if (why.endsWith(QLatin1Char('.')))
        why.chop(1);
    if (!error.requestId.isEmpty())
        why = tr("%1, request id %2").arg(why, error.requestId);
    fail(tr("Export stopped after %1 events: %2. No file was written.")
             .arg(QLocale().toString(m_written), why));
}

void AuditExporter::onPage(const AuditPageLoader::Page& page) {
    if (!m_running)
        return;
    m_watcher->setFuture(QtConcurrent::run([page, format = m_format, needle = m_needle]() {
        // The loader left room past the unique bytes for the matcher's 16-byte reads.
        Chunk chunk;
        AuditTextMatcher matcher(needle);
        matcher.update(page->strings, page->actors);
        std::string out;
        out.reserve(page->unique.size() + page->records.size() * 160);
        for (const audit::AuditRecord& r : page->records) {
            if (!matcher.matches(r, page->unique.data() + r.uniqueOffset))
                continue;
            const audit::RecordView event = page->view(r);
            auditformat::append(out, format, event);
            ++chunk.events;
        }
        chunk.bytes = QByteArray(out.data(), static_cast<qsizetype>(out.size()));
        chunk.nextCursor = page->nextCursor;
        chunk.unreadable = static_cast<qint64>(page->unreadable.size());
        return chunk;
    }));
}

void AuditExporter::onChunk() {
    if (!m_running)
        return;
    const Chunk chunk = m_loader ? m_watcher->result() : std::move(m_pending);
    const qint64 wrote = m_file->write(chunk.bytes);
    if (wrote != chunk.bytes.size()) {
        // A short write sets no error of its own: say what happened rather than "Unknown".
        const QString why = m_file->error() != QFileDevice::NoError
                                ? m_file->errorString()
                                : tr("only %1 of %2 bytes could be written (is the disk full?)")
                                      .arg(std::max<qint64>(wrote, 0))
                                      .arg(chunk.bytes.size());
        fail(cannotWrite(why));
        return;
    }
    m_written += chunk.events;
    m_unreadable += chunk.unreadable;
    Q_EMIT progress(m_written);
    if (!m_loader && !m_reader->atEnd()) {
        // One page a turn: the progress shows and a Cancel is heard between pages.
        QMetaObject::invokeMethod(this, &AuditExporter::readArchivePage, Qt::QueuedConnection);
        return;
    }
    if (!chunk.nextCursor.isEmpty()) {
        requestPage(chunk.nextCursor);
        return;
    }
    if (!m_file->commit()) {
        fail(cannotWrite(m_file->errorString()));
        return;
    }
    m_file.reset();
    m_running = false;
    QString done = m_written == 1 ? tr("Exported 1 event to %1.").arg(m_path)
                                  : tr("Exported %1 events to %2.").arg(m_written).arg(m_path);
    if (m_unreadable == 1)
        done += QLatin1Char(' ') +
                tr("1 event the server sent could not be read and is not in the file.");
    else if (m_unreadable > 1)
        done += QLatin1Char(' ') +
                tr("%1 events the server sent could not be read and are not in the file.")
                    .arg(m_unreadable);
    Q_EMIT finished(true, done);
}

} // namespace legba
