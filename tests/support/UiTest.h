#pragma once

// Helpers for tests that drive widgets: header-only, so that tests without widgets need not
// link them through legba_test_support.

#include <QAbstractButton>
#include <QApplication>
#include <QMessageBox>
#include <QMutex>
#include <QMutexLocker>
#include <QStringList>
#include <QTest>
#include <QTimer>

namespace legba::test {

// Everything logged while it lives (then passed on to the handler before it), so that a
// test can search the log for what must never be in it, such as a key.
class LogCapture {
public:
    LogCapture() { s_previous = qInstallMessageHandler(&LogCapture::handler); }
    ~LogCapture() { qInstallMessageHandler(s_previous); }
    LogCapture(const LogCapture&) = delete;
    LogCapture& operator=(const LogCapture&) = delete;

    static QString text() {
        QMutexLocker lock(&s_mutex);
        return s_lines.join(QLatin1Char('\n'));
    }
    static void clear() {
        QMutexLocker lock(&s_mutex);
        s_lines.clear();
    }

private:
    static void handler(QtMsgType type, const QMessageLogContext& context, const QString& text) {
        {
            QMutexLocker lock(&s_mutex);
            s_lines << text;
        }
        if (s_previous)
            s_previous(type, context, text);
    }

    static inline QMutex s_mutex;
    static inline QStringList s_lines;
    static inline QtMessageHandler s_previous = nullptr;
};

// Clicks the button whose text or objectName is `button` in the next message box, as soon
// as it is up; sets *seen when it was. Fails the test when the box has no such button.
inline void answerNextMessageBox(QObject* context, const QString& button, bool* seen = nullptr) {
    QTimer::singleShot(0, context, [=] {
        auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
        if (!box) {
            // Not up yet: try again on the next turn of the event loop.
            answerNextMessageBox(context, button, seen);
            return;
        }
        if (seen)
            *seen = true;
        for (QAbstractButton* candidate : box->buttons()) {
            if (candidate->text() == button || candidate->objectName() == button) {
                candidate->click();
                return;
            }
        }
        QFAIL(qPrintable(QStringLiteral("no button '%1' in the message box").arg(button)));
    });
}

} // namespace legba::test
