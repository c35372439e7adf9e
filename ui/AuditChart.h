#pragma once

#include <QWidget>
#include <vector>

class QBarSet;
class QChart;
class QChartView;
class QDateTimeAxis;
class QLineSeries;
class QStackedBarSeries;
class QValueAxis;

class QLabel;

namespace legba {

class AuditStore;

// Events over time above the audit table: one stacked bar per minute, hour or day
// (whichever fits the range), successes and failures in their own colours. Counts the
// loaded events (the store), not the whole log: the title says how many that is.
// Clicking a bar asks for the range to narrow to it.
class AuditChart : public QWidget {
    Q_OBJECT

public:
    explicit AuditChart(QWidget* parent = nullptr);

    // The range the table shows; an invalid since means "from the oldest loaded event",
    // an invalid until "up to now".
    void setRange(qint64 sinceMs, qint64 untilMs);
    // Counts again from the store; cheap enough (a pass over 40-byte records) to run
    // after each page, throttled by the caller.
    void rebuild(const AuditStore& store, bool complete);

    qint64 bucketMs() const { return m_bucketMs; }
    qint64 firstBucketMs() const { return m_startMs; }
    int bucketCount() const { return static_cast<int>(m_success.size()); }
    int successAt(int bucket) const { return m_success.at(static_cast<std::size_t>(bucket)); }
    int failureAt(int bucket) const { return m_failure.at(static_cast<std::size_t>(bucket)); }
    QChartView* view() const { return m_view; }
    QString title() const;

    static qint64 bucketFor(qint64 spanMs);
    // The smallest of 1, 2, 5, 10, 20, 50... that is at least `value`.
    static qreal niceCeiling(int value);

Q_SIGNALS:
    // [startMs, endMs) of the bar clicked.
    void bucketClicked(qint64 startMs, qint64 endMs);

private:
    void onBarClicked(int index);

    QChartView* m_view;
    QChart* m_chart;
    // The title is a label over the chart, not QChart's title: the chart lays itself out
    // again (text documents and all) whenever its title changes, and this one changes with
    // every page while events stream in.
    QLabel* m_title;
    QStackedBarSeries* m_series;
    QBarSet* m_successSet;
    QBarSet* m_failureSet;
    QValueAxis* m_slots; // x of the bars: bucket 0, 1, 2...
    QValueAxis* m_counts;
    QDateTimeAxis* m_dates;
    QLineSeries* m_dateCarrier;
    qint64 m_sinceMs = 0;
    qint64 m_untilMs = 0;
    qint64 m_startMs = 0;
    qint64 m_bucketMs = 3'600'000;
    std::vector<int> m_success;
    std::vector<int> m_failure;
};

} // namespace legba
