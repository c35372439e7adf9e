#include "FieldMessage.h"

#include <QColor>
#include <QLabel>
#include <QPalette>

namespace legba {

namespace {
// Readable on light and dark themes: the lightness follows the window's.
QColor toneColor(const QWidget* widget, FieldTone tone) {
    const QWidget* window = widget->parentWidget() ? widget->parentWidget() : widget;
    const bool dark = window->palette().color(QPalette::Window).lightness() < 128;
    return tone == FieldTone::Problem ? QColor::fromHsl(0, 170, dark ? 160 : 100)
                                      : QColor::fromHsl(36, 220, dark ? 150 : 80);
}
} // namespace

QLabel* fieldMessage(QWidget* parent, const QString& objectName) {
    auto* label = new QLabel(parent);
    if (!objectName.isEmpty())
        label->setObjectName(objectName);
    label->setWordWrap(true);
    label->setTextFormat(Qt::PlainText);
    label->hide();
    return label;
}

void showFieldMessage(QLabel* label, const QString& text, FieldTone tone) {
    QPalette pal = label->palette();
    pal.setColor(QPalette::WindowText, toneColor(label, tone));
    label->setPalette(pal);
    label->setText(text);
    label->setVisible(!text.isEmpty());
}

} // namespace legba
