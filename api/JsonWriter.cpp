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

Writer& Writer::beginObject() {
    beforeValue();
    m_out += '{';
    m_hasValue.append(false);
    return *this;
}

Writer& Writer::endObject() {
    m_hasValue.removeLast();
    m_out += '}';
    return *this;
}

Writer& Writer::beginArray() {
    beforeValue();
    m_out += '[';
    m_hasValue.append(false);
    return *this;
}

Writer& Writer::endArray() {
    m_hasValue.removeLast();
    m_out += ']';
    return *this;
}

Writer& Writer::key(std::string_view name) {
    beforeValue();
    m_out += '"';
    m_out += name;
    m_out += "\":";
    m_afterKey = true;
    return *this;
}

void Writer::escapeAscii(char c) {
    switch (c) {
    case '"':
        m_out += "\\\"";
        return;
    case '\\':
        m_out += "\\\\";
        return;
    case '\b':
        m_out += "\\b";
        return;
    case '\f':
        m_out += "\\f";
        return;
    case '\n':
        m_out += "\\n";
        return;
    case '\r':
        m_out += "\\r";
        return;
    case '\t':
        m_out += "\\t";
        return;
    default:
        break;
    }
    if (static_cast<unsigned char>(c) < 0x20) {
        static constexpr char hex[] = "0123456789abcdef";
        const char escaped[] = {'\\', 'u', '0', '0', hex[(c >> 4) & 0xF], hex[c & 0xF]};
        m_out.append(escaped, 6);
        return;
    }
    m_out += c;
}

Writer& Writer::string(QStringView text) {
    beforeValue();
    m_out += '"';
    const qsizetype n = text.size();
    for (qsizetype i = 0; i < n; ++i) {
        char32_t c = text[i].unicode();
        if (c < 0x80) {
            escapeAscii(static_cast<char>(c));
            continue;
        }
        if (QChar::isHighSurrogate(c) && i + 1 < n && text[i + 1].isLowSurrogate()) {
            c = QChar::surrogateToUcs4(static_cast<char16_t>(c), text[i + 1].unicode());
            ++i;
        } else if (QChar::isSurrogate(c)) {
            c = QChar::ReplacementCharacter; // a lone half of a pair
        }
        char utf8[4];
        int length = 0;
        if (c < 0x800) {
            utf8[length++] = static_cast<char>(0xC0 | (c >> 6));
        } else if (c < 0x10000) {
            utf8[length++] = static_cast<char>(0xE0 | (c >> 12));
            utf8[length++] = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        } else {
            utf8[length++] = static_cast<char>(0xF0 | (c >> 18));
            utf8[length++] = static_cast<char>(0x80 | ((c >> 12) & 0x3F));
            utf8[length++] = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        }
        utf8[length++] = static_cast<char>(0x80 | (c & 0x3F));
        m_out.append(utf8, static_cast<std::size_t>(length));
    }
    m_out += '"';
    return *this;
}

Writer& Writer::string(std::string_view utf8) {
    beforeValue();
    m_out += '"';
    for (const char c : utf8) {
        if (static_cast<unsigned char>(c) < 0x80)
            escapeAscii(c);
        else
            m_out += c;
    }
    m_out += '"';
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
