#pragma once

#include "ApiError.h"
#include "Profile.h"
#include "Types.h"

#include <QObject>
#include <functional>
#include <optional>

namespace legba {

class ConnectionManager;

// Rotates the key this app itself uses, so that the new key is never lost.
//
// The server invalidates the old key at once (or after the grace period), so the order is
// fixed: ask for the new key; write it to the keychain before anything else in the answer
// is judged (the hosted API answers only key, key_id and created_at); switch the client to
// it; verify it with GET /key, which also fills what the answer left out; only then report
// done. An answer without a usable key is never "not rotated": the old key is checked with
// GET /key and the outcome says whether it still works. If the keychain refuses
// the key, the app keeps it for this session and the outcome carries it so that the UI
// shows it in the reveal-once dialog. The only window in which a new key can be lost is a
// crash between the server's answer and the end of the keychain write (docs/architecture.md).
class KeyRotation : public QObject {
    Q_OBJECT

public:
    enum class Stage { Idle, Rotating, Storing, Switching, Verifying, Checking, Done };
    Q_ENUM(Stage)

    struct Outcome {
        // A new key exists on the server: `issued` holds its record and its secret.
        bool rotated = false;
        // The new key is saved where the profile keeps its key (keychain, or this session's
        // memory for a session-only profile).
        bool stored = false;
        // GET /key answered as the new key: the app is using it.
        bool verified = false;
        // Kept in this run's memory only: the profile's key came from the environment (or
        // is for this session only), so nothing was written anywhere.
        bool sessionOnly = false;
        // The rotation was sent but its answer carried no usable new key (or never came):
        // the server may have rotated, and the old key may be gone. `message` says what a
        // check of the old key found and what to do.
        bool mayHaveRotated = false;
        IssuedKey issued;
        // For a person: what failed and what it means; empty on full success.
        QString message;
        std::optional<ApiError> error;
    };
    using Callback = std::function<void(Outcome)>;
    // Saves a key for a profile; done(ok, message). Replaceable so that tests can make the
    // keychain fail.
    using Persist = std::function<void(const Profile& profile, const Secret& key, QObject* context,
                                       std::function<void(bool, QString)> done)>;

    explicit KeyRotation(ConnectionManager* connections, QObject* parent = nullptr);

    void setPersist(Persist persist) { m_persist = std::move(persist); }
    // POST /key/rotate when gracePeriodSeconds is 0, else POST /keys/{own id}/rotate (which
    // needs keys:write). Refuses (returns the reason) when not connected or already running.
    std::optional<QString> start(int gracePeriodSeconds, Callback done);
    Stage stage() const { return m_stage; }
    bool isRunning() const { return m_stage != Stage::Idle && m_stage != Stage::Done; }

Q_SIGNALS:
    void stageChanged(legba::KeyRotation::Stage stage);

private:
    void setStage(Stage stage);
    void onRotated(Result<IssuedKey> result);
    void onStored(bool ok, const QString& message);
    void onVerified(Result<ApiKey> result);
    void onNoNewKey(const ApiError& error);
    void onOldKeyChecked(const ApiError& rotationError, Result<ApiKey> result);
    void finish();
    void defaultPersist(const Profile& profile, const Secret& key, QObject* context,
                        std::function<void(bool, QString)> done);

    ConnectionManager* m_connections; // not owned
    Persist m_persist;
    Stage m_stage = Stage::Idle;
    Profile m_profile;
    int m_gracePeriodSeconds = 0;
    Outcome m_outcome;
    Callback m_done;
};

} // namespace legba
