#include "KeyVerifier.h"

#include "Logging.h"

namespace legba {

KeyVerifier::KeyVerifier(QObject* parent)
    : QObject(parent)
    , m_client(new LegbaClient(this)) {
    // A person is waiting on this: one retry for a passing fault, then say so.
    m_client->setRetryPolicy({1, std::chrono::milliseconds(300), std::chrono::milliseconds(2000)});
    m_client->setTransferTimeout(std::chrono::seconds(15));
    m_client->setAttemptDeadline(std::chrono::seconds(20));
}

std::optional<QString> KeyVerifier::verify(const Endpoint& endpoint, const Secret& key,
                                           Callback done) {
    cancel();
    if (auto problem = m_client->setEndpoint(endpoint))
        return problem;
    m_client->setKey(key);
    m_call = m_client->getKey(this, [this, done = std::move(done)](Result<ApiKey> result) {
        m_client->clearKey();
        if (result)
            qCInfo(lcApp).noquote() << "the key checks out as" << result.value().name;
        else
            qCInfo(lcApp).noquote() << "the key did not check out:" << result.error().summary();
        done(std::move(result));
    });
    return std::nullopt;
}

void KeyVerifier::cancel() {
    m_call.cancel();
    m_client->clearKey();
}

QString KeyVerifier::explain(const ApiError& error) {
    const QString requestId =
        error.requestId.isEmpty() ? QString() : tr(" (request %1)").arg(error.requestId);
    if (error.isUnauthorized())
        return tr("The server rejected this key: %1%2. Check that it is a key of this "
                  "organization and that it has not been revoked, rotated or expired.")
            .arg(error.message.isEmpty() ? tr("HTTP 401") : error.message, requestId);
    if (error.isNotFound())
        return tr("The server answered 404 to GET /key%1: is the address the API's base "
                  "address, and the organization id right?")
            .arg(requestId);
    if (error.kind == ApiError::Kind::Http && error.httpStatus == 429)
        return tr("The server refused the check for now (too many requests)%1. Wait a minute "
                  "and try again.")
            .arg(requestId);
    return tr("The key could not be checked: %1%2").arg(error.summary(), requestId);
}

bool KeyVerifier::worthConnectingAnyway(const ApiError& error) {
    switch (error.kind) {
    case ApiError::Kind::Network:
    case ApiError::Kind::Timeout:
    case ApiError::Kind::Parse:
        return true;
    case ApiError::Kind::Http:
        return error.httpStatus >= 500 || error.httpStatus == 429;
    case ApiError::Kind::Tls:
    case ApiError::Kind::InsecureUrl:
    case ApiError::Kind::Cancelled:
        return false;
    }
    return false;
}

} // namespace legba
