#include "Routes.h"

#include <array>

namespace legba {

namespace {

constexpr std::string_view kCreated = "api_key.created";
constexpr std::string_view kRotated = "api_key.rotated";
constexpr std::string_view kRevoked = "api_key.revoked";

// In RouteId order.
constexpr std::array kRoutes = {
    ApiRoute{RouteId::GetOwnKey, "GET", "/key", std::nullopt, kRequestAction},
    ApiRoute{RouteId::RotateOwnKey, "POST", "/key/rotate", std::nullopt, kRotated},
    ApiRoute{RouteId::ListKeys, "GET", "/keys", Scope::KeysRead, kRequestAction},
    ApiRoute{RouteId::CreateKey, "POST", "/keys", Scope::KeysWrite, kCreated},
    ApiRoute{RouteId::GetKey, "GET", "/keys/{key_id}", Scope::KeysRead, kRequestAction},
    ApiRoute{RouteId::RevokeKey, "DELETE", "/keys/{key_id}", Scope::KeysWrite, kRevoked},
    ApiRoute{RouteId::RotateKey, "POST", "/keys/{key_id}/rotate", Scope::KeysWrite, kRotated},
    ApiRoute{RouteId::ListInstances, "GET", "/instances", Scope::InstancesRead, kRequestAction},
    ApiRoute{RouteId::CreateInstance, "POST", "/instances", Scope::InstancesWrite,
             "instance.created"},
    ApiRoute{RouteId::GetInstance, "GET", "/instances/{instance_uuid}", Scope::InstancesRead,
             kRequestAction},
    ApiRoute{RouteId::DestroyInstance, "DELETE", "/instances/{instance_uuid}",
             Scope::InstancesWrite, "instance.destroyed"},
    ApiRoute{RouteId::AuditLog, "GET", "/audit-log", Scope::AuditRead, kRequestAction},
};

constexpr bool inIdOrder() {
    for (std::size_t i = 0; i < kRoutes.size(); ++i) {
        if (static_cast<std::size_t>(kRoutes[i].id) != i)
            return false;
    }
    return true;
}
static_assert(inIdOrder(), "kRoutes is indexed by RouteId");

} // namespace

std::span<const ApiRoute> apiRoutes() {
    return kRoutes;
}

const ApiRoute& apiRoute(RouteId id) {
    return kRoutes[static_cast<std::size_t>(id)];
}

RequiredScope requiredScope(std::string_view method, std::string_view route) {
    for (const ApiRoute& r : kRoutes) {
        if (r.method == method && r.route == route)
            return {true, r.scope};
    }
    return {};
}

RequiredScope requiredScopeForAction(std::string_view action) {
    if (action == kRequestAction)
        return {};
    RequiredScope found;
    for (const ApiRoute& r : kRoutes) {
        if (r.action != action)
            continue;
        found.known = true;
        if (r.scope)
            found.scope = r.scope;
    }
    return found;
}

} // namespace legba
