#include "KeyNarrowing.h"

#include "Logging.h"
#include "Session.h"

#include <algorithm>

namespace legba {

QString KeyNarrowing::narrowedName(const QString& name) {
    const QString suffix = tr(" (narrowed)");
    // Lengths count code points, as the server counts them.
    const QList<uint> points = name.trimmed().toUcs4();
    const qsizetype room = kMaxKeyNameLength - suffix.toUcs4().size();
    const QList<uint> kept = points.mid(0, std::min(points.size(), room));
    return QString::fromUcs4(reinterpret_cast<const char32_t*>(kept.constData()), kept.size()) +
           suffix;
}

KeyNarrowing::KeyNarrowing(Session* session, QObject* parent)
    : QObject(parent)
    , m_session(session) {
    m_timer.setInterval(kCheckEveryMsecs);
    connect(&m_timer, &QTimer::timeout, this, &KeyNarrowing::revokeDue);
}

QString KeyNarrowing::whyNot(const ApiKey* key, const QStringList& scopes) const {
    if (m_session->state() != Session::State::Connected)
        return tr("Not connected.");
    if (!key)
        return tr("Select a key to replace.");
    if (key->status != KeyStatus::Active || key->revokedAt.isValid())
        return tr("Only an active key can be replaced.");
    if (m_session->identity() && m_session->identity()->keyId == key->keyId)
        return tr("This is the key Legba Admin uses: generate a narrower key and connect with "
                  "it instead.");
    if (scopes.isEmpty())
        return tr("No request of this key used a scope: there is nothing to keep.");
    if (scopes.size() >= key->scopes.size())
        return tr("This key uses all it holds.");
    if (QString why = m_session->whyNot(Scope::KeysWrite); !why.isEmpty())
        return why;
    for (const QString& scope : scopes) {
        if (m_session->identity() && !m_session->identity()->hasScope(scope))
            return tr("Needs the scope '%1', which the key Legba Admin uses lacks.").arg(scope);
    }
    if (isCreating())
        return tr("A narrower key is being generated.");
    return {};
}

std::optional<QString> KeyNarrowing::create(const ApiKey& key, const QStringList& scopes,
                                            Callback done) {
    if (QString why = whyNot(&key, scopes); !why.isEmpty())
        return why;
    NewKeyRequest request;
    request.name = narrowedName(key.name);
    request.scopes = scopes;
    // A past expiry would be refused; a key that expires soon is replaced with no expiry
    // tighter than its own, never a longer one.
    request.expiresAt =
        key.expiresAt.isValid() && key.expiresAt > now() ? key.expiresAt : QDateTime();
    m_create = m_session->client()->createKey(
        request, this, [done = std::move(done), old = key.keyId](Result<IssuedKey> result) {
            if (result)
                qCInfo(lcApp).noquote()
                    << "generated" << result.value().record.keyId << "to replace" << old;
            done(std::move(result));
        });
    return std::nullopt;
}

void KeyNarrowing::scheduleRevoke(const ApiKey& key, int graceSeconds) {
    cancelRevoke(key.keyId);
    m_pending.push_back({key.keyId, key.name, now().addSecs(std::max(0, graceSeconds))});
    qCInfo(lcApp).noquote() << "revoke of" << key.keyId << "scheduled for"
                            << m_pending.back().dueAt.toString(Qt::ISODate);
    m_timer.start();
    Q_EMIT pendingChanged();
    revokeDue();
}

void KeyNarrowing::cancelRevoke(const QString& keyId) {
    const auto gone = std::remove_if(m_pending.begin(), m_pending.end(),
                                     [&](const PendingRevoke& p) { return p.keyId == keyId; });
    if (gone == m_pending.end())
        return;
    m_pending.erase(gone, m_pending.end());
    if (m_pending.empty())
        m_timer.stop();
    Q_EMIT pendingChanged();
}

std::optional<KeyNarrowing::PendingRevoke> KeyNarrowing::pendingFor(const QString& keyId) const {
    for (const PendingRevoke& p : m_pending) {
        if (p.keyId == keyId)
            return p;
    }
    return std::nullopt;
}

void KeyNarrowing::revokeDue() {
    if (m_session->state() != Session::State::Connected)
        return; // kept until the session is back
    const QDateTime at = now();
    std::vector<PendingRevoke> due;
    for (const PendingRevoke& p : m_pending) {
        if (p.dueAt <= at)
            due.push_back(p);
    }
    if (due.empty())
        return;
    for (const PendingRevoke& p : due) {
        cancelRevoke(p.keyId);
        m_revokes.push_back(m_session->client()->revokeKey(
            p.keyId, this, [this, keyId = p.keyId](const Result<Done>& result) {
                if (result) {
                    qCInfo(lcApp).noquote() << "revoked the replaced key" << keyId;
                    Q_EMIT revoked(keyId, std::nullopt);
                } else {
                    Q_EMIT revoked(keyId, result.error());
                }
            }));
    }
    std::erase_if(m_revokes, [](const RequestHandle& h) { return !h.isRunning(); });
}

void KeyNarrowing::clear() {
    m_create.cancel();
    for (RequestHandle& h : m_revokes)
        h.cancel();
    m_revokes.clear();
    m_timer.stop();
    if (!m_pending.empty()) {
        m_pending.clear();
        Q_EMIT pendingChanged();
    }
}

} // namespace legba
