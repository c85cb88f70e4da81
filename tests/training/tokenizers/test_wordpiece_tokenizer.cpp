// BERT basic + WordPiece tokenization, encoding of pairs, truncation and padding.
// Expected ids for bert-base-uncased were looked up by hand in its vocab.txt
// (id = line number - 1).
#include <QtTest>

#include "tests/support/test_paths.h"
#include "training/tokenizers/wordpiece_tokenizer.h"

using namespace sweet;
using Ids = std::vector<int64_t>;
using Tokens = std::vector<std::string>;

class TestWordPieceTokenizer : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase();
  void real_helloWorld();
  void real_accentsAreStripped();
  void real_punctuationIsSplit();
  void real_cjkCharactersStandAlone();
  void real_wordPiecesAreLongestFirst();
  void basic_controlCharsDroppedWhitespaceSplits();
  void basic_casedKeepsCaseAndAccents();
  void wordPiece_overlongWordIsUnknown();
  void wordPiece_unmatchablePartMakesWholeWordUnknown();
  void encode_pairHasSegmentIds();
  void encode_truncatesLongestFirst();
  void pad_padsToLongestInBatch();
  void vocab_missingSpecialTokenIsReported();

 private:
  std::unique_ptr<WordPieceTokenizer> real_;
  WordPieceTokenizer small() const {
    return WordPieceTokenizer(Tokens{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "cat", "sat", "##s", "un", "##happy",
                                     "a", "b", "c", "d", "e", "f", "g", "h", "##a"},
                              true);
  }
};

void TestWordPieceTokenizer::initTestCase() {
  const QString vocab = test::sharedData("vocab/bert-base-uncased/vocab.txt");
  if (QFileInfo::exists(vocab)) real_ = std::make_unique<WordPieceTokenizer>(vocab.toStdString(), true);
}

#define NEED_REAL_VOCAB() \
  if (!real_) QSKIP("needs ../shared/data/vocab/bert-base-uncased/vocab.txt (absent on this machine)")

void TestWordPieceTokenizer::real_helloWorld() {
  NEED_REAL_VOCAB();
  QCOMPARE(real_->vocabSize(), 30522);
  QCOMPARE(real_->encode("hello world", std::nullopt, 128).input_ids, (Ids{101, 7592, 2088, 102}));
  QCOMPARE(real_->encode("Hello WORLD", std::nullopt, 128).input_ids, (Ids{101, 7592, 2088, 102}));
}

void TestWordPieceTokenizer::real_accentsAreStripped() {
  NEED_REAL_VOCAB();
  QCOMPARE(real_->tokenIds("Héllo Wörld"), (Ids{7592, 2088}));
  QCOMPARE(real_->tokenIds("naïve café"), (Ids{15743, 7668}));
}

void TestWordPieceTokenizer::real_punctuationIsSplit() {
  NEED_REAL_VOCAB();
  // "isn't" -> isn ' t; "$" and "^" are not Unicode punctuation but BERT splits them.
  QCOMPARE(real_->tokenIds("hello, world! isn't $a^."), (Ids{7592, 1010, 2088, 999, 3475, 1005, 1056, 1002, 1037, 1034, 1012}));
}

void TestWordPieceTokenizer::real_cjkCharactersStandAlone() {
  NEED_REAL_VOCAB();
  QCOMPARE(real_->tokenize("中国日本"), (Tokens{"中", "国", "日", "本"}));
  QCOMPARE(real_->tokenIds("a中国b"), (Ids{1037, 1746, 1799, 1038}));
}

void TestWordPieceTokenizer::real_wordPiecesAreLongestFirst() {
  NEED_REAL_VOCAB();
  QCOMPARE(real_->tokenize("unaffable"), (Tokens{"una", "##ffa", "##ble"}));
  QCOMPARE(real_->tokenIds("unaffable"), (Ids{14477, 20961, 3468}));
}

