// Real early exiting against the replay: tiny EE, SWEET and MM models trained for real,
// then `AdaptiveInference` (instances leave the batch, the rest continue) must send every
// dev instance to the exit the replay computes from the run file's stored logits, with the
// same prediction, at several thresholds, batched and at batch size 1; and the speed
// measurement must count layers as the paper's formula does and round-trip the run file.
#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <set>

#include "analysis/cost_model.h"
#include "analysis/exit_policy.h"
#include "analysis/lte_threshold_rule.h"
#include "analysis/report.h"
#include "analysis/temperature_scaling.h"
#include "training/checkpoints/demo_checkpoint.h"
#include "training/inference/adaptive_inference.h"
#include "training/inference/exit_pass_joining.h"
#include "training/inference/inference_session.h"
#include "training/inference/rebatching_inference.h"
#include "training/inference/speed_measurement.h"
#include "training/inference/text_inference.h"
#include "training/models/early_exit_model.h"
#include "training/runs/trainer.h"

using namespace sweet;

namespace {

void quiet(const std::string&) {}

// Thresholds where the test means something: 1/K and 1 (the ends the paper defines), plus
// midpoints of gaps between consecutive replay confidences: those near the 20/40/60/80%
// quantiles and the one that sends the most instances to an intermediate exit (so the
// comparison covers rows leaving mid-batch and rows compacted twice). A gap is taken only
// when it is wider than 1e-4, so the few-ulp differences a different batch composition
// makes in the GEMMs cannot move an instance across a threshold.
// learned: the same over the replay's LTE scores, with a tiny threshold for the low end.
std::vector<double> probeThresholds(analysis::ExitReplay& replay, const std::vector<float>* lteScores = nullptr) {
  std::vector<double> c;
  for (int64_t i = 0; i < replay.instances(); ++i)
    for (int64_t e = 0; e + 1 < replay.exits(); ++e)
      c.push_back(lteScores ? (*lteScores)[static_cast<size_t>(e * replay.instances() + i)] : replay.confidence(e, i));
  std::sort(c.begin(), c.end());
  std::vector<double> midpoints;
  for (size_t i = 0; i + 1 < c.size(); ++i)
    if (c[i + 1] - c[i] > 1e-4) midpoints.push_back(0.5 * (c[i] + c[i + 1]));
  std::vector<double> out = {lteScores ? 1e-6 : 1.0 / static_cast<double>(replay.classes()), 1.0};
  if (midpoints.empty()) return out;
  for (double q : {0.2, 0.4, 0.6, 0.8}) out.push_back(midpoints[static_cast<size_t>(q * static_cast<double>(midpoints.size()))]);
  double best = midpoints.front();
  int64_t bestMiddle = -1;
  for (double t : midpoints) {
    const auto& counts = (lteScores ? replay.assignLearned(t) : replay.assignConfidence(t)).exitCounts;
    const int64_t middle = std::accumulate(counts.begin() + 1, counts.end() - 1, int64_t{0});
    if (middle > bestMiddle) {
      bestMiddle = middle;
      best = t;
    }
  }
  out.push_back(best);
  return out;
}

// The whole dev set through `engine` at `threshold`, in batches of `batchSize`: one
// InstanceExit per dev instance, in dev-set order.
std::vector<InstanceExit> runDevSet(AdaptiveInference& engine, const InferenceSession& s, const EncodedSet& set,
                                    int64_t batchSize, double threshold, const ExitTemperatures& temperatures) {
  std::vector<InstanceExit> out;
  for (size_t begin = 0; begin < set.encodings.size(); begin += static_cast<size_t>(batchSize)) {
    const size_t end = std::min(set.encodings.size(), begin + static_cast<size_t>(batchSize));
    std::vector<int64_t> rows;
    for (size_t i = begin; i < end; ++i) rows.push_back(static_cast<int64_t>(i));
    const auto got = engine.run(makeBatch(s, set, begin, end), rows, threshold, temperatures);
    out.insert(out.end(), got.begin(), got.end());
  }
  return out;
}

// The same, re-batched: the dev set pushed in uneven pieces (sizes cycling through 7, 13,
// 32, 5, 20, so rows of different padded lengths are joined, batches are cut across pushes
// and the last push and batch are partial) into an engine running batches of `batchSize`.
std::vector<InstanceExit> runDevSetRebatched(AdaptiveInference& engine, const InferenceSession& s,
                                             const EncodedSet& set, int64_t batchSize, double threshold,
                                             const ExitTemperatures& temperatures, InferenceProfile* profile) {
  const std::vector<size_t> pushes = {7, 13, 32, 5, 20};
  RebatchingInference rebatching(engine, batchSize, threshold, temperatures, profile);
  for (size_t begin = 0, k = 0; begin < set.encodings.size(); ++k) {
    const size_t end = std::min(set.encodings.size(), begin + pushes[k % pushes.size()]);
    std::vector<int64_t> rows;
    for (size_t i = begin; i < end; ++i) rows.push_back(static_cast<int64_t>(i));
    rebatching.push(makeBatch(s, set, begin, end), rows);
    begin = end;
  }
  return rebatching.finish();
}

// Batches a re-batching engine of `batchSize` must run: at each exit e, the rows reaching
// it in full batches and one partial remainder.
int64_t fullBatchSegmentRuns(const std::vector<InstanceExit>& exits, int64_t numExits, int64_t batchSize) {
  int64_t runs = 0;
  for (int64_t e = 0; e < numExits; ++e) {
    const auto reaching = std::count_if(exits.begin(), exits.end(), [&](const InstanceExit& x) { return x.exit >= e; });
    runs += (reaching + batchSize - 1) / batchSize;
  }
  return runs;
}

// Two batches of different padded lengths joined after exit 1 (the shorter padded with
// masked tokens) give each row the logits it gets in its own batch at every later exit, up
// to GEMM rounding; cut apart and joined again, the rows stay in order.
void checkJoinedPasses(ExitClassifier& model, const ModelInput& shortBatch, const ModelInput& longBatch) {
  QVERIFY(shortBatch.input_ids.size(1) < longBatch.input_ids.size(1));
  torch::NoGradGuard noGrad;
  std::vector<std::vector<torch::Tensor>> alone;  // [batch][exit]
  std::vector<ExitPass> passes;
  for (const ModelInput* batch : {&shortBatch, &longBatch}) {
    alone.push_back(model.forwardExits(*batch));
    ExitPass pass = model.beginPass(*batch);
    model.embedSegment(pass);
    model.runSegment(pass);
    model.exitLogits(pass);
    passes.push_back(std::move(pass));
  }
  const int64_t rows = shortBatch.input_ids.size(0) + longBatch.input_ids.size(0);
  ExitPass joined = joinPasses(std::move(passes));  // short rows first, padded to the long length
  QCOMPARE(passRows(joined), rows);
  QCOMPARE(joined.hidden.size(1), longBatch.input_ids.size(1));
  ExitPass front = splitFront(joined, 2);
  QCOMPARE(passRows(front), int64_t{2});
  QCOMPARE(passRows(joined), rows - 2);
  std::vector<ExitPass> again;
  again.push_back(std::move(front));
  again.push_back(std::move(joined));
  joined = joinPasses(std::move(again));
  for (size_t e = 1; e < alone[0].size(); ++e) {
    model.embedSegment(joined);
    model.runSegment(joined);
    const torch::Tensor logits = model.exitLogits(joined);
    const torch::Tensor expected = torch::cat({alone[0][e], alone[1][e]}, 0);
    QVERIFY2(torch::allclose(logits, expected, 0, 1e-5),
             qPrintable(QString("exit %1: max difference %2").arg(e).arg((logits - expected).abs().max().item<float>())));
  }
}

// A random batch of `rows` x `length` tokens whose rows end in 0..2 padding tokens.
ModelInput randomBatch(int64_t rows, int64_t length, int64_t vocab) {
  ModelInput in{torch::randint(1, vocab, {rows, length}, torch::kLong), torch::ones({rows, length}, torch::kLong),
                torch::zeros({rows, length}, torch::kLong)};
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t t = length - r % 3; t < length; ++t) {
      in.attention_mask[r][t] = 0;
      in.input_ids[r][t] = 0;
    }
  return in;
}

}  // namespace

