#pragma once

#include "Secret.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <functional>

namespace legba {

// API keys in the OS keychain (QtKeychain, no insecure fallback), one entry per profile.
//
// A new job per operation. A key the user chose to keep "for this session only" lives in
// memory here and nowhere else. "Entry not found" right after a failed write is reported
// as the keychain failing, never as "no key": a locked keyring answers reads that way.
class CredentialStore : public QObject {
    Q_OBJECT

public:
    enum class Status {
        Ok,
        NotFound,    // no key saved for this profile
        Unavailable, // no keychain service, or locked, or it refused
        Denied,      // the user or the system denied access
    };

    struct Outcome {
        Status status = Status::Ok;
        QString message; // for a person: what failed and what to do
        Secret key;      // read: the key when status is Ok
        bool ok() const { return status == Status::Ok; }
    };
    using Callback = std::function<void(Outcome)>;

    explicit CredentialStore(QString service = QStringLiteral("legba-admin"),
                             QObject* parent = nullptr);

    void read(const QString& account, QObject* context, Callback done);
    void write(const QString& account, const Secret& key, QObject* context, Callback done);
    void remove(const QString& account, QObject* context, Callback done);

    // Keep a key in memory for this run only; reads find it first.
    void keepForSession(const QString& account, const Secret& key);
    bool isSessionOnly(const QString& account) const;
    void forgetSessionKey(const QString& account);

    const QString& service() const { return m_service; }

private:
    enum class Operation { Read, Write, Remove };
    void run(Operation operation, const QString& account, const Secret& key, QObject* context,
             Callback done, int attempt);

    QString m_service;
    QHash<QString, Secret> m_sessionKeys;
    QSet<QString> m_failedWrites;
};

} // namespace legba
