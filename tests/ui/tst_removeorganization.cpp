// Remove Organization… as a person does it, through the window's menu and the real
// confirmation: the profile's local audit archive is named with its size, kept unless its box
// is ticked, deleted with its -wal and -shm when it is, and a deletion that fails is shown
// with the file and the reason while the profile goes anyway.
#include "AppStack.h"
#include "AuditArchive.h"
#include "MainWindow.h"
#include "MessageBanner.h"
#include "RemoveOrganizationBox.h"
#include "TestServer.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QDir>
#include <QFileInfo>
#include <QLocale>
#include <QPushButton>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <memory>

using namespace legba;

namespace {

// What the test saw in the confirmation before answering it.
struct Seen {
    bool shown = false;
    bool hadArchiveBox = false;
    bool archiveBoxTicked = false;
    bool cancelIsDefault = false;
    QString text;
    QString archiveBoxText;
};

} // namespace

class TestRemoveOrganization : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<test::TestServer> m_server;
    std::unique_ptr<test::AppStack> m_app;
    ProfileStore* m_profiles = nullptr;
    Session* m_session = nullptr;
    ConnectionManager* m_connections = nullptr;
    std::unique_ptr<QTemporaryDir> m_archiveDir;
    std::unique_ptr<MainWindow> m_window;

    // Connected to a profile (key for this session only) that has an archive, with the -wal
    // and -shm of a run that did not close it; returns the archive's path.
    QString connectWithArchive(const QString& name, bool withArchive = true) {
        Profile profile;
        profile.displayName = name;
        profile.baseUrl = m_server->baseUrl();
        profile.orgUuid = m_server->orgUuid();
        m_connections->addOrUpdate(profile, m_server->ownerKey(), true);
        if (!QTest::qWaitFor([&] { return m_session->state() == Session::State::Connected; },
                             10000))
            return {};
        const QString path = AuditArchive::pathFor(m_session->profile()->id, m_archiveDir->path());
        if (!withArchive)
            return path;
        { AuditArchive archive(path); }
        for (const char* suffix : {"-wal", "-shm"}) {
            QFile journal(path + QLatin1String(suffix));
            if (!journal.open(QIODevice::WriteOnly) || journal.write(QByteArray(4096, 'x')) != 4096)
                return {};
        }
        return path;
    }

    QAction* removeAction() const {
        for (QAction* action : m_window->findChildren<QAction*>()) {
            if (action->text() == QStringLiteral("Remove Organization…"))
                return action;
        }
        return nullptr;
    }

    // Answers the confirmation once it is up: ticks the archive's box when asked, then
    // clicks `button` ("Remove" or "Cancel").
    void answerConfirmation(bool tick, const QString& button, Seen* seen, const QString& shot) {
        QTimer::singleShot(0, this, [=, this] {
            auto* box = qobject_cast<RemoveOrganizationBox*>(QApplication::activeModalWidget());
            if (!box) {
                answerConfirmation(tick, button, seen, shot);
                return;
            }
            seen->shown = true;
            seen->text = box->text() + QLatin1Char('\n') + box->informativeText();
            seen->cancelIsDefault = box->defaultButton() == box->button(QMessageBox::Cancel);
            if (QCheckBox* archive = box->archiveBox()) {
                seen->hadArchiveBox = true;
                seen->archiveBoxTicked = archive->isChecked();
                seen->archiveBoxText = archive->text();
                if (tick)
                    QTest::mouseClick(archive, Qt::LeftButton, {},
                                      QPoint(8, archive->height() / 2));
            }
            if (const QString shots = qEnvironmentVariable("LEGBA_TEST_SHOTS");
                !shots.isEmpty() && !shot.isEmpty())
                box->grab().save(shots + QLatin1Char('/') + shot);
            for (QAbstractButton* candidate : box->buttons()) {
                if (candidate->text() == button) {
                    candidate->click();
                    return;
                }
            }
            box->reject();
        });
    }

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void init() {
        m_server = std::make_unique<test::TestServer>();
        QVERIFY2(m_server->ok(), qPrintable(m_server->error()));
        m_app = std::make_unique<test::AppStack>();
        m_profiles = &m_app->profiles;
        m_session = &m_app->session;
        m_connections = &m_app->connections;
        m_archiveDir = std::make_unique<QTemporaryDir>();
        m_connections->setArchiveDataDir(m_archiveDir->path());
        m_window = std::make_unique<MainWindow>(m_connections);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    }
    void cleanup() {
        m_window.reset();
        m_app.reset();
        m_archiveDir.reset();
        m_server.reset();
    }

    void archive_isNamedWithItsSize_andKeptByDefault() {
        const QString path = connectWithArchive(QStringLiteral("Production"));
        QVERIFY(!path.isEmpty());
        const QString id = m_session->profile()->id;
        const qint64 bytes = m_connections->archiveOf(id)->bytes;
        QAction* remove = removeAction();
        QVERIFY(remove && remove->isEnabled());

        Seen seen;
        answerConfirmation(false, QStringLiteral("Remove"), &seen,
                           QStringLiteral("remove-organization-archive.png"));
        remove->trigger();
        QVERIFY(seen.shown);
        QVERIFY2(seen.text.contains(QStringLiteral("Remove 'Production' from Legba Admin")),
                 qPrintable(seen.text));
        QVERIFY(seen.cancelIsDefault);
        QVERIFY(seen.hadArchiveBox);
        QVERIFY(!seen.archiveBoxTicked); // keep is the default
        const QString size = QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeSIFormat);
        QVERIFY2(seen.archiveBoxText.contains(size), qPrintable(seen.archiveBoxText));
        QVERIFY2(seen.text.contains(QDir::toNativeSeparators(path)), qPrintable(seen.text));

        QVERIFY(!m_profiles->profile(id));
        QCOMPARE(m_session->state(), Session::State::Disconnected);
        for (const char* suffix : {"", "-wal", "-shm"})
            QVERIFY(QFileInfo::exists(path + QLatin1String(suffix)));
    }

    void tickingTheBox_deletesTheArchiveWithTheProfile() {
        const QString path = connectWithArchive(QStringLiteral("Staging"));
        QVERIFY(!path.isEmpty());
        const QString id = m_session->profile()->id;
        Seen seen;
        answerConfirmation(true, QStringLiteral("Remove"), &seen, QString());
        removeAction()->trigger();
        QVERIFY(seen.shown && seen.hadArchiveBox);
        QVERIFY(!m_profiles->profile(id));
        for (const char* suffix : {"", "-wal", "-shm"})
            QVERIFY(!QFileInfo::exists(path + QLatin1String(suffix)));
        QVERIFY(!m_window->sessionBanner()->isVisible());
    }

    void cancel_removesNothing_evenWithTheBoxTicked() {
        const QString path = connectWithArchive(QStringLiteral("Careful"));
        QVERIFY(!path.isEmpty());
        const QString id = m_session->profile()->id;
        Seen seen;
        answerConfirmation(true, QStringLiteral("Cancel"), &seen, QString());
        removeAction()->trigger();
        QVERIFY(seen.shown);
        QVERIFY(m_profiles->profile(id));
        QCOMPARE(m_session->state(), Session::State::Connected);
        QVERIFY(QFileInfo::exists(path));
        m_connections->remove(id);
    }

    void noArchive_noQuestionAboutIt() {
        const QString path = connectWithArchive(QStringLiteral("Fresh"), false);
        QVERIFY(!path.isEmpty());
        const QString id = m_session->profile()->id;
        Seen seen;
        answerConfirmation(false, QStringLiteral("Remove"), &seen,
                           QStringLiteral("remove-organization-no-archive.png"));
        removeAction()->trigger();
        QVERIFY(seen.shown);
        QVERIFY(!seen.hadArchiveBox);
        QVERIFY2(!seen.text.contains(QStringLiteral("archive")), qPrintable(seen.text));
        QVERIFY(!m_profiles->profile(id));
    }

    // A folder where the -wal should be: no one can unlink it, root included.
    void archiveThatCannotBeDeleted_isShownWithThePathAndWhy() {
        const QString path = connectWithArchive(QStringLiteral("Stubborn"));
        QVERIFY(!path.isEmpty());
        const QString id = m_session->profile()->id;
        const QString wal = path + QStringLiteral("-wal");
        QVERIFY(QFile::remove(wal));
        QVERIFY(QDir().mkpath(wal + QStringLiteral("/inside")));
        Seen seen;
        answerConfirmation(true, QStringLiteral("Remove"), &seen, QString());
        removeAction()->trigger();
        QVERIFY(seen.shown);
        QVERIFY(!m_profiles->profile(id)); // removed all the same
        MessageBanner* banner = m_window->sessionBanner();
        QTRY_VERIFY(banner->isVisible());
        QVERIFY2(banner->text().contains(QStringLiteral("'Stubborn' was removed")),
                 qPrintable(banner->text()));
        QVERIFY2(banner->text().contains(wal + QStringLiteral(": ")), qPrintable(banner->text()));
        if (const QString shots = qEnvironmentVariable("LEGBA_TEST_SHOTS"); !shots.isEmpty())
            m_window->grab().save(shots + QStringLiteral("/remove-organization-failed.png"));
    }
};

QTEST_MAIN(TestRemoveOrganization)
#include "tst_removeorganization.moc"
