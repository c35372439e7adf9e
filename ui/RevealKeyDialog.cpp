#include "RevealKeyDialog.h"

#include "ConnectionManager.h"
#include "SecretClipboard.h"
#include "Session.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QStyle>
#include <QVBoxLayout>

namespace legba {

namespace {
QColor warningColor(const QWidget* widget) {
    return QColor::fromHsl(20, 200,
                           widget->palette().color(QPalette::Window).lightness() < 128 ? 160 : 90);
}
} // namespace

namespace {

// The key's field. Selecting text in a QLineEdit (a drag, a double or triple click, Shift
// and the arrows) hands it to the X11 PRIMARY selection, unmarked, for any program to read
// and for a middle click to paste anywhere. Whatever event put the key there, it is taken
// back before the event loop runs again, so no other client can ask for it in between.
class SecretField : public QLineEdit {
public:
    using QLineEdit::QLineEdit;

protected:
    bool event(QEvent* e) override {
        const bool handled = QLineEdit::event(e);
        dropFromPrimarySelection();
        return handled;
    }

private:
    void dropFromPrimarySelection() {
        QClipboard* system = QGuiApplication::clipboard();
        if (!system || !system->supportsSelection() || !system->ownsSelection())
            return;
        const QString selected = system->text(QClipboard::Selection);
        if (!selected.isEmpty() && text().contains(selected))
            system->clear(QClipboard::Selection);
    }
};

} // namespace

RevealKeyDialog::RevealKeyDialog(IssuedKey issued, Origin origin, SecretClipboard* clipboard,
                                 ConnectionManager* connections, QWidget* parent)
    : QDialog(parent)
    , m_record(std::move(issued.record))
    , m_secret(std::move(issued.secret))
    , m_origin(origin)
    , m_clipboard(clipboard)
    , m_connections(connections)
    , m_notice(new QLabel(this))
    , m_key(new SecretField(this))
    , m_copy(new QPushButton(tr("&Copy"), this))
    , m_countdown(new QLabel(this))
    , m_use(new QPushButton(tr("&Use This Key in Legba Admin"), this))
    , m_stored(new QCheckBox(tr("I have &stored this key somewhere safe"), this))
    , m_close(new QPushButton(tr("Close"), this)) {
    issued.secret.clear();
    setObjectName(QStringLiteral("revealKeyDialog"));
    const bool rotated = origin != Origin::Generated;
    setWindowTitle(rotated ? tr("Rotated API Key") : tr("New API Key"));
    setAccessibleName(windowTitle());

    auto* heading = new QLabel(tr("Copy this key now. It will not be shown again."), this);
    QFont headingFont = heading->font();
    headingFont.setBold(true);
    headingFont.setPointSizeF(headingFont.pointSizeF() * 1.15);
    heading->setFont(headingFont);
    heading->setWordWrap(true);
    heading->setAccessibleName(heading->text());

    auto* about = new QLabel(this);
    about->setObjectName(QStringLiteral("keyRecord"));
    about->setWordWrap(true);
    about->setTextFormat(Qt::PlainText);
    QString aboutText =
        tr("Name: %1\nKey id: %2\nScopes: %3")
            .arg(m_record.name, m_record.keyId, m_record.scopes.join(QStringLiteral(", ")));
    aboutText +=
        QLatin1Char('\n') +
        (m_record.expiresAt.isValid()
             ? tr("Expires: %1")
                   .arg(QLocale().toString(m_record.expiresAt.toLocalTime(), QLocale::LongFormat))
             : tr("Expires: never"));
    if (rotated && !issued.rotatedFrom.isEmpty())
        aboutText += QLatin1Char('\n') + tr("Replaces: %1").arg(issued.rotatedFrom);
    about->setText(aboutText);
    about->setAccessibleName(tr("About the key"));
    about->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_notice->setObjectName(QStringLiteral("revealNotice"));
    m_notice->setWordWrap(true);
    m_notice->hide();

    // The key: monospace, read-only, and copied only through the careful clipboard (no
    // context menu, Ctrl+C routed to Copy).
    m_key->setObjectName(QStringLiteral("revealedKey"));
    m_key->setReadOnly(true);
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    mono.setPointSizeF(mono.pointSizeF() * 1.1);
    m_key->setFont(mono);
    m_key->setText(QString::fromLatin1(m_secret.reveal()));
    m_key->setCursorPosition(0);
    m_key->setContextMenuPolicy(Qt::NoContextMenu);
    m_key->setDragEnabled(false);
    m_key->setInputMethodHints(Qt::ImhSensitiveData | Qt::ImhNoPredictiveText |
                               Qt::ImhNoAutoUppercase);
    m_key->setAccessibleName(tr("The new API key"));
    m_key->setAccessibleDescription(tr("Shown once. Use the Copy button to copy it."));
    m_key->setToolTip(tr("The whole key, shown this once. Copy it with the Copy button."));
    m_key->setMinimumWidth(m_key->fontMetrics().horizontalAdvance(m_key->text()) + 24);
    m_key->installEventFilter(this);

    m_copy->setObjectName(QStringLiteral("copyKey"));
    m_copy->setIcon(QIcon::fromTheme(QStringLiteral("edit-copy")));
    m_copy->setAccessibleName(tr("Copy the key"));
    const int seconds =
        clipboard
            ? static_cast<int>(
                  std::chrono::duration_cast<std::chrono::seconds>(clipboard->clearDelay()).count())
            : 0;
    m_copy->setToolTip(
        seconds > 0
            ? tr("Copy the key to the clipboard; it is cleared after %1 s and clipboard managers "
                 "are asked to skip it")
                  .arg(seconds)
            : tr("Copy the key to the clipboard; clipboard managers are asked to skip it"));
    m_copy->setEnabled(clipboard != nullptr);
    m_countdown->setObjectName(QStringLiteral("clipboardCountdown"));
    m_countdown->setAccessibleName(tr("Clipboard status"));

    m_use->setObjectName(QStringLiteral("useKey"));
    m_use->setAccessibleName(tr("Use this key in Legba Admin"));
    const Session* session = connections ? connections->session() : nullptr;
    const bool environment =
        session && session->profile() && session->profile()->kind == Profile::Kind::Environment;
    switch (origin) {
    case Origin::Generated:
    case Origin::Rotated:
        m_use->setToolTip(
            tr("Save this key in the system keychain for '%1' and reconnect with "
               "it; Legba Admin then acts with this key's scopes")
                .arg(session && session->profile() ? session->profile()->displayName : QString()));
        m_use->setVisible(connections != nullptr);
        break;
    case Origin::OwnRotated:
        m_use->hide();
        m_stored->setChecked(true);
        setNotice(tr("Legba Admin saved this key in the system keychain and now uses it. Copy it "
                     "if something else uses this key too."),
                  false);
        break;
    case Origin::OwnRotatedForSession:
        m_use->hide();
        setNotice(environment
                      ? tr("Legba Admin uses this key until it quits and stores it nowhere: this "
                           "run's key came from LEGBA_API_TOKEN. The old key no longer works. "
                           "Copy this one now and put it where LEGBA_API_TOKEN is set.")
                      : tr("Legba Admin uses this key until it quits and stores it nowhere, as "
                           "this organization's key is for this session only. The old key no "
                           "longer works: copy this one now and store it safely."),
                  true);
        break;
    case Origin::OwnRotatedUnsaved:
        m_use->setText(tr("&Save in Keychain Again"));
        m_use->setAccessibleName(tr("Save the key in the keychain again"));
        m_use->setToolTip(tr("Try again to save this key in the system keychain"));
        m_use->setVisible(connections != nullptr && !environment);
        break;
    }
    m_use->setEnabled(session && session->profile() && !environment);
    if (environment)
        m_use->setToolTip(tr("This run's key comes from the environment; Legba Admin stores no "
                             "key in this mode."));

    m_stored->setObjectName(QStringLiteral("keyStored"));
    m_stored->setAccessibleName(tr("I have stored this key"));
    m_stored->setToolTip(tr("Tick once the key is in your password manager or secret store; "
                            "then Close does not ask again"));
    m_close->setObjectName(QStringLiteral("closeReveal"));
    m_close->setAccessibleName(tr("Close"));
    m_close->setToolTip(tr("Close; the key cannot be shown again"));
    m_close->setAutoDefault(false);
    m_copy->setDefault(true);

    auto* keyRow = new QHBoxLayout;
    keyRow->addWidget(m_key, 1);
    keyRow->addWidget(m_copy);
    auto* useRow = new QHBoxLayout;
    useRow->addWidget(m_countdown, 1);
    useRow->addWidget(m_use);
    auto* buttons = new QDialogButtonBox(this);
    buttons->addButton(m_close, QDialogButtonBox::RejectRole);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(heading);
    layout->addWidget(about);
    layout->addWidget(m_notice);
    layout->addSpacing(4);
    layout->addLayout(keyRow);
    layout->addLayout(useRow);
    layout->addSpacing(8);
    layout->addWidget(m_stored);
    layout->addWidget(buttons);

    setTabOrder(m_key, m_copy);
    setTabOrder(m_copy, m_use);
    setTabOrder(m_use, m_stored);
    setTabOrder(m_stored, m_close);

    connect(m_copy, &QPushButton::clicked, this, &RevealKeyDialog::copyKey);
    connect(m_use, &QPushButton::clicked, this, &RevealKeyDialog::useKey);
    connect(m_close, &QPushButton::clicked, this, &RevealKeyDialog::reject);
    if (clipboard) {
        connect(clipboard, &SecretClipboard::countdown, this, &RevealKeyDialog::onCountdown);
        connect(clipboard, &SecretClipboard::cleared, this, &RevealKeyDialog::onCleared);
    }
    m_copy->setFocus();
}

RevealKeyDialog::~RevealKeyDialog() {
    wipe();
}

void RevealKeyDialog::setNotice(const QString& text, bool warning) {
    m_notice->setText(text);
    m_notice->setVisible(!text.isEmpty());
    m_notice->setAccessibleName(text);
    QPalette pal = palette();
    if (warning)
        pal.setColor(QPalette::WindowText, warningColor(this));
    m_notice->setPalette(pal);
    QFont font = m_notice->font();
    font.setBold(warning);
    m_notice->setFont(font);
}

bool RevealKeyDialog::eventFilter(QObject* watched, QEvent* event) {
    if (watched == m_key &&
        (event->type() == QEvent::KeyPress || event->type() == QEvent::ShortcutOverride)) {
        auto* key = static_cast<QKeyEvent*>(event);
        if (key->matches(QKeySequence::Copy) || key->matches(QKeySequence::Cut)) {
            if (event->type() == QEvent::KeyPress)
                copyKey();
            event->accept();
            return true;
        }
    }
    return QDialog::eventFilter(watched, event);
}

void RevealKeyDialog::copyKey() {
    if (!m_clipboard || m_secret.isEmpty())
        return;
    m_clipboard->copy(m_secret);
    if (m_clipboard->secondsLeft() == 0)
        m_countdown->setText(tr("Copied. Clear the clipboard yourself once it is pasted."));
}

void RevealKeyDialog::onCountdown(int secondsLeft) {
    m_countdown->setText(tr("Copied. The clipboard is cleared in %1 s.").arg(secondsLeft));
}

void RevealKeyDialog::onCleared(bool byUs) {
    m_countdown->setText(byUs ? tr("The clipboard was cleared.")
                              : tr("Something else was copied; the key is off the clipboard."));
}

void RevealKeyDialog::useKey() {
    if (!m_connections || m_secret.isEmpty())
        return;
    Session* session = m_connections->session();
    if (!session->profile())
        return;
    const Profile profile = *session->profile();
    m_use->setEnabled(false);
    m_connections->storeKeyForCurrent(
        m_secret, this, [this, profile](bool ok, const QString& message) {
            if (!ok) {
                m_use->setEnabled(true);
                setNotice(tr("The key could not be saved: %1").arg(message), true);
                return;
            }
            m_stored->setChecked(true);
            if (m_origin == Origin::OwnRotatedUnsaved) {
                setNotice(tr("Saved in the system keychain."), false);
                m_use->hide();
                return;
            }
            setNotice(tr("Saved in the system keychain for '%1'. Legba Admin now uses this key.")
                          .arg(profile.displayName),
                      false);
            m_use->hide();
            m_connections->activateTransient(profile, m_secret);
            Q_EMIT keyAdopted(m_record);
        });
}

bool RevealKeyDialog::confirmClose() {
    if (m_stored->isChecked())
        return true;
    QMessageBox box(QMessageBox::Warning, tr("Close Without Storing the Key?"),
                    tr("The key '%1' (%2…) will never be shown again. If it is not stored "
                       "anywhere, you will have to rotate it.")
                        .arg(m_record.name, m_record.prefix),
                    QMessageBox::NoButton, this);
    box.setObjectName(QStringLiteral("confirmCloseReveal"));
    QPushButton* closeAnyway = box.addButton(tr("Close Anyway"), QMessageBox::DestructiveRole);
    QPushButton* back = box.addButton(tr("Go Back"), QMessageBox::RejectRole);
    box.setDefaultButton(back);
    box.setEscapeButton(back);
    box.exec();
    return box.clickedButton() == closeAnyway;
}

void RevealKeyDialog::done(int result) {
    if (m_closing)
        return;
    if (!m_secret.isEmpty() && !confirmClose())
        return;
    m_closing = true;
    wipe();
    QDialog::done(result);
}

void RevealKeyDialog::wipe() {
    if (m_key) {
        // Overwrite before clearing so that the last text the field held is not the key.
        m_key->setText(QString(m_key->text().size(), QLatin1Char('x')));
        m_key->clear();
    }
    m_secret.clear();
}

} // namespace legba
