// Run queue: see run_queue.h.
#include "ui/counted.h"
#include "ui/run_queue.h"

#include <filesystem>

#include "ui/training_worker.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace sweet::ui {

QString stateText(RunState state) {
  switch (state) {
    case RunState::Queued: return QObject::tr("queued");
    case RunState::Running: return QObject::tr("running");
    case RunState::Finished: return QObject::tr("finished");
    case RunState::Stopped: return QObject::tr("stopped");
    case RunState::Failed: return QObject::tr("failed");
  }
  return {};
}

RunQueue::RunQueue(QObject* parent) : QObject(parent) {
  qRegisterMetaType<sweet::RunState>("sweet::RunState");  // jobFinished crosses threads
  redraw_.setSingleShot(true);
  redraw_.setInterval(40);
  connect(&redraw_, &QTimer::timeout, this, &RunQueue::drain);
}

RunQueue::~RunQueue() { shutdown(); }

int RunQueue::enqueue(const PlannedRun& planned) {
  QueuedRun run;
  run.id = nextId_++;
  run.name = QString::fromStdString(planned.name);
  run.config = planned.config;
  run.demoCheckpointDir = QString::fromStdString(planned.demoCheckpointDir);
  runs_.push_back(std::move(run));
  Q_EMIT runAdded(runs_.back().id);
  startNext();
  return runs_.back().id;
}

int RunQueue::adopt(const QString& name, const TrainConfig& config, const QString& runFile, RunState state,
                    int64_t stepsDone, int64_t totalSteps) {
  QueuedRun run;
  run.id = nextId_++;
  run.name = name;
  run.config = config;
  run.state = state;
  run.runFile = runFile;
  run.progress.step = stepsDone;
  run.progress.total_steps = totalSteps;
  run.message = tr("opened from %1").arg(runFile);
  runs_.push_back(std::move(run));
  Q_EMIT runAdded(runs_.back().id);
  return runs_.back().id;
}

const QueuedRun* RunQueue::find(int id) const {
  for (const auto& r : runs_)
    if (r.id == id) return &r;
  return nullptr;
}

QueuedRun* RunQueue::findMutable(int id) { return const_cast<QueuedRun*>(find(id)); }

RunQueue::Slot* RunQueue::slotRunning(int id) {
  for (auto& slot : slots_)
    if (id != 0 && slot->running == id) return slot.get();
  return nullptr;
}

bool RunQueue::isBusy() const {
  for (const auto& r : runs_)
    if (r.state == RunState::Queued || r.state == RunState::Running) return true;
  return false;
}

int RunQueue::runningCount() const {
  return static_cast<int>(std::count_if(slots_.begin(), slots_.end(), [](const auto& s) { return s->running != 0; }));
}

int RunQueue::threadsPerRun() const { return std::max(1, QThread::idealThreadCount() / parallel_); }

void RunQueue::setParallelRuns(int n) {
  parallel_ = std::max(1, n);
  startNext();
}

void RunQueue::setPaused(bool paused) {
  if (paused == paused_) return;
  paused_ = paused;
  Q_EMIT message(paused ? tr("queue paused: running runs continue, no new run starts") : tr("queue resumed"));
  Q_EMIT pausedChanged(paused);
  startNext();
}

void RunQueue::stop(int id) {
  QueuedRun* r = findMutable(id);
  if (!r) return;
  if (r->state == RunState::Running) {
    if (Slot* slot = slotRunning(id)) slot->worker->requestStop();
    r->message = tr("stopping after the current step…");
    Q_EMIT message(r->name + tr(": stopping…"));
    Q_EMIT runChanged(id);
  } else if (r->state == RunState::Queued) {
    r->state = RunState::Stopped;
    r->message = tr("removed from the queue before it started");
    Q_EMIT runChanged(id);
    if (!isBusy()) Q_EMIT idle();
  }
}

bool RunQueue::canResume(int id) const {
  const QueuedRun* r = find(id);
  if (!r || (r->state != RunState::Stopped && r->state != RunState::Failed)) return false;
  std::error_code ec;
  return std::filesystem::exists(r->config.checkpointPath(), ec);
}

