#pragma once

#include "AuditRecords.h"

#include <QStringList>

class QObject;

namespace legba {
class LegbaClient;
}

namespace legba::test {

// The event ids of a page, in its order.
QStringList eventIds(const audit::AuditBatch& batch);

// The ids of every event the server lists now, newest first, read page by page through
// `client` (its answers come to `context`); empty when a page could not be read.
QStringList serverEventIds(LegbaClient& client, QObject* context);

} // namespace legba::test
