#pragma once

#include "Profile.h"
#include "Secret.h"

#include <QDialog>

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace legba {

class KeyVerifier;

// Adds an organization, edits one, or asks for a new key: name, server address,
// organization id and API key, each checked as it is typed, with the problem named under
// the field. A key is an opaque token: only what cannot be a key at all is refused (white
// space or control characters inside); a key without "legba_" or with a sandbox checksum
// that does not match gets a warning the user may accept. Connect asks the server (GET
// /key) before the dialog closes, so that nothing is stored that the server rejects, and
// says what the server answered.
class ConnectDialog : public QDialog {
    Q_OBJECT

public:
    explicit ConnectDialog(QWidget* parent = nullptr);
    ~ConnectDialog() override;

    // Pre-fills from a saved profile; the key field starts empty.
    void setProfile(const Profile& profile);
    // A sentence above the form: why we are asking ("The server rejected the key").
    void setReason(const QString& reason);

    // The profile as entered (id kept when editing).
    Profile profile() const;
    // The key as entered; the field is cleared, so the dialog holds it no longer.
    Secret takeKey();
    bool sessionOnly() const;

    QLineEdit* nameField() const { return m_name; }
    QLineEdit* urlField() const { return m_url; }
    QLineEdit* orgField() const { return m_org; }
    QLineEdit* keyField() const { return m_key; }

    // Checks the key with the server on Connect; without one, Connect only checks the form.
    void setVerifier(KeyVerifier* verifier) { m_verifier = verifier; }

    // For a person: why a key as typed cannot be a key; empty when it can.
    static QString keyProblem(const QString& text);
    // For a person: what looks off about a usable key; empty when nothing does.
    static QString keyWarning(const QString& text);

    QLabel* keyErrorLabel() const { return m_keyError; }
    QLabel* checkLabel() const { return m_check; }

    void accept() override;
    void reject() override;

private:
    void validate();
    void onFieldEdited();
    void startCheck();
    void showCheck(const QString& text, bool problem);
    void fitContents();

    Profile m_profile;
    QLabel* m_reason;
    QLineEdit* m_name;
    QLineEdit* m_url;
    QLabel* m_urlError;
    QLineEdit* m_org;
    QLabel* m_orgError;
    QLineEdit* m_key;
    QLabel* m_keyError;
    QCheckBox* m_sessionOnly;
    QLabel* m_check; // what the server said of the key
    QDialogButtonBox* m_buttons;
    KeyVerifier* m_verifier = nullptr; // not owned
    // The server could not be asked; the user may connect without its word.
    bool m_connectAnyway = false;
};

} // namespace legba