class TestAdaptiveInference : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase();
  void stagedPass_equalsForwardExits();
  void joinedPasses_ofDifferentLengths_computeAsAlone();
  void joinedPasses_deberta_computeAsAlone();
  void threshold_outsideUnitIntervalRefused();
  void ee_exitsAndPredictionsEqualReplay();
  void sweet_exitsAndPredictionsEqualReplay();
  void mm_crossFitted_exitsAndPredictionsEqualReplay();
  void measure_layerSpeedupIsThePapersAndRoundTripsTheRunFile();
  void learned_sweetAndMm_exitsEqualLteReplay();
  void measure_learnedTakesTheReplaysExitsAndIsStoredBeside();

 private:
  std::string train(const std::string& method, bool heldOut, bool lte = false);
  void compareWithReplay(const std::string& modelDir);
  void compareWithReplay(const std::string& modelDir, bool calibrated);
  QTemporaryDir dir_;
  std::string checkpoint_;
  std::map<std::string, std::string> trained_;  // method -> model folder of its last run
  int runs_ = 0;
};

void TestAdaptiveInference::initTestCase() {
  QVERIFY(dir_.isValid());
  const std::string cfg = dir_.filePath("tiny.json").toStdString();
  std::ofstream(cfg) << R"({"vocab_size": 256, "hidden_size": 64, "num_hidden_layers": 4, "num_attention_heads": 4,
                           "intermediate_size": 128, "max_position_embeddings": 64})";
  checkpoint_ = ensureDemoCheckpoint(cfg, dir_.filePath("ck").toStdString());
}

