#pragma once

#include <QStringList>
#include <cstdio>

namespace legba::server {

// legba-server's command line: init, serve, keys, audit verify, seed-demo, --version,
// --help. `args` excludes the program name. Needs a QCoreApplication. Returns the exit
// status; `out` and `err` are where it prints.
int runCli(const QStringList& args, std::FILE* out = stdout, std::FILE* err = stderr);

} // namespace legba::server
