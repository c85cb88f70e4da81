// BERT's and DeBERTa's MLM heads and `sweet pretrain`'s engine: the decoder is the embedding
// matrix (one tensor, trained through both paths, never saved twice); a tiny model
// pre-trained for 150 steps (about a second) on the demo grammar's sentences learns to fill
// in masks; the run file grows a row a step; a stopped pre-training continues bit for bit;
// a write that fails ends the run "failed" naming the file; tiny DeBERTa v1 and v2 models
// pre-train, save Hugging Face's DebertaForMaskedLM names and fine-tune with sweet train.
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
#include "training/runs/trainer.h"
#include "training/text/demo_task.h"
#include "tests/support/test_paths.h"
#include "tests/support/tiny_trainer_config.h"

using namespace sweet;

class TestMlmPretrainer : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void head_decoderIsTheEmbeddingMatrix();
  void head_savedWithoutDecoderWeight();
  void pretrain_tinyModelLearnsToFillMasks();
  void pretrain_refusesToReplaceAnEarlierRun();
  void runFile_growsARowAStep();
  void resume_stoppedRunContinuesBitForBit();
  void resume_refusesAnotherConfiguration();
  void writeFailure_endsFailedNamingTheFile();
  void deberta_pretrainsAndFineTunes_data();
  void deberta_pretrainsAndFineTunes();
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

namespace {

// A tiny DeBERTa folder: v1 with a byte-level BPE vocabulary over single characters (a
// handful of merges; [PAD] [CLS] [SEP] [UNK] [MASK] as DeBERTa v1's vocab.json has them),
// v2 with DeBERTa-v3's real spm.model ([MASK] after its 128,000 pieces, as HF adds it).
std::string tinyDeberta(const QTemporaryDir& dir, const QString& version) {
  RandomCheckpointOptions o;
  o.config_file = dir.filePath(version + "-config.json").toStdString();
  o.out_dir = dir.filePath(version).toStdString();
  o.seed = 5;
  if (version == "v1") {
    const std::string tokenizer = dir.filePath("bpe").toStdString();
    std::filesystem::create_directories(tokenizer);
    nlohmann::json vocab = {{"[PAD]", 0}, {"[CLS]", 1}, {"[SEP]", 2}, {"[UNK]", 3}, {"[MASK]", 4}};
    for (char ch = '!'; ch <= '~'; ++ch) vocab[std::string(1, ch)] = vocab.size();
    for (const char* piece : {"\u0120", "he", "\u0120t", "\u0120the", "as", "\u0120w", "\u0120was"}) vocab[piece] = vocab.size();
    std::ofstream(tokenizer + "/vocab.json") << vocab.dump();
    std::ofstream(tokenizer + "/merges.txt") << "#version: 0.2\nh e\n\u0120 t\n\u0120t he\na s\n\u0120 w\n\u0120w as\n";
    std::ofstream(tokenizer + "/tokenizer_config.json") << R"({"do_lower_case": false})";
    o.tokenizer_dir = tokenizer;
    std::ofstream(o.config_file) << R"({"model_type": "deberta", "vocab_size": 110, "hidden_size": 32,
        "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 64, "max_position_embeddings": 64,
        "relative_attention": true, "pos_att_type": "c2p|p2c", "position_biased_input": false,
        "max_relative_positions": -1, "type_vocab_size": 0})";
  } else {
    o.tokenizer_dir = test::sharedData("vocab/deberta-v3-base").toStdString();
    std::ofstream(o.config_file) << R"({"model_type": "deberta-v2", "vocab_size": 128100, "hidden_size": 32,
        "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 64, "max_position_embeddings": 64,
        "relative_attention": true, "pos_att_type": ["p2c", "c2p"], "position_buckets": 16,
        "max_relative_positions": -1, "norm_rel_ebd": "layer_norm", "share_att_key": true,
        "position_biased_input": false, "type_vocab_size": 0})";
  }
  writeRandomCheckpoint(o);
  return o.out_dir;
}

std::map<std::string, at::Tensor> savedTensors(const std::string& modelDir) {
  return loadSafetensors(modelDir + "/model.safetensors").tensors;
}

}  // namespace