// A few steps of real training: enough for the exits to disagree and confidences to spread.
std::string TestAdaptiveInference::train(const std::string& method, bool heldOut, bool lte) {
  TrainConfig c;
  c.task = "demo";
  c.model = checkpoint_;
  c.method = method;
  c.demo_train_size = 1200;
  c.demo_eval_size = 100;
  c.train_cap = heldOut ? 1000 : 1200;  // held-out: 200 rows left for calibration; else cross-fit
  c.calibration_size = 200;
  c.batch_size = 32;
  c.epochs = 3;
  c.warmup_ratio = 0.1;
  c.max_length = 40;
  c.learning_rate = 5e-4;
  c.exit_layers = {1, 2, 4};
  c.threads = 1;
  c.eval_batch_size = 64;
  c.output_dir = dir_.filePath(QString::fromStdString(method + "-" + std::to_string(++runs_))).toStdString();
  c.save_model = true;
  c.lte.enabled = lte;
  const TrainResult r = runTraining(c);
  if (r.outcome != RunState::Finished) qFatal("training failed: %s", r.message.c_str());
  trained_[method] = r.model_dir;
  return r.model_dir;
}

void TestAdaptiveInference::stagedPass_equalsForwardExits() {
  torch::manual_seed(3);
  const std::string modelDir = train("ee", true);
  InferenceSession s = openInferenceSession(modelDir, "", "cpu", 1, quiet);
  const EncodedSet set = encodeDevSet(s, quiet);
  const ModelInput batch = makeBatch(s, set, 0, 8);
  torch::NoGradGuard noGrad;
  const auto all = s.model->forwardExits(batch);
  ExitPass pass = s.model->beginPass(batch);
  for (size_t e = 0; e < all.size(); ++e) {
    s.model->embedSegment(pass);
    s.model->runSegment(pass);
    QVERIFY2(torch::equal(s.model->exitLogits(pass), all[e]), qPrintable(QString("exit %1").arg(e)));
  }
  QVERIFY(torch::equal(s.model->forwardLastExit(batch), all.back()));
}

// The trained BERT model on its shortest and longest dev instances.
void TestAdaptiveInference::joinedPasses_ofDifferentLengths_computeAsAlone() {
  const std::string modelDir = trained_.count("ee") ? trained_.at("ee") : train("ee", true);
  InferenceSession s = openInferenceSession(modelDir, "", "cpu", 1, quiet);
  const EncodedSet set = encodeDevSet(s, quiet);
  std::vector<size_t> order(set.encodings.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return set.encodings[a].input_ids.size() < set.encodings[b].input_ids.size();
  });
  EncodedSet shortSet, longSet;
  for (size_t k = 0; k < 3; ++k) {
    shortSet.encodings.push_back(set.encodings[order[k]]);
    longSet.encodings.push_back(set.encodings[order[order.size() - 1 - k]]);
  }
  checkJoinedPasses(*s.model, makeBatch(s, shortSet, 0, 3), makeBatch(s, longSet, 0, 3));
}

