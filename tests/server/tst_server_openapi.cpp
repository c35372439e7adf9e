// docs/openapi.yaml against the server: every route served is documented, every documented
// route answers, and on a documented path every method left undocumented is 405. The
// operations marked x-legba-public are the ones the hosted shape serves, and the only ones.

#include "Api.h"
#include "Harness.h"
#include "Routes.h"

#include <QFile>
#include <QRegularExpression>
#include <QTest>
#include <map>
#include <optional>
#include <set>

using namespace legba::servertest;

namespace {

using Route = std::pair<QByteArray, QString>; // method, path template

// Every documented route, or only those marked `x-legba-public: true`.
std::set<Route> documentedRoutes(bool publicOnly = false) {
    QFile file(QStringLiteral(LEGBA_OPENAPI));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", LEGBA_OPENAPI);
    // Paths are two-space keys under `paths:`, methods four-space keys under a path, and an
    // operation's own keys six-space keys under its method.
    const QRegularExpression pathLine(QStringLiteral("^  (/\\S*):\\s*$"));
    const QRegularExpression methodLine(
        QStringLiteral("^    (get|put|post|delete|patch|head|options|trace):\\s*$"));
    const QRegularExpression publicLine(QStringLiteral("^      x-legba-public:\\s*true\\s*$"));
    std::set<Route> routes;
    bool inPaths = false;
    QString current;
    std::optional<Route> operation;
    while (!file.atEnd()) {
        const QString line = QString::fromUtf8(file.readLine()).chopped(1);
        if (!line.startsWith(QLatin1Char(' ')) && !line.isEmpty())
            inPaths = line == QLatin1String("paths:");
        if (!inPaths)
            continue;
        if (const auto m = pathLine.match(line); m.hasMatch()) {
            current = m.captured(1);
            operation.reset();
        } else if (const auto m2 = methodLine.match(line); m2.hasMatch() && !current.isEmpty()) {
            operation = Route{m2.captured(1).toUpper().toLatin1(), current};
            if (!publicOnly)
                routes.insert(*operation);
        } else if (publicOnly && operation && publicLine.match(line).hasMatch()) {
            routes.insert(*operation);
        }
    }
    return routes;
}

std::set<Route> servedRoutes(bool publicOnly = false) {
    std::set<Route> routes;
    for (const legba::server::RouteInfo& r : legba::server::Api::routes()) {
        if (r.isPublic || !publicOnly)
            routes.insert({r.method, r.pathTemplate});
    }
    return routes;
}

// The scope each documented operation's summary names ("... (scope keys:read)"), by route.
std::map<Route, QString> documentedScopes() {
    QFile file(QStringLiteral(LEGBA_OPENAPI));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", LEGBA_OPENAPI);
    const QRegularExpression pathLine(QStringLiteral("^  (/\\S*):\\s*$"));
    const QRegularExpression methodLine(QStringLiteral("^    (get|post|delete):\\s*$"));
    const QRegularExpression summaryLine(
        QStringLiteral("^      summary:.*\\(scope ([a-z]+:[a-z]+)[;)]"));
    std::map<Route, QString> scopes;
    QString current;
    QByteArray method;
    while (!file.atEnd()) {
        const QString line = QString::fromUtf8(file.readLine()).chopped(1);
        if (const auto m = pathLine.match(line); m.hasMatch())
            current = m.captured(1);
        else if (const auto m2 = methodLine.match(line); m2.hasMatch())
            method = m2.captured(1).toUpper().toLatin1();
        else if (const auto m3 = summaryLine.match(line); m3.hasMatch())
            scopes[{method, current}] = m3.captured(1);
    }
    return scopes;
}

} // namespace

class ServerOpenApiTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void everyServedRouteIsDocumentedAndNoOther() {
        const std::set<Route> documented = documentedRoutes();
        const std::set<Route> served = servedRoutes();
        QVERIFY(documented.size() >= 14);
        for (const Route& r : served)
            QVERIFY2(documented.count(r),
                     qPrintable(QString::fromLatin1(r.first) + QLatin1Char(' ') + r.second +
                                QStringLiteral(" is served but not documented")));
        for (const Route& r : documented)
            QVERIFY2(served.count(r),
                     qPrintable(QString::fromLatin1(r.first) + QLatin1Char(' ') + r.second +
                                QStringLiteral(" is documented but not served")));
    }

    // api/Routes.h is the one table of routes and scopes: the router serves each of its
    // routes and no other under /orgs/{org_uuid}/api, and the scope each one needs is the one
    // the OpenAPI document names.
    void everyServedRouteIsInTheContractTableWithTheDocumentedScope() {
        const QString prefix = QStringLiteral("/orgs/{org_uuid}/api");
        const std::map<Route, QString> documented = documentedScopes();
        std::set<Route> seen;
        for (const auto& [method, path] : servedRoutes()) {
            if (!path.startsWith(prefix))
                continue;
            const QByteArray route = path.mid(prefix.size()).toLatin1();
            const legba::RequiredScope need =
                legba::requiredScope(method.toStdString(), route.toStdString());
            QVERIFY2(need.known, qPrintable(path + QStringLiteral(" is not in api/Routes.h")));
            seen.insert({method, path});
            const auto doc = documented.find({method, path});
            if (need.scope) {
                QVERIFY2(doc != documented.end(),
                         qPrintable(path + QStringLiteral(" names no scope")));
                QCOMPARE(doc->second, legba::wireName(*need.scope));
            } else {
                QVERIFY2(doc == documented.end(),
                         qPrintable(path + QStringLiteral(" names a scope")));
            }
        }
        QCOMPARE(seen.size(), legba::apiRoutes().size());
        // Spot checks of what an audit event's request needed.
        QCOMPARE(legba::requiredScope("GET", "/instances/{instance_uuid}"),
                 (legba::RequiredScope{true, legba::Scope::InstancesRead}));
        QCOMPARE(legba::requiredScope("POST", "/key/rotate"), (legba::RequiredScope{true, {}}));
        QVERIFY(!legba::requiredScope("PUT", "/keys").known);
        QVERIFY(!legba::requiredScope("GET", "/orgs/x/api/nothing").known);
        QCOMPARE(legba::requiredScopeForAction("instance.destroyed"),
                 (legba::RequiredScope{true, legba::Scope::InstancesWrite}));
        QCOMPARE(legba::requiredScopeForAction("api_key.rotated"),
                 (legba::RequiredScope{true, legba::Scope::KeysWrite}));
        QVERIFY(!legba::requiredScopeForAction("api.request").known);
        QVERIFY(!legba::requiredScopeForAction("auth.failed").known);
    }

    void thePublicRoutesAreTheOnesMarkedPublic() {
        const std::set<Route> documented = documentedRoutes(true);
        QCOMPARE(documented.size(), 5u);
        QVERIFY(documented == servedRoutes(true));
    }

    void theHostedShapeServesThePublicRoutesAndNoOther() {
        legba::server::ServerOptions options = Harness::fastOptions();
        options.hostedShape = true;
        Harness h(options);
        const QString instance = str(h.post(h.api(QStringLiteral("/instances")), h.ownerKey,
                                            Json{{"image", "ubuntu-22.04"}, {"size", "small"}})
                                         .json(),
                                     "instance_uuid");
        const std::set<Route> publicRoutes = documentedRoutes(true);
        for (const auto& [method, path] : documentedRoutes()) {
            // A key made for the purpose rotates, so the owner key stays usable.
            const auto victim = h.server().issueKey(h.org, QStringLiteral("doc"));
            QVERIFY(victim);
            const QByteArray key =
                path.endsWith(QLatin1String("/key/rotate")) ? victim->secret.reveal() : h.ownerKey;
            QString concrete = path;
            concrete.replace(QStringLiteral("{org_uuid}"), h.org)
                .replace(QStringLiteral("{key_id}"), victim->record.keyId)
                .replace(QStringLiteral("{instance_uuid}"), instance);
            const QByteArray body =
                method == "POST" && path.endsWith(QLatin1String("/instances"))
                    ? QByteArray("{\"image\":\"windows-10\",\"size\":\"small\"}")
                    : QByteArray();
            const Reply r = h.call(method, concrete, key, body);
            const QString what = QString::fromLatin1(method) + QLatin1Char(' ') + path +
                                 QStringLiteral(" answered ") + QString::number(r.status);
            if (publicRoutes.count({method, path}))
                QVERIFY2(r.status >= 200 && r.status < 300, qPrintable(what));
            else
                QVERIFY2(r.status == 404 && r.body == "404 page not found\n", qPrintable(what));
        }
    }

    void everyDocumentedRouteAnswers() {
        Harness h;
        const QString instance = str(h.post(h.api(QStringLiteral("/instances")), h.ownerKey,
                                            Json{{"image", "ubuntu-22.04"}, {"size", "small"}})
                                         .json(),
                                     "instance_uuid");
        QSet<QString> paths;
        for (const auto& [method, path] : documentedRoutes()) {
            paths.insert(path);
            // Mutations act on keys made for the purpose, so the owner key stays usable.
            const auto victim = h.makeKey({QStringLiteral("instances:read")});
            QByteArray key = h.ownerKey;
            if (path.endsWith(QLatin1String("/key/rotate")))
                key = victim.key;
            QString concrete = path;
            concrete.replace(QStringLiteral("{org_uuid}"), h.org)
                .replace(QStringLiteral("{key_id}"), victim.keyId)
                .replace(QStringLiteral("{instance_uuid}"), instance);
            QByteArray body;
            if (method == "POST" && path.endsWith(QLatin1String("/keys")))
                body = "{\"name\":\"doc\",\"scopes\":[\"keys:read\"]}";
            else if (method == "POST" && path.endsWith(QLatin1String("/instances")))
                body = "{\"image\":\"windows-10\",\"size\":\"medium\"}";
            const Reply r = h.call(method, concrete, key, body);
            QVERIFY2(r.status >= 200 && r.status < 300,
                     qPrintable(QString::fromLatin1(method) + QLatin1Char(' ') + path +
                                QStringLiteral(" answered ") + QString::number(r.status) +
                                QLatin1Char(' ') + QString::fromUtf8(r.body)));
            QVERIFY(!r.header("X-Request-Id").isEmpty());
        }
        // Any method not documented on a documented path is refused as such.
        const std::set<Route> documented = documentedRoutes();
        for (const QString& path : paths) {
            for (const QByteArray method : {"GET", "POST", "PUT", "PATCH", "DELETE"}) {
                if (documented.count({method, path}))
                    continue;
                QString concrete = path;
                concrete.replace(QStringLiteral("{org_uuid}"), h.org)
                    .replace(QStringLiteral("{key_id}"), h.ownerKeyId)
                    .replace(QStringLiteral("{instance_uuid}"), instance);
                const Reply r = h.call(method, concrete, h.ownerKey);
                QVERIFY2(r.status == 405,
                         qPrintable(QString::fromLatin1(method) + QLatin1Char(' ') + path +
                                    QStringLiteral(" answered ") + QString::number(r.status)));
                QVERIFY(!r.header("Allow").isEmpty());
            }
        }
    }
};

QTEST_MAIN(ServerOpenApiTest)
#include "tst_server_openapi.moc"
