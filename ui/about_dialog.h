// Help ▸ About: what the workbench is and the versions it runs with (Qt, libtorch, HDF5),
// which is what a bug report needs first.
#pragma once

#include <QString>

class QWidget;

namespace sweet::ui {

QString aboutText();
void showAboutDialog(QWidget* parent);

}  // namespace sweet::ui
