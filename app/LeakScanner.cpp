#include "LeakScanner.h"

#include "KeyFormat.h"
#include "Logging.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QProcess>
#include <QStandardPaths>
#include <QThread>
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <functional>
#include <system_error>
#include <tuple>

#if defined(__unix__) || defined(__APPLE__)
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace fs = std::filesystem;

namespace legba {

namespace {

constexpr QByteArrayView kTag("legba_");
constexpr qsizetype kTagLength = 6;
// The longest token looked at; a longer run is cut here (and is no sandbox key).
constexpr qsizetype kMaxToken = 256;
constexpr qsizetype kMinPossibleToken = keyformat::kPrefixLength + 4;
constexpr qsizetype kBinaryProbe = 8000; // as git decides "binary"
constexpr qint64 kProgressFiles = 64;
constexpr qint64 kProgressBytes = 16LL * 1024 * 1024;

// The next "legba_" in [from, to), or `to`. glibc's memmem (a Horspool variant on byte
// pairs) is several times faster than std::search here; elsewhere std::search does.
const char* findTag(const char* from, const char* to) {
#if defined(__GLIBC__)
    const void* found = ::memmem(from, static_cast<std::size_t>(to - from), kTag.data(),
                                 static_cast<std::size_t>(kTagLength));
    return found ? static_cast<const char*>(found) : to;
#else
    static const std::boyer_moore_horspool_searcher searcher(kTag.begin(), kTag.end());
    return std::search(from, to, searcher);
#endif
}

bool isBase62(char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
bool isTokenChar(char c) {
    return isBase62(c) || c == '_' || c == '-';
}

void wipe(char* data, std::size_t size) {
    volatile char* byte = data;
    for (std::size_t i = 0; i < size; ++i)
        byte[i] = '\0';
}

QString pathText(const fs::path& path) {
    return QFile::decodeName(QByteArray::fromStdString(path.string()));
}

// The organization's keys by display prefix.
using PrefixIndex = QHash<QString, std::vector<const ApiKey*>>;

struct Candidate {
    fs::path path;
    qint64 size = 0;
    std::size_t group = 0; // index into the folders git is asked from
};

// Walks the paths given, never following a symbolic link, collecting regular files.
class Walker {
public:
    Walker(const LeakScanOptions& options, LeakScanReport* report, const std::atomic<bool>* cancel)
        : m_options(options)
        , m_report(report)
        , m_cancel(cancel) {}

    void walk() {
        for (const QString& given : m_options.paths) {
            const fs::path root(QFile::encodeName(given).toStdString());
            std::error_code ec;
            const fs::file_status status = fs::symlink_status(root, ec);
            if (ec || !fs::exists(status)) {
                m_report->errors << QStringLiteral("%1: no such file or directory").arg(given);
                continue;
            }
            if (fs::is_symlink(status)) {
                ++m_report->skippedSymlinks;
                continue;
            }
            if (fs::is_regular_file(status)) {
                const fs::path parent = root.has_parent_path() ? root.parent_path() : fs::path(".");
                add(root, groupFor(parent));
            } else if (fs::is_directory(status)) {
                walkDirectory(root);
            } else {
                m_report->errors << QStringLiteral("%1: not a file or folder").arg(given);
            }
        }
    }

    std::vector<Candidate>& files() { return m_files; }
    const std::vector<fs::path>& groups() const { return m_groups; }

private:
    bool cancelled() const { return m_cancel && m_cancel->load(std::memory_order_relaxed); }

    std::size_t groupFor(const fs::path& folder) {
        m_groups.push_back(folder);
        return m_groups.size() - 1;
    }

    void add(const fs::path& path, std::size_t group) {
        std::error_code ec;
        const auto size = fs::file_size(path, ec);
        if (ec) {
            m_report->errors << QStringLiteral("%1: %2").arg(pathText(path),
                                                             QString::fromStdString(ec.message()));
            return;
        }
        if (static_cast<qint64>(size) > m_options.maxFileBytes) {
            ++m_report->skippedLarge;
            return;
        }
        m_files.push_back({path, static_cast<qint64>(size), group});
    }

    void walkDirectory(const fs::path& root) {
        // Each folder holding a .git starts a work tree of its own (a nested repository or a
        // submodule): its files are asked about from there.
        std::vector<std::pair<fs::path, std::size_t>> stack{{root, groupFor(root)}};
        // Walking stops far beyond the file limit, so that a tree too big to scan is not
        // listed to its end either.
        const qint64 walkLimit = m_options.maxFiles * 4 + 1000;
        while (!stack.empty() && !cancelled()) {
            auto [folder, group] = std::move(stack.back());
            stack.pop_back();
            std::error_code ec;
            fs::directory_iterator it(folder, fs::directory_options::skip_permission_denied, ec);
            if (ec) {
                m_report->errors << QStringLiteral("%1: %2").arg(
                    pathText(folder), QString::fromStdString(ec.message()));
                continue;
            }
            for (; it != fs::directory_iterator(); it.increment(ec)) {
                if (ec)
                    break;
                const fs::directory_entry& entry = *it;
                std::error_code statusError;
                const fs::file_status status = entry.symlink_status(statusError);
                if (statusError)
                    continue;
                if (fs::is_symlink(status)) {
                    ++m_report->skippedSymlinks;
                } else if (fs::is_directory(status)) {
                    if (entry.path().filename() == ".git")
                        continue;
                    std::error_code gitError;
                    const bool ownTree = fs::exists(entry.path() / ".git", gitError);
                    stack.emplace_back(entry.path(), ownTree ? groupFor(entry.path()) : group);
                } else if (fs::is_regular_file(status)) {
                    if (static_cast<qint64>(m_files.size()) >= walkLimit) {
                        m_report->truncated = true;
                        return;
                    }
                    add(entry.path(), group);
                }
            }
            if (ec) {
                m_report->errors << QStringLiteral("%1: %2").arg(
                    pathText(folder), QString::fromStdString(ec.message()));
            }
        }
    }

    const LeakScanOptions& m_options;
    LeakScanReport* m_report;
    const std::atomic<bool>* m_cancel;
    std::vector<Candidate> m_files;
    std::vector<fs::path> m_groups;
};

// Drops the files git ignores, asking `git check-ignore` once per work tree. A folder that is
// in no work tree answers 128, and nothing in it is ignored.
void dropIgnored(std::vector<Candidate>& files, const std::vector<fs::path>& groups,
                 LeakScanReport* report) {
    const QString git = QStandardPaths::findExecutable(QStringLiteral("git"));
    if (git.isEmpty()) {
        report->ignoreRulesUnknown = true;
        return;
    }
    std::vector<std::vector<std::size_t>> byGroup(groups.size());
    for (std::size_t i = 0; i < files.size(); ++i)
        byGroup[files[i].group].push_back(i);
    std::vector<bool> ignored(files.size(), false);
    for (std::size_t g = 0; g < groups.size(); ++g) {
        if (byGroup[g].empty())
            continue;
        QProcess process;
        process.setWorkingDirectory(pathText(groups[g]));
        // No pager, no prompt, nothing from the user's config that could run a program.
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("GIT_TERMINAL_PROMPT"), QStringLiteral("0"));
        env.insert(QStringLiteral("GIT_OPTIONAL_LOCKS"), QStringLiteral("0"));
        process.setProcessEnvironment(env);
        process.start(
            git, {QStringLiteral("check-ignore"), QStringLiteral("--stdin"), QStringLiteral("-z")});
        if (!process.waitForStarted(10000)) {
            report->ignoreRulesUnknown = true;
            continue;
        }
        QByteArray input;
        for (std::size_t i : byGroup[g]) {
            input += QByteArray::fromStdString(fs::absolute(files[i].path).string());
            input += '\0';
        }
        process.write(input);
        process.closeWriteChannel();
        if (!process.waitForFinished(120000)) {
            process.kill();
            process.waitForFinished();
            report->ignoreRulesUnknown = true;
            continue;
        }
        // 0: some are ignored, 1: none, 128: not a work tree (or git failed): none.
        if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
            continue;
        QHash<QByteArray, std::size_t> index;
        for (std::size_t i : byGroup[g])
            index.insert(QByteArray::fromStdString(fs::absolute(files[i].path).string()), i);
        const QList<QByteArray> answered = process.readAllStandardOutput().split('\0');
        for (const QByteArray& path : answered) {
            if (auto it = index.constFind(path); it != index.constEnd())
                ignored[it.value()] = true;
        }
    }
    std::size_t kept = 0;
    for (std::size_t i = 0; i < files.size(); ++i) {
        if (ignored[i])
            ++report->skippedIgnored;
        else
            files[kept++] = std::move(files[i]);
    }
    files.resize(kept);
}

// Reads one file in blocks and finds the tokens in it.
class FileScanner {
public:
    FileScanner(const LeakScanOptions& options, const PrefixIndex& index, LeakScanReport* report)
        : m_options(options)
        , m_index(index)
        , m_report(report)
        , m_buffer(
              static_cast<std::size_t>(std::max(options.blockBytes, 4 * kMaxToken) + kMaxToken)) {}
    ~FileScanner() { wipe(m_buffer.data(), m_buffer.size()); }
    FileScanner(const FileScanner&) = delete;
    FileScanner& operator=(const FileScanner&) = delete;

