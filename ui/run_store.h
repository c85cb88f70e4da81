// The set of runs open in the workbench: the single data source every view listens to.
// Adding a run whose path is already open replaces it (a live run re-read after it ends).
#pragma once

#include "ui/run_loader.h"

#include <QObject>

#include <vector>

namespace sweet::ui {

class RunStore : public QObject {
  Q_OBJECT
 public:
  explicit RunStore(QObject* parent = nullptr) : QObject(parent) {}

  const std::vector<RunPtr>& runs() const { return runs_; }
  void add(const std::vector<RunPtr>& runs) {
    for (const RunPtr& run : runs) {
      bool replaced = false;
      for (RunPtr& existing : runs_)
        if (existing->data.path == run->data.path) existing = run, replaced = true;
      if (!replaced) runs_.push_back(run);
    }
    Q_EMIT changed();
  }
  void clear() {
    runs_.clear();
    Q_EMIT changed();
  }

 Q_SIGNALS:
  void changed();

 private:
  std::vector<RunPtr> runs_;
};

}  // namespace sweet::ui
