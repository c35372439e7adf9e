#pragma once

#include "Types.h"

#include <QObject>
#include <QString>
#include <QStringList>
#include <atomic>
#include <functional>
#include <memory>
#include <vector>

class QThread;

namespace legba {

// Where the organization's keys may have leaked: files and folders on this machine, read
// locally, nothing sent anywhere.
//
// What counts as a finding:
// - Checksummed: `legba_` + 32 + 6 base62 characters whose CRC32 checksum is right (the
//   sandbox's format). Random text has a 1 in 62^6 chance of passing, so these are keys.
//   The same shape with a wrong checksum is dropped (counted, never reported).
// - Possible: any other `legba_` token (base62, `_`, `-`; at least 16 characters) whose
//   first 12 characters are the display prefix of one of the organization's keys. The
//   hosted API's keys are opaque bearer tokens with no checksum, so the prefix is all a
//   client can go on; a token that matches no key of the organization is not reported,
//   or every `legba_something` identifier in a source tree would be.
// Each finding is matched to the organization's keys by display prefix only: servers keep
// SHA-256 digests, never keys, and the digests are not served, so "matches prefix" is all
// that can be said.
//
// The key found is never kept: a finding holds its display prefix and its last 4
// characters. The bytes read are wiped from the read buffer when the scan ends.
//
// Ignored files: where a folder is in a git work tree, `git check-ignore --stdin` decides
// (git's own rules, exactly; no network, tracked files are never ignored). Without git on
// the PATH nothing is skipped as ignored, and the report says so. `.git` folders (git's
// compressed store) are never walked. Symbolic links are never followed, not even when
// named on the command line.
struct LeakScanOptions {
    QStringList paths;
    bool includeIgnored = false;
    bool includeBinary = false; // a NUL byte in the first 8000 bytes makes a file binary
    qint64 maxFileBytes = 64LL * 1024 * 1024;
    qint64 maxFiles = 200'000;
    qsizetype blockBytes = qsizetype{1024} * 1024; // read size; small values exercise block borders
};

struct LeakFinding {
    enum class Kind { Checksummed, Possible };

    QString file;
    qint64 line = 0;   // from 1
    qint64 column = 0; // from 1, in bytes
    Kind kind = Kind::Checksummed;
    QString prefix; // the display prefix (12 characters)
    QString masked; // prefix + "..." + the last 4 characters
    // The organization's keys with this display prefix (usually one).
    std::vector<ApiKey> matches;

    // A match is an active key (a key in a rotation's grace period is active).
    bool live() const;
    // "key_... (name)" for each match, or "unknown key".
    QString matchText() const;
    friend bool operator==(const LeakFinding&, const LeakFinding&) = default;
};

struct LeakScanReport {
    std::vector<LeakFinding> findings; // sorted by file, line, column
    qint64 filesScanned = 0;
    qint64 bytesScanned = 0;
    qint64 skippedIgnored = 0;
    qint64 skippedBinary = 0;
    qint64 skippedLarge = 0;
    qint64 skippedSymlinks = 0;
    qint64 wrongChecksums = 0; // sandbox-shaped tokens whose checksum failed
    bool truncated = false;    // maxFiles reached: the rest was not scanned
    bool cancelled = false;
    bool ignoreRulesUnknown = false; // no git: ignored files were scanned
    QStringList errors;              // paths that do not exist or could not be read, and why

    bool anyLive() const;
};

struct LeakScanProgress {
    qint64 bytes = 0;
    qint64 files = 0;
    qint64 totalFiles = 0;
};

// The last characters of a token shown, with its prefix: never more.
QString maskToken(QByteArrayView token);

// The scan, on the calling thread. `cancel`, when set, is polled between blocks; `progress`
// is called now and then (at most every 64 files or 16 MB), from this thread.
LeakScanReport scanForLeaks(const LeakScanOptions& options, const std::vector<ApiKey>& keys,
                            const std::atomic<bool>* cancel = nullptr,
                            const std::function<void(const LeakScanProgress&)>& progress = {});

// The scan on a worker thread, reporting back on this object's thread.
class LeakScanner : public QObject {
    Q_OBJECT

public:
    explicit LeakScanner(QObject* parent = nullptr);
    // Cancels a running scan and waits for its thread.
    ~LeakScanner() override;

    bool isRunning() const { return m_thread != nullptr; }
    // Starts a scan; a running one is cancelled first (its results are dropped).
    void start(const LeakScanOptions& options, const std::vector<ApiKey>& keys);
    // The scan stops at the next block; finished() still comes, with `cancelled` set.
    void cancel();

Q_SIGNALS:
    void progress(const legba::LeakScanProgress& progress);
    void finished(const legba::LeakScanReport& report);

private:
    void stopThread();

    QThread* m_thread = nullptr; // owned
    std::shared_ptr<std::atomic<bool>> m_cancel;
    quint64 m_generation = 0;
};

} // namespace legba
