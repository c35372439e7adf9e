#include "InstancesModel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>
#include <QTimeZone>

using namespace legba;

namespace {
Instance instance(const QString& uuid, InstanceStatus status,
                  const QString& image = QStringLiteral("ubuntu-22.04")) {
    Instance i;
    i.instanceUuid = uuid;
    i.status = status;
    i.image = image;
    i.size = InstanceSize::Medium;
    i.createdAt = QDateTime(QDate(2025, 1, 10), QTime(12, 0), QTimeZone::utc());
    i.accessUrl = QStringLiteral("http://127.0.0.1:1/instances/") + uuid;
    return i;
}
const QString kA = QStringLiteral("aaaaaaaa-0000-4000-8000-000000000001");
const QString kB = QStringLiteral("bbbbbbbb-0000-4000-8000-000000000002");
const QString kC = QStringLiteral("cccccccc-0000-4000-8000-000000000003");
} // namespace

class TestInstancesModel : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<InstancesModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;

private Q_SLOTS:
    void init() {
        m_model = std::make_unique<InstancesModel>();
        m_model->setClock(
            [] { return QDateTime(QDate(2025, 1, 10), QTime(12, 30), QTimeZone::utc()); });
        // Alive for the whole test: every change below is checked as it happens.
        m_tester = std::make_unique<QAbstractItemModelTester>(
            m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    }
    void cleanup() {
        m_tester.reset();
        m_model.reset();
    }

    void columnsAndHeaders_matchTheColumnEnum() {
        QCOMPARE(m_model->columnCount(), static_cast<int>(InstancesModel::ColumnCount));
        QCOMPARE(m_model->headerData(InstancesModel::StatusColumn, Qt::Horizontal).toString(),
                 QStringLiteral("Status"));
    }

    void setInstances_showsShortIdAndFullIdInTooltip() {
        m_model->setInstances({instance(kA, InstanceStatus::Running)});
        QCOMPARE(m_model->rowCount(), 1);
        const QModelIndex id = m_model->index(0, InstancesModel::InstanceColumn);
        QCOMPARE(id.data().toString(), QStringLiteral("aaaaaaaa"));
        QCOMPARE(id.data(Qt::ToolTipRole).toString(), kA);
        QCOMPARE(m_model->index(0, InstancesModel::StatusColumn).data().toString(),
                 QStringLiteral("running"));
        QCOMPARE(m_model->index(0, InstancesModel::StatusColumn)
                     .data(InstancesModel::BadgeToneRole)
                     .value<BadgeTone>(),
                 BadgeTone::Good);
        QCOMPARE(m_model->index(0, InstancesModel::CreatedColumn).data().toString(),
                 QStringLiteral("30 min ago"));
        QCOMPARE(m_model->index(0, InstancesModel::UptimeColumn).data().toString(),
                 QStringLiteral("30 min"));
    }

    void refresh_updatesRowsInPlaceWithoutReset() {
        m_model->setInstances(
            {instance(kA, InstanceStatus::Provisioning), instance(kB, InstanceStatus::Running)});
        QSignalSpy reset(m_model.get(), &QAbstractItemModel::modelReset);
        QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
        QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(m_model.get(), &QAbstractItemModel::rowsRemoved);
        const QPersistentModelIndex bRow = m_model->index(1, 0);

        m_model->setInstances(
            {instance(kA, InstanceStatus::Running), instance(kB, InstanceStatus::Running)});

        QCOMPARE(reset.count(), 0);
        QCOMPARE(inserted.count(), 0);
        QCOMPARE(removed.count(), 0);
        QCOMPARE(changed.count(), 1); // only A changed
        QCOMPARE(changed.first().at(0).toModelIndex().row(), 0);
        QVERIFY(bRow.isValid());
        QCOMPARE(bRow.row(), 1);
    }

    void refresh_removesGoneRowsAndAppendsNewOnes() {
        m_model->setInstances(
            {instance(kA, InstanceStatus::Running), instance(kB, InstanceStatus::Running)});
        const QPersistentModelIndex bRow = m_model->index(1, 0);
        m_model->setInstances(
            {instance(kB, InstanceStatus::Running), instance(kC, InstanceStatus::Provisioning)});
        QCOMPARE(m_model->rowCount(), 2);
        QCOMPARE(m_model->instanceAt(0)->instanceUuid, kB);
        QCOMPARE(m_model->instanceAt(1)->instanceUuid, kC);
        QCOMPARE(bRow.row(), 0); // persistent indexes follow their row
        QVERIFY(m_model->index(1, 0).data(InstancesModel::BusyRole).toBool());
    }

    void emptyList_removesEverything() {
        m_model->setInstances({instance(kA, InstanceStatus::Running)});
        m_model->setInstances({});
        QCOMPARE(m_model->rowCount(), 0);
    }

    void refresh_repeatedIdInOneAnswer_isOneRow() {
        // A server listing an instance twice must not make two rows that rowOf() cannot tell
        // apart: the first occurrence counts, as for keys.
        Instance again = instance(kA, InstanceStatus::Terminating);
        m_model->setInstances(
            {instance(kA, InstanceStatus::Running), again, instance(kB, InstanceStatus::Running)});
        QCOMPARE(m_model->rowCount(), 2);
        QCOMPARE(m_model->instanceAt(0)->status, InstanceStatus::Running);
        m_model->setInstances({again, instance(kA, InstanceStatus::Running)});
        QCOMPARE(m_model->rowCount(), 1);
        QCOMPARE(m_model->instanceAt(0)->status, InstanceStatus::Terminating);
    }

    void upsert_unchangedInstance_emitsNothing() {
        m_model->upsert(instance(kA, InstanceStatus::Running));
        QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
        m_model->upsert(instance(kA, InstanceStatus::Running));
        QCOMPARE(changed.count(), 0);
        m_model->upsert(instance(kA, InstanceStatus::Terminating));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.first().at(1).toModelIndex().column(), InstancesModel::ColumnCount - 1);
    }

    void upsertAndSetStatus_changeOneRow() {
        m_model->upsert(instance(kA, InstanceStatus::Provisioning));
        QCOMPARE(m_model->rowCount(), 1);
        m_model->setStatus(kA, InstanceStatus::Terminating);
        QCOMPARE(m_model->index(0, InstancesModel::StatusColumn).data().toString(),
                 QStringLiteral("terminating"));
        QCOMPARE(m_model->rowOf(kB), -1);
    }

    void sortRole_ordersTimesNumerically() {
        Instance older = instance(kA, InstanceStatus::Running);
        older.createdAt = older.createdAt.addDays(-2);
        m_model->setInstances({older, instance(kB, InstanceStatus::Running)});
        const qint64 a = m_model->index(0, InstancesModel::CreatedColumn)
                             .data(InstancesModel::SortRole)
                             .toLongLong();
        const qint64 b = m_model->index(1, InstancesModel::CreatedColumn)
                             .data(InstancesModel::SortRole)
                             .toLongLong();
        QVERIFY(a < b);
    }
};

QTEST_MAIN(TestInstancesModel)
#include "tst_instancesmodel.moc"