// DeBERTa reads per-batch relative positions: v1's table spans min(T, max) rows, so the
// short and the long batch read different tables; v2 adds the convolution after layer 0
// and bucketed positions. Random weights, EE with an exit after every layer.
void TestAdaptiveInference::joinedPasses_deberta_computeAsAlone() {
  const nlohmann::json common = {{"vocab_size", 50}, {"hidden_size", 16}, {"num_hidden_layers", 3},
                                 {"num_attention_heads", 4}, {"intermediate_size", 32},
                                 {"max_position_embeddings", 24}, {"relative_attention", true},
                                 {"position_biased_input", false}, {"hidden_dropout_prob", 0.0},
                                 {"attention_probs_dropout_prob", 0.0}};
  nlohmann::json v1 = common, v2 = common;
  v1.update({{"model_type", "deberta"}, {"pos_att_type", "c2p|p2c"}, {"max_relative_positions", -1}});
  v2.update({{"model_type", "deberta-v2"}, {"pos_att_type", {"p2c", "c2p"}}, {"max_relative_positions", 16},
             {"position_buckets", 4}, {"share_att_key", true}, {"norm_rel_ebd", "layer_norm"},
             {"conv_kernel_size", 3}});
  for (const auto& [name, json] : {std::pair<std::string, nlohmann::json>{"v1", v1}, {"v2", v2}}) {
    torch::manual_seed(5);
    EarlyExitModel model(bertConfigFromJson(json, name), {1, 2, 3}, 2, "ee", false);
    model.eval();
    checkJoinedPasses(model, randomBatch(3, 5, 50), randomBatch(4, 11, 50));
    if (QTest::currentTestFailed()) QFAIL(qPrintable(QString::fromStdString(name)));
  }
}

void TestAdaptiveInference::threshold_outsideUnitIntervalRefused() {
  for (double t : {0.0, -0.5, 1.0000001, 2.0, std::nan("")}) QVERIFY_THROWS_EXCEPTION(std::runtime_error, checkThreshold(t));
  checkThreshold(1.0);
  checkThreshold(1e-9);
}

// Raw confidences, then the replay's temperatures (held-out, or per instance when cross-fitted).
void TestAdaptiveInference::compareWithReplay(const std::string& modelDir) {
  for (bool calibrated : {false, true}) {
    compareWithReplay(modelDir, calibrated);
    if (QTest::currentTestFailed()) return;
  }
}

void TestAdaptiveInference::compareWithReplay(const std::string& modelDir, bool calibrated) {
  InferenceSession s = openInferenceSession(modelDir, "", "cpu", 1, quiet);
  QVERIFY(s.run.has_value());
  const analysis::RunData& run = *s.run;
  const analysis::CalibrationResult cal = analysis::calibrate(run);
  analysis::ExitReplay replay(run.eval, calibrated ? cal.replayTemperatures() : std::vector<double>{});
  const ExitTemperatures temperatures =
      sessionTemperatures(s, calibrated ? TemperatureUse::DevSet : TemperatureUse::None, nullptr);
  const EncodedSet set = encodeDevSet(s, quiet);
  AdaptiveInference engine(*s.model);
  std::set<int32_t> exitsSeen;
  for (double t : probeThresholds(replay)) {
    const analysis::ExitAssignment expected = replay.assignConfidence(t);
    // Batch 32 and 1 as they come, then re-batched into batches of 16 from uneven pushes.
    std::vector<InstanceExit> batched;
    for (int64_t batchSize : {32, 1, -16}) {
      int64_t mismatches = 0;
      QString first;
      InferenceProfile profile;
      const auto got = batchSize > 0 ? runDevSet(engine, s, set, batchSize, t, temperatures)
                                     : runDevSetRebatched(engine, s, set, -batchSize, t, temperatures, &profile);
      if (batchSize == 32) batched = got;
      QCOMPARE(got.size(), set.encodings.size());
      for (size_t i = 0; i < got.size(); ++i) {
        const auto row = static_cast<int64_t>(i);
        exitsSeen.insert(got[i].exit);
        const bool same = got[i].exit == expected.exitOf[i] && got[i].prediction == expected.prediction[i] &&
                          std::abs(got[i].confidence - replay.confidence(got[i].exit, row)) < 1e-4 &&
                          std::abs(got[i].confidence - batched[i].confidence) < 1e-5;
        if (!same && mismatches++ == 0)
          first = QString("instance %1: exit %2 prediction %3 confidence %4, replay exit %5 prediction %6 confidence %7")
                      .arg(i).arg(got[i].exit).arg(got[i].prediction).arg(got[i].confidence).arg(expected.exitOf[i])
                      .arg(expected.prediction[i]).arg(replay.confidence(expected.exitOf[i], row));
      }
      QVERIFY2(mismatches == 0, qPrintable(QString("%1 (%6) at threshold %2, batch %3: %4 mismatches, first %5")
                                               .arg(QString::fromStdString(run.method)).arg(t).arg(batchSize)
                                               .arg(mismatches).arg(first).arg(calibrated ? "calibrated" : "raw")));
      // Re-batched, every segment ran full batches but its last.
      if (batchSize < 0) QCOMPARE(profile.segment_runs, fullBatchSegmentRuns(got, run.exits(), -batchSize));
    }
  }
  // Every exit was taken by someone at some threshold: the comparison covered compaction.
  QCOMPARE(exitsSeen.size(), static_cast<size_t>(run.exits()));

  // Without exiting: the last exit's predictions for everyone.
  const analysis::ExitAssignment last = replay.assignFixedExit(run.exits() - 1);
  std::vector<int64_t> rows;
  for (size_t i = 0; i < set.encodings.size(); ++i) rows.push_back(static_cast<int64_t>(i));
  const auto full = engine.runWithoutExiting(makeBatch(s, set, 0, set.encodings.size()), rows, temperatures);
  for (size_t i = 0; i < full.size(); ++i) {
    QCOMPARE(full[i].exit, static_cast<int32_t>(run.exits() - 1));
    QCOMPARE(full[i].prediction, last.prediction[i]);
  }
}

