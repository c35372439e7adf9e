#pragma once

#include <QString>

namespace legba {

// An identifier short enough for a table cell and still telling rows apart: a UUID by its
// first 8 hex digits (as git shows commits); an opaque id the hosted API chose (its docs
// show 1234-5678-90ab-cdef) whole when it is short, else its first 20 characters and "…".
// The whole id always goes in the tooltip and the copy action.
QString shortId(const QString& id);

} // namespace legba
