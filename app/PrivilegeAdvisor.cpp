#include "PrivilegeAdvisor.h"

#include "Routes.h"

#include <QTimeZone>
#include <algorithm>
#include <nlohmann/json.hpp>

namespace legba {

namespace {

constexpr std::size_t kMaxCachedNeeds = 4096;

QDateTime utc(qint64 ms) {
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc());
}

qint8 indexOf(Scope scope) {
    const auto scopes = allScopes();
    return static_cast<qint8>(std::find(scopes.begin(), scopes.end(), scope) - scopes.begin());
}

} // namespace

int PrivilegeAdvisor::days(Window window) {
    switch (window) {
    case Window::Days30:
        return 30;
    case Window::Days90:
        return 90;
    case Window::AllLoaded:
        return 0;
    }
    return 0;
}

QString PrivilegeAdvisor::windowText(Window window) {
    switch (window) {
    case Window::Days30:
        return tr("Last 30 days");
    case Window::Days90:
        return tr("Last 90 days");
    case Window::AllLoaded:
        return tr("All loaded events");
    }
    return {};
}

void PrivilegeAdvisor::clear() {
    m_entries.clear();
    m_keyIndex.clear();
    m_needCache.clear();
    m_coverageFrom = {};
    m_oldestMs = 0;
}

qint8 PrivilegeAdvisor::needOf(std::string_view action, std::string_view details) {
    std::string cacheKey;
    cacheKey.reserve(action.size() + 1 + details.size());
    cacheKey.append(action).append(1, '\n').append(details);
    if (const auto it = m_needCache.find(cacheKey); it != m_needCache.end())
        return it->second;

    RequiredScope need;
    const nlohmann::json parsed = nlohmann::json::parse(details, nullptr, false);
    if (parsed.is_object()) {
        const auto method = parsed.find("method");
        const auto route = parsed.find("route");
        if (method != parsed.end() && route != parsed.end() && method->is_string() &&
            route->is_string())
            need = requiredScope(method->get_ref<const std::string&>(),
                                 route->get_ref<const std::string&>());
    }
    if (!need.known)
        need = requiredScopeForAction(action);
    const qint8 result = !need.known ? kUnknown : need.scope ? indexOf(*need.scope) : kNoScope;
    if (m_needCache.size() >= kMaxCachedNeeds)
        m_needCache.clear();
    m_needCache.emplace(std::move(cacheKey), result);
    return result;
}

void PrivilegeAdvisor::add(const audit::RecordView& record) {
    const audit::RecordStrings& s = record.strings();
    if (!s.hasActor || s.actorKeyId.empty())
        return;
    const QString keyId =
        QString::fromUtf8(s.actorKeyId.data(), static_cast<qsizetype>(s.actorKeyId.size()));
    auto it = m_keyIndex.find(keyId);
    if (it == m_keyIndex.end())
        it = m_keyIndex.insert(keyId, static_cast<quint32>(m_keyIndex.size()));
    const int status = record.record().statusCode;
    Entry entry;
    entry.ms = record.record().occurredMs;
    entry.key = *it;
    entry.need = needOf(s.action, s.details);
    entry.refused = status == 401 || status == 403 || status == 429;
    if (m_entries.empty() || entry.ms < m_oldestMs)
        m_oldestMs = entry.ms;
    m_entries.push_back(entry);
}

void PrivilegeAdvisor::add(const audit::AuditBatch& batch) {
    // No reserve per page: exact growth page after page would copy every entry each time.
    for (const audit::AuditRecord& record : batch.records)
        add(batch.view(record));
}

QDateTime PrivilegeAdvisor::coverageFrom() const {
    if (m_coverageFrom.isValid())
        return m_coverageFrom;
    return m_entries.empty() ? QDateTime() : utc(m_oldestMs);
}

