// The tokenizers as a user meets them, through the `sweet` binary: a scratch model made
// with DeBERTa-v3's spm.model or a byte-level BPE vocabulary (init-checkpoint
// --tokenizer-from), its inputs checked through `sweet inspect`, a short training run
// whose saved model carries the same tokenizer files, and damaged or missing vocabulary
// files failing with one line that names the file.
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <fstream>

#include "analysis/hdf5_util.h"
#include "tests/support/process_runner.h"
#include "tests/support/test_paths.h"

using namespace sweet;
using Ids = std::vector<int64_t>;

class TestTokenizerCommands : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase();
  void spm_initInspectTrainKeepsTokenizer();
  void bpe_debertaV1FolderFramesPairs();
  void wordPiece_vocabUnderAnyNameLandsAsVocabTxt();
  void errors_nameTheFolderOrFile();

 private:
  QString writeFile(const QString& name, const QByteArray& content);
  QString tinyConfig(const QString& name, int vocab_size);
  test::ProcessResult sweet(const QStringList& args) { return test::runProgram(test::sweetBinary(), args); }

  QTemporaryDir dir_;
};

void TestTokenizerCommands::initTestCase() { QVERIFY(dir_.isValid()); }

QString TestTokenizerCommands::writeFile(const QString& name, const QByteArray& content) {
  const QString path = dir_.filePath(name);
  QDir().mkpath(QFileInfo(path).path());
  QFile f(path);
  if (f.open(QIODevice::WriteOnly)) f.write(content);
  return path;
}

QString TestTokenizerCommands::tinyConfig(const QString& name, int vocab_size) {
  return writeFile(name, QStringLiteral(R"({"vocab_size": %1, "hidden_size": 8, "num_hidden_layers": 2,
      "num_attention_heads": 2, "intermediate_size": 16, "max_position_embeddings": 64, "type_vocab_size": 2})")
                             .arg(vocab_size)
                             .toUtf8());
}

void TestTokenizerCommands::spm_initInspectTrainKeepsTokenizer() {
  const QString spmDir = test::sharedData("vocab/deberta-v3-base");
  SWEET_REQUIRE_SHARED(spmDir + "/spm.model");
  const QString ck = dir_.filePath("spm-ck");
  auto r = sweet({"init-checkpoint", "--config", tinyConfig("spm.json", 128100), "--out", ck, "--tokenizer-from", spmDir});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  QVERIFY(QFileInfo::exists(ck + "/spm.model"));
  QVERIFY(!QFileInfo::exists(ck + "/vocab.txt"));

  const QString out = dir_.filePath("spm.h5");
  r = sweet({"inspect", "--model", ck, "--text", "Hello world", "--text-b", "Hello", "--out", out});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  {
    H5::H5File file(out.toStdString(), H5F_ACC_RDONLY);
    QCOMPARE(h5::readInt64(file, "input_ids"), (Ids{1, 5365, 447, 2, 5365, 2}));  // python3-sentencepiece's ids
    QCOMPARE(h5::readInt64(file, "token_type_ids"), (Ids{0, 0, 0, 0, 1, 1}));
  }

  // A few steps on SST-2 rows; the saved model must carry spm.model, not a vocab.txt.
  const QString data = dir_.filePath("sst");
  writeFile("sst/train.tsv", "sentence\tlabel\nA gorgeous, witty film .\t1\nDull and \xC3\xA9tonnant , not in a good way .\t0\n"
                             "It's a charming   caf\xC3\xA9 story .\t1\nToo long .\t0\nFun !\t1\nBad .\t0\n");
  writeFile("sst/dev.tsv", "sentence\tlabel\nwitty and warm .\t1\nnot good .\t0\n");
  const QString config = writeFile("spm-train.json", QStringLiteral(R"({"task": "sst2", "data_dir": "%1", "model": "%2",
      "method": "ee", "exit_layers": [1, 2], "batch_size": 2, "epochs": 1, "max_length": 16, "threads": 1,
      "calibration_size": 2, "output_dir": "%3", "run_name": "spm"})")
                                                         .arg(data, ck, dir_.filePath("runs"))
                                                         .toUtf8());
  r = sweet({"train", config});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  const QString model = dir_.filePath("runs/spm.model");
  QVERIFY(QFileInfo::exists(model + "/spm.model"));
  QVERIFY(!QFileInfo::exists(model + "/vocab.txt"));
  QCOMPARE(QFileInfo(model + "/spm.model").size(), QFileInfo(spmDir + "/spm.model").size());
  std::ifstream tok((model + "/tokenizer_config.json").toStdString());
  QCOMPARE(nlohmann::json::parse(tok).value("do_lower_case", true), false);
  // The saved model is itself a checkpoint folder the tools read.
  r = sweet({"inspect", "--model", model, "--text", "Hello world", "--out", dir_.filePath("saved.h5")});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  H5::H5File saved(dir_.filePath("saved.h5").toStdString(), H5F_ACC_RDONLY);
  QCOMPARE(h5::readInt64(saved, "input_ids"), (Ids{1, 5365, 447, 2}));
}

