#include "LegbaClient.h"

#include "AuditPageSax.h"
#include "Json.h"
#include "KeyFormat.h"
#include "Logging.h"
#include "Rfc3339.h"

#include <QLocale>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRandomGenerator>
#include <QSslCertificate>
#include <QSslError>
#include <QTimer>
#include <utility>

Q_LOGGING_CATEGORY(lcApi, "legba.api")

namespace legba {

// Adds Authorization in one place, and only for requests to the endpoint's own origin:
// whatever URL reaches this manager, the key goes nowhere else.
class AuthorizingAccessManager : public QNetworkAccessManager {
public:
    explicit AuthorizingAccessManager(QObject* parent)
        : QNetworkAccessManager(parent) {
        // Qt follows redirects by default; a redirect to another origin must not carry
        // the key, so only same-origin redirects are followed at all.
        setRedirectPolicy(QNetworkRequest::SameOriginRedirectPolicy);
        setTransferTimeout(30'000);
    }

    Endpoint endpoint;
    Secret key;

protected:
    QNetworkReply* createRequest(Operation op, const QNetworkRequest& original,
                                 QIODevice* outgoingData) override {
        QNetworkRequest request(original);
        request.setRawHeader("Authorization", QByteArray());
        if (!key.isEmpty() && sameOrigin(request.url(), endpoint.baseUrl))
            request.setRawHeader("Authorization", "Bearer " + key.reveal());
        return QNetworkAccessManager::createRequest(op, request, outgoingData);
    }
};

struct CallState {
    QByteArray method;
    QUrl url;
    QByteArray body;
    QString route;
    QByteArray answer; // the answer's bytes read so far, this attempt
    QPointer<QObject> context;
    QPointer<QNetworkReply> reply;
    QPointer<QTimer> retryTimer;
    bool cancelled = false;
    bool done = false;
    bool tooLarge = false;
    bool overDeadline = false; // this attempt ran past the client's attempt deadline
    int attempt = 0;
    QString tlsDetails;
    QString requestId; // of the last answer, for errors found after the transfer
    // Watches the context; cut when the call is over so that a long-lived context does not
    // keep every finished call (and what its callback captured) alive.
    QMetaObject::Connection contextWatch;
    // Converts the body and runs the caller's callback; or runs it with the error.
    std::function<void(const QByteArray&)> onSuccess;
    std::function<void(const ApiError&)> onError;

