// The session's archive as the app uses it, against a real sandbox: opened on connect and
// kept in step while events are being written, closed on disconnect and on a profile
// switch, a backfill cancelled and resumed by the next run, and an archive that cannot be
// opened said so rather than crashing.
#include "AuditHistory.h"
#include "AuditIds.h"
#include "LegbaClient.h"
#include "Session.h"
#include "TestServer.h"

#include <QFile>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace legba;

namespace {

constexpr int kWait = 15000;

QStringList archivedIds(const AuditArchive& archive) {
    ArchiveQuery q;
    q.limit = 100000;
    return test::eventIds(archive.read(q).batch);
}

} // namespace

class AuditHistoryTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void connect_opensSyncsAndBackfills_whileEventsArrive();
    void disconnectAndProfileSwitch_closeAndOpenTheOtherArchive();
    void backfillCancelled_resumesInTheNextRun();
    void corruptFileOrBadDir_unavailableWithReason();
    void environmentProfile_getsNoArchive();
    void afterBackfill_verifiesOnceADay_reportingVanishedEvents();

private:
    Profile profile(const QString& id) const;
    void connectSession(const QString& profileId);
    void traffic(int count);
    QStringList serverIds();

    std::unique_ptr<test::TestServer> m_server;
    std::unique_ptr<LegbaClient> m_writer; // makes events, apart from the session
    std::unique_ptr<Session> m_session;
    std::unique_ptr<QTemporaryDir> m_dir;
    int m_answered = 0;
};

void AuditHistoryTest::init() {
    m_server = std::make_unique<test::TestServer>();
    QVERIFY2(m_server->ok(), qPrintable(m_server->error()));
    m_writer = std::make_unique<LegbaClient>();
    QVERIFY(!m_writer->setEndpoint(m_server->endpoint()));
    m_writer->setKey(m_server->ownerKey());
    m_session = std::make_unique<Session>();
    m_dir = std::make_unique<QTemporaryDir>();
    m_answered = 0;
}

void AuditHistoryTest::cleanup() {
    m_session.reset();
    m_writer.reset();
    m_server.reset();
    m_dir.reset();
}

Profile AuditHistoryTest::profile(const QString& id) const {
    Profile p;
    p.id = id;
    p.baseUrl = m_server->baseUrl();
    p.orgUuid = m_server->orgUuid();
    return p;
}

void AuditHistoryTest::connectSession(const QString& profileId) {
    QVERIFY(!m_session->connectTo(profile(profileId), m_server->ownerKey()));
    QTRY_COMPARE_WITH_TIMEOUT(m_session->state(), Session::State::Connected, kWait);
}

void AuditHistoryTest::traffic(int count) {
    for (int i = 0; i < count; ++i)
        m_writer->listKeys(false, this, [this](Result<KeyList>) { ++m_answered; });
}

QStringList AuditHistoryTest::serverIds() {
    return test::serverEventIds(*m_writer, this);
}

void AuditHistoryTest::connect_opensSyncsAndBackfills_whileEventsArrive() {
    traffic(30);
    QTRY_COMPARE_WITH_TIMEOUT(m_answered, 30, kWait);
    AuditHistory history(m_session.get(), m_dir->path());
    history.setPageSize(7);
    QSignalSpy opened(&history, &AuditHistory::opened);
    QSignalSpy synced(&history, &AuditHistory::newestSynced);
    QSignalSpy progress(&history, &AuditHistory::backfillProgress);
    QSignalSpy finished(&history, &AuditHistory::backfillFinished);
    QSignalSpy failed(&history, &AuditHistory::failed);
    QVERIFY(!history.archive());
    connectSession(QStringLiteral("org-a"));
    QCOMPARE(opened.size(), 1);
    QVERIFY(history.archive());
    QCOMPARE(history.archive()->path(),
             AuditArchive::pathFor(QStringLiteral("org-a"), m_dir->path()));
    // Events keep arriving while the newest are synced and the backfill pages down.
    int requested = 30;
    for (int round = 0; round < 5; ++round) {
        traffic(6);
        requested += 6;
        // Asked again as soon as the last one is stored (the macro would ask once more).
        QVERIFY(QTest::qWaitFor([&] { return history.syncNewest(); }, kWait));
    }
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, kWait);
    QVERIFY(progress.size() >= 2);
    QTRY_COMPARE_WITH_TIMEOUT(m_answered, requested, kWait);
    QTRY_VERIFY_WITH_TIMEOUT(!history.isSyncing(), kWait);
    QVERIFY(history.syncNewest());
    QTRY_VERIFY_WITH_TIMEOUT(!history.isSyncing(), kWait);
    QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(0).toString()));
    QVERIFY(synced.size() >= 2);
    QVERIFY(history.issues().empty());
    QVERIFY(history.backfillDone());

    const QStringList archived = archivedIds(*history.archive());
    QCOMPARE(QSet<QString>(archived.cbegin(), archived.cend()).size(), archived.size());
    const QStringList server = serverIds();
    const qsizetype top = server.indexOf(history.archive()->newestEventId());
    QVERIFY(top >= 0);
    QCOMPARE(archived, server.mid(top));
    QVERIFY(archived.size() >= requested);

    // Events only: the key is nowhere in the file.
    QFile file(history.archive()->path());
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(!file.readAll().contains(m_server->ownerKey().reveal()));
}

