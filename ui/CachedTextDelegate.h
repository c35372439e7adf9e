#pragma once

#include <QHash>
#include <QStaticText>
#include <QStyledItemDelegate>
#include <vector>

namespace legba {

// An item delegate that keeps each cell text's shaped, elided layout (QStaticText) between
// paints. QStyledItemDelegate shapes and elides every visible cell's text again on every
// repaint, and a table whose rows arrive page by page repaints several times a second: on a
// slow machine that alone is more than a frame. Audit rows repeat their values (actions,
// addresses, user agents), so most cells are found in the cache.
//
// Paints what QStyledItemDelegate paints for a text cell: the item's background and
// selection, its font, colour and alignment, the text elided at the right, and the focus
// frame. Cells with a check box or decoration are left to QStyledItemDelegate.
class CachedTextDelegate : public QStyledItemDelegate {
    Q_OBJECT

public:
    explicit CachedTextDelegate(QObject* parent = nullptr);

    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override;

protected:
    // Draws `text` in `font` within `rect` (elided at the right when too wide), aligned as
    // asked, with the painter's pen.
    void drawText(QPainter* painter, const QRect& rect, const QString& text, const QFont& font,
                  Qt::Alignment alignment) const;
    // The item's background, selection and hover, as the style draws them.
    static void drawBackground(QPainter* painter, const QStyleOptionViewItem& option);
    static QColor textColor(const QStyleOptionViewItem& option);

private:
    struct Key {
        QString text;
        int font = 0; // index in m_fonts
        int width = 0;
        friend bool operator==(const Key&, const Key&) = default;
    };
    friend size_t qHash(const Key& key, size_t seed) {
        return qHashMulti(seed, key.text, key.font, key.width);
    }
    const QStaticText& layout(const QString& text, const QFont& font, int width) const;
    // A small number for each distinct font drawn: comparing a cell's font with the one or
    // two a table uses is cheaper than building its QFont::key() string for every cell.
    int fontId(const QFont& font) const;

    mutable QHash<Key, QStaticText> m_layouts;
    mutable std::vector<QFont> m_fonts;
};

} // namespace legba
