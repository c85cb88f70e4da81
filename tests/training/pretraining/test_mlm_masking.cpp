// MLM masking statistics on fixed seeds (15% of non-special tokens, 80/10/10), dynamic
// masks across epochs, determinism; the corpus reader's and the config's messages.
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

#include "training/pretraining/mlm_masking.h"
#include "training/pretraining/pretrain_config.h"
#include "training/pretraining/text_corpus.h"

using namespace sweet;

class TestMlmMasking : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void masking_choosesFifteenPercentSplit801010();
  void masking_neverChoosesSpecials();
  void masking_freshEachEpochAndFixedBySeed();
  void corpus_readsLinesAndColumns();
  void corpus_badFilesNameTheFile();
  void config_badKeysNameKeyAndFile();
};

namespace {

constexpr int64_t kPad = 0, kUnk = 1, kCls = 2, kSep = 3, kMask = 4, kVocab = 1000;

MaskingRule rule() {
  MaskingRule r;
  r.mask_id = kMask;
  r.vocab_size = kVocab;
  r.special_ids = {kPad, kUnk, kCls, kSep, kMask};
  return r;
}

// [CLS] w w ... [SEP] with ordinary ids >= 5.
std::vector<int64_t> sequence(int64_t row, int64_t length) {
  std::vector<int64_t> ids = {kCls};
  for (int64_t i = 0; i < length; ++i) ids.push_back(5 + (row * 31 + i * 7) % (kVocab - 5));
  ids.push_back(kSep);
  return ids;
}

}  // namespace

void TestMlmMasking::masking_choosesFifteenPercentSplit801010() {
  int64_t tokens = 0, chosen = 0, masked = 0, replaced = 0, kept = 0;
  for (int64_t row = 0; row < 2000; ++row) {
    const std::vector<int64_t> ids = sequence(row, 50);
    const MaskedSequence m = maskSequence(ids, rule(), 42, 0, row);
    QCOMPARE(m.input_ids.size(), ids.size());
    for (size_t i = 1; i + 1 < ids.size(); ++i) {
      ++tokens;
      if (m.labels[i] == kIgnoredLabel) {
        QCOMPARE(m.input_ids[i], ids[i]);  // not chosen: untouched
        continue;
      }
      QCOMPARE(m.labels[i], ids[i]);
      ++chosen;
      if (m.input_ids[i] == kMask) ++masked;
      else if (m.input_ids[i] == ids[i]) ++kept;
      else ++replaced;
    }
  }
  // 100,000 tokens: the binomial's standard deviation is 0.11 points; allow ~4 sigma.
  const double share = static_cast<double>(chosen) / static_cast<double>(tokens);
  QVERIFY2(std::abs(share - 0.15) < 0.005, qPrintable(QString::number(share)));
  QVERIFY2(std::abs(static_cast<double>(masked) / chosen - 0.8) < 0.015, qPrintable(QString::number(masked)));
  // A random id equal to the original (1 in 1000) counts as kept: 10% +- that.
  QVERIFY2(std::abs(static_cast<double>(replaced) / chosen - 0.1) < 0.012, qPrintable(QString::number(replaced)));
  QVERIFY2(std::abs(static_cast<double>(kept) / chosen - 0.1) < 0.012, qPrintable(QString::number(kept)));
}

void TestMlmMasking::masking_neverChoosesSpecials() {
  // A sequence of specials only, and specials scattered in text, with p close to 1.
  MaskingRule r = rule();
  r.probability = 0.99;
  const std::vector<int64_t> ids = {kCls, kUnk, 9, kMask, 10, kSep, kPad, kPad};
  for (int64_t row = 0; row < 500; ++row) {
    const MaskedSequence m = maskSequence(ids, r, 7, 3, row);
    for (size_t i : {0, 1, 3, 5, 6, 7}) {
      QCOMPARE(m.labels[i], kIgnoredLabel);
      QCOMPARE(m.input_ids[i], ids[i]);
    }
  }
}