void AuditHistoryTest::disconnectAndProfileSwitch_closeAndOpenTheOtherArchive() {
    AuditHistory history(m_session.get(), m_dir->path());
    QSignalSpy opened(&history, &AuditHistory::opened);
    QSignalSpy closed(&history, &AuditHistory::closed);
    connectSession(QStringLiteral("org-a"));
    QCOMPARE(opened.size(), 1);
    m_session->disconnectFromServer();
    QCOMPARE(closed.size(), 1);
    QVERIFY(!history.archive());

    connectSession(QStringLiteral("org-a"));
    QCOMPARE(opened.size(), 2);
    // Straight to another profile, without a disconnect in between.
    QVERIFY(!m_session->connectTo(profile(QStringLiteral("org-b")), m_server->ownerKey()));
    QCOMPARE(closed.size(), 2);
    QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 3, kWait);
    QCOMPARE(history.profileId(), QStringLiteral("org-b"));
    QCOMPARE(history.archive()->path(),
             AuditArchive::pathFor(QStringLiteral("org-b"), m_dir->path()));
}

void AuditHistoryTest::backfillCancelled_resumesInTheNextRun() {
    traffic(40);
    QTRY_COMPARE_WITH_TIMEOUT(m_answered, 40, kWait);
    qint64 archivedAtStop = 0;
    {
        AuditHistory history(m_session.get(), m_dir->path());
        history.setPageSize(5);
        QSignalSpy stopped(&history, &AuditHistory::backfillStopped);
        QSignalSpy finished(&history, &AuditHistory::backfillFinished);
        int pages = 0;
        connect(&history, &AuditHistory::backfillProgress, this, [&] {
            if (++pages == 2)
                history.cancelBackfill();
        });
        connectSession(QStringLiteral("org-a"));
        QTRY_COMPARE_WITH_TIMEOUT(stopped.size(), 1, kWait);
        QTRY_VERIFY_WITH_TIMEOUT(!history.isSyncing(), kWait);
        QCOMPARE(finished.size(), 0);
        QVERIFY(!history.isBackfilling());
        QVERIFY(!history.backfillDone());
        archivedAtStop = history.archive()->count();
        m_session->disconnectFromServer();
    }
    QVERIFY(archivedAtStop > 0 && archivedAtStop < 40);

    AuditHistory history(m_session.get(), m_dir->path());
    history.setPageSize(5);
    QSignalSpy finished(&history, &AuditHistory::backfillFinished);
    QSignalSpy progress(&history, &AuditHistory::backfillProgress);
    connectSession(QStringLiteral("org-a"));
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, kWait);
    QTRY_VERIFY_WITH_TIMEOUT(!history.isSyncing(), kWait);
    // It went on from its cursor: the first page it stored was the one after the stop.
    QVERIFY(!progress.isEmpty());
    QVERIFY(progress.first().first().toLongLong() > archivedAtStop);
    const QStringList archived = archivedIds(*history.archive());
    const QStringList server = serverIds();
    const qsizetype top = server.indexOf(history.archive()->newestEventId());
    QVERIFY(top >= 0);
    QCOMPARE(archived, server.mid(top));
}

void AuditHistoryTest::corruptFileOrBadDir_unavailableWithReason() {
    {
        const QString path = AuditArchive::pathFor(QStringLiteral("org-a"), m_dir->path());
        QVERIFY(QDir().mkpath(QFileInfo(path).path()));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(8192, 'x'));
    }
    AuditHistory history(m_session.get(), m_dir->path());
    QSignalSpy unavailable(&history, &AuditHistory::unavailable);
    QSignalSpy opened(&history, &AuditHistory::opened);
    connectSession(QStringLiteral("org-a"));
    QCOMPARE(unavailable.size(), 1);
    QCOMPARE(opened.size(), 0);
    QVERIFY(!history.archive());
    QVERIFY(!history.syncNewest());
    QVERIFY(!history.startBackfill());
    const QString reason = unavailable.first().first().toString();
    QCOMPARE(history.unavailableReason(), reason);
    QVERIFY2(reason.contains(QStringLiteral("org-a.sqlite")), qPrintable(reason));
    m_session->disconnectFromServer();
    QVERIFY(history.unavailableReason().isEmpty());

    // A data directory that is a file.
    const QString notADir = m_dir->filePath(QStringLiteral("file"));
    QFile file(notADir);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();
    AuditHistory other(m_session.get(), notADir);
    QSignalSpy otherUnavailable(&other, &AuditHistory::unavailable);
    connectSession(QStringLiteral("org-b"));
    QCOMPARE(otherUnavailable.size(), 1);
    QVERIFY(!other.archive());
    QVERIFY(!other.unavailableReason().isEmpty());
}

