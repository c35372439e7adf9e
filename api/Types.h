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

// A value the server picks from a list that may grow: one this client knows, or the
// server's own word for one it does not. A live API adds states and sizes over time; a
// client that refused them would blank a whole list over one new word, so the word is kept
// and shown as it is. Built from an Enum implicitly, so that code that sets or compares
// known values reads as before.
template <typename Enum> class OpenEnum {
public:
    constexpr OpenEnum(Enum value) // NOLINT(google-explicit-constructor): a known value
        : m_known(value) {}
    // A name that is not one of ours is kept as it is; an empty one too.
    static OpenEnum fromWire(const QString& name) {
        OpenEnum value(Enum{});
        value.m_known = fromWireName(Enum{}, name);
        if (!value.m_known)
            value.m_unknown = name;
        return value;
    }

    const std::optional<Enum>& known() const { return m_known; }
    bool isKnown() const { return m_known.has_value(); }
    // The name on the wire: ours for a known value, the server's otherwise.
    QString wire() const { return m_known ? wireName(*m_known) : m_unknown; }

    friend bool operator==(const OpenEnum&, const OpenEnum&) = default;
    friend bool operator==(const OpenEnum& a, Enum b) { return a.m_known == b; }

private:
    std::optional<Enum> m_known;
    QString m_unknown; // the server's word, when m_known is empty
};
template <typename Enum> QString wireName(const OpenEnum<Enum>& value) {
    return value.wire();
}

enum class KeyStatus { Active, Expired, Revoked };
QString wireName(KeyStatus status);
std::optional<KeyStatus> keyStatusFromWireName(QStringView name);
inline std::optional<KeyStatus> fromWireName(KeyStatus, QStringView name) {
    return keyStatusFromWireName(name);
}

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
    OpenEnum<KeyStatus> status = KeyStatus::Active;

    bool hasScope(const QString& scope) const { return scopes.contains(scope); }
    friend bool operator==(const ApiKey&, const ApiKey&) = default;
};

// An element of a list answer that could not be read. One bad element costs only itself:
// the list shows the rest and says how many it could not read, and why.
struct UnreadableItem {
    QString field;   // "instances[3].created_at"
    QString problem; // "is not an RFC 3339 time"
    friend bool operator==(const UnreadableItem&, const UnreadableItem&) = default;
};

struct KeyList {
    std::vector<ApiKey> keys;
    qint64 total = 0;
    std::vector<UnreadableItem> unreadable;
};

// The answer to creating or rotating a key: the secret, shown this once, and the record.
// The hosted API's rotation answers only key, key_id and created_at, so every part of the
// record may be missing; the caller fills it from GET /key once the secret is safe.
struct IssuedKey {
    ApiKey record;
    Secret secret;
    QString rotatedFrom;     // empty unless this came from a rotation
    QString recordProblem{}; // what was wrong with the rest of the answer; empty when nothing
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
inline std::optional<InstanceStatus> fromWireName(InstanceStatus, QStringView name) {
    return instanceStatusFromWireName(name);
}

enum class InstanceSize { Small, Medium, Large };
QString wireName(InstanceSize size);
std::optional<InstanceSize> instanceSizeFromWireName(QStringView name);
inline std::optional<InstanceSize> fromWireName(InstanceSize, QStringView name) {
    return instanceSizeFromWireName(name);
}

struct Instance {
    QString instanceUuid;
    OpenEnum<InstanceStatus> status = InstanceStatus::Provisioning;
    QString image;
    OpenEnum<InstanceSize> size = InstanceSize::Small;
    QDateTime createdAt;
    QString accessUrl; // empty: none given (the hosted API may leave it out or send null)

    friend bool operator==(const Instance&, const Instance&) = default;
};

struct InstanceList {
    std::vector<Instance> instances;
    qint64 total = 0;
    std::vector<UnreadableItem> unreadable;
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

enum class AuditOutcome { Success, Failure };
QString wireName(AuditOutcome outcome);
std::optional<AuditOutcome> auditOutcomeFromWireName(QStringView name);
inline std::optional<AuditOutcome> fromWireName(AuditOutcome, QStringView name) {
    return auditOutcomeFromWireName(name);
}

struct AuditEvent {
    QString eventId;
    QDateTime occurredAt;
    std::optional<AuditActor> actor; // empty: unauthenticated
    QString action;
    std::optional<AuditTarget> target;
    // A word other than success or failure (a newer API's) is kept and counts as neither.
    OpenEnum<AuditOutcome> outcome = AuditOutcome::Success;
    int statusCode = 200;
    QString ip;
    QString userAgent;
    QString requestId;
    QByteArray detailsJson; // the "details" object, compact JSON text

    bool succeeded() const { return outcome == AuditOutcome::Success; }
    bool failed() const { return outcome == AuditOutcome::Failure; }
    friend bool operator==(const AuditEvent&, const AuditEvent&) = default;
};

struct AuditPage {
    std::vector<AuditEvent> events;
    QString nextCursor;                     // empty: no more pages
    std::vector<UnreadableItem> unreadable; // events that could not be read, in page order
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