void TestMlmPretrainer::runFile_growsARowAStep() {
  QTemporaryDir dir;
  PretrainConfig c = tinyPretrainConfig(dir);
  c.max_steps = 12;
  c.eval_every = 5;
  int checked = 0;
  PretrainCallbacks cb;
  cb.on_step = [&](const PretrainStep& s) {
    if (s.step == 7) {
      // Read while the run writes: the steps so far, the evaluations so far, "running".
      const PretrainRunFile file = readPretrainRunFile(c.runFilePath());
      checked = file.record.mlm_loss.size() == 7 && file.record.learning_rate.size() == 7 &&
                        file.record.eval_steps == std::vector<int64_t>{0, 5} && file.stateName() == "running" &&
                        file.steps_done == 7 && file.record.total_steps == 12
                    ? 1
                    : -1;
    }
    return true;
  };
  const PretrainResult r = runPretraining(c, cb);
  QCOMPARE(checked, 1);
  const PretrainRunFile file = readPretrainRunFile(r.run_file);
  QCOMPARE(file.stateName(), std::string("finished"));
  QCOMPARE(file.record.eval_steps, (std::vector<int64_t>{0, 5, 10, 12}));
  QCOMPARE(file.record.eval_loss_after, r.eval_loss);
  QCOMPARE(file.record.eval_loss_before, r.eval_loss_before);
  QVERIFY(!std::filesystem::exists(c.checkpointPath()));  // finished: nothing to resume
}

void TestMlmPretrainer::resume_stoppedRunContinuesBitForBit() {
  QTemporaryDir whole, parts;
  PretrainConfig c = tinyPretrainConfig(whole);
  c.max_steps = 30;
  c.checkpoint_every = 4;
  const PretrainResult straight = runPretraining(c);

  PretrainConfig p = tinyPretrainConfig(parts);
  p.max_steps = 30;
  p.checkpoint_every = 4;
  PretrainCallbacks stopAt11;
  stopAt11.on_step = [](const PretrainStep& s) { return s.step < 11; };
  const PretrainResult stopped = runPretraining(p, stopAt11);
  QCOMPARE(static_cast<int>(stopped.outcome), static_cast<int>(RunState::Stopped));
  QCOMPARE(readPretrainRunFile(p.runFilePath()).stateName(), std::string("stopped"));
  QVERIFY(std::filesystem::exists(p.checkpointPath()) && std::filesystem::exists(p.checkpointPath() + ".sha256"));
  // Without resuming, the earlier run is not replaced.
  QVERIFY_THROWS_EXCEPTION(std::runtime_error, runPretraining(p));
  std::string said;
  PretrainCallbacks listen;
  listen.on_message = [&](const std::string& m) { said += m + "\n"; };
  const PretrainResult resumed = runPretraining(p, listen, ResumePolicy::Required);
  QVERIFY2(said.find("resuming from " + p.checkpointPath() + " at step 11") != std::string::npos, said.c_str());
  QCOMPARE(static_cast<int>(resumed.outcome), static_cast<int>(RunState::Finished));
  QCOMPARE(resumed.steps, int64_t{30});

  const PretrainRunFile a = readPretrainRunFile(straight.run_file), b = readPretrainRunFile(resumed.run_file);
  QCOMPARE(b.record.mlm_loss.size(), size_t{30});
  QVERIFY(a.record.mlm_loss == b.record.mlm_loss);  // float for float, steps 12-30 included
  QVERIFY(a.record.mlm_accuracy == b.record.mlm_accuracy);
  QVERIFY(a.record.learning_rate == b.record.learning_rate);
  QCOMPARE(resumed.eval_loss, straight.eval_loss);
  QCOMPARE(resumed.eval_loss_before, straight.eval_loss_before);
  const auto wa = savedTensors(straight.model_dir), wb = savedTensors(resumed.model_dir);
  QCOMPARE(wa.size(), wb.size());
  for (const auto& [name, tensor] : wa) QVERIFY2(wb.count(name) && torch::equal(tensor, wb.at(name)), name.c_str());
  QVERIFY(!std::filesystem::exists(p.checkpointPath()));
}

void TestMlmPretrainer::resume_refusesAnotherConfiguration() {
  QTemporaryDir dir;
  PretrainConfig c = tinyPretrainConfig(dir);
  PretrainCallbacks stopAt3;
  stopAt3.on_step = [](const PretrainStep& s) { return s.step < 3; };
  runPretraining(c, stopAt3);
  c.learning_rate = 1e-3;
  try {
    runPretraining(c, {}, ResumePolicy::Required);
    QFAIL("a checkpoint was resumed into another configuration");
  } catch (const std::runtime_error& e) {
    const std::string m = e.what();
    QVERIFY2(m.find(c.checkpointPath() + ": this checkpoint belongs to a pre-training with a different configuration: "
                                         "learning_rate") == 0,
             m.c_str());
  }
}

