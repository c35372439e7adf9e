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
// Shape and checksum only: no lookup. A key that fails this is rejected before any query.
bool isWellFormed(QByteArrayView key);
// The first 12 characters, the only part of a key ever shown or stored in clear.
QString displayPrefix(QByteArrayView key);
// What servers store: the SHA-256 digest, hex.
QByteArray digest(QByteArrayView key);

// Key ids: key_ + 16 lowercase alphanumerics.
QString generateKeyId();
bool isKeyId(QStringView id);

} // namespace legba::keyformat
