#pragma once

#include "Secret.h"

#include <QByteArray>
#include <QObject>
#include <QTimer>
#include <chrono>

class QClipboard;
class QMimeData;

namespace legba {

// Puts a secret on the system clipboard the careful way (as KeePassXC does): marked so
// that clipboard managers skip it, cleared after a delay with a countdown others can show,
// and cleared when the app quits, but only if the clipboard still holds what we put
// there. It keeps only a digest of what it copied, never the secret itself.
class SecretClipboard : public QObject {
    Q_OBJECT

public:
    static constexpr int kDefaultClearSeconds = 30;

    // The delay comes from QSettings "clipboard/clearSeconds" (default 30 s; 0 never clears).
    explicit SecretClipboard(QObject* parent = nullptr);
    ~SecretClipboard() override;

    void setClearDelay(std::chrono::milliseconds delay) { m_delay = delay; }
    std::chrono::milliseconds clearDelay() const { return m_delay; }

    void copy(const Secret& secret);
    // Clears now, if the clipboard still holds our secret.
    void clearNow();
    bool isHolding() const { return !m_digest.isEmpty(); }
    // Whole seconds until it clears; 0 when nothing is pending.
    int secondsLeft() const;

    // The data copy() puts on the clipboard; public so that tests can check the hints.
    static QMimeData* mimeDataFor(const Secret& secret);

Q_SIGNALS:
    // Once a second while a secret is on the clipboard.
    void countdown(int secondsLeft);
    // The secret left the clipboard: cleared by us, or replaced by someone else.
    void cleared(bool byUs);

private:
    void onTick();
    void onClipboardChanged();
    bool clipboardHoldsOurs() const;

    std::chrono::milliseconds m_delay;
    QByteArray m_digest; // SHA-256 of what we copied; empty when nothing is pending
    QTimer m_clearTimer;
    QTimer m_tick;
};

} // namespace legba
