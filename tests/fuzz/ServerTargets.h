#pragma once

#include "FuzzTargets.h"

#include <QByteArray>

// The fuzz targets for the JSON bodies the server accepts: each input is the body of one
// POST, sent with a valid key to an in-process Api (no sockets) over a database in a
// temporary directory, set up once per process and kept across inputs as a server would.
namespace legba::fuzz {

enum class ServerRoute {
    CreateKey,      // POST /orgs/{org}/api/keys
    CreateInstance, // POST /orgs/{org}/api/instances
    RotateKey,      // POST /orgs/{org}/api/keys/{key_id}/rotate
    RotateOwnKey,   // POST /orgs/{org}/api/key/rotate
};

struct ServerExchange {
    int status = 0;
    QByteArray body;
    Violation violation; // a broken invariant of the answer or of the state it left
};

// Sends `body` to the route and checks the answer and, after a success, the server's state
// (the new key works, the rotated one does not...). The targets are this, returning
// `violation`.
ServerExchange exchangeWithServer(ServerRoute route, QByteArrayView body);

// The checks that need only the request and the answer: a status the contract gives the
// route, the error shape with the code of that status, a 400 naming a field of the route,
// a success that parses and says what the body asked for.
Violation checkServerAnswer(ServerRoute route, QByteArrayView requestBody, int status,
                            const QByteArray& answerBody);

// Live instances the organization may have before POST /instances answers 409.
int serverInstanceQuota();

// Closes the server while Qt is still up (the regression test calls it from its cleanup;
// the fuzzers let it go at exit).
void shutDownServer();

Violation serverCreateKey(QByteArrayView input);
Violation serverCreateInstance(QByteArrayView input);
Violation serverRotateKey(QByteArrayView input);
Violation serverRotateOwnKey(QByteArrayView input);

} // namespace legba::fuzz
