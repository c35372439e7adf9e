// KeysModel on its own: in-place updates by key id, the key in use marked, health flags
// and the summary line, all under QAbstractItemModelTester.
#include "KeysModel.h"

#include <QAbstractItemModelTester>
#include <QFontDatabase>
#include <QSignalSpy>
#include <QTest>
#include <QTimeZone>

using namespace legba;

namespace {
const QDateTime kNow(QDate(2025, 3, 1), QTime(12, 0), QTimeZone::utc());

ApiKey key(const QString& id, const QString& name) {
    ApiKey k;
    k.keyId = id;
    k.name = name;
    k.prefix = QStringLiteral("legba_") + id.right(6);
    k.scopes = {QStringLiteral("instances:read")};
    k.createdAt = kNow.addDays(-2);
    k.lastUsedAt = kNow.addSecs(-300);
    return k;
}
const QString kA = QStringLiteral("key_aaaaaaaaaaaaaaaa");
const QString kB = QStringLiteral("key_bbbbbbbbbbbbbbbb");
const QString kC = QStringLiteral("key_cccccccccccccccc");
} // namespace

class TestKeysModel : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<KeysModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;

    QString cell(int row, KeysModel::Column column, int role = Qt::DisplayRole) const {
        return m_model->data(m_model->index(row, column), role).toString();
    }

