#include "SettingsDialog.h"

#include <QApplication>
#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStyle>
#include <QVBoxLayout>

namespace legba {

namespace {

constexpr QLatin1String kClipboardKey("clipboard/clearSeconds");
constexpr QLatin1String kRefreshKey("instances/refreshSeconds");
constexpr QLatin1String kExpiryKey("keys/defaultExpiryDays");

int readInt(const QSettings& settings, QLatin1String key, int fallback, int min, int max) {
    bool ok = false;
    const int value = settings.value(key, fallback).toInt(&ok);
    return ok && value >= min && value <= max ? value : fallback;
}

QSpinBox* spinBox(const QString& objectName, int min, int max, QWidget* parent) {
    auto* box = new QSpinBox(parent);
    box->setObjectName(objectName);
    box->setRange(min, max);
    box->setAccelerated(true);
    box->setAlignment(Qt::AlignRight);
    box->setMinimumWidth(120);
    return box;
}

// "Fusion", "Breeze", "Windows": QStyle::name() is lower case.
QString styleName() {
    QString name = QApplication::style()->name();
    if (!name.isEmpty())
        name[0] = name[0].toUpper();
    return name;
}

QLabel* note(const QString& text, QWidget* parent) {
    auto* label = new QLabel(text, parent);
    label->setWordWrap(true);
    label->setForegroundRole(QPalette::PlaceholderText);
    return label;
}

} // namespace

AppSettings AppSettings::load(const QSettings& settings) {
    AppSettings values;
    values.clipboardClearSeconds =
        readInt(settings, kClipboardKey, kDefaultClipboardClearSeconds, 0, kMaxSeconds);
    values.refreshSeconds =
        readInt(settings, kRefreshKey, kDefaultRefreshSeconds, kMinRefreshSeconds, kMaxSeconds);
    values.defaultKeyExpiryDays =
        readInt(settings, kExpiryKey, kDefaultKeyExpiryDays, 0, kMaxExpiryDays);
    values.reminders = ReminderSettings::load(settings);
    values.watch = WatchSettings::load(settings);
    return values;
}

AppSettings AppSettings::load() {
    return load(QSettings());
}

void AppSettings::save(QSettings& settings) const {
    settings.setValue(kClipboardKey, clipboardClearSeconds);
    settings.setValue(kRefreshKey, refreshSeconds);
    settings.setValue(kExpiryKey, defaultKeyExpiryDays);
    reminders.save(settings);
    watch.save(settings);
}

void AppSettings::save() const {
    QSettings settings;
    save(settings);
}

SettingsDialog::SettingsDialog(QWidget* parent)
    : QDialog(parent)
    , m_clipboard(
          spinBox(QStringLiteral("clipboardClearSeconds"), 0, AppSettings::kMaxSeconds, this))
    , m_refresh(spinBox(QStringLiteral("refreshSeconds"), AppSettings::kMinRefreshSeconds,
                        AppSettings::kMaxSeconds, this))
    , m_expiry(
          spinBox(QStringLiteral("defaultKeyExpiryDays"), 0, AppSettings::kMaxExpiryDays, this))
    , m_remindExpiring(new QCheckBox(
          tr("API keys that e&xpire within %1 days").arg(reminders::kExpiringDays), this))
    , m_remindUnused(
          new QCheckBox(tr("API keys &unused for %1 days").arg(reminders::kUnusedDays), this))
    , m_remindRunning(new QCheckBox(tr("Instances &running longer than:"), this))
    , m_runningHours(
          spinBox(QStringLiteral("instanceHours"), 1, ReminderSettings::kMaxInstanceHours, this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel |
                                         QDialogButtonBox::RestoreDefaults,
                                     this)) {
    setObjectName(QStringLiteral("settingsDialog"));
    setWindowTitle(tr("Settings"));

    m_clipboard->setSuffix(tr(" s"));
    m_clipboard->setSpecialValueText(tr("Never"));
    m_clipboard->setAccessibleName(tr("Clear copied keys after, in seconds"));
    m_clipboard->setToolTip(tr("A copied API key is removed from the clipboard after this many "
                               "seconds, and when Legba Admin quits. 0 keeps it until then."));
    m_refresh->setSuffix(tr(" s"));
    m_refresh->setAccessibleName(tr("Refresh instances every, in seconds"));
    m_refresh->setToolTip(tr("How often the instances list is refreshed while nothing is "
                             "changing (faster while instances start or stop)."));
    m_expiry->setSuffix(tr(" days"));
    m_expiry->setSpecialValueText(tr("Never"));
    m_expiry->setAccessibleName(tr("New keys expire after, in days"));
    m_expiry->setToolTip(tr("The expiry a new API key starts with. 0 means never; shorter is "
                            "safer."));

    m_remindExpiring->setObjectName(QStringLiteral("remindExpiringKeys"));
    m_remindExpiring->setToolTip(tr("A notification when an active key expires within %1 days, "
                                    "once per key while Legba Admin runs.")
                                     .arg(reminders::kExpiringDays));
    m_remindUnused->setObjectName(QStringLiteral("remindUnusedKeys"));
    m_remindUnused->setToolTip(tr("A notification for an active key not used for %1 days (or "
                                  "never used and created that long ago): a candidate to revoke.")
                                   .arg(reminders::kUnusedDays));
    m_remindRunning->setObjectName(QStringLiteral("remindLongRunningInstances"));
    m_remindRunning->setToolTip(tr("A notification for an instance running longer than this, "
                                   "counted from its creation."));
    m_runningHours->setSuffix(tr(" hours"));
    m_runningHours->setAccessibleName(tr("Remind of instances running longer than, in hours"));
    m_runningHours->setToolTip(m_remindRunning->toolTip());
    connect(m_remindRunning, &QCheckBox::toggled, m_runningHours, &QWidget::setEnabled);

    auto* remindersBox = new QGroupBox(tr("Reminders"), this);
    remindersBox->setObjectName(QStringLiteral("remindersGroup"));
    auto* remindersLayout = new QVBoxLayout(remindersBox);
    remindersLayout->addWidget(m_remindExpiring);
    remindersLayout->addWidget(m_remindUnused);
    auto* running = new QHBoxLayout;
    running->addWidget(m_remindRunning);
    running->addWidget(m_runningHours);
    running->addStretch(1);
    remindersLayout->addLayout(running);
    remindersLayout->addWidget(
        note(tr("Shown as desktop notifications while Legba Admin runs; nothing runs when it "
                "is closed. Clicking one opens the key or instance."),
             remindersBox));

    auto* security = new QGroupBox(tr("API keys"), this);
    auto* securityForm = new QFormLayout(security);
    securityForm->addRow(tr("&Clear copied keys after:"), m_clipboard);
    securityForm->addRow(tr("New keys &expire after:"), m_expiry);

    auto* instances = new QGroupBox(tr("Instances"), this);
    auto* instancesForm = new QFormLayout(instances);
    instancesForm->addRow(tr("&Refresh every:"), m_refresh);

    // Qt takes the style, colours and fonts from the platform theme (light or dark), so the
    // app follows the system rather than keeping a theme of its own.
    auto* appearance = new QGroupBox(tr("Appearance"), this);
    auto* appearanceLayout = new QVBoxLayout(appearance);
    auto* theme = new QLabel(tr("Colours, fonts and style follow the system theme (%1). "
                                "Change them in your desktop's settings.")
                                 .arg(styleName()),
                             appearance);
    theme->setObjectName(QStringLiteral("themeNote"));
    theme->setWordWrap(true);
    appearanceLayout->addWidget(theme);

    QSettings settings;
    auto* where = note(tr("Saved in %1").arg(QDir::toNativeSeparators(settings.fileName())), this);
    where->setObjectName(QStringLiteral("settingsLocation"));
    where->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_buttons->button(QDialogButtonBox::RestoreDefaults)
        ->setToolTip(tr("Put the defaults back in the fields (saved on OK)"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_buttons->button(QDialogButtonBox::RestoreDefaults), &QPushButton::clicked, this,
            [this] { setValues(AppSettings{}); });

    // Two columns: the app's own settings, then what it tells the user about. One column
    // was taller than a 600-pixel screen.
    auto* columns = new QGridLayout;
    columns->addWidget(security, 0, 0);
    columns->addWidget(instances, 1, 0);
    columns->addWidget(appearance, 2, 0);
    columns->addWidget(remindersBox, 0, 1, 2, 1);
    columns->addWidget(buildWatchGroup(), 2, 1, 2, 1);
    columns->setRowStretch(3, 1);
    columns->setColumnStretch(0, 1);
    columns->setColumnStretch(1, 1);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(columns);
    layout->addWidget(where);
    layout->addWidget(m_buttons);

    setValues(AppSettings::load(settings));
    // A dialog takes its height from its size hint, which ignores that wrapped notes need
    // more lines at the width it gets: ask the layout for the height at that width.
    layout->activate();
    const int width = sizeHint().width();
    resize(width, layout->totalHeightForWidth(width));
}

SettingsDialog::~SettingsDialog() = default;

AppSettings SettingsDialog::values() const {
    AppSettings values;
    values.clipboardClearSeconds = m_clipboard->value();
    values.refreshSeconds = m_refresh->value();
    values.defaultKeyExpiryDays = m_expiry->value();
    values.reminders.expiringKeys = m_remindExpiring->isChecked();
    values.reminders.unusedKeys = m_remindUnused->isChecked();
    values.reminders.longRunningInstances = m_remindRunning->isChecked();
    values.reminders.instanceHours = m_runningHours->value();
    values.watch.failedAuthBurst = m_watchBurst->isChecked();
    values.watch.burstCount = m_watchBurstCount->value();
    values.watch.burstMinutes = m_watchBurstMinutes->value();
    values.watch.newAddress = m_watchNewAddress->isChecked();
    values.watch.deadKeyUse = m_watchDeadKey->isChecked();
    values.watch.keysWriteCreated = m_watchKeysWrite->isChecked();
    return values;
}

void SettingsDialog::setValues(const AppSettings& values) {
    m_clipboard->setValue(values.clipboardClearSeconds);
    m_refresh->setValue(values.refreshSeconds);
    m_expiry->setValue(values.defaultKeyExpiryDays);
    m_remindExpiring->setChecked(values.reminders.expiringKeys);
    m_remindUnused->setChecked(values.reminders.unusedKeys);
    m_remindRunning->setChecked(values.reminders.longRunningInstances);
    m_runningHours->setValue(values.reminders.instanceHours);
    m_runningHours->setEnabled(values.reminders.longRunningInstances);
    m_watchBurst->setChecked(values.watch.failedAuthBurst);
    m_watchBurstCount->setValue(values.watch.burstCount);
    m_watchBurstMinutes->setValue(values.watch.burstMinutes);
    m_watchBurstCount->setEnabled(values.watch.failedAuthBurst);
    m_watchBurstMinutes->setEnabled(values.watch.failedAuthBurst);
    m_watchNewAddress->setChecked(values.watch.newAddress);
    m_watchDeadKey->setChecked(values.watch.deadKeyUse);
    m_watchKeysWrite->setChecked(values.watch.keysWriteCreated);
}

QGroupBox* SettingsDialog::buildWatchGroup() {
    auto* box = new QGroupBox(tr("Watch"), this);
    box->setObjectName(QStringLiteral("watchGroup"));
    m_watchBurst = new QCheckBox(tr("&Failed authentications: at least"), box);
    m_watchBurst->setObjectName(QStringLiteral("watchFailedAuthBurst"));
    m_watchBurstCount = spinBox(QStringLiteral("watchBurstCount"), WatchSettings::kMinBurstCount,
                                WatchSettings::kMaxBurstCount, box);
    m_watchBurstCount->setAccessibleName(tr("Failed authentications in a burst"));
    m_watchBurstMinutes =
        spinBox(QStringLiteral("watchBurstMinutes"), 1, WatchSettings::kMaxBurstMinutes, box);
    m_watchBurstMinutes->setPrefix(tr("within "));
    m_watchBurstMinutes->setSuffix(tr(" min"));
    m_watchBurstMinutes->setAccessibleName(tr("Burst window, in minutes"));
    m_watchBurst->setToolTip(tr("A notification when this many requests fail authentication "
                                "within this many minutes; once per burst."));
    m_watchBurstCount->setToolTip(m_watchBurst->toolTip());
    m_watchBurstMinutes->setToolTip(m_watchBurst->toolTip());
    connect(m_watchBurst, &QCheckBox::toggled, m_watchBurstCount, &QWidget::setEnabled);
    connect(m_watchBurst, &QCheckBox::toggled, m_watchBurstMinutes, &QWidget::setEnabled);
    m_watchNewAddress = new QCheckBox(tr("A key used from a &new address"), box);
    m_watchNewAddress->setObjectName(QStringLiteral("watchNewAddress"));
    m_watchNewAddress->setToolTip(tr("New to the key in the events seen since Legba Admin "
                                     "started watching: a key's first events teach its "
                                     "addresses."));
    m_watchDeadKey = new QCheckBox(tr("A request with a re&voked or expired key"), box);
    m_watchDeadKey->setObjectName(QStringLiteral("watchDeadKeyUse"));
    m_watchKeysWrite = new QCheckBox(tr("A key created with keys:&write"), box);
    m_watchKeysWrite->setObjectName(QStringLiteral("watchKeysWriteCreated"));
    m_watchKeysWrite->setToolTip(tr("Such a key can create more keys."));

    auto* layout = new QVBoxLayout(box);
    auto* burst = new QHBoxLayout;
    burst->addWidget(m_watchBurst);
    burst->addWidget(m_watchBurstCount);
    burst->addWidget(m_watchBurstMinutes);
    burst->addStretch(1);
    layout->addLayout(burst);
    layout->addWidget(m_watchNewAddress);
    layout->addWidget(m_watchDeadKey);
    layout->addWidget(m_watchKeysWrite);
    layout->addWidget(note(tr("Over the audit log's new events while its pane is open and "
                              "live. Clicking a notification opens the log on the events."),
                           box));
    return box;
}

void SettingsDialog::accept() {
    // A value typed but not yet committed (no Enter, no focus change) counts too.
    for (QSpinBox* box :
         {m_clipboard, m_refresh, m_expiry, m_runningHours, m_watchBurstCount, m_watchBurstMinutes})
        box->interpretText();
    values().save();
    QDialog::accept();
}

} // namespace legba