void TestMlmPretrainer::writeFailure_endsFailedNamingTheFile() {
  QTemporaryDir dir;
  PretrainConfig c = tinyPretrainConfig(dir);
  c.checkpoint_every = 3;
  // Once the run has started, a folder where the checkpoint's temporary file goes: its
  // creation fails (as root, too).
  PretrainCallbacks cb;
  cb.on_step = [&c](const PretrainStep&) {
    std::filesystem::create_directories(c.checkpointPath() + ".partial");
    return true;
  };
  try {
    runPretraining(c, cb);
    QFAIL("a checkpoint that could not be written went unnoticed");
  } catch (const std::runtime_error& e) {
    const std::string m = e.what();
    QVERIFY2(m.find(c.checkpointPath() + ": cannot write the resume checkpoint") == 0 &&
                 m.find("Is a directory") != std::string::npos && m.find('\n') == std::string::npos,
             m.c_str());
    const PretrainRunFile file = readPretrainRunFile(c.runFilePath());
    QCOMPARE(file.stateName(), std::string("failed"));
    QCOMPARE(file.status_message, m);
    QCOMPARE(file.record.mlm_loss.size(), size_t{3});
  }
}

void TestMlmPretrainer::deberta_pretrainsAndFineTunes_data() {
  QTest::addColumn<QString>("version");
  QTest::newRow("v1 byte-level BPE") << "v1";
  QTest::newRow("v2 SentencePiece") << "v2";
}

void TestMlmPretrainer::deberta_pretrainsAndFineTunes() {
  QFETCH(QString, version);
  if (version == "v2" && !QFileInfo::exists(test::sharedData("vocab/deberta-v3-base/spm.model")))
    QSKIP("needs ../shared/data/vocab/deberta-v3-base/spm.model");
  QTemporaryDir dir;
  PretrainConfig c = tinyPretrainConfig(dir);
  c.model = tinyDeberta(dir, version);
  c.max_steps = 60;
  c.run_name = "mlm";
  const PretrainResult r = runPretraining(c);
  QCOMPARE(static_cast<int>(r.outcome), static_cast<int>(RunState::Finished));
  const PretrainRunFile file = readPretrainRunFile(r.run_file);
  const auto mean = [&](size_t from, size_t to) {
    return std::accumulate(file.record.mlm_loss.begin() + static_cast<long>(from),
                           file.record.mlm_loss.begin() + static_cast<long>(to), 0.0) / static_cast<double>(to - from);
  };
  qInfo("DeBERTa %s: training loss %.3f -> %.3f, held-out %.3f -> %.3f", qPrintable(version), mean(0, 10), mean(50, 60),
        r.eval_loss_before, r.eval_loss);
  QVERIFY(mean(50, 60) < mean(0, 10) - 0.5);
  QVERIFY(r.eval_loss < r.eval_loss_before - 0.5);

  // Hugging Face's DebertaForMaskedLM names; the tied decoder and the pooler not saved.
  const auto saved = savedTensors(r.model_dir);
  for (const char* key : {"deberta.embeddings.word_embeddings.weight", "deberta.encoder.rel_embeddings.weight",
                          "cls.predictions.bias", "cls.predictions.transform.dense.weight",
                          "cls.predictions.transform.dense.bias", "cls.predictions.transform.LayerNorm.weight",
                          "cls.predictions.transform.LayerNorm.bias"})
    QVERIFY2(saved.count(key) == 1, key);
  for (const auto& [name, tensor] : saved)
    QVERIFY2(name.rfind("deberta.", 0) == 0 || name.rfind("cls.predictions.", 0) == 0, name.c_str());
  QVERIFY(saved.count("cls.predictions.decoder.weight") == 0);

  // The head round-trips by name: continuing from the saved folder loads it, and the
  // held-out loss before its first step is the first run's after its last.
  PretrainConfig again = c;
  again.model = r.model_dir;
  again.run_name = "mlm-again";
  again.max_steps = 1;
  std::string said;
  PretrainCallbacks listen;
  listen.on_message = [&](const std::string& m) { said += m + "\n"; };
  const PretrainResult r2 = runPretraining(again, listen);
  QVERIFY2(said.find("MLM head loaded from") != std::string::npos, said.c_str());
  QCOMPARE(r2.eval_loss_before, r.eval_loss);

  // sweet train fine-tunes the saved folder (model: field).
  TrainConfig t = testing::tinyTrainerConfig(r.model_dir, dir.filePath("finetune").toStdString());
  t.exit_layers = {1, 2};
  const TrainResult trained = runTraining(t);
  QCOMPARE(static_cast<int>(trained.outcome), static_cast<int>(RunState::Finished));
  QCOMPARE(trained.exit_scores.size(), size_t{2});
}

QTEST_GUILESS_MAIN(TestMlmPretrainer)
#include "test_mlm_pretrainer.moc"
