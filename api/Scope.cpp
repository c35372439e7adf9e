#include "Scope.h"

#include <QCoreApplication>
#include <array>

namespace legba {

namespace {
constexpr std::array kAllScopes = {Scope::InstancesRead, Scope::InstancesWrite, Scope::KeysRead,
                                   Scope::KeysWrite, Scope::AuditRead};
}

std::span<const Scope> allScopes() {
    return kAllScopes;
}

QString wireName(Scope scope) {
    switch (scope) {
    case Scope::InstancesRead:
        return QStringLiteral("instances:read");
    case Scope::InstancesWrite:
        return QStringLiteral("instances:write");
    case Scope::KeysRead:
        return QStringLiteral("keys:read");
    case Scope::KeysWrite:
        return QStringLiteral("keys:write");
    case Scope::AuditRead:
        return QStringLiteral("audit:read");
    }
    return {};
}

std::optional<Scope> scopeFromWireName(QStringView name) {
    for (Scope scope : kAllScopes) {
        if (wireName(scope) == name)
            return scope;
    }
    return std::nullopt;
}

QString describe(Scope scope) {
    switch (scope) {
    case Scope::InstancesRead:
        return QCoreApplication::translate("Scope", "List and inspect browser instances");
    case Scope::InstancesWrite:
        return QCoreApplication::translate("Scope", "Create and destroy browser instances");
    case Scope::KeysRead:
        return QCoreApplication::translate("Scope", "List the organization's API keys");
    case Scope::KeysWrite:
        return QCoreApplication::translate("Scope", "Generate, rotate and revoke API keys");
    case Scope::AuditRead:
        return QCoreApplication::translate("Scope", "Read the audit log");
    }
    return {};
}

} // namespace legba
