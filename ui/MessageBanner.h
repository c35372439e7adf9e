#pragma once

#include <QFrame>

class QLabel;
class QPushButton;

namespace legba {

// The in-place message above a table: what failed, why (the server's message and
// request id), and what to do, with a Retry button. Never a modal box.
class MessageBanner : public QFrame {
    Q_OBJECT

public:
    enum class Kind { Error, Warning, Info };

    explicit MessageBanner(QWidget* parent = nullptr);

    void showMessage(Kind kind, const QString& title, const QString& detail,
                     bool offerRetry = true);
    // The button's words; "Retry" unless said otherwise.
    void setActionText(const QString& text);
    void clear();
    QString text() const;

Q_SIGNALS:
    void retryRequested();

private:
    QLabel* m_icon;
    QLabel* m_title;
    QLabel* m_detail;
    QPushButton* m_retry;
};

} // namespace legba