    // Returns the bytes read; false in `scanned` when skipped as binary or unreadable.
    qint64 scan(const fs::path& path, const std::atomic<bool>* cancel, bool* scanned) {
        *scanned = false;
        QFile file;
        if (!open(path, file))
            return 0;
        m_file = pathText(path);
        m_current = &file;
        m_line = 1;
        m_lineStart = 0;
        m_counted = 0;
        qint64 total = 0;
        qsizetype carry = 0;    // bytes kept from the last block, at the buffer's start
        qint64 carryOffset = 0; // the file offset of the buffer's first byte
        const qsizetype block = static_cast<qsizetype>(m_buffer.size()) - kMaxToken;
        bool first = true;
        while (true) {
            if (cancel && cancel->load(std::memory_order_relaxed))
                return total;
            const qint64 got = file.read(m_buffer.data() + carry, block);
            if (got < 0) {
                m_report->errors << QStringLiteral("%1: %2").arg(m_file, file.errorString());
                return total;
            }
            if (first) {
                first = false;
                const auto probe = static_cast<std::size_t>(std::min<qint64>(got, kBinaryProbe));
                if (!m_options.includeBinary && std::memchr(m_buffer.data(), 0, probe)) {
                    ++m_report->skippedBinary;
                    return 0;
                }
            }
            total += got;
            const bool atEnd = got == 0 || file.atEnd();
            const qsizetype end = carry + static_cast<qsizetype>(got);
            // A token starting before `safe` lies wholly in the buffer; the rest waits for
            // the next block.
            const qsizetype safe = atEnd ? end : std::max<qsizetype>(0, end - kMaxToken);
            m_bufferOffset = carryOffset;
            scanRange(end, safe);
            if (atEnd)
                break;
            carry = end - safe;
            std::memmove(m_buffer.data(), m_buffer.data() + safe, static_cast<std::size_t>(carry));
            carryOffset += safe;
        }
        *scanned = true;
        return total;
    }

private:
    bool open(const fs::path& path, QFile& file) {
#if defined(__unix__) || defined(__APPLE__)
        // O_NOFOLLOW: a file swapped for a link since the walk is not followed either;
        // O_NONBLOCK and the S_ISREG check: nor is a FIFO put in its place waited on.
        const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        struct stat st {};
        if (fd < 0 || ::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
            if (fd >= 0)
                ::close(fd);
            m_report->errors << QStringLiteral("%1: could not be opened").arg(pathText(path));
            return false;
        }
        if (!file.open(fd, QIODevice::ReadOnly | QIODevice::Unbuffered,
                       QFileDevice::AutoCloseHandle)) {
            ::close(fd);
            m_report->errors << QStringLiteral("%1: %2").arg(pathText(path), file.errorString());
            return false;
        }
#else
        file.setFileName(pathText(path));
        if (!file.open(QIODevice::ReadOnly | QIODevice::Unbuffered)) {
            m_report->errors << QStringLiteral("%1: %2").arg(pathText(path), file.errorString());
            return false;
        }
#endif
        return true;
    }

