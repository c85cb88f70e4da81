// Keeps a window's menu shortcuts working while a text field has focus. A line edit (and
// the one inside every spin box) claims editing keys before the shortcut map sees them:
// on X11 Ctrl+E moves to the end of the line, so Export did nothing while a threshold box
// had focus. The menu's shortcuts win instead; the field loses only those keys.
#pragma once

#include <QObject>

class QWidget;

namespace sweet::ui {

class WindowShortcuts : public QObject {
  Q_OBJECT
 public:
  // Watches the shortcut overrides of `window`'s widgets (an application event filter,
  // removed with this object, which `window` owns).
  explicit WindowShortcuts(QWidget* window);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  QWidget* window_;
};

}  // namespace sweet::ui
