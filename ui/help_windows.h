// Help ▸ User guide and Help ▸ Keyboard shortcuts. The guide is the README and docs/*.md,
// built into the library as Qt resources so an installed workbench has them too, shown
// as Markdown with their links between pages followed.
#pragma once

#include <QString>

class QDialog;
class QTextBrowser;
class QWidget;

namespace sweet::ui {

// The guide's first page (README.md); docs/ pages sit beside it as in the source tree.
QString userGuideUrl();
// A window browsing the guide, deleted when closed; `browser` receives its text view.
QDialog* showUserGuide(QWidget* parent, QTextBrowser** browser = nullptr);
// Every menu action of `window` that has a shortcut: "Ctrl+E\tCurrent plot, one column…"
// per line, in menu order.
QString shortcutsText(const QWidget* window);
QDialog* showShortcuts(QWidget* parent);

}  // namespace sweet::ui
