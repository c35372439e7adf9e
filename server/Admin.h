#pragma once

#include "SandboxServer.h"
#include "Store.h"
#include "Types.h"

#include <QString>
#include <QStringList>
#include <optional>

namespace legba::server::admin {

// Operations of the owner of the data dir, not of an API caller: setup and recovery from
// the command line. Each runs in one transaction with its audit event (actor null).

// The owner key in the sandbox's format.
CreatedOrganization createOrganization(Store& store, const QString& name, qint64 now);
// With this owner key, for a server that issues keys of another shape (ApiShape::newKey).
CreatedOrganization createOrganization(Store& store, const QString& name, qint64 now,
                                       Secret ownerKey);

// Throws std::invalid_argument naming what is wrong with the arguments.
IssuedKey createKey(Store& store, const QString& orgUuid, const QString& name,
                    const QStringList& scopes, qint64 expiresAtMs, qint64 now, const QString& via);

// False when the organization has no such key. Revoking a revoked key is true.
bool revokeKey(Store& store, const QString& orgUuid, const QString& keyId, qint64 now,
               const QString& via);

} // namespace legba::server::admin