    // Finds tags starting in [0, safe) of the buffer, whose bytes run to `end`.
    void scanRange(qsizetype end, qsizetype safe) {
        const char* data = m_buffer.data();
        const char* searchFrom = data;
        const char* const stop = data + safe;
        while (searchFrom < stop) {
            const char* tag = findTag(searchFrom, data + end);
            if (tag >= stop)
                break;
            classify(tag, data + end, m_bufferOffset + (tag - data));
            searchFrom = tag + kTagLength;
        }
    }

    // Lines are counted only up to a finding, and findings are rare: counting every byte
    // of every file would halve the speed. A finding in a later block counts the blocks
    // gone by again, from the file.
    void countLinesTo(qint64 offset) {
        if (m_counted < m_bufferOffset)
            countFromFile(m_bufferOffset);
        const char* data = m_buffer.data();
        countIn(data + (m_counted - m_bufferOffset), data + (offset - m_bufferOffset), m_counted);
        m_counted = offset;
    }

    void countIn(const char* from, const char* to, qint64 fromOffset) {
        if (from >= to)
            return;
        const auto newlines = std::count(from, to, '\n');
        if (newlines == 0)
            return;
        m_line += newlines;
        const char* last = to - 1;
        while (*last != '\n')
            --last;
        m_lineStart = fromOffset + (last - from) + 1;
    }

