// One libFuzzer executable per entry point: LEGBA_FUZZ_TARGET names which.
#include "FuzzTargets.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace {
const legba::fuzz::Target* target() {
    static const legba::fuzz::Target* const found = [] {
        const auto* t = legba::fuzz::findTarget(LEGBA_FUZZ_TARGET);
        if (!t) {
            std::fprintf(stderr, "no fuzz target named %s\n", LEGBA_FUZZ_TARGET);
            std::abort();
        }
        return t;
    }();
    return found;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const QByteArrayView input(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    if (const auto violation = target()->run(input)) {
        std::fprintf(stderr, "%s: invariant broken: %s\n", LEGBA_FUZZ_TARGET, violation->c_str());
        std::abort();
    }
    return 0;
}
