#pragma once

#include "Badge.h"
#include "Types.h"

#include <QAbstractTableModel>
#include <QHash>
#include <functional>
#include <vector>

namespace legba {

// The organization's API keys, one row each. Fed by setKeys(); rows are matched by key id
// and updated in place so that views keep selection and scroll position. No I/O. It never
// sees a secret: records only.
class KeysModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column {
        NameColumn,
        PrefixColumn,
        ScopesColumn,
        CreatedColumn,
        LastUsedColumn,
        ExpiresColumn,
        StatusColumn,
        HealthColumn,
        PrivilegeColumn, // the least-privilege advisor's verdict, as fed by setPrivilege()
        ColumnCount
    };
    Q_ENUM(Column)

    enum Role {
        SortRole = Qt::UserRole + 1, // a value that sorts right (times as msecs)
        IdRole,                      // key_id
        PrefixRole,                  // the display prefix
        NameRole,                    // the key's name
        BadgeToneRole,               // BadgeTone, on the expires, status and health columns
        CurrentKeyRole,              // bool: the key this app is using
        HealthRole,                  // Health flags as int
        KeyStatusRole,               // KeyStatus as int; -1 for a status we do not know
        InGraceRole,                 // bool: rotated, still working until revokedAt
        PrivilegeRole,               // the advisor's verdict as the pane fed it; -1: none
    };
    Q_ENUM(Role)

    // What deserves a second look about a key. Only active keys have any.
    enum HealthFlag {
        Healthy = 0,
        ExpiringSoon = 1 << 0, // expires within kExpiringSoonDays
        Expired = 1 << 1,
        NeverUsed = 1 << 2,
        Unused = 1 << 3, // not used (or, if never used, created) kUnusedDays or more ago
    };
    Q_DECLARE_FLAGS(Health, HealthFlag)
    Q_FLAG(Health)

    static constexpr int kExpiringSoonDays = 7;
    static constexpr int kUnusedDays = 30;

    using Clock = std::function<QDateTime()>;

    // What the least-privilege advisor (app/PrivilegeAdvisor) says of a key, as the pane
    // feeds it in: the model only shows it.
    struct Privilege {
        int verdict = -1; // the advisor's Verdict as int
        QString text;     // "holds 2 scopes it has not used"
        QString toolTip;
        BadgeTone tone = BadgeTone::Neutral;
    };

    explicit KeysModel(QObject* parent = nullptr);

    void setClock(Clock clock) { m_clock = std::move(clock); }
    // Replaces the content, matching rows by key id: changed rows emit dataChanged, new
    // ones are inserted, gone ones removed. No reset.
    void setKeys(const std::vector<ApiKey>& keys);
    // One key changed or appeared (just generated, rotated or revoked).
    void upsert(const ApiKey& key);
    // The key this app uses (its row is marked); empty for none.
    void setCurrentKeyId(const QString& keyId);
    const QString& currentKeyId() const { return m_currentKeyId; }

    // The advisor's word on a key, kept by key id across setKeys(); clearPrivileges()
    // forgets every one (no evidence, or another window).
    void setPrivilege(const QString& keyId, const Privilege& privilege);
    void clearPrivileges();

    const std::vector<ApiKey>& keys() const { return m_rows; }
    const ApiKey* keyAt(int row) const;
    int rowOf(const QString& keyId) const;
    // Relative times and health move on: tell views that time-derived cells changed.
    void refreshTimes();

    Health healthOf(const ApiKey& key) const;
    // "2 keys expire this week · 1 unused for 90 days"; empty when all is well.
    QString healthSummary() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    static QString statusText(const OpenEnum<KeyStatus>& status);
    static BadgeTone toneFor(const OpenEnum<KeyStatus>& status);

private:
    friend struct RowsById; // lends it beginInsertRows() and the like

    QDateTime now() const { return m_clock ? m_clock() : QDateTime::currentDateTimeUtc(); }
    bool inGrace(const ApiKey& key) const;
    QString healthText(Health health, const ApiKey& key) const;
    QString statusCellText(const ApiKey& key) const;
    QVariant tone(const ApiKey& key, Column column) const;
    void emitRowChanged(int row);

    std::vector<ApiKey> m_rows;
    QString m_currentKeyId;
    Clock m_clock;
    QHash<QString, Privilege> m_privileges;
};

} // namespace legba

Q_DECLARE_OPERATORS_FOR_FLAGS(legba::KeysModel::Health)
