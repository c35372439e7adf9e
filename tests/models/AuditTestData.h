#pragma once

// Audit pages for tests, shaped like the server's (json::toJson of an AuditPage).
#include "AuditPageSax.h"
#include "Json.h"

#include <QTimeZone>

namespace legba::test {

inline AuditEvent auditEvent(int i, qint64 timeMs) {
    static const char* const actions[] = {"api.request", "auth.failed", "instance.created",
                                          "api_key.revoked", "api.request"};
    static const char* const agents[] = {"curl/8.0", "legba-python/1.4, \"beta\"", "Go\nclient"};
    AuditEvent e;
    e.eventId = QStringLiteral("evt_%1").arg(i, 8, 10, QLatin1Char('0'));
    e.occurredAt = QDateTime::fromMSecsSinceEpoch(timeMs, QTimeZone::utc());
    e.action = QString::fromLatin1(actions[i % 5]);
    const bool success = e.action != QLatin1String("auth.failed") && i % 13 != 0;
    e.outcome = success ? AuditOutcome::Success : AuditOutcome::Failure;
    e.statusCode = e.action == QLatin1String("auth.failed") ? 401 : (success ? 200 : 403);
    if (e.action != QLatin1String("auth.failed"))
        e.actor =
            AuditActor{QStringLiteral("key_%1").arg(i % 3), QStringLiteral("Key %1").arg(i % 3),
                       QStringLiteral("legba_P%1").arg(i % 3)};
    if (e.action == QLatin1String("instance.created"))
        e.target = AuditTarget{QStringLiteral("instance"), QStringLiteral("uuid-%1").arg(i)};
    e.ip = QStringLiteral("198.51.100.%1").arg(i % 20);
    e.userAgent = QString::fromLatin1(agents[i % 3]);
    e.requestId = QStringLiteral("req_%1").arg(i * 7919, 8, 16, QLatin1Char('0'));
    e.detailsJson = QByteArrayLiteral("{\"route\":\"/x\"}");
    return e;
}

// Events [first, first + count), newest first: event i happened at base - i seconds.
inline audit::AuditBatch auditBatch(int first, int count, const QString& nextCursor,
                                    qint64 baseMs = 1'750'000'000'000) {
    AuditPage page;
    for (int i = first; i < first + count; ++i)
        page.events.push_back(auditEvent(i, baseMs - qint64(i) * 1000));
    page.nextCursor = nextCursor;
    return audit::parseAuditPage(json::dump(json::toJson(page)));
}

} // namespace legba::test
