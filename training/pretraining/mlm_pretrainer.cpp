// MLM pre-training: see mlm_pretrainer.h. The run reads top to bottom in runPretraining:
// open, corpus, model, optimiser, evaluate, train, evaluate, save.
#include "training/pretraining/mlm_pretrainer.h"

#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <memory>
#include <optional>

#include "training/checkpoints/bert_checkpoint.h"
#include "training/checkpoints/state_dict.h"
#include "training/models/bert_mlm_head.h"
#include "training/pretraining/mlm_batch.h"
#include "training/pretraining/pretrain_run_file.h"
#include "training/pretraining/text_corpus.h"
#include "training/runs/device.h"
#include "training/runs/fused_adamw.h"
#include "training/runs/run_file_layout.h"
#include "training/runs/run_lock.h"
#include "training/runs/step_schedule.h"
#include "training/tokenizers/wordpiece_tokenizer.h"

namespace sweet {
namespace {

namespace fs = std::filesystem;

// The epoch whose masks the held-out slice always gets: evaluations before and after
// training score the same corrupted texts.
constexpr int64_t kEvalEpoch = -1;

struct Corpus {
  std::vector<std::vector<int64_t>> train, eval;  // token ids with [CLS] ... [SEP]
};

// Tokenized with the checkpoint's tokenizer, shuffled with the seed, the first
// eval_fraction (at least one text) held out.
Corpus tokenizeCorpus(const PretrainConfig& c, const Tokenizer& tokenizer) {
  const std::vector<std::string> texts = readTextCorpus(c.corpus, c.column);
  if (texts.size() < 2) throw std::runtime_error(c.corpus + ": the corpus needs at least two texts (one is held out)");
  const std::vector<int64_t> order = epochOrder(static_cast<int64_t>(texts.size()), static_cast<uint64_t>(c.seed), -2);
  const auto held = std::max<size_t>(1, static_cast<size_t>(c.eval_fraction * static_cast<double>(texts.size())));
  Corpus corpus;
  for (size_t i = 0; i < order.size(); ++i) {
    std::vector<int64_t> ids = tokenizer.encode(texts[static_cast<size_t>(order[i])], std::nullopt, c.max_length).input_ids;
    (i < held ? corpus.eval : corpus.train).push_back(std::move(ids));
  }
  return corpus;
}

MaskingRule maskingRuleFor(const PretrainConfig& c, const Tokenizer& tokenizer) {
  const auto* wordPiece = dynamic_cast<const WordPieceTokenizer*>(&tokenizer);
  const int64_t maskId = wordPiece ? wordPiece->idOf("[MASK]") : -1;
  if (!wordPiece || wordPiece->tokenOf(maskId) != "[MASK]")
    throw std::runtime_error(tokenizer.source() + ": the vocabulary has no [MASK] token to pre-train with");
  MaskingRule rule;
  rule.probability = c.mask_probability;
  rule.mask_id = maskId;
  rule.vocab_size = tokenizer.vocabSize();
  rule.special_ids = {tokenizer.clsId(), tokenizer.sepId(), tokenizer.padId(), tokenizer.unkId(), maskId};
  return rule;
}

// The encoder from the checkpoint; the head too when the checkpoint has one (continued
// pre-training of a BertForMaskedLM folder), else Hugging Face's initialisation.
BertForMaskedLm makeModel(const BertCheckpoint& ck, const PretrainCallbacks& cb) {
  BertForMaskedLm model(ck.config);
  loadEncoderWeights(*model->bert, ck);
  initBertWeights(*model->cls);
  bool complete = true;
  for (const auto& item : model->cls->named_parameters()) complete = complete && ck.tensors.count("cls." + item.key()) > 0;
  if (complete) {
    torch::NoGradGuard noGrad;
    for (auto& item : model->cls->named_parameters()) {
      const at::Tensor& stored = ck.tensors.at("cls." + item.key());
      if (stored.sizes() != item.value().sizes())
        throw std::runtime_error(ck.weights_file + ": cls." + item.key() + " has the wrong shape for this model");
      item.value().copy_(stored);
    }
  }
  if (cb.on_message)
    cb.on_message(complete ? "MLM head loaded from " + ck.weights_file : "MLM head initialised N(0, 0.02) (none in the checkpoint)");
  return model;
}

// Decoupled weight decay, not on biases and LayerNorm weights (as sweet train and HF do).
// The pooler is left out: MLM does not read it, so it keeps the checkpoint's values.
std::unique_ptr<FusedAdamW> makeOptimizer(BertForMaskedLm& model, const PretrainConfig& c) {
  FusedAdamW::Group decay{{}, c.weight_decay}, noDecay{{}, 0.0};
  for (auto& item : model->named_parameters()) {
    const std::string& name = item.key();
    if (name.rfind("bert.pooler.", 0) == 0) continue;
    const bool exempt = name.find("bias") != std::string::npos || name.find("LayerNorm") != std::string::npos;
    (exempt ? noDecay : decay).params.push_back(item.value());
  }
  return std::make_unique<FusedAdamW>(std::vector<FusedAdamW::Group>{decay, noDecay},
                                      AdamWHyper{c.learning_rate, 0.9, 0.999, 1e-8, c.weight_decay});
}

struct MlmLoss {
  torch::Tensor loss;      // mean cross-entropy over the M masked positions
  int64_t correct = 0, predicted = 0;
};

MlmLoss mlmLoss(BertForMaskedLm& model, const MlmBatch& b) {
  const torch::Tensor logits = model(b.input_ids, b.attention_mask, b.token_type_ids, b.positions);  // [M, V]
  MlmLoss out;
  out.loss = torch::nn::functional::cross_entropy(logits, b.targets);
  out.predicted = b.targets.size(0);
  out.correct = logits.argmax(1).eq(b.targets).sum().item<int64_t>();  // sync point
  return out;
}

// Mean loss and accuracy over every masked token of the held-out texts, dropout off.
std::pair<double, double> evaluate(BertForMaskedLm& model, const Corpus& corpus, const MaskingRule& rule,
                                   const PretrainConfig& c, const torch::Device& device, int64_t padId) {
  torch::NoGradGuard noGrad;
  model->eval();
  std::vector<int64_t> order(corpus.eval.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int64_t>(i);
  double lossSum = 0;
  int64_t correct = 0, predicted = 0;
  for (size_t begin = 0; begin < order.size(); begin += static_cast<size_t>(c.batch_size)) {
    const size_t end = std::min(order.size(), begin + static_cast<size_t>(c.batch_size));
    const MlmBatch batch = makeMlmBatch(corpus.eval, order, begin, end, rule, static_cast<uint64_t>(c.seed), kEvalEpoch, padId, device);
    if (batch.targets.size(0) == 0) continue;
    const MlmLoss l = mlmLoss(model, batch);
    lossSum += l.loss.item<double>() * static_cast<double>(l.predicted);
    correct += l.correct;
    predicted += l.predicted;
  }
  model->train();
  if (predicted == 0) return {std::nan(""), std::nan("")};
  return {lossSum / static_cast<double>(predicted), static_cast<double>(correct) / static_cast<double>(predicted)};
}

struct Schedule {
  int64_t total = 0, warmup = 0;
};

Schedule makeSchedule(const PretrainConfig& c, size_t trainTexts) {
  const int64_t perEpoch = (static_cast<int64_t>(trainTexts) + c.batch_size - 1) / c.batch_size;
  Schedule s;
  s.total = c.max_steps > 0 ? std::min(perEpoch * c.epochs, c.max_steps) : perEpoch * c.epochs;
  s.warmup = static_cast<int64_t>(std::llround(c.warmup_ratio * static_cast<double>(s.total)));
  return s;
}

// The training loop: per epoch a fresh order and fresh masks; per step forward on the
// masked positions, backward through the tied embeddings, clip, AdamW. Returns the state
// it ended in (Finished, or Stopped when a callback or signal asked).
RunState train(BertForMaskedLm& model, FusedAdamW& optimizer, const Corpus& corpus, const MaskingRule& rule,
               const PretrainConfig& c, const torch::Device& device, int64_t padId, PretrainRecord& record,
               const PretrainCallbacks& cb) {
  const Schedule schedule = makeSchedule(c, corpus.train.size());
  record.total_steps = schedule.total;
  const auto seed = static_cast<uint64_t>(c.seed);
  const size_t rows = corpus.train.size(), batchSize = static_cast<size_t>(c.batch_size);
  int64_t step = 0;
  model->train();
  for (int64_t epoch = 0; step < schedule.total; ++epoch) {
    const std::vector<int64_t> order = epochOrder(static_cast<int64_t>(rows), seed, epoch);
    for (size_t begin = 0; begin < rows && step < schedule.total; begin += batchSize) {
      const MlmBatch batch = makeMlmBatch(corpus.train, order, begin, std::min(rows, begin + batchSize), rule, seed,
                                          epoch, padId, device);
      if (batch.targets.size(0) == 0) continue;  // nothing chosen in these texts: no loss to take
      const double lr = learningRateAt(step, schedule.total, schedule.warmup, c.learning_rate);
      optimizer.zeroGrad();
      const MlmLoss l = mlmLoss(model, batch);
      l.loss.backward();
      if (c.max_grad_norm > 0) torch::nn::utils::clip_grad_norm_(model->parameters(), c.max_grad_norm);
      optimizer.setLearningRate(lr);
      optimizer.step();
      ++step;
      PretrainStep s{step, schedule.total, l.loss.item<double>(),
                     static_cast<double>(l.correct) / static_cast<double>(l.predicted), lr};
      record.mlm_loss.push_back(static_cast<float>(s.mlm_loss));
      record.mlm_accuracy.push_back(static_cast<float>(s.mlm_accuracy));
      record.learning_rate.push_back(static_cast<float>(lr));
      const bool goOn = cb.on_step ? cb.on_step(s) : true;
      if (!goOn || (cb.stop_requested && cb.stop_requested->load())) return RunState::Stopped;
    }
  }
  return RunState::Finished;
}

// The opened checkpoint, refused unless it is a BERT with a WordPiece vocabulary.
CheckpointWithTokenizer openBert(const PretrainConfig& c) {
  CheckpointWithTokenizer opened = openCheckpointWithTokenizer(c.model);
  if (opened.checkpoint.config.isDeberta())
    throw std::runtime_error(c.model + ": DeBERTa pre-training is not supported yet (its MLM head, the enhanced mask "
                                       "decoder, is not built); sweet pretrain takes BERT checkpoints");
  if (c.max_length > opened.checkpoint.config.max_position_embeddings)
    throw std::runtime_error(c.model + "/config.json: max_position_embeddings " +
                             std::to_string(opened.checkpoint.config.max_position_embeddings) +
                             " is shorter than max_length " + std::to_string(c.max_length));
  if (opened.tokenizer->vocabSize() > opened.checkpoint.config.vocab_size)
    throw std::runtime_error(c.model + ": the vocabulary has more tokens than the model's vocab_size");
  return opened;
}

void refuseToReplace(const PretrainConfig& c) {
  if (c.overwrite) return;
  for (const std::string& path : {c.runFilePath(), c.modelDir()})
    if (fs::exists(path))
      throw std::runtime_error(path + ": exists from an earlier run named '" + c.resolvedRunName() +
                               "' (set overwrite, or --overwrite, to replace it; or choose another run_name)");
}

}  // namespace

PretrainResult runPretraining(const PretrainConfig& c, const PretrainCallbacks& cb) {
  const torch::Device device = parseDevice(c.device);
  const int threads = configureThreads(c.threads);
  std::error_code ec;
  fs::create_directories(c.output_dir, ec);
  if (ec) throw std::runtime_error(c.output_dir + ": cannot create folder: " + ec.message());
  RunLock lock(c.lockPath(), "pre-training run " + c.resolvedRunName(), cb.on_message ? cb.on_message : [](const std::string&) {});
  refuseToReplace(c);
  CheckpointWithTokenizer opened = openBert(c);
  const Corpus corpus = tokenizeCorpus(c, *opened.tokenizer);
  const MaskingRule rule = maskingRuleFor(c, *opened.tokenizer);
  const int64_t padId = opened.tokenizer->padId();

  torch::manual_seed(static_cast<uint64_t>(c.seed));  // the head's initialisation and dropout
  BertForMaskedLm model = makeModel(opened.checkpoint, cb);
  model->to(device);
  std::unique_ptr<FusedAdamW> optimizer = makeOptimizer(model, c);

  PretrainResult result;
  result.run_file = c.runFilePath();
  // Pre-training runs in fp32: it has no precision key (yet).
  createPretrainRunFile(result.run_file, pretrainConfigToJson(c).dump(),
                        environmentJson(device, Precision::Fp32, threads, std::nullopt));
  PretrainRecord record;
  record.train_texts = static_cast<int64_t>(corpus.train.size());
  record.eval_texts = static_cast<int64_t>(corpus.eval.size());
  std::tie(record.eval_loss_before, record.eval_accuracy_before) = evaluate(model, corpus, rule, c, device, padId);
  try {
    result.outcome = train(model, *optimizer, corpus, rule, c, device, padId, record, cb);
  } catch (const std::exception& e) {
    finishPretrainRunFile(result.run_file, record, RunState::Failed, e.what());
    throw;
  }
  std::tie(record.eval_loss_after, record.eval_accuracy_after) = evaluate(model, corpus, rule, c, device, padId);
  result.model_dir = c.modelDir();
  saveCheckpointFolder(result.model_dir, opened.checkpoint.config, namedState(*model), "F32", opened.checkpoint.tokenizer);
  result.message = result.outcome == RunState::Stopped ? "stopped after step " + std::to_string(record.mlm_loss.size()) : "";
  finishPretrainRunFile(result.run_file, record, result.outcome, result.message);
  result.steps = static_cast<int64_t>(record.mlm_loss.size());
  result.eval_loss_before = record.eval_loss_before;
  result.eval_accuracy_before = record.eval_accuracy_before;
  result.eval_loss = record.eval_loss_after;
  result.eval_accuracy = record.eval_accuracy_after;
  return result;
}

}  // namespace sweet
