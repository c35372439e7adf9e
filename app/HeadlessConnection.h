#pragma once

#include "Profile.h"
#include "Secret.h"

#include <QObject>
#include <QString>
#include <optional>
#include <variant>

namespace legba {

class LegbaClient;

// The organization a command without a display (`--scan`, `--export-audit`) works on, and
// its key: resolved the way the app would, but without a window. The key is only in memory.
struct HeadlessConnection {
    Profile profile;
    Secret key;
};

// Points `client` at the connection's organization and hands it the key (moved out of
// `connection`). The endpoint's refusal (plain http:// off loopback, say), prefixed with the
// profile's name, when the endpoint is not accepted.
std::optional<QString> useConnection(HeadlessConnection& connection, LegbaClient& client);

// Names the app and keeps its log lines off standard error (which is for the command's
// own messages; QT_LOGGING_RULES still turns them on). Call once the QCoreApplication is made.
void setUpHeadlessApplication();

// LEGBA_BASE_URL, LEGBA_ORG_UUID and LEGBA_API_TOKEN when all three are set (the token is
// then taken out of the environment), else the current profile (or the first one). An
// error message (saying what is missing) otherwise.
std::variant<HeadlessConnection, QString> connectEnvironmentOrCurrentProfile(QObject* owner);

// LEGBA_BASE_URL, LEGBA_ORG_UUID and LEGBA_API_TOKEN, all three; an error message naming the
// ones missing otherwise.
std::variant<HeadlessConnection, QString> connectEnvironment();

// The saved profile whose id or name is `nameOrId` (the id first; a name two profiles share
// is an error), or `sandbox`: the local sandbox's profile. Its key comes from the keychain;
// the sandbox is started in this process (on the app's sandbox data) and left running.
//
// What these make (the profile store, the keychain access, the sandbox and its server) is
// owned by `owner`, which must outlive the connection's requests and go before the
// QCoreApplication (the sandbox's database needs Qt's SQL driver until it closes).
std::variant<HeadlessConnection, QString> connectProfile(const QString& nameOrId, QObject* owner);

} // namespace legba
