#include "Secret.h"

#include <cstring>

namespace legba {

namespace {
void wipe(QByteArray& bytes) {
    // Only the last holder may wipe: a shared buffer is still someone else's key.
    if (!bytes.isEmpty() && bytes.isDetached()) {
        volatile char* p = bytes.data();
        for (qsizetype i = 0; i < bytes.size(); ++i)
            p[i] = 0;
    }
    bytes.clear();
}
} // namespace

Secret& Secret::operator=(const Secret& other) {
    if (this != &other) {
        wipe(m_bytes);
        m_bytes = other.m_bytes;
    }
    return *this;
}

Secret& Secret::operator=(Secret&& other) noexcept {
    if (this != &other) {
        wipe(m_bytes);
        m_bytes = std::move(other.m_bytes);
    }
    return *this;
}

Secret::~Secret() {
    wipe(m_bytes);
}

void Secret::clear() {
    wipe(m_bytes);
}

} // namespace legba
