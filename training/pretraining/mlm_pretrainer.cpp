// MLM pre-training: see mlm_pretrainer.h. The run reads top to bottom in pretrain():
// lock, checkpoint to continue, corpus, model, optimiser, run file, train, evaluate, save.
#include "training/pretraining/mlm_pretrainer.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <optional>

#include "training/checkpoints/bert_checkpoint.h"
#include "training/checkpoints/state_dict.h"
#include "training/models/bert_mlm_head.h"
#include "training/models/deberta_mlm_head.h"
#include "training/pretraining/mlm_batch.h"
#include "training/pretraining/pretrain_run_file.h"
#include "training/pretraining/text_corpus.h"
#include "training/runs/device.h"
#include "training/runs/fused_adamw.h"
#include "training/runs/resume_state.h"
#include "training/runs/run_file_layout.h"
#include "training/runs/run_lock.h"
#include "training/runs/step_schedule.h"
#include "training/runs/training_checkpoint.h"
#include "training/tokenizers/byte_level_bpe_tokenizer.h"
#include "training/tokenizers/sentencepiece_tokenizer.h"
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

// The [MASK] id of the checkpoint's tokenizer: the vocabulary's own [MASK] token; for a
// SentencePiece model without one (DeBERTa v2/v3's spm.model), the id after its pieces, where
// Hugging Face's DebertaV2Tokenizer adds it (128000 for deberta-v3). -1 when there is none.
int64_t maskIdOf(const Tokenizer& tokenizer) {
  if (const auto* w = dynamic_cast<const WordPieceTokenizer*>(&tokenizer)) {
    const int64_t id = w->idOf("[MASK]");
    return w->tokenOf(id) == "[MASK]" ? id : -1;
  }
  if (const auto* b = dynamic_cast<const ByteLevelBpeTokenizer*>(&tokenizer)) {
    const int64_t id = b->idOf("[MASK]");
    return id >= 0 && id != b->unkId() ? id : -1;
  }
  if (const auto* p = dynamic_cast<const SentencePieceTokenizer*>(&tokenizer)) {
    const int64_t id = p->idOf("[MASK]");
    return id != p->unkId() && p->pieceOf(id) == "[MASK]" ? id : p->vocabSize();
  }
  return -1;
}

MaskingRule maskingRuleFor(const PretrainConfig& c, const Tokenizer& tokenizer, const BertConfig& model) {
  const int64_t maskId = maskIdOf(tokenizer);
  if (maskId < 0) throw std::runtime_error(tokenizer.source() + ": the vocabulary has no [MASK] token to pre-train with");
  if (maskId >= model.vocab_size)
    throw std::runtime_error(c.model + "/config.json: vocab_size " + std::to_string(model.vocab_size) +
                             " leaves no room for the [MASK] id " + std::to_string(maskId));
  MaskingRule rule;
  rule.probability = c.mask_probability;
  rule.mask_id = maskId;
  rule.vocab_size = tokenizer.vocabSize();
  rule.special_ids = {tokenizer.clsId(), tokenizer.sepId(), tokenizer.padId(), tokenizer.unkId(), maskId};
  return rule;
}

std::shared_ptr<MaskedLmModel> constructModel(const BertCheckpoint& ck) {
  if (!ck.config.isDeberta()) return std::make_shared<BertForMaskedLmImpl>(ck.config);
  try {
    return std::make_shared<DebertaForMaskedLmImpl>(ck.config);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(ck.dir + "/config.json: " + e.what());
  }
}

