#include "KeyFormat.h"

#include <QCryptographicHash>
#include <QRandomGenerator>
#include <algorithm>
#include <array>

namespace legba::keyformat {

namespace {

constexpr char kBase62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr char kLowerAlnum[] = "0123456789abcdefghijklmnopqrstuvwxyz";

constexpr std::array<std::uint32_t, 256> makeCrcTable() {
    std::array<std::uint32_t, 256> table{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int k = 0; k < 8; ++k)
            c = (c & 1U) ? 0xEDB88320U ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    return table;
}
constexpr auto kCrcTable = makeCrcTable();

bool isBase62(char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

// Uniform choice from an alphabet by rejection sampling on the system CSPRNG.
QByteArray randomFrom(const char* alphabet, quint32 alphabetSize, qsizetype length) {
    QByteArray out;
    out.reserve(length);
    QRandomGenerator* rng = QRandomGenerator::system();
    const quint32 limit = 256U - (256U % alphabetSize);
    while (out.size() < length) {
        std::array<quint32, 16> words{};
        rng->fillRange(words.data(), words.size());
        for (quint32 word : words) {
            for (int shift = 0; shift < 32 && out.size() < length; shift += 8) {
                const quint32 byte = (word >> shift) & 0xFFU;
                if (byte < limit)
                    out.append(alphabet[byte % alphabetSize]);
            }
        }
    }
    return out;
}

} // namespace

std::uint32_t crc32(QByteArrayView bytes) {
    std::uint32_t c = 0xFFFFFFFFU;
    for (char ch : bytes)
        c = kCrcTable[(c ^ static_cast<unsigned char>(ch)) & 0xFFU] ^ (c >> 8);
    return c ^ 0xFFFFFFFFU;
}

QByteArray base62(std::uint32_t value, qsizetype width) {
    QByteArray out(width, '0');
    for (qsizetype i = width - 1; i >= 0 && value > 0; --i) {
        out[i] = kBase62[value % 62U];
        value /= 62U;
    }
    return out;
}

QByteArray randomBase62(qsizetype length) {
    return randomFrom(kBase62, 62, length);
}

QByteArray generate() {
    const QByteArray random = randomBase62(kRandomLength);
    return QByteArray(kTag) + random + base62(crc32(random), kChecksumLength);
}

bool isWellFormed(QByteArrayView key) {
    if (key.size() != kKeyLength || !key.startsWith(kTag))
        return false;
    const QByteArrayView body = key.sliced(6);
    for (char c : body) {
        if (!isBase62(c))
            return false;
    }
    const QByteArrayView random = body.first(kRandomLength);
    return body.sliced(kRandomLength) == base62(crc32(random), kChecksumLength);
}

bool hasSandboxShape(QByteArrayView key) {
    if (key.size() != kKeyLength || !key.startsWith(kTag))
        return false;
    const QByteArrayView body = key.sliced(6);
    return std::all_of(body.begin(), body.end(), isBase62);
}

TokenCheck checkToken(QStringView token) {
    TokenCheck check;
    if (token.isEmpty()) {
        check.problem = TokenCheck::Problem::Empty;
        return check;
    }
    qsizetype position = 0;
    for (qsizetype i = 0; i < token.size(); ++position) {
        const bool pair =
            i + 1 < token.size() && token[i].isHighSurrogate() && token[i + 1].isLowSurrogate();
        const char32_t c =
            pair ? QChar::surrogateToUcs4(token[i], token[i + 1]) : char32_t{token[i].unicode()};
        using P = TokenCheck::Problem;
        P problem = P::None;
        if (QChar::isSpace(c))
            problem = P::Whitespace;
        else if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0))
            problem = P::ControlCharacter;
        else if (c > 0x7E)
            problem = P::NotAscii;
        if (problem != P::None) {
            check.problem = problem;
            check.position = position;
            check.character = c;
            return check;
        }
        i += pair ? 2 : 1;
    }
    const QByteArray ascii = token.toLatin1();
    check.lacksTag = !ascii.startsWith(kTag);
    check.checksumMismatch = hasSandboxShape(ascii) && !isWellFormed(ascii);
    return check;
}

QString displayPrefix(QByteArrayView key) {
    return QString::fromLatin1(key.first(std::min(key.size(), kPrefixLength)));
}

QByteArray digest(QByteArrayView key) {
    return QCryptographicHash::hash(key, QCryptographicHash::Sha256).toHex();
}

QString generateKeyId() {
    return QStringLiteral("key_") + QString::fromLatin1(randomFrom(kLowerAlnum, 36, 16));
}

bool isKeyId(QStringView id) {
    if (id.size() != 20 || !id.startsWith(QLatin1String("key_")))
        return false;
    for (QChar c : id.sliced(4)) {
        if (!((c >= QLatin1Char('0') && c <= QLatin1Char('9')) ||
              (c >= QLatin1Char('a') && c <= QLatin1Char('z'))))
            return false;
    }
    return true;
}

} // namespace legba::keyformat
