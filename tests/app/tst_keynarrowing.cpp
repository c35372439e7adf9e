// "Replace with a narrower key" end to end on the sandbox, without widgets: the new key has
// the old one's name with a suffix and only the scopes asked for; the old key is revoked
// only once the grace period the user picked has passed (a test clock moves time).
#include "KeyNarrowing.h"
#include "Session.h"
#include "TestServer.h"
#include "Wait.h"

#include <QSignalSpy>
#include <QTest>
#include <QTimeZone>

using namespace legba;

namespace {
constexpr int kWait = 30000;
} // namespace

class TestKeyNarrowing : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<test::TestServer> m_server;
    std::unique_ptr<Session> m_session; // the owner key: every scope
    QDateTime m_now = QDateTime::currentDateTimeUtc();

    IssuedKey issue(const QString& name, const QStringList& scopes) {
        auto issued = m_server->server().issueKey(m_server->orgUuid(), name, scopes);
        if (!issued)
            qFatal("cannot issue the key %s", qPrintable(name));
        return std::move(*issued);
    }

    ApiKey keyById(const QString& keyId) {
        auto key = test::await<Result<ApiKey>>(
            [&](auto done) { m_session->client()->getKeyById(keyId, this, done); });
        if (!key || !*key)
            qFatal("could not read the key '%s'", qPrintable(keyId));
        return key->value();
    }

private Q_SLOTS:
    void initTestCase() {
        m_server = std::make_unique<test::TestServer>();
        QVERIFY2(m_server->ok(), qPrintable(m_server->error()));
        m_session = std::make_unique<Session>();
        Profile owner;
        owner.id = QStringLiteral("owner");
        owner.baseUrl = m_server->baseUrl();
        owner.orgUuid = m_server->orgUuid();
        QVERIFY(!m_session->connectTo(owner, m_server->ownerKey()));
        QTRY_COMPARE_WITH_TIMEOUT(m_session->state(), Session::State::Connected, kWait);
        QTRY_VERIFY_WITH_TIMEOUT(m_session->identity().has_value(), kWait);
    }

    void narrowedName_keepsTheWholeWithin100Characters() {
        QCOMPARE(KeyNarrowing::narrowedName(QStringLiteral("ci")), QStringLiteral("ci (narrowed)"));
        const QString long100(100, QLatin1Char('x'));
        const QString narrowed = KeyNarrowing::narrowedName(long100);
        QCOMPARE(narrowed.size(), 100);
        QVERIFY(narrowed.endsWith(QStringLiteral(" (narrowed)")));
    }

    void replace_newKeyHasOnlyTheUsedScopes_oldRevokedAfterTheGrace() {
        const IssuedKey old = issue(QStringLiteral("ci"), {QStringLiteral("instances:read"),
                                                           QStringLiteral("instances:write"),
                                                           QStringLiteral("keys:read")});
        KeyNarrowing narrowing(m_session.get());
        narrowing.setClock([this] { return m_now; });
        const QStringList used{QStringLiteral("instances:read")};
        QVERIFY(narrowing.whyNot(&old.record, used).isEmpty());

        std::optional<Result<IssuedKey>> created;
        QVERIFY(!narrowing.create(old.record, used,
                                  [&](Result<IssuedKey> r) { created = std::move(r); }));
        QTRY_VERIFY_WITH_TIMEOUT(created.has_value(), kWait);
        QVERIFY(*created);
        const IssuedKey& fresh = created->value();
        QCOMPARE(fresh.record.name, QStringLiteral("ci (narrowed)"));
        QCOMPARE(fresh.record.scopes, used);
        QVERIFY(!fresh.secret.reveal().isEmpty());
        QCOMPARE(keyById(fresh.record.keyId).scopes, used);

        // The user picks an hour of grace: nothing happens before it has passed.
        QSignalSpy revoked(&narrowing, &KeyNarrowing::revoked);
        narrowing.scheduleRevoke(old.record, 3600);
        QCOMPARE(narrowing.pending().size(), 1u);
        QCOMPARE(narrowing.pendingFor(old.record.keyId)->dueAt, m_now.addSecs(3600));
        m_now = m_now.addSecs(3599);
        narrowing.revokeDue();
        QCOMPARE(revoked.count(), 0);
        QCOMPARE(keyById(old.record.keyId).status, KeyStatus::Active);

        m_now = m_now.addSecs(1);
        narrowing.revokeDue();
        QVERIFY(narrowing.pending().empty());
        QVERIFY(revoked.count() == 1 || revoked.wait(kWait));
        QCOMPARE(revoked.first().at(0).toString(), old.record.keyId);
        QVERIFY(!revoked.first().at(1).value<std::optional<ApiError>>().has_value());
        QCOMPARE(keyById(old.record.keyId).status, KeyStatus::Revoked);
        QCOMPARE(keyById(fresh.record.keyId).status, KeyStatus::Active);
    }

    void cancelledRevoke_isNeverMade() {
        const IssuedKey old = issue(QStringLiteral("kept"), {QStringLiteral("instances:read"),
                                                             QStringLiteral("keys:read")});
        KeyNarrowing narrowing(m_session.get());
        narrowing.setClock([this] { return m_now; });
        QSignalSpy revoked(&narrowing, &KeyNarrowing::revoked);
        narrowing.scheduleRevoke(old.record, 60);
        narrowing.cancelRevoke(old.record.keyId);
        m_now = m_now.addSecs(61);
        narrowing.revokeDue();
        QCOMPARE(revoked.count(), 0);
        QCOMPARE(keyById(old.record.keyId).status, KeyStatus::Active);
    }

    void whyNot_saysWhyAKeyCannotBeNarrowed() {
        KeyNarrowing narrowing(m_session.get());
        const IssuedKey one = issue(QStringLiteral("one"), {QStringLiteral("instances:read")});
        const QStringList used{QStringLiteral("instances:read")};
        QCOMPARE(narrowing.whyNot(&one.record, used),
                 QStringLiteral("This key uses all it holds."));
        QVERIFY(narrowing.whyNot(&one.record, {}).contains(QStringLiteral("nothing to keep")));
        QVERIFY(narrowing.whyNot(&*m_session->identity(), used)
                    .contains(QStringLiteral("Legba Admin uses")));
        QVERIFY(narrowing.create(one.record, used, [](Result<IssuedKey>) {}).has_value());
    }
};

QTEST_MAIN(TestKeyNarrowing)
#include "tst_keynarrowing.moc"
