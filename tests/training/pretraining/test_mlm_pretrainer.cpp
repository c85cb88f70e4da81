// BERT's MLM head and `sweet pretrain`'s engine: the decoder is the embedding matrix (one
// tensor, trained through both paths, never saved twice), and a tiny model pre-trained
// for 150 steps (about a second) on the demo grammar's sentences learns to fill in masks.
#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <numeric>

#include "tests/support/tiny_models.h"
#include "training/checkpoints/bert_checkpoint.h"
#include "training/checkpoints/random_checkpoint.h"
#include "training/checkpoints/safetensors.h"
#include "training/checkpoints/state_dict.h"
#include "training/models/bert_mlm_head.h"
#include "training/pretraining/mlm_pretrainer.h"
#include "training/pretraining/pretrain_run_file.h"
#include "training/text/demo_task.h"

using namespace sweet;

class TestMlmPretrainer : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void head_decoderIsTheEmbeddingMatrix();
  void head_savedWithoutDecoderWeight();
  void pretrain_tinyModelLearnsToFillMasks();
  void pretrain_refusesToReplaceAnEarlierRun();
  void pretrain_refusesDebertaSayingWhy();
};

namespace {

BertForMaskedLm tinyMlm() {
  torch::manual_seed(1);
  testing::TinyBertShape shape;
  shape.dropout = false;
  BertForMaskedLm model(testing::tinyBertConfig(shape));
  initBertWeights(*model);
  return model;
}

// One masked position (column 1 of [CLS] 5 6 [SEP]) whose target is 7.
torch::Tensor oneLoss(BertForMaskedLm& model) {
  const auto ids = torch::tensor({{2, 5, 6, 3}}, torch::kInt64);
  const torch::Tensor logits = model(ids, torch::ones_like(ids), torch::zeros_like(ids), torch::tensor({1}, torch::kInt64));
  return torch::nn::functional::cross_entropy(logits, torch::tensor({7}, torch::kInt64));
}

std::string demoCorpus(const QString& dir, int64_t texts) {
  const std::string path = (std::filesystem::path(dir.toStdString()) / "corpus.txt").string();
  std::ofstream out(path);
  for (const DemoExample& e : generateDemoExamples(texts, 5)) out << e.example.text_a << "\n";
  return path;
}

PretrainConfig tinyPretrainConfig(const QTemporaryDir& dir) {
  const std::string configFile = dir.filePath("tiny-config.json").toStdString();
  std::ofstream(configFile) << R"({"vocab_size": 256, "hidden_size": 32, "num_hidden_layers": 2,
      "num_attention_heads": 2, "intermediate_size": 64, "max_position_embeddings": 64, "type_vocab_size": 2})";
  PretrainConfig c;
  c.model = ensureDemoCheckpoint(configFile, dir.filePath("scratch").toStdString());
  c.corpus = demoCorpus(dir.path(), 600);
  c.max_length = 40;
  c.batch_size = 16;
  c.epochs = 6;
  c.max_steps = 150;
  c.learning_rate = 2e-3;
  c.eval_fraction = 0.1;
  c.threads = 2;
  c.seed = 3;
  c.output_dir = dir.filePath("out").toStdString();
  return c;
}

}  // namespace

void TestMlmPretrainer::head_decoderIsTheEmbeddingMatrix() {
  BertForMaskedLm model = tinyMlm();
  for (const auto& item : model->named_parameters())
    QVERIFY2(item.key().find("decoder") == std::string::npos, item.key().c_str());
  QCOMPARE(model->decoderWeight().data_ptr(), model->bert->embeddings->word_embeddings->weight.data_ptr());
  // Row 20 is neither an input token nor the target: only the decoder reads it, so its
  // gradient (non-zero through the softmax) proves the decoder's gradient reaches the
  // embedding matrix; an untied decoder would leave it zero.
  oneLoss(model).backward();
  const torch::Tensor grad = model->bert->embeddings->word_embeddings->weight.grad();
  QVERIFY(grad[20].abs().sum().item<double>() > 0);
  // One SGD step moves the embedding row and the decoder row alike, as they are one.
  const torch::Tensor before = model->decoderWeight()[20].clone();
  {
    torch::NoGradGuard noGrad;
    for (auto& p : model->parameters())
      if (p.grad().defined()) p.sub_(p.grad() * 0.5);
  }
  QVERIFY(!torch::equal(before, model->decoderWeight()[20]));
  QVERIFY(torch::equal(model->decoderWeight(), model->bert->embeddings->word_embeddings->weight));
}