private Q_SLOTS:
    void init() {
        m_model = std::make_unique<KeysModel>();
        m_model->setClock([] { return kNow; });
        // Alive for the whole test: every change below is checked as it happens.
        m_tester = std::make_unique<QAbstractItemModelTester>(
            m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    }
    void cleanup() {
        m_tester.reset();
        m_model.reset();
    }

    void setKeys_updatesInPlaceWithoutReset() {
        m_model->setKeys({key(kA, QStringLiteral("a")), key(kB, QStringLiteral("b"))});
        QCOMPARE(m_model->rowCount(), 2);
        QSignalSpy reset(m_model.get(), &QAbstractItemModel::modelReset);
        QSignalSpy removed(m_model.get(), &QAbstractItemModel::rowsRemoved);
        QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);
        QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);

        ApiKey renamedB = key(kB, QStringLiteral("b2"));
        m_model->setKeys({renamedB, key(kC, QStringLiteral("c"))});
        QCOMPARE(reset.count(), 0);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(m_model->rowOf(kA), -1);
        QCOMPARE(cell(m_model->rowOf(kB), KeysModel::NameColumn), QStringLiteral("b2"));
        QCOMPARE(m_model->rowOf(kC), 1);

        // The same list again changes nothing.
        changed.clear();
        m_model->setKeys({renamedB, key(kC, QStringLiteral("c"))});
        QCOMPARE(changed.count(), 0);
        m_model->setKeys({});
        QCOMPARE(m_model->rowCount(), 0);
    }

    void currentKey_isMarked() {
        m_model->setKeys({key(kA, QStringLiteral("admin")), key(kB, QStringLiteral("ci"))});
        m_model->setCurrentKeyId(kA);
        const int row = m_model->rowOf(kA);
        QVERIFY(m_model->data(m_model->index(row, 0), KeysModel::CurrentKeyRole).toBool());
        QVERIFY(cell(row, KeysModel::NameColumn).contains(QStringLiteral("this app")));
        QVERIFY(m_model->data(m_model->index(row, 0), Qt::FontRole).value<QFont>().bold());
        QVERIFY(!m_model->data(m_model->index(m_model->rowOf(kB), 0), KeysModel::CurrentKeyRole)
                     .toBool());
        m_model->setCurrentKeyId(kB);
        QVERIFY(!m_model->data(m_model->index(row, 0), KeysModel::CurrentKeyRole).toBool());
    }

    void prefix_isMonospaceAndNeverMoreThanThePrefix() {
        m_model->setKeys({key(kA, QStringLiteral("a"))});
        const QModelIndex prefix = m_model->index(0, KeysModel::PrefixColumn);
        QCOMPARE(m_model->data(prefix, Qt::FontRole).value<QFont>(),
                 QFontDatabase::systemFont(QFontDatabase::FixedFont));
        QVERIFY(cell(0, KeysModel::PrefixColumn).startsWith(QStringLiteral("legba_")));
    }

    void times_relativeInCell_exactInTooltip() {
        m_model->setKeys({key(kA, QStringLiteral("a"))});
        QCOMPARE(cell(0, KeysModel::LastUsedColumn), QStringLiteral("5 min ago"));
        QVERIFY(cell(0, KeysModel::LastUsedColumn, Qt::ToolTipRole).contains(QStringLiteral(":")));
        QCOMPARE(cell(0, KeysModel::ExpiresColumn), QStringLiteral("never"));
    }

    void health_flagsAndTones() {
        ApiKey soon = key(kA, QStringLiteral("soon"));
        soon.expiresAt = kNow.addDays(3);
        ApiKey expired = key(kB, QStringLiteral("expired"));
        expired.expiresAt = kNow.addDays(-1);
        expired.status = KeyStatus::Expired;
        ApiKey idle = key(kC, QStringLiteral("idle"));
        idle.createdAt = kNow.addDays(-200);
        idle.lastUsedAt = kNow.addDays(-90);
        m_model->setKeys({soon, expired, idle});

        auto health = [&](const QString& id) {
            return KeysModel::Health(
                m_model->data(m_model->index(m_model->rowOf(id), 0), KeysModel::HealthRole)
                    .toInt());
        };
        auto tone = [&](const QString& id, KeysModel::Column column) {
            return m_model->data(m_model->index(m_model->rowOf(id), column),
                                 KeysModel::BadgeToneRole);
        };
        QVERIFY(health(kA).testFlag(KeysModel::ExpiringSoon));
        QCOMPARE(tone(kA, KeysModel::ExpiresColumn).value<BadgeTone>(), BadgeTone::Warning);
        QVERIFY(health(kB).testFlag(KeysModel::Expired));
        QCOMPARE(tone(kB, KeysModel::ExpiresColumn).value<BadgeTone>(), BadgeTone::Bad);
        QCOMPARE(tone(kB, KeysModel::StatusColumn).value<BadgeTone>(), BadgeTone::Bad);
        QCOMPARE(cell(m_model->rowOf(kB), KeysModel::StatusColumn), QStringLiteral("expired"));
        QVERIFY(health(kC).testFlag(KeysModel::Unused));
        QVERIFY(!health(kC).testFlag(KeysModel::NeverUsed));
        QCOMPARE(cell(m_model->rowOf(kC), KeysModel::HealthColumn),
                 QStringLiteral("unused 90 days"));
        QVERIFY(!tone(kC, KeysModel::ExpiresColumn).isValid());

        QCOMPARE(m_model->healthSummary(),
                 QStringLiteral("1 key expires this week · 1 expired · 1 unused for 90 days"));
    }

    void neverUsed_andRevokedHaveNoHealthToActOn() {
        ApiKey fresh = key(kA, QStringLiteral("fresh"));
        fresh.lastUsedAt = {};
        ApiKey revoked = key(kB, QStringLiteral("gone"));
        revoked.status = KeyStatus::Revoked;
        revoked.revokedAt = kNow.addDays(-1);
        revoked.lastUsedAt = {};
        m_model->setKeys({fresh, revoked});
        QCOMPARE(cell(0, KeysModel::LastUsedColumn), QStringLiteral("never"));
        QCOMPARE(cell(0, KeysModel::HealthColumn), QStringLiteral("never used"));
        QCOMPARE(m_model->data(m_model->index(1, 0), KeysModel::HealthRole).toInt(), 0);
        QCOMPARE(cell(1, KeysModel::StatusColumn), QStringLiteral("revoked"));
        QCOMPARE(m_model->healthSummary(), QStringLiteral("1 never used"));
    }

    void graceRotation_showsRetiring() {
        ApiKey old = key(kA, QStringLiteral("old"));
        old.revokedAt = kNow.addSecs(3600);
        m_model->setKeys({old});
        QCOMPARE(cell(0, KeysModel::StatusColumn), QStringLiteral("retiring"));
        QCOMPARE(m_model->data(m_model->index(0, KeysModel::StatusColumn), KeysModel::BadgeToneRole)
                     .value<BadgeTone>(),
                 BadgeTone::Warning);
        QVERIFY(m_model->data(m_model->index(0, 0), KeysModel::InGraceRole).toBool());
    }

    void privilege_isWhatThePaneFedIn_keptAcrossSetKeys() {
        m_model->setKeys({key(kA, QStringLiteral("a")), key(kB, QStringLiteral("b"))});
        QCOMPARE(m_model->headerData(KeysModel::PrivilegeColumn, Qt::Horizontal),
                 QVariant(QStringLiteral("Privilege")));
        QCOMPARE(cell(0, KeysModel::PrivilegeColumn), QString());
        QCOMPARE(m_model->data(m_model->index(0, 0), KeysModel::PrivilegeRole).toInt(), -1);

        QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
        m_model->setPrivilege(kB, {1, QStringLiteral("holds 2 scopes it has not used"),
                                   QStringLiteral("instances:write, keys:read unused"),
                                   BadgeTone::Warning});
        QCOMPARE(changed.count(), 1);
        const int row = m_model->rowOf(kB);
        QCOMPARE(changed.first().at(0).toModelIndex(),
                 m_model->index(row, KeysModel::PrivilegeColumn));
        QCOMPARE(cell(row, KeysModel::PrivilegeColumn),
                 QStringLiteral("holds 2 scopes it has not used"));
        QCOMPARE(cell(row, KeysModel::PrivilegeColumn, Qt::ToolTipRole),
                 QStringLiteral("instances:write, keys:read unused"));
        QCOMPARE(
            m_model->data(m_model->index(row, KeysModel::PrivilegeColumn), KeysModel::BadgeToneRole)
                .value<BadgeTone>(),
            BadgeTone::Warning);
        QCOMPARE(m_model->data(m_model->index(row, KeysModel::NameColumn), KeysModel::PrivilegeRole)
                     .toInt(),
                 1);
        // The other columns are as before.
        QCOMPARE(cell(row, KeysModel::NameColumn), QStringLiteral("b"));

        m_model->setKeys({key(kB, QStringLiteral("b")), key(kC, QStringLiteral("c"))});
        QCOMPARE(cell(m_model->rowOf(kB), KeysModel::PrivilegeColumn),
                 QStringLiteral("holds 2 scopes it has not used"));
        m_model->clearPrivileges();
        QCOMPARE(cell(m_model->rowOf(kB), KeysModel::PrivilegeColumn), QString());
    }

    void upsert_addsThenUpdates() {
        m_model->upsert(key(kA, QStringLiteral("a")));
        QCOMPARE(m_model->rowCount(), 1);
        ApiKey revoked = key(kA, QStringLiteral("a"));
        revoked.status = KeyStatus::Revoked;
        m_model->upsert(revoked);
        QCOMPARE(m_model->rowCount(), 1);
        QCOMPARE(m_model->keyAt(0)->status, KeyStatus::Revoked);
        m_model->refreshTimes();
    }
};

QTEST_MAIN(TestKeysModel)
#include "tst_keysmodel.moc"
