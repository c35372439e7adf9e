#pragma once

#include "AuditRecords.h"

#include <QByteArrayView>

namespace legba::audit {

// Parses a GET /audit-log answer straight into an AuditBatch with nlohmann_json's SAX
// interface, reading what json::auditPageFromJson reads. One event with a member missing or
// of the wrong type costs only itself: it goes to `unreadable`, named by its field path
// ("events[3].actor.key_id"), and the page keeps the others. The page as a whole fails with
// json::ParseError when the body is not a JSON object (malformed JSON: an empty field),
// `events` is missing or not an array, or `next_cursor` is not a string. Status codes must
// be 0..999.
AuditBatch parseAuditPage(QByteArrayView body);

} // namespace legba::audit
