#include "SandboxHost.h"

#include "Logging.h"

#include <QDir>
#include <QPointer>

namespace legba {

SandboxHost::SandboxHost(QString dataDir, ProfileStore* profiles, CredentialStore* credentials,
                         QObject* parent)
    : QObject(parent)
    , m_dataDir(std::move(dataDir))
    , m_profiles(profiles)
    , m_credentials(credentials) {}

SandboxHost::~SandboxHost() = default;

bool SandboxHost::isRunning() const {
    return m_server && m_server->baseUrl().isValid();
}

void SandboxHost::start(QObject* context, Callback done) {
    if (!QDir().mkpath(m_dataDir)) {
        done(Failed{tr("Cannot create the sandbox's data folder %1.").arg(m_dataDir)});
        return;
    }
    if (!m_server) {
        m_server = std::make_unique<server::SandboxServer>();
        QString error;
        if (!m_server->open(m_dataDir, &error)) {
            m_server.reset();
            done(Failed{tr("Cannot open the sandbox's data in %1: %2").arg(m_dataDir, error)});
            return;
        }
        if (m_server->listen(QHostAddress::LocalHost, 0) == 0) {
            m_server.reset();
            done(Failed{tr("The sandbox server cannot listen on 127.0.0.1.")});
            return;
        }
        qCInfo(lcApp).noquote() << "sandbox listening on" << m_server->baseUrl().toString();
    }

    std::optional<Profile> existing = m_profiles->sandboxProfile();
    bool known = false;
    if (existing) {
        for (const auto& [uuid, name] : m_server->organizations())
            known = known || uuid == existing->orgUuid;
    }
    if (!existing || !known) {
        createOrganization(context, std::move(done));
        return;
    }

    // The port is new on every run.
    existing->baseUrl = m_server->baseUrl();
    const Profile profile = m_profiles->save(*existing);
    m_credentials->read(profile.credentialAccount(), context,
                        [this, profile, context, done](CredentialStore::Outcome outcome) {
                            if (outcome.ok()) {
                                done(Started{profile, std::move(outcome.key), {}});
                                return;
                            }
                            if (outcome.status == CredentialStore::Status::NotFound) {
                                // The key was forgotten; the sandbox is ours, so its owner
                                // issues a new key rather than leave the user locked out.
                                recoverKey(profile, context, done);
                                return;
                            }
                            done(Failed{outcome.message});
                        });
}

void SandboxHost::recoverKey(const Profile& profile, QObject* context, Callback done) {
    QString error;
    auto issued = m_server->issueKey(profile.orgUuid, tr("Legba Admin (recovered)"), {}, &error);
    if (!issued) {
        done(Failed{tr("The sandbox's key is not in the keychain and a new one cannot be "
                       "issued: %1")
                        .arg(error)});
        return;
    }
    qCInfo(lcApp).noquote() << "sandbox key was not in the keychain; issued"
                            << issued->record.keyId;
    storeAndFinish(profile, issued->secret, context, std::move(done));
}

void SandboxHost::storeAndFinish(const Profile& profile, const Secret& key, QObject* context,
                                 Callback done) {
    m_credentials->write(
        profile.credentialAccount(), key, context,
        [this, profile, key, done](CredentialStore::Outcome outcome) {
            if (outcome.ok()) {
                done(Started{profile, key, {}});
                return;
            }
            m_credentials->keepForSession(profile.credentialAccount(), key);
            done(Started{
                profile, key,
                tr("%1 The sandbox key is kept for this session only.").arg(outcome.message)});
        });
}

void SandboxHost::createOrganization(QObject* context, Callback done) {
    QString error;
    auto created = m_server->createOrganization(tr("Local sandbox"), &error);
    if (!created) {
        done(Failed{tr("Cannot create the sandbox organization: %1").arg(error)});
        return;
    }
    Profile profile;
    if (auto existing = m_profiles->sandboxProfile())
        profile = *existing;
    profile.displayName = tr("Local sandbox");
    profile.kind = Profile::Kind::Sandbox;
    profile.baseUrl = m_server->baseUrl();
    profile.orgUuid = created->orgUuid;
    profile = m_profiles->save(profile);

    storeAndFinish(profile, created->key, context, std::move(done));
}

} // namespace legba
