// Under a real X server (Xvfb): selecting the new key in the reveal-once dialog, by a double
// click, a triple click, a drag or the keyboard, must not leave it in the PRIMARY selection,
// where any program can read it and a middle click pastes it anywhere.
#include "KeyFormat.h"
#include "RevealKeyDialog.h"

#include <QApplication>
#include <QClipboard>
#include <QLineEdit>
#include <QTest>

using namespace legba;

class TestPrimarySelection : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<RevealKeyDialog> m_dialog;
    QByteArray m_key;

    QString primary() const { return QGuiApplication::clipboard()->text(QClipboard::Selection); }

private Q_SLOTS:
    void initTestCase() {
        // Without a selection the test would prove nothing: it runs under Xvfb (xcb).
        QVERIFY2(QGuiApplication::clipboard()->supportsSelection(),
                 qPrintable(QGuiApplication::platformName()));
    }

    void init() {
        m_key = keyformat::generate();
        IssuedKey issued;
        issued.record.keyId = QStringLiteral("key_0123456789abcdef");
        issued.record.name = QStringLiteral("ci");
        issued.secret = Secret(m_key);
        m_dialog = std::make_unique<RevealKeyDialog>(
            std::move(issued), RevealKeyDialog::Origin::Generated, nullptr, nullptr);
        m_dialog->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_dialog.get()));
        // Something else of ours in PRIMARY first, so that "cleared" and "never set" differ
        // from "still there".
        QGuiApplication::clipboard()->setText(QStringLiteral("unrelated"), QClipboard::Selection);
    }

    void cleanup() { m_dialog.reset(); }

    void doubleClick_keyNotInPrimary() {
        QLineEdit* field = m_dialog->keyField();
        QTest::mouseDClick(field, Qt::LeftButton, {},
                           QPoint(field->width() / 2, field->height() / 2));
        QVERIFY(field->hasSelectedText());
        QVERIFY2(!m_key.contains(primary().toLatin1()) || primary().isEmpty(),
                 "the key reached PRIMARY");
    }

    void drag_keyNotInPrimary() {
        QLineEdit* field = m_dialog->keyField();
        const int y = field->height() / 2;
        QTest::mousePress(field, Qt::LeftButton, {}, QPoint(4, y));
        QTest::mouseMove(field, QPoint(field->width() / 2, y));
        QTest::mouseMove(field, QPoint(field->width() - 4, y));
        QTest::mouseRelease(field, Qt::LeftButton, {}, QPoint(field->width() - 4, y));
        QVERIFY(field->hasSelectedText());
        QVERIFY2(primary().isEmpty() || !m_key.contains(primary().toLatin1()),
                 "the key reached PRIMARY");
    }

    void keyboard_keyNotInPrimary() {
        QLineEdit* field = m_dialog->keyField();
        field->setFocus();
        QTest::keyClick(field, Qt::Key_Home);
        for (int i = 0; i < 10; ++i)
            QTest::keyClick(field, Qt::Key_Right, Qt::ShiftModifier);
        QTest::keyClick(field, Qt::Key_A, Qt::ControlModifier);
        QVERIFY(field->hasSelectedText());
        QVERIFY2(primary().isEmpty() || !m_key.contains(primary().toLatin1()),
                 "the key reached PRIMARY");
    }
};

QTEST_MAIN(TestPrimarySelection)
#include "tst_primaryselection.moc"
