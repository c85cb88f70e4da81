// Byte-level BPE (GPT-2 / RoBERTa / DeBERTa v1): GPT-2's known ids, the pre-tokeniser's
// splits, byte-level round trips, exact agreement with an independent Python
// implementation of GPT-2's algorithm on GLUE sentences, the DeBERTa and RoBERTa pair
// layouts, picking the tokenizer from a folder, and clear errors for malformed files.
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>

#include "tests/support/test_paths.h"
#include "tests/training/tokenizers/tokenizer_reference.h"
#include "training/tokenizers/byte_level_bpe_tokenizer.h"
#include "training/tokenizers/gpt2_pretokenizer.h"
#include "training/tokenizers/tokenizer_files.h"
#include "tokenizer_parity.h"

using namespace sweet;
using Ids = std::vector<int64_t>;
using Words = std::vector<std::string_view>;

class TestBpeTokenizer : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase();
  void pretokenizer_splitsLikeGpt2();
  void pretokenizer_coversInvalidUtf8();
  void gpt2_helloWorldKnownIds();
  void gpt2_bytesRoundTrip();
  void gpt2_matchesPythonReferenceOnGlue();
  void gpt2_matchesPythonReferenceOnRandomUnicode();
  void gpt2_encodeNeedsSpecials();
  void deberta_pairLayoutAndTruncation();
  void roberta_pairLayout();
  void loadTokenizer_picksByFolderContents();
  void malformed_vocabNotJson();
  void malformed_mergesBadLine();
  void malformed_mergesMissing();

 private:
  // A copy of GPT-2's files in a folder, with extra tokens appended to vocab.json.
  QString gpt2FolderWith(const QString& name, const std::vector<std::string>& extra);

  QTemporaryDir dir_;
  QString vocab_, merges_;
  std::unique_ptr<ByteLevelBpeTokenizer> gpt2_;
};

void TestBpeTokenizer::initTestCase() {
  QVERIFY(dir_.isValid());
  vocab_ = test::sharedData("vocab/gpt2/vocab.json");
  merges_ = test::sharedData("vocab/gpt2/merges.txt");
  if (QFileInfo::exists(vocab_) && QFileInfo::exists(merges_))
    gpt2_ = std::make_unique<ByteLevelBpeTokenizer>(vocab_.toStdString(), merges_.toStdString());
}

#define NEED_GPT2() \
  if (!gpt2_) QSKIP("needs ../shared/data/vocab/gpt2 (vocab.json + merges.txt, absent on this machine)")

QString TestBpeTokenizer::gpt2FolderWith(const QString& name, const std::vector<std::string>& extra) {
  const QString folder = dir_.filePath(name);
  QDir().mkpath(folder);
  std::ifstream in(vocab_.toStdString());
  nlohmann::json vocab = nlohmann::json::parse(in);
  int64_t next = static_cast<int64_t>(vocab.size());
  for (const auto& token : extra) vocab[token] = next++;
  std::ofstream(QDir(folder).filePath("vocab.json").toStdString()) << vocab.dump();
  QFile::copy(merges_, QDir(folder).filePath("merges.txt"));
  return folder;
}

void TestBpeTokenizer::pretokenizer_splitsLikeGpt2() {
  // Expected splits worked out from the regular expression by hand.
  QCOMPARE(splitGpt2Words("Hello world"), (Words{"Hello", " world"}));
  QCOMPARE(splitGpt2Words("I'm here  now\n\nok 123abc"),
           (Words{"I", "'m", " here", " ", " now", "\n", "\n", "ok", " 123", "abc"}));
  QCOMPARE(splitGpt2Words("end.  "), (Words{"end", ".", "  "}));
  QCOMPARE(splitGpt2Words("they'll 'sup 's"), (Words{"they", "'ll", " '", "sup", " '", "s"}));
  QCOMPARE(splitGpt2Words("caf\u00E9!? \u6771\u4EAC \u2167"), (Words{"caf\u00E9", "!?", " \u6771\u4EAC", " \u2167"}));
  QCOMPARE(splitGpt2Words("a\u00A0b"), (Words{"a", "\u00A0", "b"}));  // only U+0020 joins the next word
  QCOMPARE(splitGpt2Words(""), Words{});
}

void TestBpeTokenizer::pretokenizer_coversInvalidUtf8() {
  const std::string text = "ab\xFF\xC3 cd\xE2\x82";
  std::string joined;
  for (auto w : splitGpt2Words(text)) joined += w;
  QCOMPARE(joined, text);
}

void TestBpeTokenizer::gpt2_helloWorldKnownIds() {
  NEED_GPT2();
  QCOMPARE(gpt2_->tokenIds("Hello world"), (Ids{15496, 995}));
  QCOMPARE(gpt2_->tokenize("Hello world"), (std::vector<std::string>{"Hello", "\u0120world"}));
  QCOMPARE(gpt2_->vocabSize(), 50257);
  QCOMPARE(gpt2_->idOf("<|endoftext|>"), int64_t{50256});
}

