#pragma once

#include "LegbaClient.h"
#include "Scope.h"

#include <QDialog>
#include <QMap>
#include <optional>

class QCheckBox;
class QComboBox;
class QDateEdit;
class QLabel;
class QLineEdit;
class QPushButton;

namespace legba {

class KeyActions;
class Session;

// "Generate New API Key": a name, the scopes (least privilege by default; never more than
// the current key holds), and an expiry. It generates through KeyActions and keeps the
// server's answer as it is, so that its validation errors land on the field they name; on success
// it closes, holding the new key for the reveal-once dialog.
class GenerateKeyDialog : public QDialog {
    Q_OBJECT

public:
    enum class Expiry { Days30, Days90, Days365, OnDate, Never };

    // Generates through `actions` (which must outlive the dialog: the pane owns both).
    GenerateKeyDialog(Session* session, KeyActions* actions, QWidget* parent = nullptr);
    ~GenerateKeyDialog() override;

    // The key the server issued; valid once the dialog was accepted. Moves it out.
    IssuedKey takeIssued();
    // What would be sent now.
    NewKeyRequest request() const;

    // Which field a VALIDATION_ERROR (or FORBIDDEN) message is about: "name", "scopes",
    // "expires_at", or empty.
    static QString fieldOfMessage(const QString& message);

    QLineEdit* nameField() const { return m_name; }
    QCheckBox* scopeBox(Scope scope) const { return m_scopes.value(scope); }
    QComboBox* expiryChoice() const { return m_expiry; }
    QDateEdit* dateField() const { return m_date; }
    QPushButton* generateButton() const { return m_generate; }
    QLabel* nameError() const { return m_nameError; }
    QLabel* scopesError() const { return m_scopesError; }
    QLabel* expiryError() const { return m_expiryError; }
    QLabel* generalError() const { return m_generalError; }

private:
    void validate();
    void updateExpiryNote();
    void submit();
    void onAnswer(Result<IssuedKey> result);
    void setBusy(bool busy);
    Expiry expiry() const;
    QDateTime expiresAt() const;

    Session* m_session;
    KeyActions* m_actions; // not owned
    QLineEdit* m_name;
    QLabel* m_nameError;
    QMap<Scope, QCheckBox*> m_scopes;
    QLabel* m_scopesError;
    QComboBox* m_expiry;
    QDateEdit* m_date;
    QLabel* m_expiryNote;
    QLabel* m_expiryError;
    QLabel* m_generalError;
    QPushButton* m_generate;
    QPushButton* m_cancel;
    std::optional<IssuedKey> m_issued;
    bool m_busy = false;
};

} // namespace legba
