#pragma once

#include "CredentialStore.h"
#include "Profile.h"
#include "SandboxHost.h"
#include "Session.h"

#include <QObject>
#include <optional>

namespace legba {

// A profile's local audit archive (app/AuditArchive) as its removal sees it.
struct ProfileArchive {
    QString path;
    qint64 bytes = 0; // the file with its -wal and -shm
};

// Turns "use this organization" into a connected session: finds the profile's key in the
// keychain, connects, and says plainly what is missing when it cannot (no key saved,
// keychain locked). Adding and removing organizations go through here too, so that a
// profile and its keychain entry never drift apart.
class ConnectionManager : public QObject {
    Q_OBJECT

public:
    ConnectionManager(Session* session, ProfileStore* profiles, CredentialStore* credentials,
                      SandboxHost* sandbox, QObject* parent = nullptr);

    Session* session() const { return m_session; }
    ProfileStore* profiles() const { return m_profiles; }
    CredentialStore* credentials() const { return m_credentials; }

    // Connects to a saved profile with the key from the keychain (or this session's).
    void activate(const QString& profileId);
    // Starts (if needed) the in-process sandbox and connects to it.
    void activateSandbox();
    // Connects with a profile that is never saved, e.g. from the environment.
    void activateTransient(const Profile& profile, Secret key);

    // Saves the profile and its key, then connects. With `sessionOnly` the key is never
    // written, only kept in memory for this run. When the keychain refuses the key,
    // keyStorageFailed() is emitted and the key is kept in memory for this run all the same,
    // so that what the user typed is not lost and the connection goes ahead.
    void addOrUpdate(Profile profile, const Secret& key, bool sessionOnly);
    // The profile's local audit archive, when it has one (its removal asks about it first).
    std::optional<ProfileArchive> archiveOf(const QString& profileId) const;
    // What remove() does with the profile's local audit archive: kept unless asked.
    enum class ArchiveChoice { Keep, Delete };
    // Removes the profile and deletes its keychain entry; with ArchiveChoice::Delete, its
    // local audit archive too, after the profile is gone (the session disconnected first, so
    // that nothing holds it open). An archive that cannot be deleted is a notice() naming
    // the file and why; the profile is removed all the same.
    void remove(const QString& profileId, ArchiveChoice archive = ArchiveChoice::Keep);
    // The folder the archives are in (AuditArchive::pathFor's dataDir); empty, the default:
    // the app's data directory.
    void setArchiveDataDir(const QString& dir) { m_archiveDataDir = dir; }
    // Deletes the key but keeps the profile.
    void forgetKey(const QString& profileId);
    // Stores a key (new or rotated) for the current profile; done(ok, message).
    void storeKeyForCurrent(const Secret& key, QObject* context,
                            std::function<void(bool, QString)> done);

    QString currentProfileId() const;

Q_SIGNALS:
    // The profile has no usable key: ask the user for one. `reason` says why.
    void keyNeeded(const legba::Profile& profile, const QString& reason);
    void keyStorageFailed(const legba::Profile& profile, const QString& message);
    // Something failed before a session could even start (sandbox cannot start, ...).
    void activationFailed(const QString& message);
    void notice(const QString& message);

private:
    void connectSession(const Profile& profile, Secret key);

    Session* m_session;
    ProfileStore* m_profiles;
    CredentialStore* m_credentials;
    SandboxHost* m_sandbox; // may be null (no sandbox in this run)
    QString m_archiveDataDir;
};

} // namespace legba
