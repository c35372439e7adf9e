#pragma once

#include "Scope.h"

#include <optional>
#include <span>
#include <string_view>

namespace legba {

// The routes of the contract under /orgs/{org_uuid}/api (../shared/legba-api.md), each with
// the scope the server checks and the audit action it records: defined once, here beside the
// scope list. The server's Router serves exactly these (it names each by RouteId and takes
// method, path, scope and action from this table); the app reads recorded requests back
// through it (which scope did this audit event's request need?).
enum class RouteId {
    GetOwnKey,
    RotateOwnKey,
    ListKeys,
    CreateKey,
    GetKey,
    RevokeKey,
    RotateKey,
    ListInstances,
    CreateInstance,
    GetInstance,
    DestroyInstance,
    AuditLog,
};

struct ApiRoute {
    RouteId id;
    std::string_view method;
    std::string_view route;     // the path template after /api, as details.route carries it
    std::optional<Scope> scope; // none: any valid key
    std::string_view action;    // the audit action its events are recorded under
};

inline constexpr std::string_view kRequestAction = "api.request";

std::span<const ApiRoute> apiRoutes();
const ApiRoute& apiRoute(RouteId id);

// What an audit event's request needed: `known` when it is one of the contract's requests,
// then `scope` (none: any valid key would do).
struct RequiredScope {
    bool known = false;
    std::optional<Scope> scope;
    friend bool operator==(const RequiredScope&, const RequiredScope&) = default;
};

// By the method and route in the event's details ("GET", "/instances/{instance_uuid}").
RequiredScope requiredScope(std::string_view method, std::string_view route);
// By the action alone, for an event whose details carry no method and route. An action that
// several routes record with different scopes (api_key.rotated: POST /key/rotate needs none,
// POST /keys/{key_id}/rotate keys:write) maps to the scope some of them need: reading the
// log, crediting a use of a scope the request may not have needed errs on the side of
// keeping that scope. "api.request" alone says nothing: not known.
RequiredScope requiredScopeForAction(std::string_view action);

} // namespace legba
