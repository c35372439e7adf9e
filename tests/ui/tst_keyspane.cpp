// The API Keys pane as a person uses it, against a real in-process server and the real
// keychain (the private D-Bus session scripts/test provides): generate, reveal once,
// rotate (another key, with and without grace, and the app's own key), revoke, and the
// clipboard. After every reveal, the secret must be in no widget, no model cell and no log.
#include "AppStack.h"
#include "ConnectionManager.h"
#include "CredentialStore.h"
#include "GenerateKeyDialog.h"
#include "HostileServer.h"
#include "Json.h"
#include "KeyFormat.h"
#include "KeyRotation.h"
#include "KeysModel.h"
#include "KeysPane.h"
#include "MainWindow.h"
#include "MessageBanner.h"
#include "RevealKeyDialog.h"
#include "RotateKeyDialog.h"
#include "SecretClipboard.h"
#include "Session.h"
#include "TestServer.h"
#include "UiTest.h"
#include "Wait.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDateEdit>
#include <QFontDatabase>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QMimeData>
#include <QMutex>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <atomic>

using namespace legba;

namespace {} // namespace

class TestKeysPane : public QObject {
    Q_OBJECT

private:
    std::shared_ptr<std::atomic<qint64>> m_serverClockOffset;
    std::unique_ptr<test::TestServer> m_server;
    std::unique_ptr<test::AppStack> m_app;
    std::unique_ptr<MainWindow> m_window;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
    KeysPane* m_pane = nullptr;
    std::unique_ptr<test::LogCapture> m_log;

    // ---- helpers ----

    std::optional<Result<ApiKey>> whoAmI(const QByteArray& key) {
        LegbaClient client;
        client.setRetryPolicy({0, std::chrono::milliseconds(10), std::chrono::milliseconds(10)});
        if (client.setEndpoint(m_server->endpoint()))
            return std::nullopt;
        client.setKey(Secret(key));
        return test::await<Result<ApiKey>>(
            [&](auto done) { client.getKey(this, [done](Result<ApiKey> r) { done(r); }); });
    }

    bool keyWorks(const QByteArray& key) {
        auto answer = whoAmI(key);
        return answer && answer->ok();
    }

    bool keyRejected(const QByteArray& key) {
        auto answer = whoAmI(key);
        return answer && !answer->ok() && answer->error().isUnauthorized();
    }

    // A key made directly through the API (not the UI), for rotate and revoke tests.
    IssuedKey makeKey(const QString& name) {
        NewKeyRequest request;
        request.name = name;
        request.scopes = {QStringLiteral("instances:read")};
        auto issued = test::await<Result<IssuedKey>>([&](auto done) {
            m_app->session.client()->createKey(request, this,
                                               [done](Result<IssuedKey> r) { done(std::move(r)); });
        });
        if (!issued || !issued->ok())
            return {};
        return std::move(*issued).value();
    }

    bool selectRow(const QString& keyId) {
        m_pane->refresh();
        if (!QTest::qWaitFor([&] { return m_pane->model()->rowOf(keyId) >= 0; }, 10000))
            return false;
        m_pane->selectKey(keyId);
        const auto selected = m_pane->selectedKey();
        return selected && selected->keyId == keyId;
    }

    RevealKeyDialog* waitForReveal() {
        if (!QTest::qWaitFor([&] { return m_pane->revealDialog() != nullptr; }, 15000))
            return nullptr;
        RevealKeyDialog* dialog = m_pane->revealDialog();
        if (!QTest::qWaitFor([&] { return dialog->isVisible(); }, 2000))
            return nullptr;
        return dialog;
    }

    // Ticks "I have stored this key" and closes: no second question.
    bool closeReveal(RevealKeyDialog* dialog) {
        QPointer<RevealKeyDialog> guard(dialog);
        dialog->storedBox()->setChecked(true);
        QTest::mouseClick(dialog->closeButton(), Qt::LeftButton);
        return QTest::qWaitFor([&] { return guard.isNull(); }, 5000);
    }