void TestWordPieceTokenizer::basic_controlCharsDroppedWhitespaceSplits() {
  BasicTokenizer basic(true);
  QCOMPARE(basic.tokenize(std::string("the\x01 cat\t\nsat\xC2\xA0") + "mat"), (Tokens{"the", "cat", "sat", "mat"}));
  QCOMPARE(basic.tokenize("   "), Tokens{});
}

void TestWordPieceTokenizer::basic_casedKeepsCaseAndAccents() {
  BasicTokenizer cased(false);
  QCOMPARE(cased.tokenize("Héllo, World"), (Tokens{"Héllo", ",", "World"}));
}

void TestWordPieceTokenizer::wordPiece_overlongWordIsUnknown() {
  auto tok = small();
  // 100 characters still go through WordPiece: "a" then 99 x "##a".
  const Tokens hundred = tok.tokenize(std::string(100, 'a'));
  QCOMPARE(hundred.size(), size_t{100});
  QCOMPARE(hundred[0], std::string("a"));
  QCOMPARE(hundred[99], std::string("##a"));
  QCOMPARE(tok.tokenize(std::string(101, 'a')), (Tokens{"[UNK]"}));
}

void TestWordPieceTokenizer::wordPiece_unmatchablePartMakesWholeWordUnknown() {
  auto tok = small();
  QCOMPARE(tok.tokenize("cats unhappy"), (Tokens{"cat", "##s", "un", "##happy"}));
  QCOMPARE(tok.tokenize("catz the"), (Tokens{"[UNK]", "the"}));
}

void TestWordPieceTokenizer::encode_pairHasSegmentIds() {
  auto tok = small();
  Encoding e = tok.encode("the cat", std::string("sat"), 32);
  QCOMPARE(e.input_ids, (Ids{2, 4, 5, 3, 6, 3}));
  QCOMPARE(e.token_type_ids, (Ids{0, 0, 0, 0, 1, 1}));
}

void TestWordPieceTokenizer::encode_truncatesLongestFirst() {
  auto tok = small();
  // a: 5 tokens, b: 2 tokens, room for 4 -> a loses 3 (always the longer one).
  Encoding e = tok.encode("a b c d e", std::string("f g"), 7);
  QCOMPARE(e.input_ids.size(), size_t{7});
  QCOMPARE(e.input_ids, (Ids{2, 10, 11, 3, 15, 16, 3}));
  // Equal lengths: b loses first, as in Hugging Face.
  Encoding tie = tok.encode("a b", std::string("c d"), 6);
  QCOMPARE(tie.input_ids, (Ids{2, 10, 11, 3, 12, 3}));
  Encoding single = tok.encode("a b c d e", std::nullopt, 4);
  QCOMPARE(single.input_ids, (Ids{2, 10, 11, 3}));
}

void TestWordPieceTokenizer::pad_padsToLongestInBatch() {
  auto tok = small();
  TokenBatch b = tok.pad({tok.encode("the", std::nullopt, 16), tok.encode("the cat", std::string("sat"), 16)});
  QCOMPARE(b.batch, 2);
  QCOMPARE(b.length, 6);
  QCOMPARE(b.input_ids, (Ids{2, 4, 3, 0, 0, 0, 2, 4, 5, 3, 6, 3}));
  QCOMPARE(b.attention_mask, (Ids{1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1}));
  QCOMPARE(b.token_type_ids, (Ids{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1}));
}

void TestWordPieceTokenizer::vocab_missingSpecialTokenIsReported() {
  try {
    WordPieceTokenizer tok(Tokens{"[PAD]", "[UNK]", "[CLS]"}, true);
    QFAIL("a vocabulary without [SEP] was accepted");
  } catch (const std::runtime_error& e) {
    QVERIFY2(QString(e.what()).contains("[SEP]"), e.what());
  }
}

QTEST_GUILESS_MAIN(TestWordPieceTokenizer)
#include "test_wordpiece_tokenizer.moc"
