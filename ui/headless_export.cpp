// Headless export: see headless_export.h.
#include "ui/headless_export.h"

#include "ui/curve_view.h"
#include "ui/exit_table_view.h"
#include "ui/heatmap_view.h"
#include "ui/task_panels_view.h"
#include "ui/qcustomplot_include.h"
#include "ui/run_loader.h"

#include <QComboBox>
#include <QDir>
#include <QFileInfo>

#include <cstdio>

namespace sweet::ui {
namespace {

bool report(bool ok, const QString& path, const QString& error) {
  if (ok) std::fprintf(stdout, "wrote %s\n", qPrintable(path));
  else std::fprintf(stderr, "error: %s\n", qPrintable(error.isEmpty() ? path : error));
  return ok;
}

}  // namespace

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
  if (batch.runs.empty()) return 1;
  bool ok = batch.errors.empty();
  const QDir dir(outDir);
  QString error;

  CurveView curves;
  curves.resize(900, 600);
  curves.setRuns(batch.runs);
  for (const char* ext : {"pdf", "svg", "png"}) {
    const QString path = dir.filePath(QStringLiteral("curves.") + ext);
    ok &= report(exportPlot(curves.plot(), path, options, &error), path, error);
  }
  const QString curvesCsv = dir.filePath("curves.csv");
  ok &= report(writeTextFile(curvesCsv, curves.curveCsv(), &error), curvesCsv, error);

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
  ok &= report(writeTextFile(tex, table.toLatex(), &error), tex, error);
  ok &= report(writeTextFile(csv, table.toCsv(), &error), csv, error);

  HeatmapView heatmaps;
  heatmaps.resize(1200, 400);
  heatmaps.setRuns(batch.runs);
  ExportOptions wide = options;
  wide.size = FigureSize::TwoColumn;  // one map per recorded layer side by side
  auto exportHeatmap = [&](const QString& name) {
    heatmaps.stepSlider()->setValue(heatmaps.stepSlider()->maximum());  // the last record
    for (const char* ext : {"pdf", "svg", "png"}) {
      const QString path = dir.filePath(QStringLiteral("heatmap-%1.%2").arg(name, ext));
      ok &= report(exportPlot(heatmaps.plot(), path, wide, &error), path, error);
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
  return ok ? 0 : 1;
}

}  // namespace sweet::ui
