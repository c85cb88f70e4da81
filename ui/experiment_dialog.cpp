// New-experiment dialog: see experiment_dialog.h.
#include "ui/experiment_dialog.h"

#include "analysis/run_naming.h"
#include "training/models/exit_layers_check.h"
#include "training/runs/exit_loss_weights.h"
#include "training/text/task_spec.h"
#include "ui/training_adapter.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QThread>
#include <QtConcurrent/QtConcurrentRun>

#include <filesystem>
#include <fstream>

namespace sweet::ui {
namespace {

QString joinInts(const nlohmann::json& a) {
  QStringList items;
  for (const auto& v : a) items << QString::number(v.get<int64_t>());
  return items.join(QStringLiteral(", "));
}

QSpinBox* spin(QWidget* parent, int lo, int hi, int value, const QString& tip) {
  auto* s = new QSpinBox(parent);
  s->setRange(lo, hi);
  s->setValue(value);
  s->setToolTip(tip);
  return s;
}

}  // namespace

ExperimentDialog::ExperimentDialog(QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("New experiment"));
  setMinimumWidth(640);  // room for the checks' messages (wrapped labels in a form clip when narrow)
  demoCheckpoint_ = new QCheckBox(tr("Built-in demo checkpoint (random-init 12-layer BERT)"), this);
  demoCheckpoint_->setToolTip(tr("Start from the demo's small random-init BERT, created once in the output folder"));
  checkpoint_ = new QLineEdit(this);
  checkpoint_->setPlaceholderText(tr("Hugging Face BERT folder (config.json, model.safetensors, vocab.txt)"));
  checkpoint_->setToolTip(tr("Checkpoint folder; it is checked as soon as you type or choose it"));
  auto* browse = new QPushButton(tr("Browse…"), this);
  browse->setToolTip(tr("Choose the checkpoint folder"));
  checkpointStatus_ = new QLabel(this);
  checkpointStatus_->setWordWrap(true);
  checkpointStatus_->setToolTip(tr("Result of opening the checkpoint as training would"));
  task_ = new QComboBox(this);
  // Every task the trainer knows, from its own registry.
  task_->addItem(QStringLiteral("demo"));
  for (const std::string& name : glueTaskNames()) task_->addItem(QString::fromStdString(name));
  task_->addItem(QStringLiteral("custom"));
  task_->setToolTip(tr("Task: the built-in demo task needs no data; GLUE tasks read train.tsv/dev.tsv (stsb is a "
                       "regression); custom reads your own files with the columns you name"));
  dataDir_ = new QLineEdit(this);
  dataDir_->setToolTip(tr("GLUE task folder holding train.tsv and dev.tsv; checked as you type"));
  dataStatus_ = new QLabel(this);
  dataStatus_->setWordWrap(true);
  dataStatus_->setToolTip(tr("Whether the data folder holds the task's files"));
  makeCustomTaskFields();
  ee_ = new QCheckBox(QStringLiteral("EE"), this);
  ee_->setToolTip(tr("Early-Exit: all exits share one backbone, losses summed"));
  sweet_ = new QCheckBox(QStringLiteral("SWEET"), this);
  sweet_->setToolTip(tr("SWEET: each exit's gradient only updates the layers below it up to the previous exit"));
  mm_ = new QCheckBox(QStringLiteral("MM"), this);
  mm_->setToolTip(tr("Multi-Model: an independent model per exit, run as a cascade"));
  for (QCheckBox* c : {ee_, sweet_, mm_}) c->setChecked(true);
  makeRemedyFields();
  exits_ = new QLineEdit(this);
  exits_->setToolTip(tr("1-based layers after which an exit sits, e.g. 1, 4, 6, 12 (empty: defaults); checked "
                        "against the checkpoint's depth as you type"));
  exitsStatus_ = new QLabel(this);
  exitsStatus_->setWordWrap(true);
  exitsStatus_->setToolTip(tr("Whether the exit layers fit the checkpoint"));
  seeds_ = new QLineEdit(QStringLiteral("42"), this);
  seeds_->setToolTip(tr("Seeds, one run each, e.g. 42, 43, 44"));
  lrs_ = new QLineEdit(QStringLiteral("5e-4"), this);
  lrs_->setToolTip(tr("Peak learning rates, one run each, e.g. 2e-5, 5e-5"));
  epochs_ = spin(this, 1, 100, 4, tr("Training epochs"));
  batch_ = spin(this, 1, 4096, 32, tr("Training batch size"));
  maxLength_ = spin(this, 8, 4096, 40, tr("Maximum tokens per example (longer ones are truncated)"));
  trainCap_ = spin(this, 1, 10000000, 4000, tr("Training examples used at most (sampled with the seed)"));
  device_ = new QComboBox(this);
  device_->addItems({"cpu", "cuda", "cuda:0", "cuda:1"});
  device_->setEditable(true);
  device_->setToolTip(tr("Where to train: cpu, cuda or cuda:N"));
  makeRunResourceFields();
  gradEvery_ = spin(this, 0, 1000000, 50, tr("Record exit gradients every N steps for the heatmaps (0 = off)"));
  evalEvery_ = spin(this, 0, 1000000, 100, tr("Evaluate every exit on the eval set every N steps, so curves and the "
                                              "table grow while the run trains (0 = off; each evaluation costs one eval pass)"));
  output_ = new QLineEdit(QStringLiteral("runs"), this);
  output_->setToolTip(tr("Folder for run files and saved models"));
  error_ = new QLabel(this);
  error_->setStyleSheet(QStringLiteral("color: #c0392b"));
  error_->setWordWrap(true);
  auto* preset = new QPushButton(tr("Load demo preset"), this);
  preset->setToolTip(tr("Fill the fields from resources/demo/demo.json, the demo experiment"));

