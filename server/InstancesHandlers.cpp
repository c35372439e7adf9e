#include "ApiFailure.h"
#include "ApiShape.h"
#include "Handlers.h"
#include "Json.h"

// The routes of browser instances, and the page an instance's access URL opens.
namespace legba::server::handlers {

using Json = nlohmann::json;
namespace wire = legba::json;

namespace {

const QStringList kImages = {QStringLiteral("ubuntu-20.04"), QStringLiteral("windows-10"),
                             QStringLiteral("ubuntu-22.04")};

InstanceRow requireInstance(Call& call, ApiContext& ctx) {
    const QByteArray& uuid = call.params.front();
    if (!isInstanceId(uuid))
        throw ApiFailure::notFound(QStringLiteral("Instance not found"));
    auto row = ctx.store.instance(call.key->orgUuid, QString::fromLatin1(uuid));
    if (!row || row->statusAt(call.now) == InstanceStatus::Terminated)
        throw ApiFailure::notFound(QStringLiteral("Instance not found"));
    return *row;
}

} // namespace

HttpResponse listInstances(Call& call, ApiContext& ctx) {
    InstanceList list;
    const QString base = ctx.accessUrlBase(call);
    for (const InstanceRow& row : ctx.cache.liveInstances(call.key->orgUuid, call.now)) {
        if (row.statusAt(call.now) != InstanceStatus::Terminated)
            list.instances.push_back(row.toInstance(call.now, base));
    }
    list.total = static_cast<qint64>(list.instances.size());
    return jsonResponse(200, wire::serialize(list));
}

HttpResponse createInstance(Call& call, ApiContext& ctx) {
    const Json body = bodyObject(call.request.body, false);
    const QString image = requireStringField(body, "image");
    if (!kImages.contains(image))
        throw ApiFailure::validation(
            QStringLiteral("image"),
            QStringLiteral("must be one of %1").arg(kImages.join(QStringLiteral(", "))));
    const QString size = requireStringField(body, "size");
    if (!instanceSizeFromWireName(size))
        throw ApiFailure::validation(QStringLiteral("size"),
                                     QStringLiteral("must be one of small, medium, large"));
    call.details["image"] = wire::str(image);
    call.details["size"] = wire::str(size);
    const int notDeleted = ctx.cache.notDeletedInstances(call.key->orgUuid, call.now);
    if (notDeleted >= ctx.options.instanceQuota)
        throw ApiFailure(ErrorCode::Conflict,
                         QStringLiteral("The organization's quota of %1 live instances is reached")
                             .arg(ctx.options.instanceQuota));
    InstanceRow row;
    row.instanceUuid = ctx.shape.newInstanceId();
    row.orgUuid = call.key->orgUuid;
    row.image = image;
    row.size = size;
    row.createdAt = call.now;
    row.readyAt = call.now + ctx.options.provisioningDelay.count();
    call.target = AuditTarget{QStringLiteral("instance"), row.instanceUuid};
    ctx.commitChange(call, 201, [&] { ctx.store.insertInstance(row); });
    ctx.cache.instanceCreated(row.orgUuid, notDeleted + 1);
    return jsonResponse(201, wire::serialize(row.toInstance(call.now, ctx.accessUrlBase(call))));
}

HttpResponse getInstance(Call& call, ApiContext& ctx) {
    const InstanceRow row = requireInstance(call, ctx);
    return jsonResponse(200, wire::serialize(row.toInstance(call.now, ctx.accessUrlBase(call))));
}

HttpResponse deleteInstance(Call& call, ApiContext& ctx) {
    InstanceRow row = requireInstance(call, ctx);
    const bool alreadyTerminating = row.deletedAt != 0;
    call.details["already_terminating"] = alreadyTerminating;
    if (!alreadyTerminating) {
        row.deletedAt = call.now;
        row.terminatedAt = call.now + ctx.options.terminationDelay.count();
    }
    const int status = ctx.shape.deleteAnswersInstance ? 200 : 204;
    ctx.commitChange(call, status, [&] {
        if (!alreadyTerminating)
            ctx.store.markDeleted(row.instanceUuid, row.deletedAt, row.terminatedAt);
    });
    ctx.cache.instancesChanged(row.orgUuid);
    if (!ctx.shape.deleteAnswersInstance)
        return noContent();
    return jsonResponse(200, wire::serialize(row.toInstance(call.now, ctx.accessUrlBase(call))));
}

HttpResponse instancePage(Call& call, ApiContext& ctx, const QByteArray& uuid) {
    if (!isInstanceId(uuid))
        throw ApiFailure::notFound(QStringLiteral("Instance not found"));
    const auto row = ctx.store.instanceAnyOrg(QString::fromLatin1(uuid));
    if (!row || row->statusAt(call.now) == InstanceStatus::Terminated)
        throw ApiFailure::notFound(QStringLiteral("Instance not found"));
    const Instance i = row->toInstance(call.now, ctx.accessUrlBase(call));
    HttpResponse response;
    response.addHeader("Content-Type", "text/html; charset=utf-8");
    response.body = QStringLiteral("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                                   "<title>Legba sandbox instance</title></head><body>"
                                   "<h1>Legba sandbox instance</h1><dl>"
                                   "<dt>Instance</dt><dd id=\"instance\">%1</dd>"
                                   "<dt>Image</dt><dd id=\"image\">%2</dd>"
                                   "<dt>Size</dt><dd id=\"size\">%3</dd>"
                                   "<dt>Status</dt><dd id=\"status\">%4</dd></dl>"
                                   "<p>This sandbox stands in for a remote browser session.</p>"
                                   "</body></html>\n")
                        .arg(i.instanceUuid.toHtmlEscaped(), i.image.toHtmlEscaped(),
                             wireName(i.size), wireName(i.status))
                        .toUtf8();
    return response;
}

} // namespace legba::server::handlers
