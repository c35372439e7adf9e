#pragma once

#include "ApiError.h"
#include "Endpoint.h"
#include "Request.h"
#include "Types.h"

#include <QObject>
#include <QPointer>
#include <QUrlQuery>
#include <chrono>
#include <functional>
#include <memory>

class QNetworkAccessManager;
class QNetworkReply;

namespace legba {

class AuthorizingAccessManager;
struct CallState;

// A call in flight. Cancelling it means its callback is never run. Copies share the call.
class RequestHandle {
public:
    RequestHandle() = default;
    explicit RequestHandle(std::shared_ptr<CallState> state)
        : m_state(std::move(state)) {}
    void cancel();
    bool isRunning() const;

private:
    std::shared_ptr<CallState> m_state;
};

// How a request looks on the wire, for "copy as curl": a RequestSpec placed on an endpoint.
struct RequestDescription {
    QByteArray method;
    QUrl url;
    QByteArray body;
};

// The whole Legba API, asynchronously, over one QNetworkAccessManager.
//
// Every call takes a context object: the callback runs only while that object lives, and
// destroying it cancels the call. Idempotent GETs are retried on network errors, 429 and
// 503 with exponential backoff and jitter, honouring Retry-After; writes are never retried.
class LegbaClient : public QObject {
    Q_OBJECT

public:
    template <typename T> using Callback = std::function<void(Result<T>)>;

    struct RetryPolicy {
        int maxRetries = 3;
        std::chrono::milliseconds baseDelay{300};
        std::chrono::milliseconds maxDelay{10'000};
    };

    explicit LegbaClient(QObject* parent = nullptr);
    ~LegbaClient() override;

    // Fails, naming why, for plain http:// to a non-loopback host or a malformed org id.
    std::optional<QString> setEndpoint(const Endpoint& endpoint);
    const Endpoint& endpoint() const { return m_endpoint; }
    void setKey(Secret key);
    void clearKey();
    bool hasKey() const;
    // The first characters of the key in use, the only part ever shown; empty without one.
    QString keyPrefix() const;

    void setTransferTimeout(std::chrono::milliseconds timeout);
    void setRetryPolicy(RetryPolicy policy) { m_retry = policy; }
    // Answers larger than this are refused rather than buffered.
    void setMaximumAnswerSize(qint64 bytes) { m_maxAnswerBytes = bytes; }
    // The longest one attempt may take in all, however steadily bytes arrive: the transfer
    // timeout catches silence, this catches an answer dripped too slowly ever to finish.
    // Zero turns it off.
    void setAttemptDeadline(std::chrono::milliseconds deadline) { m_attemptDeadline = deadline; }
    QNetworkAccessManager* networkAccessManager() const;

    RequestHandle health(QObject* context, Callback<Health> done);

    RequestHandle getKey(QObject* context, Callback<ApiKey> done);
    RequestHandle rotateOwnKey(QObject* context, Callback<IssuedKey> done);
    RequestHandle listKeys(bool includeRevoked, QObject* context, Callback<KeyList> done);
    RequestHandle createKey(const NewKeyRequest& request, QObject* context,
                            Callback<IssuedKey> done);
    RequestHandle getKeyById(const QString& keyId, QObject* context, Callback<ApiKey> done);
    RequestHandle rotateKey(const QString& keyId, int gracePeriodSeconds, QObject* context,
                            Callback<IssuedKey> done);
    RequestHandle revokeKey(const QString& keyId, QObject* context, Callback<Done> done);

    RequestHandle listInstances(QObject* context, Callback<InstanceList> done);
    RequestHandle createInstance(const NewInstanceRequest& request, QObject* context,
                                 Callback<Instance> done);
    RequestHandle getInstance(const QString& instanceUuid, QObject* context,
                              Callback<Instance> done);
    RequestHandle destroyInstance(const QString& instanceUuid, QObject* context,
                                  Callback<Done> done);

    RequestHandle auditLog(const AuditQuery& query, QObject* context, Callback<AuditPage> done);
    // The same request, answering the raw body (after the same status and error handling)
    // so that a large page can be parsed off the UI thread.
    RequestHandle auditLogRaw(const AuditQuery& query, QObject* context, Callback<QByteArray> done);

    // What a call sends, for "copy as curl": the same description the call is made from.
    RequestDescription describe(const RequestSpec& request) const;

Q_SIGNALS:
    // The server rejected the key (401). The session turns to "key rejected".
    void keyRejected(const legba::ApiError& error);
    // Any answer from the server that was not 401: the connection works.
    void serverAnswered();
    // No answer at all: network, TLS or timeout.
    void serverUnreachable(const legba::ApiError& error);

private:
    void start(const std::shared_ptr<CallState>& state);
    void finish(const std::shared_ptr<CallState>& state, QNetworkReply* reply);
    void fail(const std::shared_ptr<CallState>& state, const ApiError& error);
    bool scheduleRetry(const std::shared_ptr<CallState>& state, const ApiError& error);

    // The one way a call starts: every public call is a description from `requests`.
    template <typename T>
    RequestHandle send(Request<T> request, QObject* context, Callback<T> done);

    AuthorizingAccessManager* m_manager;
    Endpoint m_endpoint;
    RetryPolicy m_retry;
    qint64 m_maxAnswerBytes = 64LL * 1024 * 1024;
    std::chrono::milliseconds m_attemptDeadline{120'000};
};

// `curl` for a request, with the key as $LEGBA_API_TOKEN, never the key itself.
QString curlCommand(const RequestDescription& request);

} // namespace legba
