// "New experiment": checkpoint (validated at once, on a worker thread, errors shown in the
// dialog), task and data, methods, exits, the conflict remedies (PCGrad, the partial cut's
// α, exit loss weights), seeds, learning rates and the optimisation settings, with presets
// from resources/. Accepting expands it into planned runs.
#pragma once

#include "ui/experiment_spec.h"

#include <QDialog>
#include <QFutureWatcher>

#include <cstdint>
#include <vector>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QDoubleSpinBox;
class QFormLayout;
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
  QLabel* exitsStatus() const { return exitsStatus_; }
  QLabel* weightsStatus() const { return weightsStatus_; }
  // Fields are remembered (QSettings) when runs are queued and restored next time; the
  // first time, they hold the demo experiment of `sweet demo` (resources/demo/demo.json).
  void restoreRemembered();
  void remember() const;
  bool checkpointValid() const { return checkpointValid_; }
  bool validationPending() const { return watcher_.isRunning(); }

 public Q_SLOTS:
  void accept() override;

 private:
  // Parts of the constructor: the custom task's files and columns; precision, threads and
  // checkpoint_every; object names, by which scripts and tests find each field.
  void makeCustomTaskFields();
  void makeRunResourceFields();
  // The conflict remedies (issue 25): PCGrad, the partial cut's α, the exit loss weights.
  void makeRemedyFields();
  void nameFields();
  void validateCheckpoint();
  bool checkDataFolder();
  bool checkCustomTask();
  // The exit layers against the checkpoint's depth (once known), as the trainer checks them.
  bool checkExitLayers();
  // α only with EE, and the weights against the exits' count and the chosen methods, as
  // the trainer checks them (its own functions and messages); "" when the trainer agrees.
  QString remediesProblem();
  // The exits a run will have: the field's, else the checkpoint's defaults; empty while
  // the field is unparsable or the depth unknown.
  std::vector<int64_t> plannedExitLayers() const;
  void updateEnabled();

  nlohmann::json base_ = nlohmann::json::object();
  QCheckBox* demoCheckpoint_;
  QLineEdit* checkpoint_;
  QLabel* checkpointStatus_;
  QComboBox* task_;
  QLineEdit* dataDir_;
  QLabel* dataStatus_;
  QLineEdit* trainFile_;
  QLineEdit* evalFile_;
  QLineEdit* textColumn_;
  QLineEdit* textBColumn_;
  QLineEdit* labelColumn_;
  QLineEdit* labels_;
  QCheckBox* ee_;
  QCheckBox* mm_;
  QCheckBox* sweet_;
  QCheckBox* pcgrad_;
  QDoubleSpinBox* alpha_;
  QLabel* alphaNote_;
  QLineEdit* weights_;
  QLabel* weightsStatus_;
  QLineEdit* exits_;
  QLabel* exitsStatus_;
  QLineEdit* seeds_;
  QLineEdit* lrs_;
  QSpinBox* epochs_;
  QSpinBox* batch_;
  QSpinBox* maxLength_;
  QSpinBox* trainCap_;
  QComboBox* device_;
  QComboBox* precision_;
  QSpinBox* threads_;
  QSpinBox* checkpointEvery_;
  QSpinBox* gradEvery_;
  QSpinBox* evalEvery_;
  QLineEdit* output_;
  QLabel* error_;
  QDialogButtonBox* buttons_;
  QFormLayout* form_;
  QFutureWatcher<QString> watcher_;  // "ok:<layers>:<description>", else the error
  QString validatedPath_;
  bool checkpointValid_ = false;
  int64_t checkpointLayers_ = 0;  // depth of the validated checkpoint; 0 while unknown
  int64_t demoLayers_ = 0;        // depth of the demo checkpoint
  std::vector<PlannedRun> planned_;
};

}  // namespace sweet::ui
