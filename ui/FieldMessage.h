#pragma once

#include <QString>

class QLabel;
class QWidget;

namespace legba {

// The line under a dialog's field that says what is wrong with it, in red, or what the user
// may accept, in amber. One look in every dialog. Plain text only: the words often come
// from the server, and a label left to guess would render markup in them.
enum class FieldTone { Problem, Caution };

// A hidden, word-wrapped message line, owned by `parent`.
QLabel* fieldMessage(QWidget* parent, const QString& objectName = {});
// Shows `text` in the tone's colour; an empty text hides the line. A QLabel gives its text to
// screen readers as its name, so the message is read without further work.
void showFieldMessage(QLabel* label, const QString& text, FieldTone tone = FieldTone::Problem);

} // namespace legba
