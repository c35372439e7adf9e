#pragma once

#include "Profile.h"
#include "Secret.h"

#include <QDialog>

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace legba {

// Adds an organization, edits one, or asks for a new key: name, server address,
// organization id and API key, each checked as it is typed (the key's format and checksum
// too, before anything is sent), with the problem named under the field.
class ConnectDialog : public QDialog {
    Q_OBJECT

public:
    explicit ConnectDialog(QWidget* parent = nullptr);

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

    // For a person: what is wrong with a key as typed; empty when it is well formed.
    static QString keyProblem(const QString& key);

    void accept() override;
    void reject() override;

private:
    void validate();

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
    QDialogButtonBox* m_buttons;
};

} // namespace legba
