// The "Exit explorer" tab: which evaluation instances leave at which exit. One run at a
// time as a table (ExitExplorerModel) that follows the speed-accuracy view's marker for
// that run's series (drag the marker, the exit-taken column follows) and its exit rule and
// temperature toggle, with filters ("leaves at exit k", "wrong at exit k but right later",
// "confidently wrong") and a text search. The replay behind it is built off the GUI thread.
#pragma once

#include "ui/exit_explorer_model.h"
#include "ui/run_loader.h"

#include <QWidget>

#include <memory>
#include <vector>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QTableView;

namespace sweet::ui {

class CurveView;

class ExitExplorerView : public QWidget {
  Q_OBJECT
 public:
  explicit ExitExplorerView(QWidget* parent = nullptr);

  // Follows `curves`: its marker of the shown run's series sets the threshold (and editing
  // the threshold here moves that marker), its rule and temperature toggle set the replay.
  void followCurves(CurveView* curves);
  void setRuns(const std::vector<RunPtr>& runs);

  QComboBox* runSelector() const { return run_; }
  QComboBox* filterSelector() const { return filter_; }
  QComboBox* filterExitSelector() const { return filterExit_; }
  QDoubleSpinBox* confidenceBarSpin() const { return bar_; }
  QDoubleSpinBox* thresholdSpin() const { return threshold_; }
  QLineEdit* searchEdit() const { return search_; }
  QLabel* noteLabel() const { return note_; }
  QLabel* countLabel() const { return count_; }
  QTableView* table() const { return table_; }
  const ExitExplorerModel& model() const { return model_; }
  // True while a replay is being prepared on a worker thread.
  bool busy() const { return inFlight_ > 0; }

 Q_SIGNALS:
  // A new snapshot (run, rule or temperatures) is shown.
  void snapshotShown();

 private:
  void showRun();
  void request();
  void onPrepared(const std::shared_ptr<ExplorerSnapshot>& snapshot, int generation);
  void applyFilter();
  void applyThreshold(double threshold);
  void onMarker(int series, double threshold);
  void updateNote();
  void updateCount();
  // The curve view's series holding the shown run (-1: not on the curves).
  int seriesOfRun() const;
  analysis::ExitRule currentRule() const;
  bool currentCalibrate() const;
  RunPtr currentRun() const;

  ExitExplorerModel model_;
  CurveView* curves_ = nullptr;
  std::vector<RunPtr> runs_;
  QComboBox* run_;
  QComboBox* filter_;
  QComboBox* filterExit_;
  QDoubleSpinBox* bar_;
  QDoubleSpinBox* threshold_;
  QLineEdit* search_;
  QLabel* rule_;
  QLabel* note_;
  QLabel* count_;
  QTableView* table_;
  int generation_ = 0;
  int inFlight_ = 0;
  // What the newest request asked for: a rule change reaches request() twice (the rule box
  // and the rebuilt curves' markers), and one temperature fit is enough.
  struct Request {
    const LoadedRun* run = nullptr;
    analysis::ExitRule rule = analysis::ExitRule::Confidence;
    bool calibrate = true;
    bool operator==(const Request& o) const { return run == o.run && rule == o.rule && calibrate == o.calibrate; }
  };
  Request requested_;
};

}  // namespace sweet::ui
