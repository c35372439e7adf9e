#pragma once

#include "Types.h"

#include <QSortFilterProxyModel>
#include <optional>

namespace legba {

// Narrows InstancesModel by status, image and size, and by text over every column.
// Instance lists are small (a quota of tens), so a proxy is the simple, right tool here.
class InstancesFilterModel : public QSortFilterProxyModel {
    Q_OBJECT

public:
    explicit InstancesFilterModel(QObject* parent = nullptr);

    void setStatusFilter(std::optional<InstanceStatus> status);
    void setImageFilter(const QString& image); // empty: any
    void setSizeFilter(std::optional<InstanceSize> size);
    void setText(const QString& text);
    bool isFiltering() const;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    std::optional<InstanceStatus> m_status;
    QString m_image;
    std::optional<InstanceSize> m_size;
    QString m_text;
};

} // namespace legba
