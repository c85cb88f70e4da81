// One fine-tuning run: see trainer.h. train() is the recipe: open the inputs, split the
// data, build the model, lay out the run file, take the steps, evaluate, save. Each stage
// is a file of its own in this folder; this file keeps the loop that ties them together.
#include "training/runs/trainer.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <optional>
#include <stdexcept>

#include "training/runs/batch_prefetcher.h"
#include "training/runs/autocast_scope.h"
#include "training/runs/cuda_graph_step.h"
#include "training/runs/data_split.h"
#include "training/runs/device.h"
#include "training/runs/evaluation.h"
#include "training/runs/gradient_probes.h"
#include "training/runs/resume_state.h"
#include "training/runs/run_file_layout.h"
#include "training/runs/run_file_writer.h"
#include "training/runs/run_inputs.h"
#include "training/runs/run_lock.h"
#include "training/runs/run_outputs.h"
#include "training/runs/train_step.h"
#include "training/runs/training_batch.h"
#include "training/runs/training_checkpoint.h"
#include "training/runs/training_model.h"

namespace sweet {
namespace {

// libtorch's messages carry a C++ backtrace the user cannot act on.
std::string messageOf(const std::exception& e) {
  if (const auto* torchError = dynamic_cast<const c10::Error*>(&e)) return torchError->what_without_backtrace();
  return e.what();
}

// A run in progress: what the stages made, and where the loop stands.
struct Run {
  const TrainConfig& c;
  const TrainCallbacks& cb;
  int threads;
  c10::Device device;
  RunInputs in;
  RunOutputs out;
  std::unique_ptr<RunLock> lock;  // declared before the writer: released after the file is closed
  std::optional<TrainingCheckpoint> resume;
  DataSplits data;
  int64_t K = 0;  // logits per exit: classes, or 1 for regression
  StepSchedule schedule;
  std::unique_ptr<TrainingModel> t;
  std::unique_ptr<GraphedTrainStep> graphed;  // cuda_graphs runs only
  GradientProbes probes;
  std::unique_ptr<RunFileWriter> writer;
  BatchPadding padding;

  int64_t step = 0;                      // optimiser steps taken
  std::optional<int64_t> pendingRecord;  // a train_batch gradient record due (see runSteps)
  int64_t checkpointedStep = -1;         // the step of the newest resume checkpoint
  bool stopping = false;                 // the steps ended on request: a failure after is a stop
  std::string failure;                   // why the run failed (NaN loss)

