#pragma once

#include <QByteArray>
#include <QMetaType>

namespace legba {

// An API key in memory. It cannot be streamed to QDebug or converted implicitly, and it
// wipes its bytes when the last holder lets go, so that the key stays in memory only
// while it is needed and never reaches a log by accident.
class Secret {
public:
    Secret() = default;
    explicit Secret(QByteArray bytes)
        : m_bytes(std::move(bytes)) {}
    Secret(const Secret&) = default;
    Secret(Secret&&) noexcept = default;
    Secret& operator=(const Secret& other);
    Secret& operator=(Secret&& other) noexcept;
    ~Secret();

    bool isEmpty() const { return m_bytes.isEmpty(); }
    // Named so that every place a key leaves this wrapper is easy to find.
    const QByteArray& reveal() const { return m_bytes; }
    void clear();

    friend bool operator==(const Secret& a, const Secret& b) { return a.m_bytes == b.m_bytes; }

private:
    QByteArray m_bytes;
};

} // namespace legba

Q_DECLARE_METATYPE(legba::Secret)
