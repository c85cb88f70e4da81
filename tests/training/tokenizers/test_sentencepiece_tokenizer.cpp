// SentencePiece unigram (DeBERTa v2/v3): the spm.model reader, known ids, the
// precompiled-charsmap normaliser, byte fallback, DeBERTa's pair layout, exact agreement
// with the sentencepiece library (Debian's python3-sentencepiece, in its own process) on
// GLUE sentences, and clear errors for damaged model files.
#include <QTemporaryDir>
#include <QtTest>

#include <chrono>
#include <fstream>
#include <sstream>

#include "tests/support/test_paths.h"
#include "tests/training/tokenizers/tokenizer_reference.h"
#include "training/tokenizers/sentencepiece_model.h"
#include "training/tokenizers/sentencepiece_tokenizer.h"
#include "training/tokenizers/tokenizer_files.h"
#include "tokenizer_parity.h"

using namespace sweet;
using Ids = std::vector<int64_t>;

class TestSentencePieceTokenizer : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase();
  void model_readsDebertaV3Settings();
  void debertaV3_knownIds();
  void debertaV3_normalisesLikeNmtNfkc();
  void debertaV3_byteFallbackForUnknownCharacters();
  void debertaV3_pairLayoutAndTruncation();
  void debertaV3_lowerCaseOption();
  void debertaV3_matchesSentencePieceOnGlue();
  void debertaV3_matchesSentencePieceOnRandomUnicode();
  void trainedModels_matchSentencePieceOnGlue_data();
  void trainedModels_matchSentencePieceOnGlue();
  void loadTokenizer_picksSpmModel();
  void malformed_truncatedModelIsReported();
  void malformed_garbageIsReported();

 private:
  std::string modelBytes() const;
  // Skips unless /usr/bin/python3 imports sentencepiece; returns the GLUE sentences.
  std::vector<std::string> referenceSentences();
  void compareWithSentencePiece(const SentencePieceTokenizer& tokenizer, const QString& model,
                                const std::vector<std::string>& sentences);

  QTemporaryDir dir_;
  QString model_;
  std::unique_ptr<SentencePieceTokenizer> spm_;
};

void TestSentencePieceTokenizer::initTestCase() {
  QVERIFY(dir_.isValid());
  model_ = test::sharedData("vocab/deberta-v3-base/spm.model");
  if (QFileInfo::exists(model_)) spm_ = std::make_unique<SentencePieceTokenizer>(model_.toStdString(), false);
}

#define NEED_SPM() \
  if (!spm_) QSKIP("needs ../shared/data/vocab/deberta-v3-base/spm.model (absent on this machine)")

