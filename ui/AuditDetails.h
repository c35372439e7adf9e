#pragma once

#include "Types.h"

#include <QWidget>

class QFormLayout;
class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace legba {

// The selected audit event: every field, selectable and copyable, and its details
// pretty-printed.
class AuditDetails : public QWidget {
    Q_OBJECT

public:
    explicit AuditDetails(QWidget* parent = nullptr);

    // `json` is the event in the contract's shape, for "Copy as JSON".
    void showAuditEvent(const AuditEvent& event, const QByteArray& json);
    void clear();
    QString fieldText(const QString& name) const;
    QString detailsText() const;
    const QByteArray& eventJson() const { return m_json; }

private:
    void addField(const QString& key, const QString& label, bool monospace);

    QFormLayout* m_form;
    QHash<QString, QLabel*> m_values;
    QPlainTextEdit* m_details;
    QPushButton* m_copyDetails;
    QPushButton* m_copyJson;
    QLabel* m_placeholder;
    QByteArray m_json;
};

} // namespace legba
