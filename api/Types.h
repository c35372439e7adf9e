#pragma once

#include "ErrorCode.h"
#include "Secret.h"

#include <QDateTime>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <optional>
#include <vector>

namespace legba {

enum class KeyStatus { Active, Expired, Revoked };
QString wireName(KeyStatus status);
std::optional<KeyStatus> keyStatusFromWireName(QStringView name);

// A key record as the API shows it. It never holds the secret.
struct ApiKey {
    QString keyId;
    QString name;
    QString prefix;
    QStringList scopes;
    QDateTime createdAt;
    QDateTime expiresAt;  // invalid: never expires
    QDateTime lastUsedAt; // invalid: never used
    QDateTime revokedAt;  // invalid: not revoked (or, after a graceful rotation, when it ends)
    KeyStatus status = KeyStatus::Active;

    bool hasScope(const QString& scope) const { return scopes.contains(scope); }
    friend bool operator==(const ApiKey&, const ApiKey&) = default;
};

struct KeyList {
    std::vector<ApiKey> keys;
    qint64 total = 0;
};

// The answer to creating or rotating a key: the record plus the secret, shown this once.
struct IssuedKey {
    ApiKey record;
    Secret secret;
    QString rotatedFrom; // empty unless this came from a rotation
};

struct NewKeyRequest {
    QString name;
    QStringList scopes;
    QDateTime expiresAt; // invalid: never
};

// A key's name is 1 to 100 characters after trimming. Characters are Unicode code points,
// not UTF-16 units: an emoji counts once, in the app, the server and the command line.
constexpr qsizetype kMaxKeyNameLength = 100;
inline qsizetype characterCount(QStringView text) {
    qsizetype count = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (!(text[i].isLowSurrogate() && i > 0 && text[i - 1].isHighSurrogate()))
            ++count;
    }
    return count;
}
inline bool isValidKeyName(QStringView trimmedName) {
    const qsizetype count = characterCount(trimmedName);
    return count >= 1 && count <= kMaxKeyNameLength;
}

enum class InstanceStatus { Provisioning, Running, Terminating, Terminated };
QString wireName(InstanceStatus status);
std::optional<InstanceStatus> instanceStatusFromWireName(QStringView name);

enum class InstanceSize { Small, Medium, Large };
QString wireName(InstanceSize size);
std::optional<InstanceSize> instanceSizeFromWireName(QStringView name);

struct Instance {
    QString instanceUuid;
    InstanceStatus status = InstanceStatus::Provisioning;
    QString image;
    InstanceSize size = InstanceSize::Small;
    QDateTime createdAt;
    QString accessUrl;

    friend bool operator==(const Instance&, const Instance&) = default;
};

struct InstanceList {
    std::vector<Instance> instances;
    qint64 total = 0;
};

struct NewInstanceRequest {
    QString image;
    InstanceSize size = InstanceSize::Small;
};

struct AuditActor {
    QString keyId;
    QString name;
    QString prefix;
    friend bool operator==(const AuditActor&, const AuditActor&) = default;
};

struct AuditTarget {
    QString type;
    QString id;
    friend bool operator==(const AuditTarget&, const AuditTarget&) = default;
};

struct AuditEvent {
    QString eventId;
    QDateTime occurredAt;
    std::optional<AuditActor> actor; // empty: unauthenticated
    QString action;
    std::optional<AuditTarget> target;
    bool success = true;
    int statusCode = 200;
    QString ip;
    QString userAgent;
    QString requestId;
    QByteArray detailsJson; // the "details" object, compact JSON text

    friend bool operator==(const AuditEvent&, const AuditEvent&) = default;
};

struct AuditPage {
    std::vector<AuditEvent> events;
    QString nextCursor; // empty: no more pages
};

struct AuditQuery {
    int limit = 100;
    QString cursor;
    QDateTime since; // inclusive
    QDateTime until; // exclusive
    QString actorKeyId;
    QString action; // exact, or a prefix ending in '.'
    std::optional<bool> success;
};

struct Health {
    QString status;
    QString version;
};

// The error body every failed answer carries.
struct ErrorBody {
    QString code;
    QString message;
};

} // namespace legba

Q_DECLARE_METATYPE(legba::ApiKey)
Q_DECLARE_METATYPE(legba::Instance)
