#pragma once

#include "LeakScanner.h"
#include "LegbaClient.h"

#include <QDialog>

class QCheckBox;
class QLabel;
class QListWidget;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace legba {

class KeysPane;
class KeyActions;

// "Scan for Leaked Keys…": folders chosen here are scanned on a worker thread (LeakScanner)
// and what is found is matched by prefix to the organization's keys (GET /keys, revoked
// ones included). Each finding shows its file, line, the key masked, the key it matches and
// whether that key is active; an active match offers Rotate… and Revoke…, which the Keys
// pane carries out with its own confirmations (through KeyActions).
class LeakScanDialog : public QDialog {
    Q_OBJECT

public:
    enum Column {
        FileColumn,
        LineColumn,
        KeyColumn,
        MatchColumn,
        ActiveColumn,
        ActionColumn,
        ColumnCount
    };

    // Lists the organization's keys through `keys` (which must outlive the dialog).
    explicit LeakScanDialog(KeyActions* keys, QWidget* parent = nullptr);

    // Opens the dialog over the pane, its actions wired to the pane's rotate and revoke.
    static LeakScanDialog* openFrom(KeysPane* pane);

    void setFolders(const QStringList& folders);
    QStringList folders() const;
    void startScan();
    void cancelScan();
    // Asks the key list again and matches the findings to it (after a rotate or revoke).
    void refreshMatches();

    QTableWidget* results() const { return m_results; }
    QCheckBox* includeIgnoredBox() const { return m_includeIgnored; }
    QCheckBox* includeBinaryBox() const { return m_includeBinary; }
    QPushButton* scanButton() const { return m_scan; }
    QPushButton* cancelButton() const { return m_cancel; }
    QLabel* summaryLabel() const { return m_summary; }
    bool isScanning() const;
    const LeakScanReport& report() const { return m_report; }

Q_SIGNALS:
    void rotateRequested(const QString& keyId);
    void revokeRequested(const QString& keyId);
    // A scan ended (finished or cancelled) and the table shows it.
    void scanFinished();

private:
    void addFolder();
    void removeFolder();
    void onKeysListed(Result<KeyList> result);
    void onProgress(const LeakScanProgress& progress);
    void onFinished(const LeakScanReport& report);
    void showResults();
    void updateButtons();

    KeyActions* m_keys; // not owned
    LeakScanner* m_scanner;
    QListWidget* m_folders;
    QPushButton* m_addFolder;
    QPushButton* m_removeFolder;
    QCheckBox* m_includeIgnored;
    QCheckBox* m_includeBinary;
    QPushButton* m_scan;
    QPushButton* m_cancel;
    QProgressBar* m_progress;
    QLabel* m_progressText;
    QLabel* m_summary;
    QTableWidget* m_results;
    RequestHandle m_listCall;
    bool m_listing = false;
    QString m_keysProblem; // why the key list could not be read, for the summary
    LeakScanReport m_report;
};

} // namespace legba
