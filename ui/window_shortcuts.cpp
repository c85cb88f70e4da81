// Menu shortcuts over text fields: see window_shortcuts.h.
#include "ui/window_shortcuts.h"

#include <QAction>
#include <QApplication>
#include <QKeyEvent>
#include <QMenuBar>
#include <QWidget>

namespace sweet::ui {

WindowShortcuts::WindowShortcuts(QWidget* window) : QObject(window), window_(window) {
  qApp->installEventFilter(this);
}

bool WindowShortcuts::eventFilter(QObject* watched, QEvent* event) {
  if (event->type() != QEvent::ShortcutOverride) return false;
  auto* widget = qobject_cast<QWidget*>(watched);
  if (!widget || widget->window() != window_) return false;
  const QKeySequence pressed(static_cast<QKeyEvent*>(event)->keyCombination());
  // Menus are read at each key press, so actions added later are covered too.
  for (const QAction* action : window_->findChildren<QAction*>())
    if (action->isEnabled() && action->shortcut() == pressed && !action->associatedObjects().isEmpty()) {
      event->ignore();  // not claimed by the field: the shortcut map triggers the action
      return true;
    }
  return false;
}

}  // namespace sweet::ui