void TestAdaptiveInference::ee_exitsAndPredictionsEqualReplay() {
  torch::manual_seed(11);
  compareWithReplay(train("ee", true));
}

void TestAdaptiveInference::sweet_exitsAndPredictionsEqualReplay() {
  torch::manual_seed(12);
  compareWithReplay(train("sweet", true));
}

// Learned exiting (`sweet infer --rule learned`): the model folder carries the LTE heads
// (lte.safetensors), and at every probe threshold each instance leaves where the replay of
// the run file's /eval/lte_scores sends it, with the same score, batch 32 and 1. MM is the
// case where the head must read the member's hidden state before the next member starts.
void TestAdaptiveInference::learned_sweetAndMm_exitsEqualLteReplay() {
  for (const std::string method : {"sweet", "mm"}) {
    torch::manual_seed(21);
    const std::string modelDir = train(method, true, /*lte=*/true);
    QVERIFY(std::filesystem::exists(std::filesystem::path(modelDir) / kLteWeightsFile));
    InferenceSession s = openInferenceSession(modelDir, "", "cpu", 1, quiet);
    QVERIFY(s.lte);
    const analysis::RunData& run = *s.run;
    analysis::ExitReplay replay(run.eval);
    replay.setLearnedScores(run.lteScores);
    const EncodedSet set = encodeDevSet(s, quiet);
    AdaptiveInference engine(*s.model, s.lte.get());
    std::set<int32_t> exitsSeen;
    for (double t : probeThresholds(replay, &run.lteScores)) {
      const analysis::ExitAssignment expected = replay.assignLearned(t);
      for (int64_t batchSize : {32, 1, -16}) {  // negative: re-batched into batches of 16
        int64_t mismatches = 0;
        QString first;
        const auto got = batchSize > 0 ? runDevSet(engine, s, set, batchSize, t, ExitTemperatures{})
                                       : runDevSetRebatched(engine, s, set, -batchSize, t, ExitTemperatures{}, nullptr);
        QCOMPARE(got.size(), set.encodings.size());
        for (size_t i = 0; i < got.size(); ++i) {
          exitsSeen.insert(got[i].exit);
          const double stored = run.lteScores[static_cast<size_t>(got[i].exit) * set.encodings.size() + i];
          const bool same = got[i].exit == expected.exitOf[i] && got[i].prediction == expected.prediction[i] &&
                            std::abs(got[i].lte_score - stored) < 1e-4;
          if (!same && mismatches++ == 0)
            first = QString("instance %1: exit %2 score %3, replay exit %4 score %5")
                        .arg(i).arg(got[i].exit).arg(got[i].lte_score).arg(expected.exitOf[i]).arg(stored);
        }
        QVERIFY2(mismatches == 0, qPrintable(QString("%1 at LTE threshold %2, batch %3: %4 mismatches, first %5")
                                                 .arg(QString::fromStdString(method)).arg(t).arg(batchSize)
                                                 .arg(mismatches).arg(first)));
      }
    }
    QCOMPARE(exitsSeen.size(), static_cast<size_t>(run.exits()));

    // lte.threshold_rule minmax (the default, the report's and the GUI's): each exit's scores
    // normalised to their eval range before the threshold; the engine given the session's
    // range leaves every instance where the replay on the normalised scores does, 0 and 1
    // (minmax's sweep ends) included.
    QVERIFY(s.lte_minmax && s.lte_range);
    const std::vector<float> normalised = analysis::lteScoresForRule(run);
    analysis::ExitReplay minmax(run.eval);
    minmax.setLearnedScores(normalised);
    AdaptiveInference normalising(*s.model, s.lte.get());
    normalising.setLearnedScoreRange(*s.lte_range);
    // The scores are recomputed here, equal to the stored ones up to a few ulps, which the
    // normalisation magnifies by 1 / (max − min): thresholds within 1e-3 of a normalised
    // score are left out (as the raw case probes midpoints), except 0, where everyone
    // leaves first (scores below the minimum count as 0).
    std::vector<double> thresholds;
    for (double t : analysis::minmaxThresholds()) thresholds.push_back(t);
    for (double t : probeThresholds(minmax, &normalised)) thresholds.push_back(t);
    auto clearOfScores = [&](double t) {
      if (t == 0.0) return true;
      for (float v : normalised)
        if (std::abs(static_cast<double>(v) - t) < 1e-3) return false;
      return true;
    };
    thresholds.erase(std::remove_if(thresholds.begin(), thresholds.end(), [&](double t) { return !clearOfScores(t); }),
                     thresholds.end());
    QVERIFY(thresholds.size() >= 5);
    for (double t : thresholds) {
      const analysis::ExitAssignment expected = minmax.assignLearned(t);
      const auto got = runDevSet(normalising, s, set, 32, t, ExitTemperatures{});
      int64_t mismatches = 0;
      for (size_t i = 0; i < got.size(); ++i)
        mismatches += got[i].exit != expected.exitOf[i] || got[i].prediction != expected.prediction[i];
      QVERIFY2(mismatches == 0, qPrintable(QString("%1 minmax at %2: %3 mismatches").arg(QString::fromStdString(method)).arg(t).arg(mismatches)));
    }
  }
  // A model trained without LTE has no heads to exit on: text inference says so.
  TextInferenceRequest request;
  request.model_dir = trained_.count("ee") ? trained_.at("ee") : train("ee", true);
  request.threshold = 0.5;
  request.learned = true;
  request.text = "a fine film";
  try {
    inferText(request, quiet);
    QFAIL("learned exiting without LTE heads was accepted");
  } catch (const std::runtime_error& e) {
    QVERIFY2(std::string(e.what()).find("lte.safetensors") != std::string::npos, e.what());
  }
}

