// Table 1 of the paper as a widget: methods x exit layers, each cell the seed mean ± std of
// that exit alone on the eval set, the best per column in bold, then the MM−EE and
// SWEET−EE gap rows. Numbers come from analysis::buildReport; the view sorts and formats,
// and copies the table as CSV or LaTeX.
#pragma once

#include "analysis/report.h"
#include "ui/run_loader.h"

#include <QWidget>

#include <vector>

class QLabel;
class QTableWidget;

namespace sweet::ui {

class ExitTableView : public QWidget {
  Q_OBJECT
 public:
  explicit ExitTableView(QWidget* parent = nullptr);

  void setRuns(const std::vector<RunPtr>& runs);
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
  QTableWidget* table_;
  QLabel* notes_;
  std::vector<RunPtr> runs_;
  bool calibrated_ = true;
};

}  // namespace sweet::ui
