// Reliability diagrams per exit (Guo et al., 2017): for one run, a panel per exit of bin
// accuracy against mean confidence, before temperature scaling and after, beside the
// diagonal of perfect calibration, with each exit's ECE before → after in its title and
// the run named in a caption. Numbers come from analysis::runReliability; this view only
// draws them. Fitting the temperatures waits until the view is shown, so files re-read
// every few seconds while runs train cost nothing here while another tab is open; in the
// main window the fit runs on a worker (24-30 ms at 10,000 instances held the GUI thread
// each time the tab was shown or another run chosen).
#pragma once

#include "analysis/reliability.h"
#include "ui/background_build.h"
#include "ui/run_loader.h"

#include <QWidget>

#include <memory>
#include <optional>
#include <string>
#include <vector>

class QComboBox;
class QCustomPlot;
class QLabel;

namespace sweet::ui {

class ReliabilityView : public QWidget {
  Q_OBJECT
 public:
  explicit ReliabilityView(QWidget* parent = nullptr);

  // Lists the classification runs with evaluations; keeps the selected run when it is
  // still among them.
  void setRuns(const std::vector<RunPtr>& runs);
  // Panels per row: 4 on screen and at two columns, 2 in a one-column figure.
  void setPanelColumns(int columns);
  // Fits the chosen run at once (the default, for exports) or, asynchronous, on a worker
  // thread, the panels keeping the previous run until the newest request's are ready.
  void setAsync(bool async) { async_ = async; }
  // A run chosen (and shown) whose diagrams are not drawn yet.
  bool computing() const { return builds_.busy(); }
  // Runs the event loop until the requested diagrams are drawn (true) or `timeoutMs` passes.
  bool waitForReliability(int timeoutMs = 60000);

  QCustomPlot* plot() const { return plot_; }
  QComboBox* runSelector() const { return runCombo_; }
  // The diagrams drawn (nullopt before the first draw, or for a run that cannot have one).
  const std::optional<analysis::RunReliability>& reliability() const { return reliability_; }
  // "demo-ee-s1 · temperatures fitted on held-out rows · 15 bins"
  QString figureCaption() const;
  // "L4: ECE 0.081 → 0.023 (T = 1.52)", the spaces within "ECE 0.081 → 0.023" and
  // "(T = 1.52)" non-breaking: a title wrapped to a narrow panel breaks between phrases.
  QString panelTitle(int exit) const;
  // Every bin as CSV: exit_layer, scaled (0/1), bin lower, upper, count, confidence, accuracy.
  QString reliabilityCsv() const;

 protected:
  void showEvent(QShowEvent* event) override;

 private:
  // One run's diagrams, or why it has none; built on any thread.
  struct Content {
    RunPtr run;
    std::optional<analysis::RunReliability> reliability;
    std::string error;
  };
  static std::shared_ptr<Content> build(const RunPtr& run);
  RunPtr currentRun() const;
  void refresh();  // recompute and redraw if visible, else mark stale
  void showContent(const Content& content);
  void rebuild();

  std::vector<RunPtr> runs_;
  QComboBox* runCombo_;
  QLabel* message_;
  QCustomPlot* plot_;
  std::optional<analysis::RunReliability> reliability_;
  RunPtr drawn_;      // the run the panels show (kept alive: the caption reads its name)
  RunPtr requested_;  // the run last asked for: drawn, or on its way
  bool stale_ = true;
  int columns_ = 4;
  bool async_ = false;
  BackgroundBuild<RunPtr, Content> builds_;
};

}  // namespace sweet::ui
