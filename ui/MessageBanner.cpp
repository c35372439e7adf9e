#include "MessageBanner.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QStyle>
#include <QVBoxLayout>

namespace legba {

MessageBanner::MessageBanner(QWidget* parent)
    : QFrame(parent)
    , m_icon(new QLabel(this))
    , m_title(new QLabel(this))
    , m_detail(new QLabel(this))
    , m_retry(new QPushButton(tr("Retry"), this)) {
    setObjectName(QStringLiteral("messageBanner"));
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    m_title->setWordWrap(true);
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    m_detail->setWordWrap(true);
    m_detail->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_retry->setAccessibleName(tr("Retry"));
    m_retry->setToolTip(tr("Try the request again"));

    auto* text = new QVBoxLayout;
    text->setSpacing(2);
    text->addWidget(m_title);
    text->addWidget(m_detail);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 6, 8, 6);
    layout->addWidget(m_icon, 0, Qt::AlignTop);
    layout->addLayout(text, 1);
    layout->addWidget(m_retry, 0, Qt::AlignVCenter);
    connect(m_retry, &QPushButton::clicked, this, &MessageBanner::retryRequested);
    hide();
}

void MessageBanner::showMessage(Kind kind, const QString& title, const QString& detail,
                                bool offerRetry) {
    QStyle::StandardPixmap icon = QStyle::SP_MessageBoxInformation;
    QColor tint = palette().color(QPalette::Highlight);
    switch (kind) {
    case Kind::Error:
        icon = QStyle::SP_MessageBoxCritical;
        tint = QColor::fromHsl(0, 170, 120);
        break;
    case Kind::Warning:
        icon = QStyle::SP_MessageBoxWarning;
        tint = QColor::fromHsl(36, 220, 120);
        break;
    case Kind::Info:
        break;
    }
    QPalette pal = palette();
    QColor background = pal.color(QPalette::Base);
    background = QColor::fromRgbF(background.redF() * 0.85f + tint.redF() * 0.15f,
                                  background.greenF() * 0.85f + tint.greenF() * 0.15f,
                                  background.blueF() * 0.85f + tint.blueF() * 0.15f);
    pal.setColor(QPalette::Window, background);
    setPalette(pal);
    const int size = style()->pixelMetric(QStyle::PM_SmallIconSize);
    m_icon->setPixmap(style()->standardIcon(icon).pixmap(size, size));
    m_title->setText(title);
    m_detail->setText(detail);
    m_detail->setVisible(!detail.isEmpty());
    m_retry->setVisible(offerRetry);
    setAccessibleName(title);
    show();
}

void MessageBanner::showWords(const StatusWords& words) {
    if (words.isEmpty()) {
        clear();
        return;
    }
    Kind kind = Kind::Error;
    switch (words.tone) {
    case StatusWords::Tone::Error:
        break;
    case StatusWords::Tone::Warning:
        kind = Kind::Warning;
        break;
    case StatusWords::Tone::Info:
        kind = Kind::Info;
        break;
    }
    showMessage(kind, words.title, words.detail, words.offerRetry);
}

void MessageBanner::setActionText(const QString& text) {
    m_retry->setText(text);
    m_retry->setAccessibleName(text);
    m_retry->setToolTip(text);
}

void MessageBanner::clear() {
    m_title->clear();
    m_detail->clear();
    hide();
}

QString MessageBanner::text() const {
    return m_detail->text().isEmpty() ? m_title->text()
                                      : m_title->text() + QLatin1Char('\n') + m_detail->text();
}

void showUnreadable(MessageBanner* banner, const std::vector<UnreadableItem>& unreadable,
                    const QString& singular, const QString& plural) {
    if (unreadable.empty())
        return;
    const auto count = static_cast<qsizetype>(unreadable.size());
    const UnreadableItem& first = unreadable.front();
    QString detail = MessageBanner::tr("Field '%1' %2.").arg(first.field, first.problem);
    if (count > 1)
        detail += QLatin1Char(' ') + MessageBanner::tr("%1 more like it.").arg(count - 1);
    detail += QLatin1Char(' ') + MessageBanner::tr("The others are shown; the server's answer "
                                                   "did not have the shape Legba Admin reads.");
    banner->showMessage(MessageBanner::Kind::Warning,
                        count == 1
                            ? MessageBanner::tr("1 %1 could not be read.").arg(singular)
                            : MessageBanner::tr("%1 %2 could not be read.").arg(count).arg(plural),
                        detail, false);
}

} // namespace legba
