#pragma once

#include "Pane.h"

namespace legba {

// A pane not built yet: says so, plainly, instead of an empty view.
class PlaceholderPane : public Pane {
    Q_OBJECT

public:
    PlaceholderPane(QString title, const QString& message, QWidget* parent = nullptr);
    QString title() const override { return m_title; }

private:
    QString m_title;
};

} // namespace legba
