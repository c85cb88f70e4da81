// Loads run files off the GUI thread (QtConcurrent + QFutureWatcher): the run data and,
// when the file has them, its gradient records. Errors come back per file, never thrown
// into the event loop.
#pragma once

#include "analysis/gradient_conflict.h"
#include "analysis/run_data.h"

#include <QFutureWatcher>
#include <QObject>
#include <QStringList>

#include <memory>
#include <optional>
#include <vector>

namespace sweet::ui {

// One loaded run: immutable once loaded, shared by every view.
struct LoadedRun {
  analysis::RunData data;
  std::optional<analysis::GradientRecords> gradients;
  std::optional<analysis::GradientRecords> secondProbe;  // /gradients/probe2, when recorded (Fig. 9)
  std::optional<analysis::GradientRecords> projected;    // /gradients/projected: a pcgrad run's, after surgery
};
using RunPtr = std::shared_ptr<const LoadedRun>;

struct LoadBatch {
  std::vector<RunPtr> runs;
  std::vector<std::pair<QString, QString>> errors;  // path, message
  // `sweet pretrain` files (no exits, nothing to compare): not errors of the file, so the
  // window lists them in one note rather than warning about each (path, note).
  std::vector<std::pair<QString, QString>> pretraining;
  bool reload = false;  // a re-read of open files that grew: errors go to the status bar only
};

// Synchronous load of several files (used by the worker and by headless export).
LoadBatch loadRunFiles(const QStringList& paths);

class RunLoader : public QObject {
  Q_OBJECT
 public:
  explicit RunLoader(QObject* parent = nullptr);
  // Starts loading; batches requested while one is in flight are queued behind it.
  // `reload`: a quiet re-read of files already open (live runs).
  void load(const QStringList& paths, bool reload = false);
  bool busy() const { return watcher_.isRunning(); }

 Q_SIGNALS:
  void loaded(const sweet::ui::LoadBatch& batch);

 private:
  void startNext();
  QFutureWatcher<LoadBatch> watcher_;
  std::vector<std::pair<QStringList, bool>> pending_;
};

}  // namespace sweet::ui
