// Real adaptive inference with early exiting: a batch runs exit by exit, and after each
// exit the instances whose (temperature-scaled) max softmax reaches the threshold leave
// it; only the rest continue through the next layers (hidden states and attention masks
// compacted with index_select). For MM, member i+1 runs only on the instances members
// 1..i left undecided, paying its own embeddings again. The exit rule is the replay's
// (analysis::exitCertainty and analysis::leavesAt), so on the same logits an instance
// takes the same exit as in analysis::ExitReplay::assignConfidence. Given the model's
// learning-to-exit heads, instances leave on their LTE score instead (the first exit whose
// score reaches the threshold), as analysis::ExitRule::Learned replays it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "analysis/lte_threshold_rule.h"

#include "training/models/exit_classifier.h"
#include "training/models/lte_heads.h"
#include "training/runs/precision.h"

namespace sweet {

class SegmentGraphs;

struct InstanceExit {
  int32_t exit = 0;        // 0-based exit taken
  int32_t prediction = 0;  // label id predicted there
  double confidence = 0;   // max softmax of that exit (after temperature scaling)
  double lte_score = -1;   // that exit's learning-to-exit score (learned exiting only)
};

// Temperatures the exit decisions divide logits by, as the replay applies them: none,
// one per exit, or one per exit and instance (cross-fitting gives each half of the dev
// set the other half's temperatures).
struct ExitTemperatures {
  std::vector<double> per_exit;      // [E]; empty = 1 everywhere
  std::vector<double> per_instance;  // [E][N] row-major; when set, overrides per_exit
  int64_t instances = 0;             // N of per_instance

  double inverse(int64_t exit, int64_t instance) const;
};

// Where the time of the passes went, summed over calls (seconds). Collected only when a
// profile is passed in; on CUDA each stage is then bracketed by a device synchronisation.
struct InferenceProfile {
  double embeddings = 0;  // embedding lookups (MM: once per member run)
  double layers = 0;      // transformer layers
  double heads = 0;       // pooler + classifier of every exit computed
  double decisions = 0;   // logits to the host and the confidence rule
  double compaction = 0;  // index_select of the rows that continue
  int64_t layer_rows = 0; // Σ over layers run of the rows they ran on (the layer count paid)
  int64_t segment_runs = 0;  // batches run through a segment (re-batching makes fewer, fuller ones)
  double total() const { return embeddings + layers + heads + decisions + compaction; }
};

class AdaptiveInference {
 public:
  // `model` must already be on its device and in eval mode; it is borrowed, not owned.
  // `lte`: the same model's learning-to-exit heads (on its device, eval mode), borrowed;
  // when given, run() exits on their scores instead of the confidence. The passes run in
  // `precision` (resolved for the model's device); logits are read back as fp32.
  explicit AdaptiveInference(ExitClassifier& model, LteHeadsImpl* lte = nullptr, Precision precision = Precision::Fp32);
  bool learned() const { return lte_ != nullptr; }
  // lte.threshold_rule "minmax": each exit's score is normalised to its range over the run's
  // eval set, (s − min_e) / (max_e − min_e) (0 for an empty range), before the threshold,
  // exactly as the replay (analysis::normaliseLteScores) does. Without it, raw scores.
  void setLearnedScoreRange(analysis::LteScoreRange range) { lteRange_ = std::move(range); }

  // Early exiting on one padded batch. `instances` gives each row's index in the data set
  // (for per-instance temperatures); returns one InstanceExit per row.
  std::vector<InstanceExit> run(const ModelInput& batch, const std::vector<int64_t>& instances, double threshold,
                                const ExitTemperatures& temperatures, InferenceProfile* profile = nullptr);

  // The same model without exiting: every row through the last exit only (the baseline a
  // measured speedup divides by). Everyone's exit is the last.
  std::vector<InstanceExit> runWithoutExiting(const ModelInput& batch, const std::vector<int64_t>& instances,
                                              const ExitTemperatures& temperatures,
                                              InferenceProfile* profile = nullptr);

  // One exit of a pass part-way through (pass.next_exit = e): segment e (embeddings when
  // due, its layers, its head), then each row's decision. Row i is instance instances[i];
  // a row that leaves gets its verdict in out[slots[i]]. Returns the rows (0-based in the
  // pass, ascending) that continue. The only device-to-host copy is the exit's decision
  // inputs ([rows, K] logits, plus the LTE score), one per call: what run() and
  // re-batching (rebatching_inference.h) both step with.
  std::vector<int64_t> advance(ExitPass& pass, const std::vector<int64_t>& slots, const std::vector<int64_t>& instances,
                               double threshold, const ExitTemperatures& temperatures, std::vector<InstanceExit>& out,
                               InferenceProfile* profile = nullptr);
  // Keeps rows `keep` of `pass` (their indices reach the device without a host stall).
  static void compact(ExitPass& pass, const std::vector<int64_t>& keep, InferenceProfile* profile = nullptr);
  int64_t exits() const { return exits_; }
  ExitClassifier& model() { return model_; }

  // From now on a one-row pass (and a one-row pass without exiting) replays CUDA graphs
  // of its segments (cuda_graph_segments.h); larger batches run as before. Throws on a
  // model that is not on CUDA, for DeBERTa (`deberta`), and in a build without CUDA
  // graphs, saying which.
  void enableCudaGraphs(bool deberta);

 private:
  // Segment pass.next_exit run eagerly on `rows` rows: its decision inputs ([rows, K]
  // logits, with the LTE score as column K for learned exiting).
  torch::Tensor segmentDecisionInputs(ExitPass& pass, int64_t rows, InferenceProfile* profile);

  ExitClassifier& model_;
  LteHeadsImpl* lte_;
  Precision precision_;
  int64_t exits_;
  std::optional<analysis::LteScoreRange> lteRange_;
  std::shared_ptr<SegmentGraphs> graphs_;  // null: every pass runs eagerly
};

// Thresholds are max-softmax values or LTE scores (`learned`): anything outside (0, 1] is
// refused with a message saying which.
void checkThreshold(double threshold, bool learned = false);

// values[rows[0]], values[rows[1]], ...: the bookkeeping that follows a pass's compaction.
std::vector<int64_t> pickRows(const std::vector<int64_t>& values, const std::vector<int64_t>& rows);

}  // namespace sweet
