// The run queue (controller side, GUI thread): planned runs wait here and go to
// TrainingWorkers, each on its own QThread; one run at a time by default, more when the
// user raises the parallel count (each run then trains with cores / parallel threads).
// Pausing keeps running runs going but starts no new one. Progress and gradient records
// are drained from the workers' buffers by a ~40 ms single-shot timer, so redraws are
// coalesced however fast steps arrive. Stop is immediate (an atomic flag); stopped and
// failed runs keep their files. Each worker is owned by its slot and deleted only after
// its thread has ended, so no call ever reaches a worker that is gone.
#pragma once

#include "analysis/gradient_conflict.h"
#include "ui/experiment_spec.h"
#include "analysis/run_state.h"
#include "training/runs/train_config.h"
#include "training/runs/trainer.h"

#include <QObject>
#include <QString>
#include <QThread>
#include <QTimer>

#include <memory>
#include <vector>

namespace sweet::ui {

class TrainingWorker;

struct QueuedRun {
  int id = 0;
  QString name;
  TrainConfig config;
  QString demoCheckpointDir;
  RunState state = RunState::Queued;
  bool paused = false;                     // running, held between two steps
  bool resume = false;                     // continues from the checkpoint its Stop (or a kill) left
  std::vector<int64_t> exitLayers;         // known once the run file exists
  int threads = 0;                         // libtorch threads it was started with
  StepMetrics progress;                    // latest step
  int64_t stepsSeen = 0;                   // step reports received (across threads)
  std::vector<std::vector<float>> losses;  // per step (row s is step s + 1), per exit
  int lossesGeneration = 0;                // bumped when `losses` is replaced, not grown
  analysis::GradientRecords gradients;     // records received so far (no norms, no raw)
  QString runFile, message;
};

// For display, translated ("queued", "running", …).
QString stateText(RunState state);

class RunQueue : public QObject {
  Q_OBJECT
 public:
  explicit RunQueue(QObject* parent = nullptr);
  ~RunQueue() override;

  int enqueue(const PlannedRun& run);
  // Takes in a run this queue did not start (a file opened from disk: left by an earlier
  // session of the workbench or by `sweet train`) as a row in `state` with the file's
  // progress, so it can be resumed like the queue's own. Starts nothing.
  int adopt(const QString& name, const TrainConfig& config, const QString& runFile, RunState state, int64_t stepsDone,
            int64_t totalSteps);
  const std::vector<QueuedRun>& runs() const { return runs_; }
  const QueuedRun* find(int id) const;
  bool isBusy() const;  // a run is running or queued
  int runningCount() const;
  // Stops a running run (kept as Stopped) or drops a queued one.
  void stop(int id);
  // Stops every running run and drops every queued one; idle() follows once all ended.
  void stopAll();
  // Holds a running run between two steps (true) or lets it go on (false).
  void setRunPaused(int id, bool paused);
  // A stopped or failed run whose resume checkpoint exists beside its run file (a Stop
  // writes one; `checkpoint_every` writes them while training) can continue from it.
  bool canResume(int id) const;
  // Queues it again to continue from that checkpoint, bit for bit as if never stopped
  // (`sweet train --resume`: a checkpoint of another configuration is refused, naming the
  // keys). The row keeps its progress while it waits; once it runs, its losses are the
  // file's up to the checkpoint, then the new steps.
  bool resume(int id);
  // Removes a run that is not running from the list.
  bool remove(int id);
  // Stops everything and waits for the workers' threads to end (up to `waitMs`, -1 = as
  // long as it takes); true when all have ended. Blocks: the GUI quits through stopAll()
  // and idle() instead, and calls this once nothing runs.
  bool shutdown(int waitMs = -1);

  // Runs trained at the same time (>= 1). Lowering it stops nothing: the excess drains.
  void setParallelRuns(int n);
  int parallelRuns() const { return parallel_; }
  // Threads one run gets: the cores shared among the parallel runs, at least one.
  int threadsPerRun() const;
  void setPaused(bool paused);
  bool isPaused() const { return paused_; }

 Q_SIGNALS:
  void runAdded(int id);
  void runChanged(int id);         // state or progress
  void lossesAppended(int id, int firstNewStep);
  void gradientsAppended(int id, int firstNewRecord);
  void runFinished(int id, const QString& runFile);
  void runFileCreated(int id, const QString& runFile);   // the run file can be opened (SWMR)
  void runFileUpdated(int id, const QString& runFile);   // it has a new interim evaluation
  void idle();                                           // nothing runs or waits any more
  void message(const QString& text);
  void pausedChanged(bool paused);

 private:
  struct Slot {
    QThread thread;
    std::unique_ptr<TrainingWorker> worker;  // deleted after `thread` has ended
    int running = 0;  // id of its run, 0 when idle
  };
  QueuedRun* findMutable(int id);
  Slot* slotRunning(int id);
  void startNext();
  void drain();
  void onJobFinished(int id, RunState outcome, const QString& runFile, const QString& message);

  std::vector<std::unique_ptr<Slot>> slots_;
  QTimer redraw_;
  std::vector<QueuedRun> runs_;
  int nextId_ = 1;
  int parallel_ = 1;
  bool paused_ = false;
  bool shutDown_ = false;
};

}  // namespace sweet::ui