std::string TestSentencePieceTokenizer::modelBytes() const {
  std::ifstream in(model_.toStdString(), std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void TestSentencePieceTokenizer::model_readsDebertaV3Settings() {
  NEED_SPM();
  const SentencePieceModel m = readSentencePieceModel(model_.toStdString());
  QCOMPARE(m.pieces.size(), size_t{128000});
  QCOMPARE(m.model_type, 1);
  QVERIFY(m.byte_fallback);
  QCOMPARE(m.normalizer_name, std::string("nmt_nfkc"));
  QVERIFY(!m.precompiled_charsmap.empty());
  QVERIFY(m.add_dummy_prefix && m.remove_extra_whitespaces && m.escape_whitespaces);
  QCOMPARE(m.pieces[0].piece, std::string("[PAD]"));
  QCOMPARE(m.pieces[3].type, SentencePieceModel::PieceType::kUnknown);
  QCOMPARE(m.pieces[4].piece, std::string("<0x00>"));
  QCOMPARE(m.pieces[4].type, SentencePieceModel::PieceType::kByte);
  // Hugging Face's DebertaV2Tokenizer: [PAD] 0, [CLS] 1, [SEP] 2, [UNK] 3.
  QCOMPARE(spm_->padId(), int64_t{0});
  QCOMPARE(spm_->clsId(), int64_t{1});
  QCOMPARE(spm_->sepId(), int64_t{2});
  QCOMPARE(spm_->unkId(), int64_t{3});
  QCOMPARE(spm_->vocabSize(), int64_t{128000});
}

void TestSentencePieceTokenizer::debertaV3_knownIds() {
  NEED_SPM();
  // Ids from sentencepiece 0.1.97 (python3-sentencepiece) on this spm.model.
  QCOMPARE(spm_->tokenIds("Hello world, caf\u00E9 na\u00EFve 1234!"), (Ids{5365, 447, 261, 15924, 34972, 621, 4775, 300}));
  QCOMPARE(spm_->tokenIds("  Hello   World  "), (Ids{5365, 964}));
  QCOMPARE(spm_->tokenize("Hello world"), (std::vector<std::string>{"\u2581Hello", "\u2581world"}));
  QCOMPARE(spm_->tokenIds(""), Ids{});
  QCOMPARE(spm_->tokenIds(" \t\n "), Ids{});
}

void TestSentencePieceTokenizer::debertaV3_normalisesLikeNmtNfkc() {
  NEED_SPM();
  QCOMPARE(spm_->normalize("\uFF21\uFF22\uFF23"), std::string("\u2581ABC"));           // fullwidth -> ASCII
  QCOMPARE(spm_->normalize("\uFB01ne"), std::string("\u2581fine"));                    // ligature
  QCOMPARE(spm_->normalize("e\u0301"), std::string("\u2581\u00E9"));                   // composed
  QCOMPARE(spm_->normalize("\u3000x\u00A0y\tz\n"), std::string("\u2581x\u2581y\u2581z"));  // spaces
  QCOMPARE(spm_->normalize("x\u200By"), std::string("\u2581x\u2581y"));               // zero width space: a space
  QCOMPARE(spm_->normalize("a  b"), std::string("\u2581a\u2581b"));                    // runs collapse
  QCOMPARE(spm_->normalize("\xFF" "a"), std::string("\u2581\uFFFDa"));                 // malformed byte
}

void TestSentencePieceTokenizer::debertaV3_byteFallbackForUnknownCharacters() {
  NEED_SPM();
  // U+1D11E (musical G clef) has no piece: its four UTF-8 bytes become <0xF0> <0x9D> <0x84> <0x9E>.
  QCOMPARE(spm_->tokenIds("\u2603 \U0001D11E \uFB01 \u2460"), (Ids{507, 126715, 507, 244, 161, 136, 162, 16466, 376}));
  QCOMPARE(spm_->tokenize("\U0001D11E"), (std::vector<std::string>{"\u2581", "<0xF0>", "<0x9D>", "<0x84>", "<0x9E>"}));
}

void TestSentencePieceTokenizer::debertaV3_pairLayoutAndTruncation() {
  NEED_SPM();
  Encoding e = spm_->encode("Hello world", std::string("Hello"), 64);
  QCOMPARE(e.input_ids, (Ids{1, 5365, 447, 2, 5365, 2}));
  QCOMPARE(e.token_type_ids, (Ids{0, 0, 0, 0, 1, 1}));
  e = spm_->encode("Hello world Hello world", std::string("Hello"), 6);
  QCOMPARE(e.input_ids, (Ids{1, 5365, 447, 2, 5365, 2}));
  const TokenBatch b = spm_->pad({e, spm_->encode("Hello", std::nullopt, 8)});
  QCOMPARE(b.input_ids, (Ids{1, 5365, 447, 2, 5365, 2, 1, 5365, 2, 0, 0, 0}));
  QCOMPARE(b.attention_mask, (Ids{1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0}));
}

void TestSentencePieceTokenizer::debertaV3_lowerCaseOption() {
  NEED_SPM();
  SentencePieceTokenizer lower(model_.toStdString(), true);
  QCOMPARE(lower.tokenIds("HELLO World"), spm_->tokenIds("hello world"));
  QVERIFY(spm_->tokenIds("HELLO World") != spm_->tokenIds("hello world"));
}

std::vector<std::string> TestSentencePieceTokenizer::referenceSentences() {
  auto sentences = test::glueSentences();
  if (sentences.empty()) QTest::qSkip("needs ../shared/data/glue (SST-2, RTE, MRPC dev sets; absent on this machine)", __FILE__, __LINE__);
  else if (!QFileInfo::exists(test::kSystemPython) ||
           test::runProgram(test::kSystemPython, {"-c", "import sentencepiece"}).exit_code != 0)
    QTest::qSkip("needs Debian's python3-sentencepiece for /usr/bin/python3 (apt-get install python3-sentencepiece)",
                 __FILE__, __LINE__);
  else
    return sentences;
  return {};
}

void TestSentencePieceTokenizer::debertaV3_matchesSentencePieceOnGlue() {
  NEED_SPM();
  const auto sentences = referenceSentences();
  if (sentences.empty()) return;  // skipped
  compareWithSentencePiece(*spm_, model_, sentences);
}

void TestSentencePieceTokenizer::debertaV3_matchesSentencePieceOnRandomUnicode() {
  NEED_SPM();
  if (referenceSentences().empty()) return;  // skipped
  compareWithSentencePiece(*spm_, model_, test::randomUnicodeStrings(2000, 7));
}

void TestSentencePieceTokenizer::trainedModels_matchSentencePieceOnGlue_data() {
  QTest::addColumn<QString>("rule");
  QTest::newRow("nmt_nfkc") << "nmt_nfkc";
  QTest::newRow("identity") << "identity";
  QTest::newRow("nfkc_cf") << "nfkc_cf";
}

void TestSentencePieceTokenizer::trainedModels_matchSentencePieceOnGlue() {
  QFETCH(QString, rule);
  const auto sentences = referenceSentences();
  if (sentences.empty()) return;  // skipped
  // A small model trained on SST-2's dev sentences by sentencepiece itself.
  const QString text = dir_.filePath("train.txt"), model = dir_.filePath(rule + ".model");
  {
    std::ofstream f(text.toStdString());
    for (size_t i = 0; i < sentences.size(); i += 2) f << sentences[i] << "\n";
  }
  auto r = test::runProgram(test::kSystemPython, {test::sourcePath("tests/reference/sentencepiece_reference.py"),
                                                  "--train", text, rule, model});
  QVERIFY2(r.exit_code == 0, qPrintable(r.err));
  SentencePieceTokenizer tokenizer(model.toStdString(), false);
  QCOMPARE(tokenizer.tokenIds("[MASK]").size(), size_t{2});  // "▁" then the user-defined symbol, whole
  compareWithSentencePiece(tokenizer, model, sentences);
}

void TestSentencePieceTokenizer::compareWithSentencePiece(const SentencePieceTokenizer& tokenizer, const QString& model,
                                                          const std::vector<std::string>& sentences) {
  QString error;
  const auto expected = test::runPythonReference(test::sourcePath("tests/reference/sentencepiece_reference.py"),
                                                 {model}, sentences, error);
  QVERIFY2(error.isEmpty(), qPrintable(error));
  QCOMPARE(expected.size(), sentences.size());
  const auto p = sweet::testing::compareIds(tokenizer, sentences, expected);
  qInfo("SentencePiece (%s) vs python3-sentencepiece: %zu / %zu sentences identical (%zu tokens), %.0f sentences/s",
        qPrintable(QFileInfo(model).fileName()), p.matches, sentences.size(), p.tokens, p.sentencesPerSecond);
  QVERIFY2(p.matches == sentences.size(), ("first mismatch: " + p.firstMismatch).c_str());
}

void TestSentencePieceTokenizer::loadTokenizer_picksSpmModel() {
  NEED_SPM();
  const QString folder = test::sharedData("vocab/deberta-v3-base");
  auto files = findTokenizerFiles(folder.toStdString());
  QVERIFY(files);
  QCOMPARE(files->kind, TokenizerKind::kSentencePiece);
  QCOMPARE(files->do_lower_case, false);  // tokenizer_config.json says so
  auto tok = loadTokenizer(*files);
  QVERIFY(dynamic_cast<SentencePieceTokenizer*>(tok.get()));
  QCOMPARE(tok->tokenIds("Hello world"), (Ids{5365, 447}));
}

void TestSentencePieceTokenizer::malformed_truncatedModelIsReported() {
  NEED_SPM();
  const std::string bytes = modelBytes();
  const QString path = dir_.filePath("spm.model");
  for (size_t cut : {bytes.size() / 2, bytes.size() - 1, size_t{7}}) {
    std::ofstream(path.toStdString(), std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(cut));
    try {
      SentencePieceTokenizer t(path.toStdString(), false);
      QFAIL(qPrintable(QString("a model cut at byte %1 must be refused").arg(cut)));
    } catch (const std::runtime_error& e) {
      QVERIFY2(QString(e.what()).startsWith(path + ": "), e.what());
    }
  }
  // Cut exactly after the pieces: the protobuf is well formed but the specs are gone.
  const SentencePieceModel m = readSentencePieceModel(model_.toStdString());
  size_t pos = 0;
  for (size_t i = 0; i < m.pieces.size(); ++i) {  // each piece: tag, length varint, body
    size_t len = 0, shift = 0, p = pos + 1;
    while (static_cast<unsigned char>(bytes[p]) & 0x80) len |= size_t(bytes[p++] & 0x7F) << shift, shift += 7;
    len |= size_t(bytes[p++]) << shift;
    pos = p + len;
  }
  std::ofstream(path.toStdString(), std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(pos));
  try {
    readSentencePieceModel(path.toStdString());
    QFAIL("a model without its specs must be refused");
  } catch (const std::runtime_error& e) {
    QVERIFY2(QString(e.what()).contains("trainer_spec"), e.what());
  }
}

void TestSentencePieceTokenizer::malformed_garbageIsReported() {
  const QString path = dir_.filePath("garbage.model");
  for (const std::string& content : {std::string("not a model at all\n"), std::string(), std::string("\x0A\xFF\xFF\xFF\xFF\x0F", 6)}) {
    std::ofstream(path.toStdString(), std::ios::binary | std::ios::trunc) << content;
    try {
      SentencePieceTokenizer t(path.toStdString(), false);
      QFAIL("garbage must be refused");
    } catch (const std::runtime_error& e) {
      QVERIFY2(QString(e.what()).startsWith(path + ": "), e.what());
    }
  }
  try {
    SentencePieceTokenizer t(dir_.filePath("absent.model").toStdString(), false);
    QFAIL("a missing file must be refused");
  } catch (const std::runtime_error& e) {
    QVERIFY2(QString(e.what()).contains("absent.model: cannot open"), e.what());
  }
}

QTEST_GUILESS_MAIN(TestSentencePieceTokenizer)
#include "test_sentencepiece_tokenizer.moc"
