// The speed-accuracy view (Fig. 4-6): one line per series with its seed 95% CI band, cost
// fraction on x with a "speedup ×" axis on top, a draggable threshold marker per series
// whose readouts (per-exit counts, score, cost) follow the mouse, and a table of scores at
// the paper's fixed cost fractions. Data comes from CurveModel; this file only draws. One
// task at a time (a task selector): scores of different tasks on one axis compare nothing.
// The legend sits below the axes, never over the curves.
#pragma once

#include "ui/curve_model.h"
#include "ui/run_loader.h"

#include <QWidget>

#include <memory>
#include <vector>

class QCustomPlot;
class QCPGraph;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QMouseEvent;
class QTableWidget;
class QVBoxLayout;
class QCPItemText;

namespace sweet::ui {

class CurveComputation;

class CurveView : public QWidget {
  Q_OBJECT
 public:
  explicit CurveView(QWidget* parent = nullptr);

  // Builds the curves of `runs` and draws them: at once (the default, for exports and
  // views made to be read straight away) or, asynchronous, on a worker thread, the plot
  // keeping its curves until the newest request's are ready (the main window's view,
  // which must not freeze while 20 runs' replays and temperature fits are computed).
  void setRuns(const std::vector<RunPtr>& runs);
  void setAsync(bool async) { async_ = async; }
  bool isAsync() const { return async_; }
  // Curves requested and not drawn yet.
  bool computing() const;
  // Runs the event loop until the requested curves are drawn (true) or `timeoutMs` passes.
  bool waitForCurves(int timeoutMs = 60000);
  // Draws the runs `catalog` shows, grouped and named as it says (the runs panel); null:
  // every run, grouped by RunCatalog's defaults. Not owned; must outlive this view.
  void setCatalog(const RunCatalog* catalog);
  // The task whose curves are drawn, one item per task of the shown runs.
  QComboBox* taskSelector() const { return task_; }
  // The headline keys the drawn series share, said once ("rte · cap 2000 · …"); its
  // tooltip lists every shared setting.
  QLabel* captionLabel() const { return caption_; }
  // The caption as exports put it under the figure: what the drawn series share, each
  // key's part ("cap 2000") kept whole when the page wraps it; empty when nothing is drawn.
  QString figureCaption() const;
  // Shown on the empty plot: how to get runs in.
  QCPItemText* emptyHint() const { return hint_; }
  // The full label of the legend entry at `pos` (plot coordinates); empty elsewhere.
  QString legendToolTip(const QPoint& pos) const;
  // The paper's 11-threshold sweep (default, as `sweet report`) or the exact curve.
  void setExactCurve(bool exact);
  QComboBox* curveKindBox() const { return curveKind_; }
  // Temperature scaling before exiting (the paper's default) or raw softmax confidences.
  QCheckBox* calibrateBox() const { return calibrate_; }
  // "cost fraction" (index 0, draggable markers) or one entry per wall-clock measurement
  // in the runs ("measured speedup, cpu-b32-t1"): score against the measured speedup, with
  // the layer-count speedup of the same thresholds dashed beside it.
  QComboBox* xAxisSelector() const { return xAxis_; }
  // Exit rule, one item per analysis::allExitRules() with the analysis::ExitRule as its
  // data (select with findData, not an index): what applies to the chosen rule (its
  // threshold's range, the curve kind, temperatures) follows its ExitRuleTraits.
  QComboBox* ruleSelector() const { return rule_; }
  QLabel* notesLabel() const { return notes_; }
  QDoubleSpinBox* thresholdSpin(size_t series) const { return markers_.at(series).spin; }

  QCustomPlot* plot() const { return plot_; }
  const CurveModel& model() const { return *model_; }
  size_t seriesCount() const { return model_->size(); }
  double threshold(size_t series) const { return markers_.at(series).threshold; }
  const ThresholdReadout& readout(size_t series) const { return markers_.at(series).readout; }
  QString readoutText(size_t series) const;
  QTableWidget* fixedRatioTable() const { return fixedTable_; }
  // Pixel position of a series' marker in plot coordinates (for tests and hit testing).
  QPointF markerPixel(size_t series) const;

  void setThreshold(size_t series, double threshold);
  // Shows a readout the model computed (the drag path asks the model once per move).
  void showReadout(size_t series, const ThresholdReadout& readout);
  // Plot data as CSV: every seed-mean line, band and marker.
  QString curveCsv() const;

 Q_SIGNALS:
  void thresholdChanged(int series, double threshold);
  // A model was drawn (a superseded request never is).
  void curvesDrawn();
  // An asynchronous build threw; the plot keeps what it showed. (A synchronous one throws.)
  void computationFailed(const QString& message);

 private:
  struct Marker {
    QCPGraph* graph = nullptr;
    QDoubleSpinBox* spin = nullptr;
    QLabel* label = nullptr;
    double threshold = 0.9;
    ThresholdReadout readout;
  };
  // What the newest request shows besides the model, applied when its model is drawn.
  struct Pending {
    QString caption;
    QString figureCaption;  // the headline keys only (RunCatalog::caption)
    bool anyShown = false;
    bool noRuns = true;
  };
  void draw(std::shared_ptr<CurveModel> model);
  void rebuild();
  void drawMeasured(const std::string& name);
  void refreshXAxisChoices();
  void fillFixedRatioTable();
  void onMousePress(QMouseEvent* event);
  void onMouseMove(QMouseEvent* event);
  void onMouseRelease(QMouseEvent* event);
  bool eventFilter(QObject* watched, QEvent* event) override;
  const RunCatalog& catalog() const { return catalog_ ? *catalog_ : ownCatalog_; }
  // Refreshes the task selector from the shown runs; the shown runs of its task.
  std::vector<RunPtr> runsOfShownTask();

  std::shared_ptr<CurveModel> model_;  // the drawn one; never null
  CurveComputation* computation_;
  bool async_ = false;
  Pending pending_;
  QString figureCaption_;  // of what is drawn
  std::vector<RunPtr> runs_;
  const RunCatalog* catalog_ = nullptr;
  RunCatalog ownCatalog_;  // every run, default grouping, when no panel is attached
  QComboBox* task_;
  QLabel* caption_;
  QCPItemText* hint_;
  QCustomPlot* plot_;
  QComboBox* curveKind_;
  QComboBox* xAxis_;
  QComboBox* rule_;
  QCheckBox* calibrate_;
  QLabel* notes_;
  QVBoxLayout* readoutLayout_;
  QCheckBox* shared_;
  QTableWidget* fixedTable_;
  std::vector<Marker> markers_;
  int dragging_ = -1;
};

}  // namespace sweet::ui
