#include "JsonWriter.h"

#include "Rfc3339.h"

namespace legba::json {

void Writer::beforeValue() {
    if (m_afterKey) {
        m_afterKey = false;
        return;
    }
    if (!m_hasValue.isEmpty()) {
        if (m_hasValue.back())
            m_out += ',';
        m_hasValue.back() = true;
    }
}

Writer& Writer::open(char bracket) {
    beforeValue();
    m_out += bracket;
    m_hasValue.append(false);
    return *this;
}

Writer& Writer::close(char bracket) {
    m_hasValue.removeLast();
    m_out += bracket;
    return *this;
}

Writer& Writer::beginObject() {
    return open('{');
}

Writer& Writer::endObject() {
    return close('}');
}

Writer& Writer::beginArray() {
    return open('[');
}

Writer& Writer::endArray() {
    return close(']');
}

namespace {

// Writes one ASCII character as JSON string content; returns the end of what it wrote.
char* putAscii(char* out, char c) {
    switch (c) {
    case '"':
        *out++ = '\\';
        *out++ = '"';
        return out;
    case '\\':
        *out++ = '\\';
        *out++ = '\\';
        return out;
    case '\b':
        *out++ = '\\';
        *out++ = 'b';
        return out;
    case '\f':
        *out++ = '\\';
        *out++ = 'f';
        return out;
    case '\n':
        *out++ = '\\';
        *out++ = 'n';
        return out;
    case '\r':
        *out++ = '\\';
        *out++ = 'r';
        return out;
    case '\t':
        *out++ = '\\';
        *out++ = 't';
        return out;
    default:
        break;
    }
    if (static_cast<unsigned char>(c) < 0x20) {
        static constexpr char hex[] = "0123456789abcdef";
        for (const char e : {'\\', 'u', '0', '0', hex[(c >> 4) & 0xF], hex[c & 0xF]})
            *out++ = e;
        return out;
    }
    *out++ = c;
    return out;
}

// The longest a UTF-16 unit can become: "\u00XX" for a control character (a surrogate pair's
// two units become four bytes; any other unit at most three).
constexpr std::size_t kMaxBytesPerUnit = 6;

} // namespace

Writer& Writer::string(QStringView text) {
    beforeValue();
    // Written through a pointer into room made up front: no capacity check per byte.
    const std::size_t start = m_out.size();
    m_out.resize(start + 2 + kMaxBytesPerUnit * static_cast<std::size_t>(text.size()));
    char* out = m_out.data() + start;
    *out++ = '"';
    const qsizetype n = text.size();
    for (qsizetype i = 0; i < n; ++i) {
        char32_t c = text[i].unicode();
        if (c < 0x80) {
            out = putAscii(out, static_cast<char>(c));
            continue;
        }
        if (QChar::isHighSurrogate(c) && i + 1 < n && text[i + 1].isLowSurrogate()) {
            c = QChar::surrogateToUcs4(static_cast<char16_t>(c), text[i + 1].unicode());
            ++i;
        } else if (QChar::isSurrogate(c)) {
            c = QChar::ReplacementCharacter; // a lone half of a pair
        }
        if (c < 0x800) {
            *out++ = static_cast<char>(0xC0 | (c >> 6));
        } else if (c < 0x10000) {
            *out++ = static_cast<char>(0xE0 | (c >> 12));
            *out++ = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        } else {
            *out++ = static_cast<char>(0xF0 | (c >> 18));
            *out++ = static_cast<char>(0x80 | ((c >> 12) & 0x3F));
            *out++ = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        }
        *out++ = static_cast<char>(0x80 | (c & 0x3F));
    }
    *out++ = '"';
    m_out.resize(static_cast<std::size_t>(out - m_out.data()));
    return *this;
}

void appendString(std::string& out, std::string_view utf8) {
    out += '"';
    // Runs of characters that need no escape go in whole.
    std::size_t run = 0;
    for (std::size_t i = 0; i < utf8.size(); ++i) {
        const auto c = static_cast<unsigned char>(utf8[i]);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out.append(utf8.substr(run, i - run));
        run = i + 1;
        char escaped[kMaxBytesPerUnit];
        out.append(escaped, static_cast<std::size_t>(putAscii(escaped, utf8[i]) - escaped));
    }
    out.append(utf8.substr(run));
    out += '"';
}

Writer& Writer::string(std::string_view utf8) {
    beforeValue();
    appendString(m_out, utf8);
    return *this;
}

Writer& Writer::key(std::string_view name) {
    string(name);
    m_out += ':';
    m_afterKey = true;
    return *this;
}

Writer& Writer::number(qint64 value) {
    beforeValue();
    char digits[24];
    int at = sizeof digits;
    quint64 magnitude = value < 0 ? 0 - static_cast<quint64>(value) : static_cast<quint64>(value);
    do {
        digits[--at] = static_cast<char>('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude != 0);
    if (value < 0)
        digits[--at] = '-';
    m_out.append(digits + at, sizeof digits - static_cast<std::size_t>(at));
    return *this;
}

Writer& Writer::boolean(bool value) {
    beforeValue();
    m_out += value ? "true" : "false";
    return *this;
}

Writer& Writer::null() {
    beforeValue();
    m_out += "null";
    return *this;
}

Writer& Writer::time(const QDateTime& time) {
    if (!time.isValid())
        return null();
    return string(rfc3339::formatMs(time.toMSecsSinceEpoch()));
}

Writer& Writer::raw(QByteArrayView json) {
    beforeValue();
    m_out.append(json.data(), static_cast<std::size_t>(json.size()));
    return *this;
}

} // namespace legba::json
