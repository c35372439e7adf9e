#pragma once

#include <QString>
#include <QStringList>
#include <optional>
#include <span>

namespace legba {

enum class Scope { InstancesRead, InstancesWrite, KeysRead, KeysWrite, AuditRead };

std::span<const Scope> allScopes();
QString wireName(Scope scope);
std::optional<Scope> scopeFromWireName(QStringView name);
// One line a person can read in a checkbox or a tooltip.
QString describe(Scope scope);

} // namespace legba
