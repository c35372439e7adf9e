#include "PrivilegePanel.h"

#include "KeysModel.h"
#include "ListStatus.h"
#include "Session.h"
#include "TimeFormat.h"

#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace legba {

namespace {

using Window = PrivilegeAdvisor::Window;
using Verdict = PrivilegeAdvisor::Verdict;

constexpr Window kWindows[] = {Window::Days30, Window::Days90, Window::AllLoaded};

enum ScopeColumn { ScopeCol, HeldCol, UsedCol, EventsCol, FirstCol, LastCol, ScopeColumns };

bool isLive(const ApiKey& key) {
    return key.status == KeyStatus::Active && !key.revokedAt.isValid();
}

BadgeTone toneOf(Verdict verdict) {
    switch (verdict) {
    case Verdict::UsesAllItHolds:
        return BadgeTone::Good;
    case Verdict::HoldsUnused:
        return BadgeTone::Warning;
    case Verdict::Unused:
        return BadgeTone::Neutral;
    }
    return BadgeTone::Neutral;
}

QString scopeList(const QList<Scope>& scopes) {
    QStringList names;
    for (Scope scope : scopes)
        names << wireName(scope);
    return names.join(QStringLiteral(", "));
}

QString graceText(int seconds) {
    switch (seconds) {
    case 0:
        return PrivilegePanel::tr("Revoke it now");
    case 3600:
        return PrivilegePanel::tr("Revoke it in 1 hour");
    case 86400:
        return PrivilegePanel::tr("Revoke it in 1 day");
    case 7 * 86400:
        return PrivilegePanel::tr("Revoke it in 7 days");
    default:
        return PrivilegePanel::tr("Do not revoke it (I will, from this pane)");
    }
}

} // namespace