  auto* ckptRow = new QHBoxLayout;
  ckptRow->addWidget(checkpoint_, 1);
  ckptRow->addWidget(browse);
  auto* methods = new QHBoxLayout;
  for (QCheckBox* c : {ee_, sweet_, mm_, pcgrad_}) methods->addWidget(c);
  auto* alphaRow = new QHBoxLayout;
  alphaRow->addWidget(alpha_);
  alphaRow->addWidget(alphaNote_, 1);
  auto* form = form_ = new QFormLayout;
  form->addRow(demoCheckpoint_);
  form->addRow(tr("Checkpoint"), ckptRow);
  form->addRow(QString(), checkpointStatus_);
  form->addRow(tr("Task"), task_);
  form->addRow(tr("Data folder"), dataDir_);
  form->addRow(tr("Training file"), trainFile_);
  form->addRow(tr("Evaluation file"), evalFile_);
  form->addRow(tr("Text column"), textColumn_);
  form->addRow(tr("Second text column"), textBColumn_);
  form->addRow(tr("Label column"), labelColumn_);
  form->addRow(tr("Labels"), labels_);
  form->addRow(QString(), dataStatus_);
  form->addRow(tr("Methods"), methods);
  form->addRow(tr("Exit layers"), exits_);
  form->addRow(QString(), exitsStatus_);
  form->addRow(tr("Partial cut α"), alphaRow);
  form->addRow(tr("Exit loss weights"), weights_);
  form->addRow(QString(), weightsStatus_);
  form->addRow(tr("Seeds"), seeds_);
  form->addRow(tr("Learning rates"), lrs_);
  form->addRow(tr("Epochs"), epochs_);
  form->addRow(tr("Batch size"), batch_);
  form->addRow(tr("Max length"), maxLength_);
  form->addRow(tr("Training cap"), trainCap_);
  form->addRow(tr("Device"), device_);
  form->addRow(tr("Precision"), precision_);
  form->addRow(tr("Threads"), threads_);
  form->addRow(tr("Checkpoint every"), checkpointEvery_);
  form->addRow(tr("Gradient record every"), gradEvery_);
  form->addRow(tr("Evaluate every"), evalEvery_);
  form->addRow(tr("Output folder"), output_);
  buttons_ = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  buttons_->button(QDialogButtonBox::Ok)->setText(tr("Queue runs"));
  buttons_->button(QDialogButtonBox::Ok)->setToolTip(tr("Expand into one run per method × learning rate × seed and queue them"));
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(preset);
  layout->addLayout(form);
  layout->addWidget(error_);
  layout->addWidget(buttons_);

