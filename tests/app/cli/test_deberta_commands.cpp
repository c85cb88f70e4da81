// DeBERTa through the `sweet` binary as a user drives it: init-checkpoint (v1, v3, the real
// deberta-v3-base config shrunk with --set) -> inspect -> parity with the independent NumPy
// reference (tests/reference/deberta_reference.py), and EE / SWEET / MM fine-tuning on RTE
// with the saved models reloaded by inspect.
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <fstream>

#include "tests/support/process_runner.h"
#include "tests/support/test_paths.h"

using namespace sweet;

class TestDebertaCommands : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase();
  void inspect_v1MatchesNumpyReference();
  void inspect_v3WithBucketsAndConvMatchesNumpyReference();
  void initCheckpoint_realV3ConfigShrunkMatchesReference();
  void initCheckpoint_badSetFailsWithOneLine();
  void train_eeSweetMmOnRteAndReloadSavedModel();
  void train_realSentencePieceOnRte();

 private:
  QString writeFile(const QString& name, const QByteArray& text);
  QString initCheckpoint(const QString& name, const QStringList& args);
  void checkParity(const QString& checkpoint, const QString& tag);

  QTemporaryDir dir_;
  QString tsv_;
};

QString TestDebertaCommands::writeFile(const QString& name, const QByteArray& text) {
  const QString path = dir_.filePath(name);
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly)) return {};
  f.write(text);
  return path;
}

QString TestDebertaCommands::initCheckpoint(const QString& name, const QStringList& args) {
  const QString out = dir_.filePath(name);
  auto r = test::runProgram(test::sweetBinary(), QStringList{"init-checkpoint", "--out", out, "--seed", "7"} + args);
  if (r.exit_code != 0) qWarning("%s", qPrintable(r.err));
  return r.exit_code == 0 ? out : QString();
}

void TestDebertaCommands::checkParity(const QString& checkpoint, const QString& tag) {
  const QString python = "/usr/bin/python3";
  if (test::runProgram(python, {"-c", "import numpy, h5py"}).exit_code != 0)
    QSKIP("needs /usr/bin/python3 with numpy and h5py (packaging/install-deps.sh installs them)");
  // Fresh N(0, 0.02) weights make attention nearly uniform, which would hide index and bias
  // errors below 1e-6: scale them up first (see the script).
  auto perturb = test::runProgram(python, {test::sourcePath("tests/reference/perturb_weights.py"),
                                           checkpoint + "/model.safetensors", "--seed", "3"});
  QVERIFY2(perturb.exit_code == 0, qPrintable(perturb.err));
  const QString out = dir_.filePath(tag + ".h5");
  auto r = test::runProgram(test::sweetBinary(), {"inspect", "--model", checkpoint, "--tsv", tsv_, "--column", "sentence",
                                                  "--column-b", "other", "--out", out});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  auto ref = test::runProgram(python, {test::sourcePath("tests/reference/deberta_reference.py"), checkpoint, out, "--tol",
                                       "1e-4"},
                              120000);
  qInfo("%s\n%s", qPrintable(tag), qPrintable(ref.out));
  QVERIFY2(ref.exit_code == 0, qPrintable(ref.out + ref.err));
}

void TestDebertaCommands::initTestCase() {
  QVERIFY(dir_.isValid());
  // Pairs of different lengths, so batches carry padding; the longest runs past the tiny
  // configs' max_relative_positions (clipped and log-bucketed distances).
  tsv_ = writeFile("pairs.tsv",
                   "sentence\tother\n"
                   "the cat sat on the mat and looked at the birds outside the window .\tit was a sunny day\n"
                   "hello world , 123 !\tno\n"
                   "a\tb\n");
}

