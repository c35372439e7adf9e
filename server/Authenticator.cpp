#include "Authenticator.h"

#include "ApiFailure.h"
#include "ApiShape.h"
#include "Json.h"
#include "KeyFormat.h"
#include "Rfc3339.h"

namespace legba::server {

using Json = nlohmann::json;
namespace wire = legba::json;

namespace {

constexpr qint64 kWindowMs = 60'000;

// Only what looks like a key's prefix is kept: never more than 12 printable characters.
QString presentedPrefix(const QByteArray& token) {
    if (!token.startsWith(keyformat::kTag) || token.size() < keyformat::kPrefixLength)
        return {};
    const QByteArray prefix = token.first(keyformat::kPrefixLength);
    for (char c : prefix) {
        if (c < 0x21 || c > 0x7e)
            return {};
    }
    return QString::fromLatin1(prefix);
}

} // namespace

void Authenticator::authenticate(Call& call) {
    const QString& orgUuid = call.orgUuid;
    const HttpRequest& req = call.request;
    const QByteArray header = req.header("authorization");
    QByteArray token;
    // RFC 7235: the scheme is case-insensitive; the contract asks for exactly one space.
    if (header.size() > 7 && header[6] == ' ' &&
        header.first(6).compare("bearer", Qt::CaseInsensitive) == 0)
        token = header.mid(7);
    if (token.contains(' ') || token.contains('\t'))
        token.clear();

    // Whatever was presented (nothing, a malformed token, an unknown, revoked, expired or
    // valid key) costs the same work before the verdict: one digest and one lookup, cached
    // for unknown digests as for known ones (CachedStore). A refusal's time then says
    // nothing about which kind it was. Secrets are never compared, only their digests, as
    // hash keys: matching a digest's first bytes teaches nothing about the key.
    std::optional<KeyRow> key = m_cache.keyByDigest(keyformat::digest(token));
    QString reason;
    if (token.isEmpty()) {
        reason = QStringLiteral("missing_or_malformed");
        key.reset();
    } else if (!m_shape.admitsToken(token)) {
        reason = QStringLiteral("malformed_key");
        key.reset();
    } else if (!key || key->orgUuid != orgUuid) {
        reason = QStringLiteral("unknown_key");
        key.reset();
    } else if (!key->usableAt(call.now)) {
        reason = key->toApiKey(call.now).status == KeyStatus::Expired
                     ? QStringLiteral("expired_key")
                     : QStringLiteral("revoked_key");
        key.reset();
    }
    if (!key)
        refuse(call, token, reason);
    call.key = std::move(key);
    m_writer.noteUse(call.key->keyId, call.now);
    if (m_lastUse.size() > 100000)
        m_lastUse.clear(); // the database has all but the last batch's values
    m_lastUse.insert(call.key->keyId, call.now);
}

void Authenticator::refuse(Call& call, const QByteArray& token, const QString& reason) {
    const HttpRequest& req = call.request;
    const QString& orgUuid = call.orgUuid;
    // Limited per client address, recorded in the named organization's log.
    int status = 401;
    int retryAfter = 0;
    if (m_options.failedAuthPerMinute > 0) {
        std::deque<qint64>& failures = m_failedAuth[req.clientAddress];
        while (!failures.empty() && failures.front() <= call.now - kWindowMs)
            failures.pop_front();
        if (static_cast<int>(failures.size()) >= m_options.failedAuthPerMinute) {
            status = 429;
            retryAfter = static_cast<int>((failures.front() + kWindowMs - call.now + 999) / 1000);
        } else {
            failures.push_back(call.now);
        }
        if (m_failedAuth.size() > 10000) {
            for (auto it = m_failedAuth.begin(); it != m_failedAuth.end();) {
                if (it->empty() || it->back() <= call.now - kWindowMs)
                    it = m_failedAuth.erase(it);
                else
                    ++it;
            }
        }
    }
    const bool recorded = !orgUuid.isEmpty() && m_store.organizationExists(orgUuid);
    const QString suppressedKey = req.clientAddress + QLatin1Char('\n') + orgUuid;
    if (recorded) {
        // A count whose window closed goes in first, so the log keeps the order.
        const auto it = m_suppressed.find(suppressedKey);
        if (it != m_suppressed.end() && call.now - it->firstMs >= kWindowMs) {
            recordSuppressed(*it);
            m_suppressed.erase(it);
        }
    }
    if (recorded && status == 429) {
        Suppressed& s = m_suppressed[suppressedKey];
        if (s.count == 0) {
            s.orgUuid = orgUuid;
            s.ip = req.clientAddress;
            s.firstMs = call.now;
        }
        ++s.count;
        s.lastMs = call.now;
        if (m_suppressed.size() > 10000)
            recordSuppressedUpTo(call.now, true); // bounded memory: record early, not never
    } else if (recorded) {
        AuditRecord r;
        r.orgUuid = orgUuid;
        r.occurredAtMs = call.now;
        r.action = QStringLiteral("auth.failed");
        r.statusCode = status;
        r.ip = req.clientAddress;
        r.userAgent = sanitized(req.header("user-agent"), 256);
        r.requestId = call.requestId;
        Json noted{{"reason", wire::str(reason)}};
        const QString prefix = presentedPrefix(token);
        if (!prefix.isEmpty())
            noted["key_prefix"] = wire::str(prefix);
        r.detailsJson = detailsText(noted, req.method, sanitized(req.path, 256));
        m_writer.enqueue(std::move(r));
    }
    if (status == 429)
        throw ApiFailure(ErrorCode::RateLimited,
                         QStringLiteral("Too many failed authentications; retry later"),
                         retryAfter);
    throw ApiFailure(ErrorCode::Unauthorized, QString::fromLatin1(kUnauthorizedMessage));
}

void Authenticator::checkKeyRate(Call& call) {
    const int limit = m_options.keyRequestsPerMinute;
    if (limit <= 0)
        return;
    Window& w = m_keyWindows[call.key->keyId];
    if (call.now - w.start >= kWindowMs) {
        w.start = call.now;
        w.count = 0;
    }
    const qint64 reset = (w.start + kWindowMs - call.now + 999) / 1000;
    if (w.count >= limit) {
        call.rate = std::array<qint64, 3>{limit, 0, reset};
        throw ApiFailure(ErrorCode::RateLimited,
                         QStringLiteral("This key exceeded %1 requests per minute").arg(limit),
                         static_cast<int>(reset));
    }
    ++w.count;
    call.rate = std::array<qint64, 3>{limit, limit - w.count, reset};
}

void Authenticator::recordSuppressed(const Suppressed& s) {
    AuditRecord r;
    r.orgUuid = s.orgUuid;
    r.occurredAtMs = s.lastMs;
    r.action = QStringLiteral("auth.failed");
    r.statusCode = 429;
    r.ip = s.ip;
    const Json noted{
        {"reason", "rate_limited"},
        {"aggregated", s.count},
        {"window_seconds", kWindowMs / 1000},
        {"first_at", wire::str(rfc3339::formatMs(s.firstMs))},
        {"message",
         wire::str(QStringLiteral("%1 more failed attempts from %2").arg(s.count).arg(s.ip))}};
    r.detailsJson = wire::dump(noted);
    m_writer.enqueue(std::move(r));
}

void Authenticator::recordSuppressedUpTo(qint64 now, bool all) {
    for (auto it = m_suppressed.begin(); it != m_suppressed.end();) {
        if (all || now - it->firstMs >= kWindowMs) {
            recordSuppressed(*it);
            it = m_suppressed.erase(it);
        } else {
            ++it;
        }
    }
}

} // namespace legba::server
