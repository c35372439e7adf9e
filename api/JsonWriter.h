#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QStringView>
#include <QVarLengthArray>
#include <string>
#include <string_view>

namespace legba::json {

// `utf8` (valid UTF-8) as a JSON string literal with its quotes, escaped as nlohmann's dump()
// escapes it, appended to `out`.
void appendString(std::string& out, std::string_view utf8);

// Compact JSON text written straight into one buffer, in the order the calls come: how the
// shapes of api/Json.h are serialized, without building a DOM of allocated nodes for every
// answer the server gives. Strings are escaped as nlohmann's dump() escapes them, and text
// that is not valid UTF-16 becomes U+FFFD, so the output is always valid JSON.
//
//   Writer w;
//   w.beginObject().key("name").string(name).key("total").number(3).endObject();
//   QByteArray text = w.text();
class Writer {
public:
    Writer() { m_out.reserve(512); }

    Writer& beginObject();
    Writer& endObject();
    Writer& beginArray();
    Writer& endArray();
    // A member's name, UTF-8, escaped like any string.
    Writer& key(std::string_view name);
    Writer& string(QStringView text);
    Writer& string(std::string_view utf8); // valid UTF-8
    Writer& number(qint64 value);
    Writer& boolean(bool value);
    Writer& null();
    // An RFC 3339 UTC time, or null for an invalid QDateTime.
    Writer& time(const QDateTime& time);
    // One complete JSON value, already valid and compact enough: the caller vouches for it.
    Writer& raw(QByteArrayView json);

    QByteArray text() const {
        return QByteArray(m_out.data(), static_cast<qsizetype>(m_out.size()));
    }

private:
    void beforeValue();
    Writer& open(char bracket);
    Writer& close(char bracket);

    std::string m_out; // appends of single characters inline here, unlike QByteArray's
    // Per open container: whether a value was written in it yet (a comma is due).
    QVarLengthArray<bool, 8> m_hasValue;
    bool m_afterKey = false;
};

} // namespace legba::json
