#include "CredentialStore.h"

#include "Logging.h"

#include <QTimer>
#include <qt6keychain/keychain.h>

namespace legba {

namespace {

CredentialStore::Status statusFor(QKeychain::Error error) {
    switch (error) {
    case QKeychain::NoError:
        return CredentialStore::Status::Ok;
    case QKeychain::EntryNotFound:
        return CredentialStore::Status::NotFound;
    case QKeychain::AccessDenied:
    case QKeychain::AccessDeniedByUser:
        return CredentialStore::Status::Denied;
    case QKeychain::CouldNotDeleteEntry:
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
    case QKeychain::OtherError:
        break;
    }
    return CredentialStore::Status::Unavailable;
}

// No program answers for the Secret Service on this desktop (none installed or started),
// as opposed to one that is there but locked or refusing.
bool noSecretService(QKeychain::Error error, const QString& detail) {
    return error == QKeychain::NoBackendAvailable ||
           detail.contains(QLatin1String("org.freedesktop.secrets")) ||
           detail.contains(QLatin1String("ServiceUnknown")) ||
           detail.contains(QLatin1String("not provided by any"));
}

QString messageFor(CredentialStore::Status status, QKeychain::Error error, const QString& detail) {
    switch (status) {
    case CredentialStore::Status::Ok:
        return {};
    case CredentialStore::Status::NotFound:
        return QObject::tr("No API key is saved for this organization.");
    case CredentialStore::Status::Denied:
        return QObject::tr("Access to the system keychain was denied (%1).").arg(detail);
    case CredentialStore::Status::Unavailable:
        break;
    }
    if (noSecretService(error, detail))
        return QObject::tr("No system keychain answers on this desktop (%1). Legba Admin keeps "
                           "keys in a Secret Service keychain: install and start one, for "
                           "example gnome-keyring (GNOME; `sudo apt install gnome-keyring`), "
                           "KWallet (KDE) or KeePassXC with its Secret Service integration on. "
                           "Until then, use the key for this session only.")
            .arg(detail);
    return QObject::tr("The system keychain is not available or is locked (%1). Unlock it, or "
                       "use the key for this session only.")
        .arg(detail);
}

// The keychain daemon may still be starting when the app starts: one retry covers that.
bool worthRetrying(QKeychain::Error error) {
    return error == QKeychain::NoBackendAvailable || error == QKeychain::OtherError;
}

} // namespace

CredentialStore::CredentialStore(QString service, QObject* parent)
    : QObject(parent)
    , m_service(std::move(service)) {}

void CredentialStore::read(const QString& account, QObject* context, Callback done) {
    if (auto it = m_sessionKeys.constFind(account); it != m_sessionKeys.constEnd()) {
        Outcome outcome;
        outcome.key = *it;
        QTimer::singleShot(0, context ? context : this, [done, outcome] { done(outcome); });
        return;
    }
    run(Operation::Read, account, {}, context, std::move(done), 0);
}

void CredentialStore::write(const QString& account, const Secret& key, QObject* context,
                            Callback done) {
    run(Operation::Write, account, key, context, std::move(done), 0);
}

void CredentialStore::remove(const QString& account, QObject* context, Callback done) {
    m_sessionKeys.remove(account);
    run(Operation::Remove, account, {}, context, std::move(done), 0);
}

void CredentialStore::keepForSession(const QString& account, const Secret& key) {
    m_sessionKeys.insert(account, key);
}

bool CredentialStore::isSessionOnly(const QString& account) const {
    return m_sessionKeys.contains(account);
}

void CredentialStore::forgetSessionKey(const QString& account) {
    m_sessionKeys.remove(account);
}

void CredentialStore::run(Operation operation, const QString& account, const Secret& key,
                          QObject* context, Callback done, int attempt) {
    QKeychain::Job* job = nullptr;
    switch (operation) {
    case Operation::Read:
        job = new QKeychain::ReadPasswordJob(m_service, this);
        break;
    case Operation::Write: {
        auto* write = new QKeychain::WritePasswordJob(m_service, this);
        write->setBinaryData(key.reveal());
        job = write;
        break;
    }
    case Operation::Remove:
        job = new QKeychain::DeletePasswordJob(m_service, this);
        break;
    }
    job->setKey(account);
    job->setInsecureFallback(false);
    job->setAutoDelete(false);

    QPointer<QObject> guard(context);
    const bool hasContext = context != nullptr;
    connect(
        job, &QKeychain::Job::finished, this,
        [this, operation, account, key, guard, hasContext, done,
         attempt](QKeychain::Job* finished) {
            finished->deleteLater();
            const QKeychain::Error error = finished->error();
            if (error != QKeychain::NoError && error != QKeychain::EntryNotFound &&
                worthRetrying(error) && attempt == 0) {
                qCInfo(lcApp) << "keychain not ready, retrying once:" << finished->errorString();
                QTimer::singleShot(500, this, [=, this] {
                    run(operation, account, key, guard, done, attempt + 1);
                });
                return;
            }
            Outcome outcome;
            outcome.status = statusFor(error);
            switch (operation) {
            case Operation::Read:
                if (outcome.status == Status::NotFound && m_failedWrites.contains(account)) {
                    // A locked keyring answers reads with "not found": after our own
                    // write failed, that is the keychain failing, not an absent key.
                    outcome.status = Status::Unavailable;
                }
                if (outcome.ok())
                    outcome.key =
                        Secret(static_cast<QKeychain::ReadPasswordJob*>(finished)->binaryData());
                break;
            case Operation::Write:
                if (outcome.ok())
                    m_failedWrites.remove(account);
                else
                    m_failedWrites.insert(account);
                break;
            case Operation::Remove:
                if (outcome.status == Status::NotFound)
                    outcome.status = Status::Ok; // nothing to delete is deleted
                if (outcome.ok())
                    m_failedWrites.remove(account);
                break;
            }
            outcome.message = messageFor(outcome.status, error, finished->errorString());
            if (!outcome.ok())
                qCWarning(lcApp).noquote()
                    << "keychain operation failed for" << account << ":" << finished->errorString();
            if (!hasContext || guard)
                done(std::move(outcome));
        });
    job->start();
}

} // namespace legba