    void markDone() {
        done = true;
        QObject::disconnect(contextWatch);
    }
};

void RequestHandle::cancel() {
    if (!m_state || m_state->done)
        return;
    m_state->cancelled = true;
    m_state->markDone();
    if (m_state->retryTimer) {
        m_state->retryTimer->stop();
        // Its closure holds the state; the client would otherwise keep it until it dies.
        m_state->retryTimer->deleteLater();
    }
    if (m_state->reply)
        m_state->reply->abort();
}

bool RequestHandle::isRunning() const {
    return m_state && !m_state->done;
}

namespace {

// What Qt may hold of an answer beyond what the client has read: the answer size cap is
// enforced on what the client reads, so this bounds what can pile up before it is checked.
constexpr qint64 kReadBuffer = 256 * 1024;

QString tlsDescription(const QList<QSslError>& errors) {
    QStringList lines;
    for (const QSslError& error : errors)
        lines << error.errorString();
    if (!errors.isEmpty()) {
        const QSslCertificate cert = errors.first().certificate();
        if (!cert.isNull()) {
            lines << QStringLiteral("Certificate: %1, issued by %2, valid %3 to %4, SHA-256 %5")
                         .arg(cert.subjectDisplayName(), cert.issuerDisplayName(),
                              cert.effectiveDate().toString(Qt::ISODate),
                              cert.expiryDate().toString(Qt::ISODate),
                              QString::fromLatin1(
                                  cert.digest(QCryptographicHash::Sha256).toHex(':')));
        }
    }
    return lines.join(QLatin1Char('\n'));
}

std::chrono::milliseconds backoff(const LegbaClient::RetryPolicy& policy, int attempt) {
    const qint64 base = policy.baseDelay.count() << std::min(attempt, 10);
    const qint64 capped = std::min<qint64>(base, policy.maxDelay.count());
    // Full jitter between half and all of the delay, so that many clients spread out.
    const qint64 jittered =
        capped / 2 + static_cast<qint64>(QRandomGenerator::global()->bounded(capped / 2 + 1));
    return std::chrono::milliseconds(jittered);
}

} // namespace

LegbaClient::LegbaClient(QObject* parent)
    : QObject(parent)
    , m_manager(new AuthorizingAccessManager(this)) {}

LegbaClient::~LegbaClient() = default;

std::optional<QString> LegbaClient::setEndpoint(const Endpoint& endpoint) {
    if (auto problem = endpoint.problem())
        return problem;
    m_endpoint = endpoint;
    m_manager->endpoint = endpoint;
    return std::nullopt;
}

void LegbaClient::setKey(Secret key) {
    m_manager->key = std::move(key);
    // Connections made with the old key must not be reused for the new one's requests.
    m_manager->clearConnectionCache();
}

void LegbaClient::clearKey() {
    m_manager->key.clear();
    m_manager->clearConnectionCache();
}

bool LegbaClient::hasKey() const {
    return !m_manager->key.isEmpty();
}

QString LegbaClient::keyPrefix() const {
    return m_manager->key.isEmpty() ? QString() : keyformat::displayPrefix(m_manager->key.reveal());
}

void LegbaClient::setTransferTimeout(std::chrono::milliseconds timeout) {
    m_manager->setTransferTimeout(static_cast<int>(timeout.count()));
}

QNetworkAccessManager* LegbaClient::networkAccessManager() const {
    return m_manager;
}

template <typename T>
RequestHandle LegbaClient::call(QByteArray method, const QString& path, const QUrlQuery& query,
                                QByteArray body, QObject* context, Callback<T> done,
                                std::function<T(const QByteArray&)> parse) {
    QUrl url = m_endpoint.apiUrl(path);
    url.setQuery(query);
    return callUrl<T>(std::move(method), std::move(url), path, std::move(body), context,
                      std::move(done), std::move(parse));
}

template <typename T>
RequestHandle LegbaClient::callUrl(QByteArray method, QUrl url, const QString& path,
                                   QByteArray body, QObject* context, Callback<T> done,
                                   std::function<T(const QByteArray&)> parse) {
    auto state = std::make_shared<CallState>();
    state->method = std::move(method);
    state->url = std::move(url);
    state->body = std::move(body);
    state->route = QString::fromLatin1(state->method) + QLatin1Char(' ') + path;
    state->context = context;
    const bool contextGiven = context != nullptr;

    // Raw pointer: the state owns these closures, and they must not own the state back.
    CallState* raw = state.get();
    auto alive = [raw, contextGiven] {
        return !raw->cancelled && (!contextGiven || raw->context);
    };
    state->onSuccess = [raw, alive, done, parse](const QByteArray& answer) {
        if (!alive())
            return;
        std::optional<Result<T>> result;
        try {
            result.emplace(parse(answer));
        } catch (const json::ParseError& error) {
            ApiError parseError;
            parseError.kind = ApiError::Kind::Parse;
            parseError.route = raw->route;
            parseError.requestId = raw->requestId;
            parseError.field = error.field();
            parseError.message =
                error.field().isEmpty()
                    ? QStringLiteral("the body %1").arg(error.problem())
                    : QStringLiteral("field '%1' %2").arg(error.field(), error.problem());
            qCWarning(lcApi).noquote() << raw->route << "answer malformed:" << parseError.message;
            result.emplace(std::move(parseError));
        }
        done(std::move(*result));
    };
    state->onError = [alive, done](const ApiError& error) {
        if (alive())
            done(Result<T>(error));
    };

    if (context) {
        state->contextWatch =
            connect(context, &QObject::destroyed, this, [state] { RequestHandle(state).cancel(); });
    }
    start(state);
    return RequestHandle(state);
}

void LegbaClient::start(const std::shared_ptr<CallState>& state) {
    if (state->done)
        return;
    if (auto problem = m_endpoint.problem()) {
        ApiError error;
        error.kind = ApiError::Kind::InsecureUrl;
        error.message = *problem;
        error.route = state->route;
        // Deliver asynchronously: callers may not expect their callback inside the call.
        QTimer::singleShot(0, this, [this, state, error] { fail(state, error); });
        return;
    }

    QNetworkRequest request(state->url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setRawHeader("Accept", "application/json");
    request.setHeader(QNetworkRequest::UserAgentHeader,
                      QByteArrayLiteral("legba-admin/" LEGBA_VERSION));
    // Answers may carry secrets: never let Qt's cache keep them.
    request.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute,
                         QNetworkRequest::AlwaysNetwork);

    QNetworkReply* reply = nullptr;
    if (state->method == "GET")
        reply = m_manager->get(request);
    else if (state->method == "DELETE")
        reply = m_manager->deleteResource(request);
    else
        reply = m_manager->sendCustomRequest(request, state->method, state->body);
    state->reply = reply;
    ++state->attempt;

    connect(reply, &QNetworkReply::sslErrors, this, [state](const QList<QSslError>& errors) {
        // Recorded for the user; never ignored, so the handshake fails.
        state->tlsDetails = tlsDescription(errors);
    });
    // The cap holds on the bytes that actually arrived: each readyRead drains the reply into
    // the call's buffer and checks it, and Qt buffers at most kReadBuffer more before it
    // stops reading the socket. downloadProgress lags behind what is already buffered (an
    // endless chunked body once grew the app to 6 GB before it fired).
    state->answer.clear();
    reply->setReadBufferSize(kReadBuffer);
    const auto refuse = [state, reply] {
        state->tooLarge = true;
        state->answer.clear();
        state->answer.squeeze();
        reply->abort();
    };
    connect(reply, &QNetworkReply::metaDataChanged, this, [this, state, reply, refuse] {
        bool known = false;
        const qint64 declared =
            reply->header(QNetworkRequest::ContentLengthHeader).toLongLong(&known);
        if (known && declared > m_maxAnswerBytes && !state->tooLarge)
            refuse(); // no point receiving what will be refused
    });
    connect(reply, &QNetworkReply::readyRead, this, [this, state, reply, refuse] {
        if (state->tooLarge)
            return;
        const qint64 room = m_maxAnswerBytes - state->answer.size();
        if (reply->bytesAvailable() > room) {
            refuse();
            return;
        }
        state->answer.append(reply->readAll());
    });
    connect(reply, &QNetworkReply::finished, this, [this, state, reply] { finish(state, reply); });
    state->overDeadline = false;
    if (m_attemptDeadline.count() > 0) {
        auto* deadline = new QTimer(reply);
        deadline->setSingleShot(true);
        connect(deadline, &QTimer::timeout, reply, [state, reply] {
            state->overDeadline = true;
            reply->abort();
        });
        deadline->start(m_attemptDeadline);
    }
}

void LegbaClient::finish(const std::shared_ptr<CallState>& state, QNetworkReply* reply) {
    reply->deleteLater();
    if (state->reply == reply)
        state->reply = nullptr;
    if (state->done)
        return;

    ApiError error;
    error.route = state->route;
    error.requestId = QString::fromLatin1(reply->rawHeader("X-Request-Id"));
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QNetworkReply::NetworkError netError = reply->error();

    if (state->tooLarge) {
        error.kind = ApiError::Kind::Parse;
        error.message = QStringLiteral("the answer is larger than %1")
                            .arg(QLocale::c().formattedDataSize(m_maxAnswerBytes, 1));
        fail(state, error);
        return;
    }

    if (status == 0 || (netError != QNetworkReply::NoError && status < 400)) {
        // No HTTP answer: the one place that tells network, TLS and timeout apart.
        switch (netError) {
        case QNetworkReply::OperationCanceledError:
        case QNetworkReply::TimeoutError:
            error.kind = ApiError::Kind::Timeout;
            error.message = state->overDeadline
                                ? QStringLiteral("no complete answer within %1 s")
                                      .arg(static_cast<double>(m_attemptDeadline.count()) / 1000.0)
                                : QStringLiteral("no answer within the transfer timeout");
            break;
        case QNetworkReply::SslHandshakeFailedError:
            error.kind = ApiError::Kind::Tls;
            error.message = reply->errorString();
            error.tlsDetails = state->tlsDetails;
            break;
        case QNetworkReply::InsecureRedirectError:
        case QNetworkReply::TooManyRedirectsError:
            error.kind = ApiError::Kind::Network;
            error.message = QStringLiteral("the server redirected to another address, which "
                                           "Legba Admin does not follow with your key");
            break;
        default:
            error.kind = ApiError::Kind::Network;
            error.message = reply->errorString();
            break;
        }
        if (!state->tlsDetails.isEmpty() && error.kind != ApiError::Kind::Tls) {
            error.kind = ApiError::Kind::Tls;
            error.tlsDetails = state->tlsDetails;
        }
        qCInfo(lcApi).noquote() << state->route << "failed:" << toString(error.kind)
                                << error.message;
        // A refused redirect will be refused again: not worth a retry.
        const bool refusedRedirect = netError == QNetworkReply::InsecureRedirectError ||
                                     netError == QNetworkReply::TooManyRedirectsError;
        if (!refusedRedirect && scheduleRetry(state, error))
            return;
        Q_EMIT serverUnreachable(error);
        fail(state, error);
        return;
    }

    QByteArray body = std::exchange(state->answer, QByteArray());
    body.append(reply->readAll());
    if (status >= 300) {
        error.kind = ApiError::Kind::Http;
        error.httpStatus = status;
        const ErrorBody parsed = json::errorBodyFromJson(body);
        error.code = errorCodeFromWireName(parsed.code);
        error.message = parsed.message;
        bool ok = false;
        const int retryAfter = reply->rawHeader("Retry-After").trimmed().toInt(&ok);
        error.retryAfterSeconds = ok ? retryAfter : -1;
        qCInfo(lcApi).noquote() << state->route << "answered" << status << error.requestId;
        if (scheduleRetry(state, error))
            return;
        if (status == 401)
            Q_EMIT keyRejected(error);
        else
            Q_EMIT serverAnswered();
        fail(state, error);
        return;
    }

    Q_EMIT serverAnswered();
    state->markDone();
    state->requestId = error.requestId;
    state->onSuccess(body);
}

bool LegbaClient::scheduleRetry(const std::shared_ptr<CallState>& state, const ApiError& error) {
    if (state->method != "GET" || state->attempt > m_retry.maxRetries)
        return false;
    const bool transient = error.kind == ApiError::Kind::Network ||
                           error.kind == ApiError::Kind::Timeout ||
                           (error.kind == ApiError::Kind::Http &&
                            (error.httpStatus == 429 || error.httpStatus == 503));
    if (!transient)
        return false;
    std::chrono::milliseconds delay = backoff(m_retry, state->attempt - 1);
    if (error.retryAfterSeconds >= 0) {
        const std::chrono::milliseconds asked = std::chrono::seconds(error.retryAfterSeconds);
        // A server asking for a long pause gets its answer, not a hidden wait.
        if (asked > m_retry.maxDelay)
            return false;
        delay = std::max(delay, asked);
    }
    qCInfo(lcApi).noquote() << state->route << "retrying in" << delay.count() << "ms";
    auto* timer = new QTimer(this);
    timer->setSingleShot(true);
    state->retryTimer = timer;
    connect(timer, &QTimer::timeout, this, [this, state, timer] {
        timer->deleteLater();
        start(state);
    });
    timer->start(delay);
    return true;
}

void LegbaClient::fail(const std::shared_ptr<CallState>& state, const ApiError& error) {
    if (state->done)
        return;
    state->markDone();
    state->onError(error);
}

namespace {
template <typename T>
std::function<T(const QByteArray&)> viaJson(T (*convert)(const nlohmann::json&)) {
    return [convert](const QByteArray& body) {
        return convert(json::parse(body));
    };
}
ApiKey keyFromBody(const nlohmann::json& object) {
    return json::apiKeyFromJson(object);
}
Instance instanceFromBody(const nlohmann::json& object) {
    return json::instanceFromJson(object);
}
std::function<Done(const QByteArray&)> nothing() {
    return [](const QByteArray&) {
        return Done{};
    };
}
QByteArray body(const nlohmann::json& value) {
    return json::dump(value);
}
QString keyPath(const QString& keyId) {
    return QStringLiteral("/keys/") + QString::fromLatin1(QUrl::toPercentEncoding(keyId));
}
QString instancePath(const QString& uuid) {
    return QStringLiteral("/instances/") + QString::fromLatin1(QUrl::toPercentEncoding(uuid));
}
QUrlQuery revokedQuery(bool includeRevoked) {
    QUrlQuery query;
    if (includeRevoked)
        query.addQueryItem(QStringLiteral("include_revoked"), QStringLiteral("true"));
    return query;
}
QByteArray graceBody(int gracePeriodSeconds) {
    return body(nlohmann::json{{"grace_period_seconds", gracePeriodSeconds}});
}
} // namespace

RequestHandle LegbaClient::health(QObject* context, Callback<Health> done) {
    // /healthz lives outside /orgs/.
    QUrl url = m_endpoint.baseUrl;
    QString base = url.path();
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    url.setPath(base + QStringLiteral("/healthz"));
    return callUrl<Health>("GET", url, QStringLiteral("/healthz"), {}, context, std::move(done),
                           viaJson(&json::healthFromJson));
}

RequestHandle LegbaClient::getKey(QObject* context, Callback<ApiKey> done) {
    return call<ApiKey>("GET", QStringLiteral("/key"), {}, {}, context, std::move(done),
                        viaJson(&keyFromBody));
}

RequestHandle LegbaClient::rotateOwnKey(QObject* context, Callback<IssuedKey> done) {
    return call<IssuedKey>("POST", QStringLiteral("/key/rotate"), {}, QByteArrayLiteral("{}"),
                           context, std::move(done), viaJson(&json::issuedKeyFromJson));
}

RequestHandle LegbaClient::listKeys(bool includeRevoked, QObject* context, Callback<KeyList> done) {
    return call<KeyList>("GET", QStringLiteral("/keys"), revokedQuery(includeRevoked), {}, context,
                         std::move(done), viaJson(&json::keyListFromJson));
}

RequestHandle LegbaClient::createKey(const NewKeyRequest& request, QObject* context,
                                     Callback<IssuedKey> done) {
    return call<IssuedKey>("POST", QStringLiteral("/keys"), {}, json::serialize(request), context,
                           std::move(done), viaJson(&json::issuedKeyFromJson));
}

RequestHandle LegbaClient::getKeyById(const QString& keyId, QObject* context,
                                      Callback<ApiKey> done) {
    return call<ApiKey>("GET", keyPath(keyId), {}, {}, context, std::move(done),
                        viaJson(&keyFromBody));
}

RequestHandle LegbaClient::rotateKey(const QString& keyId, int gracePeriodSeconds, QObject* context,
                                     Callback<IssuedKey> done) {
    return call<IssuedKey>("POST", keyPath(keyId) + QStringLiteral("/rotate"), {},
                           graceBody(gracePeriodSeconds), context, std::move(done),
                           viaJson(&json::issuedKeyFromJson));
}

RequestHandle LegbaClient::revokeKey(const QString& keyId, QObject* context, Callback<Done> done) {
    return call<Done>("DELETE", keyPath(keyId), {}, {}, context, std::move(done), nothing());
}

RequestHandle LegbaClient::listInstances(QObject* context, Callback<InstanceList> done) {
    return call<InstanceList>("GET", QStringLiteral("/instances"), {}, {}, context, std::move(done),
                              viaJson(&json::instanceListFromJson));
}

RequestHandle LegbaClient::createInstance(const NewInstanceRequest& request, QObject* context,
                                          Callback<Instance> done) {
    return call<Instance>("POST", QStringLiteral("/instances"), {}, json::serialize(request),
                          context, std::move(done), viaJson(&instanceFromBody));
}

RequestHandle LegbaClient::getInstance(const QString& instanceUuid, QObject* context,
                                       Callback<Instance> done) {
    return call<Instance>("GET", instancePath(instanceUuid), {}, {}, context, std::move(done),
                          viaJson(&instanceFromBody));
}

RequestHandle LegbaClient::destroyInstance(const QString& instanceUuid, QObject* context,
                                           Callback<Done> done) {
    return call<Done>("DELETE", instancePath(instanceUuid), {}, {}, context, std::move(done),
                      nothing());
}

QUrlQuery LegbaClient::auditQueryToUrlQuery(const AuditQuery& query) {
    QUrlQuery url;
    url.addQueryItem(QStringLiteral("limit"), QString::number(query.limit));
    if (!query.cursor.isEmpty())
        url.addQueryItem(QStringLiteral("cursor"), query.cursor);
    if (query.since.isValid())
        url.addQueryItem(QStringLiteral("since"), rfc3339::format(query.since));
    if (query.until.isValid())
        url.addQueryItem(QStringLiteral("until"), rfc3339::format(query.until));
    if (!query.actorKeyId.isEmpty())
        url.addQueryItem(QStringLiteral("actor_key_id"), query.actorKeyId);
    if (!query.action.isEmpty())
        url.addQueryItem(QStringLiteral("action"), query.action);
    if (query.success)
        url.addQueryItem(QStringLiteral("outcome"),
                         *query.success ? QStringLiteral("success") : QStringLiteral("failure"));
    return url;
}

RequestHandle LegbaClient::auditLog(const AuditQuery& query, QObject* context,
                                    Callback<AuditPage> done) {
    return call<AuditPage>(
        "GET", QStringLiteral("/audit-log"), auditQueryToUrlQuery(query), {}, context,
        std::move(done), [](const QByteArray& body) { return audit::parseAuditPage(body).page(); });
}

RequestHandle LegbaClient::auditLogRaw(const AuditQuery& query, QObject* context,
                                       Callback<QByteArray> done) {
    return call<QByteArray>("GET", QStringLiteral("/audit-log"), auditQueryToUrlQuery(query), {},
                            context, std::move(done), [](const QByteArray& body) { return body; });
}

namespace {
RequestDescription describe(const Endpoint& endpoint, QByteArray method, const QString& path,
                            const QUrlQuery& query = {}, QByteArray body = {}) {
    QUrl url = endpoint.apiUrl(path);
    url.setQuery(query);
    return RequestDescription{std::move(method), url, std::move(body)};
}
} // namespace

RequestDescription LegbaClient::describeListInstances() const {
    return describe(m_endpoint, "GET", QStringLiteral("/instances"));
}
RequestDescription LegbaClient::describeDestroyInstance(const QString& instanceUuid) const {
    return describe(m_endpoint, "DELETE", instancePath(instanceUuid));
}
RequestDescription LegbaClient::describeGetInstance(const QString& instanceUuid) const {
    return describe(m_endpoint, "GET", instancePath(instanceUuid));
}
RequestDescription LegbaClient::describeCreateInstance(const NewInstanceRequest& request) const {
    return describe(m_endpoint, "POST", QStringLiteral("/instances"), {}, json::serialize(request));
}
RequestDescription LegbaClient::describeGetKey() const {
    return describe(m_endpoint, "GET", QStringLiteral("/key"));
}
RequestDescription LegbaClient::describeListKeys(bool includeRevoked) const {
    return describe(m_endpoint, "GET", QStringLiteral("/keys"), revokedQuery(includeRevoked));
}
RequestDescription LegbaClient::describeGetKeyById(const QString& keyId) const {
    return describe(m_endpoint, "GET", keyPath(keyId));
}
RequestDescription LegbaClient::describeRevokeKey(const QString& keyId) const {
    return describe(m_endpoint, "DELETE", keyPath(keyId));
}
RequestDescription LegbaClient::describeRotateKey(const QString& keyId,
                                                  int gracePeriodSeconds) const {
    return describe(m_endpoint, "POST", keyPath(keyId) + QStringLiteral("/rotate"), {},
                    graceBody(gracePeriodSeconds));
}
RequestDescription LegbaClient::describeAuditLog(const AuditQuery& query) const {
    return describe(m_endpoint, "GET", QStringLiteral("/audit-log"), auditQueryToUrlQuery(query));
}

QString curlCommand(const RequestDescription& request) {
    // Single quotes: the shell expands nothing inside them, whatever a server put in a
    // cursor or a user in a filter. The explicit QString return keeps QStringBuilder from
    // returning references to the lambda's parameter.
    auto quoted = [](QString text) -> QString {
        text.replace(QLatin1Char('\''), QLatin1String("'\\''"));
        return QLatin1Char('\'') + text + QLatin1Char('\'');
    };
    QStringList parts{QStringLiteral("curl"),
                      QStringLiteral("-X"),
                      QString::fromLatin1(request.method),
                      quoted(request.url.toString(QUrl::FullyEncoded)),
                      QStringLiteral("\\\n  -H \"Authorization: Bearer $LEGBA_API_TOKEN\""),
                      QStringLiteral("\\\n  -H \"Content-Type: application/json\"")};
    if (!request.body.isEmpty())
        parts << QStringLiteral("\\\n  -d ") + quoted(QString::fromUtf8(request.body));
    return parts.join(QLatin1Char(' '));
}

} // namespace legba
