#pragma once

#include <QDialog>

class QLabel;

namespace legba {

// "About Legba Admin": the version, the build it came from (commit and date), and the
// licences of the app and of the libraries it ships with.
class AboutDialog : public QDialog {
    Q_OBJECT

public:
    explicit AboutDialog(QWidget* parent = nullptr);
    ~AboutDialog() override;

    // "0.1.0", from the CMake project version.
    static QString version();
    // "commit 1a2b3c4d5e6f, built 2026-11-29, Qt 6.4.2": what a bug report needs.
    static QString buildDescription();

    QLabel* versionLabel() const { return m_version; }
    QLabel* buildLabel() const { return m_build; }
    QLabel* licencesLabel() const { return m_licences; }

private:
    QLabel* m_version;
    QLabel* m_build;
    QLabel* m_licences;
};

} // namespace legba
