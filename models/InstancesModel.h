#pragma once

#include "Badge.h"
#include "Types.h"

#include <QAbstractTableModel>
#include <functional>
#include <vector>

namespace legba {

// The organization's instances, one row each. Fed by setInstances(); updates rows in
// place so that views keep selection and scroll position. No I/O.
class InstancesModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column {
        InstanceColumn,
        StatusColumn,
        ImageColumn,
        SizeColumn,
        CreatedColumn,
        UptimeColumn,
        AccessUrlColumn,
        ColumnCount
    };
    Q_ENUM(Column)

    enum Role {
        SortRole = Qt::UserRole + 1, // a value that sorts right (times as msecs)
        IdRole,                      // the instance UUID
        BadgeToneRole,               // BadgeTone, on the status column
        BusyRole,                    // bool: provisioning or terminating
        InstanceStatusRole,          // InstanceStatus as int; -1 for a state we do not know
        AccessUrlRole,
    };
    Q_ENUM(Role)

    using Clock = std::function<QDateTime()>;

    explicit InstancesModel(QObject* parent = nullptr);

    void setClock(Clock clock) { m_clock = std::move(clock); }
    // Replaces the content, matching rows by UUID: changed rows emit dataChanged, new
    // ones are inserted, gone ones removed. No reset.
    void setInstances(const std::vector<Instance>& instances);
    // One instance changed or appeared (e.g. just created).
    void upsert(const Instance& instance);
    void setStatus(const QString& instanceUuid, InstanceStatus status);
    const std::vector<Instance>& instances() const { return m_rows; }
    const Instance* instanceAt(int row) const;
    int rowOf(const QString& instanceUuid) const;
    // Relative times move on: tell views that time-derived cells changed.
    void refreshTimes();

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    static QString statusText(const OpenEnum<InstanceStatus>& status);
    static BadgeTone toneFor(const OpenEnum<InstanceStatus>& status);

private:
    friend struct RowsById; // lends it beginInsertRows() and the like

    QDateTime now() const { return m_clock ? m_clock() : QDateTime::currentDateTimeUtc(); }

    std::vector<Instance> m_rows;
    Clock m_clock;
};

} // namespace legba
