#pragma once

#include <QByteArray>
#include <QString>
#include <cstdint>

namespace legba::keyformat {

// legba_ + 32 random base62 characters + 6 base62 characters of the IEEE CRC32 of those 32.
inline constexpr qsizetype kRandomLength = 32;
inline constexpr qsizetype kChecksumLength = 6;
inline constexpr qsizetype kPrefixLength = 12;
inline constexpr const char* kTag = "legba_";
inline constexpr qsizetype kKeyLength = 6 + kRandomLength + kChecksumLength;

std::uint32_t crc32(QByteArrayView bytes);
QByteArray base62(std::uint32_t value, qsizetype width);

// A new key from the system's cryptographically secure generator.
QByteArray generate();
// `length` base62 characters from the same generator, each equally likely.
QByteArray randomBase62(qsizetype length);
// Shape and checksum only: no lookup. The sandbox still looks up a token that fails this
// (every refusal costs the same work) and then refuses it as malformed.
bool isWellFormed(QByteArrayView key);
// The first 12 characters, the only part of a key ever shown or stored in clear.
QString displayPrefix(QByteArrayView key);
// What servers store: the SHA-256 digest, hex.
QByteArray digest(QByteArrayView key);

// What a client can tell of a token before any server sees it. To the hosted API a key is
// an opaque bearer token (its docs' example is legba_new_api_key_xyz789), so only what no
// server could accept in an Authorization header is refused; the rest are hints.
struct TokenCheck {
    enum class Problem {
        None,
        Empty,
        Whitespace,       // a space, tab or line break inside the token
        ControlCharacter, // any other C0 or C1 control character, or DEL
        NotAscii,         // a bearer token is plain ASCII (RFC 6750's token68)
    };
    Problem problem = Problem::None;
    qsizetype position = -1; // of the character at fault, counted from 0
    char32_t character = 0;
    bool lacksTag = false;         // no "legba_" prefix, which every Legba key shown has
    bool checksumMismatch = false; // the sandbox's checksummed shape with a wrong checksum

    bool usable() const { return problem == Problem::None; }
};
// `token` as entered, already trimmed of surrounding white space.
TokenCheck checkToken(QStringView token);
// The sandbox's shape (legba_, 32 + 6 base62 characters), whatever its checksum.
bool hasSandboxShape(QByteArrayView key);

// Key ids: key_ + 16 lowercase alphanumerics.
QString generateKeyId();
bool isKeyId(QStringView id);

} // namespace legba::keyformat
