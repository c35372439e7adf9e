#include "HttpParser.h"

#include <QUrl>
#include <algorithm>
#include <cctype>
#include <cstring>

namespace legba::server::http {

namespace {

bool isAlnum(unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// RFC 9110's tchar: what methods and field names are made of.
bool isTokenChar(unsigned char c) {
    return isAlnum(c) || std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

// Bytes of a request target that QUrl keeps as they are (unreserved, sub-delims, ':', '@',
// '/', '?'). A target made only of these needs no URL parser; anything else (percent
// escapes, bytes QUrl would encode) goes through QUrl so that paths reach the API exactly as
// before.
bool isPlainTargetChar(unsigned char c) {
    return isAlnum(c) || (c != '\0' && std::strchr("-._~!$&'()*+,;=:@/?", c) != nullptr);
}

// Lenient as most servers are: other control bytes pass (an Authorization header with junk
// in it is then an unknown key, the same 401 as any other); NUL and a bare CR never do.
bool isFieldValueChar(unsigned char c) {
    return c != '\0' && c != '\r';
}

QByteArrayView trimmedOws(QByteArrayView text) {
    qsizetype begin = 0;
    qsizetype end = text.size();
    while (begin < end && (text[begin] == ' ' || text[begin] == '\t'))
        ++begin;
    while (end > begin && (text[end - 1] == ' ' || text[end - 1] == '\t'))
        --end;
    return text.sliced(begin, end - begin);
}

// One line starting at `from`, without its CRLF or LF; false while its end has not arrived.
bool readLine(QByteArrayView data, qsizetype from, QByteArrayView& line, qsizetype& next) {
    const void* newline = std::memchr(data.data() + from, '\n', size_t(data.size() - from));
    if (!newline)
        return false;
    const qsizetype end = static_cast<const char*>(newline) - data.data();
    qsizetype textEnd = end;
    if (textEnd > from && data[textEnd - 1] == '\r')
        --textEnd;
    line = data.sliced(from, textEnd - from);
    next = end + 1;
    return true;
}

// Whether a comma-separated list of tokens (Connection, Transfer-Encoding) names `token`.
bool listHas(QByteArrayView list, QByteArrayView token) {
    qsizetype from = 0;
    while (from <= list.size()) {
        qsizetype comma = list.indexOf(',', from);
        if (comma < 0)
            comma = list.size();
        if (trimmedOws(list.sliced(from, comma - from)).compare(token, Qt::CaseInsensitive) == 0)
            return true;
        from = comma + 1;
    }
    return false;
}

HeadResult malformed(QString message, int status = 400) {
    HeadResult result;
    result.progress = Progress::Malformed;
    result.error = {status, std::move(message)};
    return result;
}

QString shown(QByteArrayView text) {
    // For messages: printable ASCII as it is, the rest as \xNN, at most 40 bytes.
    QString out;
    for (qsizetype i = 0; i < text.size() && i < 40; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c < 0x7f)
            out += QLatin1Char(char(c));
        else
            out += QStringLiteral("\\x%1").arg(c, 2, 16, QLatin1Char('0'));
    }
    if (text.size() > 40)
        out += QStringLiteral("...");
    return out;
}

HeadResult readRequestLine(QByteArrayView line, RequestHead& head) {
    const qsizetype firstSpace = line.indexOf(' ');
    const qsizetype lastSpace = line.lastIndexOf(' ');
    if (firstSpace <= 0 || lastSpace == firstSpace)
        return malformed(QStringLiteral("The request line \"%1\" is not METHOD TARGET VERSION")
                             .arg(shown(line)));
    const QByteArrayView method = line.first(firstSpace);
    const QByteArrayView target = line.sliced(firstSpace + 1, lastSpace - firstSpace - 1);
    const QByteArrayView version = line.sliced(lastSpace + 1);
    for (const char c : method) {
        if (!isTokenChar(static_cast<unsigned char>(c)))
            return malformed(QStringLiteral("The method \"%1\" is not a token").arg(shown(method)));
    }
    // RFC 9110 2.5: a later HTTP/1.x is answered as HTTP/1.1.
    if (version.size() != 8 || !version.startsWith("HTTP/1.") || version[7] < '0' ||
        version[7] > '9')
        return malformed(
            QStringLiteral("The HTTP version \"%1\" is not supported (HTTP/1.1 or HTTP/1.0)")
                .arg(shown(version)),
            505);
    if (version[7] == '0') {
        head.http10 = true;
        head.keepAlive = false;
    }
    // RFC 9112 3.2: a fragment is for the client alone; one sent is a broken or hostile client.
    if (target.contains('#'))
        return malformed(
            QStringLiteral("The request target \"%1\" has a #fragment in it").arg(shown(target)));
    for (const char c : target) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte <= 0x20 || byte == 0x7f)
            return malformed(QStringLiteral("The request target \"%1\" has a control character "
                                            "or space in it")
                                 .arg(shown(target)));
    }
    if (!target.startsWith('/') && !target.startsWith("http://") && !target.startsWith("https://"))
        return malformed(QStringLiteral("The request target \"%1\" is not a path starting with /")
                             .arg(shown(target)));
    if (!splitTarget(target, head.path, head.query))
        return malformed(
            QStringLiteral("The request target \"%1\" is not a valid URL").arg(shown(target)));
    head.method = method.toByteArray();
    HeadResult ok;
    ok.progress = Progress::Done;
    return ok;
}

} // namespace

