#pragma once

#include "AuditWatch.h"
#include "ReminderMonitor.h"

#include <QDialog>

class QCheckBox;
class QDialogButtonBox;
class QGroupBox;
class QSettings;
class QSpinBox;

namespace legba {

// The user's preferences, in QSettings (the platform's standard place: ~/.config on Linux,
// the registry on Windows, a plist on macOS). Never a key or anything secret.
struct AppSettings {
    static constexpr int kDefaultClipboardClearSeconds = 30; // "clipboard/clearSeconds"
    static constexpr int kDefaultRefreshSeconds = 15;        // "instances/refreshSeconds"
    static constexpr int kDefaultKeyExpiryDays = 90;         // "keys/defaultExpiryDays"
    static constexpr int kMinRefreshSeconds = 2;
    static constexpr int kMaxSeconds = 3600;
    static constexpr int kMaxExpiryDays = 3650;

    int clipboardClearSeconds = kDefaultClipboardClearSeconds; // 0: never cleared
    int refreshSeconds = kDefaultRefreshSeconds;
    int defaultKeyExpiryDays = kDefaultKeyExpiryDays; // 0: the key never expires
    ReminderSettings reminders;                       // "reminders/..."
    WatchSettings watch;                              // "watch/..."

    // Out-of-range or non-numeric values read as the default.
    static AppSettings load(const QSettings& settings);
    static AppSettings load();
    void save(QSettings& settings) const;
    void save() const;

    friend bool operator==(const AppSettings&, const AppSettings&) = default;
};

// Settings… (Ctrl+,): clipboard clear delay, instances refresh interval, default key
// expiry, reminders. OK writes them to QSettings; Cancel writes nothing.
class SettingsDialog : public QDialog {
    Q_OBJECT

public:
    explicit SettingsDialog(QWidget* parent = nullptr);
    ~SettingsDialog() override;

    // What the fields say now.
    AppSettings values() const;
    void setValues(const AppSettings& values);

    QSpinBox* clipboardClearField() const { return m_clipboard; }
    QSpinBox* refreshField() const { return m_refresh; }
    QSpinBox* keyExpiryField() const { return m_expiry; }
    QCheckBox* expiringKeysBox() const { return m_remindExpiring; }
    QCheckBox* unusedKeysBox() const { return m_remindUnused; }
    QCheckBox* longRunningBox() const { return m_remindRunning; }
    QSpinBox* instanceHoursField() const { return m_runningHours; }
    QCheckBox* watchBurstBox() const { return m_watchBurst; }
    QSpinBox* watchBurstCountField() const { return m_watchBurstCount; }
    QSpinBox* watchBurstMinutesField() const { return m_watchBurstMinutes; }
    QCheckBox* watchNewAddressBox() const { return m_watchNewAddress; }
    QCheckBox* watchDeadKeyBox() const { return m_watchDeadKey; }
    QCheckBox* watchKeysWriteBox() const { return m_watchKeysWrite; }
    QDialogButtonBox* buttons() const { return m_buttons; }

    void accept() override;

private:
    QSpinBox* m_clipboard;
    QSpinBox* m_refresh;
    QSpinBox* m_expiry;
    QCheckBox* m_remindExpiring;
    QCheckBox* m_remindUnused;
    QCheckBox* m_remindRunning;
    QSpinBox* m_runningHours;
    QDialogButtonBox* m_buttons;
    // The Watch group (buildWatchGroup).
    QGroupBox* buildWatchGroup();
    QCheckBox* m_watchBurst = nullptr;
    QSpinBox* m_watchBurstCount = nullptr;
    QSpinBox* m_watchBurstMinutes = nullptr;
    QCheckBox* m_watchNewAddress = nullptr;
    QCheckBox* m_watchDeadKey = nullptr;
    QCheckBox* m_watchKeysWrite = nullptr;
};

} // namespace legba
