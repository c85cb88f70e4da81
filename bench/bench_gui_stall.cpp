// Benchmark of GUI responsiveness while training: a 5 ms GUI-thread timer records its tick gaps while the MainWindow's queue trains a demo run with live loss curves and gradient heatmaps.
#include "ui/heatmap_view.h"
#include "ui/main_window.h"
#include "ui/monitor_view.h"
#include "ui/run_queue.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

using namespace sweet::ui;
using sweet::RunState;

namespace {

struct Gap {
  double ms;
  double at;  // seconds since start when the late tick came
  const char* phase;
};

}  // namespace

int main(int argc, char** argv) {
  qputenv("QT_QPA_PLATFORM", "offscreen");
  QStandardPaths::setTestModeEnabled(true);  // keep the user's settings out of it
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("sweet-bench"));
  QApplication::setApplicationName(QStringLiteral("sweet-bench-gui-stall"));
  const int64_t trainSize = argc > 1 ? std::atoll(argv[1]) : 1500;
  const int64_t epochs = argc > 2 ? std::atoll(argv[2]) : 6;
  const int64_t every = argc > 3 ? std::atoll(argv[3]) : 10;

  QTemporaryDir dir;
  const QString demoDir = QDir(dir.path()).filePath(QStringLiteral("scratch-bert"));
  PlannedRun run;
  run.name = "demo-ee-stall";
  run.demoCheckpointDir = demoDir.toStdString();  // created by the worker, as from the dialog
  run.config = sweet::trainConfigFromJson({{"task", "demo"}, {"demo_train_size", trainSize}, {"demo_eval_size", 400},
                {"calibration_size", 100}, {"model", demoDir.toStdString()}, {"method", "sweet"},
                {"exit_layers", {1, 4, 6, 12}}, {"learning_rate", 5e-4}, {"warmup_ratio", 0.1},
                {"batch_size", 32}, {"epochs", epochs}, {"max_length", 40}, {"seed", 42},
                {"gradients", {{"every", every}, {"probe_size", 32}}},
                {"output_dir", dir.path().toStdString()}, {"save_model", false}}, "bench run");

  MainWindow window;
  window.setConfirmClose(false);
  window.resize(1280, 860);
  window.show();
  window.queue()->setParallelRuns(1);

  std::vector<Gap> gaps;
  const char* phase = "idle";
  QElapsedTimer clock;
  clock.start();
  qint64 lastNs = clock.nsecsElapsed();
  QTimer ticker;
  ticker.setTimerType(Qt::PreciseTimer);
  ticker.setInterval(5);
  QObject::connect(&ticker, &QTimer::timeout, [&] {
    const qint64 now = clock.nsecsElapsed();
    gaps.push_back({static_cast<double>(now - lastNs) / 1e6, static_cast<double>(now) / 1e9, phase});
    lastNs = now;
  });

  int steps = 0, gradientRecords = 0;
  QObject::connect(window.queue(), &RunQueue::runChanged, [&](int id) {
    if (const QueuedRun* r = window.queue()->find(id); r && r->state == RunState::Running) {
      phase = "training";
      steps = static_cast<int>(r->progress.step);
    }
  });
  QObject::connect(window.queue(), &RunQueue::gradientsAppended, [&](int id, int) {
    if (const QueuedRun* r = window.queue()->find(id)) gradientRecords = static_cast<int>(r->gradients.steps.size());
  });
  // The user watches the run: the monitor and the heatmaps take turns on screen.
  QTimer tabs;
  tabs.setInterval(2000);
  QObject::connect(&tabs, &QTimer::timeout, [&] {
    window.tabs()->setCurrentWidget(window.tabs()->currentWidget() == window.monitorView()
                                        ? static_cast<QWidget*>(window.heatmapView())
                                        : static_cast<QWidget*>(window.monitorView()));
  });
  QString runFile, failure;
  QObject::connect(window.queue(), &RunQueue::runFinished, [&](int, const QString& file) {
    runFile = file;
    phase = "loading the finished run";
    // The window opens the file (loader thread, then every view rebuilds); keep timing a while.
    QTimer::singleShot(3000, &app, &QApplication::quit);
  });
  QObject::connect(window.queue(), &RunQueue::runChanged, [&](int id) {
    const QueuedRun* r = window.queue()->find(id);
    if (r && (r->state == RunState::Failed || r->state == RunState::Stopped)) {
      failure = r->message;
      QTimer::singleShot(0, &app, &QApplication::quit);
    }
  });
  QTimer::singleShot(600000, &app, &QApplication::quit);  // a safety net, not expected

  ticker.start();
  tabs.start();
  QTimer::singleShot(200, [&] { window.queue()->enqueue(run); });
  app.exec();
  ticker.stop();
  const double seconds = static_cast<double>(clock.nsecsElapsed()) / 1e9;
  window.queue()->shutdown();

  if (!failure.isEmpty()) {
    std::fprintf(stderr, "run did not finish: %s\n", qPrintable(failure));
    return 1;
  }
  std::printf("GUI stall benchmark: demo run (sweet, exits 1/4/6/12, %lld train examples, %lld epochs, "
              "gradients every %lld steps), MainWindow offscreen\n",
              static_cast<long long>(trainSize), static_cast<long long>(epochs), static_cast<long long>(every));
  std::printf("  %.1f s timed, %d steps, %d gradient records shown, run file %s\n", seconds, steps, gradientRecords,
              qPrintable(QFileInfo(runFile).fileName()));
  std::vector<double> ms;
  for (const Gap& g : gaps) ms.push_back(g.ms);
  std::sort(ms.begin(), ms.end());
  if (ms.empty()) return 1;
  const auto worst = std::max_element(gaps.begin(), gaps.end(), [](const Gap& a, const Gap& b) { return a.ms < b.ms; });
  std::printf("  ticks %zu (5 ms timer)   median gap %.2f ms   p99 %.2f ms   longest %.2f ms (at %.1f s, %s)\n",
              ms.size(), ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 99 / 100)], worst->ms, worst->at,
              worst->phase);
  std::vector<Gap> top(gaps);
  std::partial_sort(top.begin(), top.begin() + std::min<size_t>(5, top.size()), top.end(),
                    [](const Gap& a, const Gap& b) { return a.ms > b.ms; });
  std::printf("  five longest:");
  for (size_t i = 0; i < std::min<size_t>(5, top.size()); ++i) std::printf(" %.1f ms@%.1fs(%s)", top[i].ms, top[i].at, top[i].phase);
  std::printf("\ntarget: longest gap < 50 ms -> %s\n", worst->ms < 50.0 ? "met" : "MISSED");
  return 0;
}