// The encoder from the checkpoint; the head too when the checkpoint has one (continued
// pre-training of a *ForMaskedLM folder), else Hugging Face's initialisation.
std::shared_ptr<MaskedLmModel> makeModel(const BertCheckpoint& ck, const PretrainCallbacks& cb) {
  std::shared_ptr<MaskedLmModel> model = constructModel(ck);
  loadEncoderWeights(model->encoderBackbone(), ck);
  BertOnlyMlmHeadImpl& head = model->mlmHead();
  initBertWeights(head);
  bool complete = true;
  for (const auto& item : head.named_parameters()) complete = complete && ck.tensors.count("cls." + item.key()) > 0;
  if (complete) {
    torch::NoGradGuard noGrad;
    for (auto& item : head.named_parameters()) {
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
std::unique_ptr<FusedAdamW> makeOptimizer(MaskedLmModel& model, const PretrainConfig& c) {
  FusedAdamW::Group decay{{}, c.weight_decay}, noDecay{{}, 0.0};
  const std::string pooler = model.encoderPrefix() + "pooler.";
  for (auto& item : model.named_parameters()) {
    const std::string& name = item.key();
    if (name.rfind(pooler, 0) == 0) continue;
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

MlmLoss mlmLoss(MaskedLmModel& model, const MlmBatch& b) {
  const torch::Tensor logits = model.forward(b.input_ids, b.attention_mask, b.token_type_ids, b.positions);  // [M, V]
  MlmLoss out;
  out.loss = torch::nn::functional::cross_entropy(logits, b.targets);
  out.predicted = b.targets.size(0);
  out.correct = logits.argmax(1).eq(b.targets).sum().item<int64_t>();  // sync point
  return out;
}

// Mean loss and accuracy over every masked token of the held-out texts, dropout off.
std::pair<double, double> evaluate(MaskedLmModel& model, const Corpus& corpus, const MaskingRule& rule,
                                   const PretrainConfig& c, const torch::Device& device, int64_t padId) {
  torch::NoGradGuard noGrad;
  model.eval();
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
  model.train();
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

// The opened checkpoint, checked against the run's settings.
CheckpointWithTokenizer openModel(const PretrainConfig& c) {
  CheckpointWithTokenizer opened = openCheckpointWithTokenizer(c.model);
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
                               "' (set overwrite, or --overwrite, to replace it; --continue to resume it; or choose "
                               "another run_name)");
}

// The configuration a checkpoint is matched on: the run name resolved, overwrite left out.
std::string checkpointConfigJson(const PretrainConfig& c) {
  nlohmann::json j = pretrainConfigToJson(c);
  j["run_name"] = c.resolvedRunName();
  j.erase("overwrite");
  return j.dump();
}

std::optional<TrainingCheckpoint> checkpointToContinue(const PretrainConfig& c, ResumePolicy policy,
                                                       const std::function<void(const std::string&)>& say) {
  const std::string path = c.checkpointPath();
  const bool present = fs::exists(path);
  if (policy == ResumePolicy::Never || (!present && policy == ResumePolicy::IfPresent)) return std::nullopt;
  if (!present)
    throw std::runtime_error(path + ": no resume checkpoint (a pre-training writes one every checkpoint_every steps "
                                    "and when a signal stops it)");
  TrainingCheckpoint checkpoint = loadTrainingCheckpoint(path);
  if (checkpoint.batches_drawn < 0) throw std::runtime_error(path + ": a fine-tuning checkpoint, not a pre-training one");
  std::string list;
  for (const std::string& d : configDifferences(checkpoint.config_json, checkpointConfigJson(c)))
    list += (list.empty() ? "" : "; ") + d;
  if (!list.empty())
    throw std::runtime_error(path + ": this checkpoint belongs to a pre-training with a different configuration: " + list +
                             ". Resume with the checkpoint's configuration, or pass --overwrite to start over");
  if (!fs::exists(c.runFilePath()))
    throw std::runtime_error(path + ": its run file " + c.runFilePath() +
                             " is gone, so the steps before the checkpoint are lost; pass --overwrite to start over");
  say("resuming from " + path + " at step " + std::to_string(checkpoint.step));
  return checkpoint;
}

// A pre-training in progress: what the stages made, and where the loop stands.
struct Run {
  const PretrainConfig& c;
  const PretrainCallbacks& cb;
  torch::Device device;
  int threads = 0;
  std::optional<TrainingCheckpoint> resume;
  CheckpointWithTokenizer opened;
  Corpus corpus;
  MaskingRule rule;
  int64_t padId = 0;
  Schedule schedule;
  std::shared_ptr<MaskedLmModel> model;
  std::unique_ptr<FusedAdamW> optimizer;
  std::unique_ptr<PretrainRunFileWriter> file;
  int64_t step = 0, batches = 0;  // optimiser steps taken; batches drawn from the data order (empty ones skipped)
  bool stopping = false;

  void say(const std::string& m) const {
    if (cb.on_message) cb.on_message(m);
  }
  std::pair<double, double> evaluateHeldOut() {
    return evaluate(*model, corpus, rule, c, device, padId);
  }
};

void writeCheckpoint(Run& r) {
  TrainingCheckpoint checkpoint;
  checkpoint.config_json = checkpointConfigJson(r.c);
  checkpoint.step = r.step;
  checkpoint.optimizer_steps = r.optimizer->steps();
  checkpoint.threads = r.threads;
  checkpoint.batches_drawn = r.batches;
  captureTensorsAndGenerators(checkpoint, namedState(*r.model), *r.optimizer, r.device);
  saveTrainingCheckpoint(checkpoint, r.c.checkpointPath());
}

// One optimiser step on `batch`: forward on the masked positions, backward through the
// tied embeddings, clip, AdamW.
PretrainStep trainStep(Run& r, const MlmBatch& batch) {
  const double lr = learningRateAt(r.step, r.schedule.total, r.schedule.warmup, r.c.learning_rate);
  r.optimizer->zeroGrad();
  const MlmLoss l = mlmLoss(*r.model, batch);
  l.loss.backward();
  if (r.c.max_grad_norm > 0) torch::nn::utils::clip_grad_norm_(r.model->parameters(), r.c.max_grad_norm);
  r.optimizer->setLearningRate(lr);
  r.optimizer->step();
  ++r.step;
  return PretrainStep{r.step, r.schedule.total, l.loss.item<double>(),
                      static_cast<double>(l.correct) / static_cast<double>(l.predicted), lr};
}

// Between steps: the interim evaluation and the periodic checkpoint that are due (none
// after the last step: the run's end evaluates and needs no checkpoint).
void afterStep(Run& r) {
  if (r.step >= r.schedule.total) return;
  if (r.c.eval_every > 0 && r.step % r.c.eval_every == 0) {
    const auto [loss, accuracy] = r.evaluateHeldOut();
    r.file->appendEval(r.step, loss, accuracy);
  }
  if (r.c.checkpoint_every > 0 && r.step % r.c.checkpoint_every == 0) writeCheckpoint(r);
}

// The training loop: per epoch a fresh order and fresh masks, a batch at a time from where
// the run stands (r.batches), each step's row flushed to the run file. Returns the state it
// ended in (Finished, or Stopped when a callback or signal asked).
RunState trainSteps(Run& r) {
  const auto seed = static_cast<uint64_t>(r.c.seed);
  const size_t rows = r.corpus.train.size(), batchSize = static_cast<size_t>(r.c.batch_size);
  const auto perEpoch = static_cast<int64_t>((rows + batchSize - 1) / batchSize);
  std::vector<int64_t> order;
  int64_t orderEpoch = -1;
  r.model->train();
  while (r.step < r.schedule.total) {
    const int64_t epoch = r.batches / perEpoch;
    const size_t begin = static_cast<size_t>(r.batches % perEpoch) * batchSize;
    if (epoch != orderEpoch) order = epochOrder(static_cast<int64_t>(rows), seed, orderEpoch = epoch);
    const MlmBatch batch = makeMlmBatch(r.corpus.train, order, begin, std::min(rows, begin + batchSize), r.rule, seed,
                                        epoch, r.padId, r.device);
    ++r.batches;
    if (batch.targets.size(0) == 0) continue;  // nothing chosen in these texts: no loss to take
    const PretrainStep s = trainStep(r, batch);
    r.file->appendStep(static_cast<float>(s.mlm_loss), static_cast<float>(s.mlm_accuracy),
                       static_cast<float>(s.learning_rate));
    const bool goOn = r.cb.on_step ? r.cb.on_step(s) : true;
    if (!goOn || (r.cb.stop_requested && r.cb.stop_requested->load())) return RunState::Stopped;
    afterStep(r);
  }
  return RunState::Finished;
}

// The saved folder: the encoder and the MLM head as Hugging Face's *ForMaskedLM names them.
// A DeBERTa's pooler (DebertaModel holds it; Hugging Face keeps it outside) is not saved:
// DebertaForMaskedLM has none, and fine-tuning initialises a missing one.
void saveModelFolder(Run& r) {
  auto tensors = namedState(*r.model);
  if (r.opened.checkpoint.config.isDeberta())
    tensors.erase(std::remove_if(tensors.begin(), tensors.end(),
                                 [](const auto& t) { return t.first.rfind("deberta.pooler.", 0) == 0; }),
                  tensors.end());
  saveCheckpointFolder(r.c.modelDir(), r.opened.checkpoint.config, tensors, "F32", r.opened.checkpoint.tokenizer);
}

// Steps, then (stopped) the checkpoint, the evaluation and the saved model; the state last.
PretrainResult trainAndSave(Run& r) {
  PretrainResult result;
  result.run_file = r.c.runFilePath();
  result.outcome = trainSteps(r);
  r.stopping = result.outcome == RunState::Stopped;
  if (r.stopping) {
    r.say("writing a resume checkpoint at step " + std::to_string(r.step));
    writeCheckpoint(r);
  }
  std::tie(result.eval_loss, result.eval_accuracy) = r.evaluateHeldOut();
  r.file->appendEval(r.step, result.eval_loss, result.eval_accuracy);
  result.model_dir = r.c.modelDir();
  saveModelFolder(r);
  result.message = r.stopping ? "stopped after step " + std::to_string(r.step) : "";
  r.file->setState(result.outcome, result.message);
  r.file->close();
  if (!r.stopping) removeTrainingCheckpoint(r.c.checkpointPath());  // finished: nothing left to resume
  result.steps = r.step;
  const PretrainRunFile written = readPretrainRunFile(result.run_file);
  result.eval_loss_before = written.record.eval_loss_before;
  result.eval_accuracy_before = written.record.eval_accuracy_before;
  return result;
}

// The model, its optimiser and the run file: fresh (evaluated before training) or carried
// over from the checkpoint being resumed.
void startModelAndFile(Run& r) {
  torch::manual_seed(static_cast<uint64_t>(r.c.seed));  // the head's initialisation and dropout
  r.model = makeModel(r.opened.checkpoint, r.cb);
  r.model->to(r.device);
  r.optimizer = makeOptimizer(*r.model, r.c);
  PretrainRunHeader header;
  // Pre-training runs in fp32: it has no precision key (yet).
  const std::optional<int64_t> resumedAt = r.resume ? std::optional<int64_t>(r.resume->step) : std::nullopt;
  header.config_json = pretrainConfigToJson(r.c).dump();
  header.environment_json = environmentJson(r.device, Precision::Fp32, r.threads, resumedAt);
  header.train_texts = static_cast<int64_t>(r.corpus.train.size());
  header.eval_texts = static_cast<int64_t>(r.corpus.eval.size());
  header.total_steps = r.schedule.total;
  if (r.resume) {
    restoreTensorsAndGenerators(*r.resume, namedState(*r.model), *r.optimizer, r.device, r.c.checkpointPath());
    r.step = r.resume->step;
    r.batches = r.resume->batches_drawn;
    if (r.resume->threads != r.threads)
      r.say("warning: the checkpoint's run used " + std::to_string(r.resume->threads) + " CPU threads, this one " +
            std::to_string(r.threads) + ": the numbers will differ from an uninterrupted run in the last bits");
    r.resume.reset();  // three models' worth of memory
    r.file = std::make_unique<PretrainRunFileWriter>(r.c.runFilePath(), header, r.step);
    return;
  }
  r.file = std::make_unique<PretrainRunFileWriter>(r.c.runFilePath(), header);
  const auto [loss, accuracy] = r.evaluateHeldOut();
  r.file->appendEval(0, loss, accuracy);
}

PretrainResult pretrain(const PretrainConfig& c, const PretrainCallbacks& cb, ResumePolicy policy) {
  Run r{c, cb, parseDevice(c.device)};
  r.threads = configureThreads(c.threads);
  std::error_code ec;
  fs::create_directories(c.output_dir, ec);
  if (ec) throw std::runtime_error(c.output_dir + ": cannot create folder: " + ec.message());
  // Before anything is read to decide or written: a second process on this run stops here.
  RunLock lock(c.lockPath(), "pre-training run " + c.resolvedRunName(), [&r](const std::string& m) { r.say(m); });
  r.resume = checkpointToContinue(c, policy, [&r](const std::string& m) { r.say(m); });
  if (!r.resume) {
    refuseToReplace(c);
    removeTrainingCheckpoint(c.checkpointPath());  // a fresh run: an old checkpoint of this name is stale
  }
  r.opened = openModel(c);
  r.corpus = tokenizeCorpus(c, *r.opened.tokenizer);
  r.rule = maskingRuleFor(c, *r.opened.tokenizer, r.opened.checkpoint.config);
  r.padId = r.opened.tokenizer->padId();
  r.schedule = makeSchedule(c, r.corpus.train.size());
  startModelAndFile(r);
  // From here on the run file exists: whatever goes wrong (a full disk included) is written
  // into it as "failed", or "stopped" when the run was stopping, before the error travels on.
  try {
    return trainAndSave(r);
  } catch (const std::exception& e) {
    const std::string message = e.what();
    try {
      r.file->setState(r.stopping ? RunState::Stopped : RunState::Failed,
                       r.stopping ? "stopped on request, then: " + message : message);
    } catch (const std::exception&) {
      // A full disk or a vanished folder: the original error is the one worth reporting.
    }
    try {
      r.file->close();
    } catch (const std::exception&) {
    }
    throw std::runtime_error(message);
  }
}

}  // namespace

PretrainResult runPretraining(const PretrainConfig& c, const PretrainCallbacks& cb, ResumePolicy policy) {
  try {
    return pretrain(c, cb, policy);
  } catch (const c10::Error& e) {
    throw std::runtime_error(e.what_without_backtrace());
  }
}

PretrainContinue pretrainContinueAction(const PretrainConfig& c) {
  const bool checkpoint = fs::exists(c.checkpointPath());
  if (!fs::exists(c.runFilePath())) return checkpoint ? PretrainContinue::StartOver : PretrainContinue::Start;
  try {
    if (readPretrainRunFile(c.runFilePath()).state == RunState::Finished) return PretrainContinue::AlreadyFinished;
  } catch (const std::exception&) {
    // Killed while its header was being written, or of an older format: nothing to keep.
    return PretrainContinue::StartOver;
  }
  return checkpoint ? PretrainContinue::Resume : PretrainContinue::StartOver;
}

}  // namespace sweet