  connect(buttons_, &QDialogButtonBox::accepted, this, &ExperimentDialog::accept);
  connect(buttons_, &QDialogButtonBox::rejected, this, &ExperimentDialog::reject);
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Checkpoint folder"), checkpoint_->text());
    if (!dir.isEmpty()) setCheckpointFolder(dir);
  });
  connect(checkpoint_, &QLineEdit::textChanged, this, &ExperimentDialog::validateCheckpoint);
  connect(demoCheckpoint_, &QCheckBox::toggled, this, &ExperimentDialog::updateEnabled);
  connect(task_, &QComboBox::currentTextChanged, this, &ExperimentDialog::updateEnabled);
  for (QLineEdit* edit : {dataDir_, trainFile_, evalFile_, textColumn_, labelColumn_, labels_, exits_, weights_})
    connect(edit, &QLineEdit::textChanged, this, &ExperimentDialog::updateEnabled);
  for (QCheckBox* method : {ee_, sweet_, mm_, pcgrad_}) connect(method, &QCheckBox::toggled, this, &ExperimentDialog::updateEnabled);
  connect(alpha_, &QDoubleSpinBox::valueChanged, this, &ExperimentDialog::updateEnabled);
  connect(preset, &QPushButton::clicked, this, [this] {
    try {
      std::ifstream in(resourceFile("demo/demo.json"));
      applyPreset(nlohmann::json::parse(in));
    } catch (const std::exception& e) {
      error_->setText(QString::fromStdString(e.what()));
    }
  });
  connect(&watcher_, &QFutureWatcher<QString>::finished, this, [this] {
    if (validatedPath_ != checkpoint_->text()) return validateCheckpoint();  // typed on meanwhile
    const QString result = watcher_.result();
    checkpointValid_ = result.startsWith(QStringLiteral("ok:"));
    checkpointLayers_ = checkpointValid_ ? result.section(QLatin1Char(':'), 1, 1).toLongLong() : 0;
    checkpointStatus_->setStyleSheet(checkpointValid_ ? QStringLiteral("color: #1e8449") : QStringLiteral("color: #c0392b"));
    checkpointStatus_->setText(checkpointValid_ ? tr("✓ %1").arg(result.section(QLatin1Char(':'), 2)) : result);
    updateEnabled();
  });
  nameFields();
  try {
    demoLayers_ = demoCheckpointLayers();
  } catch (const std::exception& e) {
    error_->setText(QString::fromStdString(e.what()));
  }
  demoCheckpoint_->setChecked(true);
  restoreRemembered();
  updateEnabled();
}

void ExperimentDialog::makeCustomTaskFields() {
  trainFile_ = new QLineEdit(this);
  trainFile_->setPlaceholderText(tr("training file (.tsv, .csv or .jsonl)"));
  trainFile_->setToolTip(tr("Custom task: the training file; checked as you type"));
  evalFile_ = new QLineEdit(this);
  evalFile_->setPlaceholderText(tr("evaluation file (.tsv, .csv or .jsonl)"));
  evalFile_->setToolTip(tr("Custom task: the evaluation file; checked as you type"));
  textColumn_ = new QLineEdit(this);
  textColumn_->setToolTip(tr("Custom task: the column (or JSON key) holding the text"));
  textBColumn_ = new QLineEdit(this);
  textBColumn_->setPlaceholderText(tr("optional: the second text of a pair"));
  textBColumn_->setToolTip(tr("Custom task: the column holding the second text of a pair task (empty: single texts)"));
  labelColumn_ = new QLineEdit(this);
  labelColumn_->setToolTip(tr("Custom task: the column holding the label"));
  labels_ = new QLineEdit(this);
  labels_->setPlaceholderText(tr("e.g. negative, positive"));
  labels_->setToolTip(tr("Custom task: the label values, comma-separated, in class-id order"));
}

