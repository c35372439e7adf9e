#include "AuditPageLoader.h"

#include "AuditPageSax.h"
#include "Json.h"

#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

namespace legba {

namespace {

// What the worker hands back: the batch, or why there is none.
struct Parsed {
    AuditPageLoader::Page batch;
    QString problem;
    QString field;
};

// Past the last record's unique strings: AuditTextMatcher reads 16 bytes at a time.
constexpr std::size_t kMatcherPadding = 16;

} // namespace

AuditPageLoader::AuditPageLoader(LegbaClient* client, QObject* parent)
    : QObject(parent)
    , m_client(client) {}

AuditPageLoader::~AuditPageLoader() {
    m_call.cancel();
}

void AuditPageLoader::load(const AuditQuery& query) {
    m_call.cancel();
    const quint64 generation = ++m_generation;
    m_loading = true;
    m_call =
        m_client->auditLogRaw(query, this, [this, query, generation](Result<QByteArray> result) {
            if (generation != m_generation)
                return;
            if (!result) {
                if (result.error().kind == ApiError::Kind::Cancelled)
                    return;
                m_loading = false;
                Q_EMIT failed(query, result.error());
                return;
            }
            parse(std::move(result).value(), query, generation);
        });
}

void AuditPageLoader::cancel() {
    m_call.cancel();
    ++m_generation;
    m_loading = false;
}

void AuditPageLoader::parse(QByteArray body, const AuditQuery& query, quint64 generation) {
    auto* watcher = new QFutureWatcher<Parsed>(this);
    connect(watcher, &QFutureWatcher<Parsed>::finished, this, [this, watcher, query, generation] {
        watcher->deleteLater();
        if (generation != m_generation)
            return;
        m_loading = false;
        Parsed parsed = watcher->result();
        if (parsed.batch) {
            Q_EMIT pageLoaded(query, std::move(parsed.batch));
            return;
        }
        ApiError error;
        error.kind = ApiError::Kind::Parse;
        error.route = requests::auditLog(query).route();
        error.field = parsed.field;
        error.message = parsed.field.isEmpty()
                            ? parsed.problem
                            : QStringLiteral("field '%1' %2").arg(parsed.field, parsed.problem);
        Q_EMIT failed(query, error);
    });
    watcher->setFuture(QtConcurrent::run([body = std::move(body)]() {
        Parsed parsed;
        try {
            auto batch = std::make_shared<audit::AuditBatch>(audit::parseAuditPage(body));
            batch->unique.append(kMatcherPadding, '\0');
            parsed.batch = std::move(batch);
        } catch (const json::ParseError& error) {
            parsed.problem = error.problem();
            parsed.field = error.field();
        }
        return parsed;
    }));
}

} // namespace legba
