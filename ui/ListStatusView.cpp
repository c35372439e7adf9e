#include "ListStatusView.h"

#include "BusyLine.h"
#include "MessageBanner.h"

#include <QAbstractItemView>
#include <QLabel>
#include <QPushButton>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace legba {

namespace {
enum Page { ContentPage, StatePage };
} // namespace

ListStatusView::ListStatusView(QWidget* content, QAbstractItemView* rows, QWidget* parent)
    : QWidget(parent)
    , m_rows(rows)
    , m_busy(new BusyLine(this))
    , m_banner(new MessageBanner(this))
    , m_stack(new QStackedWidget(this))
    , m_pageLabel(new QLabel(this))
    , m_pageButton(new QPushButton(this)) {
    m_busy->setVisible(false);
    m_pageLabel->setAlignment(Qt::AlignCenter);
    m_pageLabel->setWordWrap(true);
    m_pageLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_pageButton->hide();
    auto* page = new QWidget(this);
    auto* pageLayout = new QVBoxLayout(page);
    pageLayout->addStretch(1);
    pageLayout->addWidget(m_pageLabel);
    pageLayout->addWidget(m_pageButton, 0, Qt::AlignHCenter);
    pageLayout->addStretch(2);
    m_stack->addWidget(content);
    m_stack->addWidget(page);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_busy);
    layout->addWidget(m_banner);
    layout->addWidget(m_stack, 1);

    connect(m_banner, &MessageBanner::retryRequested, this, &ListStatusView::retryRequested);
    connect(m_pageButton, &QPushButton::clicked, this, &ListStatusView::pageButtonClicked);
}

void ListStatusView::setBusy(bool busy) {
    m_busy->setVisible(busy);
}

void ListStatusView::showLook(const ListStatus& status) {
    setBusy(status.isLoading());
    setStale(status.isStale(), status.lastRefresh());
}

void ListStatusView::showStatus(const ListStatus& status, const QString& what) {
    showLook(status);
    m_banner->showWords(status.words(what));
}

void ListStatusView::setStale(bool stale, const QDateTime& lastRefresh) {
    if (m_stale == stale)
        return;
    m_stale = stale;
    QPalette pal = m_rows->palette();
    pal.setColor(QPalette::Active, QPalette::Text,
                 stale ? palette().color(QPalette::Disabled, QPalette::Text)
                       : palette().color(QPalette::Active, QPalette::Text));
    pal.setColor(QPalette::Inactive, QPalette::Text, pal.color(QPalette::Active, QPalette::Text));
    m_rows->setPalette(pal);
    m_rows->setToolTip(
        stale && lastRefresh.isValid()
            ? tr("Out of date: last updated %1").arg(lastRefresh.toString(QStringLiteral("HH:mm")))
            : QString());
}

void ListStatusView::showContent() {
    m_stack->setCurrentIndex(ContentPage);
}

void ListStatusView::showPage(const QString& text, bool withButton) {
    m_pageLabel->setText(text);
    m_pageButton->setVisible(withButton);
    m_stack->setCurrentIndex(StatePage);
}

bool ListStatusView::isPageShown() const {
    return m_stack->currentIndex() == StatePage;
}

QString ListStatusView::pageText() const {
    return isPageShown() ? m_pageLabel->text() : QString();
}

} // namespace legba