void ExperimentDialog::makeRemedyFields() {
  pcgrad_ = new QCheckBox(QStringLiteral("PCGrad"), this);
  pcgrad_->setToolTip(tr("PCGrad: EE's model; each exit's gradient on the shared layers is projected off the others' "
                         "where they conflict (Yu et al. 2020); one backward pass per exit, so steps cost more"));
  alpha_ = new QDoubleSpinBox(this);
  alpha_->setRange(0.0, 1.0);
  alpha_->setSingleStep(0.05);
  alpha_->setDecimals(2);
  alpha_->setValue(1.0);
  alpha_->setToolTip(tr("sweet_alpha: later exits' gradients into the layers below an exit are scaled by α "
                        "(1 = EE, 0 = SWEET's cut); only EE runs take it"));
  alphaNote_ = new QLabel(this);
  alphaNote_->setWordWrap(true);
  weights_ = new QLineEdit(QStringLiteral("uniform"), this);
  weights_->setPlaceholderText(tr("uniform, layer, or one weight per exit, e.g. 1, 0.5, 0.5, 2"));
  weights_->setToolTip(tr("exit_loss_weights: uniform (each exit's loss once), layer (in proportion to the exit's "
                          "layer) or one non-negative weight per exit; checked against the exits as you type"));
  weightsStatus_ = new QLabel(this);
  weightsStatus_->setWordWrap(true);
  weightsStatus_->setToolTip(tr("Whether the trainer takes these weights for the chosen methods and exits"));
}

void ExperimentDialog::makeRunResourceFields() {
  precision_ = new QComboBox(this);
  precision_->addItems({"auto", "fp32", "tf32", "bf16", "fp16"});
  precision_->setToolTip(tr("Arithmetic precision: auto (bf16 on a CUDA device that has it, else fp32), fp32, tf32 "
                            "(CUDA matmuls), bf16, or fp16 (CUDA only, with loss scaling)"));
  const int cores = std::max(1, QThread::idealThreadCount());
  threads_ = spin(this, 0, 4 * cores, 0,
                  tr("CPU threads each run trains with; 0 = all %1 cores (shared among runs trained in parallel). "
                     "A fixed count keeps resumes bit-exact on another machine").arg(cores));
  threads_->setSpecialValueText(tr("all %1 cores").arg(cores));
  checkpointEvery_ = spin(this, 0, 1000000, 0,
                          tr("Write a resume checkpoint every N steps, so a killed run loses at most N steps (each "
                             "costs a write of about three times the model); 0 = only when stopped"));
  checkpointEvery_->setSpecialValueText(tr("only when stopped"));
}

void ExperimentDialog::nameFields() {
  // Object names let scripts and tests find each field the way a user sees it.
  const std::pair<QWidget*, const char*> named[] = {
      {demoCheckpoint_, "demoCheckpoint"}, {checkpoint_, "checkpoint"}, {task_, "task"}, {dataDir_, "dataDir"},
      {ee_, "methodEE"}, {sweet_, "methodSWEET"}, {mm_, "methodMM"}, {pcgrad_, "methodPCGrad"},
      {alpha_, "sweetAlpha"}, {alphaNote_, "alphaNote"}, {weights_, "exitLossWeights"}, {weightsStatus_, "weightsStatus"}, {exits_, "exitLayers"}, {seeds_, "seeds"},
      {lrs_, "learningRates"}, {epochs_, "epochs"}, {batch_, "batchSize"}, {maxLength_, "maxLength"},
      {trainCap_, "trainCap"}, {device_, "device"}, {gradEvery_, "gradientEvery"}, {evalEvery_, "evalEvery"},
      {output_, "outputDir"}, {error_, "error"}, {precision_, "precision"}, {threads_, "threads"},
      {checkpointEvery_, "checkpointEvery"}, {exitsStatus_, "exitsStatus"}, {trainFile_, "trainFile"},
      {evalFile_, "evalFile"}, {textColumn_, "textColumn"}, {textBColumn_, "textBColumn"},
      {labelColumn_, "labelColumn"}, {labels_, "labels"}};
  for (const auto& [widget, name] : named) widget->setObjectName(QLatin1String(name));
}

