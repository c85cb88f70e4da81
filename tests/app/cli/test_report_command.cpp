// The paper-fidelity path as a researcher walks it, through the `sweet` binary: demos of
// several seeds in different output folders pool as seeds, runs of two GLUE tasks give a
// task average, RTE trains on its whole training file, and the report is temperature-
// scaled by default and says so (or says it is not, with --no-calibrate).
#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include "analysis/hdf5_util.h"
#include "tests/support/process_runner.h"
#include "tests/support/test_paths.h"

using namespace sweet;

namespace {

// Tiny demo settings: seconds per run, still every stage (train, eval, calibration rows).
const QStringList kTinyDemo = {"--methods", "ee", "--set", "demo_train_size=64", "demo_eval_size=32", "train_cap=48",
                               "calibration_size=16", "epochs=1", "batch_size=16", "gradients.every=0",
                               "save_model=false"};

QStringList h5Files(const QString& dir) {
  QStringList out;
  for (const QString& f : QDir(dir).entryList({"*.h5"}, QDir::Files)) out << QDir(dir).filePath(f);
  return out;
}

}  // namespace

class TestReportCommand : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void demo_seedsInTwoFoldersPoolAsOneGroup();
  void report_twoTasks_averageCalibratedByDefault();
  void report_folder_dropsCopiesAndListsUnreadableFiles();

 private:
  QTemporaryDir dir_;
};

// `sweet demo --seeds 1,2 --out a` and `--set seed=3 --out b`: one group of three seeds.
void TestReportCommand::demo_seedsInTwoFoldersPoolAsOneGroup() {
  const QString a = dir_.filePath("a"), b = dir_.filePath("b");
  auto r = test::runProgram(test::sweetBinary(), QStringList{"demo", "--out", a, "--seeds", "1,2"} + kTinyDemo);
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  r = test::runProgram(test::sweetBinary(), QStringList{"demo", "--out", b} + kTinyDemo + QStringList{"seed=3"});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  QCOMPARE(h5Files(a).size(), 2);
  r = test::runProgram(test::sweetBinary(), QStringList{"report"} + h5Files(a) + h5Files(b));
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  QVERIFY2(r.out.contains("1 group(s)"), qPrintable(r.out));
  QVERIFY2(r.out.contains("n=3"), qPrintable(r.out));
  QVERIFY2(r.out.contains("Confidences: temperature-scaled per exit (fitted on held-out training rows: 3 runs)"),
           qPrintable(r.out));
  r = test::runProgram(test::sweetBinary(), QStringList{"report", "--no-calibrate"} + h5Files(a));
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  QVERIFY2(r.out.contains("Confidences: not temperature-scaled"), qPrintable(r.out));
}

// RTE and MRPC from ../shared (one step each, two seeds): RTE trains on all 2,490 rows;
// the report prints both tasks and their average, cross-fitted, and says so.
void TestReportCommand::report_twoTasks_averageCalibratedByDefault() {
  const QString rte = test::sharedData("glue/RTE"), mrpc = test::sharedData("glue/MRPC");
  SWEET_REQUIRE_SHARED(rte + "/train.tsv");
  SWEET_REQUIRE_SHARED(mrpc + "/train.tsv");
  auto r = test::runProgram(test::sweetBinary(), QStringList{"demo", "--out", dir_.filePath("ckdemo")} + kTinyDemo);
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  const QString model = dir_.filePath("ckdemo/scratch-bert"), runs = dir_.filePath("glue");
  for (const QString& task : {QStringLiteral("rte"), QStringLiteral("mrpc")})
    for (const char* seed : {"1", "2"}) {
      r = test::runProgram(test::sweetBinary(),
                           {"train", test::sourcePath("resources/demo/demo.json"), "--set", "task=" + task,
                            "data_dir=" + (task == "rte" ? rte : mrpc), "model=" + model, "output_dir=" + runs,
                            QStringLiteral("seed=") + seed, "train_cap=6000", "calibration_size=500", "max_steps=1",
                            "max_length=24", "eval_max_examples=40", "gradients.every=0", "save_model=false"});
      QVERIFY2(r.exit_code == 0, qPrintable(r.err));
    }
  H5::H5File f(QDir(runs).filePath("rte-ee-lr0.0005-s1.h5").toStdString(), H5F_ACC_RDONLY);
  QCOMPARE(h5::datasetShape(f, "train/indices"), (h5::Shape{2490}));
  r = test::runProgram(test::sweetBinary(), QStringList{"report"} + h5Files(runs));
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  for (const char* expected : {"Confidences: temperature-scaled per exit (two-fold cross-fitted on the eval set: 4 runs)",
                               "Average over tasks", "    mrpc", "    rte", "    average", "f1 (secondary)",
                               "Learning rates (Table 2"})
    QVERIFY2(r.out.contains(expected), qPrintable(QString(expected) + "\n" + r.out));
  r = test::runProgram(test::sweetBinary(), QStringList{"report", "--format", "latex"} + h5Files(runs));
  QVERIFY2(r.out.contains("average (2 tasks) ee"), qPrintable(r.out));
  QVERIFY2(r.out.contains("% confidences: temperature-scaled"), qPrintable(r.out));
}

