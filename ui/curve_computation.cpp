// Off-GUI-thread curve builds: see curve_computation.h.
#include "ui/curve_computation.h"

#include "analysis/exit_rule_traits.h"

#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

#include <exception>
#include <utility>

namespace sweet::ui {

CurveComputation::CurveComputation(QObject* parent) : QObject(parent) {}

// The running build holds its own inputs and model; told to stop, it ends within a run
// and its result goes nowhere (the watcher that would deliver it is a child of this).
CurveComputation::~CurveComputation() { cancel(); }

std::shared_ptr<CurveModel> CurveComputation::build(const CurveRequest& request, const std::function<bool()>& stop) {
  auto model = std::make_shared<CurveModel>();
  model->build(request.runs, request.options, request.groups, stop);
  if (stop && stop()) return model;
  // The markers start at the rule's default: each seed's sweep seeks there here (a pass
  // over its instances, ~10 ms for 7 seeds x 10,000) rather than in the first readout the
  // GUI thread asks for.
  const double start = analysis::exitRuleTraits(request.options.rule).defaultThreshold;
  for (size_t i = 0; i < model->size(); ++i) model->readout(i, start);
  return model;
}

void CurveComputation::request(CurveRequest request) {
  ++generation_;
  if (running_) {  // its result is stale now: stop it early, start this one when it ends
    stop_->store(true);
    waiting_ = std::move(request);
    return;
  }
  start(std::move(request));
}

void CurveComputation::cancel() {
  ++generation_;
  waiting_.reset();
  if (stop_) stop_->store(true);
}

void CurveComputation::start(CurveRequest request) {
  running_ = true;
  stop_ = std::make_shared<std::atomic<bool>>(false);
  const int generation = generation_;
  auto* watcher = new QFutureWatcher<Outcome>(this);
  connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation] {
    watcher->deleteLater();
    onFinished(watcher->result(), generation);
  });
  // Exceptions end here, as a message: one escaping a worker would end the application.
  watcher->setFuture(QtConcurrent::run([request = std::move(request), stop = stop_]() -> Outcome {
    try {
      return {build(request, [stop] { return stop->load(); }), {}};
    } catch (const std::exception& e) {
      return {nullptr, QString::fromStdString(e.what())};
    }
  }));
}

void CurveComputation::onFinished(const Outcome& outcome, int generation) {
  running_ = false;
  if (waiting_) {
    CurveRequest next = std::move(*waiting_);
    waiting_.reset();
    start(std::move(next));
    return;  // superseded while it ran: never handed over
  }
  if (generation != generation_) return;  // cancelled
  if (outcome.model) Q_EMIT ready(outcome.model);
  else Q_EMIT failed(outcome.error);
}

}  // namespace sweet::ui