bool splitTarget(QByteArrayView target, QByteArray& path, QByteArray& query) {
    // "//x/..." would be an authority to QUrl: only single-slash paths take the short way.
    bool plain = target.startsWith('/') && !target.startsWith("//");
    for (qsizetype i = 0; plain && i < target.size(); ++i)
        plain = isPlainTargetChar(static_cast<unsigned char>(target[i]));
    if (plain) {
        const qsizetype question = target.indexOf('?');
        path = (question < 0 ? target : target.first(question)).toByteArray();
        query = question < 0 ? QByteArray() : target.sliced(question + 1).toByteArray();
        return true;
    }
    const QUrl url = QUrl::fromEncoded(target.toByteArray());
    if (!url.isValid())
        return false;
    path = url.path(QUrl::FullyEncoded).toUtf8();
    query = url.query(QUrl::FullyEncoded).toUtf8();
    return true;
}

HeadResult parseHead(QByteArrayView data) {
    RequestHead head;
    qsizetype at = 0;
    QByteArrayView line;
    qsizetype next = 0;
    // RFC 9112 2.2: empty lines before a request line are to be ignored.
    do {
        if (!readLine(data, at, line, next))
            return data.size() - at > kMaxHeadBytes
                       ? malformed(QStringLiteral("The request line exceeds 16 KiB"), 431)
                       : HeadResult{};
        at = next;
    } while (line.isEmpty() && at <= 64);
    if (line.isEmpty())
        return malformed(QStringLiteral("The request starts with empty lines only"));
    HeadResult result = readRequestLine(line, head);
    if (result.progress == Progress::Malformed)
        return result;

    bool sawLength = false;
    bool sawTransferEncoding = false;
    int hostFields = 0;
    bool connectionClose = false;
    bool connectionKeepAlive = false;
    for (;;) {
        if (at > kMaxHeadBytes)
            return malformed(QStringLiteral("The request's header fields exceed 16 KiB"), 431);
        if (!readLine(data, at, line, next)) {
            if (data.size() > kMaxHeadBytes)
                return malformed(QStringLiteral("The request's header fields exceed 16 KiB"), 431);
            return {};
        }
        at = next;
        if (line.isEmpty())
            break;
        if (line[0] == ' ' || line[0] == '\t')
            return malformed(QStringLiteral("Header lines continued on the next line (obsolete "
                                            "line folding) are not accepted"));
        if (head.headers.size() >= kMaxHeaderFields)
            return malformed(
                QStringLiteral("The request has more than %1 header fields").arg(kMaxHeaderFields),
                431);
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            return malformed(QStringLiteral("The header line \"%1\" has no name before a colon")
                                 .arg(shown(line)));
        const QByteArrayView name = line.first(colon);
        for (const char c : name) {
            if (!isTokenChar(static_cast<unsigned char>(c)))
                return malformed(QStringLiteral("The header name \"%1\" is not a token (no spaces "
                                                "before the colon)")
                                     .arg(shown(name)));
        }
        const QByteArrayView value = trimmedOws(line.sliced(colon + 1));
        for (const char c : value) {
            if (!isFieldValueChar(static_cast<unsigned char>(c)))
                return malformed(
                    QStringLiteral("The value of header %1 has a NUL or bare CR").arg(shown(name)));
        }
        QByteArray lowerName = name.toByteArray().toLower();
        if (lowerName == "content-length") {
            bool ok = value.size() <= 18 && !value.isEmpty();
            for (const char c : value)
                ok = ok && c >= '0' && c <= '9';
            const qint64 length = ok ? value.toLongLong(&ok) : -1;
            if (!ok)
                return malformed(QStringLiteral("Content-Length \"%1\" is not a number of bytes")
                                     .arg(shown(value)));
            if (sawLength && length != head.contentLength)
                return malformed(QStringLiteral("The request has two different Content-Length"));
            head.contentLength = length;
            sawLength = true;
        } else if (lowerName == "transfer-encoding") {
            if (sawTransferEncoding || value.compare("chunked", Qt::CaseInsensitive) != 0)
                return malformed(
                    QStringLiteral("Transfer-Encoding \"%1\" is not supported (only chunked)")
                        .arg(shown(value)),
                    501);
            sawTransferEncoding = true;
            head.chunked = true;
        } else if (lowerName == "connection") {
            connectionClose = connectionClose || listHas(value, "close");
            connectionKeepAlive = connectionKeepAlive || listHas(value, "keep-alive");
        } else if (lowerName == "host") {
            ++hostFields;
        } else if (lowerName == "expect") {
            // An HTTP/1.0 client must not be sent a 1xx answer (RFC 9110 15.2).
            head.expectContinue =
                !head.http10 && value.compare("100-continue", Qt::CaseInsensitive) == 0;
        }
        head.headers.emplace_back(std::move(lowerName), value.toByteArray());
    }
    if (sawLength && sawTransferEncoding)
        return malformed(QStringLiteral("The request has both Content-Length and "
                                        "Transfer-Encoding"));
    // RFC 9112 9.3: HTTP/1.0 persists only when asked to; "close" wins in either version.
    head.keepAlive = !connectionClose && (!head.http10 || connectionKeepAlive);
    // RFC 9112 3.2: an HTTP/1.1 request without exactly one Host is answered 400 (an
    // HTTP/1.0 client may not know the field).
    if (!head.http10 && hostFields == 0)
        return malformed(QStringLiteral("The request has no Host header field"));
    if (hostFields > 1)
        return malformed(QStringLiteral("The request has %1 Host header fields (one is allowed)")
                             .arg(hostFields));
    head.size = at;
    result.progress = Progress::Done;
    result.head = std::move(head);
    return result;
}