    void countFromFile(qint64 to) {
        const qint64 back = m_current->pos();
        std::vector<char> chunk(std::size_t{64} * 1024);
        if (m_current->seek(m_counted)) {
            while (m_counted < to) {
                const qint64 want =
                    std::min<qint64>(static_cast<qint64>(chunk.size()), to - m_counted);
                const qint64 got = m_current->read(chunk.data(), want);
                if (got <= 0)
                    break;
                countIn(chunk.data(), chunk.data() + got, m_counted);
                m_counted += got;
            }
        }
        wipe(chunk.data(), chunk.size());
        m_current->seek(back);
        m_counted = to;
    }

    void classify(const char* tag, const char* end, qint64 offset) {
        const char* run = tag + kTagLength;
        const char* runEnd = run;
        while (runEnd < end && runEnd - tag < kMaxToken && isTokenChar(*runEnd))
            ++runEnd;
        qsizetype base62 = 0;
        while (run + base62 < runEnd && isBase62(run[base62]))
            ++base62;
        // The sandbox's shape: 38 base62 characters, then anything that is not base62 (a
        // key followed by "_old" or "-" is still the key).
        if (base62 == keyformat::kRandomLength + keyformat::kChecksumLength) {
            const QByteArrayView key(tag, keyformat::kKeyLength);
            if (keyformat::isWellFormed(key)) {
                record(key, offset, LeakFinding::Kind::Checksummed);
                return;
            }
            ++m_report->wrongChecksums;
            if (runEnd - tag == keyformat::kKeyLength)
                return;
        }
        const QByteArrayView token(tag, runEnd - tag);
        if (token.size() < kMinPossibleToken || m_index.isEmpty())
            return;
        if (m_index.contains(keyformat::displayPrefix(token)))
            record(token, offset, LeakFinding::Kind::Possible);
    }

    void record(QByteArrayView token, qint64 offset, LeakFinding::Kind kind) {
        countLinesTo(offset);
        LeakFinding finding;
        finding.file = m_file;
        finding.line = m_line;
        finding.column = offset - m_lineStart + 1;
        finding.kind = kind;
        finding.prefix = keyformat::displayPrefix(token);
        finding.masked = maskToken(token);
        for (const ApiKey* key : m_index.value(finding.prefix))
            finding.matches.push_back(*key);
        m_report->findings.push_back(std::move(finding));
    }

