#pragma once

#include "Types.h"

#include <QDialog>

class QButtonGroup;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace legba {

// Image (the known ones, or another typed in) and size, each size with a line saying what
// it is for. The dialog closes before anything is sent: an empty image is named under the
// image field, and the server's verdict on the image shows in the Instances pane's banner.
class NewInstanceDialog : public QDialog {
    Q_OBJECT

public:
    explicit NewInstanceDialog(QWidget* parent = nullptr);

    NewInstanceRequest request() const;
    QComboBox* imageField() const { return m_image; }

    static QStringList knownImages();

private:
    void setImageError(const QString& message);
    void validate();

    QComboBox* m_image;
    QLabel* m_imageError;
    QButtonGroup* m_sizes;
    QDialogButtonBox* m_buttons;
};

// Asks for a word to be typed before something that cannot be undone.
class TypedConfirmationDialog : public QDialog {
    Q_OBJECT

public:
    TypedConfirmationDialog(const QString& title, const QString& text, QString expected,
                            const QString& actionText, QWidget* parent = nullptr);
    QLineEdit* field() const { return m_field; }

private:
    QString m_expected;
    QLineEdit* m_field;
};

} // namespace legba
