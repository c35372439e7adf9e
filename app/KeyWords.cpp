#include "KeyWords.h"

#include <QCoreApplication>

namespace legba {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("KeyWords", text);
}

QString codePoint(char32_t c) {
    return QStringLiteral("U+%1").arg(static_cast<uint>(c), 4, 16, QLatin1Char('0')).toUpper();
}

// "a space", "a tab", "a line break", "U+00A0 (a no-break space)"...
QString nameOf(char32_t c) {
    switch (c) {
    case U' ':
        return tr("a space");
    case U'\t':
        return tr("a tab");
    case U'\n':
    case U'\r':
    case 0x2028:
    case 0x2029:
        return tr("a line break");
    case 0xA0:
        return tr("a no-break space");
    default:
        return {};
    }
}

} // namespace

QString describeTokenProblem(const keyformat::TokenCheck& check) {
    using P = keyformat::TokenCheck::Problem;
    const QString where = tr("at position %1").arg(check.position + 1);
    const QString named = nameOf(check.character);
    switch (check.problem) {
    case P::None:
        return {};
    case P::Empty:
        return tr("Enter the API key.");
    case P::Whitespace:
        return tr("The key contains %1 %2; an API key has no spaces or line breaks. Was "
                  "something else copied with it?")
            .arg(named.isEmpty() ? tr("white space (%1)").arg(codePoint(check.character)) : named,
                 where);
    case P::ControlCharacter:
        return tr("The key contains the control character %1 %2; an API key is printable text.")
            .arg(codePoint(check.character), where);
    case P::NotAscii:
        return tr("The key contains '%1' (%2) %3; an API key has only plain ASCII letters, "
                  "digits and punctuation.")
            .arg(QString::fromUcs4(&check.character, 1), codePoint(check.character), where);
    }
    return {};
}

QString describeTokenDoubt(const keyformat::TokenCheck& check) {
    if (!check.usable())
        return {};
    if (check.checksumMismatch)
        return tr("This looks like a Legba key, but its checksum does not match: a character "
                  "was probably mistyped or lost when copying. Connect anyway to let the server "
                  "decide.");
    if (check.lacksTag)
        return tr("Legba API keys start with \"legba_\"; this one does not. Is it the right "
                  "key? Connect anyway to let the server decide.");
    return {};
}

} // namespace legba
