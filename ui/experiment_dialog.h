// "New experiment": checkpoint (validated at once, on a worker thread, errors shown in the
// dialog), task and data, methods, exits, seeds, learning rates and the optimisation
// settings, with presets from resources/. Accepting expands it into planned runs.
#pragma once

#include "ui/experiment_spec.h"

#include <QDialog>
#include <QFutureWatcher>

#include <vector>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace sweet::ui {

class ExperimentDialog : public QDialog {
  Q_OBJECT
 public:
  explicit ExperimentDialog(QWidget* parent = nullptr);

  // Fills the fields from a training-config JSON preset (e.g. resources/demo/demo.json).
  void applyPreset(const nlohmann::json& preset);
  void setCheckpointFolder(const QString& dir);
  void setOutputFolder(const QString& dir);
  // The spec the fields describe; throws std::runtime_error for unparsable fields.
  ExperimentSpec spec() const;
  std::vector<PlannedRun> plannedRuns() const { return planned_; }

  QLabel* checkpointStatus() const { return checkpointStatus_; }
  QLabel* dataStatus() const { return dataStatus_; }
  // Fields are remembered (QSettings) when runs are queued and restored next time; the
  // first time, they hold the demo experiment of `sweet demo` (resources/demo/demo.json).
  void restoreRemembered();
  void remember() const;
  bool checkpointValid() const { return checkpointValid_; }
  bool validationPending() const { return watcher_.isRunning(); }

 public Q_SLOTS:
  void accept() override;

 private:
  void validateCheckpoint();
  bool checkDataFolder();
  void updateEnabled();

  nlohmann::json base_ = nlohmann::json::object();
  QCheckBox* demoCheckpoint_;
  QLineEdit* checkpoint_;
  QLabel* checkpointStatus_;
  QComboBox* task_;
  QLineEdit* dataDir_;
  QLabel* dataStatus_;
  QCheckBox* ee_;
  QCheckBox* mm_;
  QCheckBox* sweet_;
  QLineEdit* exits_;
  QLineEdit* seeds_;
  QLineEdit* lrs_;
  QSpinBox* epochs_;
  QSpinBox* batch_;
  QSpinBox* maxLength_;
  QSpinBox* trainCap_;
  QComboBox* device_;
  QSpinBox* gradEvery_;
  QSpinBox* evalEvery_;
  QLineEdit* output_;
  QLabel* error_;
  QDialogButtonBox* buttons_;
  QFutureWatcher<QString> watcher_;  // "" = valid, else the error
  QString validatedPath_;
  bool checkpointValid_ = false;
  std::vector<PlannedRun> planned_;
};

}  // namespace sweet::ui
