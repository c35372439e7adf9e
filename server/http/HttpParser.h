#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <utility>
#include <vector>

// HTTP/1.1 requests (RFC 9112) read from the bytes a connection has buffered so far. No
// sockets and no state between calls: the transport keeps the bytes, calls again when more
// arrive, and drops what a finished request used.
namespace legba::server::http {

// Bytes allowed for the request line and the header fields together.
inline constexpr qsizetype kMaxHeadBytes = qsizetype{16} * 1024;
inline constexpr int kMaxHeaderFields = 100;
// A chunked body's size lines, extensions and trailer together, beyond its decoded bytes.
inline constexpr qsizetype kMaxChunkFramingBytes = qsizetype{64} * 1024;
inline constexpr qsizetype kMaxChunkLineBytes = 1024;

using HeaderFields = std::vector<std::pair<QByteArray, QByteArray>>;

struct RequestHead {
    QByteArray method;
    QByteArray path;      // percent-encoded, without the query
    QByteArray query;     // percent-encoded, without the '?'
    HeaderFields headers; // names in lower case, values without surrounding whitespace
    bool http10 = false;
    bool keepAlive = true;
    bool expectContinue = false; // HTTP/1.1 only
    bool chunked = false;
    qint64 contentLength = 0;
    qsizetype size = 0; // bytes of the head, up to and including its empty line
};

// Why a request cannot be read: the status to answer with and what was wrong, for a person.
struct Malformed {
    int status = 400;
    QString message;
};

enum class Progress { NeedMore, Done, Malformed };

struct HeadResult {
    Progress progress = Progress::NeedMore;
    RequestHead head;
    Malformed error;
};

// The path and query of a request target as the API sees them: what
// `QUrl::fromEncoded(target)` gives as FullyEncoded path and query (reserved characters stay
// escaped, unreserved ones are decoded), split directly when the target has no escapes and
// nothing QUrl would change. False for a target QUrl finds invalid.
bool splitTarget(QByteArrayView target, QByteArray& path, QByteArray& query);

// Reads the request line and header fields at the start of `data`. Lines may end in CRLF or
// a bare LF; empty lines before the request line are skipped.
HeadResult parseHead(QByteArrayView data);

struct BodyResult {
    Progress progress = Progress::NeedMore;
    QByteArray body;
    qsizetype size = 0; // bytes of the chunked encoding, trailer included
    Malformed error;
};

// Decodes a chunked body at the start of `data` (what follows the head). A body that would
// decode to more than `maxBodyBytes`, or take more than that plus kMaxChunkFramingBytes on
// the wire, is Malformed with status 413.
BodyResult parseChunked(QByteArrayView data, qsizetype maxBodyBytes);

// parseChunked for bytes that arrive in pieces: it remembers where it stopped, so each call
// looks only at what came since the last one. Calling parseChunked on the whole buffer for
// every read made a slow chunked upload cost time quadratic in its size, paid by every other
// connection of the thread.
class ChunkedDecoder {
public:
    explicit ChunkedDecoder(qsizetype maxBodyBytes)
        : m_maxBodyBytes(maxBodyBytes) {}

    // `data` is what follows the head, received so far: each call's bytes start with the
    // previous call's. Answers as parseChunked would on the same bytes; once Done or
    // Malformed, the decoder is spent.
    BodyResult decode(QByteArrayView data);

    // Bytes looked at so far (searched for a line end or copied), each counted once: how
    // tests see that the work is proportional to the body.
    qint64 bytesExamined() const { return m_examined; }

private:
    enum class Phase { SizeLine, Data, DataEnd, Trailer };
    bool nextLine(QByteArrayView data, QByteArrayView& line, qsizetype& next);
    void consumeTo(qsizetype next);

    qsizetype m_maxBodyBytes;
    Phase m_phase = Phase::SizeLine;
    qsizetype m_at = 0;      // where the part not yet used starts
    qsizetype m_scanned = 0; // bytes before this were searched for a line end already
    qint64 m_remaining = 0;  // of the current chunk's data
    qsizetype m_trailerStart = 0;
    QByteArray m_body;
    qint64 m_examined = 0;
};

} // namespace legba::server::http