void TestBpeTokenizer::gpt2_bytesRoundTrip() {
  NEED_GPT2();
  std::vector<std::string> texts = test::oddSentences();
  texts.push_back("invalid \xFF\xFE utf-8 \xC3 and controls \x01\x02\x7F");
  std::string all_bytes;
  for (int b = 1; b < 256; ++b) all_bytes += static_cast<char>(b);
  texts.push_back(all_bytes);
  for (const auto& t : texts) QCOMPARE(gpt2_->decode(gpt2_->tokenIds(t)), t);
}

void TestBpeTokenizer::gpt2_matchesPythonReferenceOnGlue() {
  NEED_GPT2();
  const auto sentences = test::glueSentences();
  if (sentences.empty()) QSKIP("needs ../shared/data/glue (SST-2, RTE, MRPC dev sets; absent on this machine)");
  if (!QFileInfo::exists(test::kSystemPython)) QSKIP("needs /usr/bin/python3 for the reference implementation");
  QString error;
  const auto expected = test::runPythonReference(test::sourcePath("tests/reference/gpt2_bpe_reference.py"),
                                                 {vocab_, merges_}, sentences, error);
  QVERIFY2(error.isEmpty(), qPrintable(error));
  QCOMPARE(expected.size(), sentences.size());
  const auto p = sweet::testing::compareIds(*gpt2_, sentences, expected);
  qInfo("byte-level BPE vs Python reference: %zu / %zu sentences identical (%zu tokens), %.0f sentences/s",
        p.matches, sentences.size(), p.tokens, p.sentencesPerSecond);
  QVERIFY2(p.matches == sentences.size(), ("first mismatch: " + p.firstMismatch).c_str());
}

void TestBpeTokenizer::gpt2_matchesPythonReferenceOnRandomUnicode() {
  NEED_GPT2();
  if (!QFileInfo::exists(test::kSystemPython)) QSKIP("needs /usr/bin/python3 for the reference implementation");
  const auto strings = test::randomUnicodeStrings(2000, 7);
  QString error;
  const auto expected = test::runPythonReference(test::sourcePath("tests/reference/gpt2_bpe_reference.py"),
                                                 {vocab_, merges_}, strings, error);
  QVERIFY2(error.isEmpty(), qPrintable(error));
  size_t matches = 0;
  for (size_t i = 0; i < strings.size(); ++i) matches += gpt2_->tokenIds(strings[i]) == expected[i];
  qInfo("byte-level BPE vs Python reference: %zu / %zu random Unicode strings identical", matches, strings.size());
  QCOMPARE(matches, strings.size());
}

void TestBpeTokenizer::gpt2_encodeNeedsSpecials() {
  NEED_GPT2();
  try {
    gpt2_->encode("hello", std::nullopt, 16);
    QFAIL("GPT-2's vocabulary has no [CLS]/<s>; encode must refuse");
  } catch (const std::runtime_error& e) {
    QVERIFY2(QString(e.what()).contains(vocab_), e.what());
  }
}

void TestBpeTokenizer::deberta_pairLayoutAndTruncation() {
  NEED_GPT2();
  const QString folder = gpt2FolderWith("deberta", {"[PAD]", "[CLS]", "[SEP]", "[UNK]", "[MASK]"});
  auto tok = loadTokenizer(folder.toStdString());
  const int64_t pad = 50257, cls = 50258, sep = 50259, unk = 50260;
  QCOMPARE(tok->clsId(), cls);
  QCOMPARE(tok->sepId(), sep);
  QCOMPARE(tok->padId(), pad);
  QCOMPARE(tok->unkId(), unk);
  QCOMPARE(tok->layout(), PairLayout::kBert);
  QCOMPARE(tok->vocabSize(), int64_t{50262});
  Encoding e = tok->encode("Hello world", std::string("Hello"), 64);
  QCOMPARE(e.input_ids, (Ids{cls, 15496, 995, sep, 15496, sep}));
  QCOMPARE(e.token_type_ids, (Ids{0, 0, 0, 0, 1, 1}));
  // Longest first: a has 4 tokens, b 1; max 6 leaves 3 for text, so a loses two.
  const Ids a = tok->tokenIds("Hello world Hello world");
  QCOMPARE(a.size(), size_t{4});
  e = tok->encode("Hello world Hello world", std::string("Hello"), 6);
  QCOMPARE(e.input_ids, (Ids{cls, a[0], a[1], sep, 15496, sep}));
  TokenBatch b = tok->pad({e, tok->encode("Hello", std::nullopt, 8)});
  QCOMPARE(b.length, int64_t{6});
  QCOMPARE(b.input_ids[6 + 3], pad);
  QCOMPARE(b.attention_mask[6 + 3], int64_t{0});
}

