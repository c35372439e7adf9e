#pragma once

#include "ApiError.h"
#include "LegbaClient.h"
#include "ListStatus.h"
#include "Types.h"

#include <QObject>
#include <functional>
#include <optional>

namespace legba {

class ConnectionManager;
class KeyRotation;
class Session;

// What may be done to an organization's API keys from this app, and doing it: the rules
// that say why a key cannot be generated, rotated or revoked now (a key cannot issue scopes
// it does not hold; only an active key rotates; ...); rotating (the app's own key through
// KeyRotation, so that the new key is never lost); revoking, including the app's own key,
// after which the session disconnects and the keychain forgets the worthless key. The Keys
// pane asks and renders; the decisions and the words for their outcomes are made here.
class KeyActions : public QObject {
    Q_OBJECT

public:
    // How the reveal-once dialog is to present a rotated key.
    enum class Reveal {
        Rotated,              // another key of the organization
        OwnRotated,           // the app's own key, stored and in use
        OwnRotatedForSession, // the app's own key, kept for this run only
        OwnRotatedUnsaved,    // the app's own key, which the keychain refused
    };

    struct Outcome {
        // Rotated or revoked.
        bool done = false;
        // Rotate: the new key (its record and its secret), to be shown once.
        std::optional<IssuedKey> issued;
        Reveal reveal = Reveal::Rotated;
        // Rotate: said in the reveal dialog beside its own words; `warning` when the new key
        // is not safe yet (not stored, or not verified).
        QString notice;
        bool warning = false;
        // Revoke of another key: its record as revoked now.
        std::optional<ApiKey> revoked;
        // Revoke of the app's own key: the session is disconnected.
        bool disconnected = false;
        // For the banner: why it failed, or what happened (own key revoked). Empty on a
        // success that needs no words.
        StatusWords words;
        // The request's error, when `words` are failureWords(): the list shown may be
        // stale (ListStatus::actionFailed).
        std::optional<ApiError> failure;
    };
    using Callback = std::function<void(Outcome)>;
    using ListCallback = std::function<void(Result<KeyList>)>;
    using CreateCallback = std::function<void(Result<IssuedKey>)>;

    explicit KeyActions(ConnectionManager* connections, QObject* parent = nullptr);

    KeyRotation* ownKeyRotation() const { return m_rotation; }
    // A rotation or a revocation is running: no other may start.
    bool isRunning() const;
    bool isOwnKey(const ApiKey& key) const;

    // Why each cannot be done now; empty when it can. `key` null: nothing is selected.
    QString whyNotGenerate() const;
    QString whyNotRotate(const ApiKey* key) const;
    QString whyNotRevoke(const ApiKey* key) const;
    // A grace period needs keys:write even for the app's own key (POST /keys/{id}/rotate).
    bool gracePeriodAllowed() const;
    QString whyNoGracePeriod() const;

    // Starts; returns why not instead (done is then never called). An own key's rotation
    // refused by KeyRotation is reported through done, with the words to show.
    std::optional<QString> rotate(const ApiKey& key, int gracePeriodSeconds, const Callback& done);
    std::optional<QString> revoke(const ApiKey& key, const Callback& done);
    // Forgets a running request about another key (the session went away).
    void cancel();

    // The pane's list: a request may start now (a profile is chosen and none is in flight).
    bool canList() const;
    bool isListing() const { return m_listCall.isRunning(); }
    // Lists the organization's keys, the revoked ones too when `includeRevoked`; false (and
    // `done` is never called) when canList() is false.
    bool list(bool includeRevoked, const ListCallback& done);
    void cancelList();
    // Every key, revoked ones included (a revoked key found in a file is still a finding),
    // for a scan for leaked keys: apart from the pane's one list, answered while `context`
    // lives.
    RequestHandle listForScan(QObject* context, const ListCallback& done);

    // Generates a key (one at a time); returns why not instead (done is then never called).
    // `done` runs while `context` lives; the server's refusals come back as they are, for
    // the dialog to place them on the field they name.
    std::optional<QString> create(const NewKeyRequest& request, QObject* context,
                                  const CreateCallback& done);
    bool isCreating() const { return m_createCall.isRunning(); }

    // "Copy as curl": GET the key's record, or the list (as shown) when `key` is null.
    QString curlCommand(const ApiKey* key, bool includeRevoked) const;

Q_SIGNALS:
    // isRunning() may have changed.
    void runningChanged();

private:
    void onOtherRotated(Result<IssuedKey> result, const Callback& done);
    void onRevoked(const ApiKey& key, bool own, const Result<Done>& result, const Callback& done);
    void forgetOwnKey();

    ConnectionManager* m_connections; // not owned
    Session* m_session;               // not owned
    KeyRotation* m_rotation;          // owned (child)
    RequestHandle m_call;
    RequestHandle m_listCall;
    RequestHandle m_createCall;
};

} // namespace legba
