#include "AuditChart.h"

#include "AuditStore.h"
#include "Badge.h"
#include "StatusBadgeDelegate.h"

#include <QDateTime>
#include <QLabel>
#include <QLegendMarker>
#include <QTimeZone>
#include <QVBoxLayout>
#include <QtCharts/QBarSet>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QDateTimeAxis>
#include <QtCharts/QLineSeries>
#include <QtCharts/QStackedBarSeries>
#include <QtCharts/QValueAxis>
#include <cmath>

namespace legba {

namespace {
constexpr qint64 kMinute = 60'000;
constexpr qint64 kHour = 60 * kMinute;
constexpr qint64 kDay = 24 * kHour;
constexpr int kMaxBuckets = 400;
} // namespace

qint64 AuditChart::bucketFor(qint64 spanMs) {
    if (spanMs <= 3 * kHour)
        return kMinute;
    if (spanMs <= 8 * kDay)
        return kHour;
    return kDay;
}

AuditChart::AuditChart(QWidget* parent)
    : QWidget(parent)
    , m_view(new QChartView(this))
    , m_chart(new QChart)
    , m_title(new QLabel(this))
    , m_series(new QStackedBarSeries(this))
    , m_successSet(new QBarSet(tr("success"), this))
    , m_failureSet(new QBarSet(tr("failure"), this))
    , m_slots(new QValueAxis(this))
    , m_counts(new QValueAxis(this))
    , m_dates(new QDateTimeAxis(this))
    , m_dateCarrier(new QLineSeries(this)) {
    setAccessibleName(tr("Events over time"));
    setToolTip(tr("Loaded events over time, failures stacked in red. Click a bar to narrow "
                  "the range to it."));
    const QPalette pal = palette();
    const bool dark = pal.color(QPalette::Window).lightness() < 128;
    m_chart->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    m_chart->setBackgroundBrush(pal.color(QPalette::Base));
    m_chart->setBackgroundRoundness(0);
    m_chart->setMargins(QMargins(4, 2, 4, 2));
    m_chart->legend()->setAlignment(Qt::AlignRight);
    m_chart->setAnimationOptions(QChart::NoAnimation);
    QFont titleFont = font();
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_title->setAlignment(Qt::AlignCenter);
    m_title->setObjectName(QStringLiteral("auditChartTitle"));

    m_successSet->setColor(StatusBadgeDelegate::colorFor(static_cast<int>(BadgeTone::Good), pal));
    m_successSet->setBorderColor(m_successSet->color());
    m_failureSet->setColor(StatusBadgeDelegate::colorFor(static_cast<int>(BadgeTone::Bad), pal));
    m_failureSet->setBorderColor(m_failureSet->color());
    m_series->append(m_successSet);
    m_series->append(m_failureSet);
    m_series->setBarWidth(0.85);
    m_chart->addSeries(m_series);

    m_dateCarrier->setPen(QPen(Qt::transparent));
    m_chart->addSeries(m_dateCarrier);

    // Bars sit at x = 0, 1, 2...: a value axis without labels places them. A category axis
    // would make a (hidden) label item per bar and measure each one whenever the number of
    // bars changes, which it does while older events stream in.
    m_slots->setLabelsVisible(false);
    m_slots->setGridLineVisible(false);
    m_slots->setLineVisible(false);
    m_slots->setTickCount(2);
    m_chart->addAxis(m_slots, Qt::AlignTop);
    m_series->attachAxis(m_slots);
    m_counts->setLabelFormat(QStringLiteral("%d"));
    m_counts->setTickCount(3);
    m_chart->addAxis(m_counts, Qt::AlignLeft);
    m_series->attachAxis(m_counts);
    m_dates->setTickCount(7);
    m_dates->setGridLineVisible(false);
    m_chart->addAxis(m_dates, Qt::AlignBottom);
    m_dateCarrier->attachAxis(m_dates);
    m_dateCarrier->attachAxis(m_counts);
    for (QLegendMarker* marker : m_chart->legend()->markers(m_dateCarrier))
        marker->setVisible(false);

    m_view->setChart(m_chart);
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setObjectName(QStringLiteral("auditChartView"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_title);
    layout->addWidget(m_view);

    connect(m_series, &QStackedBarSeries::clicked, this,
            [this](int index, QBarSet*) { onBarClicked(index); });
}

void AuditChart::setRange(qint64 sinceMs, qint64 untilMs) {
    m_sinceMs = sinceMs;
    m_untilMs = untilMs;
}

void AuditChart::rebuild(const AuditStore& store, bool complete) {
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    qint64 since = m_sinceMs;
    qint64 until = m_untilMs ? m_untilMs : now;
    if (!since) {
        since = until - kDay;
        for (AuditStore::Index i = 0; i < store.size(); ++i)
            since = std::min(since, store.record(i).occurredMs);
    }
    m_bucketMs = bucketFor(until - since);
    // Buckets start on local minute, hour or day boundaries.
    const qint64 offset =
        static_cast<qint64>(QDateTime::fromMSecsSinceEpoch(since).offsetFromUtc()) * 1000;
    m_startMs = (since + offset) / m_bucketMs * m_bucketMs - offset;
    auto count = static_cast<std::size_t>((until - m_startMs + m_bucketMs - 1) / m_bucketMs);
    count = std::clamp<std::size_t>(count, 1, kMaxBuckets);
    m_success.assign(count, 0);
    m_failure.assign(count, 0);
    for (AuditStore::Index i = 0; i < store.size(); ++i) {
        const audit::AuditRecord& r = store.record(i);
        const qint64 b = (r.occurredMs - m_startMs) / m_bucketMs;
        if (r.occurredMs < m_startMs || b >= static_cast<qint64>(count))
            continue;
        // An outcome word of a newer API's is neither success nor failure: in no set.
        if (r.success())
            ++m_success[static_cast<std::size_t>(b)];
        else if (r.failure())
            ++m_failure[static_cast<std::size_t>(b)];
    }

    // Only what changed is handed to Qt Charts: each setter lays out axes and bars again.
    int highest = 0;
    for (std::size_t b = 0; b < count; ++b)
        highest = std::max(highest, m_success[b] + m_failure[b]);
    const auto buckets = static_cast<int>(count); // at most kMaxBuckets
    if (m_successSet->count() != buckets) {
        QList<qreal> good;
        QList<qreal> bad;
        for (std::size_t b = 0; b < count; ++b) {
            good << m_success[b];
            bad << m_failure[b];
        }
        m_successSet->remove(0, m_successSet->count());
        m_successSet->append(good);
        m_failureSet->remove(0, m_failureSet->count());
        m_failureSet->append(bad);
        m_slots->setRange(-0.5, buckets - 0.5);
    } else {
        for (int b = 0; b < buckets; ++b) {
            const auto i = static_cast<std::size_t>(b);
            if (m_successSet->at(b) != m_success[i])
                m_successSet->replace(b, m_success[i]);
            if (m_failureSet->at(b) != m_failure[i])
                m_failureSet->replace(b, m_failure[i]);
        }
    }
    // The count axis ends on a round number (1, 2 or 5 times a power of ten) at least 10 %
    // above the highest bar, so that it moves only now and then while bars grow.
    const qreal top = niceCeiling(highest + highest / 10 + 1);
    if (m_counts->max() != top || m_counts->min() != 0)
        m_counts->setRange(0, top);

    const qint64 end = m_startMs + static_cast<qint64>(count) * m_bucketMs;
    const QDateTime first = QDateTime::fromMSecsSinceEpoch(m_startMs);
    const QDateTime last = QDateTime::fromMSecsSinceEpoch(end);
    if (m_dates->min() != first || m_dates->max() != last) {
        m_dateCarrier->clear();
        m_dateCarrier->append(static_cast<qreal>(m_startMs), 0);
        m_dateCarrier->append(static_cast<qreal>(end), 0);
        m_dates->setRange(first, last);
    }
    const bool spansDays = end - m_startMs > kDay;
    const QString format = m_bucketMs == kDay ? QStringLiteral("MMM d")
                           : spansDays        ? QStringLiteral("MMM d HH:mm")
                                              : QStringLiteral("HH:mm");
    if (m_dates->format() != format)
        m_dates->setFormat(format);

    const QString unit = m_bucketMs == kMinute ? tr("minute")
                         : m_bucketMs == kHour ? tr("hour")
                                               : tr("day");
    const QString loaded = QLocale().toString(static_cast<qulonglong>(store.size()));
    m_title->setText(complete ? tr("Events per %1 (all %2 loaded)").arg(unit, loaded)
                              : tr("Events per %1 (the %2 loaded so far)").arg(unit, loaded));
}

QString AuditChart::title() const {
    return m_title->text();
}

qreal AuditChart::niceCeiling(int value) {
    qreal power = 1;
    while (true) {
        for (const int step : {1, 2, 5}) {
            if (step * power >= value)
                return step * power;
        }
        power *= 10;
    }
}

void AuditChart::onBarClicked(int index) {
    if (index < 0 || index >= bucketCount())
        return;
    const qint64 start = m_startMs + index * m_bucketMs;
    Q_EMIT bucketClicked(start, start + m_bucketMs);
}

} // namespace legba
