#pragma once

#include <QByteArrayView>
#include <optional>
#include <span>
#include <string>

// The entry points that both the libFuzzer executables and the fuzz_regressions test run:
// each takes any bytes, must not crash, and checks what must hold of whatever the code
// under test made of them (round trips, two parsers agreeing). A returned string is a
// broken invariant: libFuzzer aborts on it, the regression test fails with it.
namespace legba::fuzz {

using Violation = std::optional<std::string>;

struct Target {
    const char* name; // also the directory of its corpus and regressions
    Violation (*run)(QByteArrayView input);
};

std::span<const Target> targets();
const Target* findTarget(std::string_view name);

} // namespace legba::fuzz
