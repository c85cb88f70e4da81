// The Sweeps tab: open a sweep file, see where each of its runs stands (read from the
// files on disk, as `sweet sweep status` does, on a worker thread every few seconds), run
// it here N at a time or submit it to Slurm through the `sweet` command line (a child
// process: the GUI never trains or waits), and open each run's results as they land.
#pragma once

#include <QFutureWatcher>
#include <QProcess>
#include <QTimer>
#include <QWidget>

#include <memory>
#include <set>
#include <vector>

#include "training/sweeps/sweep_spec.h"
#include "training/sweeps/sweep_state.h"

class QLabel;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace sweet::ui {

class SweepPanel : public QWidget {
  Q_OBJECT
 public:
  explicit SweepPanel(QWidget* parent = nullptr);
  ~SweepPanel() override;

  // Loads and expands the sweep (errors name the file and key, shown in the panel); false
  // when it cannot be read.
  bool openSweep(const QString& path);
  // The `sweet` binary the panel runs (default: beside this executable, else on PATH).
  void setSweetProgram(const QString& program) { sweet_ = program; }
  // Reads every run's state now (on a worker thread; the table follows when it is done).
  void refresh();

  QTableWidget* table() const { return table_; }
  QPushButton* runButton() const { return run_; }
  QPushButton* submitButton() const { return submit_; }
  QPushButton* stopButton() const { return stop_; }
  QSpinBox* parallelSpin() const { return parallel_; }
  QLabel* statusLabel() const { return status_; }
  bool isRunning() const { return process_.state() != QProcess::NotRunning; }
  const std::vector<SweepRunStatus>& states() const { return states_; }

 Q_SIGNALS:
  // Finished runs' files: once each, as they land (and all finished ones on open).
  void runsFinished(const QStringList& runFiles);

 private:
  void startCli(const QStringList& args);
  void showStates(const std::vector<SweepRunStatus>& states);

  std::unique_ptr<Sweep> sweep_;
  std::vector<SweepRunStatus> states_;
  std::set<std::string> announced_;  // run files already sent through runsFinished
  QString sweet_;
  QProcess process_;
  QFutureWatcher<std::vector<SweepRunStatus>> watcher_;
  QTimer poll_;
  QLabel* path_;
  QLabel* status_;
  QTableWidget* table_;
  QPushButton* open_;
  QPushButton* run_;
  QPushButton* submit_;
  QPushButton* stop_;
  QSpinBox* parallel_;
};

}  // namespace sweet::ui
