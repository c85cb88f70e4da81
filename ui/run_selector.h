// A run selector (a combo box of run names, each item's data its file path) refilled from
// a new list of runs: the run chosen before stays chosen when it is still listed, and the
// refill emits no index change (the caller redraws once, for the final choice).
#pragma once

#include "ui/run_loader.h"

#include <QComboBox>
#include <QSignalBlocker>

#include <vector>

namespace sweet::ui {

inline void refillRunSelector(QComboBox* selector, const std::vector<RunPtr>& runs, const QString& chosenPath) {
  const QSignalBlocker block(selector);
  selector->clear();
  for (const RunPtr& r : runs) selector->addItem(QString::fromStdString(r->data.runName), QString::fromStdString(r->data.path));
  const int keep = selector->findData(chosenPath);
  selector->setCurrentIndex(keep >= 0 ? keep : 0);
}

}  // namespace sweet::ui
