#pragma once

#include "AuditRecords.h"
#include "Scope.h"
#include "Types.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

namespace legba {

// Least privilege from recorded activity: for each key, the scopes it holds against the
// scopes its recorded requests needed over a window, and the verdict. Pure computation over
// audit records and key records (no widgets, no I/O): whoever loads the log feeds it here.
//
// Which scope an event's request needed comes from the contract's one table (api/Routes.h):
// by the method and route in its details, else by its action. The rules:
// - An event counts for the key named as its actor; events without one (auth.failed) count
//   for no key.
// - Every event of the key in the window is evidence (the count, the period).
// - An event whose request the table does not know (an unknown route, a wrong method, a
//   newer API's action) is evidence that the key is in use, but shows no scope as used.
// - A request refused before or by the scope check (401, 403, 429) shows no scope as used:
//   a 403 is a key asking for what it does not hold (or for a scope it may not grant),
//   which is no reason to keep anything. Any other answer, failures included (400, 404,
//   409, 5xx), came after the scope check let the request through: its scope was used.
// - Scopes the app does not know (a newer API's) are kept out of the verdict: neither used
//   nor unused; a narrower key keeps them (see narrowedScopes()).
class PrivilegeAdvisor {
    Q_DECLARE_TR_FUNCTIONS(PrivilegeAdvisor)

public:
    enum class Window { Days30, Days90, AllLoaded };
    // 30, 90; 0 for AllLoaded.
    static int days(Window window);
    static QString windowText(Window window);

    enum class Verdict { UsesAllItHolds, HoldsUnused, Unused };

    struct ScopeUse {
        Scope scope = Scope::InstancesRead;
        bool held = false;
        int events = 0; // requests that used it
        QDateTime first, last;
    };

    struct Advice {
        QString keyId;
        Verdict verdict = Verdict::Unused;
        QList<Scope> held;               // known scopes the key holds, in allScopes() order
        QList<Scope> used;               // held scopes its requests used
        QList<Scope> unused;             // held scopes no request used
        QStringList otherScopes;         // held scopes this app does not know
        std::vector<ScopeUse> uses;      // one per held scope, in allScopes() order
        int events = 0;                  // the key's events in the period
        int refused = 0;                 // of which refused (401, 403, 429)
        int unknown = 0;                 // of which requests the contract's table does not know
        int noScope = 0;                 // of which requests any valid key may make (GET /key...)
        QDateTime from, to;              // the period the evidence covers
        QDateTime firstEvent, lastEvent; // the key's first and last event in it

        // "uses all it holds", "holds 2 scopes it has not used", "unused".
        QString verdictText() const;
        // One line on the evidence: "14 events from 2026-11-06T… to 2026-12-06T…"; times
        // as `format` writes them (RFC 3339 in UTC without one).
        QString evidenceText(const std::function<QString(const QDateTime&)>& format = {}) const;
        // The scopes a replacement key needs: the used ones and the ones this app does not
        // know, as wire names; empty when no request used a scope.
        QStringList narrowedScopes() const;
    };

    // Forgets every event and the coverage.
    void clear();
    // One loaded event.
    void add(const audit::RecordView& record);
    void add(const audit::AuditBatch& batch);
    // The loaded events are complete from `from` on (the window's start when every page was
    // loaded; the oldest event's time when loading stopped early). Unset: from the oldest
    // event added.
    void setCoverageFrom(const QDateTime& from) { m_coverageFrom = from; }
    QDateTime coverageFrom() const;
    std::size_t eventCount() const { return m_entries.size(); }

    // The advice on `key` over `window` ending at `now`.
    Advice advise(const ApiKey& key, Window window, const QDateTime& now) const;

private:
    // What a request needed: a scope's index in allScopes(), or one of these.
    static constexpr qint8 kUnknown = -2;
    static constexpr qint8 kNoScope = -1;

    struct Entry {
        qint64 ms = 0;
        quint32 key = 0; // index in m_keyIds
        qint8 need = kUnknown;
        bool refused = false;
    };

    qint8 needOf(std::string_view action, std::string_view details);

    std::vector<Entry> m_entries;
    QHash<QString, quint32> m_keyIndex;
    // Details repeat (method, route, error): the need per action and details text.
    std::unordered_map<std::string, qint8> m_needCache;
    QDateTime m_coverageFrom;
    qint64 m_oldestMs = 0;
};

} // namespace legba
