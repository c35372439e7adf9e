// Counts the heap in use (by usable size) for the whole process, so that a benchmark can
// read the peak of temporary memory around one operation. Interposes glibc's allocator.
#include "HeapCounter.h"

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <malloc.h>

extern "C" {
void* __libc_malloc(std::size_t size);
void __libc_free(void* pointer);
void* __libc_realloc(void* pointer, std::size_t size);
void* __libc_calloc(std::size_t count, std::size_t size);
void* __libc_memalign(std::size_t alignment, std::size_t size);
}

namespace {
std::atomic<long long> g_live{0};
std::atomic<long long> g_peak{0};
std::atomic<bool> g_counting{false};

void added(void* pointer) {
    if (!pointer || !g_counting.load(std::memory_order_relaxed))
        return;
    const long long now = g_live.fetch_add(static_cast<long long>(malloc_usable_size(pointer))) +
                          static_cast<long long>(malloc_usable_size(pointer));
    long long peak = g_peak.load(std::memory_order_relaxed);
    while (now > peak && !g_peak.compare_exchange_weak(peak, now))
        ;
}
void removed(void* pointer) {
    if (pointer && g_counting.load(std::memory_order_relaxed))
        g_live.fetch_sub(static_cast<long long>(malloc_usable_size(pointer)));
}
} // namespace

extern "C" {
void* malloc(std::size_t size) {
    void* p = __libc_malloc(size);
    added(p);
    return p;
}
void free(void* pointer) {
    removed(pointer);
    __libc_free(pointer);
}
void* calloc(std::size_t count, std::size_t size) {
    void* p = __libc_calloc(count, size);
    added(p);
    return p;
}
void* realloc(void* pointer, std::size_t size) {
    removed(pointer);
    void* p = __libc_realloc(pointer, size);
    if (p)
        added(p);
    else if (pointer && size)
        added(pointer); // failed: the old block stays
    return p;
}
void* memalign(std::size_t alignment, std::size_t size) {
    void* p = __libc_memalign(alignment, size);
    added(p);
    return p;
}
void* aligned_alloc(std::size_t alignment, std::size_t size) {
    return memalign(alignment, size);
}
int posix_memalign(void** out, std::size_t alignment, std::size_t size) {
    void* p = memalign(alignment, size);
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}
}

namespace legba::bench {
long long heapInUse() {
    return g_live.load();
}
void startCounting() {
    g_live.store(0);
    g_peak.store(0);
    g_counting.store(true);
}
void stopCounting() {
    g_counting.store(false);
}
long long heapPeak() {
    return g_peak.load();
}
} // namespace legba::bench
