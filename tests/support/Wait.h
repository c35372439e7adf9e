#pragma once

#include <QDir>
#include <QDirIterator>
#include <QEventLoop>
#include <QFile>
#include <QTimer>
#include <functional>
#include <optional>

namespace legba::test {

// Runs an asynchronous operation to completion: `start` receives a function to call with
// the result. Gives up after `timeoutMs`, returning nothing.
template <typename T>
std::optional<T> await(const std::function<void(std::function<void(T)>)>& start,
                       int timeoutMs = 15000) {
    std::optional<T> result;
    QEventLoop loop;
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    start([&](T value) {
        result.emplace(std::move(value));
        loop.quit();
    });
    if (!result)
        loop.exec();
    return result;
}

// Every file below `root` whose bytes contain `needle` (e.g. a key that must be nowhere).
inline QStringList filesContaining(const QString& root, const QByteArray& needle) {
    QStringList hits;
    QDirIterator it(root, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile file(path);
        if (file.open(QIODevice::ReadOnly) && file.readAll().contains(needle))
            hits << path;
    }
    return hits;
}

} // namespace legba::test
