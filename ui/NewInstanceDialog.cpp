#include "NewInstanceDialog.h"

#include "FieldMessage.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>

namespace legba {

QStringList NewInstanceDialog::knownImages() {
    return {QStringLiteral("ubuntu-22.04"), QStringLiteral("ubuntu-20.04"),
            QStringLiteral("windows-10")};
}

NewInstanceDialog::NewInstanceDialog(QWidget* parent)
    : QDialog(parent)
    , m_image(new QComboBox(this))
    , m_imageError(fieldMessage(this, QStringLiteral("imageError")))
    , m_sizes(new QButtonGroup(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this)) {
    setWindowTitle(tr("New Instance"));
    setObjectName(QStringLiteral("newInstanceDialog"));
    m_image->setEditable(true);
    m_image->addItems(knownImages());
    m_image->setAccessibleName(tr("Image"));
    m_image->setToolTip(
        tr("The browser image to start; pick one or type another the server offers"));

    auto* sizes = new QVBoxLayout;
    const struct {
        InstanceSize size;
        const char* label;
        const char* description;
    } options[] = {
        {InstanceSize::Small, QT_TR_NOOP("Small"),
         QT_TR_NOOP("One browser, light pages: scripted checks, scraping.")},
        {InstanceSize::Medium, QT_TR_NOOP("Medium"),
         QT_TR_NOOP("Several tabs or heavy pages: end-to-end test suites.")},
        {InstanceSize::Large, QT_TR_NOOP("Large"),
         QT_TR_NOOP("Video, WebGL and long sessions with many tabs.")},
    };
    for (const auto& option : options) {
        auto* button = new QRadioButton(tr(option.label), this);
        button->setAccessibleName(tr("Size %1").arg(tr(option.label)));
        button->setToolTip(tr(option.description));
        auto* description = new QLabel(tr(option.description), this);
        description->setIndent(24);
        description->setEnabled(false);
        m_sizes->addButton(button, static_cast<int>(option.size));
        sizes->addWidget(button);
        sizes->addWidget(description);
    }
    m_sizes->button(static_cast<int>(InstanceSize::Small))->setChecked(true);

    auto* form = new QFormLayout;
    form->addRow(tr("&Image:"), m_image);
    form->addRow(QString(), m_imageError);
    form->addRow(tr("Size:"), sizes);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Create"));
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_image, &QComboBox::editTextChanged, this, &NewInstanceDialog::validate);
    validate();
}

NewInstanceRequest NewInstanceDialog::request() const {
    return NewInstanceRequest{m_image->currentText().trimmed(),
                              static_cast<InstanceSize>(m_sizes->checkedId())};
}

void NewInstanceDialog::setImageError(const QString& message) {
    showFieldMessage(m_imageError, message);
}

void NewInstanceDialog::validate() {
    const bool empty = m_image->currentText().trimmed().isEmpty();
    setImageError(empty ? tr("Choose an image.") : QString());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(!empty);
}

TypedConfirmationDialog::TypedConfirmationDialog(const QString& title, const QString& text,
                                                 QString expected, const QString& actionText,
                                                 QWidget* parent)
    : QDialog(parent)
    , m_expected(std::move(expected))
    , m_field(new QLineEdit(this)) {
    setWindowTitle(title);
    auto* label = new QLabel(text, this);
    label->setWordWrap(true);
    auto* prompt =
        new QLabel(tr("Type <b>%1</b> to confirm:").arg(m_expected.toHtmlEscaped()), this);
    m_field->setAccessibleName(tr("Confirmation"));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    QPushButton* confirm = buttons->addButton(actionText, QDialogButtonBox::DestructiveRole);
    confirm->setEnabled(false);
    confirm->setAutoDefault(false);
    buttons->button(QDialogButtonBox::Cancel)->setDefault(true);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(label);
    layout->addWidget(prompt);
    layout->addWidget(m_field);
    layout->addWidget(buttons);
    connect(m_field, &QLineEdit::textChanged, this,
            [this, confirm](const QString& typed) { confirm->setEnabled(typed == m_expected); });
    connect(confirm, &QPushButton::clicked, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    setMinimumWidth(440);
}

} // namespace legba
