#include "Profile.h"

#include <QCoreApplication>
#include <QSettings>
#include <QUuid>

namespace legba {

namespace {
constexpr auto kGroup = "profiles";

QString kindName(Profile::Kind kind) {
    switch (kind) {
    case Profile::Kind::Sandbox:
        return QStringLiteral("sandbox");
    case Profile::Kind::Environment:
        return QStringLiteral("environment");
    case Profile::Kind::Remote:
        break;
    }
    return QStringLiteral("remote");
}

Profile::Kind kindFromName(const QString& name) {
    if (name == QLatin1String("sandbox"))
        return Profile::Kind::Sandbox;
    return Profile::Kind::Remote;
}
} // namespace

ProfileStore::ProfileStore(QSettings* settings, QObject* parent)
    : QObject(parent)
    , m_settings(settings) {}

QList<Profile> ProfileStore::profiles() const {
    QList<Profile> result;
    m_settings->beginGroup(QLatin1String(kGroup));
    const QStringList ids = m_settings->childGroups();
    for (const QString& id : ids) {
        m_settings->beginGroup(id);
        Profile profile;
        profile.id = id;
        profile.displayName = m_settings->value(QStringLiteral("name")).toString();
        profile.baseUrl = QUrl(m_settings->value(QStringLiteral("baseUrl")).toString());
        profile.orgUuid = m_settings->value(QStringLiteral("orgUuid")).toString();
        profile.color = QColor(m_settings->value(QStringLiteral("color")).toString());
        profile.kind = kindFromName(m_settings->value(QStringLiteral("kind")).toString());
        m_settings->endGroup();
        result.append(profile);
    }
    m_settings->endGroup();
    // Sandbox first, then by name: a stable order for the switcher.
    std::stable_sort(result.begin(), result.end(), [](const Profile& a, const Profile& b) {
        if (a.isSandbox() != b.isSandbox())
            return a.isSandbox();
        return a.displayName.localeAwareCompare(b.displayName) < 0;
    });
    return result;
}

std::optional<Profile> ProfileStore::profile(const QString& id) const {
    for (const Profile& profile : profiles()) {
        if (profile.id == id)
            return profile;
    }
    return std::nullopt;
}

std::optional<Profile> ProfileStore::sandboxProfile() const {
    for (const Profile& profile : profiles()) {
        if (profile.isSandbox())
            return profile;
    }
    return std::nullopt;
}

Profile ProfileStore::save(Profile profile) {
    Q_ASSERT(profile.kind != Profile::Kind::Environment);
    if (profile.id.isEmpty())
        profile.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    if (!profile.color.isValid())
        profile.color = suggestedColor(static_cast<int>(profiles().size()));
    m_settings->beginGroup(QLatin1String(kGroup) + QLatin1Char('/') + profile.id);
    m_settings->setValue(QStringLiteral("name"), profile.displayName);
    m_settings->setValue(QStringLiteral("baseUrl"), profile.baseUrl.toString());
    m_settings->setValue(QStringLiteral("orgUuid"), profile.orgUuid);
    m_settings->setValue(QStringLiteral("color"), profile.color.name());
    m_settings->setValue(QStringLiteral("kind"), kindName(profile.kind));
    m_settings->endGroup();
    m_settings->sync();
    Q_EMIT profilesChanged();
    return profile;
}

void ProfileStore::remove(const QString& id) {
    m_settings->remove(QLatin1String(kGroup) + QLatin1Char('/') + id);
    if (currentId() == id)
        m_settings->remove(QStringLiteral("currentProfile"));
    m_settings->sync();
    Q_EMIT profilesChanged();
}

QString ProfileStore::currentId() const {
    return m_settings->value(QStringLiteral("currentProfile")).toString();
}

void ProfileStore::setCurrentId(const QString& id) {
    m_settings->setValue(QStringLiteral("currentProfile"), id);
    m_settings->sync();
}

QColor ProfileStore::suggestedColor(int index) {
    static const QColor palette[] = {QColor(0x2e, 0x7d, 0x32), QColor(0x15, 0x65, 0xc0),
                                     QColor(0xc6, 0x28, 0x28), QColor(0x6a, 0x1b, 0x9a),
                                     QColor(0xef, 0x6c, 0x00), QColor(0x00, 0x83, 0x8f)};
    constexpr int count = static_cast<int>(std::size(palette));
    return palette[((index % count) + count) % count];
}

void setApplicationIdentity() {
    QCoreApplication::setOrganizationName(QStringLiteral("Legba"));
    QCoreApplication::setOrganizationDomain(QStringLiteral("legba.example"));
    QCoreApplication::setApplicationName(QStringLiteral("Legba Admin"));
    QCoreApplication::setApplicationVersion(QStringLiteral(LEGBA_VERSION));
}

} // namespace legba
