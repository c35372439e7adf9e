#include "InstancesFilterModel.h"

#include "InstancesModel.h"

namespace legba {

InstancesFilterModel::InstancesFilterModel(QObject* parent)
    : QSortFilterProxyModel(parent) {
    setSortRole(InstancesModel::SortRole);
    setSortCaseSensitivity(Qt::CaseInsensitive);
}

void InstancesFilterModel::setStatusFilter(std::optional<InstanceStatus> status) {
    m_status = status;
    invalidateFilter();
}

void InstancesFilterModel::setImageFilter(const QString& image) {
    m_image = image;
    invalidateFilter();
}

void InstancesFilterModel::setSizeFilter(std::optional<InstanceSize> size) {
    m_size = size;
    invalidateFilter();
}

void InstancesFilterModel::setText(const QString& text) {
    m_text = text.trimmed();
    invalidateFilter();
}

bool InstancesFilterModel::isFiltering() const {
    return m_status || !m_image.isEmpty() || m_size || !m_text.isEmpty();
}

bool InstancesFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex&) const {
    const auto* model = qobject_cast<const InstancesModel*>(sourceModel());
    const Instance* instance = model ? model->instanceAt(sourceRow) : nullptr;
    if (!instance)
        return false;
    if (m_status && instance->status != *m_status)
        return false;
    if (!m_image.isEmpty() && instance->image != m_image)
        return false;
    if (m_size && instance->size != *m_size)
        return false;
    if (m_text.isEmpty())
        return true;
    for (const QString& field :
         {instance->instanceUuid, InstancesModel::statusText(instance->status), instance->image,
          instance->size.wire(), instance->accessUrl}) {
        if (field.contains(m_text, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

} // namespace legba
