// New-experiment dialog: a checkpoint folder is validated at once and errors show in the
// dialog; exit layers are checked against its depth as they are typed; unparsable lists
// are refused in the dialog; threads, checkpoint_every, precision and every task the
// trainer knows (custom with its files and columns) reach the configs; experiments expand
// into one valid config per method x learning rate x seed; the conflict remedies (PCGrad,
// α, exit loss weights) are checked as typed and a queued PCGrad run trains to the end.
#include "tiny_training.h"
#include "training/text/task_spec.h"
#include "analysis/run_data.h"
#include "ui/experiment_dialog.h"
#include "ui/run_queue.h"
#include "ui_fixtures.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
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

  // Issue 25's remedies through the dialog's own fields: each is checked as it is typed,
  // with the trainer's own rules and messages, and reaches the runs it applies to.
  void conflictRemedies_checkedAsTypedAndCarriedByTheRuns() {
    ExperimentDialog dialog;
    field<QCheckBox>(dialog, "demoCheckpoint")->setChecked(true);  // 12 layers
    field<QLineEdit>(dialog, "exitLayers")->setText(QStringLiteral("1, 4, 6, 12"));
    auto* pcgrad = field<QCheckBox>(dialog, "methodPCGrad");
    auto* alpha = field<QDoubleSpinBox>(dialog, "sweetAlpha");
    auto* weights = field<QLineEdit>(dialog, "exitLossWeights");
    QVERIFY(!pcgrad->isChecked());  // the defaults stay the paper's three methods
    QCOMPARE(alpha->value(), 1.0);
    QCOMPARE(weights->text(), QStringLiteral("uniform"));
    QVERIFY(field<QLabel>(dialog, "alphaNote")->text().contains(QStringLiteral("EE runs only")));
    field<QCheckBox>(dialog, "methodMM")->setChecked(false);
    pcgrad->setChecked(true);

    auto refused = [&](const QString& text, const QString& because) {
      weights->setText(text);
      const QString status = dialog.weightsStatus()->text();
      return !okButton(dialog)->isEnabled() && status.contains(because) ? QString() : text + " -> " + status;
    };
    for (const auto& [text, because] : std::vector<std::pair<QString, QString>>{
             {"1, 0.5, 0.5", "lists 3 weights for 4 exits"},
             {"1, 0.5, x, 2", "'x'"},
             {"0, 0, 0, 0", "above 0"},
             {"1, nan, 1, 1", "finite"},
             {"1, -1, 1, 1", "non-negative"},
             {"layers", "'layers'"}}) {
      const QString why = refused(text, because);
      QVERIFY2(why.isEmpty(), qPrintable(why));
    }
    weights->setText(QStringLiteral("layer"));
    QVERIFY(okButton(dialog)->isEnabled());
    QVERIFY2(dialog.weightsStatus()->text().contains(QStringLiteral("for exits [1, 4, 6, 12]")),
             qPrintable(dialog.weightsStatus()->text()));
    weights->setText(QStringLiteral("1, 0.5, 0.5, 2"));
    QVERIFY(okButton(dialog)->isEnabled());
    // The count follows the exit layers as they are typed.
    field<QLineEdit>(dialog, "exitLayers")->setText(QStringLiteral("6, 12"));
    QVERIFY(!okButton(dialog)->isEnabled());
    QVERIFY(dialog.weightsStatus()->text().contains(QStringLiteral("4 weights for 2 exits")));
    field<QLineEdit>(dialog, "exitLayers")->setText(QStringLiteral("1, 4, 6, 12"));
    QVERIFY(okButton(dialog)->isEnabled());

    // MM refuses any weights but uniform, with the trainer's reason.
    field<QCheckBox>(dialog, "methodMM")->setChecked(true);
    QVERIFY(!okButton(dialog)->isEnabled());
    try {
      sweet::trainConfigFromJson({{"task", "demo"}, {"method", "mm"}, {"exit_loss_weights", "layer"}}, "probe");
      QFAIL("the trainer took mm with layer weights");
    } catch (const std::runtime_error& e) {
      const QString reason = QString::fromStdString(e.what()).section(QStringLiteral("exit_loss_weights "), 1);
      QVERIFY2(!reason.isEmpty() && dialog.weightsStatus()->text().contains(reason),
               qPrintable(dialog.weightsStatus()->text() + " / " + reason));
    }
    field<QCheckBox>(dialog, "methodMM")->setChecked(false);

    // α only with EE: said beside the field, refused without EE.
    alpha->setValue(0.25);
    QVERIFY(okButton(dialog)->isEnabled());
    field<QCheckBox>(dialog, "methodEE")->setChecked(false);
    QVERIFY(!okButton(dialog)->isEnabled());
    QVERIFY(field<QLabel>(dialog, "alphaNote")->text().contains(QStringLiteral("α 0.25 applies to method ee only")));
    dialog.accept();
    QVERIFY(dialog.plannedRuns().empty());
    QVERIFY(field<QLabel>(dialog, "error")->text().contains(QStringLiteral("applies to method ee only")));
    field<QCheckBox>(dialog, "methodEE")->setChecked(true);

    field<QLineEdit>(dialog, "outputDir")->setText(dir_.filePath("remedies"));
    dialog.accept();
    const std::vector<PlannedRun> runs = dialog.plannedRuns();
    QCOMPARE(runs.size(), size_t{3});  // EE, SWEET, PCGrad
    QCOMPARE(runs[0].config.method, std::string("ee"));
    QCOMPARE(runs[0].config.sweet_alpha, 0.25);
    QCOMPARE(runs[1].config.method, std::string("sweet"));
    QCOMPARE(runs[1].config.sweet_alpha, 1.0);  // SWEET is the cut; α is EE's alone
    QCOMPARE(runs[2].config.method, std::string("pcgrad"));
    QVERIFY(runs[2].name.find("-pcgrad-") != std::string::npos);
    for (const PlannedRun& run : runs)
      QCOMPARE(run.config.exit_loss_weights, nlohmann::json::parse("[1, 0.5, 0.5, 2]"));
    // Remembered for next time.
    ExperimentDialog again;
    QVERIFY(field<QCheckBox>(again, "methodPCGrad")->isChecked());
    QCOMPARE(field<QDoubleSpinBox>(again, "sweetAlpha")->value(), 0.25);
    QCOMPARE(field<QLineEdit>(again, "exitLossWeights")->text(), QStringLiteral("1, 0.5, 0.5, 2"));
  }

  // A PCGrad run with layer weights, queued from the dialog, trains to the end and its file
  // says so: the method, the weights and the projected gradient records.
  void queuedPCGradRunWithLayerWeights_trainsEndToEnd() {
    const QString ckpt = sweet::testing::makeTinyCheckpoint(dir_.filePath("pcgrad"));
    ExperimentDialog dialog;
    dialog.setCheckpointFolder(ckpt);
    QTRY_VERIFY_WITH_TIMEOUT(dialog.checkpointValid(), 60000);
    for (const char* method : {"methodEE", "methodSWEET", "methodMM"}) field<QCheckBox>(dialog, method)->setChecked(false);
    field<QCheckBox>(dialog, "methodPCGrad")->setChecked(true);
    field<QDoubleSpinBox>(dialog, "sweetAlpha")->setValue(1.0);
    field<QLineEdit>(dialog, "exitLayers")->clear();  // the defaults for 2 layers: [1, 2]
    field<QLineEdit>(dialog, "exitLossWeights")->setText(QStringLiteral("layer"));
    QVERIFY2(dialog.weightsStatus()->text().contains(QStringLiteral("for exits [1, 2]")),
             qPrintable(dialog.weightsStatus()->text()));
    field<QLineEdit>(dialog, "seeds")->setText(QStringLiteral("1"));
    field<QSpinBox>(dialog, "trainCap")->setValue(32);
    field<QSpinBox>(dialog, "batchSize")->setValue(8);
    field<QSpinBox>(dialog, "epochs")->setValue(1);
    field<QSpinBox>(dialog, "maxLength")->setValue(32);
    field<QSpinBox>(dialog, "evalEvery")->setValue(0);
    field<QSpinBox>(dialog, "gradientEvery")->setValue(2);
    field<QSpinBox>(dialog, "threads")->setValue(1);
    field<QComboBox>(dialog, "precision")->setCurrentText(QStringLiteral("fp32"));
    field<QLineEdit>(dialog, "outputDir")->setText(dir_.filePath("pcgrad-runs"));
    dialog.accept();
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    const std::vector<PlannedRun> planned = dialog.plannedRuns();
    QCOMPARE(planned.size(), size_t{1});

    RunQueue queue;
    QString finishedFile;
    connect(&queue, &RunQueue::runFinished, this, [&](int, const QString& f) { finishedFile = f; });
    const int id = queue.enqueue(planned.front());
    QTRY_VERIFY_WITH_TIMEOUT(!queue.isBusy(), 240000);
    QVERIFY2(queue.find(id)->state == sweet::RunState::Finished, qPrintable(queue.find(id)->message));
    const auto data = sweet::analysis::loadRun(finishedFile.toStdString());
    QCOMPARE(data.status.state, sweet::RunState::Finished);
    QCOMPARE(data.method, std::string("pcgrad"));
    QCOMPARE(data.config["exit_loss_weights"], nlohmann::json("layer"));
    QVERIFY(data.evalDone);
    QVERIFY(data.hasProjected);
  }
};

QTEST_MAIN(ExperimentDialogTest)
#include "test_experiment_dialog.moc"
