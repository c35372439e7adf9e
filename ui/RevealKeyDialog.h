#pragma once

#include "Types.h"

#include <QDialog>
#include <QPointer>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace legba {

class ConnectionManager;
class SecretClipboard;

// The one place a whole key is ever shown: right after it was generated or rotated.
//
// Copy goes through SecretClipboard (marked for clipboard managers, cleared after a
// countdown). Closing needs "I have stored this key" ticked or a second confirmation, and
// Esc asks too. When it closes, the field is emptied and the secret wiped: nothing in the
// app holds the key any more.
class RevealKeyDialog : public QDialog {
    Q_OBJECT

public:
    enum class Origin {
        Generated,            // a new key
        Rotated,              // another key's replacement
        OwnRotated,           // this app's key, rotated, saved and in use
        OwnRotatedUnsaved,    // this app's key, rotated, but the keychain refused it
        OwnRotatedForSession, // this app's key, rotated, in use for this run only: the old
                              // one came from LEGBA_API_TOKEN or was never saved
    };

    // `connections` may be null: then "Use this key in Legba Admin" is not offered.
    RevealKeyDialog(IssuedKey issued, Origin origin, SecretClipboard* clipboard,
                    ConnectionManager* connections, QWidget* parent = nullptr);
    ~RevealKeyDialog() override;

    // A line above the key: why it is shown, or what failed (e.g. the keychain's message).
    void setNotice(const QString& text, bool warning);

    QLineEdit* keyField() const { return m_key; }
    QPushButton* copyButton() const { return m_copy; }
    QPushButton* useButton() const { return m_use; }
    QPushButton* closeButton() const { return m_close; }
    QCheckBox* storedBox() const { return m_stored; }
    QLabel* countdownLabel() const { return m_countdown; }
    QLabel* noticeLabel() const { return m_notice; }
    const ApiKey& record() const { return m_record; }
    bool holdsSecret() const { return !m_secret.isEmpty(); }

    void done(int result) override;

Q_SIGNALS:
    // "Use this key in Legba Admin" stored the key and reconnected with it.
    void keyAdopted(const legba::ApiKey& record);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void copyKey();
    void useKey();
    void onCountdown(int secondsLeft);
    void onCleared(bool byUs);
    bool confirmClose();
    void wipe();

    ApiKey m_record;
    Secret m_secret;
    Origin m_origin;
    QPointer<SecretClipboard> m_clipboard;
    QPointer<ConnectionManager> m_connections;
    QLabel* m_notice;
    QLineEdit* m_key;
    QPushButton* m_copy;
    QLabel* m_countdown;
    QPushButton* m_use;
    QCheckBox* m_stored;
    QPushButton* m_close;
    bool m_closing = false;
};

} // namespace legba
