#include "SecretClipboard.h"

#include "Logging.h"

#include <QClipboard>
#include <QCoreApplication>
#include <QCryptographicHash>
#include <QGuiApplication>
#include <QMimeData>
#include <QSettings>

namespace legba {

namespace {
QByteArray digestOf(const QByteArray& bytes) {
    return QCryptographicHash::hash(bytes, QCryptographicHash::Sha256);
}
} // namespace

SecretClipboard::SecretClipboard(QObject* parent)
    : QObject(parent)
    , m_delay(std::chrono::seconds(
          QSettings()
              .value(QStringLiteral("clipboard/clearSeconds"), kDefaultClearSeconds)
              .toInt())) {
    if (m_delay.count() < 0)
        m_delay = std::chrono::seconds(kDefaultClearSeconds);
    m_clearTimer.setSingleShot(true);
    m_tick.setInterval(1000);
    connect(&m_clearTimer, &QTimer::timeout, this, &SecretClipboard::clearNow);
    connect(&m_tick, &QTimer::timeout, this, &SecretClipboard::onTick);
    // Quitting with a key on the clipboard would leave it there for anyone.
    if (QCoreApplication* app = QCoreApplication::instance())
        connect(app, &QCoreApplication::aboutToQuit, this, &SecretClipboard::clearNow);
    if (QClipboard* clipboard = QGuiApplication::clipboard())
        connect(clipboard, &QClipboard::dataChanged, this, &SecretClipboard::onClipboardChanged);
}

SecretClipboard::~SecretClipboard() {
    clearNow();
}

QMimeData* SecretClipboard::mimeDataFor(const Secret& secret) {
    auto* data = new QMimeData;
    data->setText(QString::fromLatin1(secret.reveal()));
    // KDE Klipper and other Linux clipboard managers skip data carrying this hint.
    data->setData(QStringLiteral("x-kde-passwordManagerHint"), QByteArrayLiteral("secret"));
    // Windows clipboard history and cloud clipboard skip this format's owners.
    data->setData(QStringLiteral("ExcludeClipboardContentFromMonitorProcessing"),
                  QByteArrayLiteral("1"));
    // macOS clipboard managers honour the concealed pasteboard type.
    data->setData(QStringLiteral("application/x-nspasteboard-concealed-type"),
                  QByteArrayLiteral("secret"));
    return data;
}

void SecretClipboard::copy(const Secret& secret) {
    QClipboard* clipboard = QGuiApplication::clipboard();
    if (!clipboard || secret.isEmpty())
        return;
    // Set the digest first: setMimeData() emits dataChanged synchronously on some platforms.
    m_digest = digestOf(secret.reveal());
    clipboard->setMimeData(mimeDataFor(secret), QClipboard::Clipboard);
    if (clipboard->supportsSelection())
        clipboard->clear(QClipboard::Selection); // never leave it in the X11 primary selection
    qCInfo(lcApp) << "a key was copied to the clipboard; clearing in"
                  << std::chrono::duration_cast<std::chrono::seconds>(m_delay).count() << "s";
    if (m_delay.count() > 0) {
        m_clearTimer.start(m_delay);
        m_tick.start();
    }
    Q_EMIT countdown(secondsLeft());
}

int SecretClipboard::secondsLeft() const {
    if (m_digest.isEmpty() || !m_clearTimer.isActive())
        return 0;
    return (m_clearTimer.remainingTime() + 999) / 1000;
}

bool SecretClipboard::clipboardHoldsOurs() const {
    const QClipboard* clipboard = QGuiApplication::clipboard();
    if (!clipboard || m_digest.isEmpty())
        return false;
    return digestOf(clipboard->text(QClipboard::Clipboard).toLatin1()) == m_digest;
}

void SecretClipboard::clearNow() {
    if (m_digest.isEmpty())
        return;
    m_clearTimer.stop();
    m_tick.stop();
    const bool ours = clipboardHoldsOurs();
    m_digest.clear();
    if (ours) {
        QGuiApplication::clipboard()->clear(QClipboard::Clipboard);
        qCInfo(lcApp) << "the key was cleared from the clipboard";
    }
    Q_EMIT cleared(ours);
}

void SecretClipboard::onTick() {
    Q_EMIT countdown(secondsLeft());
}

void SecretClipboard::onClipboardChanged() {
    if (m_digest.isEmpty() || clipboardHoldsOurs())
        return;
    // Something else was copied: not ours to clear any more.
    m_clearTimer.stop();
    m_tick.stop();
    m_digest.clear();
    Q_EMIT cleared(false);
}

} // namespace legba
