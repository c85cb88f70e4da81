// Tests for analysis/run_data: every field of docs/run-file.md is read, every kind of bad
// file is refused with a message naming the file, and a file still open by an SWMR writer
// in another process can be read.
#include "analysis/hdf5_util.h"
#include "analysis/run_data.h"
#include "run_file_fixture.h"

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <iterator>
#include <sys/wait.h>
#include <unistd.h>

using namespace sweet::analysis;
using sweet::RunState;
using sweet::testing::FakeRun;

namespace {

// Runs loadRun and returns the error message ("" if it did not throw).
std::string loadError(const std::string& path) {
  try {
    loadRun(path);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

class RunDataTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  // String attributes are fixed-length UTF-8 (no global heap in the file, see
  // writeStringAttr): empty, non-ASCII and large values come back exactly.
  void stringAttributes_fixedLengthRoundTrip_noGlobalHeap() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("strings.h5").toStdString();
    const std::string large(100000, 'x');
    const std::string utf8 = "caf\u00e9 \u2713 \U0001F600 {\"k\": [1, 2]}";
    {
      H5::FileAccPropList fapl;
      fapl.setLibverBounds(H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
      H5::H5File file(path, H5F_ACC_TRUNC, H5::FileCreatPropList::DEFAULT, fapl);
      H5::Group root = file.openGroup("/");
      sweet::h5::writeStringAttr(root, "empty", "");
      sweet::h5::writeStringAttr(root, "utf8", utf8);
      sweet::h5::writeStringAttr(root, "large", large);
      sweet::h5::writeStringAttr(root, "utf8", utf8 + "!");  // rewritten: replaced, not appended
      H5::StrType type = root.openAttribute("utf8").getStrType();
      QVERIFY(!type.isVariableStr());
      QCOMPARE(type.getCset(), H5T_CSET_UTF8);
    }
    H5::H5File file(path, H5F_ACC_RDONLY);
    H5::Group root = file.openGroup("/");
    QCOMPARE(sweet::h5::readStringAttr(root, "empty"), std::string());
    QCOMPARE(sweet::h5::readStringAttr(root, "utf8"), utf8 + "!");
    QCOMPARE(sweet::h5::readStringAttr(root, "large"), large);
    std::ifstream in(path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    QVERIFY(bytes.find("GCOL") == std::string::npos);
  }

  void loadRun_readsEveryField() {
    QTemporaryDir dir;
    FakeRun fake = sweet::testing::smallRun();
    fake.method = "sweet";
    fake.task = "mrpc";
    fake.metric = "f1";
    fake.seed = 7;
    fake.learningRate = 3e-5;
    fake.calibrationLogits = sweet::testing::binaryLogitTable({{0.6, 0.2}, {0.7, 0.1}});
    fake.calibrationLabels = {1, 0};
    fake.trainLoss = {1.0f, 2.0f, 0.5f, 1.5f};
    const std::string path = dir.filePath("run.h5").toStdString();
    sweet::testing::writeRun(path, fake);

    RunData run = loadRun(path);
    QCOMPARE(run.path, path);
    QCOMPARE(run.formatVersion, 1);
    QCOMPARE(run.method, std::string("sweet"));
    QCOMPARE(run.task, std::string("mrpc"));
    QCOMPARE(run.metric, std::string("f1"));
    QCOMPARE(run.labelNames, (std::vector<std::string>{"negative", "positive"}));
    QCOMPARE(run.numLabels, 2);
    QCOMPARE(run.exitLayers, (std::vector<int64_t>{2, 4}));
    QCOMPARE(run.numLayers, 4);
    QCOMPARE(run.seed, 7);
    QCOMPARE(run.learningRate, 3e-5);
    QCOMPARE(run.runName, std::string("mrpc-sweet-s7"));
    QCOMPARE(run.config["seed"].get<int>(), 7);
    QCOMPARE(run.environment["sweet_version"].get<std::string>(), std::string("test"));
    QCOMPARE(static_cast<int>(run.status.state), static_cast<int>(RunState::Finished));
    QCOMPARE(run.status.stepsDone, 10);
    QVERIFY(run.evalDone);
    QCOMPARE(run.eval.exits, 2);
    QCOMPARE(run.eval.instances, 3);
    QCOMPARE(run.eval.classes, 2);
    QCOMPARE(run.eval.labels, (std::vector<int64_t>{1, 1, 0}));
    // Row (exit 1, instance 2) holds the logits of P(positive) = 0.1: (0, log(1/9)).
    QCOMPARE(run.eval.row(1, 2)[1], static_cast<float>(std::log(0.1 / 0.9)));
    QVERIFY(run.calibration.has_value());
    QCOMPARE(run.calibration->instances, 2);
    QCOMPARE(run.trainSteps, 2);
    QCOMPARE(run.trainLoss.size(), size_t(4));
    QCOMPARE(run.trainLr.size(), size_t(2));
    QVERIFY(!run.hasGradients);
  }

  void loadRun_evalTexts_roundTripPairsAndUtf8() {
    QTemporaryDir dir;
    FakeRun fake = sweet::testing::smallRun();
    fake.evalTextA = {"A man sleeps.", "", "Caf\xc3\xa9 \xe2\x80\x94 na\xc3\xafve"};
    fake.evalTextB = {"Nobody sleeps.", "second only", "x"};
    const std::string path = dir.filePath("run.h5").toStdString();
    sweet::testing::writeRun(path, fake);
    const RunData run = loadRun(path);
    QVERIFY(run.evalTexts.present);
    QVERIFY(run.evalTexts.paired());
    QCOMPARE(run.evalTexts.textA, fake.evalTextA);
    QCOMPARE(run.evalTexts.textB, fake.evalTextB);
    QCOMPARE(run.evalTexts.indices, (std::vector<int64_t>{0, 1, 2}));
    QCOMPARE(run.evalTexts.lines, (std::vector<int64_t>{2, 3, 4}));
  }

  void loadRun_withoutEvalTexts_readsAsBefore() {
    // Files written before run files kept the texts: everything else reads, texts absent.
    QTemporaryDir dir;
    const std::string path = dir.filePath("run.h5").toStdString();
    sweet::testing::writeRun(path, sweet::testing::smallRun());
    const RunData run = loadRun(path);
    QVERIFY(!run.evalTexts.present);
    QVERIFY(run.evalTexts.textA.empty() && run.evalTexts.indices.empty());
    QCOMPARE(run.eval.instances, 3);
  }

  void loadRun_evalTextsOfAnotherSize_areRefused() {
    QTemporaryDir dir;
    FakeRun fake = sweet::testing::smallRun();
    fake.evalTextA = {"one", "two"};  // three instances
    const std::string path = dir.filePath("run.h5").toStdString();
    sweet::testing::writeRun(path, fake);
    std::string message = loadError(path);
    QVERIFY2(message.find("/eval/text/indices") != std::string::npos && message.find("(3)") != std::string::npos,
             message.c_str());
    fake.evalTextA = {"one", "two", "three"};
    sweet::testing::writeRun(path, fake);
    {
      H5::H5File file(path, H5F_ACC_RDWR);
      const std::vector<int64_t> bad = {0, 9, 3, 11};  // not ascending
      H5::DataSet ds = file.openDataSet("/eval/text/a_offsets");
      ds.write(bad.data(), H5::PredType::NATIVE_INT64);
    }
    message = loadError(path);
    QVERIFY2(message.find("/eval/text/a_offsets is not ascending") != std::string::npos, message.c_str());
  }

  void loadRun_withoutCalibration_leavesItEmpty() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("run.h5").toStdString();
    sweet::testing::writeRun(path, sweet::testing::smallRun());
    QVERIFY(!loadRun(path).calibration.has_value());
  }

  void loadRun_missingFile_namesTheFile() {
    const std::string message = loadError("/nonexistent/run.h5");
    QVERIFY2(message.find("/nonexistent/run.h5") != std::string::npos, message.c_str());
  }

  void loadRun_notHdf5_isRefused() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("notes.h5").toStdString();
    std::ofstream(path) << "hello, not hdf5\n";
    const std::string message = loadError(path);
    QVERIFY2(message.find("not an HDF5 file") != std::string::npos, message.c_str());
  }

  void loadRun_truncatedFile_isRefused() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("run.h5").toStdString();
    FakeRun fake = sweet::testing::smallRun();
    // Enough instances that the logits lie well beyond the metadata, then cut the file.
    fake.evalLabels.assign(4000, 1);
    fake.evalLogits.assign(2 * 4000 * 2, 0.5f);
    sweet::testing::writeRun(path, fake);
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
    const std::string message = loadError(path);
    QVERIFY2(!message.empty(), "a truncated file must not load");
    QVERIFY2(message.rfind(path, 0) == 0, message.c_str());
  }

