// The line under a dialog's field: hidden until there is something to say, plain text
// whatever the words hold, red for a problem and amber for a caution, on light and dark
// themes alike.
#include "FieldMessage.h"

#include <QLabel>
#include <QTest>
#include <QWidget>

using namespace legba;

namespace {
QColor textColour(const QLabel* label) {
    return label->palette().color(QPalette::WindowText);
}
} // namespace

class FieldMessageTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void startsHiddenAndHidesWhenEmptied() {
        QWidget dialog;
        QLabel* label = fieldMessage(&dialog, QStringLiteral("nameError"));
        QCOMPARE(label->parentWidget(), &dialog);
        QCOMPARE(label->objectName(), QStringLiteral("nameError"));
        dialog.show();
        QVERIFY(!label->isVisible());
        showFieldMessage(label, QStringLiteral("Choose a name."));
        QVERIFY(label->isVisible());
        QCOMPARE(label->text(), QStringLiteral("Choose a name."));
        showFieldMessage(label, QString());
        QVERIFY(!label->isVisible());
    }

    void serverWords_areShownAsPlainText() {
        QWidget dialog;
        QLabel* label = fieldMessage(&dialog);
        QCOMPARE(label->textFormat(), Qt::PlainText);
        QVERIFY(label->wordWrap());
    }

    void problemAndCaution_differ_onLightAndDarkThemes() {
        for (const QColor window : {QColor(Qt::white), QColor(30, 30, 30)}) {
            QWidget dialog;
            QPalette pal = dialog.palette();
            pal.setColor(QPalette::Window, window);
            dialog.setPalette(pal);
            QLabel* label = fieldMessage(&dialog);
            showFieldMessage(label, QStringLiteral("x"), FieldTone::Problem);
            const QColor problem = textColour(label);
            showFieldMessage(label, QStringLiteral("x"), FieldTone::Caution);
            const QColor caution = textColour(label);
            QVERIFY(problem != caution);
            QCOMPARE(problem.hslHue(), 0);
            // Readable: far enough from the window's own lightness.
            QVERIFY2(qAbs(problem.lightness() - window.lightness()) > 60,
                     qPrintable(problem.name()));
            QVERIFY2(qAbs(caution.lightness() - window.lightness()) > 60,
                     qPrintable(caution.name()));
        }
    }
};

QTEST_MAIN(FieldMessageTest)
#include "tst_fieldmessage.moc"
