// New-experiment dialog: a checkpoint folder is validated at once and errors show in the
// dialog; unparsable lists are refused in the dialog; experiments expand into one valid
// config per method x learning rate x seed.
#include "tiny_training.h"
#include "ui/experiment_dialog.h"

#include <QDialogButtonBox>
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

 private Q_SLOTS:
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
    QVERIFY(okButton(dialog)->isEnabled());
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