void TestBpeTokenizer::roberta_pairLayout() {
  NEED_GPT2();
  const QString folder = gpt2FolderWith("roberta", {"<s>", "<pad>", "</s>", "<unk>"});
  auto tok = loadTokenizer(folder.toStdString());
  const int64_t s = 50257, pad = 50258, end = 50259;
  QCOMPARE(tok->layout(), PairLayout::kRoberta);
  QCOMPARE(tok->padId(), pad);
  Encoding e = tok->encode("Hello world", std::string("Hello"), 64);
  QCOMPARE(e.input_ids, (Ids{s, 15496, 995, end, end, 15496, end}));
  QCOMPARE(e.token_type_ids, (Ids{0, 0, 0, 0, 0, 0, 0}));
  e = tok->encode("Hello world", std::string("Hello"), 6);  // 4 specials leave 2
  QCOMPARE(e.input_ids, (Ids{s, 15496, end, end, 15496, end}));
}

void TestBpeTokenizer::loadTokenizer_picksByFolderContents() {
  const QString empty = dir_.filePath("empty");
  QDir().mkpath(empty);
  try {
    loadTokenizer(empty.toStdString());
    QFAIL("an empty folder has no tokenizer");
  } catch (const std::runtime_error& e) {
    QVERIFY2(QString(e.what()).startsWith(empty + ":"), e.what());
    QVERIFY2(QString(e.what()).contains("spm.model"), e.what());
  }
  QVERIFY(!findTokenizerFiles(empty.toStdString()));

  NEED_GPT2();
  const QString folder = gpt2FolderWith("picked", {"[PAD]", "[CLS]", "[SEP]", "[UNK]"});
  {  // a vocab.txt beside the BPE files loses: BPE is what such a folder's model was trained with
    std::ofstream(QDir(folder).filePath("vocab.txt").toStdString()) << "[PAD]\n[UNK]\n[CLS]\n[SEP]\n";
  }
  auto files = findTokenizerFiles(folder.toStdString());
  QVERIFY(files);
  QCOMPARE(files->kind, TokenizerKind::kByteLevelBpe);
  QCOMPARE(files->files.size(), size_t{2});
  QCOMPARE(files->do_lower_case, false);
  QVERIFY(dynamic_cast<ByteLevelBpeTokenizer*>(loadTokenizer(*files).get()));

  const QString bert = test::sharedData("vocab/bert-base-uncased");
  if (QFileInfo::exists(bert + "/vocab.txt")) {
    auto wp = findTokenizerFiles(bert.toStdString());
    QVERIFY(wp);
    QCOMPARE(wp->kind, TokenizerKind::kWordPiece);
    QCOMPARE(wp->do_lower_case, true);
    QCOMPARE(loadTokenizer(bert.toStdString())->tokenIds("hello world"), (Ids{7592, 2088}));
  }
}

void TestBpeTokenizer::malformed_vocabNotJson() {
  NEED_GPT2();
  const QString folder = dir_.filePath("badjson");
  QDir().mkpath(folder);
  const QString vocab = QDir(folder).filePath("vocab.json");
  std::ofstream(vocab.toStdString()) << "{\"a\": 1, \"b\": ";
  QFile::copy(merges_, QDir(folder).filePath("merges.txt"));
  try {
    loadTokenizer(folder.toStdString());
    QFAIL("a truncated vocab.json must be refused");
  } catch (const std::runtime_error& e) {
    QVERIFY2(QString(e.what()).startsWith(vocab + ": not valid JSON"), e.what());
  }
  std::ofstream(vocab.toStdString(), std::ios::trunc) << "[1, 2, 3]";
  try {
    loadTokenizer(folder.toStdString());
    QFAIL("a vocab.json that is not an object must be refused");
  } catch (const std::runtime_error& e) {
    QVERIFY2(QString(e.what()).startsWith(vocab + ":"), e.what());
  }
}

void TestBpeTokenizer::malformed_mergesBadLine() {
  NEED_GPT2();
  const QString folder = dir_.filePath("badmerges");
  QDir().mkpath(folder);
  QFile::copy(vocab_, QDir(folder).filePath("vocab.json"));
  const QString merges = QDir(folder).filePath("merges.txt");
  std::ofstream(merges.toStdString()) << "#version: 0.2\n\xC4\xA0 t\nh e\nthree parts here\n";
  try {
    loadTokenizer(folder.toStdString());
    QFAIL("a merges.txt line with three symbols must be refused");
  } catch (const std::runtime_error& e) {
    QVERIFY2(QString(e.what()).startsWith(merges + ":4: expected two symbols"), e.what());
  }
}

void TestBpeTokenizer::malformed_mergesMissing() {
  NEED_GPT2();
  const QString folder = dir_.filePath("nomerges");
  QDir().mkpath(folder);
  QFile::copy(vocab_, QDir(folder).filePath("vocab.json"));
  try {
    loadTokenizer(folder.toStdString());
    QFAIL("vocab.json without merges.txt must be refused");
  } catch (const std::runtime_error& e) {
    QVERIFY2(QString(e.what()).startsWith(QDir(folder).filePath("vocab.json") + ": "), e.what());
    QVERIFY2(QString(e.what()).contains("merges.txt"), e.what());
  }
}

QTEST_GUILESS_MAIN(TestBpeTokenizer)
#include "test_bpe_tokenizer.moc"
