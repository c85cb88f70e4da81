// New-experiment dialog: see experiment_dialog.h.
#include "ui/experiment_dialog.h"

#include "ui/training_adapter.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QtConcurrent/QtConcurrentRun>

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
  task_->addItems({"demo", "sst2", "mrpc", "cola", "rte", "qnli", "qqp", "mnli"});
  task_->setToolTip(tr("Task: the built-in demo task needs no data; GLUE tasks read train.tsv/dev.tsv"));
  dataDir_ = new QLineEdit(this);
  dataDir_->setToolTip(tr("GLUE task folder holding train.tsv and dev.tsv; checked as you type"));
  dataStatus_ = new QLabel(this);
  dataStatus_->setWordWrap(true);
  dataStatus_->setToolTip(tr("Whether the data folder holds the task's files"));
  ee_ = new QCheckBox(QStringLiteral("EE"), this);
  ee_->setToolTip(tr("Early-Exit: all exits share one backbone, losses summed"));
  sweet_ = new QCheckBox(QStringLiteral("SWEET"), this);
  sweet_->setToolTip(tr("SWEET: each exit's gradient only updates the layers below it up to the previous exit"));
  mm_ = new QCheckBox(QStringLiteral("MM"), this);
  mm_->setToolTip(tr("Multi-Model: an independent model per exit, run as a cascade"));
  for (QCheckBox* c : {ee_, sweet_, mm_}) c->setChecked(true);
  exits_ = new QLineEdit(this);
  exits_->setToolTip(tr("1-based layers after which an exit sits, e.g. 1, 4, 6, 12 (empty: defaults)"));
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
  for (QCheckBox* c : {ee_, sweet_, mm_}) methods->addWidget(c);
  auto* form = new QFormLayout;
  form->addRow(demoCheckpoint_);
  form->addRow(tr("Checkpoint"), ckptRow);
  form->addRow(QString(), checkpointStatus_);
  form->addRow(tr("Task"), task_);
  form->addRow(tr("Data folder"), dataDir_);
  form->addRow(QString(), dataStatus_);
  form->addRow(tr("Methods"), methods);
  form->addRow(tr("Exit layers"), exits_);
  form->addRow(tr("Seeds"), seeds_);
  form->addRow(tr("Learning rates"), lrs_);
  form->addRow(tr("Epochs"), epochs_);
  form->addRow(tr("Batch size"), batch_);
  form->addRow(tr("Max length"), maxLength_);
  form->addRow(tr("Training cap"), trainCap_);
  form->addRow(tr("Device"), device_);
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
  connect(dataDir_, &QLineEdit::textChanged, this, &ExperimentDialog::updateEnabled);
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
    checkpointStatus_->setStyleSheet(checkpointValid_ ? QStringLiteral("color: #1e8449") : QStringLiteral("color: #c0392b"));
    checkpointStatus_->setText(checkpointValid_ ? tr("✓ %1").arg(result.mid(3)) : result);
    updateEnabled();
  });
  // Object names let scripts and tests find each field the way a user sees it.
  const std::pair<QWidget*, const char*> named[] = {
      {demoCheckpoint_, "demoCheckpoint"}, {checkpoint_, "checkpoint"}, {task_, "task"}, {dataDir_, "dataDir"},
      {ee_, "methodEE"}, {sweet_, "methodSWEET"}, {mm_, "methodMM"}, {exits_, "exitLayers"}, {seeds_, "seeds"},
      {lrs_, "learningRates"}, {epochs_, "epochs"}, {batch_, "batchSize"}, {maxLength_, "maxLength"},
      {trainCap_, "trainCap"}, {device_, "device"}, {gradEvery_, "gradientEvery"}, {evalEvery_, "evalEvery"},
      {output_, "outputDir"}, {error_, "error"}};
  for (const auto& [widget, name] : named) widget->setObjectName(QLatin1String(name));
  demoCheckpoint_->setChecked(true);
  restoreRemembered();
  updateEnabled();
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
  settings.setValue(QStringLiteral("methods"), methods);
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
}

bool ExperimentDialog::checkDataFolder() {
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
  if (p.value("task", "") == "demo") demoCheckpoint_->setChecked(true);
}

void ExperimentDialog::setCheckpointFolder(const QString& dir) {
  demoCheckpoint_->setChecked(false);
  checkpoint_->setText(dir);
}

void ExperimentDialog::setOutputFolder(const QString& dir) { output_->setText(dir); }

void ExperimentDialog::validateCheckpoint() {
  checkpointValid_ = false;
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
      return QStringLiteral("ok:") + QString::fromStdString(describeCheckpoint(path.toStdString()));
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
  dataDir_->setEnabled(task_->currentText() != QLatin1String("demo"));
  const bool dataOk = checkDataFolder();
  buttons_->button(QDialogButtonBox::Ok)->setEnabled((demo || checkpointValid_) && dataOk);
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
  s.exitLayers = parseIntList(exits_->text().toStdString());
  s.seeds = parseIntList(seeds_->text().toStdString());
  s.learningRates = parseDoubleList(lrs_->text().toStdString());
  s.epochs = epochs_->value();
  s.batchSize = batch_->value();
  s.maxLength = maxLength_->value();
  s.trainCap = trainCap_->value();
  s.device = device_->currentText().toStdString();
  s.gradientEvery = gradEvery_->value();
  s.evalEvery = evalEvery_->value();
  s.outputDir = output_->text().trimmed().toStdString();
  return s;
}

void ExperimentDialog::accept() {
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
