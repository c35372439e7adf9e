#include "RemoveOrganizationBox.h"

#include <QCheckBox>
#include <QDir>
#include <QLocale>
#include <QPushButton>

namespace legba {

RemoveOrganizationBox::RemoveOrganizationBox(const Profile& profile,
                                             const std::optional<ProfileArchive>& archive,
                                             QWidget* parent)
    : QMessageBox(QMessageBox::Warning, tr("Remove Organization"),
                  tr("Remove '%1' from Legba Admin and delete its API key from the system "
                     "keychain? The key itself stays valid on the server.")
                      .arg(profile.displayName),
                  QMessageBox::Cancel, parent) {
    setObjectName(QStringLiteral("removeOrganizationBox"));
    m_remove = addButton(tr("Remove"), QMessageBox::DestructiveRole);
    m_remove->setObjectName(QStringLiteral("removeOrganizationButton"));
    setDefaultButton(QMessageBox::Cancel);
    if (!archive)
        return;
    const QString size = QLocale().formattedDataSize(archive->bytes, 1, QLocale::DataSizeSIFormat);
    const QString path = QDir::toNativeSeparators(archive->path);
    setInformativeText(tr("This computer keeps a copy of its audit log, with the events the "
                          "server may no longer have. Unless you tick the box below, it stays "
                          "in:\n%1")
                           .arg(path));
    m_archiveBox = new QCheckBox(tr("Also delete its local audit archive (%1)").arg(size), this);
    m_archiveBox->setObjectName(QStringLiteral("deleteArchiveBox"));
    m_archiveBox->setAccessibleName(tr("Also delete the local audit archive"));
    m_archiveBox->setToolTip(path);
    m_archiveBox->setChecked(false); // keep: deleting history cannot be undone
    setCheckBox(m_archiveBox);
}

bool RemoveOrganizationBox::removeConfirmed() const {
    return clickedButton() == m_remove;
}

ConnectionManager::ArchiveChoice RemoveOrganizationBox::archiveChoice() const {
    return m_archiveBox && m_archiveBox->isChecked() ? ConnectionManager::ArchiveChoice::Delete
                                                     : ConnectionManager::ArchiveChoice::Keep;
}

} // namespace legba
