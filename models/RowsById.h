#pragma once

#include <QAbstractItemModel>
#include <QHash>
#include <QSet>
#include <QString>
#include <vector>

namespace legba {

// Keeps a table model's rows in step with a list the server answers, matching rows by id,
// so that a refresh never resets the model: views keep their selection, current index and
// scroll position, and persistent indexes follow their rows. Shared by the keys and
// instances models; a model lends it its row bookkeeping with `friend struct RowsById`.
//
// `IdOf` reads a row's id: `[](const ApiKey& key) { return key.keyId; }`.
struct RowsById {
    // Rows whose id is gone are removed (bottom up, in contiguous runs), rows that stay and
    // changed emit dataChanged across all columns, new ids are appended in the server's
    // order. An id repeated in one answer is one row: its first occurrence.
    template <typename Model, typename Row, typename IdOf>
    static void merge(Model& model, std::vector<Row>& rows, const std::vector<Row>& fresh,
                      IdOf idOf) {
        QHash<QString, const Row*> incoming;
        incoming.reserve(static_cast<qsizetype>(fresh.size()));
        for (const Row& row : fresh) {
            if (!incoming.contains(idOf(row)))
                incoming.insert(idOf(row), &row);
        }

        const auto gone = [&](int row) {
            return !incoming.contains(idOf(rows[static_cast<std::size_t>(row)]));
        };
        for (int row = static_cast<int>(rows.size()) - 1; row >= 0;) {
            if (!gone(row)) {
                --row;
                continue;
            }
            int first = row;
            while (first > 0 && gone(first - 1))
                --first;
            model.beginRemoveRows({}, first, row);
            rows.erase(rows.begin() + first, rows.begin() + row + 1);
            model.endRemoveRows();
            row = first - 1;
        }

        QSet<QString> present;
        present.reserve(static_cast<qsizetype>(rows.size()));
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const Row& update = *incoming.value(idOf(rows[i]));
            present.insert(idOf(update));
            if (!(rows[i] == update)) {
                rows[i] = update;
                rowChanged(model, static_cast<int>(i));
            }
        }

        std::vector<Row> added;
        for (const Row& row : fresh) {
            const QString id = idOf(row);
            if (!present.contains(id)) {
                present.insert(id);
                added.push_back(row);
            }
        }
        if (!added.empty()) {
            const int first = static_cast<int>(rows.size());
            model.beginInsertRows({}, first, first + static_cast<int>(added.size()) - 1);
            rows.insert(rows.end(), added.begin(), added.end());
            model.endInsertRows();
        }
    }

    // One row changed or appeared: updated in place (dataChanged only if it differs), or
    // appended.
    template <typename Model, typename Row, typename IdOf>
    static void upsert(Model& model, std::vector<Row>& rows, const Row& row, IdOf idOf) {
        const int at = rowOf(rows, idOf(row), idOf);
        if (at >= 0) {
            Row& current = rows[static_cast<std::size_t>(at)];
            if (!(current == row)) {
                current = row;
                rowChanged(model, at);
            }
            return;
        }
        const int first = static_cast<int>(rows.size());
        model.beginInsertRows({}, first, first);
        rows.push_back(row);
        model.endInsertRows();
    }

    template <typename Row, typename IdOf>
    static int rowOf(const std::vector<Row>& rows, const QString& id, IdOf idOf) {
        for (std::size_t i = 0; i < rows.size(); ++i) {
            if (idOf(rows[i]) == id)
                return static_cast<int>(i);
        }
        return -1;
    }

    template <typename Row> static const Row* at(const std::vector<Row>& rows, int row) {
        if (row < 0 || row >= static_cast<int>(rows.size()))
            return nullptr;
        return &rows[static_cast<std::size_t>(row)];
    }

    template <typename Model> static void rowChanged(Model& model, int row) {
        Q_EMIT model.dataChanged(model.index(row, 0), model.index(row, model.columnCount() - 1));
    }
};

} // namespace legba
