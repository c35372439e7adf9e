#include "Types.h"

namespace legba {

namespace {
template <typename Enum, std::size_t N>
std::optional<Enum> lookup(QStringView name, const Enum (&values)[N]) {
    for (Enum value : values) {
        if (wireName(value) == name)
            return value;
    }
    return std::nullopt;
}
} // namespace

QString wireName(KeyStatus status) {
    switch (status) {
    case KeyStatus::Active:
        return QStringLiteral("active");
    case KeyStatus::Expired:
        return QStringLiteral("expired");
    case KeyStatus::Revoked:
        return QStringLiteral("revoked");
    }
    return {};
}

std::optional<KeyStatus> keyStatusFromWireName(QStringView name) {
    static constexpr KeyStatus all[] = {KeyStatus::Active, KeyStatus::Expired, KeyStatus::Revoked};
    return lookup(name, all);
}

QString wireName(InstanceStatus status) {
    switch (status) {
    case InstanceStatus::Provisioning:
        return QStringLiteral("provisioning");
    case InstanceStatus::Running:
        return QStringLiteral("running");
    case InstanceStatus::Terminating:
        return QStringLiteral("terminating");
    case InstanceStatus::Terminated:
        return QStringLiteral("terminated");
    }
    return {};
}

std::optional<InstanceStatus> instanceStatusFromWireName(QStringView name) {
    static constexpr InstanceStatus all[] = {InstanceStatus::Provisioning, InstanceStatus::Running,
                                             InstanceStatus::Terminating,
                                             InstanceStatus::Terminated};
    return lookup(name, all);
}

QString wireName(InstanceSize size) {
    switch (size) {
    case InstanceSize::Small:
        return QStringLiteral("small");
    case InstanceSize::Medium:
        return QStringLiteral("medium");
    case InstanceSize::Large:
        return QStringLiteral("large");
    }
    return {};
}

std::optional<InstanceSize> instanceSizeFromWireName(QStringView name) {
    static constexpr InstanceSize all[] = {InstanceSize::Small, InstanceSize::Medium,
                                           InstanceSize::Large};
    return lookup(name, all);
}

QString wireName(AuditOutcome outcome) {
    return outcome == AuditOutcome::Success ? QStringLiteral("success") : QStringLiteral("failure");
}

std::optional<AuditOutcome> auditOutcomeFromWireName(QStringView name) {
    static constexpr AuditOutcome all[] = {AuditOutcome::Success, AuditOutcome::Failure};
    return lookup(name, all);
}

} // namespace legba
