#include "KeysModel.h"

#include "RowsById.h"
#include "TimeFormat.h"

#include <QFont>
#include <QFontDatabase>
#include <limits>

namespace legba {

namespace {
constexpr qint64 kDay = 86400;
}

KeysModel::KeysModel(QObject* parent)
    : QAbstractTableModel(parent) {}

QString KeysModel::statusText(const OpenEnum<KeyStatus>& status) {
    if (!status.isKnown())
        return status.wire(); // a status the docs never named: the server's own word
    switch (*status.known()) {
    case KeyStatus::Active:
        return tr("active");
    case KeyStatus::Expired:
        return tr("expired");
    case KeyStatus::Revoked:
        return tr("revoked");
    }
    return {};
}

BadgeTone KeysModel::toneFor(const OpenEnum<KeyStatus>& status) {
    if (!status.isKnown())
        return BadgeTone::Neutral;
    switch (*status.known()) {
    case KeyStatus::Active:
        return BadgeTone::Good;
    case KeyStatus::Expired:
    case KeyStatus::Revoked:
        return BadgeTone::Bad;
    }
    return BadgeTone::Neutral;
}

namespace {
const QString& idOf(const ApiKey& key) {
    return key.keyId;
}
} // namespace

void KeysModel::setKeys(const std::vector<ApiKey>& keys) {
    RowsById::merge(*this, m_rows, keys, &idOf);
}

void KeysModel::upsert(const ApiKey& key) {
    RowsById::upsert(*this, m_rows, key, &idOf);
}

void KeysModel::setCurrentKeyId(const QString& keyId) {
    if (m_currentKeyId == keyId)
        return;
    const int before = rowOf(m_currentKeyId);
    m_currentKeyId = keyId;
    const int after = rowOf(m_currentKeyId);
    if (before >= 0)
        emitRowChanged(before);
    if (after >= 0)
        emitRowChanged(after);
}

void KeysModel::setPrivilege(const QString& keyId, const Privilege& privilege) {
    m_privileges.insert(keyId, privilege);
    if (const int row = rowOf(keyId); row >= 0)
        Q_EMIT dataChanged(index(row, PrivilegeColumn), index(row, PrivilegeColumn));
}

void KeysModel::clearPrivileges() {
    if (m_privileges.isEmpty())
        return;
    m_privileges.clear();
    if (!m_rows.empty())
        Q_EMIT dataChanged(index(0, PrivilegeColumn),
                           index(static_cast<int>(m_rows.size()) - 1, PrivilegeColumn));
}

const ApiKey* KeysModel::keyAt(int row) const {
    return RowsById::at(m_rows, row);
}

int KeysModel::rowOf(const QString& keyId) const {
    // No key has an empty id: "no current key" must not match a row.
    return keyId.isEmpty() ? -1 : RowsById::rowOf(m_rows, keyId, &idOf);
}

void KeysModel::refreshTimes() {
    if (m_rows.empty())
        return;
    const int last = static_cast<int>(m_rows.size()) - 1;
    Q_EMIT dataChanged(index(0, CreatedColumn), index(last, HealthColumn),
                       {Qt::DisplayRole, Qt::ToolTipRole, Qt::AccessibleTextRole, SortRole,
                        BadgeToneRole, HealthRole, InGraceRole});
}

void KeysModel::emitRowChanged(int row) {
    RowsById::rowChanged(*this, row);
}

bool KeysModel::inGrace(const ApiKey& key) const {
    return key.status == KeyStatus::Active && key.revokedAt.isValid() && key.revokedAt > now();
}

KeysModel::Health KeysModel::healthOf(const ApiKey& key) const {
    Health health = Healthy;
    const QDateTime current = now();
    if (key.status == KeyStatus::Revoked || inGrace(key))
        return health; // on its way out: nothing to act on
    if (key.status == KeyStatus::Expired || (key.expiresAt.isValid() && key.expiresAt <= current))
        return Expired;
    if (key.expiresAt.isValid() && current.secsTo(key.expiresAt) <= kExpiringSoonDays * kDay)
        health |= ExpiringSoon;
    if (!key.lastUsedAt.isValid())
        health |= NeverUsed;
    const QDateTime lastActivity = key.lastUsedAt.isValid() ? key.lastUsedAt : key.createdAt;
    if (lastActivity.isValid() && lastActivity.secsTo(current) >= kUnusedDays * kDay)
        health |= Unused;
    return health;
}

QString KeysModel::healthText(Health health, const ApiKey& key) const {
    QStringList words;
    if (health.testFlag(Expired))
        words << tr("expired");
    if (health.testFlag(ExpiringSoon))
        words << tr("expires %1").arg(timeformat::relative(key.expiresAt, now()));
    if (health.testFlag(NeverUsed))
        words << tr("never used");
    if (health.testFlag(Unused) && !health.testFlag(NeverUsed)) {
        const qint64 days = key.lastUsedAt.secsTo(now()) / kDay;
        words << tr("unused %1 days").arg(days);
    }
    return words.join(QStringLiteral(" · "));
}

QString KeysModel::statusCellText(const ApiKey& key) const {
    if (inGrace(key))
        return tr("retiring");
    return statusText(key.status);
}

QVariant KeysModel::tone(const ApiKey& key, Column column) const {
    switch (column) {
    case StatusColumn:
        return QVariant::fromValue(inGrace(key) ? BadgeTone::Warning : toneFor(key.status));
    case ExpiresColumn: {
        const Health health = healthOf(key);
        if (health.testFlag(Expired))
            return QVariant::fromValue(BadgeTone::Bad);
        if (health.testFlag(ExpiringSoon))
            return QVariant::fromValue(BadgeTone::Warning);
        return {};
    }
    case HealthColumn: {
        const Health health = healthOf(key);
        if (health.testFlag(Expired))
            return QVariant::fromValue(BadgeTone::Bad);
        if (health.testFlag(ExpiringSoon) || health.testFlag(Unused))
            return QVariant::fromValue(BadgeTone::Warning);
        if (health.testFlag(NeverUsed))
            return QVariant::fromValue(BadgeTone::Neutral);
        return {};
    }
    default:
        return {};
    }
}

QString KeysModel::healthSummary() const {
    int expiring = 0;
    int expired = 0;
    int neverUsed = 0;
    int unused = 0;
    qint64 unusedDays = 0;
    for (const ApiKey& key : m_rows) {
        const Health health = healthOf(key);
        expiring += health.testFlag(ExpiringSoon) ? 1 : 0;
        expired += health.testFlag(Expired) ? 1 : 0;
        if (health.testFlag(Unused)) {
            ++unused;
            const QDateTime last = key.lastUsedAt.isValid() ? key.lastUsedAt : key.createdAt;
            const qint64 days = last.secsTo(now()) / kDay;
            unusedDays = unused == 1 ? days : std::min(unusedDays, days);
        } else if (health.testFlag(NeverUsed) && key.createdAt.isValid() &&
                   key.createdAt.secsTo(now()) >= kDay) {
            ++neverUsed; // a key made today is not news
        }
    }
    QStringList parts;
    // Spelled out rather than "%n key(s)": no translation is loaded to pick the plural.
    if (expiring == 1)
        parts << tr("1 key expires this week");
    else if (expiring > 1)
        parts << tr("%1 keys expire this week").arg(expiring);
    if (expired)
        parts << tr("%1 expired").arg(expired);
    if (unused == 1)
        parts << tr("1 unused for %1 days").arg(unusedDays);
    else if (unused > 1)
        parts << tr("%1 unused for %2 days or more").arg(unused).arg(unusedDays);
    if (neverUsed)
        parts << tr("%1 never used").arg(neverUsed);
    return parts.join(QStringLiteral(" · "));
}

int KeysModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int KeysModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant KeysModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ApiKey& key = m_rows[static_cast<std::size_t>(index.row())];
    const auto column = static_cast<Column>(index.column());
    const bool current = !m_currentKeyId.isEmpty() && key.keyId == m_currentKeyId;
    const QDateTime at = now();

