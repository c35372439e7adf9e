#pragma once

namespace legba::bench {
// Counting is off (and costs one relaxed load per call) outside startCounting() and
// stopCounting(), so that throughput measures are not slowed. Within, heapInUse() is the
// heap allocated since the start and not yet freed, heapPeak() its highest value.
void startCounting();
void stopCounting();
long long heapInUse();
long long heapPeak();
} // namespace legba::bench