void ExperimentDialog::restoreRemembered() {
  QSettings settings;
  settings.beginGroup(QStringLiteral("experiment"));
  if (!settings.contains(QStringLiteral("task"))) {
    // First use: the same experiment as `sweet demo`, from the same preset file.
    try {
      std::ifstream in(resourceFile("demo/demo.json"));
      applyPreset(nlohmann::json::parse(in));
    } catch (const std::exception& e) {
      error_->setText(QString::fromStdString(e.what()));
    }
    return;
  }
  try {
    base_ = nlohmann::json::parse(settings.value(QStringLiteral("base"), QStringLiteral("{}")).toString().toStdString());
  } catch (const nlohmann::json::exception&) {
    base_ = nlohmann::json::object();
  }
  demoCheckpoint_->setChecked(settings.value(QStringLiteral("demoCheckpoint"), true).toBool());
  checkpoint_->setText(settings.value(QStringLiteral("checkpoint")).toString());
  task_->setCurrentText(settings.value(QStringLiteral("task")).toString());
  dataDir_->setText(settings.value(QStringLiteral("dataDir")).toString());
  const QStringList methods = settings.value(QStringLiteral("methods")).toStringList();
  ee_->setChecked(methods.contains(QStringLiteral("ee")));
  sweet_->setChecked(methods.contains(QStringLiteral("sweet")));
  mm_->setChecked(methods.contains(QStringLiteral("mm")));
  pcgrad_->setChecked(methods.contains(QStringLiteral("pcgrad")));
  alpha_->setValue(settings.value(QStringLiteral("sweetAlpha"), 1.0).toDouble());
  weights_->setText(settings.value(QStringLiteral("exitLossWeights"), QStringLiteral("uniform")).toString());
  exits_->setText(settings.value(QStringLiteral("exits")).toString());
  seeds_->setText(settings.value(QStringLiteral("seeds")).toString());
  lrs_->setText(settings.value(QStringLiteral("learningRates")).toString());
  epochs_->setValue(settings.value(QStringLiteral("epochs"), epochs_->value()).toInt());
  batch_->setValue(settings.value(QStringLiteral("batchSize"), batch_->value()).toInt());
  maxLength_->setValue(settings.value(QStringLiteral("maxLength"), maxLength_->value()).toInt());
  trainCap_->setValue(settings.value(QStringLiteral("trainCap"), trainCap_->value()).toInt());
  device_->setCurrentText(settings.value(QStringLiteral("device"), device_->currentText()).toString());
  gradEvery_->setValue(settings.value(QStringLiteral("gradientEvery"), gradEvery_->value()).toInt());
  evalEvery_->setValue(settings.value(QStringLiteral("evalEvery"), evalEvery_->value()).toInt());
  output_->setText(settings.value(QStringLiteral("outputDir"), output_->text()).toString());
  precision_->setCurrentText(settings.value(QStringLiteral("precision"), precision_->currentText()).toString());
  threads_->setValue(settings.value(QStringLiteral("threads"), threads_->value()).toInt());
  checkpointEvery_->setValue(settings.value(QStringLiteral("checkpointEvery"), checkpointEvery_->value()).toInt());
  for (QLineEdit* edit : {trainFile_, evalFile_, textColumn_, textBColumn_, labelColumn_, labels_})
    edit->setText(settings.value(edit->objectName()).toString());
}

void ExperimentDialog::remember() const {
  QSettings settings;
  settings.beginGroup(QStringLiteral("experiment"));
  settings.setValue(QStringLiteral("base"), QString::fromStdString(base_.dump()));
  settings.setValue(QStringLiteral("demoCheckpoint"), demoCheckpoint_->isChecked());
  settings.setValue(QStringLiteral("checkpoint"), checkpoint_->text());
  settings.setValue(QStringLiteral("task"), task_->currentText());
  settings.setValue(QStringLiteral("dataDir"), dataDir_->text());
  QStringList methods;
  if (ee_->isChecked()) methods << QStringLiteral("ee");
  if (sweet_->isChecked()) methods << QStringLiteral("sweet");
  if (mm_->isChecked()) methods << QStringLiteral("mm");
  if (pcgrad_->isChecked()) methods << QStringLiteral("pcgrad");
  settings.setValue(QStringLiteral("methods"), methods);
  settings.setValue(QStringLiteral("sweetAlpha"), alpha_->value());
  settings.setValue(QStringLiteral("exitLossWeights"), weights_->text());
  settings.setValue(QStringLiteral("exits"), exits_->text());
  settings.setValue(QStringLiteral("seeds"), seeds_->text());
  settings.setValue(QStringLiteral("learningRates"), lrs_->text());
  settings.setValue(QStringLiteral("epochs"), epochs_->value());
  settings.setValue(QStringLiteral("batchSize"), batch_->value());
  settings.setValue(QStringLiteral("maxLength"), maxLength_->value());
  settings.setValue(QStringLiteral("trainCap"), trainCap_->value());
  settings.setValue(QStringLiteral("device"), device_->currentText());
  settings.setValue(QStringLiteral("gradientEvery"), gradEvery_->value());
  settings.setValue(QStringLiteral("evalEvery"), evalEvery_->value());
  settings.setValue(QStringLiteral("outputDir"), output_->text());
  settings.setValue(QStringLiteral("precision"), precision_->currentText());
  settings.setValue(QStringLiteral("threads"), threads_->value());
  settings.setValue(QStringLiteral("checkpointEvery"), checkpointEvery_->value());
  for (QLineEdit* edit : {trainFile_, evalFile_, textColumn_, textBColumn_, labelColumn_, labels_})
    settings.setValue(edit->objectName(), edit->text());
}

