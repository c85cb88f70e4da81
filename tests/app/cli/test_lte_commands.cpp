// Learning-to-exit through the `sweet` binary: a demo run with `lte.enabled` stores every
// exit's LTE score per eval instance, and `sweet report` prints the learned-exit points at
// the fixed cost fractions beside the confidence ones; a bad schedule is named.
#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include "analysis/hdf5_util.h"
#include "tests/support/process_runner.h"
#include "tests/support/test_paths.h"

using namespace sweet;

class TestLteCommands : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void demo_lteRun_reportHasLearnedExitPoints();
  void badSchedule_isNamed();

 private:
  QTemporaryDir dir_;
};

void TestLteCommands::demo_lteRun_reportHasLearnedExitPoints() {
  const QString ck = dir_.filePath("ck"), runs = dir_.filePath("runs");
  // `sweet demo` writes the demo checkpoint (and one plain EE run) to train from.
  auto r = test::runProgram(test::sweetBinary(),
                            {"demo", "--out", ck, "--methods", "ee", "--set", "demo_train_size=64", "demo_eval_size=32",
                             "train_cap=48", "calibration_size=16", "epochs=1", "batch_size=16", "gradients.every=0",
                             "save_model=false"});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  QStringList files;
  for (const char* method : {"ee", "sweet"}) {
    r = test::runProgram(test::sweetBinary(),
                         {"train", test::sourcePath("resources/demo/demo.json"), "--set", "model=" + dir_.filePath("ck/scratch-bert"),
                          "output_dir=" + runs, QStringLiteral("method=") + method, "demo_train_size=600",
                          "demo_eval_size=200", "train_cap=500", "calibration_size=100", "epochs=2", "eval_every=0",
                          "gradients.every=0", "save_model=false", "lte.enabled=true", "lte.schedule=joint"});
    QVERIFY2(r.exit_code == 0, qPrintable(r.err));
    files << QDir(runs).filePath(QStringLiteral("demo-%1-lr0.0005-s42.h5").arg(method));
  }
  H5::H5File f(files.front().toStdString(), H5F_ACC_RDONLY);
  QCOMPARE(h5::datasetShape(f, "eval/lte_scores"), (h5::Shape{4, 200}));
  r = test::runProgram(test::sweetBinary(), QStringList{"report"} + files);
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  QVERIFY2(r.out.count("learned exit (LTE)") == 2, qPrintable(r.out));
  qInfo().noquote() << r.out;
  r = test::runProgram(test::sweetBinary(), QStringList{"report", "--format", "json"} + files);
  QVERIFY2(r.exit_code == 0 && r.out.contains("\"learned_exit\""), qPrintable(r.out + r.err));
}

void TestLteCommands::badSchedule_isNamed() {
  auto r = test::runProgram(test::sweetBinary(), {"train", test::sourcePath("resources/demo/demo.json"), "--set",
                                                  "lte.schedule=sometimes", "output_dir=" + dir_.filePath("bad")});
  QVERIFY(r.exit_code != 0);
  QVERIFY2(r.err.contains("lte.schedule") && r.err.contains("joint, bertxit or exits_then_lte"), qPrintable(r.err));
}

QTEST_GUILESS_MAIN(TestLteCommands)
#include "test_lte_commands.moc"
