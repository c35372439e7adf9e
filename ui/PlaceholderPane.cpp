#include "PlaceholderPane.h"

#include <QLabel>
#include <QVBoxLayout>

namespace legba {

PlaceholderPane::PlaceholderPane(QString title, const QString& message, QWidget* parent)
    : Pane(parent)
    , m_title(std::move(title)) {
    auto* label = new QLabel(message, this);
    label->setAlignment(Qt::AlignCenter);
    label->setWordWrap(true);
    label->setEnabled(false);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(label);
    setAccessibleName(m_title);
}

} // namespace legba
