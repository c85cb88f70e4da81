// New-experiment dialog: a checkpoint folder is validated at once and errors show in the
// dialog; exit layers are checked against its depth as they are typed; unparsable lists
// are refused in the dialog; threads, checkpoint_every, precision and every task the
// trainer knows (custom with its files and columns) reach the configs; experiments expand
// into one valid config per method x learning rate x seed.
#include "tiny_training.h"
#include "training/text/task_spec.h"
#include "ui/experiment_dialog.h"
#include "ui_fixtures.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QSpinBox>
#include <QThread>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTemporaryDir>
#include <QtTest>

using namespace sweet::ui;

class ExperimentDialogTest : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;

  static QPushButton* okButton(ExperimentDialog& d) {
    return d.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
  }

  template <typename T>
  static T* field(ExperimentDialog& d, const char* name) {
    T* w = d.findChild<T*>(QLatin1String(name));
    if (!w) qFatal("dialog field %s not found", name);
    return w;
  }

 private Q_SLOTS:
  void initTestCase() { sweet::testing::isolateSettings(QStringLiteral("sweet-workbench-test-experiment-dialog")); }

  void folderWithoutConfig_showsErrorAndBlocksOk() {
    ExperimentDialog dialog;
    const QString empty = dir_.filePath("empty");
    QVERIFY(QDir().mkpath(empty));
    dialog.setCheckpointFolder(empty);
    QTRY_VERIFY(!dialog.validationPending() && !dialog.checkpointStatus()->text().startsWith("checking"));
    QVERIFY2(dialog.checkpointStatus()->text().contains(QStringLiteral("config.json")),
             qPrintable(dialog.checkpointStatus()->text()));
    QVERIFY(!dialog.checkpointValid());
    QVERIFY(!okButton(dialog)->isEnabled());
  }

  void validCheckpoint_isAccepted() {
    const QString ckpt = sweet::testing::makeTinyCheckpoint(dir_.path());
    QVERIFY(!ckpt.isEmpty());
    ExperimentDialog dialog;
    dialog.setCheckpointFolder(ckpt);
    QTRY_VERIFY(dialog.checkpointValid());
    QVERIFY(dialog.checkpointStatus()->text().contains(QStringLiteral("2 layers")));
    // The demo preset's exits (1, 4, 6, 12) do not fit two layers: those that do are accepted.
    field<QLineEdit>(dialog, "exitLayers")->setText(QStringLiteral("1, 2"));
    QVERIFY(okButton(dialog)->isEnabled());
  }

  // 1,4,6,12 on a 4-layer checkpoint used to be queued and fail in the trainer, one run per
  // method; it is refused in the dialog as it is typed, with the trainer's own message.
  void exitLayers_areCheckedAgainstTheCheckpointsDepthAsTyped() {
    const QString ckpt = QString::fromStdString(sweet::testing::tinyDemoCheckpoint(
        dir_.filePath("four").toStdString(), "four-layers", {/*layers*/ 4, /*hidden*/ 32, /*heads*/ 2, /*vocab*/ 256, 64}));
    ExperimentDialog dialog;
    auto* exits = field<QLineEdit>(dialog, "exitLayers");
    exits->setText(QStringLiteral("1, 4, 6, 12"));
    QVERIFY(okButton(dialog)->isEnabled());  // the demo checkpoint has 12 layers
    exits->setText(QStringLiteral("1, 13"));
    QVERIFY(!okButton(dialog)->isEnabled());
    QVERIFY2(dialog.exitsStatus()->text().contains(QStringLiteral("1..12")), qPrintable(dialog.exitsStatus()->text()));
    exits->setText(QStringLiteral("1, 4, 6, 12"));
    dialog.setCheckpointFolder(ckpt);
    QTRY_VERIFY(dialog.checkpointValid());
    QVERIFY(!okButton(dialog)->isEnabled());
    QVERIFY2(dialog.exitsStatus()->text().contains(QStringLiteral("[1,4,6,12] must ascend strictly within 1..4")),
             qPrintable(dialog.exitsStatus()->text()));
    dialog.accept();  // as Enter would: nothing is queued
    QVERIFY(dialog.plannedRuns().empty());
    QCOMPARE(dialog.result(), int(QDialog::Rejected));
    exits->setText(QStringLiteral("1, 3, 2"));
    QVERIFY(!okButton(dialog)->isEnabled());
    exits->setText(QStringLiteral("1, 2, 4"));
    QVERIFY(okButton(dialog)->isEnabled());
    QVERIFY(dialog.exitsStatus()->text().contains(QStringLiteral("4 layers")));
    exits->setText(QStringLiteral("1, x"));
    QVERIFY(!okButton(dialog)->isEnabled());
    QVERIFY(dialog.exitsStatus()->text().contains(QStringLiteral("'x'")));
  }

  void threadsCheckpointEveryAndPrecision_reachEveryRunsConfig() {
    ExperimentDialog dialog;
    field<QCheckBox>(dialog, "demoCheckpoint")->setChecked(true);
    auto* threads = field<QSpinBox>(dialog, "threads");
    QCOMPARE(threads->value(), 0);  // all cores by default, and it says how many
    QCOMPARE(threads->text(), QStringLiteral("all %1 cores").arg(std::max(1, QThread::idealThreadCount())));
    QCOMPARE(field<QComboBox>(dialog, "precision")->currentText(), QStringLiteral("auto"));
    threads->setValue(2);
    field<QSpinBox>(dialog, "checkpointEvery")->setValue(25);
    field<QComboBox>(dialog, "precision")->setCurrentText(QStringLiteral("fp32"));
    field<QLineEdit>(dialog, "outputDir")->setText(dir_.filePath("fields"));
    dialog.accept();
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    QVERIFY(!dialog.plannedRuns().empty());
    for (const PlannedRun& run : dialog.plannedRuns()) {
      QCOMPARE(run.config.threads, int64_t{2});
      QCOMPARE(run.config.checkpoint_every, int64_t{25});
      QCOMPARE(run.config.precision, std::string("fp32"));
    }
    // Remembered for next time.
    ExperimentDialog again;
    QCOMPARE(field<QSpinBox>(again, "threads")->value(), 2);
    QCOMPARE(field<QSpinBox>(again, "checkpointEvery")->value(), 25);
    QCOMPARE(field<QComboBox>(again, "precision")->currentText(), QStringLiteral("fp32"));
    // fp16 trains on CUDA only: refused in the dialog, naming the key.
    field<QComboBox>(again, "precision")->setCurrentText(QStringLiteral("fp16"));
    again.accept();
    QVERIFY(again.plannedRuns().empty());
    QVERIFY2(field<QLabel>(again, "error")->text().contains(QStringLiteral("precision")),
             qPrintable(field<QLabel>(again, "error")->text()));
  }

  void everyTaskTheTrainerKnows_isOffered_customWithItsColumns() {
    ExperimentDialog dialog;
    auto* task = field<QComboBox>(dialog, "task");
    QStringList offered;
    for (int i = 0; i < task->count(); ++i) offered << task->itemText(i);
    for (const std::string& name : sweet::glueTaskNames()) QVERIFY2(offered.contains(QString::fromStdString(name)), name.c_str());
    QVERIFY(offered.contains(QStringLiteral("stsb")));
    QVERIFY(offered.contains(QStringLiteral("custom")));
    QVERIFY(offered.contains(QStringLiteral("demo")));

    field<QCheckBox>(dialog, "demoCheckpoint")->setChecked(true);
    task->setCurrentText(QStringLiteral("custom"));
    field<QLineEdit>(dialog, "exitLayers")->setText(QStringLiteral("6, 12"));
    QVERIFY(!okButton(dialog)->isEnabled());  // no files, no columns yet
    QVERIFY(dialog.dataStatus()->text().contains(QStringLiteral("training file")));
    const QString train = dir_.filePath("reviews-train.tsv"), eval = dir_.filePath("reviews-dev.tsv");
    QVERIFY(sweet::testing::writeBytes(train, "text\tstars\ngood\tpos\nbad\tneg\n"));
    QVERIFY(sweet::testing::writeBytes(eval, "text\tstars\nfine\tpos\n"));
    field<QLineEdit>(dialog, "trainFile")->setText(train);
    field<QLineEdit>(dialog, "evalFile")->setText(eval);
    field<QLineEdit>(dialog, "textColumn")->setText(QStringLiteral("text"));
    field<QLineEdit>(dialog, "labelColumn")->setText(QStringLiteral("stars"));
    QVERIFY(!okButton(dialog)->isEnabled());
    QVERIFY(dialog.dataStatus()->text().contains(QStringLiteral("labels")));
    field<QLineEdit>(dialog, "labels")->setText(QStringLiteral("neg, pos"));
    QVERIFY2(okButton(dialog)->isEnabled(), qPrintable(dialog.dataStatus()->text()));
    field<QLineEdit>(dialog, "outputDir")->setText(dir_.filePath("custom"));
    dialog.accept();
    QVERIFY2(!dialog.plannedRuns().empty(), qPrintable(field<QLabel>(dialog, "error")->text()));
    const sweet::TrainConfig c = dialog.plannedRuns().front().config;  // plannedRuns() is a copy
    QCOMPARE(c.task, std::string("custom"));
    QCOMPARE(QString::fromStdString(c.train_file), train);
    QCOMPARE(QString::fromStdString(c.eval_file), eval);
    QCOMPARE(c.text_column, std::string("text"));
    QCOMPARE(c.label_column, std::string("stars"));
    QCOMPARE(c.labels, (std::vector<std::string>{"neg", "pos"}));
  }

  void badSeeds_showErrorAndStayOpen() {
    ExperimentDialog dialog;
    auto edits = dialog.findChildren<QLineEdit*>();
    QLineEdit* seeds = nullptr;
    for (QLineEdit* e : edits)
      if (e->text() == QLatin1String("42")) seeds = e;
    QVERIFY(seeds);
    seeds->setText(QStringLiteral("42, 4x"));
    dialog.accept();
    QCOMPARE(dialog.result(), int(QDialog::Rejected));
    QVERIFY(dialog.plannedRuns().empty());
    bool shown = false;
    for (QLabel* l : dialog.findChildren<QLabel*>()) shown |= l->text().contains(QStringLiteral("'4x'"));
    QVERIFY(shown);
  }

  void expandExperiment_makesValidConfigs() {
    ExperimentSpec spec;
    spec.methods = {"ee", "sweet"};
    spec.seeds = {1, 2};
    spec.learningRates = parseDoubleList("1e-4, 2e-4");
    spec.exitLayers = parseIntList("1 4 6 12");
    const auto runs = expandExperiment(spec);
    QCOMPARE(runs.size(), size_t{8});
    QCOMPARE(runs[0].config.method, std::string("ee"));
    QCOMPARE(runs[7].config.seed, int64_t{2});
    QCOMPARE(runs[7].config.learning_rate, 2e-4);
    QCOMPARE(runs[7].config.exit_layers, (std::vector<int64_t>{1, 4, 6, 12}));  // parsed and checked once, when expanded
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, parseIntList("1, two"));
    spec.methods.clear();
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, expandExperiment(spec));
  }
};

QTEST_MAIN(ExperimentDialogTest)
#include "test_experiment_dialog.moc"