  void loadRun_hdf5WithoutFormat_isNotARunFile() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("other.h5").toStdString();
    { H5::H5File file(path, H5F_ACC_TRUNC); }
    const std::string message = loadError(path);
    QVERIFY2(message.find("missing root attribute 'format'") != std::string::npos, message.c_str());
  }

  void loadRun_missingEvalLogits_namesTheDataset() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("run.h5").toStdString();
    sweet::testing::writeRun(path, sweet::testing::smallRun());
    {
      H5::H5File file(path, H5F_ACC_RDWR);
      H5Ldelete(file.getId(), "/eval/logits", H5P_DEFAULT);
    }
    const std::string message = loadError(path);
    QVERIFY2(message.find("missing dataset /eval/logits") != std::string::npos, message.c_str());
  }

  void loadRun_newerFormatVersion_isRefused() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("run.h5").toStdString();
    FakeRun fake = sweet::testing::smallRun();
    fake.formatVersion = 2;
    sweet::testing::writeRun(path, fake);
    const std::string message = loadError(path);
    QVERIFY2(message.find("format_version 2 is newer") != std::string::npos, message.c_str());
  }

  void loadRun_labelOutOfRange_isRefused() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("run.h5").toStdString();
    FakeRun fake = sweet::testing::smallRun();
    fake.evalLabels = {1, 2, 0};
    sweet::testing::writeRun(path, fake);
    QVERIFY(loadError(path).find("outside [0, 2)") != std::string::npos);
  }

  void loadRun_fileOpenBySwmrWriter_isReadable() {
    // HDF5 refuses a second open of a file inside one process, so the writer is a child.
    QTemporaryDir dir;
    const std::string path = dir.filePath("live.h5").toStdString();
    int ready[2], release[2];
    QVERIFY(pipe(ready) == 0 && pipe(release) == 0);
    pid_t child = fork();
    QVERIFY(child >= 0);
    if (child == 0) {
      H5::FileAccPropList fapl;
      fapl.setLibverBounds(H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
      H5::H5File file(path, H5F_ACC_TRUNC, H5::FileCreatPropList::DEFAULT, fapl);
      FakeRun fake = sweet::testing::smallRun();
      fake.status = {0, 3, 10};
      sweet::testing::writeRunInto(file, fake);
      H5Fstart_swmr_write(file.getId());
      file.flush(H5F_SCOPE_GLOBAL);
      char byte = 1;
      (void)!write(ready[1], &byte, 1);
      (void)!read(release[0], &byte, 1);  // stay open until the reader is done
      _exit(0);
    }
    char byte = 0;
    QCOMPARE(read(ready[0], &byte, 1), ssize_t(1));
    std::string message;
    RunData run;
    try {
      run = loadRun(path);
    } catch (const std::exception& e) {
      message = e.what();
    }
    (void)!write(release[1], &byte, 1);
    int status = 0;
    waitpid(child, &status, 0);
    QVERIFY2(message.empty(), message.c_str());
    QCOMPARE(static_cast<int>(run.status.state), static_cast<int>(RunState::Running));
    QCOMPARE(run.eval.instances, 3);
  }

  void loadRun_exitsBeforeTheLastLayer_andCalibrationRecords() {
    QTemporaryDir dir;
    FakeRun fake = sweet::testing::smallRun();  // exits [2, 4]
    fake.numLayers = 12;
    fake.calibrationScheme = "cross_fit";
    fake.evalFold = {0, 1, 0};
    fake.modelIdentity = {{"name", "bert"}, {"hash", "abc"}};
    fake.trainIndices = {5, 3, 9, 1};
    const std::string path = dir.filePath("r.h5").toStdString();
    sweet::testing::writeRun(path, fake);
    const RunData run = loadRun(path);
    QCOMPARE(run.numLayers, int64_t(12));
    QCOMPARE(run.calibrationScheme, std::string("cross_fit"));
    QCOMPARE(run.evalFold, (std::vector<int64_t>{0, 1, 0}));
    QCOMPARE(run.modelIdentity["hash"].get<std::string>(), std::string("abc"));
    QCOMPARE(run.trainCount, int64_t(4));
    fake.numLayers = 3;  // an exit after layer 4 of a 3-layer backbone
    sweet::testing::writeRun(path, fake);
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, loadRun(path));
    fake.numLayers = 0;
    fake.evalFold = {0, 2, 0};
    sweet::testing::writeRun(path, fake);
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, loadRun(path));
  }
};

QTEST_GUILESS_MAIN(RunDataTest)
#include "test_run_data.moc"