bool RunQueue::resume(int id) {
  if (!canResume(id)) return false;
  QueuedRun* r = findMutable(id);
  r->state = RunState::Queued;
  r->resume = true;
  r->message = tr("continues from %1").arg(QString::fromStdString(r->config.checkpointPath()));
  // The step and total stay as they were: the row says how far the run got while it
  // waits. The losses are replaced by the file's when it starts; speed and ETA are stale.
  r->stepsSeen = 0;
  r->progress.examples_per_second = 0;
  r->progress.eta_seconds = 0;
  Q_EMIT runChanged(id);
  startNext();
  return true;
}

void RunQueue::stopAll() {
  std::vector<int> ids;
  for (const auto& r : runs_)
    if (r.state == RunState::Queued || r.state == RunState::Running) ids.push_back(r.id);
  // Queued ones first, so a freed slot does not start one of them.
  for (int id : ids)
    if (find(id)->state == RunState::Queued) stop(id);
  for (int id : ids)
    if (find(id) && find(id)->state == RunState::Running) stop(id);
}

void RunQueue::setRunPaused(int id, bool paused) {
  QueuedRun* r = findMutable(id);
  Slot* slot = slotRunning(id);
  if (!r || !slot || r->state != RunState::Running || r->paused == paused) return;
  slot->worker->setPaused(paused);
  r->paused = paused;
  Q_EMIT message(r->name + (paused ? tr(": paused after its current step") : tr(": resumed")));
  Q_EMIT runChanged(id);
}

bool RunQueue::remove(int id) {
  for (auto it = runs_.begin(); it != runs_.end(); ++it)
    if (it->id == id) {
      if (it->state == RunState::Running) return false;
      runs_.erase(it);
      Q_EMIT runChanged(id);
      return true;
    }
  return false;
}

bool RunQueue::shutdown(int waitMs) {
  shutDown_ = true;
  for (auto& r : runs_)
    if (r.state == RunState::Queued) r.state = RunState::Stopped;
  for (auto& slot : slots_) {
    if (slot->worker) slot->worker->requestStop();
    slot->thread.quit();
  }
  bool ended = true;
  for (auto& slot : slots_) {
    const bool done = waitMs < 0 ? slot->thread.wait() : slot->thread.wait(static_cast<unsigned long>(waitMs));
    // Only a worker whose thread has ended can be deleted; one still training is left
    // to the destructor's unbounded wait.
    if (done) slot->worker.reset();
    ended &= done;
  }
  return ended;
}

void RunQueue::startNext() {
  if (paused_ || shutDown_) return;
  for (auto& r : runs_) {
    if (runningCount() >= parallel_) return;
    if (r.state != RunState::Queued) continue;
    Slot* slot = nullptr;
    for (auto& s : slots_)
      if (s->running == 0) slot = s.get();
    if (!slot) {  // threads are made on demand and kept for later runs
      slots_.push_back(std::make_unique<Slot>());
      slot = slots_.back().get();
      slot->worker = std::make_unique<TrainingWorker>();
      TrainingWorker* worker = slot->worker.get();
      worker->moveToThread(&slot->thread);
      connect(worker, &TrainingWorker::dataReady, this, [this] {
        if (!redraw_.isActive()) redraw_.start();
      });
      connect(worker, &TrainingWorker::messageReady, this, [this](int id, const QString& text) {
        if (QueuedRun* q = findMutable(id)) {
          q->message = text;
          Q_EMIT message(q->name + ": " + text);
          Q_EMIT runChanged(id);
        }
      });
      connect(worker, &TrainingWorker::runFileReady, this, [this](int id, const QString& file, const QVector<qint64>& layers) {
        if (QueuedRun* q = findMutable(id)) {
          q->runFile = file;
          q->exitLayers.assign(layers.begin(), layers.end());
          Q_EMIT runFileCreated(id, file);
        }
      });
      connect(worker, &TrainingWorker::evaluationWritten, this, [this](int id, qint64) {
        if (const QueuedRun* q = find(id)) Q_EMIT runFileUpdated(id, q->runFile);
      });
      connect(worker, &TrainingWorker::jobFinished, this, &RunQueue::onJobFinished);
      slot->thread.setObjectName(QStringLiteral("sweet-training-%1").arg(slots_.size()));
      slot->thread.start();
    }
    // threads 0 means "the machine's cores": with parallel runs that is the cores shared.
    // A resume keeps the count its checkpoint was written with (the trainer refuses a
    // checkpoint of another configuration, threads included): the one this queue gave it,
    // or, for a file trained elsewhere, whatever its configuration says (0 included).
    TrainConfig config = r.config;
    if (config.threads <= 0 && !r.resume) config.threads = threadsPerRun();
    if (config.threads <= 0 && r.resume && r.threads > 0) config.threads = r.threads;
    r.threads = config.threads > 0 ? static_cast<int>(config.threads) : std::max(1, QThread::idealThreadCount());
    r.state = RunState::Running;
    slot->running = r.id;
    slot->worker->clearStop();  // safe: the worker is idle between jobs
    TrainingWorker* worker = slot->worker.get();
    QMetaObject::invokeMethod(
        worker, [worker, id = r.id, dir = r.demoCheckpointDir, config, resume = r.resume] { worker->runJob(id, dir, config, resume); },
        Qt::QueuedConnection);
    Q_EMIT message(r.name + tr(": started (%1)").arg(counted(r.threads, tr("thread"), tr("threads"))));
    Q_EMIT runChanged(r.id);
  }
}

