#include "InstancesModel.h"

#include "Identifiers.h"
#include "RowsById.h"
#include "TimeFormat.h"

#include <QFontDatabase>

namespace legba {

InstancesModel::InstancesModel(QObject* parent)
    : QAbstractTableModel(parent) {}

QString InstancesModel::statusText(const OpenEnum<InstanceStatus>& status) {
    if (!status.isKnown())
        return status.wire(); // a state the docs never named: the server's own word
    switch (*status.known()) {
    case InstanceStatus::Provisioning:
        return tr("provisioning");
    case InstanceStatus::Running:
        return tr("running");
    case InstanceStatus::Terminating:
        return tr("terminating");
    case InstanceStatus::Terminated:
        return tr("terminated");
    }
    return {};
}

BadgeTone InstancesModel::toneFor(const OpenEnum<InstanceStatus>& status) {
    if (!status.isKnown())
        return BadgeTone::Neutral;
    switch (*status.known()) {
    case InstanceStatus::Provisioning:
        return BadgeTone::Info;
    case InstanceStatus::Running:
        return BadgeTone::Good;
    case InstanceStatus::Terminating:
        return BadgeTone::Warning;
    case InstanceStatus::Terminated:
        return BadgeTone::Neutral;
    }
    return BadgeTone::Neutral;
}

namespace {
const QString& idOf(const Instance& instance) {
    return instance.instanceUuid;
}
} // namespace

void InstancesModel::setInstances(const std::vector<Instance>& instances) {
    RowsById::merge(*this, m_rows, instances, &idOf);
}

void InstancesModel::upsert(const Instance& instance) {
    RowsById::upsert(*this, m_rows, instance, &idOf);
}

void InstancesModel::setStatus(const QString& instanceUuid, InstanceStatus status) {
    const int row = rowOf(instanceUuid);
    if (row < 0 || m_rows[static_cast<std::size_t>(row)].status == status)
        return;
    m_rows[static_cast<std::size_t>(row)].status = status;
    Q_EMIT dataChanged(index(row, StatusColumn), index(row, StatusColumn));
}

const Instance* InstancesModel::instanceAt(int row) const {
    return RowsById::at(m_rows, row);
}

int InstancesModel::rowOf(const QString& instanceUuid) const {
    return RowsById::rowOf(m_rows, instanceUuid, &idOf);
}

void InstancesModel::refreshTimes() {
    if (m_rows.empty())
        return;
    const int last = static_cast<int>(m_rows.size()) - 1;
    Q_EMIT dataChanged(index(0, CreatedColumn), index(last, UptimeColumn),
                       {Qt::DisplayRole, Qt::ToolTipRole, SortRole});
}

int InstancesModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int InstancesModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant InstancesModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Instance& instance = m_rows[static_cast<std::size_t>(index.row())];
    const auto column = static_cast<Column>(index.column());

    switch (role) {
    case IdRole:
        return instance.instanceUuid;
    case BusyRole:
        return instance.status == InstanceStatus::Provisioning ||
               instance.status == InstanceStatus::Terminating;
    case InstanceStatusRole:
        return instance.status.isKnown() ? static_cast<int>(*instance.status.known()) : -1;
    case AccessUrlRole:
        return instance.accessUrl;
    case BadgeToneRole:
        return column == StatusColumn ? QVariant::fromValue(toneFor(instance.status)) : QVariant();
    case Qt::FontRole:
        if (column == InstanceColumn || column == AccessUrlColumn)
            return QFontDatabase::systemFont(QFontDatabase::FixedFont);
        return {};
    case Qt::AccessibleTextRole:
    case Qt::DisplayRole:
        switch (column) {
        case InstanceColumn:
            return role == Qt::DisplayRole ? shortId(instance.instanceUuid) : instance.instanceUuid;
        case StatusColumn:
            return statusText(instance.status);
        case ImageColumn:
            return instance.image;
        case SizeColumn:
            return instance.size.wire();
        case CreatedColumn:
            return timeformat::relative(instance.createdAt, now());
        case UptimeColumn:
            if (instance.status != InstanceStatus::Running || !instance.createdAt.isValid())
                return QStringLiteral("—");
            return timeformat::duration(instance.createdAt.secsTo(now()));
        case AccessUrlColumn:
            return instance.accessUrl;
        case ColumnCount:
            break;
        }
        return {};
    case Qt::ToolTipRole:
        switch (column) {
        case InstanceColumn:
            return instance.instanceUuid;
        case CreatedColumn:
            return timeformat::exactLocal(instance.createdAt);
        case AccessUrlColumn:
            return instance.accessUrl;
        default:
            return {};
        }
    case SortRole:
        switch (column) {
        case CreatedColumn:
        case UptimeColumn:
            return instance.createdAt.toMSecsSinceEpoch();
        // Known values in their life-cycle order, then the server's own words by name.
        case StatusColumn:
            return instance.status.isKnown()
                       ? QVariant(QString::number(static_cast<int>(*instance.status.known())))
                       : QVariant(QLatin1Char('~') + instance.status.wire());
        case SizeColumn:
            return instance.size.isKnown()
                       ? QVariant(QString::number(static_cast<int>(*instance.size.known())))
                       : QVariant(QLatin1Char('~') + instance.size.wire());
        default:
            return data(index, Qt::AccessibleTextRole);
        }
    default:
        return {};
    }
}

QVariant InstancesModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (static_cast<Column>(section)) {
    case InstanceColumn:
        return tr("Instance");
    case StatusColumn:
        return tr("Status");
    case ImageColumn:
        return tr("Image");
    case SizeColumn:
        return tr("Size");
    case CreatedColumn:
        return tr("Created");
    case UptimeColumn:
        return tr("Uptime");
    case AccessUrlColumn:
        return tr("Access URL");
    case ColumnCount:
        break;
    }
    return {};
}

QHash<int, QByteArray> InstancesModel::roleNames() const {
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(SortRole, "sort");
    names.insert(IdRole, "instanceUuid");
    names.insert(BadgeToneRole, "badgeTone");
    names.insert(BusyRole, "busy");
    names.insert(InstanceStatusRole, "status");
    names.insert(AccessUrlRole, "accessUrl");
    return names;
}

} // namespace legba