void TestDebertaCommands::inspect_v1MatchesNumpyReference() {
  const QString config = writeFile("v1.json", R"({"model_type": "deberta", "vocab_size": 150, "hidden_size": 32,
      "num_hidden_layers": 3, "num_attention_heads": 4, "intermediate_size": 64, "max_position_embeddings": 128,
      "relative_attention": true, "pos_att_type": "c2p|p2c", "position_biased_input": false,
      "max_relative_positions": 24, "type_vocab_size": 0, "layer_norm_eps": 1e-7})");
  const QString ck = initCheckpoint("v1", {"--config", config, "--make-vocab"});
  QVERIFY(!ck.isEmpty());
  checkParity(ck, "deberta-v1");
  // The absolute-position variant (position_biased_input true, the paper's base setting) too.
  const QString abs = initCheckpoint("v1abs", {"--config", config, "--make-vocab", "--set", "position_biased_input=true",
                                               "type_vocab_size=2", "max_relative_positions=-1"});
  QVERIFY(!abs.isEmpty());
  checkParity(abs, "deberta-v1-absolute");
}

void TestDebertaCommands::inspect_v3WithBucketsAndConvMatchesNumpyReference() {
  const QString config = writeFile("v3.json", R"({"model_type": "deberta-v2", "vocab_size": 150, "hidden_size": 32,
      "num_hidden_layers": 3, "num_attention_heads": 4, "intermediate_size": 64, "max_position_embeddings": 128,
      "relative_attention": true, "pos_att_type": ["p2c", "c2p"], "position_biased_input": false,
      "max_relative_positions": 24, "position_buckets": 6, "share_att_key": true, "norm_rel_ebd": "layer_norm",
      "conv_kernel_size": 3, "conv_act": "gelu", "type_vocab_size": 0, "layer_norm_eps": 1e-7, "pooler_hidden_act": "gelu"})");
  const QString ck = initCheckpoint("v3", {"--config", config, "--make-vocab"});
  QVERIFY(!ck.isEmpty());
  checkParity(ck, "deberta-v3-buckets-conv");
  const QString separate = initCheckpoint("v2sep", {"--config", config, "--make-vocab", "--set", "share_att_key=false",
                                                    "position_buckets=-1", "conv_kernel_size=0"});
  QVERIFY(!separate.isEmpty());
  checkParity(separate, "deberta-v2-separate-keys");
}

void TestDebertaCommands::initCheckpoint_realV3ConfigShrunkMatchesReference() {
  const QString real = test::sharedData("configs/deberta-v3-base/config.json");
  SWEET_REQUIRE_SHARED(real);
  const QString ck = initCheckpoint("v3real", {"--config", real, "--make-vocab", "--set", "num_hidden_layers=2",
                                               "hidden_size=32", "num_attention_heads=2", "intermediate_size=64",
                                               "vocab_size=150", "pooler_hidden_size=32"});
  QVERIFY(!ck.isEmpty());
  const auto j = nlohmann::json::parse(std::ifstream((ck + "/config.json").toStdString()));
  QCOMPARE(j["model_type"].get<std::string>(), std::string("deberta-v2"));
  QCOMPARE(j["position_buckets"].get<int>(), 256);
  QCOMPARE(j["hidden_size"].get<int>(), 32);
  checkParity(ck, "deberta-v3-base-shrunk");
}

void TestDebertaCommands::initCheckpoint_badSetFailsWithOneLine() {
  const QString config = writeFile("bad.json", R"({"model_type": "deberta", "relative_attention": true})");
  auto r = test::runProgram(test::sweetBinary(), {"init-checkpoint", "--config", config, "--out", dir_.filePath("bad"),
                                                  "--set", "pos_att_type=c2p|p2p"});
  QCOMPARE(r.exit_code, 1);
  QVERIFY2(r.err.contains("p2p") && r.err.contains("bad.json"), qPrintable(r.err));
  QCOMPARE(r.err.count('\n'), 1);
}

