// `sweet-workbench --export RUN.h5... --out DIR`: renders the workbench's figures and
// tables offscreen into files for scripts (curves.{pdf,svg,png,csv}, or curves-TASK.* per task
// when the runs span tasks, one heatmap set per
// run with gradient records, a pcgrad run's after surgery too (heatmap-RUN-projected.*),
// one reliability set per classification run, table1.{tex,csv}). Uses the same view classes
// as the GUI.
#pragma once

#include "ui/plot_export.h"

#include <QString>
#include <QStringList>

namespace sweet::ui {

// `--export` renders offscreen, but Qt picks xcb by default and aborts (exit 134) when no
// display is reachable: with --export in `argv`, no DISPLAY or WAYLAND_DISPLAY and no
// QT_QPA_PLATFORM chosen by the user, this sets QT_QPA_PLATFORM=offscreen. Call it before
// the QApplication exists. An interactive start without a display keeps Qt's own error.
void useOffscreenPlatformForHeadlessExport(int argc, char** argv);

// Returns the process exit code: 0 when every figure was written; messages go to stderr.
int runHeadlessExport(const QStringList& runFiles, const QString& outDir, const ExportOptions& options);

}  // namespace sweet::ui
