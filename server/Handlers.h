#pragma once

#include "ApiCall.h"

// The handlers of the Legba API's routes, one file per resource. Each reads call.request
// (and call.key, set by the Authenticator), answers, or throws ApiFailure; the router
// (Router.cpp) says which serves which route and with which scope.
namespace legba::server::handlers {

// KeysHandlers.cpp
HttpResponse getOwnKey(Call& call, ApiContext& ctx);
HttpResponse rotateOwnKey(Call& call, ApiContext& ctx);
HttpResponse listKeys(Call& call, ApiContext& ctx);
HttpResponse createKey(Call& call, ApiContext& ctx);
HttpResponse getKey(Call& call, ApiContext& ctx);
HttpResponse rotateKey(Call& call, ApiContext& ctx);
HttpResponse revokeKey(Call& call, ApiContext& ctx);

// InstancesHandlers.cpp
HttpResponse listInstances(Call& call, ApiContext& ctx);
HttpResponse createInstance(Call& call, ApiContext& ctx);
HttpResponse getInstance(Call& call, ApiContext& ctx);
HttpResponse deleteInstance(Call& call, ApiContext& ctx);
// GET /sandbox/instances/{uuid}: the page an instance's access URL opens; no key.
HttpResponse instancePage(Call& call, ApiContext& ctx, const QByteArray& uuid);

// AuditHandlers.cpp
HttpResponse auditLog(Call& call, ApiContext& ctx);

} // namespace legba::server::handlers
