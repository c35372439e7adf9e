#include "Hardening.h"

#if defined(Q_OS_UNIX) || defined(__unix__)
#include <sys/resource.h>
#endif
#if defined(__linux__)
#include <sys/prctl.h>
#endif

namespace legba {

void hardenProcess() {
#if defined(NDEBUG) && !defined(LEGBA_SANITIZE)
#if defined(__unix__) || defined(__APPLE__)
    rlimit none{0, 0};
    setrlimit(RLIMIT_CORE, &none);
#endif
#if defined(__linux__)
    // Also keeps other processes of the same user from attaching to read memory.
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
#endif
}

} // namespace legba
