// The remote-list status every pane shares, and the one place where an ApiError becomes the
// banner's words: without widgets and without a server, error by error.
#include "ListStatus.h"

#include <QTest>

using namespace legba;

namespace {

ApiError httpError(int status, const QString& message, const QString& route) {
    ApiError error;
    error.kind = ApiError::Kind::Http;
    error.httpStatus = status;
    error.message = message;
    error.route = route;
    error.requestId = QStringLiteral("req_123");
    return error;
}

ApiError kindError(ApiError::Kind kind, const QString& message = QStringLiteral("refused")) {
    ApiError error;
    error.kind = kind;
    error.message = message;
    error.route = QStringLiteral("GET /instances");
    return error;
}

} // namespace

class TestListStatus : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void forbiddenNamesTheMissingScopeTheRequestAndTheWhat() {
        const ApiError error =
            httpError(403, QStringLiteral("This key lacks the scope 'keys:write'"),
                      QStringLiteral("POST /keys/key_1/rotate"));
        const StatusWords words = failureWords(error, QStringLiteral("The key was not rotated."));
        QCOMPARE(words.tone, StatusWords::Tone::Error);
        QCOMPARE(words.title, QStringLiteral("The key was not rotated."));
        QVERIFY2(words.detail.startsWith(QStringLiteral("This key lacks the scope 'keys:write' "
                                                        "(HTTP 403)")), // the server's words
                 qPrintable(words.detail));
        QVERIFY2(
            words.detail.endsWith(QStringLiteral("The key in use lacks the scope 'keys:write'. "
                                                 "Enter a key that holds it with Edit "
                                                 "Organization or Key….")),
            qPrintable(words.detail));
        QVERIFY(words.detail.contains(QStringLiteral("HTTP 403")));
        QVERIFY(words.detail.contains(QStringLiteral("Request id: req_123")));
        QVERIFY(!words.offerRetry); // the same key gets the same answer
    }

    void forbiddenWithoutAScope_saysTheKeyWasRefused() {
        const ApiError error =
            httpError(403, QStringLiteral("Forbidden"), QStringLiteral("GET /audit-log"));
        const StatusWords words = failureWords(error, QStringLiteral("Loading failed."));
        QVERIFY2(words.detail.contains(QStringLiteral("\nThe server refused the key in use.")),
                 qPrintable(words.detail));
        QCOMPARE(
            refusalReason(error),
            QStringLiteral("The server refused the key in use (GET /audit-log answered 403)."));
    }

    void unreachable_isAWarningThatSaysSinceWhenAndOffersRetry() {
        const QDateTime last(QDate(2026, 3, 4), QTime(9, 41));
        for (ApiError::Kind kind : {ApiError::Kind::Network, ApiError::Kind::Timeout}) {
            const StatusWords words =
                failureWords(kindError(kind), QStringLiteral("Listing failed."), last);
            QCOMPARE(words.tone, StatusWords::Tone::Warning);
            QCOMPARE(words.title,
                     QStringLiteral("The server cannot be reached. Last updated 09:41."));
            QVERIFY(words.detail.contains(QStringLiteral("may be out of date")));
            QVERIFY(words.offerRetry);
        }
        // Never loaded: no time to name.
        QCOMPARE(failureWords(kindError(ApiError::Kind::Network), QString()).title,
                 QStringLiteral("The server cannot be reached."));
    }

    void unauthorized_saysTheKeyWasRejectedAndWhatToDo() {
        const StatusWords words =
            failureWords(httpError(401, QStringLiteral("Invalid or missing API key"),
                                   QStringLiteral("GET /keys")),
                         QStringLiteral("Listing API keys failed."));
        QCOMPARE(words.title, QStringLiteral("The server rejected the API key."));
        QVERIFY(
            words.detail.contains(QStringLiteral("Enter a new key from the organization menu")));
        QVERIFY(!words.offerRetry);
    }

    void otherFailures_sayWhatFailedAndWhyWithRetry() {
        const StatusWords words =
            failureWords(httpError(500, QStringLiteral("boom"), QStringLiteral("GET /instances")),
                         QStringLiteral("Listing instances failed."));
        QCOMPARE(words.tone, StatusWords::Tone::Error);
        QCOMPARE(words.title, QStringLiteral("Listing instances failed."));
        QVERIFY(words.detail.contains(QStringLiteral("boom (HTTP 500)")));
        QVERIFY(words.detail.contains(QStringLiteral("Request: GET /instances")));
        QVERIFY(words.offerRetry);
        QVERIFY(failureWords(kindError(ApiError::Kind::Parse), QStringLiteral("x")).offerRetry);
    }

    void cancelled_hasNoWords() {
        QVERIFY(failureWords(kindError(ApiError::Kind::Cancelled), QStringLiteral("x")).isEmpty());
        ListStatus status;
        status.setLoading(true);
        status.failed(kindError(ApiError::Kind::Cancelled));
        QVERIFY(!status.isLoading());
        QCOMPARE(status.state(), ListStatus::State::Idle);
        QVERIFY(status.words(QStringLiteral("x")).isEmpty());
    }

    void notFound_isAStateWithAReasonNotAnError() {
        ListStatus status;
        status.setLoading(true);
        status.failed(httpError(404, QStringLiteral("Not found"), QStringLiteral("GET /keys")));
        QCOMPARE(status.state(), ListStatus::State::NotAvailable);
        QVERIFY(status.isRefused());
        QVERIFY(!status.isLoading());
        QVERIFY(!status.hasLoaded());
        QVERIFY(status.words(QStringLiteral("Listing API keys failed.")).isEmpty());
        QCOMPARE(status.reason(),
                 QStringLiteral("Not available on this server (GET /keys answered 404)."));
    }

    void forbiddenList_keepsTheMissingScope() {
        ListStatus status;
        status.failed(httpError(403, QStringLiteral("This key lacks the scope 'audit:read'"),
                                QStringLiteral("GET /audit-log")));
        QCOMPARE(status.state(), ListStatus::State::Forbidden);
        QCOMPARE(status.missingScope(), QStringLiteral("audit:read"));
        QCOMPARE(status.reason(), QStringLiteral("Needs the scope 'audit:read', which the key in "
                                                 "use lacks (GET /audit-log answered 403)."));
        const StatusWords words = status.words(QStringLiteral("Loading the audit log failed."));
        QCOMPARE(words.title, QStringLiteral("Loading the audit log failed."));
        QVERIFY(!words.offerRetry);
    }

    void refusedBeforeAsking_namesTheScope() {
        ListStatus status;
        status.refuse(QStringLiteral("keys:read"));
        QCOMPARE(status.state(), ListStatus::State::Forbidden);
        QCOMPARE(status.missingScope(), QStringLiteral("keys:read"));
        QCOMPARE(status.reason(),
                 QStringLiteral("Needs the scope 'keys:read', which the key in use lacks."));
        QVERIFY(status.words(QString()).isEmpty()); // nothing failed
    }

    void loaded_thenUnreachable_isStaleWithTheLastTime_andLoadingAgainClearsIt() {
        ListStatus status;
        const QDateTime first(QDate(2026, 3, 4), QTime(8, 15));
        status.setLoading(true);
        status.loaded(first);
        QCOMPARE(status.state(), ListStatus::State::Loaded);
        QVERIFY(status.hasLoaded());
        QVERIFY(!status.isLoading());
        QVERIFY(status.words(QStringLiteral("x")).isEmpty());

        status.setLoading(true);
        status.failed(kindError(ApiError::Kind::Network));
        QVERIFY(status.isStale());
        QVERIFY(status.hasLoaded());
        QCOMPARE(status.lastRefresh(), first);
        QCOMPARE(status.words(QStringLiteral("x")).title,
                 QStringLiteral("The server cannot be reached. Last updated 08:15."));

        const QDateTime second = first.addSecs(60);
        status.loaded(second);
        QVERIFY(!status.isStale());
        QVERIFY(!status.error());
        QCOMPARE(status.lastRefresh(), second);
    }

    void actionFailures_makeTheListStaleOnlyWhenTheServerIsGone() {
        ListStatus status;
        status.loaded();
        status.actionFailed(httpError(409, QStringLiteral("quota"), QStringLiteral("POST /x")));
        QCOMPARE(status.state(), ListStatus::State::Loaded);
        status.actionFailed(httpError(403, QStringLiteral("no"), QStringLiteral("POST /x")));
        QCOMPARE(status.state(), ListStatus::State::Loaded);
        status.actionFailed(kindError(ApiError::Kind::Timeout));
        QVERIFY(status.isStale());
        status.loaded();
        status.actionFailed(httpError(401, QStringLiteral("bad key"), QStringLiteral("POST /x")));
        QVERIFY(status.isStale());
    }

    void sessionSteps() {
        ListStatus status;
        status.loaded(QDateTime(QDate(2026, 3, 4), QTime(8, 0)));
        QCOMPARE(status.sessionChanged(Session::State::Connecting), ListStatus::SessionStep::None);
        QCOMPARE(status.state(), ListStatus::State::Loaded);

        QCOMPARE(status.sessionChanged(Session::State::Offline), ListStatus::SessionStep::Wait);
        QVERIFY(status.isStale());
        QVERIFY(status.hasLoaded());

        QCOMPARE(status.sessionChanged(Session::State::Connected), ListStatus::SessionStep::Reload);
        QCOMPARE(status.state(), ListStatus::State::Loaded);

        status.setLoading(true);
        QCOMPARE(status.sessionChanged(Session::State::KeyRejected), ListStatus::SessionStep::Stop);
        QVERIFY(status.isStale());
        QVERIFY(!status.isLoading());
        QVERIFY(status.lastRefresh().isValid());

        QCOMPARE(status.sessionChanged(Session::State::Disconnected),
                 ListStatus::SessionStep::Clear);
        QCOMPARE(status.state(), ListStatus::State::Idle);
        QVERIFY(!status.hasLoaded());
        QVERIFY(!status.lastRefresh().isValid());

        // Connected before anything was loaded: back to Idle, not Loaded.
        status.sessionChanged(Session::State::Offline);
        status.sessionChanged(Session::State::Connected);
        QCOMPARE(status.state(), ListStatus::State::Idle);
    }

    void connectedAgain_keepsARefusal() {
        ListStatus status;
        status.failed(httpError(404, QStringLiteral("Not found"), QStringLiteral("GET /keys")));
        QCOMPARE(status.sessionChanged(Session::State::Connected), ListStatus::SessionStep::Reload);
        QCOMPARE(status.state(), ListStatus::State::NotAvailable);
    }

    void restart_forgetsTheAnswerButNotTheTimeOrTheServerBeingAway() {
        ListStatus status;
        const QDateTime when(QDate(2026, 3, 4), QTime(7, 0));
        status.loaded(when);
        status.failed(httpError(403, QStringLiteral("no"), QStringLiteral("GET /audit-log")));
        status.restart();
        QCOMPARE(status.state(), ListStatus::State::Idle);
        QVERIFY(!status.hasLoaded());
        QCOMPARE(status.lastRefresh(), when);

        status.failed(kindError(ApiError::Kind::Network));
        status.restart();
        QVERIFY(status.isStale());
        QVERIFY(status.error());
    }
};

QTEST_GUILESS_MAIN(TestListStatus)
#include "tst_liststatus.moc"