    // Where the secret is: widgets' texts, tooltips and accessible names, model cells in
    // any role, log lines. Empty when it is nowhere.
    QStringList whereIs(const QString& secret) {
        QStringList places;
        for (QWidget* widget : QApplication::allWidgets()) {
            QStringList texts{widget->toolTip(), widget->accessibleName(),
                              widget->accessibleDescription(), widget->windowTitle()};
            if (auto* edit = qobject_cast<QLineEdit*>(widget))
                texts << edit->text() << edit->placeholderText();
            if (auto* label = qobject_cast<QLabel*>(widget))
                texts << label->text();
            if (auto* button = qobject_cast<QAbstractButton*>(widget))
                texts << button->text();
            for (const QString& text : std::as_const(texts)) {
                if (text.contains(secret))
                    places << QStringLiteral("a %1 (%2)")
                                  .arg(QString::fromLatin1(widget->metaObject()->className()),
                                       widget->objectName());
            }
        }
        KeysModel* model = m_pane->model();
        for (int row = 0; row < model->rowCount(); ++row) {
            for (int column = 0; column < model->columnCount(); ++column) {
                const QModelIndex index = model->index(row, column);
                for (int role :
                     {int(Qt::DisplayRole), int(Qt::ToolTipRole), int(Qt::AccessibleTextRole),
                      int(KeysModel::SortRole), int(KeysModel::IdRole), int(KeysModel::PrefixRole),
                      int(KeysModel::NameRole)}) {
                    if (model->data(index, role).toString().contains(secret))
                        places << QStringLiteral("the model (row %1, column %2, role %3)")
                                      .arg(row)
                                      .arg(column)
                                      .arg(role);
                }
            }
        }
        if (test::LogCapture::text().contains(secret))
            places << QStringLiteral("the log");
        return places;
    }

