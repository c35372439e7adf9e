#pragma once

#include "ConnectionManager.h"

#include <QMessageBox>
#include <optional>

class QCheckBox;
class QPushButton;

namespace legba {

// The confirmation of Remove Organization…: names what goes (the profile and its keychain
// entry, the key staying valid on the server) and, when the profile has a local audit
// archive, asks whether it goes too, saying how big it is and where it stays otherwise.
// Cancel is the default button; the archive is kept unless its box is ticked.
class RemoveOrganizationBox : public QMessageBox {
    Q_OBJECT

public:
    RemoveOrganizationBox(const Profile& profile, const std::optional<ProfileArchive>& archive,
                          QWidget* parent = nullptr);

    // After exec(): Remove was clicked.
    bool removeConfirmed() const;
    // After exec(): what to do with the archive (Keep when there is none).
    ConnectionManager::ArchiveChoice archiveChoice() const;
    // The "also delete the archive" box; null when the profile has no archive.
    QCheckBox* archiveBox() const { return m_archiveBox; }

private:
    QPushButton* m_remove = nullptr;
    QCheckBox* m_archiveBox = nullptr;
};

} // namespace legba
