#include "LeakScanDialog.h"

#include "KeyActions.h"
#include "KeysPane.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace legba {

namespace {

QString statusWord(const LeakFinding& finding) {
    if (finding.matches.empty())
        return LeakScanDialog::tr("Not of this organization");
    if (finding.live())
        return LeakScanDialog::tr("Active");
    const ApiKey& key = finding.matches.front();
    if (key.status == KeyStatus::Revoked)
        return LeakScanDialog::tr("Revoked");
    if (key.status == KeyStatus::Expired)
        return LeakScanDialog::tr("Expired");
    return key.status.wire();
}

const ApiKey* firstActive(const LeakFinding& finding) {
    for (const ApiKey& key : finding.matches) {
        if (key.status == KeyStatus::Active)
            return &key;
    }
    return nullptr;
}

} // namespace

LeakScanDialog::LeakScanDialog(KeyActions* keys, QWidget* parent)
    : QDialog(parent)
    , m_keys(keys)
    , m_scanner(new LeakScanner(this))
    , m_folders(new QListWidget(this))
    , m_addFolder(new QPushButton(tr("Add Folder…"), this))
    , m_removeFolder(new QPushButton(tr("Remove"), this))
    , m_includeIgnored(new QCheckBox(tr("Include git-ignored files"), this))
    , m_includeBinary(new QCheckBox(tr("Include binary files"), this))
    , m_scan(new QPushButton(tr("&Scan"), this))
    , m_cancel(new QPushButton(tr("Cancel Scan"), this))
    , m_progress(new QProgressBar(this))
    , m_progressText(new QLabel(this))
    , m_summary(new QLabel(this))
    , m_results(new QTableWidget(0, ColumnCount, this)) {
    setObjectName(QStringLiteral("leakScanDialog"));
    setWindowTitle(tr("Scan for Leaked Keys"));
    m_folders->setObjectName(QStringLiteral("leakScanFolders"));
    m_folders->setAccessibleName(tr("Folders to scan"));
    m_folders->setMaximumHeight(90);
    m_scan->setObjectName(QStringLiteral("leakScanStart"));
    m_scan->setDefault(true);
    m_cancel->setObjectName(QStringLiteral("leakScanCancel"));
    m_includeIgnored->setToolTip(tr("Also scan files that git ignores in the folders' "
                                    "repositories (build output, local settings, …)"));
    m_includeBinary->setToolTip(tr("Also scan files with a NUL byte near their start"));
    m_progress->setTextVisible(false);
    m_summary->setObjectName(QStringLiteral("leakScanSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_results->setObjectName(QStringLiteral("leakScanResults"));
    m_results->setHorizontalHeaderLabels(
        {tr("File"), tr("Line"), tr("Key (masked)"), tr("Matches"), tr("Status"), QString()});
    m_results->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_results->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_results->verticalHeader()->hide();
    m_results->horizontalHeader()->setStretchLastSection(false);
    m_results->horizontalHeader()->setSectionResizeMode(FileColumn, QHeaderView::Stretch);
    m_results->setColumnWidth(LineColumn, 50);
    m_results->setColumnWidth(KeyColumn, 190);
    m_results->setColumnWidth(MatchColumn, 220);
    m_results->setColumnWidth(ActiveColumn, 150);
    m_results->setColumnWidth(ActionColumn, 170);
    m_results->setAccessibleName(tr("Keys found"));

    auto* folderButtons = new QVBoxLayout;
    folderButtons->addWidget(m_addFolder);
    folderButtons->addWidget(m_removeFolder);
    folderButtons->addStretch(1);
    auto* folderRow = new QHBoxLayout;
    folderRow->addWidget(m_folders, 1);
    folderRow->addLayout(folderButtons);

    auto* options = new QHBoxLayout;
    options->addWidget(m_includeIgnored);
    options->addWidget(m_includeBinary);
    options->addStretch(1);
    options->addWidget(m_scan);

    auto* progressRow = new QHBoxLayout;
    progressRow->addWidget(m_progress, 1);
    progressRow->addWidget(m_progressText);
    progressRow->addWidget(m_cancel);

    auto* note = new QLabel(tr("Files are read on this computer; nothing is sent anywhere. "
                               "Found keys are matched to this organization's keys by "
                               "their first 12 characters and never shown whole."),
                            this);
    note->setWordWrap(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("Folders and files to scan:"), this));
    layout->addLayout(folderRow);
    layout->addLayout(options);
    layout->addLayout(progressRow);
    layout->addWidget(m_summary);
    layout->addWidget(m_results, 1);
    layout->addWidget(note);
    layout->addWidget(buttons);
    resize(980, 560);

    connect(m_addFolder, &QPushButton::clicked, this, &LeakScanDialog::addFolder);
    connect(m_removeFolder, &QPushButton::clicked, this, &LeakScanDialog::removeFolder);
    connect(m_folders, &QListWidget::itemSelectionChanged, this, &LeakScanDialog::updateButtons);
    connect(m_scan, &QPushButton::clicked, this, &LeakScanDialog::startScan);
    connect(m_cancel, &QPushButton::clicked, this, &LeakScanDialog::cancelScan);
    connect(buttons, &QDialogButtonBox::rejected, this, &LeakScanDialog::reject);
    connect(m_scanner, &LeakScanner::progress, this, &LeakScanDialog::onProgress);
    connect(m_scanner, &LeakScanner::finished, this, &LeakScanDialog::onFinished);
    updateButtons();
}

LeakScanDialog* LeakScanDialog::openFrom(KeysPane* pane) {
    auto* dialog = new LeakScanDialog(pane->actions(), pane);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    // The pane's own flows: its confirmation, the reveal-once dialog, its banner.
    const auto act = [pane](const QString& keyId, void (KeysPane::*action)()) {
        pane->filterField()->clear();
        pane->selectKey(keyId);
        if (const auto selected = pane->selectedKey(); selected && selected->keyId == keyId)
            (pane->*action)();
    };
    connect(dialog, &LeakScanDialog::rotateRequested, pane,
            [act](const QString& keyId) { act(keyId, &KeysPane::rotateSelected); });
    connect(dialog, &LeakScanDialog::revokeRequested, pane,
            [act](const QString& keyId) { act(keyId, &KeysPane::revokeSelected); });
    connect(pane, &KeysPane::operationFinished, dialog, &LeakScanDialog::refreshMatches);
    dialog->show();
    return dialog;
}

void LeakScanDialog::setFolders(const QStringList& folders) {
    m_folders->clear();
    for (const QString& folder : folders)
        m_folders->addItem(QDir::toNativeSeparators(folder));
    updateButtons();
}

QStringList LeakScanDialog::folders() const {
    QStringList out;
    for (int i = 0; i < m_folders->count(); ++i)
        out << QDir::fromNativeSeparators(m_folders->item(i)->text());
    return out;
}

void LeakScanDialog::addFolder() {
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Folder to Scan"));
    if (folder.isEmpty() || folders().contains(folder))
        return;
    m_folders->addItem(QDir::toNativeSeparators(folder));
    updateButtons();
}

void LeakScanDialog::removeFolder() {
    qDeleteAll(m_folders->selectedItems());
    updateButtons();
}

bool LeakScanDialog::isScanning() const {
    return m_listing || m_scanner->isRunning();
}

void LeakScanDialog::startScan() {
    if (isScanning() || m_folders->count() == 0)
        return;
    m_results->setRowCount(0);
    m_summary->setText(tr("Reading the organization's keys…"));
    m_progress->setRange(0, 0);
    m_progressText->clear();
    m_listing = true;
    updateButtons();
    m_listCall = m_keys->listForScan(
        this, [this](Result<KeyList> result) { onKeysListed(std::move(result)); });
}

void LeakScanDialog::cancelScan() {
    if (m_listing) {
        m_listCall.cancel();
        m_listing = false;
        m_summary->setText(tr("Scan cancelled."));
        m_progress->setRange(0, 1);
        updateButtons();
        return;
    }
    m_scanner->cancel();
}

void LeakScanDialog::onKeysListed(Result<KeyList> result) {
    m_listing = false;
    std::vector<ApiKey> keys;
    QString problem;
    if (result.ok())
        keys = std::move(result.value().keys);
    else
        problem = result.error().summary();
    LeakScanOptions options;
    options.paths = folders();
    options.includeIgnored = m_includeIgnored->isChecked();
    options.includeBinary = m_includeBinary->isChecked();
    m_scanner->start(options, keys);
    m_summary->setText(
        problem.isEmpty()
            ? tr("Scanning…")
            : tr("Scanning without the organization's keys (%1): findings are not matched.")
                  .arg(problem));
    m_keysProblem = problem;
    updateButtons();
}

void LeakScanDialog::onProgress(const LeakScanProgress& progress) {
    m_progress->setRange(0, static_cast<int>(std::min<qint64>(progress.totalFiles, INT_MAX)));
    m_progress->setValue(static_cast<int>(std::min<qint64>(progress.files, INT_MAX)));
    m_progressText->setText(
        tr("%1 of %2 files, %3 MB")
            .arg(progress.files)
            .arg(progress.totalFiles)
            .arg(static_cast<double>(progress.bytes) / (1024.0 * 1024.0), 0, 'f', 1));
}

void LeakScanDialog::onFinished(const LeakScanReport& report) {
    m_report = report;
    m_progress->setRange(0, 1);
    m_progress->setValue(1);
    showResults();
    updateButtons();
    Q_EMIT scanFinished();
}

void LeakScanDialog::refreshMatches() {
    if (isScanning() || m_report.findings.empty())
        return;
    m_listCall = m_keys->listForScan(this, [this](Result<KeyList> result) {
        if (!result.ok())
            return;
        QHash<QString, std::vector<ApiKey>> byPrefix;
        for (const ApiKey& key : result.value().keys)
            byPrefix[key.prefix].push_back(key);
        for (LeakFinding& finding : m_report.findings)
            finding.matches = byPrefix.value(finding.prefix);
        showResults();
    });
}

void LeakScanDialog::showResults() {
    m_results->setRowCount(static_cast<int>(m_report.findings.size()));
    int live = 0;
    for (int row = 0; row < m_results->rowCount(); ++row) {
        const LeakFinding& finding = m_report.findings[static_cast<std::size_t>(row)];
        auto* file = new QTableWidgetItem(QDir::toNativeSeparators(finding.file));
        file->setToolTip(file->text());
        m_results->setItem(row, FileColumn, file);
        auto* line = new QTableWidgetItem(QString::number(finding.line));
        line->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_results->setItem(row, LineColumn, line);
        auto* key = new QTableWidgetItem(finding.masked);
        key->setFont(QFont(QStringLiteral("monospace")));
        if (finding.kind == LeakFinding::Kind::Possible)
            key->setToolTip(tr("Not in the checksummed format: its first 12 characters are "
                               "those of this organization's key"));
        m_results->setItem(row, KeyColumn, key);
        QStringList names;
        for (const ApiKey& match : finding.matches)
            names << match.name;
        auto* matches = new QTableWidgetItem(names.isEmpty() ? tr("—") : names.join(tr(", ")));
        matches->setToolTip(finding.matchText());
        m_results->setItem(row, MatchColumn, matches);
        auto* status = new QTableWidgetItem(finding.kind == LeakFinding::Kind::Possible &&
                                                    !finding.matches.empty()
                                                ? tr("%1 (possible)").arg(statusWord(finding))
                                                : statusWord(finding));
        if (finding.live()) {
            ++live;
            status->setForeground(QColor(0xB0, 0x1E, 0x1E));
            QFont bold = status->font();
            bold.setBold(true);
            status->setFont(bold);
        }
        m_results->setItem(row, ActiveColumn, status);

        const ApiKey* active = firstActive(finding);
        if (!active) {
            m_results->removeCellWidget(row, ActionColumn);
            continue;
        }
        auto* cell = new QWidget(m_results);
        auto* cellLayout = new QHBoxLayout(cell);
        cellLayout->setContentsMargins(2, 0, 2, 0);
        auto* rotate = new QPushButton(tr("Rotate…"), cell);
        auto* revoke = new QPushButton(tr("Revoke…"), cell);
        rotate->setObjectName(QStringLiteral("leakRotate"));
        revoke->setObjectName(QStringLiteral("leakRevoke"));
        rotate->setAccessibleName(tr("Rotate %1").arg(active->name));
        revoke->setAccessibleName(tr("Revoke %1").arg(active->name));
        cellLayout->addWidget(rotate);
        cellLayout->addWidget(revoke);
        const QString keyId = active->keyId;
        connect(rotate, &QPushButton::clicked, this,
                [this, keyId] { Q_EMIT rotateRequested(keyId); });
        connect(revoke, &QPushButton::clicked, this,
                [this, keyId] { Q_EMIT revokeRequested(keyId); });
        m_results->setCellWidget(row, ActionColumn, cell);
    }

    QStringList parts;
    if (m_report.cancelled)
        parts << tr("Cancelled.");
    parts << tr("Keys found: %1, active in this organization: %2.")
                 .arg(m_report.findings.size())
                 .arg(live);
    parts << tr("Scanned %1 files (%2 MB); skipped %3 git-ignored, %4 binary, %5 too large, "
                "%6 symbolic links.")
                 .arg(m_report.filesScanned)
                 .arg(static_cast<double>(m_report.bytesScanned) / (1024.0 * 1024.0), 0, 'f', 1)
                 .arg(m_report.skippedIgnored)
                 .arg(m_report.skippedBinary)
                 .arg(m_report.skippedLarge)
                 .arg(m_report.skippedSymlinks);
    if (m_report.truncated)
        parts << tr("Stopped at the file limit: the rest was not scanned.");
    if (m_report.ignoreRulesUnknown)
        parts << tr("git was not found: ignored files were scanned too.");
    if (!m_report.errors.isEmpty())
        parts << tr("Paths that could not be read: %1 (hover for the list).")
                     .arg(m_report.errors.size());
    if (!m_keysProblem.isEmpty())
        parts << tr("The organization's keys could not be read (%1).").arg(m_keysProblem);
    m_summary->setText(parts.join(QLatin1Char(' ')));
    if (!m_report.errors.isEmpty())
        m_summary->setToolTip(m_report.errors.join(QLatin1Char('\n')));
}

void LeakScanDialog::updateButtons() {
    const bool scanning = isScanning();
    m_scan->setEnabled(!scanning && m_folders->count() > 0);
    m_cancel->setEnabled(scanning);
    m_addFolder->setEnabled(!scanning);
    m_removeFolder->setEnabled(!scanning && !m_folders->selectedItems().isEmpty());
    m_includeIgnored->setEnabled(!scanning);
    m_includeBinary->setEnabled(!scanning);
}

} // namespace legba
