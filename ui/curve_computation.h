// Builds the speed-accuracy CurveModel off the GUI thread: the replays, exact curves and
// temperature fits of 20 runs x 10,000 instances take ~0.7 s, which froze the window on
// every load, runs-panel filter keystroke and live reload. Only the newest request counts
// (BackgroundBuild): a superseded build is told to stop and its result is never handed over.
#pragma once

#include "ui/background_build.h"
#include "ui/curve_model.h"
#include "ui/run_catalog.h"
#include "ui/run_loader.h"

#include <QObject>
#include <QString>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace sweet::ui {

// Everything CurveModel::build reads, held by value: the runs are shared and immutable, so
// the GUI may reload, filter or regroup while a build runs.
struct CurveRequest {
  std::vector<RunPtr> runs;
  CurveOptions options;
  std::optional<std::vector<RunGroup>> groups;
};

class CurveComputation : public QObject {
  Q_OBJECT
 public:
  explicit CurveComputation(QObject* parent = nullptr);

  // Builds `request` on a worker thread; ready() brings its model unless a newer request
  // comes first. One build runs at a time (the machine's other core trains): a request
  // made meanwhile waits, replacing any that waits already.
  void request(CurveRequest request) { builds_.request(std::move(request)); }
  // Drops whatever is running or waiting (a synchronous build took its place).
  void cancel() { builds_.cancel(); }
  // A request not yet handed over.
  bool busy() const { return builds_.busy(); }

  // The same build on the calling thread (exports and the synchronous view).
  static std::shared_ptr<CurveModel> build(const CurveRequest& request,
                                           const std::function<bool()>& stop = {});

 Q_SIGNALS:
  // The newest request's model, on the GUI thread.
  void ready(std::shared_ptr<CurveModel> model);
  // Its build threw (a run the analysis refuses as a whole); nothing is handed over.
  void failed(const QString& message);

 private:
  BackgroundBuild<CurveRequest, CurveModel> builds_;
};

}  // namespace sweet::ui
