#pragma once

#include "Types.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace legba::json {

// A body that does not have the shape the contract gives. `field` is the JSON path of the
// first thing wrong ("keys[3].created_at"), so that the error can name it.
class ParseError : public std::runtime_error {
public:
    ParseError(QString field, QString problem);
    const QString& field() const { return m_field; }
    const QString& problem() const { return m_problem; }

private:
    QString m_field;
    QString m_problem;
};

// Deeper than any shape of the contract, and shallow enough that whatever walks the DOM
// recursively (dump, copy, compare) stays far from the end of the stack: nlohmann parses
// and destroys iteratively, but dumps recursively (audit details are dumped). parse() and
// the audit page reader refuse deeper nesting.
constexpr int kMaxDepth = 64;
QString tooDeepProblem();

// Parse text into a DOM; malformed JSON is a ParseError with an empty field.
nlohmann::json parse(QByteArrayView body);
QByteArray dump(const nlohmann::json& value);

// Readers for the client and for the server's request bodies. Each throws ParseError.
// `path` prefixes field names in errors.
QString requiredString(const nlohmann::json& object, const char* field, const QString& path = {});
std::optional<QString> optionalString(const nlohmann::json& object, const char* field,
                                      const QString& path = {});
QDateTime requiredTime(const nlohmann::json& object, const char* field, const QString& path = {});
// Absent or null: an invalid QDateTime.
QDateTime nullableTime(const nlohmann::json& object, const char* field, const QString& path = {});
const nlohmann::json& requiredObject(const nlohmann::json& value, const QString& path = {});

ApiKey apiKeyFromJson(const nlohmann::json& object, const QString& path = {});
KeyList keyListFromJson(const nlohmann::json& object);
IssuedKey issuedKeyFromJson(const nlohmann::json& object);
Instance instanceFromJson(const nlohmann::json& object, const QString& path = {});
InstanceList instanceListFromJson(const nlohmann::json& object);
AuditEvent auditEventFromJson(const nlohmann::json& object, const QString& path = {});
// The DOM reading of an audit page: the test oracle for audit::parseAuditPage (the one the
// app uses), which must read every page alike; not for production paths.
AuditPage auditPageFromJson(const nlohmann::json& object);
Health healthFromJson(const nlohmann::json& object);
// Lenient by design: any body that is not the error shape gives an empty ErrorBody.
ErrorBody errorBodyFromJson(QByteArrayView body);

// Every shape as compact JSON text: the one definition of how each is written, used by the
// server for its answers and by the client for its requests.
QByteArray serialize(const ApiKey& key);
QByteArray serialize(const IssuedKey& key);
QByteArray serialize(const KeyList& list);
QByteArray serialize(const Instance& instance);
QByteArray serialize(const InstanceList& list);
QByteArray serialize(const AuditEvent& event);
QByteArray serialize(const AuditPage& page);
QByteArray serialize(const Health& health);
QByteArray serialize(const NewKeyRequest& request);
QByteArray serialize(const NewInstanceRequest& request);
QByteArray serializeError(ErrorCode code, const QString& message);

// The same as a DOM, for callers that edit or inspect it (tests, fuzz invariants).
template <typename Value> nlohmann::json toJson(const Value& value) {
    return parse(serialize(value));
}
nlohmann::json errorJson(ErrorCode code, const QString& message);

inline std::string str(const QString& s) {
    return s.toStdString();
}
inline QString qstr(const std::string& s) {
    return QString::fromStdString(s);
}

// ---- The hosted Legba API's public shape (legba-server serve --hosted-shape) ----
// Exactly the members the public docs show and nothing more, so that a client rehearsed
// against the sandbox in that shape comes to rely on nothing the hosted API does not promise.

// GET /key: key_id, name, created_at, last_used_at, scopes.
QByteArray serializeHostedKey(const ApiKey& key);
// POST /key/rotate: key, key_id, created_at.
QByteArray serializeHostedRotation(const IssuedKey& key);

} // namespace legba::json