void TestMlmMasking::masking_freshEachEpochAndFixedBySeed() {
  const std::vector<int64_t> ids = sequence(3, 60);
  const MaskedSequence a = maskSequence(ids, rule(), 42, 0, 3);
  const MaskedSequence again = maskSequence(ids, rule(), 42, 0, 3);
  QCOMPARE(again.input_ids, a.input_ids);
  QCOMPARE(again.labels, a.labels);
  QVERIFY(maskSequence(ids, rule(), 42, 1, 3).labels != a.labels);   // next epoch: new masks
  QVERIFY(maskSequence(ids, rule(), 43, 0, 3).labels != a.labels);   // another seed
  QVERIFY(maskSequence(ids, rule(), 42, 0, 4).labels != a.labels);   // another row
  const std::vector<int64_t> order = epochOrder(100, 42, 0);
  QCOMPARE(epochOrder(100, 42, 0), order);
  QVERIFY(epochOrder(100, 42, 1) != order);
  std::vector<int64_t> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  for (int64_t i = 0; i < 100; ++i) QCOMPARE(sorted[static_cast<size_t>(i)], i);
}

void TestMlmMasking::corpus_readsLinesAndColumns() {
  QTemporaryDir dir;
  const std::string lines = dir.filePath("c.txt").toStdString(), tsv = dir.filePath("c.tsv").toStdString();
  std::ofstream(lines) << "the plot was great\r\n\n   \nthe film was dull\n";
  std::ofstream(tsv) << "id\tsentence\n1\tgood acting\n2\t\n3\tbad music\n";
  QCOMPARE(readTextCorpus(lines), (std::vector<std::string>{"the plot was great", "the film was dull"}));
  QCOMPARE(readTextCorpus(tsv, "sentence"), (std::vector<std::string>{"good acting", "bad music"}));
}

void TestMlmMasking::corpus_badFilesNameTheFile() {
  QTemporaryDir dir;
  const std::string missing = dir.filePath("missing.txt").toStdString();
  const std::string empty = dir.filePath("empty.txt").toStdString(), tsv = dir.filePath("c.tsv").toStdString();
  std::ofstream(empty) << "\n  \n";
  std::ofstream(tsv) << "id\tsentence\n1\tgood\n";
  auto message = [](const std::function<void()>& f) {
    try {
      f();
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string m1 = message([&] { readTextCorpus(missing); });
  QVERIFY2(m1.find(missing) == 0 && m1.find("not found") != std::string::npos, m1.c_str());
  const std::string m2 = message([&] { readTextCorpus(empty); });
  QVERIFY2(m2.find(empty) == 0 && m2.find("no text") != std::string::npos, m2.c_str());
  const std::string m3 = message([&] { readTextCorpus(tsv, "text"); });
  QVERIFY2(m3.find(tsv) != std::string::npos && m3.find("text") != std::string::npos &&
               m3.find("sentence") != std::string::npos, m3.c_str());
}

void TestMlmMasking::config_badKeysNameKeyAndFile() {
  const nlohmann::json good = {{"model", "m"}, {"corpus", "c.txt"}};
  QCOMPARE(pretrainConfigFromJson(good, "p.json").mask_probability, 0.15);
  auto message = [](const nlohmann::json& j, std::vector<std::string> overrides = {}) {
    try {
      pretrainConfigFromJson(j, "p.json", overrides);
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  nlohmann::json j = good;
  j["mask_prob"] = 0.2;
  QVERIFY(message(j).find("p.json: unknown key 'mask_prob'") == 0);
  j = good;
  j["batch_size"] = 1.5;
  QCOMPARE(message(j), std::string("p.json: batch_size must be an integer, not 1.5"));
  j = good;
  j["mask_probability"] = 1.0;
  QCOMPARE(message(j, {"mask_probability=1.0"}), std::string("--set mask_probability: mask_probability must be in (0, 1)"));
}

QTEST_APPLESS_MAIN(TestMlmMasking)
#include "test_mlm_masking.moc"
