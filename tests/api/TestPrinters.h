#pragma once

// How QCOMPARE prints the api's enums and JSON values when a comparison fails.
#include "ApiError.h"
#include "Types.h"

#include <QTest>
#include <nlohmann/json.hpp>

namespace QTest {

template <> inline char* toString(const legba::KeyStatus& status) {
    return qstrdup(legba::wireName(status).toUtf8().constData());
}
template <> inline char* toString(const legba::InstanceStatus& status) {
    return qstrdup(legba::wireName(status).toUtf8().constData());
}
template <> inline char* toString(const legba::InstanceSize& size) {
    return qstrdup(legba::wireName(size).toUtf8().constData());
}

} // namespace QTest

// ApiError::Kind has a legba::toString() of its own returning QString, which QCOMPARE would
// find by ADL: compare the names instead.
#define LEGBA_COMPARE_KIND(actual, expected)                                                       \
    QCOMPARE(legba::toString(actual), legba::toString(expected))

// nlohmann::json converts to almost anything, which confuses QCOMPARE's overloads.
#define LEGBA_COMPARE_JSON(actual, expected)                                                       \
    do {                                                                                           \
        const nlohmann::json legbaActual = (actual);                                               \
        const nlohmann::json legbaExpected = (expected);                                           \
        QVERIFY2(legbaActual == legbaExpected,                                                     \
                 (legbaActual.dump() + " != " + legbaExpected.dump()).c_str());                    \
    } while (false)
