#pragma once

#include "Endpoint.h"
#include "LegbaClient.h"
#include "Secret.h"

#include <QObject>
#include <functional>
#include <optional>

namespace legba {

// Asks GET /key with a key before anything stores it, so that a mistyped or foreign key
// never reaches the keychain and the user hears what the server said. It has a client of
// its own: the session's connection and key are left alone, and the key is dropped as soon
// as the answer is in.
class KeyVerifier : public QObject {
    Q_OBJECT

public:
    using Callback = std::function<void(Result<ApiKey>)>;

    explicit KeyVerifier(QObject* parent = nullptr);

    // Starts the check; returns why instead when the address cannot be used at all (plain
    // http:// to another machine, a malformed organization id). Cancels a check running.
    std::optional<QString> verify(const Endpoint& endpoint, const Secret& key, Callback done);
    void cancel();
    bool isRunning() const { return m_call.isRunning(); }

    // For a person: what a failed check means, and what to do about it.
    static QString explain(const ApiError& error);
    // Whether connecting anyway can make sense after this failure (the server could not be
    // asked), as opposed to an answer that rejects the key or the address.
    static bool worthConnectingAnyway(const ApiError& error);

private:
    LegbaClient* m_client; // owned (child)
    RequestHandle m_call;
};

} // namespace legba
