#include "InstanceActions.h"

#include "Session.h"

#include <QRegularExpression>
#include <memory>

namespace legba {

InstanceActions::InstanceActions(Session* session, QObject* parent)
    : QObject(parent)
    , m_session(session) {}

bool InstanceActions::canList() const {
    return m_session->profile().has_value() && !m_listCall.isRunning();
}

bool InstanceActions::list(const ListCallback& done) {
    if (!canList())
        return false; // never two list requests in flight
    m_listCall = m_session->client()->listInstances(this, done);
    return true;
}

void InstanceActions::cancelList() {
    m_listCall.cancel();
}

std::optional<int> InstanceActions::quotaOfMessage(const QString& message) {
    static const QRegularExpression number(QStringLiteral("\\b(\\d+)\\b"));
    if (const auto match = number.match(message); match.hasMatch())
        return match.captured(1).toInt();
    return std::nullopt;
}

void InstanceActions::create(const NewInstanceRequest& request, const CreateCallback& done) {
    m_session->client()->createInstance(request, this, [done](Result<Instance> result) {
        Created created;
        if (result) {
            created.instance = std::move(result).value();
        } else {
            created.error = result.error();
            if (result.error().isHttp(ErrorCode::Conflict)) {
                created.quotaReached = true;
                created.quota = quotaOfMessage(result.error().message);
            }
        }
        done(std::move(created));
    });
}

void InstanceActions::destroy(const QStringList& instanceUuids, const DestroyCallback& done) {
    if (instanceUuids.isEmpty())
        return; // nothing to answer for
    auto destroyed = std::make_shared<Destroyed>();
    auto pending = std::make_shared<qsizetype>(instanceUuids.size());
    for (const QString& uuid : instanceUuids) {
        m_session->client()->destroyInstance(
            uuid, this, [uuid, destroyed, pending, done](const Result<Done>& result) {
                if (result)
                    destroyed->destroyed << uuid;
                else if (result.error().isNotFound())
                    destroyed->alreadyGone << uuid; // already gone: what was asked
                else
                    destroyed->failures.push_back({uuid, result.error()});
                if (--*pending > 0)
                    return;
                done(std::move(*destroyed));
            });
    }
}

QString InstanceActions::curlCommand(const QString& instanceUuid) const {
    LegbaClient* client = m_session->client();
    if (instanceUuid.isEmpty())
        return legba::curlCommand(client->describe(requests::listInstances()));
    return legba::curlCommand(client->describe(requests::getInstance(instanceUuid)));
}

} // namespace legba
