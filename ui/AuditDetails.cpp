#include "AuditDetails.h"

#include "Rfc3339.h"
#include "TimeFormat.h"

#include <QApplication>
#include <QClipboard>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>
#include <nlohmann/json.hpp>

namespace legba {

namespace {
void copy(const QString& text) {
    QApplication::clipboard()->setText(text);
}
} // namespace

AuditDetails::AuditDetails(QWidget* parent)
    : QWidget(parent)
    , m_form(new QFormLayout)
    , m_details(new QPlainTextEdit(this))
    , m_copyDetails(new QPushButton(tr("Copy details"), this))
    , m_copyJson(new QPushButton(tr("Copy event as JSON"), this))
    , m_placeholder(new QLabel(tr("Select an event to see all of it here."), this)) {
    setObjectName(QStringLiteral("auditDetails"));
    setAccessibleName(tr("Event details"));
    m_form->setLabelAlignment(Qt::AlignRight);
    m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    addField(QStringLiteral("event_id"), tr("Event id"), true);
    addField(QStringLiteral("occurred_at"), tr("Time"), false);
    addField(QStringLiteral("actor"), tr("Actor"), false);
    addField(QStringLiteral("actor_key_id"), tr("Key id"), true);
    addField(QStringLiteral("action"), tr("Action"), false);
    addField(QStringLiteral("target"), tr("Target"), true);
    addField(QStringLiteral("outcome"), tr("Outcome"), false);
    addField(QStringLiteral("ip"), tr("IP address"), true);
    addField(QStringLiteral("user_agent"), tr("User agent"), false);
    addField(QStringLiteral("request_id"), tr("Request id"), true);

    m_details->setReadOnly(true);
    m_details->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_details->setAccessibleName(tr("Details, pretty-printed"));
    m_details->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_copyDetails->setIcon(QIcon::fromTheme(QStringLiteral("edit-copy")));
    m_copyDetails->setToolTip(tr("Copy the details object as JSON"));
    m_copyJson->setIcon(QIcon::fromTheme(QStringLiteral("edit-copy")));
    m_copyJson->setToolTip(tr("Copy the whole event as one JSON object"));
    m_placeholder->setWordWrap(true);
    m_placeholder->setAlignment(Qt::AlignCenter);

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_copyDetails);
    buttons->addWidget(m_copyJson);
    buttons->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 0, 0, 0);
    layout->addWidget(m_placeholder);
    layout->addLayout(m_form);
    layout->addWidget(new QLabel(tr("Details"), this));
    layout->addWidget(m_details, 1);
    layout->addLayout(buttons);

    connect(m_copyDetails, &QPushButton::clicked, this, [this] { copy(m_details->toPlainText()); });
    connect(m_copyJson, &QPushButton::clicked, this, [this] { copy(QString::fromUtf8(m_json)); });
    clear();
}

void AuditDetails::addField(const QString& key, const QString& label, bool monospace) {
    auto* value = new QLabel(this);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    value->setWordWrap(true);
    value->setAccessibleName(label);
    if (monospace)
        value->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    auto* button = new QToolButton(this);
    button->setIcon(QIcon::fromTheme(QStringLiteral("edit-copy")));
    button->setText(tr("Copy"));
    button->setToolButtonStyle(Qt::ToolButtonIconOnly);
    button->setAutoRaise(true);
    button->setToolTip(tr("Copy %1").arg(label.toLower()));
    button->setAccessibleName(tr("Copy %1").arg(label.toLower()));
    connect(button, &QToolButton::clicked, this, [value] { copy(value->text()); });
    auto* row = new QHBoxLayout;
    row->addWidget(value, 1);
    row->addWidget(button, 0, Qt::AlignTop);
    m_form->addRow(label, row);
    m_values.insert(key, value);
}

void AuditDetails::clear() {
    for (QLabel* value : std::as_const(m_values))
        value->clear();
    m_details->clear();
    m_json.clear();
    m_copyDetails->setEnabled(false);
    m_copyJson->setEnabled(false);
    m_placeholder->show();
}

void AuditDetails::showAuditEvent(const AuditEvent& e, const QByteArray& json) {
    m_placeholder->hide();
    m_values[QStringLiteral("event_id")]->setText(e.eventId);
    m_values[QStringLiteral("occurred_at")]->setText(
        timeformat::exactLocal(e.occurredAt) + QStringLiteral(" (") +
        rfc3339::format(e.occurredAt) + QLatin1Char(')'));
    m_values[QStringLiteral("actor")]->setText(e.actor ? e.actor->name + QStringLiteral(" (") +
                                                             e.actor->prefix + QLatin1Char(')')
                                                       : tr("unauthenticated"));
    m_values[QStringLiteral("actor_key_id")]->setText(e.actor ? e.actor->keyId : QString());
    m_values[QStringLiteral("action")]->setText(e.action);
    m_values[QStringLiteral("target")]->setText(
        e.target ? e.target->type + QLatin1Char(' ') + e.target->id : QString());
    const QString outcome = e.succeeded() ? tr("success")
                            : e.failed()  ? tr("failure")
                                          : e.outcome.wire(); // the server's own word
    m_values[QStringLiteral("outcome")]->setText(outcome + QStringLiteral(" (") +
                                                 QString::number(e.statusCode) + QLatin1Char(')'));
    m_values[QStringLiteral("ip")]->setText(e.ip);
    m_values[QStringLiteral("user_agent")]->setText(e.userAgent);
    m_values[QStringLiteral("request_id")]->setText(e.requestId);
    const QByteArray raw = e.detailsJson.isEmpty() ? QByteArrayLiteral("{}") : e.detailsJson;
    const auto parsed = nlohmann::json::parse(raw.begin(), raw.end(), nullptr, false);
    m_details->setPlainText(parsed.is_discarded()
                                ? QString::fromUtf8(raw)
                                : QString::fromStdString(parsed.dump(
                                      2, ' ', false, nlohmann::json::error_handler_t::replace)));
    m_json = json;
    m_copyDetails->setEnabled(true);
    m_copyJson->setEnabled(true);
}

QString AuditDetails::fieldText(const QString& name) const {
    const QLabel* value = m_values.value(name);
    return value ? value->text() : QString();
}

QString AuditDetails::detailsText() const {
    return m_details->toPlainText();
}

} // namespace legba
