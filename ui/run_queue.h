// The run queue (controller side, GUI thread): planned runs wait here and go one at a time
// to a TrainingWorker on a dedicated QThread. Progress is drained from the worker's buffer
// by a ~40 ms single-shot timer, so redraws are coalesced however fast steps arrive.
// Stop is immediate (an atomic flag); stopped and failed runs keep their files.
#pragma once

#include "ui/experiment_spec.h"
#include "ui/training_adapter.h"

#include <QObject>
#include <QString>
#include <QThread>
#include <QTimer>

#include <vector>

namespace sweet::ui {

class TrainingWorker;

struct QueuedRun {
  enum class State { Queued, Running, Finished, Stopped, Failed };
  int id = 0;
  QString name;
  std::string configJson;
  QString demoCheckpointDir;
  State state = State::Queued;
  JobProgress progress;                    // latest step
  int64_t stepsSeen = 0;                   // step reports received (across threads)
  std::vector<std::vector<float>> losses;  // per step, per exit
  QString runFile, message;
};

QString stateName(QueuedRun::State state);

class RunQueue : public QObject {
  Q_OBJECT
 public:
  explicit RunQueue(QObject* parent = nullptr);
  ~RunQueue() override;

  int enqueue(const PlannedRun& run);
  const std::vector<QueuedRun>& runs() const { return runs_; }
  const QueuedRun* find(int id) const;
  bool isBusy() const;  // a run is running or queued
  // Stops a running run (kept as Stopped) or drops a queued one.
  void stop(int id);
  // Removes a run that is not running from the list.
  bool remove(int id);
  // Stops everything and waits up to `waitMs` for the worker; true when it has ended.
  bool shutdown(int waitMs = 30000);

 Q_SIGNALS:
  void runAdded(int id);
  void runChanged(int id);         // state or progress
  void lossesAppended(int id, int firstNewStep);
  void runFinished(int id, const QString& runFile);
  void message(const QString& text);

 private:
  QueuedRun* findMutable(int id);
  void startNext();
  void drain();
  void onJobFinished(int id, int outcome, const QString& runFile, const QString& message);

  QThread thread_;
  TrainingWorker* worker_;
  QTimer redraw_;
  std::vector<QueuedRun> runs_;
  int nextId_ = 1;
  int running_ = 0;  // id of the running run, 0 when idle
};

}  // namespace sweet::ui
