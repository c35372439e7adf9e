// The leak scanner's speed on a large tree of source-like text:
//   bench_scan generate DIR [MB]   writes MB (default 1024) of text in files of 256 KB, with
//                                  keys planted (valid and wrong checksums) and legba_
//                                  identifiers that are no keys; prints what it planted
//   bench_scan scan DIR            scans DIR on this one thread and prints MB/s
// `bench/scan/run` generates a tree, then times this scanner and grep -rE on it in one run.

#include "KeyFormat.h"
#include "LeakScanner.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <cstdio>
#include <random>

using namespace legba;

namespace {

constexpr qint64 kFileBytes = 256 * 1024;

const char* const kWords[] = {
    "const",   "auto",     "return",  "if",      "else",      "for",       "while",   "std::vector",
    "QString", "int",      "void",    "static",  "legba_app", "legba_api", "value",   "request",
    "reply",   "error",    "m_state", "context", "nullptr",   "true",      "false",   "key",
    "scopes",  "instance", "profile", "session", "emit",      "connect",   "QObject", "this",
    "=",       "==",       "+=",      "->",      "::",        "(",         ")",       "{",
    "}",       ";",        ",",       "//",      "0",         "1",         "42",      "\"text\"",
};

QByteArray makeLine(std::mt19937& rng) {
    std::uniform_int_distribution<int> count(3, 14);
    std::uniform_int_distribution<std::size_t> word(0, std::size(kWords) - 1);
    std::uniform_int_distribution<int> indent(0, 3);
    QByteArray line(indent(rng) * 4, ' ');
    const int n = count(rng);
    for (int i = 0; i < n; ++i) {
        if (i > 0)
            line += ' ';
        line += kWords[word(rng)];
    }
    line += '\n';
    return line;
}

int generate(const QString& dir, qint64 megabytes) {
    std::mt19937 rng(20261206);
    std::vector<QByteArray> lines;
    for (int i = 0; i < 8192; ++i)
        lines.push_back(makeLine(rng));
    const qint64 files = std::max<qint64>(1, megabytes * 1024 * 1024 / kFileBytes);
    std::uniform_int_distribution<std::size_t> pick(0, lines.size() - 1);
    // One planted key (valid) in every 400th file, one wrong checksum in every 500th.
    int planted = 0;
    int wrong = 0;
    for (qint64 f = 0; f < files; ++f) {
        const QString folder = QStringLiteral("%1/d%2").arg(dir).arg(f % 64);
        QDir().mkpath(folder);
        QByteArray text;
        text.reserve(kFileBytes + 256);
        while (text.size() < kFileBytes) {
            text += lines[pick(rng)];
            if (f % 400 == 7 && text.size() > kFileBytes / 2 && text.size() < kFileBytes / 2 + 64) {
                text += "    const char* token = \"" + keyformat::generate() + "\";\n";
                ++planted;
            }
            if (f % 500 == 9 && text.size() > kFileBytes / 3 && text.size() < kFileBytes / 3 + 64) {
                QByteArray key = keyformat::generate();
                key[key.size() - 1] = key.back() == 'A' ? 'B' : 'A';
                text += "    // " + key + "\n";
                ++wrong;
            }
        }
        QFile file(QStringLiteral("%1/f%2.cpp").arg(folder).arg(f));
        if (!file.open(QIODevice::WriteOnly) || file.write(text) != text.size()) {
            std::fprintf(stderr, "bench_scan: cannot write %s\n", qPrintable(file.fileName()));
            return 2;
        }
    }
    std::printf("generated %lld files, %lld MB, %d keys planted, %d with a wrong checksum\n", files,
                files * kFileBytes / (1024 * 1024), planted, wrong);
    return 0;
}

int scan(const QString& dir) {
    LeakScanOptions options;
    options.paths = {dir};
    options.includeIgnored = true; // no git in the measure
    QElapsedTimer timer;
    timer.start();
    const LeakScanReport report = scanForLeaks(options, {});
    const double seconds = static_cast<double>(timer.nsecsElapsed()) / 1e9;
    const double mb = static_cast<double>(report.bytesScanned) / (1024.0 * 1024.0);
    std::printf("legba-admin scanner: %lld files, %.0f MB in %.2f s: %.0f MB/s; %zu keys found, "
                "%lld wrong checksums dropped\n",
                report.filesScanned, mb, seconds, mb / seconds, report.findings.size(),
                report.wrongChecksums);
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments();
    if (args.size() >= 3 && args[1] == QStringLiteral("generate"))
        return generate(args[2], args.size() > 3 ? args[3].toLongLong() : 1024);
    if (args.size() == 3 && args[1] == QStringLiteral("scan"))
        return scan(args[2]);
    std::fputs("usage: bench_scan generate DIR [MB] | bench_scan scan DIR\n", stderr);
    return 2;
}
