#pragma once

#include "Types.h"

#include <QDialog>
#include <QList>

class QLabel;
class QPushButton;
class QRadioButton;

namespace legba {

// Says what rotating a key does to the old one (it stops at once, or after the grace
// period chosen here) before anything happens. For the key this app uses, it says how the
// app switches to the new key.
class RotateKeyDialog : public QDialog {
    Q_OBJECT

public:
    struct Options {
        bool ownKey = false;      // the key this app uses
        bool graceAllowed = true; // false: the key in use lacks keys:write (own key only)
        QString whyNoGrace;       // tooltip for the disabled grace choices
    };

    RotateKeyDialog(const ApiKey& key, Options options, QWidget* parent = nullptr);

    // 0 (at once), 3600, 86400 or 604800.
    int gracePeriodSeconds() const;
    void setGracePeriodSeconds(int seconds);

    QPushButton* rotateButton() const { return m_rotate; }
    QList<QRadioButton*> graceChoices() const { return m_choices; }

private:
    void updateOutcome();

    ApiKey m_key;
    Options m_options;
    QList<QRadioButton*> m_choices;
    QLabel* m_outcome;
    QPushButton* m_rotate;
};

} // namespace legba
