// Benchmark of dragging a threshold marker: real mouse-move events on the CurveView marker with 400,000 instances x 4 exits x 3 methods, event to finished replot, against a per-event replay rebuild.
#include "tests/ui/ui_fixtures.h"
#include "ui/curve_view.h"
#include "ui/qcustomplot_include.h"

#include <QApplication>
#include <QCheckBox>
#include <QTemporaryDir>
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

}  // namespace

int main(int argc, char** argv) {
  qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  const int64_t n = argc > 1 ? std::atoll(argv[1]) : 400000;
  const int positions = argc > 2 ? std::atoi(argv[2]) : 200;
  const int baselinePositions = argc > 3 ? std::atoi(argv[3]) : std::max(10, positions / 10);

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
  return 0;
}
