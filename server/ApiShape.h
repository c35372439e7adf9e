#pragma once

#include "HttpTransport.h"
#include "Types.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace legba::server {

struct ServerOptions;

// Everything `serve --hosted-shape` changes, in one table chosen when the Api is made, so
// that no handler asks which shape it serves. The sandbox's own shape is its whole contract
// (../shared/legba-api.md); the hosted shape is only what Legba's public docs show.
struct ApiShape {
    // The route filter: only the routes the public docs show. Any other path or method is
    // answered as the hosted API's web server answers it (hostedshape::notFound), not with
    // the JSON error, since the public docs show no error shape for it.
    bool publicRoutesOnly = false;
    // GET /key and POST /key/rotate.
    QByteArray (*ownKey)(const ApiKey&) = nullptr;
    QByteArray (*rotation)(const IssuedKey&) = nullptr;
    // DELETE /instances/{id}: the sandbox's 204, or 200 with the instance, so that clients
    // rehearsed on the hosted shape learn to take any 2xx as success.
    bool deleteAnswersInstance = false;
    QByteArray (*newKey)() = nullptr;
    QString (*newInstanceId)() = nullptr;
    // What a key of this shape can look like: a token that fails it is a 401 (reason
    // malformed_key). Judged after the digest lookup every token gets alike (Authenticator),
    // so that a refusal's time does not tell a malformed token from an unknown key.
    bool (*admitsToken)(QByteArrayView) = nullptr;

    static const ApiShape& sandbox();
    static const ApiShape& hosted();
    static const ApiShape& of(const ServerOptions& options);
};

namespace hostedshape {

// Keys the hosted shape issues: the docs promise no format, so these have none a client could
// learn to check (no checksum, not the sandbox's length).
inline constexpr const char* kKeyTag = "legba_sk_";
inline constexpr qsizetype kKeyRandomLength = 40;
inline constexpr qsizetype kMaxTokenLength = 512;

QByteArray generateKey();
// Any token the hosted shape looks up: visible ASCII, no spaces, at most kMaxTokenLength.
bool isAdmissibleToken(QByteArrayView token);
// Instance ids as the docs show them: four groups of four lowercase hex digits
// ("1234-5678-90ab-cdef"), random.
QString generateInstanceId();
bool isInstanceId(QByteArrayView text);
// What Go's http.NotFound answers: 404, text/plain, "404 page not found\n".
HttpResponse notFound();

} // namespace hostedshape

} // namespace legba::server