bool ExperimentDialog::checkCustomTask() {
  auto fail = [this](const QString& text) {
    dataStatus_->setStyleSheet(QStringLiteral("color: #c0392b"));
    dataStatus_->setText(text);
    return false;
  };
  for (QLineEdit* file : {trainFile_, evalFile_}) {
    const QString path = file->text().trimmed();
    const QString what = file == trainFile_ ? tr("training file") : tr("evaluation file");
    if (path.isEmpty()) return fail(tr("task custom needs a %1").arg(what));
    std::ifstream in(path.toStdString());
    if (!in) return fail(tr("%1: missing or unreadable (the %2)").arg(path, what));
  }
  if (textColumn_->text().trimmed().isEmpty()) return fail(tr("task custom needs the text column's name"));
  if (labelColumn_->text().trimmed().isEmpty()) return fail(tr("task custom needs the label column's name"));
  if (parseNameList(labels_->text().toStdString()).size() < 2)
    return fail(tr("task custom needs its labels, at least two, comma-separated in class-id order"));
  dataStatus_->setStyleSheet(QStringLiteral("color: #1e8449"));
  dataStatus_->setText(tr("✓ files found; the columns are read when the run starts"));
  return true;
}

bool ExperimentDialog::checkExitLayers() {
  auto show = [this](const QString& text, bool ok) {
    exitsStatus_->setStyleSheet(ok ? QStringLiteral("color: #1e8449") : QStringLiteral("color: #c0392b"));
    exitsStatus_->setText(text);
    return ok;
  };
  std::vector<int64_t> layers;
  try {
    layers = parseIntList(exits_->text().toStdString());
  } catch (const std::exception& e) {
    return show(QString::fromStdString(e.what()), false);
  }
  const int64_t depth = demoCheckpoint_->isChecked() ? demoLayers_ : checkpointLayers_;
  if (depth <= 0) {  // the checkpoint is still being read (or is broken: that says so above)
    exitsStatus_->clear();
    return true;
  }
  if (layers.empty()) return show(tr("✓ the defaults for %1 layers").arg(depth), true);
  const std::string problem = exitLayersProblem(layers, depth);
  if (!problem.empty()) return show(QString::fromStdString(problem), false);
  return show(tr("✓ within the checkpoint's %1 layers").arg(depth), true);
}

std::vector<int64_t> ExperimentDialog::plannedExitLayers() const {
  const int64_t depth = demoCheckpoint_->isChecked() ? demoLayers_ : checkpointLayers_;
  try {
    const std::vector<int64_t> layers = parseIntList(exits_->text().toStdString());
    return layers.empty() && depth > 0 ? defaultExitLayers(depth) : layers;
  } catch (const std::exception&) {
    return {};  // the exit layers' status says what is wrong
  }
}

QString ExperimentDialog::remediesProblem() {
  const bool alphaOk = alpha_->value() == 1.0 || ee_->isChecked();
  const QString alphaProblem = alphaOk ? QString()
                                       : tr("α %1 applies to method ee only: choose EE (SWEET is the cut at α 0)")
                                             .arg(QString::fromStdString(analysis::compactNumber(alpha_->value())));
  alphaNote_->setStyleSheet(alphaOk ? QString() : QStringLiteral("color: #c0392b"));
  alphaNote_->setText(alphaOk ? tr("applies to the EE runs only: 1 = EE, 0 = SWEET's cut") : alphaProblem);
  auto show = [this](const QString& text, bool ok) {
    weightsStatus_->setStyleSheet(ok ? QStringLiteral("color: #1e8449") : QStringLiteral("color: #c0392b"));
    weightsStatus_->setText(text);
    return ok ? QString() : text;
  };
  nlohmann::json weights;
  try {
    weights = parseExitLossWeights(weights_->text().toStdString());
  } catch (const std::exception& e) {
    return show(QString::fromStdString(e.what()), false);
  }
  const std::vector<int64_t> layers = plannedExitLayers();
  std::string problem = exitLossWeightsProblem(weights, layers);
  if (problem.empty() && mm_->isChecked()) problem = exitLossWeightsMethodProblem("mm", weights);
  if (!problem.empty()) return show(QStringLiteral("exit_loss_weights ") + QString::fromStdString(problem), false);
  if (weights == "uniform") show(tr("✓ uniform: every exit's loss counts once"), true);
  else if (layers.empty()) weightsStatus_->clear();  // the exits are not known yet: the trainer counts them
  else {
    QStringList each;
    for (double w : exitLossWeights(weights, layers)) each << QString::fromStdString(analysis::compactNumber(w));
    show(tr("✓ weights [%1] for exits %2")
             .arg(each.join(QStringLiteral(", ")), QString::fromStdString(analysis::labelValueText(nlohmann::json(layers)))),
         true);
  }
  return alphaProblem;
}

