#pragma once

#include <QStringList>

namespace legba::bench {
// bench_audit stall compact|qt URL ORG N: see StallProbe.cpp.
int benchStall(const char* which, const QStringList& args);
} // namespace legba::bench