void TestAdaptiveInference::mm_crossFitted_exitsAndPredictionsEqualReplay() {
  torch::manual_seed(13);
  const std::string modelDir = train("mm", false);
  InferenceSession s = openInferenceSession(modelDir, "", "cpu", 1, quiet);
  QCOMPARE(QString::fromStdString(s.run->calibrationScheme), QString("cross_fit"));
  compareWithReplay(modelDir);
}

void TestAdaptiveInference::measure_layerSpeedupIsThePapersAndRoundTripsTheRunFile() {
  for (const std::string method : {"ee", "mm"}) {
    const std::string dir = trained_.count(method) ? trained_[method] : train(method, method == "ee");
    InferenceSession s = openInferenceSession(dir, "", "cpu", 1, quiet);
    SpeedRequest request;
    request.thresholds = {1.0, 0.5};
    request.batch_sizes = {8, 1};
    request.warmup = 0;
    request.repeats = 1;
    request.max_instances = 20;
    const auto measurements = measureSpeed(s, request, quiet);
    QCOMPARE(measurements.size(), size_t{2});
    const analysis::CostModel cost = analysis::CostModel::forMethod(method, {1, 2, 4}, 4);
    for (const analysis::SpeedMeasurement& m : measurements) {
      QCOMPARE(m.instances, int64_t{20});
      QCOMPARE(m.points.size(), size_t{2});
      QCOMPARE(m.points[0].threshold, 0.5);  // sorted ascending
      // t = 1/K: everyone leaves at exit 1, speedup L_M / L_1 = 4; t = 1: everyone at the last.
      QCOMPARE(m.points[0].exitCounts, (std::vector<int64_t>{20, 0, 0}));
      QCOMPARE(m.points[0].layerSpeedup, 4.0);
      QCOMPARE(m.points[1].exitCounts, (std::vector<int64_t>{0, 0, 20}));
      QCOMPARE(m.points[1].layerSpeedup, 1.0 / cost.exitCost(2));
      QVERIFY(m.baselineSeconds > 0 && m.points[0].seconds > 0 && m.points[0].measuredSpeedup > 0);
      QVERIFY(m.points[0].stages.layers > 0);
      analysis::writeSpeedMeasurement(s.run_file, m);
    }
    analysis::writeSpeedMeasurement(s.run_file, measurements[0]);  // again: replaces, not duplicates
    const analysis::RunData reread = analysis::loadRun(s.run_file);
    QCOMPARE(reread.speed.size(), size_t{2});
    QCOMPARE(reread.speed[0].name, std::string("cpu-b1-t1"));
    QCOMPARE(reread.speed[1].name, std::string("cpu-b8-t1"));
    const analysis::SpeedMeasurement& b8 = reread.speed[1];
    QCOMPARE(b8.points[1].exitCounts, measurements[0].points[1].exitCounts);
    QCOMPARE(b8.points[0].measuredSpeedup, measurements[0].points[0].measuredSpeedup);
    QCOMPARE(b8.baselineSeconds, measurements[0].baselineSeconds);
    QVERIFY(reread.evalDone);  // the rest of the file is untouched
    QCOMPARE(reread.eval.logits, s.run->eval.logits);
    const std::string text = analysis::formatReport(analysis::buildReport({reread}, {}), analysis::ReportFormat::Text);
    QVERIFY2(text.find("Measured wall-clock speed") != std::string::npos, text.c_str());
    QVERIFY2(text.find("batch 8 on cpu") != std::string::npos, text.c_str());
  }
}

