#pragma once

// Audit pages shaped like `legba-server seed-demo`'s events, for the audit benchmarks.

#include "AuditPageSax.h"
#include "Json.h"

#include <QByteArray>
#include <QDateTime>
#include <QRandomGenerator>
#include <QTimeZone>
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
        static const char* const agents[] = {"legba-python/1.4.2", "curl/7.88.1",
                                             "LegbaAdmin/0.1.0", "Go-http-client/1.1"};
        struct Shape {
            const char* action;
            const char* method;
            const char* route;
            int status;
            int weight;
        };
        static const Shape shapes[] = {
            {"api.request", "GET", "/instances", 200, 50},
            {"api.request", "GET", "/key", 200, 10},
            {"api.request", "GET", "/instances/{instance_uuid}", 200, 10},
            {"api.request", "GET", "/keys", 200, 5},
            {"instance.created", "POST", "/instances", 201, 8},
            {"instance.destroyed", "DELETE", "/instances/{instance_uuid}", 204, 6},
            {"instance.created", "POST", "/instances", 409, 1},
            {"api.request", "GET", "/audit-log", 200, 2},
            {"api.request", "GET", "/instances", 403, 1},
            {"auth.failed", "GET", "/instances", 401, 4},
            {"api_key.created", "POST", "/keys", 201, 1},
            {"api_key.rotated", "POST", "/keys/{key_id}/rotate", 200, 1},
            {"api_key.revoked", "DELETE", "/keys/{key_id}", 204, 1},
        };
        static const char* const names[] = {"CI pipeline",     "Grafana exporter",
                                            "Security review", "Key rotation bot",
                                            "Old laptop",      "Contractor (2024)"};
        int pick = static_cast<int>(m_rng.bounded(100U));
        const Shape* shape = shapes;
        while (pick >= shape->weight) {
            pick -= shape->weight;
            ++shape;
        }
        AuditEvent e;
        e.eventId = QStringLiteral("evt_") + token(20, "0123456789abcdefghijklmnopqrstuvwxyz");
        m_timeMs -= 2592;
        e.occurredAt = QDateTime::fromMSecsSinceEpoch(m_timeMs, QTimeZone::utc());
        e.action = QString::fromLatin1(shape->action);
        e.statusCode = shape->status;
        e.outcome = shape->status < 400 ? AuditOutcome::Success : AuditOutcome::Failure;
        e.ip = QStringLiteral("203.0.113.%1").arg(m_rng.bounded(1, 255));
        e.userAgent = QString::fromLatin1(agents[m_rng.bounded(4U)]);
        e.requestId = QStringLiteral("req_") + token(16, "0123456789abcdef");
        nlohmann::json details{{"method", shape->method}, {"route", shape->route}, {"demo", true}};
        if (e.action == QLatin1String("auth.failed")) {
            details["reason"] = "unknown_key";
            details["key_prefix"] = "legba_x7Qp2A";
        } else {
            const auto a = m_rng.bounded(6U);
            e.actor =
                AuditActor{QStringLiteral("key_%1").arg(a, 16, 10, QLatin1Char('0')),
                           QString::fromLatin1(names[a]), QStringLiteral("legba_A%1b2C3d").arg(a)};
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
