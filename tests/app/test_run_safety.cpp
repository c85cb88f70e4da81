// Issue 22's adversarial paths through the real `sweet` binary: a run name that would write
// outside its output folder, values that would exhaust the machine, two writers on one
// run, a damaged resume checkpoint. Each must end in a clear message, fast, with nothing
// finished lost.
#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "tests/support/process_runner.h"
#include "tests/support/test_paths.h"

using namespace sweet;

class TestRunSafety : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase();
  void runName_outsideOutputDirIsRefusedNamingTheKey();

 private:
  QString writeFile(const QString& name, const QByteArray& bytes) const;
  // A small demo run's config writing into `outDir`, with `extra` JSON members appended.
  QString trainConfig(const QString& outDir, const QString& extra = {}) const;

  QTemporaryDir dir_;
  QString checkpoint_;
};

QString TestRunSafety::writeFile(const QString& name, const QByteArray& bytes) const {
  const QString path = dir_.filePath(name);
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly)) return {};
  f.write(bytes);
  return path;
}

QString TestRunSafety::trainConfig(const QString& outDir, const QString& extra) const {
  return writeFile(QFileInfo(outDir).fileName() + ".json",
                   QStringLiteral(R"({"task": "demo", "model": "%1", "demo_train_size": 160, "demo_eval_size": 48,
                     "calibration_size": 16, "method": "ee", "exit_layers": [1, 4, 6, 12], "learning_rate": 0.0005,
                     "batch_size": 8, "epochs": 1, "max_length": 40, "threads": 1, "output_dir": "%2",
                     "save_model": false%3})")
                       .arg(checkpoint_, outDir, extra)
                       .toUtf8());
}

void TestRunSafety::initTestCase() {
  QVERIFY(dir_.isValid());
  QString error;
  checkpoint_ = test::makeDemoCheckpointWithCli(test::sweetBinary(), dir_.path(), &error);
  QVERIFY2(!checkpoint_.isEmpty(), qPrintable(error));
}

void TestRunSafety::runName_outsideOutputDirIsRefusedNamingTheKey() {
  const QString out = dir_.filePath("confined/deeper");
  const QString config = trainConfig(out);
  // "../../x" and an absolute name would put the run file, model and checkpoint beside
  // (or far from) the output folder; sweeps sanitise their ids, plain runs must too.
  const QString absolute = dir_.filePath("escaped");
  for (const QString& name : {QStringLiteral("../../x"), absolute, QStringLiteral(".."), QStringLiteral("a/b"),
                              QStringLiteral("a\\b")}) {
    const auto r = test::runProgram(test::sweetBinary(), {"train", config, "--set", "run_name=" + name});
    QVERIFY2(r.exit_code == 1, qPrintable(name + ": exit " + QString::number(r.exit_code) + " " + r.err));
    QVERIFY2(r.err.contains("--set run_name: run_name must be a plain file name inside output_dir"),
             qPrintable(name + ": " + r.err));
    QVERIFY2(r.err.count('\n') == 1, qPrintable(r.err));
  }
  QVERIFY(!QFileInfo::exists(dir_.filePath("x.h5")));
  QVERIFY(!QFileInfo::exists(absolute + ".h5"));
  QVERIFY(!QFileInfo::exists(dir_.filePath("confined")));
  // In the config file itself, the message names the file.
  const QString inFile = trainConfig(dir_.filePath("named"), R"(, "run_name": "../outside")");
  const auto r = test::runProgram(test::sweetBinary(), {"train", inFile});
  QCOMPARE(r.exit_code, 1);
  QVERIFY2(r.err.contains(inFile + ": run_name must be a plain file name"), qPrintable(r.err));
}

QTEST_GUILESS_MAIN(TestRunSafety)
#include "test_run_safety.moc"