BodyResult parseChunked(QByteArrayView data, qsizetype maxBodyBytes) {
    ChunkedDecoder decoder(maxBodyBytes);
    return decoder.decode(data);
}

bool ChunkedDecoder::nextLine(QByteArrayView data, QByteArrayView& line, qsizetype& next) {
    const qsizetype from = std::max(m_at, m_scanned);
    const void* newline = std::memchr(data.data() + from, '\n', size_t(data.size() - from));
    if (!newline) {
        m_examined += data.size() - from;
        m_scanned = data.size();
        return false;
    }
    const qsizetype end = static_cast<const char*>(newline) - data.data();
    m_examined += end + 1 - from;
    m_scanned = end + 1;
    qsizetype textEnd = end;
    if (textEnd > m_at && data[textEnd - 1] == '\r')
        --textEnd;
    line = data.sliced(m_at, textEnd - m_at);
    next = end + 1;
    return true;
}

void ChunkedDecoder::consumeTo(qsizetype next) {
    m_at = next;
    m_scanned = std::max(m_scanned, next);
}

BodyResult ChunkedDecoder::decode(QByteArrayView data) {
    BodyResult result;
    auto fail = [&result](QString message, int status = 400) {
        result.progress = Progress::Malformed;
        result.error = {status, std::move(message)};
        return result;
    };
    // Bytes on the wire, not only decoded ones, are bounded: size lines, extensions and
    // trailers may add at most kMaxChunkFramingBytes to the body.
    const qsizetype maxEncoded = m_maxBodyBytes + kMaxChunkFramingBytes;
    const auto framingTooLarge = [&fail] {
        return fail(QStringLiteral("The chunked body exceeds 64 KiB (with its framing)"), 413);
    };
    const auto needMore = [&] {
        return data.size() > maxEncoded ? framingTooLarge() : BodyResult{};
    };
    QByteArrayView line;
    qsizetype next = 0;
    for (;;) {
        switch (m_phase) {
        case Phase::SizeLine: {
            if (!nextLine(data, line, next))
                return data.size() - m_at > kMaxChunkLineBytes
                           ? fail(QStringLiteral("A chunk size line exceeds 1 KiB"))
                           : needMore();
            if (line.size() > kMaxChunkLineBytes)
                return fail(QStringLiteral("A chunk size line exceeds 1 KiB"));
            const qsizetype semicolon = line.indexOf(';'); // chunk extensions are ignored
            // RFC 9112 7.1: whitespace may come before an extension (BWS), never before the
            // size.
            QByteArrayView digits = semicolon < 0 ? line : line.first(semicolon);
            while (!digits.isEmpty() && (digits.back() == ' ' || digits.back() == '\t'))
                digits.chop(1);
            bool ok = !digits.isEmpty() && digits.size() <= 8;
            for (const char c : digits)
                ok = ok && std::isxdigit(static_cast<unsigned char>(c));
            const qint64 size = ok ? digits.toLongLong(&ok, 16) : -1;
            if (!ok)
                return fail(QStringLiteral("The chunk size \"%1\" is not a hexadecimal number")
                                .arg(shown(digits)));
            consumeTo(next);
            if (size == 0) {
                m_phase = Phase::Trailer;
                m_trailerStart = m_at;
                break;
            }
            if (m_body.size() + size > m_maxBodyBytes)
                return fail(QStringLiteral("The request body exceeds 64 KiB"), 413);
            if (m_at > maxEncoded)
                return framingTooLarge();
            m_remaining = size;
            m_phase = Phase::Data;
            break;
        }
        case Phase::Data: {
            const qsizetype available =
                qsizetype(std::min<qint64>(m_remaining, data.size() - m_at));
            m_body.append(data.sliced(m_at, available));
            m_examined += available;
            consumeTo(m_at + available);
            m_remaining -= available;
            if (m_remaining > 0)
                return needMore();
            m_phase = Phase::DataEnd;
            break;
        }
        case Phase::DataEnd:
            if (!nextLine(data, line, next))
                return data.size() - m_at > 1
                           ? fail(QStringLiteral("A chunk does not end where its size says"))
                           : needMore();
            if (!line.isEmpty())
                return fail(QStringLiteral("A chunk does not end where its size says"));
            consumeTo(next);
            m_phase = Phase::SizeLine;
            break;
        case Phase::Trailer:
            // Trailer fields up to an empty line; their content is not used.
            if (m_at - m_trailerStart > kMaxHeadBytes)
                return fail(QStringLiteral("The chunked body's trailer exceeds 16 KiB"));
            if (!nextLine(data, line, next))
                return data.size() - m_trailerStart > kMaxHeadBytes
                           ? fail(QStringLiteral("The chunked body's trailer exceeds 16 KiB"))
                           : needMore();
            consumeTo(next);
            if (!line.isEmpty())
                break;
            if (m_at > maxEncoded)
                return framingTooLarge();
            result.progress = Progress::Done;
            result.body = std::move(m_body);
            result.size = m_at;
            return result;
        }
    }
}

} // namespace legba::server::http
