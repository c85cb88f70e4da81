// Run queue: see run_queue.h.
#include "ui/run_queue.h"

#include "ui/training_worker.h"

namespace sweet::ui {

QString stateName(QueuedRun::State state) {
  switch (state) {
    case QueuedRun::State::Queued: return QObject::tr("queued");
    case QueuedRun::State::Running: return QObject::tr("running");
    case QueuedRun::State::Finished: return QObject::tr("finished");
    case QueuedRun::State::Stopped: return QObject::tr("stopped");
    case QueuedRun::State::Failed: return QObject::tr("failed");
  }
  return {};
}

RunQueue::RunQueue(QObject* parent) : QObject(parent), worker_(new TrainingWorker) {
  worker_->moveToThread(&thread_);
  connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
  connect(worker_, &TrainingWorker::dataReady, this, [this] {
    if (!redraw_.isActive()) redraw_.start();
  });
  connect(worker_, &TrainingWorker::messageReady, this, [this](int id, const QString& text) {
    if (QueuedRun* r = findMutable(id)) Q_EMIT message(r->name + ": " + text);
  });
  connect(worker_, &TrainingWorker::jobFinished, this, &RunQueue::onJobFinished);
  redraw_.setSingleShot(true);
  redraw_.setInterval(40);
  connect(&redraw_, &QTimer::timeout, this, &RunQueue::drain);
  thread_.setObjectName(QStringLiteral("sweet-training"));
  thread_.start();
}

RunQueue::~RunQueue() { shutdown(); }

int RunQueue::enqueue(const PlannedRun& planned) {
  QueuedRun run;
  run.id = nextId_++;
  run.name = QString::fromStdString(planned.name);
  run.configJson = planned.config.dump();
  run.demoCheckpointDir = QString::fromStdString(planned.demoCheckpointDir);
  runs_.push_back(std::move(run));
  Q_EMIT runAdded(runs_.back().id);
  startNext();
  return runs_.back().id;
}

const QueuedRun* RunQueue::find(int id) const {
  for (const auto& r : runs_)
    if (r.id == id) return &r;
  return nullptr;
}

QueuedRun* RunQueue::findMutable(int id) { return const_cast<QueuedRun*>(find(id)); }

bool RunQueue::isBusy() const {
  for (const auto& r : runs_)
    if (r.state == QueuedRun::State::Queued || r.state == QueuedRun::State::Running) return true;
  return false;
}

void RunQueue::stop(int id) {
  QueuedRun* r = findMutable(id);
  if (!r) return;
  if (r->state == QueuedRun::State::Running) {
    worker_->requestStop();
    Q_EMIT message(r->name + tr(": stopping…"));
  } else if (r->state == QueuedRun::State::Queued) {
    r->state = QueuedRun::State::Stopped;
    r->message = tr("removed from the queue before it started");
    Q_EMIT runChanged(id);
  }
}

bool RunQueue::remove(int id) {
  for (auto it = runs_.begin(); it != runs_.end(); ++it)
    if (it->id == id) {
      if (it->state == QueuedRun::State::Running) return false;
      runs_.erase(it);
      Q_EMIT runChanged(id);
      return true;
    }
  return false;
}

bool RunQueue::shutdown(int waitMs) {
  for (auto& r : runs_)
    if (r.state == QueuedRun::State::Queued) r.state = QueuedRun::State::Stopped;
  worker_->requestStop();
  if (!thread_.isRunning()) return true;
  thread_.quit();
  return thread_.wait(waitMs);
}

void RunQueue::startNext() {
  if (running_ != 0 || !thread_.isRunning()) return;
  for (auto& r : runs_) {
    if (r.state != QueuedRun::State::Queued) continue;
    r.state = QueuedRun::State::Running;
    running_ = r.id;
    worker_->clearStop();  // safe: the worker is idle between jobs
    QMetaObject::invokeMethod(worker_, "runJob", Qt::QueuedConnection, Q_ARG(int, r.id),
                              Q_ARG(QString, r.demoCheckpointDir), Q_ARG(QByteArray, QByteArray::fromStdString(r.configJson)));
    Q_EMIT message(r.name + tr(": started"));
    Q_EMIT runChanged(r.id);
    return;
  }
}

void RunQueue::drain() {
  std::vector<JobProgress> steps = worker_->takeSteps();
  QueuedRun* r = findMutable(running_);
  if (steps.empty() || !r) return;
  const int first = static_cast<int>(r->losses.size());
  for (auto& p : steps) r->losses.push_back(p.exitLosses);
  r->stepsSeen += static_cast<int64_t>(steps.size());
  r->progress = std::move(steps.back());
  Q_EMIT runChanged(r->id);
  Q_EMIT lossesAppended(r->id, first);
}

void RunQueue::onJobFinished(int id, int outcome, const QString& runFile, const QString& text) {
  drain();
  running_ = 0;
  if (QueuedRun* r = findMutable(id)) {
    r->state = outcome == static_cast<int>(JobResult::Outcome::Finished)  ? QueuedRun::State::Finished
               : outcome == static_cast<int>(JobResult::Outcome::Stopped) ? QueuedRun::State::Stopped
                                                                          : QueuedRun::State::Failed;
    r->runFile = runFile;
    r->message = text;
    Q_EMIT message(r->name + ": " + stateName(r->state) + (text.isEmpty() ? QString() : " — " + text));
    Q_EMIT runChanged(id);
    if (!runFile.isEmpty()) Q_EMIT runFinished(id, runFile);
  }
  startNext();
}

}  // namespace sweet::ui