bool ExperimentDialog::checkDataFolder() {
  if (task_->currentText() == QLatin1String("custom")) return checkCustomTask();
  if (task_->currentText() == QLatin1String("demo")) {
    dataStatus_->clear();
    return true;
  }
  try {
    const std::string found = sweet::ui::checkDataFolder(task_->currentText().toStdString(),
                                                         dataDir_->text().trimmed().toStdString());
    dataStatus_->setStyleSheet(QStringLiteral("color: #1e8449"));
    dataStatus_->setText(tr("✓ %1").arg(QString::fromStdString(found)));
    return true;
  } catch (const std::exception& e) {
    dataStatus_->setStyleSheet(QStringLiteral("color: #c0392b"));
    dataStatus_->setText(QString::fromStdString(e.what()));
    return false;
  }
}

void ExperimentDialog::applyPreset(const nlohmann::json& p) {
  base_ = p;
  if (p.contains("task")) task_->setCurrentText(QString::fromStdString(p["task"].get<std::string>()));
  if (p.contains("exit_layers")) exits_->setText(joinInts(p["exit_layers"]));
  if (p.contains("seed")) seeds_->setText(QString::number(p["seed"].get<int64_t>()));
  if (p.contains("learning_rate")) lrs_->setText(QString::number(p["learning_rate"].get<double>()));
  if (p.contains("epochs")) epochs_->setValue(p["epochs"].get<int>());
  if (p.contains("batch_size")) batch_->setValue(p["batch_size"].get<int>());
  if (p.contains("max_length")) maxLength_->setValue(p["max_length"].get<int>());
  if (p.contains("demo_train_size")) trainCap_->setValue(p["demo_train_size"].get<int>());
  if (p.contains("train_cap")) trainCap_->setValue(p["train_cap"].get<int>());
  if (p.contains("gradients") && p["gradients"].contains("every")) gradEvery_->setValue(p["gradients"]["every"].get<int>());
  evalEvery_->setValue(static_cast<int>(p.value("eval_every", int64_t{0})));
  alpha_->setValue(p.value("sweet_alpha", 1.0));
  if (p.contains("exit_loss_weights"))
    weights_->setText(p["exit_loss_weights"].is_array()
                          ? QString::fromStdString(analysis::labelValueText(p["exit_loss_weights"])).remove('[').remove(']')
                          : QString::fromStdString(p["exit_loss_weights"].get<std::string>()));
  if (p.contains("precision")) precision_->setCurrentText(QString::fromStdString(p["precision"].get<std::string>()));
  threads_->setValue(static_cast<int>(p.value("threads", int64_t{0})));
  checkpointEvery_->setValue(static_cast<int>(p.value("checkpoint_every", int64_t{0})));
  if (p.value("task", "") == "demo") demoCheckpoint_->setChecked(true);
}

void ExperimentDialog::setCheckpointFolder(const QString& dir) {
  demoCheckpoint_->setChecked(false);
  checkpoint_->setText(dir);
}

void ExperimentDialog::setOutputFolder(const QString& dir) { output_->setText(dir); }