void TestTokenizerCommands::bpe_debertaV1FolderFramesPairs() {
  const QString gpt2 = test::sharedData("vocab/gpt2");
  SWEET_REQUIRE_SHARED(gpt2 + "/vocab.json");
  // GPT-2's BPE with DeBERTa v1's specials added, as microsoft/deberta-base's vocab.json has them.
  std::ifstream in((gpt2 + "/vocab.json").toStdString());
  nlohmann::json vocab = nlohmann::json::parse(in);
  for (const char* special : {"[PAD]", "[CLS]", "[SEP]", "[UNK]", "[MASK]"}) vocab[special] = vocab.size();
  const QString tokDir = dir_.filePath("bpe-tok");
  writeFile("bpe-tok/vocab.json", QByteArray::fromStdString(vocab.dump()));
  QVERIFY(QFile::copy(gpt2 + "/merges.txt", tokDir + "/merges.txt"));
  const QString ck = dir_.filePath("bpe-ck");
  auto r = sweet({"init-checkpoint", "--config", tinyConfig("bpe.json", 50265), "--out", ck, "--tokenizer-from", tokDir});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  QVERIFY(QFileInfo::exists(ck + "/vocab.json") && QFileInfo::exists(ck + "/merges.txt"));
  const QString out = dir_.filePath("bpe.h5");
  r = sweet({"inspect", "--model", ck, "--text", "Hello world", "--text-b", "Hello", "--out", out});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  H5::H5File file(out.toStdString(), H5F_ACC_RDONLY);
  QCOMPARE(h5::readInt64(file, "input_ids"), (Ids{50258, 15496, 995, 50259, 15496, 50259}));
  QCOMPARE(h5::readInt64(file, "token_type_ids"), (Ids{0, 0, 0, 0, 1, 1}));
}

void TestTokenizerCommands::wordPiece_vocabUnderAnyNameLandsAsVocabTxt() {
  const QString vocab = writeFile("words/my-vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\nworld\n");
  const QString ck = dir_.filePath("wp-ck");
  auto r = sweet({"init-checkpoint", "--config", tinyConfig("wp.json", 6), "--out", ck, "--vocab", vocab});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  QVERIFY(QFileInfo::exists(ck + "/vocab.txt"));
  QVERIFY(!QFileInfo::exists(ck + "/my-vocab.txt"));
  const QString out = dir_.filePath("wp.h5");
  r = sweet({"inspect", "--model", ck, "--text", "Hello world", "--out", out});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  H5::H5File file(out.toStdString(), H5F_ACC_RDONLY);
  QCOMPARE(h5::readInt64(file, "input_ids"), (Ids{2, 4, 5, 3}));  // lower-cased: WordPiece's default
}

void TestTokenizerCommands::errors_nameTheFolderOrFile() {
  // --tokenizer-from a folder without vocabulary files.
  const QString empty = dir_.filePath("no-tokenizer");
  QDir().mkpath(empty);
  auto r = sweet({"init-checkpoint", "--config", tinyConfig("e.json", 100), "--out", dir_.filePath("e-ck"),
                  "--tokenizer-from", empty});
  QCOMPARE(r.exit_code, 1);
  QVERIFY2(r.err.contains(empty + ": no tokenizer files"), qPrintable(r.err));
  QCOMPARE(r.err.count('\n'), 1);

  const QString spm = test::sharedData("vocab/deberta-v3-base/spm.model");
  SWEET_REQUIRE_SHARED(spm);
  // A vocabulary larger than the model's embedding table.
  r = sweet({"init-checkpoint", "--config", tinyConfig("small.json", 1000), "--out", dir_.filePath("small-ck"),
             "--tokenizer-from", QFileInfo(spm).path()});
  QCOMPARE(r.exit_code, 1);
  QVERIFY2(r.err.contains("vocab_size 1000") && r.err.contains("spm.model"), qPrintable(r.err));

  // A checkpoint whose spm.model was cut short: inspect names the file, in one line.
  const QString ck = dir_.filePath("cut-ck");
  r = sweet({"init-checkpoint", "--config", tinyConfig("cut.json", 128100), "--out", ck, "--tokenizer-from",
             QFileInfo(spm).path()});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  QFile model(ck + "/spm.model");
  QVERIFY(model.resize(model.size() / 3));
  r = sweet({"inspect", "--model", ck, "--text", "x", "--out", dir_.filePath("cut.h5")});
  QCOMPARE(r.exit_code, 1);
  QVERIFY2(r.err.contains(ck + "/spm.model: not a valid SentencePiece model"), qPrintable(r.err));
  QCOMPARE(r.err.count('\n'), 1);

  // vocab.json without merges.txt.
  QVERIFY(QFile::remove(ck + "/spm.model"));
  writeFile("cut-ck/vocab.json", "{\"a\": 0}");
  r = sweet({"inspect", "--model", ck, "--text", "x", "--out", dir_.filePath("nomerges.h5")});
  QCOMPARE(r.exit_code, 1);
  QVERIFY2(r.err.contains(ck + "/vocab.json: a byte-level BPE vocabulary needs merges.txt"), qPrintable(r.err));
}

QTEST_GUILESS_MAIN(TestTokenizerCommands)
#include "test_tokenizer_commands.moc"
