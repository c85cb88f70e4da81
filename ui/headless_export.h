// `sweet-workbench --export RUN.h5... --out DIR`: renders the workbench's figures and
// tables offscreen into files for scripts (curves.{pdf,svg,png,csv}, one heatmap set per
// run with gradient records, a pcgrad run's after surgery too (heatmap-RUN-projected.*),
// table1.{tex,csv}). Uses the same view classes as the GUI.
#pragma once

#include "ui/plot_export.h"

#include <QString>
#include <QStringList>

namespace sweet::ui {

// Returns the process exit code: 0 when every figure was written; messages go to stderr.
int runHeadlessExport(const QStringList& runFiles, const QString& outDir, const ExportOptions& options);

}  // namespace sweet::ui
