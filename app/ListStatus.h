#pragma once

#include "ApiError.h"
#include "Session.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QString>
#include <optional>

namespace legba {

// The banner's words for one failure (docs: ../shared/ui.md, "Error"): what failed, why
// (the server's message and request id) and what to do, and whether Retry is offered.
struct StatusWords {
    enum class Tone { Error, Warning, Info };
    Tone tone = Tone::Error;
    QString title;
    QString detail;
    bool offerRetry = true;
    bool isEmpty() const { return title.isEmpty(); }
};

// Where an ApiError becomes words, for every pane and every action: `what` says what
// failed ("Listing instances failed."); `lastRefresh` is when the list shown was last
// the server's. A cancelled call has no words.
StatusWords failureWords(const ApiError& error, const QString& what,
                         const QDateTime& lastRefresh = {});

// One line for a tooltip or a state page: why a route cannot be used, from its 404 or 403
// ("Not available on this server (GET /audit-log answered 404)."). Empty for other errors.
QString refusalReason(const ApiError& error);

// What a pane knows about the list it shows from the server (ui.md, "States every pane
// has"), the same for Keys, Instances and Audit: whether it is loading, what the last
// answer was, whether the rows shown are stale and since when. No widgets: the panes
// render it (ui/ListStatusView).
class ListStatus {
    Q_DECLARE_TR_FUNCTIONS(ListStatus)

public:
    enum class State {
        Idle,         // nothing asked yet, or forgotten (disconnected, new query)
        Loaded,       // the rows are the server's answer of lastRefresh()
        Stale,        // the server cannot be reached or rejected the key: rows kept, greyed
        NotAvailable, // the route answered 404: this server does not offer the list
        Forbidden,    // the route answered 403, or the key lacks the scope: missingScope()
        Failed,       // any other failure; Retry is offered
    };
    // What a pane does when the session moves.
    enum class SessionStep {
        None,   // connecting: nothing yet
        Reload, // connected: ask again
        Wait,   // offline: keep the rows, greyed; ask when it is time
        Stop,   // the key was rejected: stop asking, keep the rows greyed
        Clear,  // disconnected: stop asking and forget the rows
    };

    State state() const { return m_state; }
    bool isLoading() const { return m_loading; }
    // An answer (rows, or "none") has been shown since the last clear or restart.
    bool hasLoaded() const { return m_loadedOnce; }
    bool isStale() const { return m_state == State::Stale; }
    QDateTime lastRefresh() const { return m_lastRefresh; }
    const std::optional<ApiError>& error() const { return m_error; }
    // The scope a 403 (or the key's own scopes) said is missing; may be empty on a 403.
    QString missingScope() const { return m_missingScope; }

    void setLoading(bool loading) { m_loading = loading; }
    void loaded(const QDateTime& when = QDateTime::currentDateTime());
    // A failed request for the list. A cancelled one only ends the loading.
    void failed(const ApiError& error);
    // A failed action on the list's items (create, rotate, revoke...): the rows turn stale
    // when it shows that the server is gone or the key rejected; nothing else changes.
    void actionFailed(const ApiError& error);
    // Known before asking: the key lacks `scope` for the list. The pane may still show
    // rows it has (the Keys pane shows the app's own key).
    void refuse(const QString& scope);
    // NotAvailable or Forbidden: the list cannot be had from this server with this key.
    bool isRefused() const { return m_state == State::NotAvailable || m_state == State::Forbidden; }
    SessionStep sessionChanged(Session::State state);
    // Disconnected: as new.
    void clear();
    // A new query: forget the answer, keep when the last one came and whether the server
    // was away.
    void restart();

    // The banner's words for the state (empty when there is nothing to say): `what` says
    // what failed when the list could not be loaded. NotAvailable has none: it is a state,
    // shown on the page, not an error.
    StatusWords words(const QString& what) const;
    // refusalReason() of the error that made it NotAvailable or Forbidden, or the missing
    // scope refuse() was told.
    QString reason() const;

private:
    State m_state = State::Idle;
    bool m_loading = false;
    bool m_loadedOnce = false;
    QDateTime m_lastRefresh;
    std::optional<ApiError> m_error;
    QString m_missingScope;
};

} // namespace legba
