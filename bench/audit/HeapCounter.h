#pragma once

namespace legba::bench {
// Bytes of heap in use now, and the highest it has been since resetHeapPeak().
long long heapInUse();
void resetHeapPeak();
long long heapPeak();
} // namespace legba::bench