void AuditHistoryTest::environmentProfile_getsNoArchive() {
    AuditHistory history(m_session.get(), m_dir->path());
    QSignalSpy opened(&history, &AuditHistory::opened);
    QSignalSpy unavailable(&history, &AuditHistory::unavailable);
    Profile env = profile(QStringLiteral("env-run-1"));
    env.kind = Profile::Kind::Environment;
    QVERIFY(!m_session->connectTo(env, m_server->ownerKey()));
    QTRY_COMPARE_WITH_TIMEOUT(m_session->state(), Session::State::Connected, kWait);
    QCOMPARE(opened.size(), 0);
    QCOMPARE(unavailable.size(), 0);
    QVERIFY(!history.archive());
}

void AuditHistoryTest::afterBackfill_verifiesOnceADay_reportingVanishedEvents() {
    traffic(20);
    QTRY_COMPARE_WITH_TIMEOUT(m_answered, 20, kWait);
    QDateTime now = QDateTime::currentDateTimeUtc();
    AuditHistory history(m_session.get(), m_dir->path());
    history.setPageSize(6);
    history.setClock([&] { return now; });
    QSignalSpy backfilled(&history, &AuditHistory::backfillFinished);
    QSignalSpy synced(&history, &AuditHistory::newestSynced);
    QSignalSpy started(&history, &AuditHistory::verificationStarted);
    QSignalSpy verified(&history, &AuditHistory::verificationFinished);
    QSignalSpy issues(&history, &AuditHistory::integrityIssues);
    QSignalSpy failed(&history, &AuditHistory::failed);
    // The first run: the backfill, then a verification of the log as it is (nothing to say).
    connectSession(QStringLiteral("org-v"));
    QTRY_COMPARE_WITH_TIMEOUT(verified.size(), 1, kWait);
    QCOMPARE(backfilled.size(), 1);
    QCOMPARE(started.size(), 1);
    QCOMPARE(issues.size(), 0);
    QCOMPARE(failed.size(), 0);
    QCOMPARE(history.archive()->lastVerified(), now);
    const QStringList archived = archivedIds(*history.archive());
    const QString gone = archived.at(9);

    // Someone deletes an event the server should still have.
    {
        QSqlDatabase db =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("tamper"));
        db.setDatabaseName(m_server->dataDir() + QStringLiteral("/legba.sqlite3"));
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=10000"));
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY2(q.exec(QStringLiteral("DROP TRIGGER audit_events_no_delete")),
                 qPrintable(q.lastError().text()));
        QVERIFY2(q.exec(QStringLiteral("DELETE FROM audit_events WHERE event_id = '%1'").arg(gone)),
                 qPrintable(q.lastError().text()));
        q = QSqlQuery();
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("tamper"));

    // The next run within the day: the newest events synced, no verification.
    m_session->disconnectFromServer();
    QTRY_VERIFY_WITH_TIMEOUT(!history.archive(), kWait);
    now = now.addSecs(23 * 60 * 60);
    synced.clear();
    connectSession(QStringLiteral("org-v"));
    QTRY_COMPARE_WITH_TIMEOUT(synced.size(), 1, kWait);
    QCOMPARE(started.size(), 1);
    QVERIFY(!history.isVerifying());

    // A day after the last one: verified again, the vanished event reported to the pane.
    m_session->disconnectFromServer();
    QTRY_VERIFY_WITH_TIMEOUT(!history.archive(), kWait);
    now = now.addSecs(2 * 60 * 60);
    connectSession(QStringLiteral("org-v"));
    QTRY_COMPARE_WITH_TIMEOUT(verified.size(), 2, kWait);
    QCOMPARE(started.size(), 2);
    QCOMPARE(issues.size(), 1);
    const std::vector<IntegrityIssue> expected{{IntegrityIssue::Kind::VanishedOnServer, gone}};
    QCOMPARE(issues.at(0).at(0).value<std::vector<IntegrityIssue>>(), expected);
    QCOMPARE(history.issues(), expected);
    QCOMPARE(history.archive()->lastVerified(), now);
    QVERIFY(archivedIds(*history.archive()).contains(gone)); // kept
    QCOMPARE(failed.size(), 0);
}

QTEST_GUILESS_MAIN(AuditHistoryTest)
#include "tst_audithistory.moc"
