#include "ConnectionManager.h"

#include "AuditArchive.h"
#include "KeyFormat.h"
#include "KeyWords.h"
#include "Logging.h"

#include <QFileInfo>

namespace legba {

ConnectionManager::ConnectionManager(Session* session, ProfileStore* profiles,
                                     CredentialStore* credentials, SandboxHost* sandbox,
                                     QObject* parent)
    : QObject(parent)
    , m_session(session)
    , m_profiles(profiles)
    , m_credentials(credentials)
    , m_sandbox(sandbox) {}

QString ConnectionManager::currentProfileId() const {
    return m_session->profile() ? m_session->profile()->id : QString();
}

void ConnectionManager::activate(const QString& profileId) {
    const std::optional<Profile> profile = m_profiles->profile(profileId);
    if (!profile) {
        Q_EMIT activationFailed(tr("That organization is no longer configured."));
        return;
    }
    if (profile->isSandbox()) {
        activateSandbox();
        return;
    }
    m_credentials->read(profile->credentialAccount(), this,
                        [this, profile = *profile](CredentialStore::Outcome outcome) {
                            if (!outcome.ok()) {
                                m_session->disconnectFromServer();
                                Q_EMIT keyNeeded(profile, outcome.message);
                                return;
                            }
                            m_profiles->setCurrentId(profile.id);
                            connectSession(profile, std::move(outcome.key));
                        });
}

void ConnectionManager::activateSandbox() {
    if (!m_sandbox) {
        Q_EMIT activationFailed(tr("The local sandbox is not available in this build."));
        return;
    }
    m_sandbox->start(this, [this](std::variant<SandboxHost::Started, SandboxHost::Failed> result) {
        if (auto* failed = std::get_if<SandboxHost::Failed>(&result)) {
            Q_EMIT activationFailed(failed->message);
            return;
        }
        auto& started = std::get<SandboxHost::Started>(result);
        if (!started.warning.isEmpty())
            Q_EMIT keyStorageFailed(started.profile, started.warning);
        m_profiles->setCurrentId(started.profile.id);
        connectSession(started.profile, std::move(started.key));
    });
}

void ConnectionManager::activateTransient(const Profile& profile, Secret key) {
    const keyformat::TokenCheck check = keyformat::checkToken(QString::fromLatin1(key.reveal()));
    if (!check.usable()) {
        Q_EMIT activationFailed(
            tr("LEGBA_API_TOKEN cannot be an API key: %1").arg(describeTokenProblem(check)));
        return;
    }
    connectSession(profile, std::move(key));
}

void ConnectionManager::connectSession(const Profile& profile, Secret key) {
    if (auto problem = m_session->connectTo(profile, std::move(key)))
        Q_EMIT activationFailed(*problem);
}

void ConnectionManager::addOrUpdate(Profile profile, const Secret& key, bool sessionOnly) {
    if (auto problem = profile.endpoint().problem()) {
        Q_EMIT activationFailed(*problem);
        return;
    }
    profile = m_profiles->save(profile);
    m_profiles->setCurrentId(profile.id);
    if (sessionOnly) {
        m_credentials->keepForSession(profile.credentialAccount(), key);
        connectSession(profile, key);
        return;
    }
    m_credentials->write(profile.credentialAccount(), key, this,
                         [this, profile, key](CredentialStore::Outcome outcome) {
                             if (!outcome.ok()) {
                                 // Never lose the key the user just typed: keep it for
                                 // this run and say so.
                                 m_credentials->keepForSession(profile.credentialAccount(), key);
                                 Q_EMIT keyStorageFailed(profile, outcome.message);
                             }
                             connectSession(profile, key);
                         });
}

std::optional<ProfileArchive> ConnectionManager::archiveOf(const QString& profileId) const {
    const QString path = AuditArchive::pathFor(profileId, m_archiveDataDir);
    if (!QFileInfo::exists(path))
        return std::nullopt;
    ProfileArchive archive{path, 0};
    for (const char* suffix : {"", "-wal", "-shm"})
        archive.bytes += QFileInfo(path + QLatin1String(suffix)).size();
    return archive;
}

void ConnectionManager::remove(const QString& profileId, ArchiveChoice archive) {
    const std::optional<Profile> profile = m_profiles->profile(profileId);
    if (!profile)
        return;
    if (currentProfileId() == profileId)
        m_session->disconnectFromServer();
    m_profiles->remove(profileId);
    if (archive == ArchiveChoice::Delete) {
        QString error;
        if (!AuditArchive::removeFiles(AuditArchive::pathFor(profileId, m_archiveDataDir),
                                       &error)) {
            qCWarning(lcApp) << "the removed profile's audit archive was not deleted:" << error;
            Q_EMIT notice(tr("'%1' was removed, but its local audit archive could not be "
                             "deleted: %2")
                              .arg(profile->displayName, error));
        }
    }
    m_credentials->remove(profile->credentialAccount(), this,
                          [this, name = profile->displayName](CredentialStore::Outcome outcome) {
                              if (!outcome.ok())
                                  Q_EMIT notice(tr("'%1' was removed, but its key could not be "
                                                   "deleted from the keychain: %2")
                                                    .arg(name, outcome.message));
                          });
}

void ConnectionManager::forgetKey(const QString& profileId) {
    const std::optional<Profile> profile = m_profiles->profile(profileId);
    if (!profile)
        return;
    if (currentProfileId() == profileId)
        m_session->disconnectFromServer();
    m_credentials->remove(profile->credentialAccount(), this,
                          [this, profile = *profile](CredentialStore::Outcome outcome) {
                              if (!outcome.ok())
                                  Q_EMIT notice(outcome.message);
                              else
                                  Q_EMIT keyNeeded(profile, tr("The key was forgotten."));
                          });
}

void ConnectionManager::storeKeyForCurrent(const Secret& key, QObject* context,
                                           std::function<void(bool, QString)> done) {
    const std::optional<Profile> profile = m_session->profile();
    if (!profile || profile->kind == Profile::Kind::Environment) {
        done(false, tr("This organization's key comes from the environment and is not stored."));
        return;
    }
    if (m_credentials->isSessionOnly(profile->credentialAccount())) {
        m_credentials->keepForSession(profile->credentialAccount(), key);
        done(true, {});
        return;
    }
    m_credentials->write(
        profile->credentialAccount(), key, context,
        [done](CredentialStore::Outcome outcome) { done(outcome.ok(), outcome.message); });
}

} // namespace legba