    if (column == PrivilegeColumn || role == PrivilegeRole) {
        const auto found = m_privileges.constFind(key.keyId);
        const Privilege* privilege = found == m_privileges.constEnd() ? nullptr : &*found;
        switch (role) {
        case PrivilegeRole:
        case SortRole:
            return privilege ? privilege->verdict : -1;
        case Qt::DisplayRole:
        case Qt::AccessibleTextRole:
            return privilege ? privilege->text : QString();
        case Qt::ToolTipRole:
            return privilege ? privilege->toolTip : QString();
        case BadgeToneRole:
            return privilege ? QVariant::fromValue(privilege->tone) : QVariant();
        case IdRole:
        case PrefixRole:
        case NameRole:
        case CurrentKeyRole:
        case HealthRole:
        case KeyStatusRole:
        case InGraceRole:
            break; // as for every column
        default:
            return {};
        }
    }

    switch (role) {
    case IdRole:
        return key.keyId;
    case PrefixRole:
        return key.prefix;
    case NameRole:
        return key.name;
    case CurrentKeyRole:
        return current;
    case HealthRole:
        return static_cast<int>(healthOf(key));
    case KeyStatusRole:
        return key.status.isKnown() ? static_cast<int>(*key.status.known()) : -1;
    case InGraceRole:
        return inGrace(key);
    case BadgeToneRole:
        return tone(key, column);
    case Qt::FontRole:
        if (column == PrefixColumn)
            return QFontDatabase::systemFont(QFontDatabase::FixedFont);
        if (column == NameColumn && current) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return {};
    case Qt::DisplayRole:
    case Qt::AccessibleTextRole:
        switch (column) {
        case NameColumn:
            if (current)
                return role == Qt::DisplayRole ? tr("%1 (this app)").arg(key.name)
                                               : tr("%1, the key Legba Admin uses").arg(key.name);
            return key.name;
        case PrefixColumn:
            return role == Qt::DisplayRole ? key.prefix + QStringLiteral("…") : key.prefix;
        case ScopesColumn:
            return key.scopes.join(QStringLiteral(", "));
        case CreatedColumn:
            return timeformat::relative(key.createdAt, at);
        case LastUsedColumn:
            return key.lastUsedAt.isValid() ? timeformat::relative(key.lastUsedAt, at)
                                            : tr("never");
        case ExpiresColumn:
            return key.expiresAt.isValid() ? timeformat::relative(key.expiresAt, at) : tr("never");
        case StatusColumn:
            return statusCellText(key);
        case HealthColumn:
            return healthText(healthOf(key), key);
        case PrivilegeColumn:
        case ColumnCount:
            break;
        }
        return {};
    case Qt::ToolTipRole:
        switch (column) {
        case NameColumn:
            return current ? tr("%1\nLegba Admin is using this key.\nKey id %2")
                                 .arg(key.name, key.keyId)
                           : tr("%1\nKey id %2").arg(key.name, key.keyId);
        case PrefixColumn:
            return tr("%1… (the first 12 characters; the rest is never shown again)")
                .arg(key.prefix);
        case ScopesColumn:
            return key.scopes.join(QLatin1Char('\n'));
        case CreatedColumn:
            return timeformat::exactLocal(key.createdAt);
        case LastUsedColumn:
            return key.lastUsedAt.isValid() ? timeformat::exactLocal(key.lastUsedAt)
                                            : tr("This key has never been used.");
        case ExpiresColumn:
            return key.expiresAt.isValid() ? timeformat::exactLocal(key.expiresAt)
                                           : tr("This key does not expire.");
        case StatusColumn:
            if (inGrace(key))
                return tr("Rotated: keeps working until %1 (%2), then it is revoked.")
                    .arg(timeformat::exactLocal(key.revokedAt),
                         timeformat::relative(key.revokedAt, at));
            if (key.status == KeyStatus::Revoked && key.revokedAt.isValid())
                return tr("Revoked %1").arg(timeformat::exactLocal(key.revokedAt));
            return {};
        case HealthColumn: {
            const Health health = healthOf(key);
            QStringList lines;
            if (health.testFlag(Expired))
                lines << tr("Expired: requests with this key fail. Revoke it or generate a "
                            "replacement.");
            if (health.testFlag(ExpiringSoon))
                lines << tr("Expires within %1 days: rotate it or generate a replacement.")
                             .arg(kExpiringSoonDays);
            if (health.testFlag(NeverUsed))
                lines << tr("Never used.");
            if (health.testFlag(Unused))
                lines << tr("Unused for %1 days or more: if nobody needs it, revoke it.")
                             .arg(kUnusedDays);
            return lines.join(QLatin1Char('\n'));
        }
        case PrivilegeColumn:
        case ColumnCount:
            break;
        }
        return {};
    case SortRole:
        switch (column) {
        case CreatedColumn:
            return key.createdAt.toMSecsSinceEpoch();
        case LastUsedColumn:
            return key.lastUsedAt.isValid() ? key.lastUsedAt.toMSecsSinceEpoch() : qint64(0);
        case ExpiresColumn:
            // Never-expiring keys sort after every dated one.
            return key.expiresAt.isValid() ? key.expiresAt.toMSecsSinceEpoch()
                                           : std::numeric_limits<qint64>::max();
        case StatusColumn:
            // A status we do not know sorts after every known one.
            return (key.status.isKnown() ? static_cast<int>(*key.status.known()) : 3) * 2 +
                   (inGrace(key) ? 1 : 0);
        case HealthColumn:
            return static_cast<int>(healthOf(key));
        case NameColumn:
            return key.name;
        case PrefixColumn:
            return key.prefix;
        default:
            return data(index, Qt::AccessibleTextRole);
        }
    default:
        return {};
    }
}

QVariant KeysModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (static_cast<Column>(section)) {
    case NameColumn:
        return tr("Name");
    case PrefixColumn:
        return tr("Key");
    case ScopesColumn:
        return tr("Scopes");
    case CreatedColumn:
        return tr("Created");
    case LastUsedColumn:
        return tr("Last used");
    case ExpiresColumn:
        return tr("Expires");
    case StatusColumn:
        return tr("Status");
    case HealthColumn:
        return tr("Health");
    case PrivilegeColumn:
        return tr("Privilege");
    case ColumnCount:
        break;
    }
    return {};
}

QHash<int, QByteArray> KeysModel::roleNames() const {
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(SortRole, "sort");
    names.insert(IdRole, "keyId");
    names.insert(PrefixRole, "prefix");
    names.insert(NameRole, "name");
    names.insert(BadgeToneRole, "badgeTone");
    names.insert(CurrentKeyRole, "currentKey");
    names.insert(HealthRole, "health");
    names.insert(KeyStatusRole, "status");
    names.insert(InGraceRole, "inGrace");
    names.insert(PrivilegeRole, "privilege");
    return names;
}

} // namespace legba