void RunQueue::drain() {
  for (auto& slot : slots_) {
    if (!slot->worker) continue;
    TrainingWorker::Batch batch = slot->worker->take();
    QueuedRun* r = findMutable(slot->running);
    if (!r) continue;
    int first = static_cast<int>(r->losses.size());
    if (batch.hasHistory) {
      r->losses = std::move(batch.history);
      ++r->lossesGeneration;
      first = 0;
    }
    if (!batch.steps.empty() || batch.hasHistory) {
      for (auto& p : batch.steps) r->losses.push_back(p.exit_losses);
      r->stepsSeen += static_cast<int64_t>(batch.steps.size());
      if (!batch.steps.empty()) r->progress = std::move(batch.steps.back());
      Q_EMIT runChanged(r->id);
      Q_EMIT lossesAppended(r->id, first);
    }
    if (batch.hasGradientHistory) {  // a resumed run's earlier records, from its file
      r->gradients = std::move(batch.gradientHistory);
      r->gradients.path = r->name.toStdString();
      if (r->gradients.records() > 0 && batch.gradients.empty()) Q_EMIT gradientsAppended(r->id, 0);
    }
    if (!batch.gradients.empty()) {
      analysis::GradientRecords& g = r->gradients;
      const int first = batch.hasGradientHistory ? 0 : static_cast<int>(g.records());
      for (GradientSummary& rec : batch.gradients) {
        if (g.steps.empty()) {
          g.path = r->name.toStdString();
          g.layers = rec.layers;
          g.exitLayers = r->exitLayers;  // as the trainer reported them with the run file
          if (static_cast<int64_t>(g.exitLayers.size()) != rec.exits) {
            // The trainer could not tell its exit layers: number the exits instead.
            g.exitLayers.clear();
            for (int64_t e = 1; e <= rec.exits; ++e) g.exitLayers.push_back(e);
          }
        }
        g.steps.push_back(rec.step);
        g.cosine.insert(g.cosine.end(), rec.cosines.begin(), rec.cosines.end());
      }
      Q_EMIT gradientsAppended(r->id, first);
    }
  }
}

void RunQueue::onJobFinished(int id, RunState outcome, const QString& runFile, const QString& text) {
  drain();
  if (Slot* slot = slotRunning(id)) slot->running = 0;
  if (QueuedRun* r = findMutable(id)) {
    r->state = outcome;
    r->paused = false;
    if (!runFile.isEmpty()) r->runFile = runFile;
    r->message = text;
    Q_EMIT message(r->name + ": " + stateText(r->state) + (text.isEmpty() ? QString() : " — " + text));
    Q_EMIT runChanged(id);
    if (!r->runFile.isEmpty()) Q_EMIT runFinished(id, r->runFile);
  }
  startNext();
  if (!isBusy()) Q_EMIT idle();
}

}  // namespace sweet::ui
