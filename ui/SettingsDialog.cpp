#include "SettingsDialog.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QDir>
#include <QFormLayout>
#include <QGroupBox>
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
    return values;
}

AppSettings AppSettings::load() {
    return load(QSettings());
}

void AppSettings::save(QSettings& settings) const {
    settings.setValue(kClipboardKey, clipboardClearSeconds);
    settings.setValue(kRefreshKey, refreshSeconds);
    settings.setValue(kExpiryKey, defaultKeyExpiryDays);
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

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(security);
    layout->addWidget(instances);
    layout->addWidget(appearance);
    layout->addWidget(where);
    layout->addStretch(1);
    layout->addWidget(m_buttons);
    setMinimumWidth(440);

    setValues(AppSettings::load(settings));
}

SettingsDialog::~SettingsDialog() = default;

AppSettings SettingsDialog::values() const {
    AppSettings values;
    values.clipboardClearSeconds = m_clipboard->value();
    values.refreshSeconds = m_refresh->value();
    values.defaultKeyExpiryDays = m_expiry->value();
    return values;
}

void SettingsDialog::setValues(const AppSettings& values) {
    m_clipboard->setValue(values.clipboardClearSeconds);
    m_refresh->setValue(values.refreshSeconds);
    m_expiry->setValue(values.defaultKeyExpiryDays);
}

void SettingsDialog::accept() {
    // A value typed but not yet committed (no Enter, no focus change) counts too.
    for (QSpinBox* box : {m_clipboard, m_refresh, m_expiry})
        box->interpretText();
    values().save();
    QDialog::accept();
}

} // namespace legba
