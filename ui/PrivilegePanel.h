#pragma once

#include "KeyNarrowing.h"
#include "PrivilegeEvidence.h"

#include <QComboBox>
#include <QDialog>
#include <QPointer>
#include <QWidget>
#include <optional>

class QLabel;
class QPushButton;
class QTableWidget;

namespace legba {

class KeysModel;
class Session;

// The least-privilege advisor in the Keys pane: loads the audit log over the chosen window
// (30/90 days, all loaded), feeds each key's verdict into the keys table's Privilege column,
// and shows the selected key's held and used scopes with the evidence. Its one action,
// "Replace with a narrower key", generates the key (the pane reveals it once, as any new
// key) and then offers to revoke the old one after a grace period the user picks.
class PrivilegePanel : public QWidget {
    Q_OBJECT

public:
    // Grace periods offered, in seconds; -1: do not revoke (the user will).
    static constexpr int kGraceChoices[] = {0, 3600, 86400, 7 * 86400, -1};

    // `session` and `model` are not owned.
    PrivilegePanel(Session* session, KeysModel* model, QWidget* parent = nullptr);

    void setKey(const std::optional<ApiKey>& key);
    // Loads the evidence for the chosen window, when the key may read the audit log.
    void load();
    void sessionChanged();
    // The key list changed: verdicts for every row again.
    void updateVerdicts();

    // Asks which grace period (a dialog); then schedules the old key's revoke, or not.
    void offerRevoke(const ApiKey& old);

    PrivilegeEvidence* evidence() const { return m_evidence; }
    KeyNarrowing* narrowing() const { return m_narrowing; }
    QComboBox* windowChooser() const { return m_window; }
    QPushButton* replaceButton() const { return m_replace; }
    QPushButton* loadButton() const { return m_load; }
    QLabel* statusLabel() const { return m_status; }
    QLabel* verdictLabel() const { return m_verdict; }
    QLabel* evidenceLabel() const { return m_evidenceText; }
    QLabel* pendingLabel() const { return m_pending; }
    QTableWidget* scopesTable() const { return m_scopes; }
    QDialog* graceDialog() const { return m_graceDialog; }
    QComboBox* graceChooser() const { return m_graceChooser; }

Q_SIGNALS:
    // A narrower key was generated for `old`: the pane shows it once, then calls offerRevoke.
    void narrowedKeyIssued(legba::IssuedKey issued, const legba::ApiKey& old);
    // The old key was revoked when its grace period ended.
    void oldKeyRevoked(const QString& keyId);
    // What went wrong, for the pane's banner.
    void failed(const QString& title, const QString& detail);

private:
    void replaceSelected();
    void showStatus();
    void showKey();
    void showPending();
    // Why there is no evidence to show, before asking; empty when the log may be read.
    QString whyNoEvidence() const;

    Session* m_session; // not owned
    KeysModel* m_model; // not owned
    PrivilegeEvidence* m_evidence;
    KeyNarrowing* m_narrowing;
    std::optional<ApiKey> m_key;
    QComboBox* m_window;
    QPushButton* m_load;
    QPushButton* m_cancel;
    QLabel* m_status;
    QLabel* m_verdict;
    QTableWidget* m_scopes;
    QLabel* m_evidenceText;
    QPushButton* m_replace;
    QLabel* m_pending;
    QPushButton* m_cancelRevoke;
    QPointer<QDialog> m_graceDialog;
    QPointer<QComboBox> m_graceChooser;
};

} // namespace legba
