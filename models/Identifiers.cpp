#include "Identifiers.h"

#include <QUuid>

namespace legba {

QString shortId(const QString& id) {
    constexpr qsizetype kWhole = 24;
    constexpr qsizetype kShown = 20;
    if (id.size() == 36 && !QUuid::fromString(id).isNull())
        return id.left(8);
    if (id.size() <= kWhole)
        return id;
    return id.left(kShown) + QStringLiteral("…");
}

} // namespace legba