void ExperimentDialog::validateCheckpoint() {
  checkpointValid_ = false;
  checkpointLayers_ = 0;
  const QString path = checkpoint_->text().trimmed();
  if (demoCheckpoint_->isChecked() || path.isEmpty()) {
    checkpointStatus_->clear();
    updateEnabled();
    return;
  }
  checkpointStatus_->setStyleSheet(QString());
  checkpointStatus_->setText(tr("checking…"));
  if (watcher_.isRunning()) return;  // the finished handler re-validates the newest text
  validatedPath_ = checkpoint_->text();
  watcher_.setFuture(QtConcurrent::run([path]() -> QString {
    try {
      const CheckpointSummary c = describeCheckpoint(path.toStdString());
      return QStringLiteral("ok:%1:").arg(c.layers) + QString::fromStdString(c.text);
    } catch (const std::exception& e) {
      return QString::fromStdString(e.what());
    }
  }));
  updateEnabled();
}

void ExperimentDialog::updateEnabled() {
  const bool demo = demoCheckpoint_->isChecked();
  checkpoint_->setEnabled(!demo);
  if (demo) checkpointStatus_->clear();
  else if (!checkpointValid_ && !watcher_.isRunning() && checkpointStatus_->text().isEmpty() && !checkpoint_->text().isEmpty())
    validateCheckpoint();
  const bool custom = task_->currentText() == QLatin1String("custom");
  dataDir_->setEnabled(task_->currentText() != QLatin1String("demo") && !custom);
  form_->setRowVisible(dataDir_, !custom);
  for (QWidget* w : std::initializer_list<QWidget*>{trainFile_, evalFile_, textColumn_, textBColumn_, labelColumn_, labels_})
    form_->setRowVisible(w, custom);
  const bool dataOk = checkDataFolder();
  const bool exitsOk = checkExitLayers();
  const bool remediesOk = remediesProblem().isEmpty();
  buttons_->button(QDialogButtonBox::Ok)->setEnabled((demo || checkpointValid_) && dataOk && exitsOk && remediesOk);
}

ExperimentSpec ExperimentDialog::spec() const {
  ExperimentSpec s;
  s.base = base_;
  s.demoCheckpoint = demoCheckpoint_->isChecked();
  s.checkpoint = checkpoint_->text().trimmed().toStdString();
  s.task = task_->currentText().toStdString();
  s.dataDir = dataDir_->text().trimmed().toStdString();
  s.methods.clear();
  if (ee_->isChecked()) s.methods.push_back("ee");
  if (sweet_->isChecked()) s.methods.push_back("sweet");
  if (mm_->isChecked()) s.methods.push_back("mm");
  if (pcgrad_->isChecked()) s.methods.push_back("pcgrad");
  s.sweetAlpha = alpha_->value();
  s.exitLossWeights = parseExitLossWeights(weights_->text().toStdString());
  s.exitLayers = parseIntList(exits_->text().toStdString());
  s.seeds = parseIntList(seeds_->text().toStdString());
  s.learningRates = parseDoubleList(lrs_->text().toStdString());
  s.epochs = epochs_->value();
  s.batchSize = batch_->value();
  s.maxLength = maxLength_->value();
  s.trainCap = trainCap_->value();
  s.device = device_->currentText().toStdString();
  s.precision = precision_->currentText().toStdString();
  s.threads = threads_->value();
  s.checkpointEvery = checkpointEvery_->value();
  s.trainFile = trainFile_->text().trimmed().toStdString();
  s.evalFile = evalFile_->text().trimmed().toStdString();
  s.textColumn = textColumn_->text().trimmed().toStdString();
  s.textBColumn = textBColumn_->text().trimmed().toStdString();
  s.labelColumn = labelColumn_->text().trimmed().toStdString();
  s.labels = parseNameList(labels_->text().toStdString());
  s.gradientEvery = gradEvery_->value();
  s.evalEvery = evalEvery_->value();
  s.outputDir = output_->text().trimmed().toStdString();
  return s;
}

void ExperimentDialog::accept() {
  // The trainer would refuse each run: say so here, queue nothing.
  const QString refused = !checkExitLayers() ? exitsStatus_->text() : remediesProblem();
  if (!refused.isEmpty()) {
    error_->setText(refused);
    planned_.clear();
    return;
  }
  try {
    planned_ = expandExperiment(spec());
  } catch (const std::exception& e) {
    error_->setText(QString::fromStdString(e.what()));
    planned_.clear();
    return;
  }
  remember();
  QDialog::accept();
}

}  // namespace sweet::ui
