#pragma once

namespace legba {

// Release builds: no core dumps, so that a crash cannot write a key in memory to disk.
void hardenProcess();

} // namespace legba
