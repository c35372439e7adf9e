#pragma once

// Audit pages shaped like `legba-server seed-demo`'s events, for the audit benchmarks.

#include "AuditPageSax.h"
#include "DemoData.h"
#include "Json.h"

#include <QByteArray>
#include <QDateTime>
#include <QRandomGenerator>
#include <QTimeZone>
#include <iterator>
#include <string>

namespace legba::bench {

class AuditPageGenerator {
public:
    explicit AuditPageGenerator(quint32 seed = 7)
        : m_rng(seed) {}

    // `count` events, newest first, ~2.6 s apart (a million over 30 days), as the server
    // serialises them (json::toJson, nlohmann's dump: keys sorted).
    QByteArray serverPage(int count, bool withCursor = true) {
        AuditPage page;
        page.events.reserve(static_cast<std::size_t>(count));
        for (int i = 0; i < count; ++i)
            page.events.push_back(next());
        if (withCursor)
            page.nextCursor = QStringLiteral("cursor-%1").arg(++m_pages);
        return json::dump(json::toJson(page));
    }

    // The next event is stamped just before `msecs` (events go back in time from there).
    void setTimeMs(qint64 msecs) { m_timeMs = msecs; }
    qint64 timeMs() const { return m_timeMs; }

    AuditEvent next() {
        const server::demo::EventShape* shape =
            &server::demo::eventShape(m_rng.bounded(quint32{server::demo::kTotalWeight}));
        AuditEvent e;
        e.eventId = QStringLiteral("evt_") + token(20, "0123456789abcdefghijklmnopqrstuvwxyz");
        m_timeMs -= 2592;
        e.occurredAt = QDateTime::fromMSecsSinceEpoch(m_timeMs, QTimeZone::utc());
        e.action = QString::fromLatin1(shape->action);
        e.statusCode = shape->status;
        e.outcome = shape->status < 400 ? AuditOutcome::Success : AuditOutcome::Failure;
        e.ip = QStringLiteral("203.0.113.%1").arg(m_rng.bounded(1, 255));
        e.userAgent = QString::fromLatin1(server::demo::kUserAgents[m_rng.bounded(
            static_cast<quint32>(std::size(server::demo::kUserAgents)))]);
        e.requestId = QStringLiteral("req_") + token(16, "0123456789abcdef");
        nlohmann::json details{{"method", shape->method}, {"route", shape->route}, {"demo", true}};
        if (e.action == QLatin1String("auth.failed")) {
            details["reason"] = "unknown_key";
            details["key_prefix"] = server::demo::kFailedKeyPrefix;
        } else {
            const auto a = m_rng.bounded(static_cast<quint32>(std::size(server::demo::kKeys)));
            e.actor = AuditActor{QStringLiteral("key_%1").arg(a, 16, 10, QLatin1Char('0')),
                                 QString::fromLatin1(server::demo::kKeys[a].name),
                                 QStringLiteral("legba_A%1b2C3d").arg(a)};
            if (e.action.startsWith(QLatin1String("instance.")))
                e.target = AuditTarget{QStringLiteral("instance"), uuid()};
            else if (e.action.startsWith(QLatin1String("api_key.")))
                e.target = AuditTarget{QStringLiteral("api_key"),
                                       QStringLiteral("key_") +
                                           token(16, "0123456789abcdefghijklmnopqrstuvwxyz")};
            if (shape->status >= 400)
                details["error"] = shape->status == 409 ? "CONFLICT" : "FORBIDDEN";
        }
        e.detailsJson = json::dump(details);
        return e;
    }

private:
    QString token(int n, const char* alphabet) {
        const auto size = static_cast<quint32>(std::strlen(alphabet));
        QString s;
        s.reserve(n);
        for (int i = 0; i < n; ++i)
            s.append(QLatin1Char(alphabet[m_rng.bounded(size)]));
        return s;
    }
    QString uuid() {
        const QString h = token(32, "0123456789abcdef");
        return h.left(8) + QLatin1Char('-') + h.mid(8, 4) + QLatin1Char('-') + h.mid(12, 4) +
               QLatin1Char('-') + h.mid(16, 4) + QLatin1Char('-') + h.mid(20);
    }

    QRandomGenerator m_rng;
    qint64 m_timeMs = 1'767'225'600'000; // 2026-01-01
    int m_pages = 0;
};

} // namespace legba::bench
