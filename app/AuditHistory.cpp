#include "AuditHistory.h"

#include "AuditArchiveSync.h"
#include "Logging.h"
#include "Scope.h"
#include "Session.h"

#include <utility>

namespace legba {

AuditHistory::AuditHistory(Session* session, QString dataDir, QObject* parent)
    : QObject(parent)
    , m_session(session)
    , m_dataDir(std::move(dataDir))
    , m_now([] { return QDateTime::currentDateTimeUtc(); }) {
    connect(m_session, &Session::stateChanged, this, &AuditHistory::onSessionChanged);
    connect(m_session, &Session::identityChanged, this, &AuditHistory::onSessionChanged);
    onSessionChanged();
}

AuditHistory::~AuditHistory() {
    // The walks hold the archive: they go first.
    m_head.reset();
    m_backfill.reset();
    m_verify.reset();
}

void AuditHistory::setPageSize(int events) {
    m_pageSize = events;
    for (AuditArchiveSync* sync : {m_head.get(), m_backfill.get(), m_verify.get()})
        if (sync)
            sync->setPageSize(events);
}

void AuditHistory::onSessionChanged() {
    const std::optional<Profile>& profile = m_session->profile();
    // An environment profile's id is made up per run: its archive would never be found again.
    const QString id =
        profile && profile->kind != Profile::Kind::Environment ? profile->id : QString();
    const Session::State state = m_session->state();
    if (state == Session::State::Disconnected || id != m_profileId) {
        close();
        m_profileId.clear();
        m_unavailable.clear();
    }
    const bool wasConnected = std::exchange(m_connected, state == Session::State::Connected);
    if (state == Session::State::Connected && !id.isEmpty() && m_session->can(Scope::AuditRead) &&
        m_profileId.isEmpty())
        open(id);
    else if (m_connected && !wasConnected && m_archive)
        syncNewest(); // back from offline: what happened meanwhile (and the backfill goes on)
}

void AuditHistory::open(const QString& profileId) {
    m_profileId = profileId;
    const QString path = AuditArchive::pathFor(profileId, m_dataDir);
    std::vector<IntegrityIssue> local;
    try {
        m_archive = std::make_unique<AuditArchive>(path);
        local = m_archive->checkLocal();
    } catch (const ArchiveError& e) {
        m_archive.reset();
        m_unavailable = tr("The audit log kept on this computer cannot be used (%1); the "
                           "pane reads the server only.")
                            .arg(QString::fromUtf8(e.what()));
        qCWarning(lcApp) << "audit archive unavailable:" << e.what();
        Q_EMIT unavailable(m_unavailable);
        return;
    }
    m_issues.clear();
    m_userCancelled = false;
    m_head = std::make_unique<AuditArchiveSync>(m_session->client(), m_archive.get());
    m_backfill = std::make_unique<AuditArchiveSync>(m_session->client(), m_archive.get());
    m_verify = std::make_unique<AuditArchiveSync>(m_session->client(), m_archive.get());
    m_head->setPageSize(m_pageSize);
    m_backfill->setPageSize(m_pageSize);
    m_verify->setPageSize(m_pageSize);

    connect(m_head.get(), &AuditArchiveSync::newestSynced, this, [this](const StoreResult& r) {
        std::vector<IntegrityIssue> changed;
        for (const QString& id : r.changed)
            changed.push_back({IntegrityIssue::Kind::ChangedOnServer, id});
        addIssues(std::move(changed));
        Q_EMIT newestSynced(r.inserted);
        // Also after a backfill stopped by a failure (the server was gone): it goes on from its
        // cursor. Not after a person cancelled it.
        if (m_autoBackfill && !m_userCancelled && !m_archive->backfillDone() && !isBackfilling())
            startBackfill();
        else if (m_archive->backfillDone())
            verifyIfDue(); // a run after the backfill finished
    });
    connect(m_head.get(), &AuditArchiveSync::failed, this, [this](const QString& message) {
        Q_EMIT failed(
            tr("Fetching the newest audit events into the archive failed: %1").arg(message));
    });
    connect(m_backfill.get(), &AuditArchiveSync::backfillProgress, this,
            &AuditHistory::backfillProgress);
    connect(m_backfill.get(), &AuditArchiveSync::backfillFinished, this, [this] {
        Q_EMIT backfillFinished();
        verifyIfDue();
    });
    connect(m_verify.get(), &AuditArchiveSync::verifyIssues, this,
            [this](const std::vector<IntegrityIssue>& found) { addIssues(found); });
    connect(m_verify.get(), &AuditArchiveSync::verifyFinished, this, [this](int marked) {
        try {
            m_archive->setLastVerified(m_now());
        } catch (const ArchiveError& e) {
            Q_EMIT failed(tr("Recording the audit archive's verification failed: %1")
                              .arg(QString::fromUtf8(e.what())));
        }
        Q_EMIT verificationFinished(marked);
    });
    connect(m_verify.get(), &AuditArchiveSync::failed, this, [this](const QString& message) {
        Q_EMIT failed(tr("Verifying the audit archive against the server failed: %1").arg(message));
    });
    connect(m_backfill.get(), &AuditArchiveSync::failed, this, [this](const QString& message) {
        Q_EMIT failed(tr("Fetching older audit events into the archive failed: %1").arg(message));
        Q_EMIT backfillStopped();
    });

    Q_EMIT opened();
    addIssues(std::move(local));
    syncNewest();
}

void AuditHistory::close() {
    if (!m_archive)
        return;
    const bool wasBackfilling = isBackfilling();
    m_head.reset();
    m_backfill.reset();
    m_verify.reset();
    m_archive.reset();
    m_issues.clear();
    if (wasBackfilling)
        Q_EMIT backfillStopped();
    Q_EMIT closed();
}

void AuditHistory::addIssues(std::vector<IntegrityIssue> found) {
    if (found.empty())
        return;
    m_issues.insert(m_issues.end(), found.begin(), found.end());
    Q_EMIT integrityIssues(found);
}

bool AuditHistory::syncNewest() {
    if (!m_archive || m_head->isBusy() || m_session->state() != Session::State::Connected)
        return false;
    m_head->syncNewest();
    return true;
}

bool AuditHistory::isSyncing() const {
    return m_head && m_head->isBusy();
}

bool AuditHistory::startBackfill() {
    if (!m_archive || m_backfill->isBusy() || m_session->state() != Session::State::Connected)
        return false;
    // Never together with a verification: the walk's view of the archive would move under it.
    m_verify->cancel();
    m_userCancelled = false;
    Q_EMIT backfillStarted();
    m_backfill->backfill(); // may finish at once, when the archive has it all
    return true;
}

void AuditHistory::cancelBackfill() {
    if (!isBackfilling())
        return;
    m_backfill->cancel();
    m_userCancelled = true;
    Q_EMIT backfillStopped();
}

bool AuditHistory::isBackfilling() const {
    return m_backfill && m_backfill->isBusy();
}

void AuditHistory::verifyIfDue() {
    if (!m_archive)
        return;
    QDateTime last;
    try {
        last = m_archive->lastVerified();
    } catch (const ArchiveError& e) {
        qCWarning(lcApp) << "audit archive: last verification unreadable:" << e.what();
    }
    if (last.isValid() && last.secsTo(m_now()) < m_verifyIntervalSecs)
        return;
    startVerification();
}

bool AuditHistory::startVerification() {
    if (!m_archive || !m_archive->backfillDone() || isBackfilling() || m_verify->isBusy() ||
        m_session->state() != Session::State::Connected)
        return false;
    Q_EMIT verificationStarted();
    m_verify->verify();
    return true;
}

void AuditHistory::cancelVerification() {
    if (m_verify)
        m_verify->cancel();
}

bool AuditHistory::isVerifying() const {
    return m_verify && m_verify->isBusy();
}

bool AuditHistory::backfillDone() const {
    return m_archive && m_archive->backfillDone();
}

} // namespace legba
