#pragma once

#include <QMetaType>

namespace legba {

// What a status means, for the badge delegate to colour from the palette: never colour
// alone, the model gives the word too.
enum class BadgeTone { Neutral, Good, Info, Warning, Bad };

} // namespace legba

Q_DECLARE_METATYPE(legba::BadgeTone)
