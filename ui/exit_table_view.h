// Table 1 of the paper as a widget: methods x exit layers, each cell the seed mean ± std of
// that exit alone on the eval set, the best per column in bold, then the MM−EE and
// SWEET−EE gap rows. Numbers come from analysis::buildReport; the view sorts and formats,
// and copies the table as CSV or LaTeX.
#pragma once

#include "analysis/report.h"
#include "ui/background_build.h"
#include "ui/run_loader.h"

#include <QWidget>

#include <functional>
#include <optional>
#include <string>
#include <vector>

class QLabel;
class QTableWidget;

namespace sweet::ui {

// What the table shows of `runs`: the report of those with an evaluation (copying every
// run's data and building it take ~0.5 s for 20 runs x 10,000 instances, hence built
// apart from the widget, on a worker in the main window).
struct ExitTableContent {
  std::vector<RunPtr> runs;
  std::optional<analysis::Report> report;  // none: no evaluated run, or `error`
  std::string error;                       // why buildReport refused the runs
};

class ExitTableView : public QWidget {
  Q_OBJECT
 public:
  explicit ExitTableView(QWidget* parent = nullptr);

  // Builds the report of `runs` and shows it: at once (the default, for exports and views
  // read straight away) or, asynchronous, on a worker thread, the table keeping its rows
  // until the newest request's report is ready (the main window's view).
  void setRuns(const std::vector<RunPtr>& runs);
  void setAsync(bool async) { async_ = async; }
  // A report requested and not shown yet.
  bool computing() const { return builds_.busy(); }
  // Runs the event loop until the requested report is shown (true) or `timeoutMs` passes.
  bool waitForTable(int timeoutMs = 60000);
  // Scores are per exit alone, so scaling changes only the notes' wording here; kept in step
  // with the curve view's toggle so both say the same.
  void setCalibrated(bool calibrated);
  QTableWidget* table() const { return table_; }

  // The table as shown (current sort order), gap rows included.
  QString toCsv() const;
  QString toLatex() const;
  void copyCsv() const;
  void copyLatex() const;

 protected:
  void resizeEvent(QResizeEvent* event) override;

 private:
  struct Request {
    std::vector<RunPtr> runs;
    bool calibrated = true;
  };
  // The table's content for `runs`, on any thread; `stop` ends a build whose result is
  // no longer wanted (its content then goes nowhere).
  static std::shared_ptr<ExitTableContent> build(const std::vector<RunPtr>& runs, bool calibrated,
                                                 const std::function<bool()>& stop = {});
  void showContent(const ExitTableContent& content);

  QTableWidget* table_;
  QLabel* notes_;
  std::vector<RunPtr> runs_;
  bool calibrated_ = true;
  bool async_ = false;
  BackgroundBuild<Request, ExitTableContent> builds_;
};

}  // namespace sweet::ui
