#pragma once

#include <QtGlobal>

// What demo data looks like: the keys `legba-server seed-demo` creates and the mix of audit
// events it writes, which the audit benchmarks (bench/audit/BenchData.h) generate too, so
// that the benchmarks measure pages shaped like the ones a person sees in the sandbox.
namespace legba::server::demo {

struct EventShape {
    const char* action;
    const char* method;
    const char* route;
    int status;
    int weight; // out of kTotalWeight
};

inline constexpr EventShape kEventShapes[] = {
    {"api.request", "GET", "/instances", 200, 50},
    {"api.request", "GET", "/key", 200, 10},
    {"api.request", "GET", "/instances/{instance_uuid}", 200, 10},
    {"api.request", "GET", "/keys", 200, 5},
    {"instance.created", "POST", "/instances", 201, 8},
    {"instance.destroyed", "DELETE", "/instances/{instance_uuid}", 204, 6},
    {"instance.created", "POST", "/instances", 409, 1},
    {"api.request", "GET", "/audit-log", 200, 2},
    {"api.request", "GET", "/instances", 403, 1},
    {"auth.failed", "GET", "/instances", 401, 4},
    {"api_key.created", "POST", "/keys", 201, 1},
    {"api_key.rotated", "POST", "/keys/{key_id}/rotate", 200, 1},
    {"api_key.revoked", "DELETE", "/keys/{key_id}", 204, 1},
};

inline constexpr int kTotalWeight = [] {
    int total = 0;
    for (const EventShape& shape : kEventShapes)
        total += shape.weight;
    return total;
}();

// The shape for a roll from 0 to kTotalWeight - 1, each as often as its weight says.
inline const EventShape& eventShape(quint32 roll) {
    int pick = static_cast<int>(roll % kTotalWeight);
    const EventShape* shape = kEventShapes;
    while (pick >= shape->weight) {
        pick -= shape->weight;
        ++shape;
    }
    return *shape;
}

inline constexpr const char* kUserAgents[] = {"legba-python/1.4.2", "curl/7.88.1",
                                              "LegbaAdmin/0.1.0", "Go-http-client/1.1"};

struct Key {
    const char* name;
    const char* scopes; // separated by spaces
    qint64 ageDays;
    qint64 expiresInDays; // 0: never; negative: already expired
    bool revoked;
};

inline constexpr Key kKeys[] = {
    {"CI pipeline", "instances:read instances:write", 90, 0, false},
    {"Grafana exporter", "instances:read", 60, 365, false},
    {"Security review", "audit:read keys:read", 20, 30, false},
    {"Key rotation bot", "keys:read keys:write", 45, 0, false},
    {"Old laptop", "instances:read instances:write", 200, 0, true},
    {"Contractor (2024)", "instances:read", 400, -30, false},
};

// The prefix of the unknown key in the demo's failed authentications.
inline constexpr const char* kFailedKeyPrefix = "legba_x7Qp2A";

} // namespace legba::server::demo
