#include "ApiShape.h"

#include "Json.h"
#include "KeyFormat.h"
#include "SandboxServer.h"

#include <QRandomGenerator>
#include <QUuid>

namespace legba::server {

namespace {

constexpr char kHex[] = "0123456789abcdef";

QString sandboxInstanceId() {
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

} // namespace

namespace hostedshape {

QByteArray generateKey() {
    return QByteArray(kKeyTag) + keyformat::randomBase62(kKeyRandomLength);
}

bool isAdmissibleToken(QByteArrayView token) {
    if (token.isEmpty() || token.size() > kMaxTokenLength)
        return false;
    for (char c : token) {
        if (c < 0x21 || c > 0x7e)
            return false;
    }
    return true;
}

QString generateInstanceId() {
    const quint64 bits = QRandomGenerator::global()->generate64();
    QString id;
    id.reserve(19);
    for (int i = 0; i < 16; ++i) {
        if (i > 0 && i % 4 == 0)
            id.append(QLatin1Char('-'));
        id.append(QLatin1Char(kHex[(bits >> (60 - 4 * i)) & 0xFU]));
    }
    return id;
}

bool isInstanceId(QByteArrayView text) {
    if (text.size() != 19)
        return false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (i % 5 == 4 ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

HttpResponse notFound() {
    HttpResponse response;
    response.status = 404;
    response.addHeader("Content-Type", "text/plain; charset=utf-8");
    response.addHeader("X-Content-Type-Options", "nosniff");
    response.body = "404 page not found\n";
    return response;
}

} // namespace hostedshape

const ApiShape& ApiShape::sandbox() {
    static const ApiShape shape{
        false,
        [](const ApiKey& key) { return json::serialize(key); },
        [](const IssuedKey& key) { return json::serialize(key); },
        false,
        [] { return keyformat::generate(); },
        &sandboxInstanceId,
        [](QByteArrayView token) { return keyformat::isWellFormed(token); },
    };
    return shape;
}

const ApiShape& ApiShape::hosted() {
    static const ApiShape shape{
        true,
        &json::serializeHostedKey,
        &json::serializeHostedRotation,
        true,
        &hostedshape::generateKey,
        &hostedshape::generateInstanceId,
        &hostedshape::isAdmissibleToken,
    };
    return shape;
}

const ApiShape& ApiShape::of(const ServerOptions& options) {
    return options.hostedShape ? hosted() : sandbox();
}

} // namespace legba::server
