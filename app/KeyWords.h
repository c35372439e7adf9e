#pragma once

#include "KeyFormat.h"

#include <QString>

namespace legba {

// What to tell a person about a token as entered (the connect dialog, LEGBA_API_TOKEN).
// Why it cannot be a key at all, naming the character and where it is; empty when usable.
QString describeTokenProblem(const keyformat::TokenCheck& check);
// What looks off but may be right (a token without legba_, a checksum that does not match);
// empty when nothing does. The user may go ahead: the server has the last word.
QString describeTokenDoubt(const keyformat::TokenCheck& check);

} // namespace legba
