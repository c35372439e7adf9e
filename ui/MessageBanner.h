#pragma once

#include "ListStatus.h"
#include "Types.h"

#include <QFrame>
#include <vector>

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
    // Words made by failureWords() or ListStatus::words(); empty words clear the banner.
    void showWords(const StatusWords& words);
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

// A list answer with elements this client could not read: says how many were left out and
// why (the first problem, named by its field), as a warning; does nothing when none were.
void showUnreadable(MessageBanner* banner, const std::vector<UnreadableItem>& unreadable,
                    const QString& singular, const QString& plural);

} // namespace legba
