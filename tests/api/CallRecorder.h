#pragma once

#include "ApiError.h"
#include "TestPrinters.h"

#include <QTest>
#include <optional>

namespace legba::test {

// Records the outcome of one client call, and how many times the callback ran (it must be
// at most once). Waiting is bounded: QTRY_* in the tests.
template <typename T> class CallRecorder {
public:
    auto callback() {
        return [this](Result<T> result) {
            ++m_calls;
            m_result.emplace(std::move(result));
        };
    }
    bool done() const { return m_result.has_value(); }
    int calls() const { return m_calls; }
    const Result<T>& result() const { return *m_result; }
    bool ok() const { return m_result && m_result->ok(); }
    const T& value() const { return m_result->value(); }
    const ApiError& error() const { return m_result->error(); }
    // For QVERIFY2: what went wrong when a call that should succeed did not.
    QByteArray describe() const {
        if (!m_result)
            return "no answer yet";
        if (m_result->ok())
            return "succeeded";
        return (toString(error().kind) + QStringLiteral(": ") + error().details()).toUtf8();
    }

private:
    std::optional<Result<T>> m_result;
    int m_calls = 0;
};

} // namespace legba::test
