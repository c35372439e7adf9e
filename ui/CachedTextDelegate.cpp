#include "CachedTextDelegate.h"

#include <QApplication>
#include <QFontMetrics>
#include <QPainter>

namespace legba {

namespace {

// Enough for every distinct value of a screenful many times over; dropped whole when
// reached (the next paints refill it).
constexpr qsizetype kMaxLayouts = 20000;

QStyle* styleOf(const QStyleOptionViewItem& option) {
    return option.widget ? option.widget->style() : QApplication::style();
}

} // namespace

CachedTextDelegate::CachedTextDelegate(QObject* parent)
    : QStyledItemDelegate(parent) {}

void CachedTextDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                               const QModelIndex& index) const {
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    if (opt.features.testAnyFlags(QStyleOptionViewItem::HasCheckIndicator |
                                  QStyleOptionViewItem::HasDecoration) ||
        opt.features.testFlag(QStyleOptionViewItem::WrapText)) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    drawBackground(painter, opt);
    QStyle* style = styleOf(opt);
    // As QCommonStyle lays out an item's text: inside the focus frame's margin.
    const int margin = style->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, opt.widget) + 1;
    painter->save();
    painter->setPen(textColor(opt));
    drawText(painter, opt.rect.adjusted(margin, 0, -margin, 0), opt.text, opt.font,
             QStyle::visualAlignment(opt.direction, opt.displayAlignment));
    painter->restore();
    if (opt.state.testFlag(QStyle::State_HasFocus)) {
        QStyleOptionFocusRect focus;
        focus.QStyleOption::operator=(opt);
        focus.rect = opt.rect;
        focus.state |= QStyle::State_KeyboardFocusChange | QStyle::State_Item;
        focus.backgroundColor = opt.palette.color(
            opt.state.testFlag(QStyle::State_Enabled) ? QPalette::Normal : QPalette::Disabled,
            opt.state.testFlag(QStyle::State_Selected) ? QPalette::Highlight : QPalette::Window);
        style->drawPrimitive(QStyle::PE_FrameFocusRect, &focus, painter, opt.widget);
    }
}

void CachedTextDelegate::drawBackground(QPainter* painter, const QStyleOptionViewItem& option) {
    styleOf(option)->drawPrimitive(QStyle::PE_PanelItemViewItem, &option, painter, option.widget);
}

QColor CachedTextDelegate::textColor(const QStyleOptionViewItem& option) {
    const QPalette::ColorGroup group =
        !option.state.testFlag(QStyle::State_Enabled) ? QPalette::Disabled
        : option.state.testFlag(QStyle::State_Active) ? QPalette::Normal
                                                      : QPalette::Inactive;
    return option.palette.color(group, option.state.testFlag(QStyle::State_Selected)
                                           ? QPalette::HighlightedText
                                           : QPalette::Text);
}

void CachedTextDelegate::drawText(QPainter* painter, const QRect& rect, const QString& text,
                                  const QFont& font, Qt::Alignment alignment) const {
    if (text.isEmpty() || rect.width() <= 0)
        return;
    const QStaticText& shaped = layout(text, font, rect.width());
    const QSizeF size = shaped.size();
    qreal x = rect.left();
    if (alignment.testFlag(Qt::AlignRight))
        x = rect.right() + 1 - size.width();
    else if (alignment.testFlag(Qt::AlignHCenter))
        x = rect.left() + (rect.width() - size.width()) / 2;
    qreal y = rect.top() + (rect.height() - size.height()) / 2;
    if (alignment.testFlag(Qt::AlignTop))
        y = rect.top();
    else if (alignment.testFlag(Qt::AlignBottom))
        y = rect.bottom() + 1 - size.height();
    painter->setFont(font);
    painter->drawStaticText(QPointF(x, y), shaped);
}

int CachedTextDelegate::fontId(const QFont& font) const {
    for (std::size_t i = 0; i < m_fonts.size(); ++i) {
        if (m_fonts[i] == font)
            return static_cast<int>(i);
    }
    if (m_fonts.size() >= 32) {
        // Fonts come and go (a zoom, a theme): start over rather than grow.
        m_fonts.clear();
        m_layouts.clear();
    }
    m_fonts.push_back(font);
    return static_cast<int>(m_fonts.size() - 1);
}

const QStaticText& CachedTextDelegate::layout(const QString& text, const QFont& font,
                                              int width) const {
    Key key{text, fontId(font), width};
    if (const auto it = m_layouts.constFind(key); it != m_layouts.cend())
        return *it;
    if (m_layouts.size() >= kMaxLayouts)
        m_layouts.clear();
    // One line, as a table cell shows it; elided at the right when it does not fit.
    QString line = text;
    line.replace(QLatin1Char('\n'), QLatin1Char(' ')).replace(QLatin1Char('\r'), QLatin1Char(' '));
    const QFontMetrics metrics(font);
    if (metrics.horizontalAdvance(line) > width)
        line = metrics.elidedText(line, Qt::ElideRight, width);
    QStaticText shaped(line);
    shaped.setTextFormat(Qt::PlainText);
    shaped.setPerformanceHint(QStaticText::AggressiveCaching);
    shaped.prepare(QTransform(), font);
    return *m_layouts.insert(key, shaped);
}

} // namespace legba
