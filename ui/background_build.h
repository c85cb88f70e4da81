// A pure computation a view needs (curves, the per-exit report, the per-task panels) run
// off the GUI thread, where 20 runs x 10,000 instances froze the window for a second at
// every load. Only the newest request counts: one build runs at a time (the machine's
// other core trains), a request made meanwhile waits, replacing any that waits already,
// and a superseded build is told to stop and its result is dropped, never handed over.
// Not a QObject (moc has no templates): the owner is the context of its deliveries.
#pragma once

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QFutureWatcher>
#include <QString>
#include <QThread>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <utility>

namespace sweet::ui {

// The threads every BackgroundBuild runs on: all but one core, so the GUI thread keeps one
// (on 2 cores the builds take turns). Not Qt's global pool: QImage conversions and scaling
// on the GUI thread (a plot's paint) wait for a thread of that one, and with both of its
// threads building the window stood still 0.4-0.9 s however cheap its own work was.
// Owned by the application, which waits for a build still running when it goes.
inline QThreadPool* backgroundBuildPool() {
  static QThreadPool* pool = [] {
    auto* p = new QThreadPool(QCoreApplication::instance());
    p->setMaxThreadCount(std::max(1, QThread::idealThreadCount() - 1));
    return p;
  }();
  return pool;
}

// Runs the event loop until `busy()` is false (true) or `timeoutMs` passes: the views'
// waitFor… helpers, for tests and exports that need the newest result drawn.
inline bool waitUntilIdle(const std::function<bool()>& busy, int timeoutMs) {
  const QDeadlineTimer deadline(timeoutMs);
  while (busy() && !deadline.hasExpired()) {
    QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    if (busy()) QThread::msleep(1);
  }
  QCoreApplication::processEvents();  // the replot a finished build queued
  return !busy();
}

// `Request` holds by value everything the build reads (runs are shared and immutable, so
// the GUI may reload or regroup meanwhile); `build` must be safe on any thread.
template <typename Request, typename Result>
class BackgroundBuild {
 public:
  using Stop = std::function<bool()>;
  using Build = std::function<std::shared_ptr<Result>(const Request&, const Stop&)>;
  using Ready = std::function<void(std::shared_ptr<Result>)>;
  using Failed = std::function<void(const QString&)>;

  // `ready` and `failed` run on `owner`'s thread, never after `owner` or this is gone.
  BackgroundBuild(QObject* owner, Build build, Ready ready, Failed failed)
      : owner_(owner), build_(std::move(build)), ready_(std::move(ready)), failed_(std::move(failed)) {}
  BackgroundBuild(const BackgroundBuild&) = delete;
  BackgroundBuild& operator=(const BackgroundBuild&) = delete;
  // The running build holds its own inputs; told to stop, its result goes nowhere.
  ~BackgroundBuild() {
    cancel();
    delete watcher_;
  }

  // Builds `request` on a worker thread; `ready` gets its result unless a newer request
  // (or cancel) comes first.
  void request(Request request) {
    ++generation_;
    if (watcher_) {  // its result is stale now: stop it early, start this one when it ends
      stop_->store(true);
      waiting_ = std::move(request);
      return;
    }
    start(std::move(request));
  }
  // Drops whatever is running or waiting (a synchronous build took its place).
  void cancel() {
    ++generation_;
    waiting_.reset();
    if (stop_) stop_->store(true);
  }
  // A request not yet handed over (or dropped).
  bool busy() const { return watcher_ != nullptr || waiting_.has_value(); }

 private:
  struct Outcome {
    std::shared_ptr<Result> result;
    QString error;
  };

  void start(Request request) {
    stop_ = std::make_shared<std::atomic<bool>>(false);
    const int generation = generation_;
    watcher_ = new QFutureWatcher<Outcome>(owner_);
    QObject::connect(watcher_, &QFutureWatcherBase::finished, owner_, [this, generation] {
      const Outcome outcome = watcher_->result();
      watcher_->deleteLater();
      watcher_ = nullptr;
      onFinished(outcome, generation);
    });
    // Exceptions end here, as a message: one escaping a worker would end the application.
    watcher_->setFuture(QtConcurrent::run(backgroundBuildPool(), [build = build_, request = std::move(request), stop = stop_]() -> Outcome {
      try {
        return {build(request, [stop] { return stop->load(); }), {}};
      } catch (const std::exception& e) {
        return {nullptr, QString::fromStdString(e.what())};
      }
    }));
  }

  void onFinished(const Outcome& outcome, int generation) {
    if (waiting_) {
      Request next = std::move(*waiting_);
      waiting_.reset();
      start(std::move(next));
      return;  // superseded while it ran: never handed over
    }
    if (generation != generation_) return;  // cancelled
    if (outcome.result) ready_(outcome.result);
    else failed_(outcome.error);
  }

  QObject* owner_;
  Build build_;
  Ready ready_;
  Failed failed_;
  int generation_ = 0;                       // of the newest request
  QFutureWatcher<Outcome>* watcher_ = nullptr;  // the running build's; null when none runs
  std::shared_ptr<std::atomic<bool>> stop_;  // the running build's: set when superseded
  std::optional<Request> waiting_;
};

}  // namespace sweet::ui