// Issue 22: a byte-identical copy of a run file was pooled as a second seed (a zero-width
// interval), and one unreadable file in a folder aborted the report of all the others.
void TestReportCommand::report_folder_dropsCopiesAndListsUnreadableFiles() {
  const QString folder = dir_.filePath("copies");
  auto r = test::runProgram(test::sweetBinary(), QStringList{"demo", "--out", folder, "--seeds", "1,2"} + kTinyDemo);
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  const QStringList runs = h5Files(folder);
  QCOMPARE(runs.size(), 2);
  QVERIFY(QDir().mkpath(folder + "/z-copies"));
  const QString copy = folder + "/z-copies/copied.h5";
  QVERIFY(QFile::copy(runs[0], copy));
  r = test::runProgram(test::sweetBinary(), QStringList{"report"} + runs + QStringList{copy});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  QVERIFY2(r.out.contains("n=2") && !r.out.contains("n=3"), qPrintable(r.out));
  QVERIFY2(r.err.contains(copy + ": byte-identical to " + runs[0] + ": a copy of the same run, left out"), qPrintable(r.err));
  // A damaged file and a half-copied one beside them: the others are still reported, the
  // two listed at the end with their errors, and the status says the report is incomplete.
  const QString garbage = folder + "/garbage.h5", truncated = folder + "/truncated.h5";
  QFile g(garbage);
  QVERIFY(g.open(QIODevice::WriteOnly));
  g.write("not an HDF5 file\n");
  g.close();
  QFile in(runs[1]);
  QVERIFY(in.open(QIODevice::ReadOnly));
  QFile t(truncated);
  QVERIFY(t.open(QIODevice::WriteOnly));
  t.write(in.readAll().left(static_cast<int>(in.size() / 2)));
  t.close();
  r = test::runProgram(test::sweetBinary(), {"report", folder});
  QVERIFY2(r.exit_code == 1, qPrintable(QString::number(r.exit_code) + " " + r.err));
  QVERIFY2(r.out.contains("n=2") && !r.out.contains("n=3"), qPrintable(r.out + r.err));
  QVERIFY2(r.err.contains("2 of 5 run files could not be read and are not in the report:"), qPrintable(r.err));
  QVERIFY2(r.err.contains("\n  " + garbage) && r.err.contains("\n  " + truncated), qPrintable(r.err));
  QVERIFY2(r.err.indexOf("byte-identical") < r.err.indexOf("could not be read"), qPrintable(r.err));
  // A CSV report keeps stdout well-formed: the list goes to stderr.
  r = test::runProgram(test::sweetBinary(), {"report", "--format", "csv", folder});
  QCOMPARE(r.exit_code, 1);
  QVERIFY2(!r.out.contains("could not be read"), qPrintable(r.out));
}

QTEST_GUILESS_MAIN(TestReportCommand)
#include "test_report_command.moc"
