#pragma once

#include "ApiError.h"
#include "LegbaClient.h"
#include "Types.h"

#include <QObject>
#include <QStringList>
#include <functional>
#include <optional>
#include <vector>

namespace legba {

class Session;

// What the Instances pane asks of the server, and what the answers mean: listing (never two
// list requests in flight), creating (a 409 CONFLICT is the organization's instance quota,
// whose number the server's message names), destroying several at once (one request per
// instance; a 404 is what was asked for; one result for them all), and the requests
// described for "copy as curl". Widget-free: the pane asks and renders.
class InstanceActions : public QObject {
    Q_OBJECT

public:
    struct Created {
        // The new instance, when it was created.
        std::optional<Instance> instance;
        // The organization's instance quota is reached (409 CONFLICT); `quota` is its number
        // when the server's message names one.
        bool quotaReached = false;
        std::optional<int> quota;
        // Why it was not created (also set when the quota is reached).
        std::optional<ApiError> error;
    };
    struct Failure {
        QString instanceUuid;
        ApiError error;
    };
    struct Destroyed {
        // Destroyed now, or already gone (404): either way what was asked.
        QStringList destroyed;
        QStringList alreadyGone;
        std::vector<Failure> failures;
    };
    using ListCallback = std::function<void(Result<InstanceList>)>;
    using CreateCallback = std::function<void(Created)>;
    using DestroyCallback = std::function<void(Destroyed)>;

    explicit InstanceActions(Session* session, QObject* parent = nullptr);

    // A list request may start now: a profile is chosen and none is in flight.
    bool canList() const;
    bool isListing() const { return m_listCall.isRunning(); }
    // Starts listing; false (and `done` is never called) when canList() is false.
    bool list(const ListCallback& done);
    void cancelList();

    void create(const NewInstanceRequest& request, const CreateCallback& done);
    // One DELETE per instance; `done` once, when every one has answered (never for none).
    void destroy(const QStringList& instanceUuids, const DestroyCallback& done);

    // "Copy as curl": GET the instance, or the list when `instanceUuid` is empty.
    QString curlCommand(const QString& instanceUuid = {}) const;

    // The quota a 409 CONFLICT's message names ("... quota of 10 instances ..."), if any.
    static std::optional<int> quotaOfMessage(const QString& message);

private:
    Session* m_session; // not owned
    RequestHandle m_listCall;
};

} // namespace legba
