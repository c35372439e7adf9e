#pragma once

#include "Endpoint.h"

#include <QColor>
#include <QList>
#include <QObject>
#include <QString>
#include <QUrl>
#include <optional>

class QSettings;

namespace legba {

// One organization the app can administer. Never holds the key: that is in the keychain
// under credentialAccount().
struct Profile {
    enum class Kind { Remote, Sandbox, Environment };

    QString id; // stable, generated once; the keychain entry is named after it
    QString displayName;
    QUrl baseUrl;
    QString orgUuid;
    QColor color;
    Kind kind = Kind::Remote;

    Endpoint endpoint() const { return Endpoint{baseUrl, orgUuid}; }
    QString credentialAccount() const { return QStringLiteral("profile/") + id; }
    bool isSandbox() const { return kind == Kind::Sandbox; }
    friend bool operator==(const Profile&, const Profile&) = default;
};

// The names QSettings and QStandardPaths key the app's settings and data by: set once at
// start, the same by the window and by each command without one (--scan), so that all of
// them read the same profiles.
void setApplicationIdentity();

// The saved profiles, in QSettings. Only names, addresses and colours: never a key.
class ProfileStore : public QObject {
    Q_OBJECT

public:
    explicit ProfileStore(QSettings* settings, QObject* parent = nullptr);

    QList<Profile> profiles() const;
    std::optional<Profile> profile(const QString& id) const;
    std::optional<Profile> sandboxProfile() const;
    // Adds (a new id is made when empty) or replaces; returns the stored profile.
    Profile save(Profile profile);
    void remove(const QString& id);

    QString currentId() const;
    void setCurrentId(const QString& id);

    // Colours that tell organizations apart at a glance, picked in turn.
    static QColor suggestedColor(int index);

Q_SIGNALS:
    void profilesChanged();

private:
    QSettings* m_settings; // not owned
};

} // namespace legba