// `sweet infer --measure --rule learned`: the default score sweep, each point's exits those
// the replay of the run's (minmax-normalised) LTE scores gives, stored as its own group.
// Thresholds within 1e-3 of a normalised score are not compared (see above: recomputed
// scores differ from the stored ones in the last bits).
void TestAdaptiveInference::measure_learnedTakesTheReplaysExitsAndIsStoredBeside() {
  torch::manual_seed(21);
  const std::string modelDir = train("sweet", true, /*lte=*/true);
  InferenceSession s = openInferenceSession(modelDir, "", "cpu", 1, quiet);
  QVERIFY(s.lte_minmax && s.lte_range);
  const std::vector<float> normalised = analysis::lteScoresForRule(*s.run);
  analysis::ExitReplay replay(s.run->eval);
  replay.setLearnedScores(normalised);
  SpeedRequest request;
  request.learned = true;
  request.batch_sizes = {8};
  request.warmup = 0;
  request.repeats = 1;
  const auto measurements = measureSpeed(s, request, quiet);
  QCOMPARE(measurements.size(), size_t{1});
  const analysis::SpeedMeasurement& m = measurements[0];
  QVERIFY(m.learned);
  QCOMPARE(m.name, std::string("cpu-b8-t1-learned"));
  std::vector<double> thresholds;
  for (const auto& p : m.points) thresholds.push_back(p.threshold);
  QCOMPARE(thresholds.size(), size_t{6});
  QCOMPARE(thresholds.front(), 0.1);
  QCOMPARE(thresholds.back(), 1.0);
  int compared = 0;
  std::set<std::vector<int64_t>> distinct;
  for (const auto& p : m.points) {
    bool clear = true;
    for (float v : normalised) clear = clear && std::abs(static_cast<double>(v) - p.threshold) >= 1e-3;
    if (!clear) continue;
    ++compared;
    distinct.insert(p.exitCounts);
    QCOMPARE(p.exitCounts, replay.assignLearned(p.threshold).exitCounts);
  }
  QVERIFY2(compared >= 3 && distinct.size() >= 2, "too few thresholds to tell learned exiting from another rule");
  analysis::writeSpeedMeasurement(s.run_file, m);
  const analysis::RunData reread = analysis::loadRun(s.run_file);
  QCOMPARE(reread.speed.size(), size_t{1});
  QVERIFY(reread.speed[0].learned);
  QCOMPARE(reread.speed[0].points[0].exitCounts, m.points[0].exitCounts);
}

QTEST_GUILESS_MAIN(TestAdaptiveInference)
#include "test_adaptive_inference.moc"
