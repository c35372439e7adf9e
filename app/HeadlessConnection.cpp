#include "HeadlessConnection.h"

#include "CredentialStore.h"
#include "EnvironmentProfile.h"
#include "LegbaClient.h"
#include "SandboxHost.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QLoggingCategory>
#include <QSettings>
#include <QStandardPaths>
#include <QStringList>
#include <optional>

namespace legba {

namespace {

using Found = std::variant<HeadlessConnection, QString>;

QStringList environmentSet() {
    QStringList set;
    for (const char* name : {"LEGBA_BASE_URL", "LEGBA_ORG_UUID", "LEGBA_API_TOKEN"}) {
        if (!qEnvironmentVariableIsEmpty(name))
            set << QString::fromLatin1(name);
    }
    return set;
}

QString partialEnvironment(const QStringList& set, const QString& otherwise) {
    return QStringLiteral("only %1 of LEGBA_BASE_URL, LEGBA_ORG_UUID and LEGBA_API_TOKEN "
                          "%2 set: set all three, or none %3")
        .arg(set.join(QStringLiteral(", ")),
             set.size() == 1 ? QStringLiteral("is") : QStringLiteral("are"), otherwise);
}

// Lives as long as `owner`: the sandbox host keeps a pointer to it.
CredentialStore* newCredentialStore(QObject* owner) {
    return new CredentialStore(QStringLiteral("legba-admin"), owner);
}

// The sandbox runs inside the app: started here too, on its own data, and left running
// (its server must outlive the command's requests).
Found startSandbox(ProfileStore* profiles, CredentialStore* credentials, QObject* owner) {
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
                        QStringLiteral("/sandbox");
    QEventLoop loop;
    Found found = QString();
    auto* host = new SandboxHost(dir, profiles, credentials, &loop);
    host->start(&loop, [&](std::variant<SandboxHost::Started, SandboxHost::Failed> result) {
        if (auto* started = std::get_if<SandboxHost::Started>(&result))
            found = HeadlessConnection{started->profile, std::move(started->key)};
        else
            found = QStringLiteral("the local sandbox did not start: ") +
                    std::get<SandboxHost::Failed>(result).message;
        loop.quit();
    });
    loop.exec();
    host->setParent(owner);
    return found;
}

Found withKey(const Profile& profile, ProfileStore* profiles, QObject* owner) {
    CredentialStore* credentials = newCredentialStore(owner);
    if (profile.isSandbox())
        return startSandbox(profiles, credentials, owner);
    QEventLoop loop;
    Found found = QString();
    credentials->read(profile.credentialAccount(), &loop, [&](CredentialStore::Outcome outcome) {
        if (outcome.ok())
            found = HeadlessConnection{profile, std::move(outcome.key)};
        else
            found =
                QStringLiteral("no key for \"%1\": %2").arg(profile.displayName, outcome.message);
        loop.quit();
    });
    loop.exec();
    return found;
}

ProfileStore* savedProfiles(QObject* owner) {
    auto* settings = new QSettings(owner);
    return new ProfileStore(settings, owner);
}

} // namespace

std::optional<QString> useConnection(HeadlessConnection& connection, LegbaClient& client) {
    if (auto refused = client.setEndpoint(connection.profile.endpoint()))
        return QStringLiteral("%1: %2").arg(connection.profile.displayName, *refused);
    client.setKey(std::move(connection.key));
    return std::nullopt;
}

void setUpHeadlessApplication() {
    QLoggingCategory::setFilterRules(QStringLiteral("legba.*.debug=false\nlegba.*.info=false"));
    setApplicationIdentity();
}

Found connectEnvironment() {
    if (auto environment = takeEnvironmentConnection())
        return HeadlessConnection{environment->profile, std::move(environment->key)};
    const QStringList set = environmentSet();
    if (set.isEmpty())
        return QStringLiteral("LEGBA_BASE_URL, LEGBA_ORG_UUID and LEGBA_API_TOKEN are not set");
    return partialEnvironment(set, QStringLiteral("to use a profile"));
}

Found connectEnvironmentOrCurrentProfile(QObject* owner) {
    if (auto environment = takeEnvironmentConnection())
        return HeadlessConnection{environment->profile, std::move(environment->key)};
    if (const QStringList set = environmentSet(); !set.isEmpty())
        return partialEnvironment(set, QStringLiteral("to use the current profile"));

    ProfileStore* profiles = savedProfiles(owner);
    std::optional<Profile> profile = profiles->profile(profiles->currentId());
    if (!profile && !profiles->profiles().isEmpty())
        profile = profiles->profiles().constFirst();
    if (!profile) {
        return QStringLiteral("no organization to match against: set LEGBA_BASE_URL, "
                              "LEGBA_ORG_UUID and LEGBA_API_TOKEN, or add one in the app");
    }
    return withKey(*profile, profiles, owner);
}

Found connectProfile(const QString& nameOrId, QObject* owner) {
    ProfileStore* profiles = savedProfiles(owner);
    std::optional<Profile> profile = profiles->profile(nameOrId);
    if (!profile) {
        QStringList ids;
        for (const Profile& saved : profiles->profiles()) {
            if (saved.displayName == nameOrId) {
                profile = saved;
                ids << saved.id;
            }
        }
        if (ids.size() > 1)
            return QStringLiteral("%1 profiles are named \"%2\": give one's id (%3)")
                .arg(ids.size())
                .arg(nameOrId, ids.join(QStringLiteral(", ")));
    }
    if (!profile && nameOrId == QLatin1String("sandbox"))
        return startSandbox(profiles, newCredentialStore(owner), owner);
    if (!profile) {
        QStringList names;
        for (const Profile& saved : profiles->profiles())
            names << QStringLiteral("\"%1\" (%2)").arg(saved.displayName, saved.id);
        return QStringLiteral("no profile named \"%1\"%2")
            .arg(nameOrId, names.isEmpty() ? QStringLiteral(": there are no saved profiles")
                                           : QStringLiteral("; the profiles are ") +
                                                 names.join(QStringLiteral(", ")));
    }
    return withKey(*profile, profiles, owner);
}

} // namespace legba
