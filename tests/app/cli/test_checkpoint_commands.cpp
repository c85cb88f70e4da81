// End to end through the `sweet` binary: init-checkpoint -> inspect, the HDF5 layout
// inspect promises, clear one-line errors, and parity with the NumPy reference BERT.
#include <QTemporaryDir>
#include <QtTest>

#include "analysis/hdf5_util.h"
#include "tests/support/process_runner.h"
#include "tests/support/test_paths.h"

using namespace sweet;

class TestCheckpointCommands : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase();
  void inspect_writesDocumentedLayout();
  void inspect_tsvPairsMatchNumpyReference();
  void inspect_pickleFolderFailsWithOneLine();
  void inspect_realVocabTokenIds();

 private:
  QTemporaryDir dir_;
  QString checkpoint_;
};

void TestCheckpointCommands::initTestCase() {
  QVERIFY(dir_.isValid());
  const QString config = dir_.filePath("config.json");
  QFile f(config);
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write(R"({"vocab_size": 150, "hidden_size": 32, "num_hidden_layers": 3, "num_attention_heads": 4,
             "intermediate_size": 64, "max_position_embeddings": 64, "type_vocab_size": 2})");
  f.close();
  checkpoint_ = dir_.filePath("ck");
  auto r = test::runProgram(test::sweetBinary(),
                            {"init-checkpoint", "--config", config, "--out", checkpoint_, "--make-vocab", "--seed", "4"});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  for (const char* name : {"config.json", "model.safetensors", "vocab.txt", "tokenizer_config.json"})
    QVERIFY2(QFileInfo::exists(checkpoint_ + "/" + name), name);
}

void TestCheckpointCommands::inspect_writesDocumentedLayout() {
  const QString out = dir_.filePath("one.h5");
  auto r = test::runProgram(test::sweetBinary(), {"inspect", "--model", checkpoint_, "--text", "the cat sat",
                                                  "--text-b", "on a mat", "--out", out});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  H5::H5File file(out.toStdString(), H5F_ACC_RDONLY);
  h5::Shape ids, hidden, pooled;
  auto tokens = h5::readInt64(file, "input_ids", &ids);
  auto types = h5::readInt64(file, "token_type_ids");
  h5::readFloat32(file, "hidden_states", &hidden);
  h5::readFloat32(file, "pooled", &pooled);
  QCOMPARE(ids.size(), size_t{2});
  QCOMPARE(ids[0], hsize_t{1});
  QCOMPARE(hidden, (h5::Shape{4, 1, ids[1], 32}));  // L + 1 states, embeddings first
  QCOMPARE(pooled, (h5::Shape{1, 32}));
  QCOMPARE(tokens.front(), int64_t{2});  // [CLS] of the generated vocab
  QCOMPARE(types.back(), int64_t{1});    // second segment
}

void TestCheckpointCommands::inspect_tsvPairsMatchNumpyReference() {
  const QString tsv = dir_.filePath("in.tsv");
  QFile f(tsv);
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write("sentence\tother\nthe cat sat on the mat .\tyes\nhello world , 123 !\tno\na\tb\n");
  f.close();
  const QString out = dir_.filePath("tsv.h5");
  auto r = test::runProgram(test::sweetBinary(), {"inspect", "--model", checkpoint_, "--tsv", tsv, "--column",
                                                  "sentence", "--column-b", "other", "--out", out});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  const QString python = "/usr/bin/python3";
  auto probe = test::runProgram(python, {"-c", "import numpy, h5py"});
  if (probe.exit_code != 0) QSKIP("needs /usr/bin/python3 with numpy and h5py (packaging/install-deps.sh installs them)");
  auto ref = test::runProgram(python, {test::sourcePath("tests/reference/bert_reference.py"), checkpoint_, out, "--tol", "1e-4"});
  QVERIFY2(ref.exit_code == 0, qPrintable(ref.out + ref.err));
}

void TestCheckpointCommands::inspect_pickleFolderFailsWithOneLine() {
  const QString folder = test::sharedData("fixtures/camphr-bert-test-random");
  SWEET_REQUIRE_SHARED(folder);
  auto r = test::runProgram(test::sweetBinary(), {"inspect", "--model", folder, "--text", "x", "--out", dir_.filePath("x.h5")});
  QCOMPARE(r.exit_code, 1);
  QVERIFY2(r.err.startsWith("sweet inspect: error: "), qPrintable(r.err));
  QVERIFY2(r.err.contains("pytorch_model.bin"), qPrintable(r.err));
  QCOMPARE(r.err.count('\n'), 1);
}

void TestCheckpointCommands::inspect_realVocabTokenIds() {
  const QString vocab = test::sharedData("vocab/bert-base-uncased/vocab.txt");
  SWEET_REQUIRE_SHARED(vocab);
  // A small random model with the real 30,522-entry vocabulary.
  const QString config = dir_.filePath("real.json");
  QFile f(config);
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write(R"({"vocab_size": 30522, "hidden_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2,
             "intermediate_size": 32, "max_position_embeddings": 32})");
  f.close();
  const QString ck = dir_.filePath("real");
  auto init = test::runProgram(test::sweetBinary(), {"init-checkpoint", "--config", config, "--out", ck, "--vocab", vocab});
  QVERIFY2(init.exit_code == 0, qPrintable(init.err));
  const QString out = dir_.filePath("real.h5");
  auto r = test::runProgram(test::sweetBinary(), {"inspect", "--model", ck, "--text", "hello world", "--out", out});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  H5::H5File file(out.toStdString(), H5F_ACC_RDONLY);
  QCOMPARE(h5::readInt64(file, "input_ids"), (std::vector<int64_t>{101, 7592, 2088, 102}));
}

QTEST_GUILESS_MAIN(TestCheckpointCommands)
#include "test_checkpoint_commands.moc"