void TestMlmPretrainer::head_savedWithoutDecoderWeight() {
  QTemporaryDir dir;
  BertForMaskedLm model = tinyMlm();
  saveCheckpointFolder(dir.filePath("mlm").toStdString(), model->bert->config, namedState(*model));
  const auto keys = loadSafetensors(dir.filePath("mlm/model.safetensors").toStdString()).tensors;
  for (const char* key : {"bert.embeddings.word_embeddings.weight", "cls.predictions.bias",
                          "cls.predictions.transform.dense.weight", "cls.predictions.transform.dense.bias",
                          "cls.predictions.transform.LayerNorm.weight", "cls.predictions.transform.LayerNorm.bias"})
    QVERIFY2(keys.count(key) == 1, key);
  QVERIFY(keys.count("cls.predictions.decoder.weight") == 0);
  QVERIFY(keys.count("cls.predictions.decoder.bias") == 0);
}

void TestMlmPretrainer::pretrain_tinyModelLearnsToFillMasks() {
  QTemporaryDir dir;
  const PretrainConfig c = tinyPretrainConfig(dir);
  const PretrainResult r = runPretraining(c);
  QCOMPARE(static_cast<int>(r.outcome), static_cast<int>(RunState::Finished));
  QCOMPARE(r.steps, int64_t{150});
  qInfo("held-out MLM loss %.3f -> %.3f, accuracy %.3f -> %.3f", r.eval_loss_before, r.eval_loss,
        r.eval_accuracy_before, r.eval_accuracy);
  QVERIFY2(r.eval_loss < r.eval_loss_before - 1.5, "held-out MLM loss did not drop clearly");
  QVERIFY2(r.eval_accuracy > r.eval_accuracy_before + 0.2, "held-out MLM accuracy did not rise clearly");

  const PretrainRunFile file = readPretrainRunFile(r.run_file);
  QCOMPARE(static_cast<int>(file.state), static_cast<int>(RunState::Finished));
  QCOMPARE(file.record.mlm_loss.size(), size_t{150});
  QCOMPARE(file.record.mlm_accuracy.size(), size_t{150});
  QCOMPARE(file.record.eval_loss_after, r.eval_loss);
  QVERIFY(nlohmann::json::parse(file.config_json)["corpus"] == c.corpus);
  const auto mean = [](const std::vector<float>& v, size_t from, size_t to) {
    return std::accumulate(v.begin() + static_cast<long>(from), v.begin() + static_cast<long>(to), 0.0) / (to - from);
  };
  // Per step on ~25 masked tokens: noisier than the held-out numbers, hence the margins.
  qInfo("training steps 1-10 / 141-150: loss %.3f / %.3f, accuracy %.3f / %.3f", mean(file.record.mlm_loss, 0, 10),
        mean(file.record.mlm_loss, 140, 150), mean(file.record.mlm_accuracy, 0, 10),
        mean(file.record.mlm_accuracy, 140, 150));
  QVERIFY(mean(file.record.mlm_loss, 140, 150) < mean(file.record.mlm_loss, 0, 10) - 1.0);
  QVERIFY(mean(file.record.mlm_accuracy, 140, 150) > mean(file.record.mlm_accuracy, 0, 10) + 0.1);

  // The saved folder opens as a checkpoint: encoder keys under bert., the head beside them.
  const BertCheckpoint saved = openBertCheckpoint(r.model_dir);
  QVERIFY(saved.tensors.count("cls.predictions.bias") == 1);
  QVERIFY(saved.tokenizer.has_value());
}

void TestMlmPretrainer::pretrain_refusesToReplaceAnEarlierRun() {
  QTemporaryDir dir;
  PretrainConfig c = tinyPretrainConfig(dir);
  c.max_steps = 2;
  runPretraining(c);
  try {
    runPretraining(c);
    QFAIL("a second run of the same name replaced the first");
  } catch (const std::runtime_error& e) {
    QVERIFY2(std::string(e.what()).find(c.runFilePath()) == 0, e.what());
  }
  c.overwrite = true;
  QCOMPARE(runPretraining(c).steps, int64_t{2});
}

void TestMlmPretrainer::pretrain_refusesDebertaSayingWhy() {
  QTemporaryDir dir;
  PretrainConfig c = tinyPretrainConfig(dir);
  RandomCheckpointOptions o;
  o.config_file = dir.filePath("deberta.json").toStdString();
  std::ofstream(o.config_file) << R"({"model_type": "deberta", "vocab_size": 150, "hidden_size": 16,
      "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 32, "max_position_embeddings": 64,
      "relative_attention": true, "pos_att_type": "c2p|p2c", "position_biased_input": false,
      "max_relative_positions": 24, "type_vocab_size": 0})";
  o.out_dir = dir.filePath("deberta").toStdString();
  o.make_vocab = true;
  writeRandomCheckpoint(o);
  c.model = o.out_dir;
  try {
    runPretraining(c);
    QFAIL("a DeBERTa checkpoint was pre-trained with BERT's head");
  } catch (const std::runtime_error& e) {
    const std::string m = e.what();
    QVERIFY2(m.find(o.out_dir + ": DeBERTa pre-training is not supported yet") == 0, m.c_str());
  }
  QVERIFY(!std::filesystem::exists(c.runFilePath()));
}

QTEST_GUILESS_MAIN(TestMlmPretrainer)
#include "test_mlm_pretrainer.moc"