  void say(const std::string& m) const {
    if (cb.on_message) cb.on_message(m);
  }
  bool regression() const { return data.task.regression; }
  int64_t trainRows() const { return static_cast<int64_t>(data.train.size()); }
  TrainingBatch trainBatch(const std::vector<int64_t>& order, int64_t b) const {
    const auto begin = static_cast<size_t>(b * c.batch_size);
    const auto end = static_cast<size_t>(std::min(trainRows(), (b + 1) * c.batch_size));
    return makeBatch(*in.tokenizer, data.train, order, begin, end, regression(), device, padding);
  }
};

// pad_to_multiple_of -1 ("auto"): 8 on CUDA (tensor-core tiles, few distinct shapes),
// off elsewhere so CPU runs keep the batches they always had.
BatchPadding batchPadding(const TrainConfig& c, const c10::Device& device) {
  const int64_t multiple = c.pad_to_multiple_of == -1 ? (device.is_cuda() ? 8 : 0) : c.pad_to_multiple_of;
  return {multiple, c.max_length};
}

// Training batch i of the run (epoch i / steps_per_epoch). Runs on the prefetcher's
// thread: it reads only what no step changes (data, tokenizer, config) and its own cache.
BatchPrefetcher::Make runBatches(const Run& r) {
  struct EpochCache {
    int64_t epoch = -1;
    std::vector<int64_t> order;
  };
  return [&r, cache = std::make_shared<EpochCache>()](int64_t i) {
    const int64_t epoch = i / r.schedule.steps_per_epoch;
    if (cache->epoch != epoch) *cache = {epoch, epochOrder(r.trainRows(), r.c.seed, epoch)};
    return r.trainBatch(cache->order, i % r.schedule.steps_per_epoch);
  };
}

// Everything the next step depends on, written atomically beside the run file.
void writeCheckpoint(Run& r) {
  if (r.step == r.checkpointedStep || r.step == 0) return;
  saveTrainingCheckpoint(captureResumeState(r.c, *r.t, r.step, r.pendingRecord.value_or(-1), r.threads, r.device),
                         r.out.checkpoint_file);
  r.checkpointedStep = r.step;
}

// batch: the training batch of a train_batch record (dropout on), else the fixed probe.
void recordGradients(Run& r, int64_t step, const TrainingBatch* batch) {
  const GradientProbes::Taken taken = r.probes.take(step, batch);
  const GradientRecord& g = taken.first;
  r.writer->appendGradientRecord(step, g.raw, g.norms, g.cosines, taken.second.norms, taken.second.cosines,
                                 g.projected_norms, g.projected_cosines);
  if (r.cb.on_gradients) r.cb.on_gradients({step, r.probes.recorder->layers(), g.exits, g.cosines});
}

StepMetrics stepMetrics(const Run& r, int64_t epoch, int64_t firstStep, double lr, const std::vector<float>& losses,
                        std::chrono::steady_clock::time_point started) {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const int64_t examples = r.trainRows() * r.c.epochs;  // speed counts this process's examples
  StepMetrics m;
  m.step = r.step;
  m.total_steps = r.schedule.total_steps;
  m.epoch = epoch;
  m.exit_losses = losses;
  m.learning_rate = lr;
  m.examples_per_second = static_cast<double>(std::min(examples, r.step * r.c.batch_size) -
                                              std::min(examples, firstStep * r.c.batch_size)) /
                          std::max(1e-9, elapsed);
  m.eta_seconds = elapsed / static_cast<double>(r.step - firstStep) * static_cast<double>(r.schedule.total_steps - r.step);
  return m;
}

// What follows an applied step: gradient records, the interim evaluation, a periodic
// checkpoint. A train_batch record due after step s is taken on the batch of step s + 1,
// before the model trains on it: a fresh batch, with the weights of step s. `askedNow`: the
// user asked for a record when the step was launched.
void afterStep(Run& r, bool askedNow) {
  const bool asked = r.probes.recorder && (r.probes.recorder->due(r.step) || askedNow);
  if (asked) {
    if (r.probes.on_train_batch) r.pendingRecord = r.step;
    else recordGradients(r, r.step, nullptr);
  }
  if (r.c.eval_every > 0 && r.step % r.c.eval_every == 0 && r.step < r.schedule.total_steps) {
    // The last step is skipped: the final evaluation follows it anyway.
    r.writer->appendInterimEval(
        r.step, exitOutputs(*r.t, *r.in.tokenizer, r.data.eval, r.c.eval_batch_size, r.K, r.device, false,
                            evalByLength(r.c.eval_length_buckets, r.device))
                    .logits);
    if (r.cb.on_evaluation) r.cb.on_evaluation(r.step);
  }
}

// A launched step whose row is not written yet (loss_read late: until the next step is
// launched). `number` is the step count it makes.
struct LaunchedStep {
  int64_t number, epoch;
  double lr;
  bool askedNow;  // a gradient record asked for while it was launched
  PendingLosses losses;
};

// Whether anything after step `number` reads the weights it leaves (a gradient record, an
// interim evaluation, a checkpoint): its row must then be written before the next launch.
bool weightsReadAfter(const Run& r, int64_t number, bool askedNow) {
  const auto every = [&](int64_t k) { return k > 0 && number % k == 0 && number < r.schedule.total_steps; };
  return askedNow || (r.probes.recorder && r.probes.recorder->due(number)) || every(r.c.eval_every) ||
         every(r.c.checkpoint_every);
}

// Reads a launched step's losses and writes its row, then what follows it (afterStep, the
// periodic checkpoint, on_step). Returns Failed for a NaN step (the file keeps the steps
// before it), Stopped when on_step asks, else nothing.
std::optional<RunState> writeStep(Run& r, const LaunchedStep& s, int64_t firstStep,
                                  std::chrono::steady_clock::time_point started) {
  const StepLosses losses = s.losses.read();
  if (!losses.finite) {
    std::string values;
    for (float v : losses.exit) values += (values.empty() ? "" : ", ") + std::to_string(v);
    r.failure = "loss became NaN/Inf at step " + std::to_string(s.number) + " (per-exit losses: " + values +
                "); the run file keeps the steps before it. Lower learning_rate or add warmup.";
    return RunState::Failed;
  }
  r.step = s.number;
  r.writer->appendStep(losses.exit, static_cast<float>(s.lr), r.step, losses.lte);
  afterStep(r, s.askedNow);
  const StepMetrics m = stepMetrics(r, s.epoch, firstStep, s.lr, losses.exit, started);
  if (r.c.checkpoint_every > 0 && r.step % r.c.checkpoint_every == 0 && r.step < r.schedule.total_steps)
    writeCheckpoint(r);
  if (r.cb.on_step && !r.cb.on_step(m)) return RunState::Stopped;
  return std::nullopt;
}

// The step loop. Each epoch's order is a pure function of seed and epoch, so a resumed run
// finds its place from the step count alone. r.step counts written rows; with late loss
// reads one launched step may be ahead of it (`inFlight`), whose row is written once the
// next step is launched, or before the loop returns, so a stop or the end never loses it.
// Returns Finished, Stopped or Failed.
RunState runSteps(Run& r) {
  const auto started = std::chrono::steady_clock::now();
  const int64_t firstStep = r.step;  // > 0 when resumed
  const int64_t perEpoch = r.schedule.steps_per_epoch;
  const bool late = !r.graphed && lateLossRead(r.c, *r.t);  // a graph's losses are read at once
  std::optional<LaunchedStep> inFlight;
  const auto writeInFlight = [&]() -> std::optional<RunState> {
    if (!inFlight) return std::nullopt;
    const LaunchedStep s = std::move(*inFlight);
    inFlight.reset();
    return writeStep(r, s, firstStep, started);
  };
  const auto launched = [&] { return r.step + (inFlight ? 1 : 0); };
  const auto stopAsked = [&] { return r.cb.stop_requested && r.cb.stop_requested->load(); };
  BatchPrefetcher batches(runBatches(r), r.c.prefetch_batches, r.device);  // waits for its thread when the loop ends or throws
  for (int64_t epoch = r.step / perEpoch; epoch < r.c.epochs && launched() < r.schedule.total_steps; ++epoch) {
    for (int64_t b = launched() % perEpoch; b < perEpoch; ++b) {
      const int64_t index = launched();  // the step to launch, 0-based
      if (index >= r.schedule.total_steps || stopAsked()) break;
      const TrainingBatch batch = batches.take(epoch * perEpoch + b);
      if (r.pendingRecord) {
        recordGradients(r, *r.pendingRecord, &batch);
        r.pendingRecord.reset();
      }
      const double lr = r.schedule.learningRate(index);
      const bool asked = r.probes.recorder && !r.probes.recorder->due(index + 1) && r.cb.record_gradients_now &&
                         r.cb.record_gradients_now->exchange(false);
      LaunchedStep step{index + 1, epoch, lr, asked, r.graphed ? r.graphed->run(batch, index, lr)
                                                       : launchTrainStep(*r.t, batch, r.c, index, lr, r.regression(), late)};
      const std::optional<RunState> previous = writeInFlight();
      inFlight = std::move(step);
      // A NaN in the previous step fails the run there. A stop asked by its on_step still
      // writes the launched step's row: it changed the weights, so the file and a resume
      // checkpoint must count it.
      if (previous == RunState::Failed) return RunState::Failed;
      if (previous || !late || weightsReadAfter(r, index + 1, asked)) {
        const std::optional<RunState> state = writeInFlight();
        if (state || previous) return state == RunState::Failed ? RunState::Failed : RunState::Stopped;
      }
    }
    if (stopAsked()) break;
  }
  const std::optional<RunState> last = writeInFlight();
  if (last) return *last;
  return stopAsked() && r.step < r.schedule.total_steps ? RunState::Stopped : RunState::Finished;
}

// After the last step, a train_batch record still due is taken on the next epoch's first
// batch, as it would have been had the run gone on.
void takeLastRecord(Run& r) {
  if (!r.pendingRecord) return;
  const TrainingBatch batch = r.trainBatch(epochOrder(r.trainRows(), r.c.seed, r.c.epochs), 0);
  recordGradients(r, *r.pendingRecord, &batch);
}

// Weights first: a run stopped by the user or failing during evaluation keeps them. A NaN
// step was never applied (but with loss_read late), and a run that failed is not worth a
// model folder.
void saveModel(Run& r, RunState state, TrainResult& result) {
  if (!r.c.save_model || state == RunState::Failed || r.step == 0) return;
  r.say("saving the model to " + r.out.model_dir);
  r.t->model->to(torch::kCPU);
  // The run file's config attribute holds this same text (run_file_layout), so `sweet infer
  // --run` can tell this run's file from another seed's.
  const ModelRunIdentity identity{std::filesystem::path(r.out.run_file).filename().string(),
                                  configSha256(trainConfigToJson(r.c).dump())};
  saveModelAtomically(*r.t->model, r.t->lte ? r.t->lte.get() : nullptr, r.in.checkpoint, r.data.task.label_names,
                      r.c.pooler == "shared", r.out.model_dir, identity);
  result.model_dir = r.out.model_dir;
  r.t->model->to(r.device);
}

// A run that ends before its evaluation: the file already says where it stopped; its
// message says why and what is kept.
TrainResult endUnevaluated(Run& r, RunState state, TrainResult result) {
  result.outcome = state;
  result.message = r.failure;
  const bool checkpointed = r.checkpointedStep == r.step;
  if (result.message.empty())
    result.message = "stopped at step " + std::to_string(r.step) + " of " + std::to_string(r.schedule.total_steps) +
                     ", before its evaluation; the run file keeps every step" +
                     (result.model_dir.empty() ? "" : " and the model is saved") +
                     (checkpointed ? "; sweet train --resume continues it" : "");
  const std::string fileMessage =
      state == RunState::Stopped ? "stopped on request" + (result.model_dir.empty() ? "" : "; model saved to " + r.out.model_dir) +
                                       (checkpointed ? "; resume checkpoint " + r.out.checkpoint_file : "")
                                 : result.message;
  r.writer->setState(state, r.step, fileMessage);
  r.writer->close();
  return result;
}

// The one evaluation pass gives every exit's logits; "finished" is the last thing written,
// so a reader never sees it on a file that lacks anything.
TrainResult endEvaluated(Run& r, TrainResult result) {
  r.say("evaluating every exit on " + std::to_string(r.data.eval.size()) + " examples");
  result.exit_scores = evaluateExits(*r.t, *r.in.tokenizer, r.data, r.c.eval_batch_size, r.K, r.device, *r.writer,
                                     evalByLength(r.c.eval_length_buckets, r.device));
  r.writer->setState(RunState::Finished, r.step);
  r.writer->close();
  try {
    removeTrainingCheckpoint(r.out.checkpoint_file);  // finished: nothing left to resume
  } catch (const std::exception& e) {
    r.say(std::string("warning: ") + e.what() + " (the run finished; the checkpoint is of no further use)");
  }
  result.outcome = RunState::Finished;
  result.message = "finished " + std::to_string(r.step) + " steps";
  return result;
}

// Weights, optimiser, generators and position from the checkpoint being resumed.
void restoreFromCheckpoint(Run& r) {
  if (!r.resume) return;
  checkResumePrecision(*r.resume, *r.t, r.c, r.out.checkpoint_file);
  restoreResumeState(*r.resume, *r.t, r.device, r.out.checkpoint_file);
  r.step = r.checkpointedStep = r.resume->step;
  if (r.resume->pending_record >= 0) r.pendingRecord = r.resume->pending_record;
  if (r.resume->threads != r.threads)  // threads = 0 on a node with another core count
    r.say("warning: the checkpoint's run used " + std::to_string(r.resume->threads) + " CPU threads, this one " +
          std::to_string(r.threads) + ": the numbers will differ from an uninterrupted run in the last bits; set "
          "threads to a fixed count for bit-exact resumes");
}

// pad_to_multiple_of 1 pads as 0 does (to the longest row): recorded as 0.
StepKernels stepKernels(const Run& r) { return {r.t->attention, r.padding.multiple > 1 ? r.padding.multiple : 0}; }

void openRunFile(Run& r) {
  const std::optional<int64_t> resumedAt = r.resume ? std::optional<int64_t>(r.resume->step) : std::nullopt;
  const RunFileLayout layout = makeRunFileLayout(r.c, r.data, r.in.checkpoint, r.in.exit_layers, r.schedule.total_steps,
                                                 r.probes, environmentJson(r.device, r.t->precision, r.threads, resumedAt, stepKernels(r)));
  r.writer = r.resume ? std::make_unique<RunFileWriter>(r.out.run_file, layout, r.resume->step, r.resume->pending_record)
                      : std::make_unique<RunFileWriter>(r.out.run_file, layout);
  if (r.cb.on_run_file) r.cb.on_run_file(r.out.run_file, r.in.exit_layers);
  r.say("run file " + r.out.run_file + ": " + std::to_string(r.schedule.total_steps) + " steps of " +
        std::to_string(r.c.batch_size) + " on " + std::to_string(r.trainRows()) + " examples, exits " +
        nlohmann::json(r.in.exit_layers).dump() + ", " + r.c.method + ", on " + r.device.str() + " in " +
        precisionName(r.t->precision) + " with " + r.t->attention + " attention" +
        (r.padding.multiple > 1 ? ", rows padded to multiples of " + std::to_string(r.padding.multiple) : ""));
}

// Steps, then the saved model, then the evaluation or the reason there is none.
TrainResult trainAndEvaluate(Run& r) {
  TrainResult result;
  result.run_file = r.out.run_file;
  result.metric = r.data.task.metric;
  result.exit_layers = r.in.exit_layers;
  const RunState state = runSteps(r);
  r.graphed.reset();  // cuda_graphs: the graphs' memory pools back before the evaluation
  r.stopping = state == RunState::Stopped;
  if (state == RunState::Stopped && r.cb.checkpoint_on_stop) {
    r.say("writing a resume checkpoint at step " + std::to_string(r.step));
    writeCheckpoint(r);
  }
  if (state == RunState::Finished) takeLastRecord(r);
  result.steps = r.step;
  saveModel(r, state, result);
  return state == RunState::Finished ? endEvaluated(r, std::move(result)) : endUnevaluated(r, state, std::move(result));
}

TrainResult train(const TrainConfig& c, const TrainCallbacks& cb, ResumePolicy resumePolicy) {
  Run r{c, cb, configureThreads(c.threads), parseDevice(c.device), openRunInputs(c), runOutputs(c)};
  // Before anything is read to decide or written: a second process on this run stops here.
  createOutputFolder(c);
  r.lock = std::make_unique<RunLock>(r.out.lock_file, "run " + r.out.run_file, [&r](const std::string& m) { r.say(m); });
  r.resume = checkpointToResume(c, resumePolicy, [&r](const std::string& m) { r.say(m); });
  if (!r.resume) {
    checkOutputsFree(c, r.out);
    removeTrainingCheckpoint(r.out.checkpoint_file);  // a fresh run: an old checkpoint of this name is stale
  }
  r.data = prepareDataSplits(c, *r.in.tokenizer, [&r](const std::string& m) { r.say(m); });
  r.K = r.regression() ? 1 : static_cast<int64_t>(r.data.task.label_names.size());
  r.t = buildTrainingModel(c, r.in.checkpoint, r.in.exit_layers, r.K, r.device);
  for (const std::string& note : r.t->load_notes) r.say(note);
  r.padding = batchPadding(c, r.device);
  r.schedule = makeStepSchedule(c, r.trainRows());
  r.probes = makeGradientProbes(c, r.data, *r.in.tokenizer, *r.t->model, r.device);
  restoreFromCheckpoint(r);
  // After the restore: graphs record the addresses of the tensors it copied into.
  if (c.cuda_graphs) r.graphed = std::make_unique<GraphedTrainStep>(*r.t, c, r.regression(), r.in.checkpoint.config.isDeberta());
  openRunFile(r);
  const MatmulPrecisionScope matmuls(r.t->precision, r.device);  // TF32 for a tf32 run on CUDA
  // From here on the run file exists: whatever goes wrong (a full disk included) is written
  // into it as "failed", or "stopped" when the run was stopping, with the reason, before the
  // error travels on. A run file that cannot take even that is closed with what it had
  // (it says "running"; `sweet repair` marks it).
  try {
    return trainAndEvaluate(r);
  } catch (const std::exception& e) {
    const std::string message = messageOf(e);
    try {
      r.writer->setState(r.stopping ? RunState::Stopped : RunState::Failed, r.step,
                         r.stopping ? "stopped on request, then: " + message : message);
    } catch (const std::exception&) {
      // A full disk or a vanished folder: the original error is the one worth reporting.
    }
    try {
      r.writer->close();
    } catch (const std::exception&) {
    }
    throw std::runtime_error(message);
  }
}

}  // namespace

TrainResult runTraining(const TrainConfig& config, const TrainCallbacks& callbacks, ResumePolicy resume) {
  try {
    return train(config, callbacks, resume);
  } catch (const c10::Error& e) {
    throw std::runtime_error(messageOf(e));
  }
}

}  // namespace sweet
