// Headless export: see headless_export.h.
#include "ui/headless_export.h"

#include "ui/curve_view.h"
#include "ui/exit_table_view.h"
#include "ui/heatmap_view.h"
#include "ui/reliability_view.h"
#include "ui/task_panels_view.h"
#include "ui/qcustomplot_include.h"
#include "ui/run_loader.h"

#include <QComboBox>
#include <QDir>
#include <QFileInfo>

#include <algorithm>
#include <cstdio>

namespace sweet::ui {
namespace {

bool report(bool ok, const QString& path, const QString& error) {
  if (ok) std::fprintf(stdout, "wrote %s\n", qPrintable(path));
  else std::fprintf(stderr, "error: %s\n", qPrintable(error.isEmpty() ? path : error));
  return ok;
}

// A task name as part of a file name: a custom task's name may hold any character.
QString fileSafe(QString name) {
  for (QChar& c : name)
    if (!c.isLetterOrNumber() && c != '-' && c != '_' && c != '.') c = '_';
  return name;
}

// The curves figure: curves.{pdf,svg,png,csv} for runs of one task; one figure per task,
// curves-<task>.*, when they span tasks (scores of different tasks share no axis).
bool exportCurves(const std::vector<RunPtr>& runs, const QDir& dir, const ExportOptions& options) {
  CurveView curves;
  curves.resize(900, 600);
  curves.setRuns(runs);
  const int tasks = curves.taskSelector()->count();
  bool ok = true;
  QString error;
  for (int i = 0; i < std::max(tasks, 1); ++i) {
    if (tasks > 0) curves.taskSelector()->setCurrentIndex(i);
    const QString base = tasks > 1 ? QStringLiteral("curves-%1").arg(fileSafe(curves.taskSelector()->itemText(i))) : QStringLiteral("curves");
    ExportOptions captioned = options;
    captioned.caption = curves.figureCaption();  // the keys the legend leaves out
    for (const char* ext : {"pdf", "svg", "png"}) {
      const QString path = dir.filePath(base + '.' + ext);
      ok &= report(exportPlot(curves.plot(), path, captioned, &error), path, error);
    }
    const QString csv = dir.filePath(base + ".csv");
    ok &= report(writeTextFile(csv, curves.curveCsv(), &error), csv, error);
  }
  return ok;
}

// One reliability figure per classification run: reliability-<run>.{pdf,svg,png,csv}.
bool exportReliability(const std::vector<RunPtr>& runs, const QDir& dir, const ExportOptions& options) {
  ReliabilityView view;
  view.resize(1200, 500);
  view.setPanelColumns(options.size == FigureSize::OneColumn ? 2 : 4);
  view.setRuns(runs);
  bool ok = true;
  QString error;
  for (int i = 0; i < view.runSelector()->count(); ++i) {
    view.runSelector()->setCurrentIndex(i);
    if (!view.reliability()) continue;  // a message in the view says why (e.g. no labels)
    const QString base = QFileInfo(view.runSelector()->itemData(i).toString()).completeBaseName();
    for (const char* ext : {"pdf", "svg", "png"}) {
      const QString path = dir.filePath(QStringLiteral("reliability-%1.%2").arg(base, ext));
      ok &= report(exportPlot(view.plot(), path, options, &error), path, error);
    }
    const QString csv = dir.filePath(QStringLiteral("reliability-%1.csv").arg(base));
    ok &= report(writeTextFile(csv, view.reliabilityCsv(), &error), csv, error);
  }
  return ok;
}

}  // namespace

void useOffscreenPlatformForHeadlessExport(int argc, char** argv) {
  bool exporting = false;
  for (int i = 1; i < argc; ++i) exporting |= qstrcmp(argv[i], "--export") == 0;
  const bool display = !qEnvironmentVariableIsEmpty("DISPLAY") || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY");
  if (exporting && !display && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
}

int runHeadlessExport(const QStringList& runFiles, const QString& outDir, const ExportOptions& options) {
  if (runFiles.isEmpty()) {
    std::fprintf(stderr, "error: --export needs at least one run file\n");
    return 2;
  }
  if (!QDir().mkpath(outDir)) {
    std::fprintf(stderr, "error: cannot create %s\n", qPrintable(outDir));
    return 1;
  }
  const LoadBatch batch = loadRunFiles(runFiles);
  for (const auto& [path, message] : batch.errors) std::fprintf(stderr, "error: %s\n", qPrintable(message));
  for (const auto& [path, message] : batch.pretraining) std::fprintf(stderr, "error: %s\n", qPrintable(message));
  if (batch.runs.empty()) return 1;
  bool ok = batch.errors.empty() && batch.pretraining.empty();
  const QDir dir(outDir);
  QString error;

  ok &= exportCurves(batch.runs, dir, options);

  // Figs. 6/10: one panel per task (and their average) whenever the runs span tasks.
  TaskPanelsView tasks;
  tasks.resize(1200, 700);
  tasks.setPanelColumns(options.size == FigureSize::OneColumn ? 2 : 4);
  tasks.setRuns(batch.runs);
  if (tasks.model().panels().size() > 1) {
    for (const char* ext : {"pdf", "svg", "png"}) {
      const QString path = dir.filePath(QStringLiteral("tasks.") + ext);
      ok &= report(exportPlot(tasks.plot(), path, options, &error), path, error);
    }
    const QString tasksCsv = dir.filePath("tasks.csv");
    ok &= report(writeTextFile(tasksCsv, tasks.panelsCsv(), &error), tasksCsv, error);
  }

  ExitTableView table;
  table.setRuns(batch.runs);
  const QString tex = dir.filePath("table1.tex"), csv = dir.filePath("table1.csv");
  ok &= report(writeTextFile(tex, latexTableFloat(table.toLatex(), options.size), &error), tex, error);
  ok &= report(writeTextFile(csv, table.toCsv(), &error), csv, error);

  HeatmapView heatmaps;
  heatmaps.resize(1200, 400);
  heatmaps.setPanelColumns(options.size == FigureSize::OneColumn ? 2 : 0);  // two maps per row at one column
  heatmaps.setRuns(batch.runs);
  auto exportHeatmap = [&](const QString& name) {
    heatmaps.stepSlider()->setValue(heatmaps.stepSlider()->maximum());  // the last record
    for (const char* ext : {"pdf", "svg", "png"}) {
      const QString path = dir.filePath(QStringLiteral("heatmap-%1.%2").arg(name, ext));
      ok &= report(exportPlot(heatmaps.plot(), path, options, &error), path, error);
    }
    const QString hcsv = dir.filePath(QStringLiteral("heatmap-%1.csv").arg(name));
    ok &= report(writeTextFile(hcsv, heatmaps.heatmapCsv(), &error), hcsv, error);
  };
  for (int i = 0; i < heatmaps.runSelector()->count(); ++i) {
    heatmaps.runSelector()->setCurrentIndex(i);
    const QString base = QFileInfo(heatmaps.runSelector()->itemData(i).toString()).completeBaseName();
    exportHeatmap(base);
    // A pcgrad run: the same record after surgery as well (the view falls back to the
    // first probe for a run without it).
    heatmaps.probeSelector()->setCurrentIndex(2);
    if (heatmaps.probeSelector()->currentIndex() == 2) exportHeatmap(base + QStringLiteral("-projected"));
    heatmaps.probeSelector()->setCurrentIndex(0);
  }
  ok &= exportReliability(batch.runs, dir, options);
  return ok ? 0 : 1;
}

}  // namespace sweet::ui
