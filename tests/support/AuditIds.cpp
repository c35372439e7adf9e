#include "AuditIds.h"

#include "AuditPageSax.h"
#include "LegbaClient.h"

#include <QTest>
#include <optional>

namespace legba::test {

QStringList eventIds(const audit::AuditBatch& batch) {
    QStringList out;
    for (const audit::AuditRecord& r : batch.records) {
        const std::string_view id = batch.uniqueOf(r).eventId;
        out << QString::fromUtf8(id.data(), static_cast<qsizetype>(id.size()));
    }
    return out;
}

QStringList serverEventIds(LegbaClient& client, QObject* context) {
    QStringList out;
    AuditQuery query;
    query.limit = 1000;
    do {
        std::optional<Result<QByteArray>> body;
        client.auditLogRaw(query, context,
                           [&](Result<QByteArray> r) { body.emplace(std::move(r)); });
        if (!QTest::qWaitFor([&] { return body.has_value(); }, 15000) || !body->ok())
            return {};
        const audit::AuditBatch page = audit::parseAuditPage(body->value());
        out << eventIds(page);
        query.cursor = page.nextCursor;
    } while (!query.cursor.isEmpty());
    return out;
}

} // namespace legba::test
