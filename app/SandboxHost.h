#pragma once

#include "CredentialStore.h"
#include "Profile.h"
#include "SandboxServer.h"

#include <QObject>
#include <functional>
#include <memory>

namespace legba {

// Runs the sandbox server inside the app on 127.0.0.1, a free port, with its data under
// the app's data location. On first use it creates the organization and the owner key
// and puts the key in the keychain; afterwards it reads the key back from there.
class SandboxHost : public QObject {
    Q_OBJECT

public:
    struct Started {
        Profile profile;
        Secret key;
        QString warning; // e.g. the keychain refused the key: kept for this session only
    };
    struct Failed {
        QString message;
    };
    using Callback = std::function<void(std::variant<Started, Failed>)>;

    SandboxHost(QString dataDir, ProfileStore* profiles, CredentialStore* credentials,
                QObject* parent = nullptr);
    ~SandboxHost() override;

    void start(QObject* context, Callback done);
    bool isRunning() const;
    server::SandboxServer* server() const { return m_server.get(); }
    const QString& dataDir() const { return m_dataDir; }

private:
    void createOrganization(QObject* context, Callback done);
    void recoverKey(const Profile& profile, QObject* context, Callback done);
    void storeAndFinish(const Profile& profile, const Secret& key, QObject* context, Callback done);

    QString m_dataDir;
    ProfileStore* m_profiles;       // not owned
    CredentialStore* m_credentials; // not owned
    std::unique_ptr<server::SandboxServer> m_server;
};

} // namespace legba
