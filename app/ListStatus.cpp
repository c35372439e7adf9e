#include "ListStatus.h"

namespace legba {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("ListStatus", text);
}

bool unreachable(const ApiError& error) {
    return error.kind == ApiError::Kind::Network || error.kind == ApiError::Kind::Timeout;
}

// "Needs the scope 'keys:write', which the key in use lacks.": the words Session::whyNot
// uses for a scope the key is known to lack, so that a 403 reads like a disabled action.
QString lacksScope(const QString& scope) {
    return scope.isEmpty() ? tr("The server refused the key in use.")
                           : tr("Needs the scope '%1', which the key in use lacks.").arg(scope);
}

} // namespace

StatusWords failureWords(const ApiError& error, const QString& what, const QDateTime& lastRefresh) {
    StatusWords words;
    if (error.kind == ApiError::Kind::Cancelled)
        return words;
    if (unreachable(error)) {
        words.tone = StatusWords::Tone::Warning;
        words.title = tr("The server cannot be reached.");
        if (lastRefresh.isValid())
            words.title +=
                QLatin1Char(' ') +
                tr("Last updated %1.").arg(lastRefresh.toString(QStringLiteral("HH:mm")));
        words.detail = error.summary() + QLatin1Char('\n') +
                       tr("What is shown below is kept and may be out of date.");
        return words;
    }
    if (error.isUnauthorized()) {
        words.title = tr("The server rejected the API key.");
        words.detail = tr("%1\nEnter a new key from the organization menu.").arg(error.details());
        words.offerRetry = false;
        return words;
    }
    words.title = what;
    if (error.isForbidden()) {
        // Why (the server's words, which name the scope), then what to do. Asking again
        // with the same key gets the same answer: no Retry.
        const QString scope = error.missingScope();
        words.detail =
            error.details() + QLatin1Char('\n') +
            (scope.isEmpty() ? tr("The server refused the key in use. Enter a key that may do "
                                  "this with Edit Organization or Key….")
                             : tr("The key in use lacks the scope '%1'. Enter a key that holds "
                                  "it with Edit Organization or Key….")
                                   .arg(scope));
        words.offerRetry = false;
        return words;
    }
    words.detail = error.details();
    return words;
}

QString refusalReason(const ApiError& error) {
    const QString answered =
        error.route.isEmpty()
            ? QString()
            : QStringLiteral(" (%1 answered %2)").arg(error.route).arg(error.httpStatus);
    if (error.isNotFound())
        return tr("Not available on this server%1.").arg(answered);
    if (error.isForbidden()) {
        QString reason = lacksScope(error.missingScope());
        reason.chop(1); // the full stop goes after the route
        return reason + answered + QLatin1Char('.');
    }
    return {};
}

void ListStatus::loaded(const QDateTime& when) {
    m_state = State::Loaded;
    m_loading = false;
    m_loadedOnce = true;
    m_lastRefresh = when;
    m_error.reset();
    m_missingScope.clear();
}

void ListStatus::failed(const ApiError& error) {
    m_loading = false;
    if (error.kind == ApiError::Kind::Cancelled)
        return;
    m_error = error;
    m_missingScope.clear();
    if (unreachable(error) || error.isUnauthorized()) {
        m_state = State::Stale;
    } else if (error.isNotFound()) {
        m_state = State::NotAvailable;
    } else if (error.isForbidden()) {
        m_state = State::Forbidden;
        m_missingScope = error.missingScope();
    } else {
        m_state = State::Failed;
    }
}

void ListStatus::actionFailed(const ApiError& error) {
    if (unreachable(error) || error.isUnauthorized()) {
        m_state = State::Stale;
        m_error = error;
    }
}

void ListStatus::refuse(const QString& scope) {
    m_state = State::Forbidden;
    m_loading = false;
    m_error.reset();
    m_missingScope = scope;
}

ListStatus::SessionStep ListStatus::sessionChanged(Session::State state) {
    switch (state) {
    case Session::State::Connected:
        if (m_state == State::Stale) {
            m_state = m_loadedOnce ? State::Loaded : State::Idle;
            m_error.reset();
        }
        return SessionStep::Reload;
    case Session::State::Offline:
        m_state = State::Stale;
        return SessionStep::Wait;
    case Session::State::KeyRejected:
        m_state = State::Stale;
        m_loading = false;
        return SessionStep::Stop;
    case Session::State::Disconnected:
        clear();
        return SessionStep::Clear;
    case Session::State::Connecting:
        break;
    }
    return SessionStep::None;
}

void ListStatus::clear() {
    *this = ListStatus();
}

void ListStatus::restart() {
    ListStatus fresh;
    fresh.m_lastRefresh = m_lastRefresh;
    if (isStale()) {
        // Until an answer comes, the server is as far away as it was.
        fresh.m_state = State::Stale;
        fresh.m_error = m_error;
    }
    *this = std::move(fresh);
}

StatusWords ListStatus::words(const QString& what) const {
    if (!m_error || m_state == State::NotAvailable || m_state == State::Loaded ||
        m_state == State::Idle)
        return {};
    return failureWords(*m_error, what, m_lastRefresh);
}

QString ListStatus::reason() const {
    if (m_error && isRefused())
        return refusalReason(*m_error);
    if (m_state == State::Forbidden)
        return lacksScope(m_missingScope);
    return {};
}

} // namespace legba
