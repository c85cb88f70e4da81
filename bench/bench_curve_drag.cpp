// Benchmark of dragging a threshold marker: real mouse-move events on the CurveView marker with 400,000 instances x 4 exits x 3 methods, event to finished replot, against a per-event replay rebuild;
// then the GUI thread's longest block while the main window opens 20 runs x 10,000 instances and while a runs-panel filter changes: every view built at once, the curves on a worker (before), and the curves, per-exit table and per-task panels on workers (after); and while the Reliability tab is shown and another run chosen there, its temperature fit on the GUI thread (before) or a worker (after).
#include "tests/ui/ui_fixtures.h"
#include "ui/curve_view.h"
#include "ui/exit_explorer_view.h"
#include "ui/exit_table_view.h"
#include "ui/main_window.h"
#include "ui/qcustomplot_include.h"
#include "ui/reliability_view.h"
#include "ui/run_store.h"
#include "ui/runs_panel.h"
#include "ui/task_panels_view.h"

#include <QApplication>
#include <QCheckBox>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QLineEdit>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

using namespace sweet::ui;
using Clock = std::chrono::steady_clock;

namespace {

struct Stats {
  double median = 0, p95 = 0, max = 0;
};

Stats stats(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  const auto at = [&](double q) { return ms[std::min(ms.size() - 1, static_cast<size_t>(q * static_cast<double>(ms.size())))]; };
  return {at(0.5), at(0.95), ms.back()};
}

void print(const char* name, const Stats& s) {
  std::printf("  %-44s median %8.2f ms   p95 %8.2f ms   max %8.2f ms\n", name, s.median, s.p95, s.max);
}

// What the view would pay without the precomputed replay: softmax of every logit again,
// then assignment, score and cost, for each seed of each series the event touches.
void slowReadout(const CurveSeries& s, double threshold) {
  double cost = 0, score = 0;
  for (const RunPtr& run : s.runs) {
    sweet::analysis::ExitReplay fresh(run->data.eval);
    const auto& a = fresh.assignConfidence(threshold);
    cost += s.cost->costFraction(a.exitCounts);
    score += fresh.score(a, s.metric);
  }
  if (cost + score < -1) std::puts("");  // keeps the work observable
}

// Drags series 0's marker across `positions` x pixels spanning its curve with real mouse
// events; each sample runs from the move event to the replot it queued being on screen.
// `extra(t)` runs inside the timed span (the slow baseline's readouts).
std::vector<double> drag(CurveView& view, int positions, const std::function<void()>& extra) {
  QCustomPlot* plot = view.plot();
  bool replotted = false;
  const auto conn = QObject::connect(plot, &QCustomPlot::afterReplot, [&] { replotted = true; });
  view.setThreshold(0, 0.9);
  plot->replot(QCustomPlot::rpImmediateRefresh);
  QCoreApplication::processEvents();
  const QPoint start = view.markerPixel(0).toPoint();
  const auto& grid = view.model().series()[0]->gridCost;
  const double x0 = plot->xAxis->coordToPixel(grid.front()), x1 = plot->xAxis->coordToPixel(grid.back());
  QTest::mousePress(plot, Qt::LeftButton, {}, start);
  std::vector<double> ms;
  for (int p = 0; p < positions; ++p) {
    // Back and forth across the curve, so the readout changes at every step.
    const double f = static_cast<double>(p % 100) / 99.0;
    const double x = (p / 100) % 2 == 0 ? x0 + f * (x1 - x0) : x1 - f * (x1 - x0);
    const QPoint pos(static_cast<int>(x), start.y());
    replotted = false;
    const auto t0 = Clock::now();
    QTest::mouseMove(plot, pos);
    if (extra) extra();
    while (!replotted) QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    QCoreApplication::processEvents();  // the labels' and spin boxes' repaints
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  QTest::mouseRelease(plot, Qt::LeftButton, {}, start);
  QObject::disconnect(conn);
  return ms;
}

// The GUI thread's longest block while `act` runs and until `done()` holds (then 300 ms
// more, for what the result queues): the longest gap of a 5 ms timer, the act itself
// included. Also how long until done.
struct Block {
  double longestMs = 0, doneMs = 0;
};

Block guiBlock(const std::function<void()>& act, const std::function<bool()>& done) {
  QElapsedTimer clock;
  clock.start();
  Block out;
  qint64 last = 0;
  const auto tick = [&] {
    const qint64 now = clock.nsecsElapsed();
    out.longestMs = std::max(out.longestMs, static_cast<double>(now - last) / 1e6);
    last = now;
  };
  QTimer ticker;
  ticker.setTimerType(Qt::PreciseTimer);
  ticker.setInterval(5);
  QObject::connect(&ticker, &QTimer::timeout, tick);
  ticker.start();
  last = clock.nsecsElapsed();
  act();
  QEventLoop loop;
  QTimer poll;
  poll.setInterval(1);
  QObject::connect(&poll, &QTimer::timeout, [&] {
    if (out.doneMs == 0 && done()) {
      out.doneMs = static_cast<double>(clock.nsecsElapsed()) / 1e6;
      QTimer::singleShot(300, &loop, &QEventLoop::quit);
    }
  });
  QTimer::singleShot(300000, &loop, &QEventLoop::quit);  // a safety net
  poll.start();
  loop.exec();
  tick();
  return out;
}

struct WindowStall {
  Block load, filter, unfilter;
};

// Which of the main window's views build on a worker thread.
enum class Offloaded { None, Curves, CurvesTableAndPanels };

// The main window opening `files`, then its runs panel filtered to SWEET's runs and back.
// Done when the curves, the per-exit table and the per-task panels show the newest runs.
WindowStall windowStall(const QStringList& files, Offloaded offloaded) {
  MainWindow window;
  window.setConfirmClose(false);
  window.resize(1280, 860);
  window.show();
  if (!QTest::qWaitForWindowExposed(&window)) std::fprintf(stderr, "window not exposed\n");
  CurveView* curves = window.curveView();
  ExitTableView* table = window.tableView();
  TaskPanelsView* panels = window.taskPanelsView();
  curves->setAsync(offloaded != Offloaded::None);
  table->setAsync(offloaded == Offloaded::CurvesTableAndPanels);
  panels->setAsync(offloaded == Offloaded::CurvesTableAndPanels);
  const auto drawn = [=](size_t series) {
    return [=] { return !curves->computing() && !table->computing() && !panels->computing() && curves->seriesCount() == series; };
  };
  WindowStall out;
  out.load = guiBlock([&] { window.openRunFiles(files); }, [&] {
    return window.store()->runs().size() == static_cast<size_t>(files.size()) && drawn(3)();
  });
  QLineEdit* filter = window.runsPanel()->filterEdit();
  out.filter = guiBlock([&] { filter->setText(QStringLiteral("sweet")); }, drawn(1));
  out.unfilter = guiBlock([&] { filter->clear(); }, drawn(3));
  return out;
}

struct ReliabilityStall {
  Block shown, chosen;
};

// The main window with `files` open and drawn: the Reliability tab brought up (its first
// fit), then another run chosen in it, the temperature fit on the GUI thread (before) or on
// a worker (after). Done when the chosen run's diagrams are drawn.
ReliabilityStall reliabilityStall(const QStringList& files, bool offloaded) {
  MainWindow window;
  window.setConfirmClose(false);
  window.resize(1280, 860);
  window.show();
  if (!QTest::qWaitForWindowExposed(&window)) std::fprintf(stderr, "window not exposed\n");
  ReliabilityView* reliability = window.reliabilityView();
  reliability->setAsync(offloaded);
  window.openRunFiles(files);
  QTest::qWaitFor([&] {
    return window.store()->runs().size() == static_cast<size_t>(files.size()) && !window.curveView()->computing() &&
           !window.tableView()->computing() && !window.taskPanelsView()->computing();
  }, 300000);
  const auto drawn = [=](int index) {
    return [=] {
      return !reliability->computing() && reliability->reliability() &&
             reliability->figureCaption().startsWith(reliability->runSelector()->itemText(index));
    };
  };
  ReliabilityStall out;
  out.shown = guiBlock([&] { window.tabs()->setCurrentWidget(reliability); }, drawn(0));
  out.chosen = guiBlock([&] { reliability->runSelector()->setCurrentIndex(1); }, drawn(1));
  return out;
}

// Each view's setRuns on the GUI thread, alone: what else a load costs besides the curves.
template <typename View>
double setRunsMs(const std::vector<RunPtr>& runs) {
  View view;
  const auto t0 = Clock::now();
  view.setRuns(runs);
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

void compareWindowStalls(int runs, int64_t instances) {
  QTemporaryDir dir(QDir::temp().filePath(QStringLiteral("stall-XXXXXX")));  // no "sweet" in the paths the filter reads
  const QStringList files = sweet::testing::writeManyRuns(dir.path(), runs, instances);
  const LoadBatch batch = loadRunFiles(files);
  std::printf("GUI-thread blocks, main window, %d runs x %lld instances x 4 exits (3 methods), 5 ms timer gaps:\n", runs,
              static_cast<long long>(instances));
  const WindowStall none = windowStall(files, Offloaded::None), curves = windowStall(files, Offloaded::Curves),
                    all = windowStall(files, Offloaded::CurvesTableAndPanels);
  const auto row = [](const char* what, const Block& n, const Block& c, const Block& a) {
    std::printf("  %-26s longest %7.1f -> %7.1f -> %6.1f ms   (all shown after %7.1f -> %7.1f -> %7.1f ms)\n", what,
                n.longestMs, c.longestMs, a.longestMs, n.doneMs, c.doneMs, a.doneMs);
  };
  std::printf("  (every view built on the GUI thread -> curves on a worker -> curves, per-exit table, per-task panels on workers)\n");
  row("open the runs", none.load, curves.load, all.load);
  row("runs panel filter 'sweet'", none.filter, curves.filter, all.filter);
  row("filter cleared", none.unfilter, curves.unfilter, all.unfilter);
  std::printf("  each view's setRuns alone, synchronous (what its build costs; on a worker in the window):\n");
  std::printf("    curves %.1f ms, per-exit table %.1f ms, per-task panels %.1f ms, reliability %.1f ms, "
              "exit explorer %.1f ms\n",
              setRunsMs<CurveView>(batch.runs), setRunsMs<ExitTableView>(batch.runs), setRunsMs<TaskPanelsView>(batch.runs),
              setRunsMs<ReliabilityView>(batch.runs), setRunsMs<ExitExplorerView>(batch.runs));
  const ReliabilityStall fitHere = reliabilityStall(files, false), fitApart = reliabilityStall(files, true);
  std::printf("  (reliability temperature fit on the GUI thread -> on a worker)\n");
  std::printf("  %-26s longest %7.1f -> %7.1f ms   (drawn after %7.1f -> %7.1f ms)\n", "reliability tab shown",
              fitHere.shown.longestMs, fitApart.shown.longestMs, fitHere.shown.doneMs, fitApart.shown.doneMs);
  std::printf("  %-26s longest %7.1f -> %7.1f ms   (drawn after %7.1f -> %7.1f ms)\n", "reliability: another run",
              fitHere.chosen.longestMs, fitApart.chosen.longestMs, fitHere.chosen.doneMs, fitApart.chosen.doneMs);
  std::printf("target: a filter change blocks the GUI thread < 16 ms -> %s\n",
              std::max(all.filter.longestMs, all.unfilter.longestMs) < 16.0 ? "met" : "MISSED");
}

}  // namespace

int main(int argc, char** argv) {
  qputenv("QT_QPA_PLATFORM", "offscreen");
  QStandardPaths::setTestModeEnabled(true);  // the main window's settings are not the user's
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("sweet-bench"));
  QApplication::setApplicationName(QStringLiteral("sweet-bench-curve-drag"));
  const int64_t n = argc > 1 ? std::atoll(argv[1]) : 400000;
  const int positions = argc > 2 ? std::atoi(argv[2]) : 200;
  const int baselinePositions = argc > 3 ? std::atoi(argv[3]) : std::max(10, positions / 10);
  const int64_t windowInstances = argc > 4 ? std::atoll(argv[4]) : 10000;
  const int windowRuns = argc > 5 ? std::atoi(argv[5]) : 20;

  QTemporaryDir dir;
  auto t = Clock::now();
  QStringList paths;
  for (const char* method : {"ee", "sweet", "mm"}) {
    const QString path = QDir(dir.path()).filePath(QStringLiteral("%1.h5").arg(method));
    sweet::testing::writeRun(path.toStdString(), sweet::testing::randomRun(method, 1, n));
    paths << path;
  }
  const LoadBatch batch = loadRunFiles(paths);
  if (!batch.errors.empty()) {
    std::fprintf(stderr, "load failed: %s\n", qPrintable(batch.errors.front().second));
    return 1;
  }
  std::printf("curve drag benchmark: %lld instances x 4 exits x 3 methods (1 seed each), %d drag positions\n",
              static_cast<long long>(n), positions);
  std::printf("  files written and loaded in %.1f s\n", std::chrono::duration<double>(Clock::now() - t).count());

  CurveView view;
  view.resize(1000, 700);
  t = Clock::now();
  view.setRuns(batch.runs);
  std::printf("  setRuns (replays, exact curves, grid) in %.1f s\n", std::chrono::duration<double>(Clock::now() - t).count());
  view.show();
  if (!QTest::qWaitForWindowExposed(&view)) std::fprintf(stderr, "window not exposed\n");
  // The queued replot then paints at once, so each sample includes the pixels reaching
  // the backing store, not just the plot's own buffer.
  view.plot()->setPlottingHint(QCP::phImmediateRefresh, true);
  // The first replot after a fresh buffer costs more; not part of a drag.
  view.plot()->replot(QCustomPlot::rpImmediateRefresh);

  const CurveSeries& first = *view.model().series()[0];
  const auto fast = drag(view, positions, {});
  const auto slow = drag(view, baselinePositions, [&] { slowReadout(first, view.threshold(0)); });

  auto* shared = view.findChild<QCheckBox*>();
  shared->setChecked(true);
  const auto fastShared = drag(view, positions, {});
  const auto slowShared = drag(view, baselinePositions, [&] {
    for (const auto& s : view.model().series()) slowReadout(*s, view.threshold(0));
  });

  // Readout alone, without Qt: what the fast path spends in the model per series.
  CurveModel model;  // the view's own is read-only from outside
  model.build(batch.runs);
  std::vector<double> readoutMs;
  for (int p = 0; p < positions; ++p) {
    const auto t0 = Clock::now();
    const auto r = model.readout(0, 0.5 + 0.5 * p / positions);
    readoutMs.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    if (r.instances != n) std::puts("unexpected instance count");
  }

  const Stats f = stats(fast), fs = stats(fastShared);
  const Stats s = slow.empty() ? Stats{} : stats(slow), ss = slowShared.empty() ? Stats{} : stats(slowShared);
  std::printf("one marker (event -> handler -> replot on screen):\n");
  print("fast path (CurveModel incremental readout)", f);
  if (!slow.empty()) print("baseline (fresh ExitReplay per event)", s);
  std::printf("drag all markers together (3 series per event):\n");
  print("fast path (CurveModel incremental readout)", fs);
  if (!slow.empty()) print("baseline (fresh ExitReplay per event)", ss);
  std::printf("model readout alone, one series:\n");
  print("CurveModel::readout", stats(readoutMs));
  if (!slow.empty())
    std::printf("speedup of fast path: %.1fx (one marker), %.1fx (shared)\n", s.median / f.median, ss.median / fs.median);
  std::printf("target: median well under 16 ms -> %s\n", std::max(f.median, fs.median) < 16.0 ? "met" : "MISSED");
  compareWindowStalls(windowRuns, windowInstances);
  return 0;
}