PrivilegeAdvisor::Advice PrivilegeAdvisor::advise(const ApiKey& key, Window window,
                                                  const QDateTime& now) const {
    Advice advice;
    advice.keyId = key.keyId;
    const auto scopes = allScopes();
    std::vector<ScopeUse> byScope(scopes.size());
    for (std::size_t i = 0; i < scopes.size(); ++i) {
        byScope[i].scope = scopes[i];
        byScope[i].held = key.hasScope(wireName(scopes[i]));
        if (byScope[i].held)
            advice.held.append(scopes[i]);
    }
    for (const QString& scope : key.scopes) {
        if (!scopeFromWireName(scope))
            advice.otherScopes.append(scope);
    }

    // The period: the window, no earlier than the loaded events reach or the key exists.
    QDateTime from = coverageFrom();
    if (const int d = days(window); d > 0 && (!from.isValid() || from < now.addDays(-d)))
        from = now.addDays(-d);
    if (key.createdAt.isValid() && (!from.isValid() || from < key.createdAt))
        from = key.createdAt;
    advice.from = from;
    advice.to = now;
    if (key.createdAt.isValid() && now.isValid() && key.createdAt > now) {
        advice.verdict = Verdict::NotYetRead;
        advice.unused = advice.held;
        for (const ScopeUse& use : byScope) {
            if (use.held)
                advice.uses.push_back(use);
        }
        return advice;
    }

    const auto found = m_keyIndex.constFind(key.keyId);
    if (found != m_keyIndex.constEnd()) {
        const quint32 index = *found;
        const qint64 fromMs = from.isValid() ? from.toMSecsSinceEpoch() : 0;
        const qint64 toMs = now.toMSecsSinceEpoch();
        qint64 firstMs = 0;
        qint64 lastMs = 0;
        for (const Entry& e : m_entries) {
            if (e.key != index || e.ms < fromMs || e.ms > toMs)
                continue;
            if (advice.events == 0 || e.ms < firstMs)
                firstMs = e.ms;
            if (advice.events == 0 || e.ms > lastMs)
                lastMs = e.ms;
            ++advice.events;
            if (e.refused) {
                ++advice.refused;
                continue;
            }
            if (e.need == kUnknown) {
                ++advice.unknown;
                continue;
            }
            if (e.need == kNoScope) {
                ++advice.noScope;
                continue;
            }
            ScopeUse& use = byScope[static_cast<std::size_t>(e.need)];
            const QDateTime when = utc(e.ms);
            if (use.events == 0 || when < use.first)
                use.first = when;
            if (use.events == 0 || when > use.last)
                use.last = when;
            ++use.events;
        }
        if (advice.events > 0) {
            advice.firstEvent = utc(firstMs);
            advice.lastEvent = utc(lastMs);
        }
    }

    for (const ScopeUse& use : byScope) {
        if (!use.held)
            continue;
        advice.uses.push_back(use);
        if (use.events > 0)
            advice.used.append(use.scope);
        else
            advice.unused.append(use.scope);
    }
    if (advice.events == 0)
        advice.verdict = Verdict::Unused;
    else if (advice.unused.isEmpty())
        advice.verdict = Verdict::UsesAllItHolds;
    else
        advice.verdict = Verdict::HoldsUnused;
    return advice;
}

QString PrivilegeAdvisor::Advice::verdictText() const {
    switch (verdict) {
    case Verdict::UsesAllItHolds:
        return tr("uses all it holds");
    case Verdict::HoldsUnused:
        return unused.size() == 1 ? tr("holds 1 scope it has not used")
                                  : tr("holds %1 scopes it has not used").arg(unused.size());
    case Verdict::Unused:
        return tr("unused");
    case Verdict::NotYetRead:
        return tr("created after the log was read");
    }
    return {};
}

QString PrivilegeAdvisor::Advice::evidenceText(
    const std::function<QString(const QDateTime&)>& format) const {
    const auto time = [&](const QDateTime& t) {
        return format ? format(t) : t.toUTC().toString(Qt::ISODate);
    };
    if (verdict == Verdict::NotYetRead)
        // No full stop, as the other evidence lines: the panel ends the sentence.
        return tr("No events read: the key was created after the audit log was read (%1); "
                  "Reload to read its use")
            .arg(time(to));
    const QString period = from.isValid() ? tr("from %1 to %2").arg(time(from), time(to))
                                          : tr("up to %1").arg(time(to));
    QString text =
        events == 1 ? tr("1 event %1").arg(period) : tr("%1 events %2").arg(events).arg(period);
    if (refused > 0)
        text += tr("; %1 refused (no use of a scope)").arg(refused);
    if (unknown > 0)
        text += tr("; %1 requests this app does not know").arg(unknown);
    return text;
}

QStringList PrivilegeAdvisor::Advice::narrowedScopes() const {
    if (used.isEmpty())
        return {};
    QStringList out;
    for (Scope scope : used)
        out.append(wireName(scope));
    return out + otherScopes;
}

} // namespace legba