    void verifySecretIsNowhere(const QString& secret) {
        QVERIFY(!secret.isEmpty());
        const QStringList places = whereIs(secret);
        QVERIFY2(places.isEmpty(),
                 qPrintable(QStringLiteral("the key is in ") + places.join(QStringLiteral(", "))));
    }

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        m_log = std::make_unique<test::LogCapture>();
    }

    void cleanupTestCase() { m_log.reset(); }

    void init() {
        m_serverClockOffset = std::make_shared<std::atomic<qint64>>(0);
        server::ServerOptions options = test::TestServer::fastOptions();
        options.clock = [offset = m_serverClockOffset] {
            return QDateTime::currentMSecsSinceEpoch() + offset->load();
        };
        m_server = std::make_unique<test::TestServer>(options);
        QVERIFY2(m_server->ok(), qPrintable(m_server->error()));

        m_app = std::make_unique<test::AppStack>(QStringLiteral("legba-admin-test-keys"));
        m_window = std::make_unique<MainWindow>(&m_app->connections);
        m_pane = m_window->findChild<KeysPane*>();
        QVERIFY(m_pane);
        // Alive for the whole test: every change the pane makes is checked as it happens.
        m_tester = std::make_unique<QAbstractItemModelTester>(
            m_pane->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        m_window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
        QTest::keyClick(m_window.get(), Qt::Key_2, Qt::ControlModifier);
        QVERIFY(m_pane->isVisible());

        Profile profile;
        profile.displayName = QStringLiteral("Keys test org");
        profile.baseUrl = m_server->baseUrl();
        profile.orgUuid = m_server->orgUuid();
        // Saved in the real keychain, as a person's profile is.
        m_app->connections.addOrUpdate(profile, m_server->ownerKey(), false);
        QTRY_COMPARE_WITH_TIMEOUT(m_app->session.state(), Session::State::Connected, 15000);
        QTRY_VERIFY_WITH_TIMEOUT(m_pane->model()->rowOf(m_server->ownerKeyId()) >= 0, 10000);
        QVERIFY(m_pane->lastRefresh().isValid());
        test::LogCapture::clear();
    }

    void cleanup() {
        // Close whatever dialog a failed test left open, without asking.
        if (m_pane && m_pane->revealDialog())
            m_pane->revealDialog()->storedBox()->setChecked(true);
        for (QWidget* widget : QApplication::topLevelWidgets()) {
            if (auto* dialog = qobject_cast<QDialog*>(widget); dialog && dialog->isVisible())
                dialog->done(QDialog::Rejected);
        }
        if (m_app && m_app->session.profile())
            test::await<CredentialStore::Outcome>([&](auto done) {
                m_app->credentials.remove(m_app->session.profile()->credentialAccount(), this,
                                          done);
            });
        m_tester.reset();
        m_pane = nullptr;
        m_window.reset();
        m_app.reset();
        m_server.reset();
    }

    void pane_marksTheKeyInUse_andOffersItsActions() {
        const int row = m_pane->model()->rowOf(m_server->ownerKeyId());
        QVERIFY(m_pane->model()
                    ->data(m_pane->model()->index(row, 0), KeysModel::CurrentKeyRole)
                    .toBool());
        QVERIFY(m_pane->generateButton()->isEnabled());
        // Nothing selected: rotate and revoke say why they are off.
        QVERIFY(!m_pane->rotateButton()->isEnabled());
        QVERIFY(!m_pane->rotateButton()->toolTip().isEmpty());
        m_pane->selectKey(m_server->ownerKeyId());
        QVERIFY(m_pane->rotateButton()->isEnabled());
        QVERIFY(m_pane->revokeButton()->isEnabled());
        const QString curl = m_pane->copySelectionAsCurl();
        QVERIFY(curl.contains(QStringLiteral("$LEGBA_API_TOKEN")));
        QVERIFY(curl.contains(m_server->ownerKeyId()));
        QVERIFY(!curl.contains(QString::fromLatin1(m_server->ownerKey().reveal())));
        const QList<QWidget*> controls{m_pane->generateButton(), m_pane->rotateButton(),
                                       m_pane->revokeButton(),   m_pane->showRevokedBox(),
                                       m_pane->filterField(),    m_pane->view()};
        for (QWidget* control : controls) {
            QVERIFY2(!control->accessibleName().isEmpty(), qPrintable(control->objectName()));
            QVERIFY2(!control->toolTip().isEmpty() || control == m_pane->view(),
                     qPrintable(control->objectName()));
        }
    }

    void generate_revealsOnce_listShowsPrefix_secretNowhereAfterClose() {
        QTest::keyClick(m_window.get(), Qt::Key_N, Qt::ControlModifier);
        QTRY_VERIFY(m_pane->generateDialog());
        GenerateKeyDialog* dialog = m_pane->generateDialog();
        // Least privilege by default.
        QVERIFY(dialog->scopeBox(Scope::InstancesRead)->isChecked());
        for (Scope scope : allScopes()) {
            if (scope != Scope::InstancesRead)
                QVERIFY(!dialog->scopeBox(scope)->isChecked());
        }
        QVERIFY(!dialog->generateButton()->isEnabled()); // no name yet
        // Characters, not UTF-16 units: 100 emoji fit, 101 do not, and the count is named.
        QString emoji;
        for (int i = 0; i < 101; ++i)
            emoji += QString::fromUcs4(U"\U0001F511", 1);
        auto* nameError = dialog->findChild<QLabel*>(QStringLiteral("nameError"));
        QVERIFY(nameError);
        dialog->nameField()->setText(emoji);
        QVERIFY(!dialog->generateButton()->isEnabled());
        QVERIFY2(nameError->text().contains(QStringLiteral("101 characters")),
                 qPrintable(nameError->text()));
        dialog->nameField()->setText(emoji.chopped(2));
        QVERIFY(dialog->generateButton()->isEnabled());
        QVERIFY(nameError->text().isEmpty());
        dialog->nameField()->clear();
        QTest::keyClicks(dialog->nameField(), QStringLiteral("  ci-runner  "));
        QVERIFY(dialog->generateButton()->isEnabled());
        QCOMPARE(dialog->request().name, QStringLiteral("ci-runner"));
        QTest::mouseClick(dialog->generateButton(), Qt::LeftButton);

        RevealKeyDialog* reveal = waitForReveal();
        QVERIFY(reveal);
        const QString secret = reveal->keyField()->text();
        QVERIFY2(keyformat::isWellFormed(secret.toLatin1()), qPrintable(secret.left(12)));
        QVERIFY(reveal->keyField()->isReadOnly());
        QCOMPARE(reveal->keyField()->font().family(),
                 QFontDatabase::systemFont(QFontDatabase::FixedFont).family());
        QCOMPARE(reveal->record().name, QStringLiteral("ci-runner"));
        QCOMPARE(reveal->record().scopes, QStringList{QStringLiteral("instances:read")});
        QVERIFY(keyWorks(secret.toLatin1()));

        // The list shows its prefix, never more.
        const QString prefix = secret.left(keyformat::kPrefixLength);
        QTRY_VERIFY(m_pane->model()->rowOf(reveal->record().keyId) >= 0);
        const int row = m_pane->model()->rowOf(reveal->record().keyId);
        QCOMPARE(m_pane->model()->data(m_pane->model()->index(row, KeysModel::PrefixColumn),
                                       KeysModel::PrefixRole),
                 QVariant(prefix));
        QVERIFY(m_pane->model()
                    ->data(m_pane->model()->index(row, KeysModel::PrefixColumn))
                    .toString()
                    .startsWith(prefix));

        // The search works: while the dialog is open, it finds the key there and only there.
        const QStringList whileOpen = whereIs(secret);
        QCOMPARE(whileOpen.size(), 1);
        QVERIFY2(whileOpen.first().contains(QStringLiteral("revealedKey")),
                 qPrintable(whileOpen.first()));

        QVERIFY(closeReveal(reveal));
        verifySecretIsNowhere(secret);
    }

    void reveal_escAsksFirst_andCloseNeedsConfirmation() {
        QTest::keyClick(m_window.get(), Qt::Key_N, Qt::ControlModifier);
        QTRY_VERIFY(m_pane->generateDialog());
        QTest::keyClicks(m_pane->generateDialog()->nameField(), QStringLiteral("esc-test"));
        QTest::mouseClick(m_pane->generateDialog()->generateButton(), Qt::LeftButton);
        RevealKeyDialog* reveal = waitForReveal();
        QVERIFY(reveal);
        QPointer<RevealKeyDialog> guard(reveal);
        const QString secret = reveal->keyField()->text();

        bool asked = false;
        test::answerNextMessageBox(this, QStringLiteral("Go Back"), &asked);
        QTest::keyClick(reveal, Qt::Key_Escape);
        QTRY_VERIFY(asked);
        QVERIFY(guard && guard->isVisible());
        QCOMPARE(guard->keyField()->text(), secret);

        asked = false;
        test::answerNextMessageBox(this, QStringLiteral("Close Anyway"), &asked);
        QTest::mouseClick(guard->closeButton(), Qt::LeftButton);
        QTRY_VERIFY(asked);
        QTRY_VERIFY(guard.isNull());
        verifySecretIsNowhere(secret);
    }

    void generate_serverValidationError_landsOnTheField() {
        // The server's clock runs 3 days ahead: "tomorrow" is already past for it.
        m_serverClockOffset->store(3LL * 86400 * 1000);
        m_pane->generateKey();
        QTRY_VERIFY(m_pane->generateDialog());
        GenerateKeyDialog* dialog = m_pane->generateDialog();
        QTest::keyClicks(dialog->nameField(), QStringLiteral("dated"));
        dialog->expiryChoice()->setCurrentIndex(
            dialog->expiryChoice()->findData(static_cast<int>(GenerateKeyDialog::Expiry::OnDate)));
        QVERIFY(dialog->dateField()->isEnabled());
        dialog->dateField()->setDate(QDate::currentDate().addDays(1));
        QTest::mouseClick(dialog->generateButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(dialog->expiryError()->isVisible(), 10000);
        QVERIFY(dialog->expiryError()->text().contains(QStringLiteral("expires_at")));
        QVERIFY(!dialog->nameError()->isVisible());
        QVERIFY(!dialog->generalError()->isVisible());
        QVERIFY(dialog->isVisible()); // still open to fix it
        QVERIFY(!m_pane->revealDialog());
        dialog->reject();
    }

    void fieldOfMessage_readsTheServersMessages() {
        QCOMPARE(GenerateKeyDialog::fieldOfMessage(
                     QStringLiteral("Field 'name' must be 1 to 100 characters after trimming")),
                 QStringLiteral("name"));
        QCOMPARE(GenerateKeyDialog::fieldOfMessage(
                     QStringLiteral("Field 'scopes[1]' is not a known scope")),
                 QStringLiteral("scopes"));
        QCOMPARE(
            GenerateKeyDialog::fieldOfMessage(QStringLiteral("expires_at must be in the future")),
            QStringLiteral("expires_at"));
        QCOMPARE(GenerateKeyDialog::fieldOfMessage(QStringLiteral("This key lacks the scope "
                                                                  "'keys:write'")),
                 QStringLiteral("scopes"));
        QCOMPARE(
            GenerateKeyDialog::fieldOfMessage(QStringLiteral("Field '(body)' is not valid JSON")),
            QString());
    }

    void rotateAnotherKey_atOnce_oldGets401_newWorks() {
        IssuedKey old = makeKey(QStringLiteral("rotate-me"));
        QVERIFY(!old.secret.isEmpty());
        const QByteArray oldSecret = old.secret.reveal();
        QVERIFY(selectRow(old.record.keyId));
        m_pane->rotateSelected();
        QTRY_VERIFY(m_pane->rotateDialog());
        QCOMPARE(m_pane->rotateDialog()->gracePeriodSeconds(), 0);
        QTest::mouseClick(m_pane->rotateDialog()->rotateButton(), Qt::LeftButton);

        RevealKeyDialog* reveal = waitForReveal();
        QVERIFY(reveal);
        const QString fresh = reveal->keyField()->text();
        const QString freshId = reveal->record().keyId;
        QVERIFY(keyformat::isWellFormed(fresh.toLatin1()));
        QCOMPARE(reveal->record().name, QStringLiteral("rotate-me"));
        QVERIFY(keyRejected(oldSecret));
        QVERIFY(keyWorks(fresh.toLatin1()));
        QVERIFY(closeReveal(reveal));
        // The old key left the list (it is revoked), the new one is in it.
        QTRY_VERIFY(m_pane->model()->rowOf(old.record.keyId) < 0);
        QVERIFY(m_pane->model()->rowOf(freshId) >= 0);
        verifySecretIsNowhere(fresh);
        verifySecretIsNowhere(QString::fromLatin1(oldSecret));
    }

    void rotateAnotherKey_withGrace_oldWorksUntilTheGraceEnds() {
        IssuedKey old = makeKey(QStringLiteral("graceful"));
        const QByteArray oldSecret = old.secret.reveal();
        QVERIFY(selectRow(old.record.keyId));
        m_pane->rotateSelected();
        QTRY_VERIFY(m_pane->rotateDialog());
        m_pane->rotateDialog()->setGracePeriodSeconds(3600);
        QCOMPARE(m_pane->rotateDialog()->gracePeriodSeconds(), 3600);
        QTest::mouseClick(m_pane->rotateDialog()->rotateButton(), Qt::LeftButton);
        RevealKeyDialog* reveal = waitForReveal();
        QVERIFY(reveal);
        const QByteArray fresh = reveal->keyField()->text().toLatin1();
        QVERIFY(closeReveal(reveal));

        QVERIFY(keyWorks(oldSecret)); // within the grace period
        QVERIFY(keyWorks(fresh));
        // The old key is shown as retiring.
        QTRY_VERIFY(m_pane->model()->rowOf(old.record.keyId) >= 0);
        const int row = m_pane->model()->rowOf(old.record.keyId);
        QTRY_VERIFY(
            m_pane->model()->data(m_pane->model()->index(row, 0), KeysModel::InGraceRole).toBool());

        m_serverClockOffset->store(3601LL * 1000); // the grace period is over
        QVERIFY(keyRejected(oldSecret));
        QVERIFY(keyWorks(fresh));
    }

    void rotateOwnKey_keychainHoldsTheNewKey_andTheAppUsesIt() {
        const QString account = m_app->session.profile()->credentialAccount();
        QVERIFY(selectRow(m_server->ownerKeyId()));
        m_pane->rotateSelected();
        QTRY_VERIFY(m_pane->rotateDialog());
        QTest::mouseClick(m_pane->rotateDialog()->rotateButton(), Qt::LeftButton);

        RevealKeyDialog* reveal = waitForReveal();
        QVERIFY(reveal);
        const QString fresh = reveal->keyField()->text();
        QVERIFY(keyformat::isWellFormed(fresh.toLatin1()));
        QVERIFY(reveal->storedBox()->isChecked()); // the app saved it
        QTRY_COMPARE(m_app->session.identity() ? m_app->session.identity()->keyId : QString(),
                     reveal->record().keyId);
        QCOMPARE(m_app->session.state(), Session::State::Connected);

        auto stored = test::await<CredentialStore::Outcome>(
            [&](auto done) { m_app->credentials.read(account, this, done); });
        QVERIFY(stored && stored->ok());
        QCOMPARE(QString::fromLatin1(stored->key.reveal()), fresh);
        QVERIFY(!m_app->credentials.isSessionOnly(account));
        QVERIFY(keyRejected(m_server->ownerKey().reveal()));

        // The new key is the one marked in use, and the app still works with it.
        QTRY_VERIFY(m_pane->model()->currentKeyId() == reveal->record().keyId);
        QVERIFY(closeReveal(reveal));
        m_pane->refresh();
        QTRY_VERIFY(!m_pane->isWorking());
        QCOMPARE(m_app->session.state(), Session::State::Connected);
        verifySecretIsNowhere(fresh);
        stored->key.clear();
    }

    void rotateOwnKey_keychainFails_revealShowsTheKey() {
        m_pane->ownKeyRotation()->setPersist(
            [](const Profile&, const Secret&, QObject*, std::function<void(bool, QString)> done) {
                done(false, QStringLiteral("The keychain is locked (test)."));
            });
        QVERIFY(selectRow(m_server->ownerKeyId()));
        m_pane->rotateSelected();
        QTRY_VERIFY(m_pane->rotateDialog());
        QTest::mouseClick(m_pane->rotateDialog()->rotateButton(), Qt::LeftButton);

        RevealKeyDialog* reveal = waitForReveal();
        QVERIFY(reveal);
        const QString fresh = reveal->keyField()->text();
        QVERIFY(keyformat::isWellFormed(fresh.toLatin1()));
        QVERIFY(!reveal->storedBox()->isChecked());
        QVERIFY(reveal->noticeLabel()->isVisible());
        QVERIFY(reveal->noticeLabel()->text().contains(QStringLiteral("locked (test)")));
        // The app switched to the new key anyway (kept for this session only).
        QTRY_COMPARE(m_app->session.identity() ? m_app->session.identity()->keyId : QString(),
                     reveal->record().keyId);
        QVERIFY(m_app->credentials.isSessionOnly(m_app->session.profile()->credentialAccount()));
        QVERIFY(keyWorks(fresh.toLatin1()));
        QVERIFY(keyRejected(m_server->ownerKey().reveal()));
        QVERIFY(closeReveal(reveal));
        m_app->credentials.forgetSessionKey(m_app->session.profile()->credentialAccount());
    }

    void revokeAnotherKey_isGoneOrMarkedRevoked() {
        IssuedKey doomed = makeKey(QStringLiteral("doomed"));
        const QByteArray secret = doomed.secret.reveal();
        QVERIFY(selectRow(doomed.record.keyId));

        // Cancel first: nothing happens.
        test::answerNextMessageBox(this, QStringLiteral("Cancel"));
        QTest::keyClick(m_pane->view(), Qt::Key_Delete);
        QVERIFY(keyWorks(secret));

        bool asked = false;
        QTimer::singleShot(0, this, [&] {
            auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
            if (!box)
                return;
            asked = box->text().contains(QStringLiteral("'doomed'")) &&
                    box->text().contains(doomed.record.prefix) &&
                    box->defaultButton() !=
                        box->findChild<QPushButton*>(QStringLiteral("confirmRevokeButton"));
        });
        test::answerNextMessageBox(this, QStringLiteral("confirmRevokeButton"));
        m_pane->revokeSelected();
        QVERIFY(asked);
        QTRY_VERIFY_WITH_TIMEOUT(m_pane->model()->rowOf(doomed.record.keyId) < 0, 10000);
        QVERIFY(keyRejected(secret));

        m_pane->setShowRevoked(true);
        QTRY_VERIFY_WITH_TIMEOUT(m_pane->model()->rowOf(doomed.record.keyId) >= 0, 10000);
        const int row = m_pane->model()->rowOf(doomed.record.keyId);
        QCOMPARE(m_pane->model()->keyAt(row)->status, KeyStatus::Revoked);
        QCOMPARE(
            m_pane->model()->data(m_pane->model()->index(row, KeysModel::StatusColumn)).toString(),
            QStringLiteral("revoked"));
        QCOMPARE(m_app->session.state(), Session::State::Connected);
    }

    void revokeOwnKey_warnsThenDisconnectsCleanly() {
        const QString account = m_app->session.profile()->credentialAccount();
        QVERIFY(selectRow(m_server->ownerKeyId()));
        QString question;
        QTimer::singleShot(0, this, [&] {
            if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget()))
                question = box->text();
        });
        test::answerNextMessageBox(this, QStringLiteral("confirmRevokeButton"));
        m_pane->revokeSelected();
        QVERIFY(question.contains(QStringLiteral("disconnect")));
        QTRY_COMPARE_WITH_TIMEOUT(m_app->session.state(), Session::State::Disconnected, 10000);
        QCOMPARE(m_pane->model()->rowCount(), 0);
        QVERIFY(m_pane->banner()->isVisible());
        QVERIFY(m_pane->banner()->text().contains(QStringLiteral("revoked")));
        QVERIFY(keyRejected(m_server->ownerKey().reveal()));
        auto stored = test::await<CredentialStore::Outcome>(
            [&](auto done) { m_app->credentials.read(account, this, done); });
        QVERIFY(stored);
        QCOMPARE(stored->status, CredentialStore::Status::NotFound);
        QVERIFY(!m_pane->generateButton()->isEnabled());
    }

    void clipboard_carriesTheHint_clearsAfterDelay_leavesOthersAlone() {
        m_pane->clipboard()->setClearDelay(std::chrono::milliseconds(1500));
        m_pane->generateKey();
        QTRY_VERIFY(m_pane->generateDialog());
        QTest::keyClicks(m_pane->generateDialog()->nameField(), QStringLiteral("clip"));
        QTest::mouseClick(m_pane->generateDialog()->generateButton(), Qt::LeftButton);
        RevealKeyDialog* reveal = waitForReveal();
        QVERIFY(reveal);
        const QString secret = reveal->keyField()->text();
        QClipboard* clipboard = QGuiApplication::clipboard();

        QTest::mouseClick(reveal->copyButton(), Qt::LeftButton);
        QCOMPARE(clipboard->text(), secret);
        const QMimeData* data = clipboard->mimeData();
        QVERIFY(data);
        QCOMPARE(data->data(QStringLiteral("x-kde-passwordManagerHint")), QByteArray("secret"));
        QVERIFY(reveal->countdownLabel()->text().contains(QStringLiteral("cleared in")));
        QTRY_VERIFY_WITH_TIMEOUT(clipboard->text().isEmpty(), 5000);
        QVERIFY(reveal->countdownLabel()->text().contains(QStringLiteral("was cleared")));

        // Copied again, then something else is copied: that is left alone.
        QTest::keyClick(reveal->keyField(), Qt::Key_C, Qt::ControlModifier); // through the hint
        QCOMPARE(clipboard->text(), secret);
        QVERIFY(clipboard->mimeData()->hasFormat(QStringLiteral("x-kde-passwordManagerHint")));
        clipboard->setText(QStringLiteral("something else"));
        QTest::qWait(2000);
        QCOMPARE(clipboard->text(), QStringLiteral("something else"));
        QVERIFY(!m_pane->clipboard()->isHolding());

        QVERIFY(closeReveal(reveal));
        verifySecretIsNowhere(secret);
    }

    void clipboard_clearDelayComesFromSettings() {
        QSettings().setValue(QStringLiteral("clipboard/clearSeconds"), 7);
        SecretClipboard fromSettings;
        QCOMPARE(fromSettings.clearDelay(), std::chrono::milliseconds(7000));
        QSettings().remove(QStringLiteral("clipboard/clearSeconds"));
        SecretClipboard byDefault;
        QCOMPARE(byDefault.clearDelay(), std::chrono::milliseconds(30000));

        // Going away (as on quit) clears what it copied.
        const Secret secret(keyformat::generate());
        {
            SecretClipboard leaving;
            leaving.copy(secret);
            QCOMPARE(QGuiApplication::clipboard()->text().toLatin1(), secret.reveal());
        }
        QVERIFY(QGuiApplication::clipboard()->text().isEmpty());
    }

    void useThisKey_storesItAndReconnects() {
        m_pane->generateKey();
        QTRY_VERIFY(m_pane->generateDialog());
        GenerateKeyDialog* dialog = m_pane->generateDialog();
        QTest::keyClicks(dialog->nameField(), QStringLiteral("admin-2"));
        for (Scope scope : allScopes())
            dialog->scopeBox(scope)->setChecked(true);
        QTest::mouseClick(dialog->generateButton(), Qt::LeftButton);
        RevealKeyDialog* reveal = waitForReveal();
        QVERIFY(reveal);
        const QString secret = reveal->keyField()->text();
        const QString newId = reveal->record().keyId;
        QVERIFY(reveal->useButton()->isVisible());
        QTest::mouseClick(reveal->useButton(), Qt::LeftButton);
        QTRY_VERIFY(reveal->storedBox()->isChecked());
        QTRY_COMPARE_WITH_TIMEOUT(
            m_app->session.identity() ? m_app->session.identity()->keyId : QString(), newId, 10000);
        auto stored = test::await<CredentialStore::Outcome>([&](auto done) {
            m_app->credentials.read(m_app->session.profile()->credentialAccount(), this, done);
        });
        QVERIFY(stored && stored->ok());
        QCOMPARE(QString::fromLatin1(stored->key.reveal()), secret);
        stored->key.clear();
        QVERIFY(closeReveal(reveal));
        QTRY_COMPARE(m_pane->model()->currentKeyId(), newId);
        verifySecretIsNowhere(secret);
    }

    void keyWithoutKeyScopes_showsOnlyItself_andSaysWhichScopeIsMissing() {
        // Generate a read-only key and let the app use it.
        m_pane->generateKey();
        QTRY_VERIFY(m_pane->generateDialog());
        QTest::keyClicks(m_pane->generateDialog()->nameField(), QStringLiteral("read-only"));
        QTest::mouseClick(m_pane->generateDialog()->generateButton(), Qt::LeftButton);
        RevealKeyDialog* reveal = waitForReveal();
        QVERIFY(reveal);
        const QString newId = reveal->record().keyId;
        QTest::mouseClick(reveal->useButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(
            m_app->session.identity() ? m_app->session.identity()->keyId : QString(), newId, 10000);
        QVERIFY(closeReveal(reveal));

        QTRY_COMPARE(m_pane->availability(), KeysPane::Availability::OwnKeyOnly);
        QCOMPARE(m_pane->model()->rowCount(), 1);
        QCOMPARE(m_pane->model()->keyAt(0)->keyId, newId);
        QVERIFY(m_pane->banner()->text().contains(QStringLiteral("keys:read")));
        QVERIFY(!m_pane->generateButton()->isEnabled());
        QVERIFY(m_pane->generateButton()->toolTip().contains(QStringLiteral("keys:write")));

        // Its own key can still be rotated (POST /key/rotate), but only at once.
        m_pane->selectKey(newId);
        QVERIFY(m_pane->rotateButton()->isEnabled());
        QVERIFY(!m_pane->revokeButton()->isEnabled());
        QVERIFY(m_pane->revokeButton()->toolTip().contains(QStringLiteral("keys:write")));
        m_pane->rotateSelected();
        QTRY_VERIFY(m_pane->rotateDialog());
        const QList<QRadioButton*> choices = m_pane->rotateDialog()->graceChoices();
        QVERIFY(choices.first()->isEnabled());
        for (int i = 1; i < choices.size(); ++i) {
            QVERIFY(!choices[i]->isEnabled());
            QVERIFY(choices[i]->toolTip().contains(QStringLiteral("keys:write")));
        }
        m_pane->rotateDialog()->reject();
    }

    void serverWithoutKeyManagement_saysNotAvailable() {
        // A server that knows GET /key but answers 404 to the dashboard's /keys.
        test::HostileServer bare;
        QVERIFY(bare.listen());
        ApiKey self;
        self.keyId = QStringLiteral("key_bare000000000001");
        self.name = QStringLiteral("Bare key");
        self.prefix = QStringLiteral("legba_Bare00");
        self.scopes = {QStringLiteral("instances:read"), QStringLiteral("keys:read"),
                       QStringLiteral("keys:write")};
        self.createdAt = QDateTime::currentDateTimeUtc().addDays(-1);
        const QByteArray record = json::dump(json::toJson(self));
        bare.setHandler([record](QTcpSocket* socket, const test::RawRequest& request) {
            const QByteArray path = request.target.split('?').first();
            if (path.endsWith("/api/key"))
                test::HostileServer::answer(socket, 200, record,
                                            {{"Content-Type", "application/json"}});
            else
                test::HostileServer::answer(
                    socket, 404, test::HostileServer::errorBody("NOT_FOUND", "Not found"),
                    {{"Content-Type", "application/json"}});
        });
        Profile profile;
        profile.displayName = QStringLiteral("Bare server");
        profile.baseUrl = bare.baseUrl();
        profile.orgUuid = m_server->orgUuid();
        profile.kind = Profile::Kind::Environment;
        m_app->connections.activateTransient(profile, Secret(keyformat::generate()));
        QTRY_COMPARE_WITH_TIMEOUT(m_app->session.identity() ? m_app->session.identity()->keyId
                                                            : QString(),
                                  self.keyId, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(m_pane->availability(), KeysPane::Availability::NotOnServer,
                                  10000);
        // The key in use is still a row: the hosted API has GET /key and POST /key/rotate.
        QTRY_COMPARE_WITH_TIMEOUT(m_pane->view()->model()->rowCount(), 1, 10000);
        QVERIFY(m_pane->view()->isVisible());
        QCOMPARE(m_pane->view()->model()->index(0, 0).data(KeysModel::IdRole).toString(),
                 self.keyId);
        // One line says what this server does not offer; an Info, not an error.
        QVERIFY(m_pane->banner()->isVisible());
        QVERIFY2(m_pane->banner()->text().contains(QStringLiteral("only the key Legba Admin uses")),
                 qPrintable(m_pane->banner()->text()));
        QVERIFY(m_pane->banner()->text().contains(QStringLiteral("GET /keys answered 404")));
        QVERIFY(!m_pane->generateButton()->isEnabled());
        QVERIFY(m_pane->generateButton()->toolTip().contains(QStringLiteral("Not available")));
        QVERIFY(selectRow(self.keyId));
        QVERIFY2(m_pane->rotateButton()->isEnabled(),
                 qPrintable(m_pane->rotateButton()->toolTip()));
        QVERIFY(!m_pane->revokeButton()->isEnabled());
        m_app->session.disconnectFromServer();
    }

    void refresh_keepsTheSelection() {
        IssuedKey other = makeKey(QStringLiteral("stays-selected"));
        QVERIFY(selectRow(other.record.keyId));
        const QDateTime before = m_pane->lastRefresh();
        QTest::qWait(20);
        QTest::keyClick(m_window.get(), Qt::Key_F5);
        QTRY_VERIFY(m_pane->lastRefresh() > before);
        const auto selected = m_pane->selectedKey();
        QVERIFY(selected);
        QCOMPARE(selected->keyId, other.record.keyId);
    }
};

QTEST_MAIN(TestKeysPane)
#include "tst_keyspane.moc"
