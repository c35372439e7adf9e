#include "ReminderMonitor.h"

#include "Logging.h"
#include "Scope.h"
#include "Session.h"

#include <QCoreApplication>
#include <QLocale>
#include <QSettings>
#include <QTimer>
#include <optional>

namespace legba {

namespace {

constexpr QLatin1String kExpiringKey("reminders/expiringKeys");
constexpr QLatin1String kUnusedKey("reminders/unusedKeys");
constexpr QLatin1String kInstancesKey("reminders/longRunningInstances");
constexpr QLatin1String kHoursKey("reminders/instanceHours");
constexpr qint64 kSecondsPerDay = 86'400;

bool readBool(const QSettings& settings, QLatin1String key, bool fallback) {
    if (!settings.contains(key))
        return fallback;
    const QString text = settings.value(key).toString().trimmed().toLower();
    if (text == QLatin1String("true") || text == QLatin1String("1"))
        return true;
    if (text == QLatin1String("false") || text == QLatin1String("0"))
        return false;
    return fallback;
}

QString tr(const char* text) {
    return QCoreApplication::translate("legba::ReminderMonitor", text);
}

// English plurals without a loaded translation (tr's %n leaves "(s)" in place then).
QString plural(qint64 n, const char* one, const char* many) {
    return tr(n == 1 ? one : many).arg(n);
}

QString localDate(const QDateTime& when) {
    return QLocale().toString(when.toLocalTime(), QLocale::ShortFormat);
}

// "'ci-runner' (legba_Ab12…)": a key as a person knows it; never more than its prefix.
QString keyWords(const ApiKey& key) {
    return key.prefix.isEmpty() ? QStringLiteral("'%1'").arg(key.name)
                                : QStringLiteral("'%1' (%2…)").arg(key.name, key.prefix);
}

bool isActive(const ApiKey& key) {
    return key.status == KeyStatus::Active;
}

std::optional<Reminder> expiring(const ApiKey& key, const QDateTime& now) {
    if (!key.expiresAt.isValid() || key.expiresAt <= now)
        return std::nullopt;
    const qint64 left = now.secsTo(key.expiresAt);
    if (left > reminders::kExpiringDays * kSecondsPerDay)
        return std::nullopt;
    Reminder reminder;
    reminder.kind = Reminder::Kind::KeyExpiring;
    reminder.target = {ReminderTarget::Pane::Keys, key.keyId};
    // To the nearest day: 2 days and 23 hours reads "in 3 days".
    const qint64 days = (left + kSecondsPerDay / 2) / kSecondsPerDay;
    reminder.title = left < kSecondsPerDay ? tr("An API key expires within a day")
                                           : plural(days, "An API key expires in %1 day",
                                                    "An API key expires in %1 days");
    reminder.text = tr("The key %1 expires on %2. Rotate it before then, or whatever uses it "
                       "will stop working.")
                        .arg(keyWords(key), localDate(key.expiresAt));
    reminder.stateStamp = key.expiresAt.toMSecsSinceEpoch();
    return reminder;
}

std::optional<Reminder> unused(const ApiKey& key, const QDateTime& now) {
    const QDateTime since = key.lastUsedAt.isValid() ? key.lastUsedAt : key.createdAt;
    if (!since.isValid() || since.secsTo(now) < reminders::kUnusedDays * kSecondsPerDay)
        return std::nullopt;
    Reminder reminder;
    reminder.kind = Reminder::Kind::KeyUnused;
    reminder.target = {ReminderTarget::Pane::Keys, key.keyId};
    reminder.title =
        plural(since.secsTo(now) / kSecondsPerDay, "An API key has not been used for %1 day",
               "An API key has not been used for %1 days");
    reminder.text = key.lastUsedAt.isValid()
                        ? tr("The key %1 was last used on %2. Revoke it if nothing needs it.")
                              .arg(keyWords(key), localDate(key.lastUsedAt))
                        : tr("The key %1 was created on %2 and has never been used. Revoke it "
                             "if nothing needs it.")
                              .arg(keyWords(key), localDate(key.createdAt));
    reminder.stateStamp = since.toMSecsSinceEpoch();
    return reminder;
}

QString kindName(Reminder::Kind kind) {
    switch (kind) {
    case Reminder::Kind::KeyExpiring:
        return QStringLiteral("expiring");
    case Reminder::Kind::KeyUnused:
        return QStringLiteral("unused");
    case Reminder::Kind::InstanceLongRunning:
        return QStringLiteral("running");
    }
    return {};
}

} // namespace

ReminderSettings ReminderSettings::load(const QSettings& settings) {
    ReminderSettings values;
    values.expiringKeys = readBool(settings, kExpiringKey, values.expiringKeys);
    values.unusedKeys = readBool(settings, kUnusedKey, values.unusedKeys);
    values.longRunningInstances = readBool(settings, kInstancesKey, values.longRunningInstances);
    bool ok = false;
    const int hours = settings.value(kHoursKey, kDefaultInstanceHours).toInt(&ok);
    values.instanceHours =
        ok && hours >= 1 && hours <= kMaxInstanceHours ? hours : kDefaultInstanceHours;
    return values;
}

void ReminderSettings::save(QSettings& settings) const {
    settings.setValue(kExpiringKey, expiringKeys);
    settings.setValue(kUnusedKey, unusedKeys);
    settings.setValue(kInstancesKey, longRunningInstances);
    settings.setValue(kHoursKey, instanceHours);
}

std::vector<Reminder> reminders::forKeys(const std::vector<ApiKey>& keys,
                                         const ReminderSettings& settings, const QDateTime& now) {
    std::vector<Reminder> found;
    for (const ApiKey& key : keys) {
        if (!isActive(key))
            continue;
        if (settings.expiringKeys) {
            if (auto reminder = expiring(key, now))
                found.push_back(std::move(*reminder));
        }
        if (settings.unusedKeys) {
            if (auto reminder = unused(key, now))
                found.push_back(std::move(*reminder));
        }
    }
    return found;
}

std::vector<Reminder> reminders::forInstances(const std::vector<Instance>& instances,
                                              const ReminderSettings& settings,
                                              const QDateTime& now) {
    std::vector<Reminder> found;
    if (!settings.longRunningInstances)
        return found;
    const qint64 threshold = qint64(settings.instanceHours) * 3600;
    for (const Instance& instance : instances) {
        if (instance.status != InstanceStatus::Running || !instance.createdAt.isValid())
            continue;
        const qint64 age = instance.createdAt.secsTo(now);
        if (age < threshold)
            continue;
        Reminder reminder;
        reminder.kind = Reminder::Kind::InstanceLongRunning;
        reminder.target = {ReminderTarget::Pane::Instances, instance.instanceUuid};
        reminder.title = plural(age / 3600, "An instance has been running for %1 hour",
                                "An instance has been running for %1 hours");
        reminder.text = tr("The instance %1 (%2, %3) has been running since %4. Destroy it if "
                           "it is no longer needed.")
                            .arg(instance.instanceUuid.left(8), instance.image,
                                 instance.size.wire(), localDate(instance.createdAt));
        reminder.stateStamp = instance.createdAt.toMSecsSinceEpoch();
        found.push_back(std::move(reminder));
    }
    return found;
}

ReminderMonitor::ReminderMonitor(Session* session, Notifier* notifier, QObject* parent)
    : QObject(parent)
    , m_session(session)
    , m_notifier(notifier)
    , m_timer(new QTimer(this))
    , m_now(&QDateTime::currentDateTimeUtc)
    , m_settings([] { return ReminderSettings::load(QSettings()); }) {
    m_timer->setInterval(m_period);
    connect(m_timer, &QTimer::timeout, this, &ReminderMonitor::pollNow);
    connect(m_session, &Session::stateChanged, this, &ReminderMonitor::onSessionStateChanged);
    if (m_session->state() == Session::State::Connected)
        m_timer->start();
}

ReminderMonitor::~ReminderMonitor() {
    m_keysCall.cancel();
    m_instancesCall.cancel();
}

void ReminderMonitor::setPeriod(std::chrono::milliseconds period) {
    m_period = period;
    m_timer->setInterval(period);
}

void ReminderMonitor::onSessionStateChanged() {
    if (m_session->state() == Session::State::Connected) {
        m_timer->start();
        pollNow();
        return;
    }
    // Offline, rejected, disconnected: nothing to ask until it is connected again. What was
    // told stays told: coming back online is not news.
    m_timer->stop();
    m_keysCall.cancel();
    m_instancesCall.cancel();
    m_keysObservedAt = {};
    m_instancesObservedAt = {};
    if (m_pending > 0) {
        m_pending = 0;
        Q_EMIT pollFinished();
    }
}

bool ReminderMonitor::fresh(const QDateTime& observedAt, const QDateTime& now) const {
    return observedAt.isValid() && observedAt.msecsTo(now) >= 0 &&
           observedAt.msecsTo(now) < m_period.count();
}

QString ReminderMonitor::organization() const {
    return m_session->profile() ? m_session->profile()->orgUuid : QString();
}

void ReminderMonitor::pollNow() {
    if (m_pending > 0)
        return;
    if (m_session->state() != Session::State::Connected) {
        Q_EMIT pollFinished();
        return;
    }
    const ReminderSettings settings = m_settings();
    const QDateTime now = m_now();
    LegbaClient* client = m_session->client();
    // Without the scope the answer would be 403: not asked at all.
    const bool askKeys =
        settings.wantsKeys() && m_session->can(Scope::KeysRead) && !fresh(m_keysObservedAt, now);
    const bool askInstances = settings.longRunningInstances &&
                              m_session->can(Scope::InstancesRead) &&
                              !fresh(m_instancesObservedAt, now);
    m_pending = int(askKeys) + int(askInstances);
    if (m_pending == 0) {
        Q_EMIT pollFinished();
        return;
    }
    if (askKeys) {
        m_keysCall = client->listKeys(
            false, this, [this](Result<KeyList> result) { onKeys(std::move(result)); });
    }
    if (askInstances) {
        m_instancesCall = client->listInstances(
            this, [this](Result<InstanceList> result) { onInstances(std::move(result)); });
    }
}

void ReminderMonitor::onKeys(Result<KeyList> result) {
    if (result)
        raise(reminders::forKeys(result.value().keys, m_settings(), m_now()));
    else
        qCDebug(lcApp) << "reminders: no key list:" << result.error().details();
    finishOne();
}

void ReminderMonitor::onInstances(Result<InstanceList> result) {
    if (result)
        raise(reminders::forInstances(result.value().instances, m_settings(), m_now()));
    else
        qCDebug(lcApp) << "reminders: no instance list:" << result.error().details();
    finishOne();
}

void ReminderMonitor::finishOne() {
    if (m_pending > 0 && --m_pending == 0)
        Q_EMIT pollFinished();
}

void ReminderMonitor::observeKeys(const std::vector<ApiKey>& keys) {
    if (m_session->state() != Session::State::Connected)
        return;
    const QDateTime now = m_now();
    m_keysObservedAt = now;
    raise(reminders::forKeys(keys, m_settings(), now));
}

void ReminderMonitor::observeInstances(const std::vector<Instance>& instances) {
    if (m_session->state() != Session::State::Connected)
        return;
    const QDateTime now = m_now();
    m_instancesObservedAt = now;
    raise(reminders::forInstances(instances, m_settings(), now));
}

void ReminderMonitor::raise(const std::vector<Reminder>& reminders) {
    const QString org = organization();
    for (const Reminder& reminder : reminders) {
        const QString key = org + QLatin1Char('|') + kindName(reminder.kind) + QLatin1Char('|') +
                            reminder.target.itemId;
        const auto told = m_told.constFind(key);
        if (told != m_told.constEnd() && *told == reminder.stateStamp)
            continue;
        m_told.insert(key, reminder.stateStamp);
        ++m_raisedCount;
        qCInfo(lcApp) << "reminder:" << kindName(reminder.kind) << reminder.target.itemId;
        if (m_notifier)
            m_notifier->notify(reminder.title, reminder.text, reminder.target);
    }
}

} // namespace legba
