#pragma once

#include "ConnectionManager.h"
#include "CredentialStore.h"
#include "Profile.h"
#include "Session.h"

#include <QSettings>
#include <QTemporaryDir>

namespace legba::test {

// The app layer as main.cpp wires it for a saved organization (no sandbox host), on
// settings in a file of its own and a keychain service for tests: what a test hands to a
// MainWindow to drive the whole window. Header only: it is for tests that link legba_app.
struct AppStack {
    explicit AppStack(const QString& keychainService = QStringLiteral("legba-admin-test"))
        : credentials(keychainService) {}

    QTemporaryDir settingsDir;
    QSettings settings{settingsDir.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat};
    ProfileStore profiles{&settings};
    CredentialStore credentials;
    Session session;
    ConnectionManager connections{&session, &profiles, &credentials, nullptr};
};

} // namespace legba::test