void TestDebertaCommands::train_eeSweetMmOnRteAndReloadSavedModel() {
  const QString rte = test::sharedData("glue/RTE");
  SWEET_REQUIRE_SHARED(rte + "/train.tsv");
  const QString config = writeFile("train.json", R"({"model_type": "deberta-v2", "vocab_size": 150, "hidden_size": 32,
      "num_hidden_layers": 3, "num_attention_heads": 4, "intermediate_size": 64, "max_position_embeddings": 128,
      "relative_attention": true, "pos_att_type": ["p2c", "c2p"], "position_biased_input": false,
      "position_buckets": 16, "share_att_key": true, "norm_rel_ebd": "layer_norm", "type_vocab_size": 0})");
  const QString ck = initCheckpoint("rte-ck", {"--config", config, "--make-vocab"});
  QVERIFY(!ck.isEmpty());
  const QString out = dir_.filePath("runs");
  for (const QString method : {"ee", "sweet", "mm"}) {
    const QString run = writeFile(method + ".json",
                                  QStringLiteral(R"({"task": "rte", "data_dir": "%1", "model": "%2", "method": "%3",
        "exit_layers": [1, 2, 3], "train_cap": 48, "calibration_size": 8, "eval_max_examples": 24, "batch_size": 8,
        "epochs": 1, "max_length": 64, "learning_rate": 0.0005, "threads": 2, "output_dir": "%4",
        "gradients": {"every": 2, "probe_size": 4}})")
                                      .arg(rte, ck, method, out)
                                      .toUtf8());
    auto r = test::runProgram(test::sweetBinary(), {"train", run}, 300000);
    QVERIFY2(r.exit_code == 0, qPrintable(method + ": " + r.err));
    const QString stem = out + "/rte-" + method + "-lr0.0005-s42";
    QVERIFY2(QFileInfo::exists(stem + ".h5"), qPrintable(stem));
    const auto saved = nlohmann::json::parse(std::ifstream((stem + ".model/config.json").toStdString()));
    QCOMPARE(saved["model_type"].get<std::string>(), std::string("deberta-v2"));
    QCOMPARE(saved["sweet"]["method"].get<std::string>(), method.toStdString());
    QCOMPARE(saved["sweet"]["exit_layers"].get<std::vector<int>>(), (std::vector<int>{1, 2, 3}));
  }
  // A fine-tuned EE model's backbone loads back (exit heads reported and ignored).
  auto r = test::runProgram(test::sweetBinary(), {"inspect", "--model", out + "/rte-sweet-lr0.0005-s42.model", "--text",
                                                  "a b c", "--out", dir_.filePath("finetuned.h5")});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  QVERIFY2(r.err.contains("ignored checkpoint key exits.0.classifier.weight"), qPrintable(r.err));
}

void TestDebertaCommands::train_realSentencePieceOnRte() {
  // The real deberta-v3-base config (shrunk) with its real spm.model: SentencePiece ids in,
  // SWEET out; the batch of 8 runs in two parts of 4 (micro_batch_size).
  const QString rte = test::sharedData("glue/RTE"), config = test::sharedData("configs/deberta-v3-base/config.json"),
                spm = test::sharedData("vocab/deberta-v3-base");
  SWEET_REQUIRE_SHARED(rte + "/train.tsv");
  SWEET_REQUIRE_SHARED(config);
  SWEET_REQUIRE_SHARED(spm + "/spm.model");
  const QString ck = initCheckpoint("real-spm", {"--config", config, "--tokenizer-from", spm, "--set", "num_hidden_layers=2",
                                                 "hidden_size=32", "num_attention_heads=2", "intermediate_size=64",
                                                 "pooler_hidden_size=32"});
  QVERIFY(!ck.isEmpty());
  QVERIFY(QFileInfo::exists(ck + "/spm.model"));
  const QString out = dir_.filePath("runs-spm");
  const QString run = writeFile("spm.json", QStringLiteral(R"({"task": "rte", "data_dir": "%1", "model": "%2",
      "method": "sweet", "exit_layers": [1, 2], "train_cap": 32, "calibration_size": 8, "eval_max_examples": 16,
      "batch_size": 8, "micro_batch_size": 4, "epochs": 1, "max_length": 64, "learning_rate": 0.0005, "threads": 2,
      "output_dir": "%3"})").arg(rte, ck, out).toUtf8());
  auto r = test::runProgram(test::sweetBinary(), {"train", run}, 300000);
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  QVERIFY(QFileInfo::exists(out + "/rte-sweet-lr0.0005-s42.h5"));
  QVERIFY(QFileInfo::exists(out + "/rte-sweet-lr0.0005-s42.model/spm.model"));
}

QTEST_GUILESS_MAIN(TestDebertaCommands)
#include "test_deberta_commands.moc"
