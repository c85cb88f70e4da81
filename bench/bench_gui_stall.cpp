// Benchmark of GUI responsiveness while training: a 5 ms GUI-thread timer records its tick gaps while the MainWindow's queue trains a demo run with live loss curves and gradient heatmaps.
#include "ui/curve_view.h"
#include "ui/heatmap_view.h"
#include "ui/main_window.h"
#include "ui/monitor_view.h"
#include "ui/qcustomplot_include.h"
#include "ui/run_queue.h"
#include "ui/task_panels_view.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <vector>

using namespace sweet::ui;
using sweet::RunState;

namespace {

struct Gap {
  double ms;
  double cpuMs;   // of that, time the GUI thread spent working
  double waitMs;  // and time it was runnable but waited for a core (the rest it slept or blocked)
  double at;     // seconds since start when the late tick came
  const char* phase;
};

double threadCpuMs() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

// Time this thread has spent runnable but waiting for a core (Linux schedstat; 0 where
// the kernel does not report it).
double threadRunQueueWaitMs() {
  std::FILE* f = std::fopen("/proc/thread-self/schedstat", "r");
  if (!f) return 0;
  unsigned long long running = 0, waiting = 0;
  const int n = std::fscanf(f, "%llu %llu", &running, &waiting);
  std::fclose(f);
  return n == 2 ? static_cast<double>(waiting) / 1e6 : 0.0;
}

// Times every event the GUI thread dispatches from its loop (nested ones count in their
// parent), so a stall can be traced to the receiver that held the thread. On a loaded
// machine a gap's wall time includes waiting for a core; its CPU time is the GUI's work.
class TimedApplication : public QApplication {
 public:
  TimedApplication(int& argc, char** argv) : QApplication(argc, argv) { clock.start(); }
  struct Event {
    double ms, cpuMs, at;
    QString what;  // receiver class, its object name, the event type
  };
  std::vector<Event> slow;  // events over 4 ms of CPU or 8 ms of wall time
  QElapsedTimer clock;

  bool notify(QObject* receiver, QEvent* event) override {
    if (depth_ > 0 || QThread::currentThread() != thread()) return QApplication::notify(receiver, event);
    ++depth_;
    const qint64 start = clock.nsecsElapsed();
    const double cpuStart = threadCpuMs();
    const int type = event->type();  // the event may be gone once delivered
    QString what = QString::fromLatin1(receiver->metaObject()->className());
    if (!receiver->objectName().isEmpty()) what += QLatin1Char(' ') + receiver->objectName();
    const bool done = QApplication::notify(receiver, event);
    const double ms = static_cast<double>(clock.nsecsElapsed() - start) / 1e6, cpu = threadCpuMs() - cpuStart;
    if (cpu > 4.0 || ms > 8.0)
      slow.push_back({ms, cpu, static_cast<double>(start) / 1e9, what + QStringLiteral(" event %1").arg(type)});
    --depth_;
    return done;
  }

 private:
  int depth_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  qputenv("QT_QPA_PLATFORM", "offscreen");
  QStandardPaths::setTestModeEnabled(true);  // keep the user's settings out of it
  TimedApplication app(argc, argv);
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
  // Named, so the slowest events say which view's plot held the GUI thread.
  window.curveView()->plot()->setObjectName(QStringLiteral("(speed-accuracy)"));
  window.heatmapView()->plot()->setObjectName(QStringLiteral("(heatmaps)"));
  window.monitorView()->plot()->setObjectName(QStringLiteral("(runs)"));
  window.taskPanelsView()->plot()->setObjectName(QStringLiteral("(per task)"));

  std::vector<Gap> gaps;
  const char* phase = "idle";
  QElapsedTimer& clock = app.clock;
  qint64 lastNs = clock.nsecsElapsed();
  double lastCpu = threadCpuMs(), lastWait = threadRunQueueWaitMs();
  QTimer ticker;
  ticker.setTimerType(Qt::PreciseTimer);
  ticker.setInterval(5);
  QObject::connect(&ticker, &QTimer::timeout, [&] {
    const qint64 now = clock.nsecsElapsed();
    const double cpu = threadCpuMs(), wait = threadRunQueueWaitMs();
    gaps.push_back({static_cast<double>(now - lastNs) / 1e6, cpu - lastCpu, wait - lastWait, static_cast<double>(now) / 1e9, phase});
    lastNs = now;
    lastCpu = cpu;
    lastWait = wait;
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
  std::printf("  five longest (GUI thread working / waiting for a core in each):");
  for (size_t i = 0; i < std::min<size_t>(5, top.size()); ++i)
    std::printf(" %.1f ms@%.1fs(%s, %.1f/%.1f ms)", top[i].ms, top[i].at, top[i].phase, top[i].cpuMs, top[i].waitMs);
  std::vector<double> cpu;
  for (const Gap& g : gaps) cpu.push_back(g.cpuMs);
  std::sort(cpu.begin(), cpu.end());
  std::printf("\n  GUI-thread work within a gap: p99 %.2f ms   longest %.2f ms\n",
              cpu[std::min(cpu.size() - 1, cpu.size() * 99 / 100)], cpu.back());
  std::sort(app.slow.begin(), app.slow.end(), [](const auto& a, const auto& b) { return a.cpuMs > b.cpuMs; });
  std::printf("  most expensive GUI-thread event of each receiver (%zu events over 4 ms of CPU or 8 ms of wall time):\n",
              app.slow.size());
  QStringList shown;
  for (const auto& e : app.slow) {
    if (shown.contains(e.what) || shown.size() == 8) continue;
    shown << e.what;
    std::printf("    cpu %5.1f ms  wall %5.1f ms  at %5.1f s  %s (%lld such)\n", e.cpuMs, e.ms, e.at, qPrintable(e.what),
                static_cast<long long>(std::count_if(app.slow.begin(), app.slow.end(), [&](const auto& o) { return o.what == e.what; })));
  }
  std::printf("target: longest gap < 16 ms (one frame at 60 Hz) -> %s; GUI-thread work < 16 ms -> %s\n",
              worst->ms < 16.0 ? "met" : "MISSED", cpu.back() < 16.0 ? "met" : "MISSED");
  return 0;
}