    const LeakScanOptions& m_options;
    const PrefixIndex& m_index;
    LeakScanReport* m_report;
    std::vector<char> m_buffer;
    QString m_file;
    QFile* m_current = nullptr; // the file being read
    qint64 m_bufferOffset = 0;  // the file offset of the buffer's first byte
    qint64 m_counted = 0;       // lines are counted up to this file offset
    qint64 m_line = 1;          // the line at m_counted
    qint64 m_lineStart = 0;     // the offset at which that line starts
};

} // namespace

bool LeakFinding::live() const {
    return std::any_of(matches.begin(), matches.end(),
                       [](const ApiKey& key) { return key.status == KeyStatus::Active; });
}

QString LeakFinding::matchText() const {
    if (matches.empty())
        return QStringLiteral("unknown key");
    QStringList parts;
    for (const ApiKey& key : matches)
        parts << QStringLiteral("%1 (%2)").arg(key.keyId, key.name);
    return parts.join(QStringLiteral(", "));
}

bool LeakScanReport::anyLive() const {
    return std::any_of(findings.begin(), findings.end(),
                       [](const LeakFinding& finding) { return finding.live(); });
}

QString maskToken(QByteArrayView token) {
    if (token.size() < keyformat::kPrefixLength + 4)
        return keyformat::displayPrefix(token) + QStringLiteral("...");
    return keyformat::displayPrefix(token) + QStringLiteral("...") +
           QString::fromLatin1(token.last(4));
}

LeakScanReport scanForLeaks(const LeakScanOptions& options, const std::vector<ApiKey>& keys,
                            const std::atomic<bool>* cancel,
                            const std::function<void(const LeakScanProgress&)>& progress) {
    LeakScanReport report;
    PrefixIndex index;
    for (const ApiKey& key : keys)
        index[key.prefix].push_back(&key);

    Walker walker(options, &report, cancel);
    walker.walk();
    std::vector<Candidate>& files = walker.files();
    if (!options.includeIgnored && !files.empty())
        dropIgnored(files, walker.groups(), &report);
    if (static_cast<qint64>(files.size()) > options.maxFiles) {
        report.truncated = true;
        files.resize(static_cast<std::size_t>(options.maxFiles));
    }

    LeakScanProgress done;
    done.totalFiles = static_cast<qint64>(files.size());
    if (progress)
        progress(done);
    qint64 reportedBytes = 0;
    qint64 reportedFiles = 0;
    FileScanner scanner(options, index, &report);
    for (const Candidate& file : files) {
        if (cancel && cancel->load(std::memory_order_relaxed))
            break;
        bool scanned = false;
        const qint64 bytes = scanner.scan(file.path, cancel, &scanned);
        done.bytes += bytes;
        ++done.files;
        if (scanned) {
            ++report.filesScanned;
            report.bytesScanned += bytes;
        }
        if (progress && (done.files - reportedFiles >= kProgressFiles ||
                         done.bytes - reportedBytes >= kProgressBytes)) {
            reportedFiles = done.files;
            reportedBytes = done.bytes;
            progress(done);
        }
    }
    report.cancelled = cancel && cancel->load(std::memory_order_relaxed);
    if (progress)
        progress(done);
    std::sort(report.findings.begin(), report.findings.end(),
              [](const LeakFinding& a, const LeakFinding& b) {
                  return std::tie(a.file, a.line, a.column) < std::tie(b.file, b.line, b.column);
              });
    // Counts only: never a path's content, never a token.
    qCInfo(lcApp, "leak scan: %lld files, %lld bytes, %zu findings, %lld wrong checksums%s",
           report.filesScanned, report.bytesScanned, report.findings.size(), report.wrongChecksums,
           report.cancelled ? ", cancelled" : "");
    return report;
}

// ---- LeakScanner ----

LeakScanner::LeakScanner(QObject* parent)
    : QObject(parent) {
    qRegisterMetaType<LeakScanProgress>();
    qRegisterMetaType<LeakScanReport>();
}

LeakScanner::~LeakScanner() {
    stopThread();
}

void LeakScanner::stopThread() {
    if (!m_thread)
        return;
    m_cancel->store(true);
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
}

void LeakScanner::cancel() {
    if (m_cancel)
        m_cancel->store(true);
}

void LeakScanner::start(const LeakScanOptions& options, const std::vector<ApiKey>& keys) {
    stopThread();
    m_cancel = std::make_shared<std::atomic<bool>>(false);
    const quint64 generation = ++m_generation;
    // The destructor waits for the thread, so `this` outlives it; what it posts to a
    // destroyed object is dropped with the object's pending events.
    LeakScanner* self = this;
    auto cancelFlag = m_cancel;
    m_thread = QThread::create([self, options, keys, cancelFlag, generation] {
        QElapsedTimer sinceProgress;
        sinceProgress.start();
        auto onProgress = [&](const LeakScanProgress& p) {
            // At most 20 a second reach the UI thread.
            if (sinceProgress.elapsed() < 50 && p.files != p.totalFiles && p.files != 0)
                return;
            sinceProgress.restart();
            QMetaObject::invokeMethod(
                self,
                [self, p, generation] {
                    if (self->m_generation == generation)
                        Q_EMIT self->progress(p);
                },
                Qt::QueuedConnection);
        };
        LeakScanReport report = scanForLeaks(options, keys, cancelFlag.get(), onProgress);
        QMetaObject::invokeMethod(
            self,
            [self, report = std::move(report), generation] {
                if (self->m_generation != generation)
                    return;
                if (self->m_thread) {
                    self->m_thread->wait();
                    delete self->m_thread;
                    self->m_thread = nullptr;
                }
                Q_EMIT self->finished(report);
            },
            Qt::QueuedConnection);
    });
    m_thread->start();
}

} // namespace legba
