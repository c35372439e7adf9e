#pragma once

#include "Profile.h"
#include "Secret.h"

#include <optional>

namespace legba {

struct EnvironmentConnection {
    Profile profile; // kind Environment, never saved
    Secret key;
};

// LEGBA_BASE_URL, LEGBA_ORG_UUID and LEGBA_API_TOKEN, when all three are set: that run
// connects with them and stores nothing. The token is removed from the process
// environment once read, so that no child process inherits it.
std::optional<EnvironmentConnection> takeEnvironmentConnection();

} // namespace legba