PrivilegePanel::PrivilegePanel(Session* session, KeysModel* model, QWidget* parent)
    : QWidget(parent)
    , m_session(session)
    , m_model(model)
    , m_evidence(new PrivilegeEvidence(session->client(), this))
    , m_narrowing(new KeyNarrowing(session, this))
    , m_window(new QComboBox(this))
    , m_load(new QPushButton(tr("Read audit log"), this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
    , m_status(new QLabel(this))
    , m_verdict(new QLabel(this))
    , m_scopes(new QTableWidget(0, ScopeColumns, this))
    , m_evidenceText(new QLabel(this))
    , m_replace(new QPushButton(tr("Replace with a narrower key…"), this))
    , m_pending(new QLabel(this))
    , m_cancelRevoke(new QPushButton(tr("Keep the old key"), this)) {
    setObjectName(QStringLiteral("privilegePanel"));
    setAccessibleName(tr("Least privilege"));
    for (Window window : kWindows)
        m_window->addItem(PrivilegeAdvisor::windowText(window), static_cast<int>(window));
    m_window->setObjectName(QStringLiteral("privilegeWindow"));
    m_window->setAccessibleName(tr("Period of the evidence"));
    m_window->setToolTip(tr("Which recorded requests count: those of the last 30 or 90 days, "
                            "or every event loaded"));
    m_load->setObjectName(QStringLiteral("privilegeLoad"));
    m_load->setToolTip(tr("Read the audit log over the period to see which scopes each key "
                          "used"));
    m_cancel->setObjectName(QStringLiteral("privilegeCancel"));
    m_cancel->hide();
    m_status->setObjectName(QStringLiteral("privilegeStatus"));
    m_status->setWordWrap(true);
    m_verdict->setObjectName(QStringLiteral("privilegeVerdict"));
    m_verdict->setWordWrap(true);
    QFont bold = m_verdict->font();
    bold.setBold(true);
    m_verdict->setFont(bold);
    m_scopes->setObjectName(QStringLiteral("privilegeScopes"));
    m_scopes->setAccessibleName(tr("Scopes held and used"));
    m_scopes->setHorizontalHeaderLabels(
        {tr("Scope"), tr("Held"), tr("Used"), tr("Requests"), tr("First use"), tr("Last use")});
    m_scopes->verticalHeader()->hide();
    m_scopes->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_scopes->setSelectionMode(QAbstractItemView::NoSelection);
    m_scopes->setShowGrid(false);
    m_scopes->horizontalHeader()->setStretchLastSection(true);
    const int charWidth = m_scopes->fontMetrics().averageCharWidth();
    m_scopes->setColumnWidth(ScopeCol, charWidth * 18);
    m_scopes->setColumnWidth(HeldCol, charWidth * 8);
    m_scopes->setColumnWidth(UsedCol, charWidth * 10);
    m_scopes->setColumnWidth(EventsCol, charWidth * 10);
    m_scopes->setColumnWidth(FirstCol, charWidth * 28);
    m_scopes->setMaximumHeight(m_scopes->fontMetrics().height() * 9);
    m_evidenceText->setObjectName(QStringLiteral("privilegeEvidence"));
    m_evidenceText->setWordWrap(true);
    m_replace->setObjectName(QStringLiteral("privilegeReplace"));
    m_pending->setObjectName(QStringLiteral("privilegePending"));
    m_pending->setWordWrap(true);
    m_cancelRevoke->setObjectName(QStringLiteral("privilegeCancelRevoke"));

    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Least privilege over"), this));
    top->addWidget(m_window);
    top->addWidget(m_load);
    top->addWidget(m_cancel);
    top->addWidget(m_status, 1);
    auto* bottom = new QHBoxLayout;
    bottom->addWidget(m_evidenceText, 1);
    bottom->addWidget(m_replace);
    auto* pending = new QHBoxLayout;
    pending->addWidget(m_pending, 1);
    pending->addWidget(m_cancelRevoke);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->addLayout(top);
    layout->addWidget(m_verdict);
    layout->addWidget(m_scopes);
    layout->addLayout(bottom);
    layout->addLayout(pending);

    connect(m_window, &QComboBox::currentIndexChanged, this, &PrivilegePanel::load);
    connect(m_load, &QPushButton::clicked, this, &PrivilegePanel::load);
    connect(m_cancel, &QPushButton::clicked, m_evidence, &PrivilegeEvidence::cancel);
    connect(m_evidence, &PrivilegeEvidence::progress, this, &PrivilegePanel::showStatus);
    connect(m_evidence, &PrivilegeEvidence::finished, this, [this] {
        showStatus();
        updateVerdicts();
    });
    connect(m_replace, &QPushButton::clicked, this, &PrivilegePanel::replaceSelected);
    connect(m_narrowing, &KeyNarrowing::pendingChanged, this, &PrivilegePanel::showPending);
    connect(m_cancelRevoke, &QPushButton::clicked, this, [this] {
        if (m_key)
            m_narrowing->cancelRevoke(m_key->keyId);
    });
    connect(m_narrowing, &KeyNarrowing::revoked, this,
            [this](const QString& keyId, const std::optional<ApiError>& error) {
                if (error)
                    Q_EMIT failed(tr("The replaced key was not revoked."),
                                  failureWords(*error, QString()).detail);
                else
                    Q_EMIT oldKeyRevoked(keyId);
            });
    showStatus();
    showKey();
}

QString PrivilegePanel::whyNoEvidence() const {
    if (m_session->state() != Session::State::Connected)
        return tr("Connect to see which scopes each key uses.");
    if (m_session->identity() && !m_session->can(Scope::AuditRead))
        return tr("The key Legba Admin uses lacks audit:read: the advisor has no recorded "
                  "requests to read.");
    return {};
}

void PrivilegePanel::load() {
    if (!whyNoEvidence().isEmpty()) {
        m_evidence->clear();
        showStatus();
        updateVerdicts();
        return;
    }
    m_evidence->load(static_cast<Window>(m_window->currentData().toInt()));
    showStatus();
}

void PrivilegePanel::sessionChanged() {
    switch (m_session->state()) {
    case Session::State::Connected:
        if (!m_evidence->hasEvidence() && !m_evidence->isLoading())
            load();
        break;
    case Session::State::Disconnected:
        m_evidence->clear();
        m_narrowing->clear();
        m_model->clearPrivileges();
        break;
    default:
        break;
    }
    showStatus();
    showKey();
}

void PrivilegePanel::showStatus() {
    const bool loading = m_evidence->isLoading();
    m_cancel->setVisible(loading);
    m_load->setEnabled(!loading && whyNoEvidence().isEmpty());
    m_load->setText(m_evidence->hasEvidence() ? tr("Reload") : tr("Read audit log"));
    const QLocale locale;
    QString text;
    if (const QString why = whyNoEvidence(); !why.isEmpty()) {
        text = why;
    } else if (loading) {
        text =
            tr("Reading the audit log… %1 events")
                .arg(locale.toString(static_cast<qulonglong>(m_evidence->advisor().eventCount())));
    } else if (const auto& error = m_evidence->error()) {
        if (error->isNotFound())
            text = tr("This server offers no audit log: the advisor cannot tell which scopes "
                      "keys use. %1")
                       .arg(refusalReason(*error));
        else if (error->isForbidden())
            text = tr("The key Legba Admin uses may not read the audit log. %1")
                       .arg(refusalReason(*error));
        else {
            const StatusWords words = failureWords(*error, tr("Reading the audit log failed."));
            text = words.title + QLatin1Char(' ') + words.detail;
        }
    } else if (m_evidence->hasEvidence()) {
        const QString events =
            locale.toString(static_cast<qulonglong>(m_evidence->advisor().eventCount()));
        text = m_evidence->isComplete()
                   ? tr("%1 events read.").arg(events)
                   : tr("%1 events read; stopped before the start of the period: the evidence "
                        "covers less.")
                         .arg(events);
    }
    m_status->setText(text);
}

void PrivilegePanel::updateVerdicts() {
    m_model->clearPrivileges();
    if (m_evidence->hasEvidence()) {
        for (const ApiKey& key : m_model->keys()) {
            if (!isLive(key))
                continue;
            const auto advice = m_evidence->advise(key);
            QString tip;
            if (!advice.used.isEmpty())
                tip += tr("Used: %1\n").arg(scopeList(advice.used));
            if (!advice.unused.isEmpty())
                tip += tr("Not used: %1\n").arg(scopeList(advice.unused));
            tip += advice.evidenceText();
            m_model->setPrivilege(key.keyId, {static_cast<int>(advice.verdict),
                                              advice.verdictText(), tip, toneOf(advice.verdict)});
        }
    }
    showKey();
}

void PrivilegePanel::setKey(const std::optional<ApiKey>& key) {
    m_key = key;
    showKey();
}

void PrivilegePanel::showKey() {
    m_scopes->setRowCount(0);
    m_scopes->setVisible(m_key && m_evidence->hasEvidence());
    m_evidenceText->clear();
    QString replaceWhy;
    if (!m_key) {
        m_verdict->setText(tr("Select a key to see the scopes it holds and uses."));
        replaceWhy = tr("Select a key to replace.");
    } else if (!isLive(*m_key)) {
        m_verdict->setText(tr("%1: not active.").arg(m_key->name));
        replaceWhy = tr("Only an active key can be replaced.");
    } else if (!m_evidence->hasEvidence()) {
        m_verdict->setText(tr("%1: no evidence yet.").arg(m_key->name));
        replaceWhy = tr("Read the audit log first.");
    } else {
        const auto advice = m_evidence->advise(*m_key);
        m_verdict->setText(tr("%1 %2.").arg(m_key->name, advice.verdictText()));
        m_scopes->setRowCount(static_cast<int>(advice.uses.size()));
        int row = 0;
        for (const auto& use : advice.uses) {
            const QStringList cells = {
                wireName(use.scope),
                use.held ? tr("held") : QString(),
                use.events > 0 ? tr("used") : tr("not used"),
                QString::number(use.events),
                use.first.isValid() ? timeformat::exactLocal(use.first) : QString(),
                use.last.isValid() ? timeformat::exactLocal(use.last) : QString()};
            for (int column = 0; column < ScopeColumns; ++column)
                m_scopes->setItem(row, column, new QTableWidgetItem(cells[column]));
            ++row;
        }
        QString evidence = advice.evidenceText(&timeformat::exactLocal);
        if (advice.firstEvent.isValid())
            evidence += tr("; first request %1, last %2")
                            .arg(timeformat::exactLocal(advice.firstEvent),
                                 timeformat::exactLocal(advice.lastEvent));
        m_evidenceText->setText(evidence + QLatin1Char('.'));
        replaceWhy = m_narrowing->whyNot(&*m_key, advice.narrowedScopes());
    }
    m_replace->setEnabled(replaceWhy.isEmpty());
    m_replace->setToolTip(replaceWhy.isEmpty()
                              ? tr("Generate a key with the same name and only the scopes this "
                                   "key used; then choose when to revoke this one")
                              : replaceWhy);
    showPending();
}

void PrivilegePanel::showPending() {
    const auto pending = m_key ? m_narrowing->pendingFor(m_key->keyId) : std::nullopt;
    m_pending->setVisible(pending.has_value());
    m_cancelRevoke->setVisible(pending.has_value());
    if (pending)
        m_pending->setText(tr("Replaced: this key will be revoked at %1, if Legba Admin is "
                              "still running then. Until then it keeps working.")
                               .arg(timeformat::exactLocal(pending->dueAt)));
}

void PrivilegePanel::replaceSelected() {
    if (!m_key || !m_evidence->hasEvidence())
        return;
    const ApiKey old = *m_key;
    const auto advice = m_evidence->advise(old);
    const std::optional<QString> why =
        m_narrowing->create(old, advice.narrowedScopes(), [this, old](Result<IssuedKey> result) {
            if (!result) {
                const StatusWords words =
                    failureWords(result.error(),
                                 tr("The narrower key for '%1' was not generated.").arg(old.name));
                Q_EMIT failed(words.title, words.detail);
                return;
            }
            Q_EMIT narrowedKeyIssued(std::move(result).value(), old);
        });
    if (why)
        Q_EMIT failed(tr("No narrower key was generated."), *why);
    showKey();
}

void PrivilegePanel::offerRevoke(const ApiKey& old) {
    auto* dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("graceDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Revoke the old key?"));
    auto* text = new QLabel(
        tr("The narrower key replaces '%1'. Move the programs that use '%1' to the new key, "
           "then revoke it. Legba Admin revokes it when the time you choose has passed, if it "
           "is still running then; until then '%1' keeps working.")
            .arg(old.name),
        dialog);
    text->setWordWrap(true);
    auto* chooser = new QComboBox(dialog);
    chooser->setObjectName(QStringLiteral("graceChooser"));
    chooser->setAccessibleName(tr("When to revoke the old key"));
    for (int seconds : kGraceChoices)
        chooser->addItem(graceText(seconds), seconds);
    chooser->setCurrentIndex(2); // a day: time to move a deployment, short enough to matter
    // Cancel, like the last choice, leaves the old key as it is.
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, dialog);
    auto* layout = new QVBoxLayout(dialog);
    layout->addWidget(text);
    layout->addWidget(chooser);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    connect(dialog, &QDialog::accepted, this, [this, old, chooser] {
        const int seconds = chooser->currentData().toInt();
        if (seconds >= 0)
            m_narrowing->scheduleRevoke(old, seconds);
    });
    m_graceDialog = dialog;
    m_graceChooser = chooser;
    dialog->open();
}

} // namespace legba
