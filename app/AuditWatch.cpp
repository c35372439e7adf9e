#include "AuditWatch.h"

#include <QSettings>
#include <QTimeZone>
#include <algorithm>
#include <nlohmann/json.hpp>

namespace legba {

namespace {

constexpr auto kFailedAuth = "auth.failed";
constexpr auto kKeyCreated = "api_key.created";
constexpr auto kKeysWrite = "keys:write";
// Event ids remembered to count an event fed twice once; the oldest are forgotten past this.
constexpr qsizetype kMaxSeen = 100000;
// An alert names this many addresses, then says how many more.
constexpr qsizetype kNamedAddresses = 3;

QString str(std::string_view text) {
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

bool readBool(const QSettings& settings, const QString& name, bool fallback) {
    const QVariant value = settings.value(name);
    if (!value.isValid())
        return fallback;
    const QString text = value.toString().trimmed().toLower();
    if (text == QLatin1String("true") || text == QLatin1String("1"))
        return true;
    if (text == QLatin1String("false") || text == QLatin1String("0"))
        return false;
    return fallback;
}

int readInt(const QSettings& settings, const QString& name, int low, int high, int fallback) {
    bool ok = false;
    const int value = settings.value(name).toInt(&ok);
    return ok && value >= low && value <= high ? value : fallback;
}

// The pane filters by whole seconds: the range that holds [firstMs, lastMs].
void setRange(ReminderTarget& target, qint64 firstMs, qint64 lastMs) {
    const auto floorSecond = [](qint64 ms) {
        return ms - (((ms % 1000) + 1000) % 1000);
    };
    target.since = QDateTime::fromMSecsSinceEpoch(floorSecond(firstMs), QTimeZone::utc());
    target.until = QDateTime::fromMSecsSinceEpoch(floorSecond(lastMs) + 1000, QTimeZone::utc());
}

QString addressList(const QStringList& addresses) {
    QStringList named = addresses.mid(0, kNamedAddresses);
    QString text = named.join(QStringLiteral(", "));
    if (addresses.size() > kNamedAddresses)
        text += AuditWatch::tr(" and %1 more").arg(addresses.size() - kNamedAddresses);
    return text;
}

} // namespace

// ---- settings ---------------------------------------------------------------------------

WatchSettings WatchSettings::load(const QSettings& settings) {
    WatchSettings s;
    s.failedAuthBurst =
        readBool(settings, QStringLiteral("watch/failedAuthBurst"), s.failedAuthBurst);
    s.burstCount = readInt(settings, QStringLiteral("watch/burstCount"), kMinBurstCount,
                           kMaxBurstCount, s.burstCount);
    s.burstMinutes = readInt(settings, QStringLiteral("watch/burstMinutes"), 1, kMaxBurstMinutes,
                             s.burstMinutes);
    s.newAddress = readBool(settings, QStringLiteral("watch/newAddress"), s.newAddress);
    s.deadKeyUse = readBool(settings, QStringLiteral("watch/deadKeyUse"), s.deadKeyUse);
    s.keysWriteCreated =
        readBool(settings, QStringLiteral("watch/keysWriteCreated"), s.keysWriteCreated);
    return s;
}

void WatchSettings::save(QSettings& settings) const {
    settings.setValue(QStringLiteral("watch/failedAuthBurst"), failedAuthBurst);
    settings.setValue(QStringLiteral("watch/burstCount"), burstCount);
    settings.setValue(QStringLiteral("watch/burstMinutes"), burstMinutes);
    settings.setValue(QStringLiteral("watch/newAddress"), newAddress);
    settings.setValue(QStringLiteral("watch/deadKeyUse"), deadKeyUse);
    settings.setValue(QStringLiteral("watch/keysWriteCreated"), keysWriteCreated);
}

// ---- the watch ----------------------------------------------------------------------------

struct AuditWatch::Event {
    QString eventId;
    qint64 ms = 0;
    QString action;
    QString ip;
    QString keyId, name, prefix; // the actor's
    QString targetId;
    bool failure = false;
    int statusCode = 0;
    // From details.
    QString reason;
    QString presentedPrefix;
    qint64 aggregated = 0;
    QStringList scopes;
    QString createdName;
};

AuditWatch::AuditWatch(Notifier* notifier, QObject* parent)
    : QObject(parent)
    , m_notifier(notifier)
    , m_settings([] { return WatchSettings::load(QSettings()); }) {
    qRegisterMetaType<legba::WatchAlert>();
}

AuditWatch::~AuditWatch() = default;

void AuditWatch::setOrganization(const QString& organization) {
    if (organization == m_organization)
        return;
    m_organization = organization;
    reset();
}

void AuditWatch::reset() {
    m_seen.clear();
    m_failures.clear();
    m_lastFailureMs = 0;
    m_burstTold = false;
    m_addresses.clear();
    m_deadTold.clear();
    m_keys.clear();
}

void AuditWatch::observeKeys(const std::vector<ApiKey>& keys) {
    m_keys = keys;
}

std::vector<WatchAlert> AuditWatch::observe(const audit::AuditBatch& batch, std::size_t count,
                                            Mode mode) {
    std::vector<audit::RecordView> views;
    const std::size_t n = std::min(count, batch.records.size());
    views.reserve(n);
    for (std::size_t i = 0; i < n; ++i)
        views.push_back(batch.view(i));
    return observe(views, mode);
}

std::vector<WatchAlert> AuditWatch::observe(const std::vector<audit::RecordView>& newestFirst,
                                            Mode mode) {
    if (mode == Mode::Watch && m_sinceMs != kWatchingAlways) {
        // Events from before the watch began arrive with the first sync after time away (the
        // archive brings all the server recorded since): history to learn, not to alert on.
        std::vector<audit::RecordView> recent;
        std::vector<audit::RecordView> earlier;
        for (const audit::RecordView& view : newestFirst)
            (view.record().occurredMs >= m_sinceMs ? recent : earlier).push_back(view);
        if (!earlier.empty()) {
            observe(earlier, Mode::Learn);
            return observe(recent, Mode::Watch);
        }
    }
    if (mode == Mode::Learn) {
        // History (a pane's pages, up to the whole log) only teaches keys their addresses:
        // no event is kept, nothing else is read.
        for (const audit::RecordView& view : newestFirst) {
            const audit::RecordStrings& s = view.strings();
            if (s.hasActor && !s.actorKeyId.empty() && !s.ip.empty())
                m_addresses[str(s.actorKeyId)].insert(str(s.ip));
        }
        return {};
    }
    if (m_seen.size() > kMaxSeen)
        m_seen.clear(); // bounded: the feed hands each new event once anyway
    std::vector<Event> events;
    events.reserve(newestFirst.size());
    for (auto it = newestFirst.rbegin(); it != newestFirst.rend(); ++it) {
        const audit::RecordStrings& s = it->strings();
        Event e;
        e.eventId = str(s.eventId);
        if (e.eventId.isEmpty() || m_seen.contains(e.eventId))
            continue;
        m_seen.insert(e.eventId);
        e.ms = it->record().occurredMs;
        e.action = str(s.action);
        e.ip = str(s.ip);
        if (s.hasActor) {
            e.keyId = str(s.actorKeyId);
            e.name = str(s.actorName);
            e.prefix = str(s.actorPrefix);
        }
        e.targetId = str(s.targetId);
        e.failure = it->record().failure();
        e.statusCode = it->record().statusCode;
        if (!s.details.empty() && (e.action == QLatin1String(kFailedAuth) ||
                                   e.action == QLatin1String(kKeyCreated) || e.failure)) {
            const nlohmann::json details = nlohmann::json::parse(s.details, nullptr, false);
            if (details.is_object()) {
                const auto text = [&](const char* name) {
                    const auto found = details.find(name);
                    return found != details.end() && found->is_string()
                               ? str(found->get_ref<const std::string&>())
                               : QString();
                };
                e.reason = text("reason");
                e.presentedPrefix = text("key_prefix");
                e.createdName = text("name");
                if (const auto found = details.find("aggregated");
                    found != details.end() && found->is_number_integer())
                    e.aggregated = found->get<qint64>();
                if (const auto found = details.find("scopes");
                    found != details.end() && found->is_array()) {
                    for (const auto& scope : *found) {
                        if (scope.is_string())
                            e.scopes << str(scope.get_ref<const std::string&>());
                    }
                }
            }
        }
        events.push_back(std::move(e));
    }

    std::vector<WatchAlert> alerts;
    const WatchSettings settings = m_settings();
    addresses(events, mode, settings, alerts);
    if (mode == Mode::Watch) {
        std::vector<Event> failures;
        for (const Event& e : events) {
            if (e.action == QLatin1String(kFailedAuth))
                failures.push_back(e);
        }
        std::stable_sort(failures.begin(), failures.end(),
                         [](const Event& a, const Event& b) { return a.ms < b.ms; });
        burst(failures, settings, alerts);
        if (settings.deadKeyUse)
            deadKeys(events, alerts);
        if (settings.keysWriteCreated)
            created(events, alerts);
    }
    for (const WatchAlert& alert : alerts) {
        ++m_alertCount;
        if (m_notifier)
            m_notifier->notify(alert.title, alert.text, alert.target);
        Q_EMIT alerted(alert);
    }
    return alerts;
}

void AuditWatch::burst(const std::vector<Event>& failures, const WatchSettings& settings,
                       std::vector<WatchAlert>& alerts) {
    const qint64 windowMs = qint64(settings.burstMinutes) * 60'000;
    for (const Event& e : failures) {
        if (m_burstTold && e.ms > m_lastFailureMs + windowMs)
            m_burstTold = false; // the burst is over: a quiet window passed
        m_lastFailureMs = std::max(m_lastFailureMs, e.ms);
        m_failures.push_back({e.ms, std::max<qint64>(1, e.aggregated), e.eventId});
        while (!m_failures.empty() && m_failures.front().ms <= e.ms - windowMs)
            m_failures.pop_front();
        qint64 total = 0;
        for (const Failure& f : m_failures)
            total += f.weight;
        if (m_burstTold || !settings.failedAuthBurst || total < settings.burstCount)
            continue;
        m_burstTold = true;
        WatchAlert alert;
        alert.rule = WatchAlert::Rule::FailedAuthBurst;
        alert.target.pane = ReminderTarget::Pane::Audit;
        alert.target.action = QLatin1String(kFailedAuth);
        qint64 first = e.ms;
        for (const Failure& f : m_failures) {
            alert.eventIds << f.eventId;
            first = std::min(first, f.ms);
        }
        setRange(alert.target, first, e.ms);
        QStringList ips;
        for (const Event& other : failures) {
            if (other.ms >= first && other.ms <= e.ms && !other.ip.isEmpty() &&
                !ips.contains(other.ip))
                ips << other.ip;
        }
        alert.title = tr("%n failed authentications", nullptr, static_cast<int>(total));
        alert.text =
            tr("%n failed authentications within %1 minutes", nullptr, static_cast<int>(total))
                .arg(settings.burstMinutes);
        if (!ips.isEmpty())
            alert.text += tr(", from %1").arg(addressList(ips));
        alert.text += QLatin1Char('.');
        alerts.push_back(std::move(alert));
    }
}

void AuditWatch::addresses(const std::vector<Event>& events, Mode mode,
                           const WatchSettings& settings, std::vector<WatchAlert>& alerts) {
    // Keys first seen in this batch: all their addresses here are taught, none alerts.
    QSet<QString> firstSeen;
    for (const Event& e : events) {
        if (!e.keyId.isEmpty() && !m_addresses.contains(e.keyId))
            firstSeen.insert(e.keyId);
    }
    QHash<QString, qsizetype> alertOf; // "key\nip" -> index in `alerts`
    for (const Event& e : events) {
        if (e.keyId.isEmpty() || e.ip.isEmpty())
            continue;
        QSet<QString>& known = m_addresses[e.keyId];
        const QString pair = e.keyId + QLatin1Char('\n') + e.ip;
        if (const auto it = alertOf.constFind(pair); it != alertOf.constEnd()) {
            WatchAlert& alert = alerts[static_cast<std::size_t>(*it)];
            alert.eventIds << e.eventId;
            setRange(alert.target, alert.target.since.toMSecsSinceEpoch(), e.ms);
            continue;
        }
        if (known.contains(e.ip))
            continue;
        known.insert(e.ip);
        if (mode == Mode::Learn || firstSeen.contains(e.keyId) || !settings.newAddress)
            continue;
        WatchAlert alert;
        alert.rule = WatchAlert::Rule::NewAddress;
        alert.target.pane = ReminderTarget::Pane::Audit;
        alert.target.actorKeyId = e.keyId;
        alert.eventIds << e.eventId;
        setRange(alert.target, e.ms, e.ms);
        alert.title = tr("A key used from a new address");
        alert.text = tr("%1 was used from %2, an address it had not used in the events seen "
                        "since the app started watching.")
                         .arg(keyLabel(e.keyId, e.name, e.prefix), e.ip);
        alertOf.insert(pair, static_cast<qsizetype>(alerts.size()));
        alerts.push_back(std::move(alert));
    }
}

void AuditWatch::deadKeys(const std::vector<Event>& events, std::vector<WatchAlert>& alerts) {
    QHash<QString, qsizetype> alertOf; // prefix -> index in `alerts`
    for (const Event& e : events) {
        if (!e.failure)
            continue;
        const QString prefix = e.presentedPrefix.isEmpty() ? e.prefix : e.presentedPrefix;
        const ApiKey* known = nullptr;
        for (const ApiKey& key : m_keys) {
            if ((!prefix.isEmpty() && key.prefix == prefix) ||
                (!e.keyId.isEmpty() && key.keyId == e.keyId)) {
                known = &key;
                break;
            }
        }
        QString state;
        if (e.reason == QLatin1String("revoked_key") ||
            (known && known->status == KeyStatus::Revoked))
            state = tr("revoked");
        else if (e.reason == QLatin1String("expired_key") ||
                 (known && known->status == KeyStatus::Expired))
            state = tr("expired");
        if (state.isEmpty())
            continue;
        if (const auto it = alertOf.constFind(prefix); it != alertOf.constEnd()) {
            WatchAlert& alert = alerts[static_cast<std::size_t>(*it)];
            alert.eventIds << e.eventId;
            setRange(alert.target, alert.target.since.toMSecsSinceEpoch(), e.ms);
            continue;
        }
        if (m_deadTold.contains(prefix))
            continue;
        m_deadTold.insert(prefix);
        WatchAlert alert;
        alert.rule = WatchAlert::Rule::DeadKeyUse;
        alert.target.pane = ReminderTarget::Pane::Audit;
        alert.target.action = e.action;
        if (e.action != QLatin1String(kFailedAuth))
            alert.target.actorKeyId = e.keyId;
        alert.eventIds << e.eventId;
        setRange(alert.target, e.ms, e.ms);
        const QString label = known ? keyLabel(known->keyId, known->name, known->prefix)
                              : prefix.isEmpty() ? tr("A key")
                                                 : tr("The key %1…").arg(prefix);
        alert.title = tr("A %1 key was presented").arg(state);
        alert.text = e.ip.isEmpty()
                         ? tr("%1 was presented in a request, but it is %2.").arg(label, state)
                         : tr("%1 was presented in a request from %2, but it is %3.")
                               .arg(label, e.ip, state);
        alertOf.insert(prefix, static_cast<qsizetype>(alerts.size()));
        alerts.push_back(std::move(alert));
    }
}

void AuditWatch::created(const std::vector<Event>& events, std::vector<WatchAlert>& alerts) {
    for (const Event& e : events) {
        if (e.action != QLatin1String(kKeyCreated) || e.failure)
            continue;
        const ApiKey* known = nullptr;
        for (const ApiKey& key : m_keys) {
            if (!e.targetId.isEmpty() && key.keyId == e.targetId) {
                known = &key;
                break;
            }
        }
        if (!e.scopes.contains(QLatin1String(kKeysWrite)) &&
            !(known && known->hasScope(QLatin1String(kKeysWrite))))
            continue;
        WatchAlert alert;
        alert.rule = WatchAlert::Rule::KeysWriteCreated;
        alert.target.pane = ReminderTarget::Pane::Audit;
        alert.target.action = QLatin1String(kKeyCreated);
        alert.target.actorKeyId = e.keyId;
        alert.eventIds << e.eventId;
        setRange(alert.target, e.ms, e.ms);
        const QString name = !e.createdName.isEmpty() ? e.createdName
                             : known                  ? known->name
                                                      : e.targetId;
        alert.title = tr("A key with keys:write was created");
        alert.text =
            e.keyId.isEmpty()
                ? tr("“%1” was created with keys:write: it can create more keys.").arg(name)
                : tr("“%1” was created with keys:write by %2: it can create more keys.")
                      .arg(name, keyLabel(e.keyId, e.name, e.prefix));
        alerts.push_back(std::move(alert));
    }
}

QString AuditWatch::keyLabel(const QString& keyId, const QString& name,
                             const QString& prefix) const {
    QString shownName = name;
    QString shownPrefix = prefix;
    for (const ApiKey& key : m_keys) {
        if (key.keyId == keyId) {
            if (shownName.isEmpty())
                shownName = key.name;
            if (shownPrefix.isEmpty())
                shownPrefix = key.prefix;
            break;
        }
    }
    if (shownName.isEmpty())
        return shownPrefix.isEmpty() ? keyId : tr("The key %1…").arg(shownPrefix);
    return shownPrefix.isEmpty() ? tr("The key “%1”").arg(shownName)
                                 : tr("The key “%1” (%2…)").arg(shownName, shownPrefix);
}

} // namespace legba
