// Training-step time of an Early-Exit BERT in C++ (the trainer's own step, trainStep: forward
// over all exits, summed cross-entropy, backward, clipping, AdamW) beside the same model in
// Python PyTorch eager (bench/train_step_baseline.py) in the same invocation; prints the
// ratio (target: C++ <= 0.9x Python). Shapes: the demo model, and BERT-base (12 x 768, FFN
// 3072) at batch 16 x 128 (CPU) or 32 and 16 x 128 (CUDA).
//
// usage: bench_train_step [--quick] [--device cpu|cuda] [--precision P] [--cuda-graphs] [--steps N]
//                         [--python PATH]
//   --quick      the demo model only (the CTest quick mode)
//   --cuda-graphs  the C++ step through GraphedTrainStep (config key cuda_graphs): its warm-up
//                steps and capture fall in the untimed steps, so every timed step is a replay
//   --precision  passed to the trainer's config key `precision` and to the Python side;
//                where this build's config has no such key it is ignored, saying so
//   --steps      timed steps of the BERT-base shapes (default 3 on CPU, 30 on CUDA)
//   --python     the interpreter of the Python side (default /usr/bin/python3)
#include <torch/cuda.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "training/models/attention_kernel.h"
#include "training/models/early_exit_model.h"
#include "training/runs/autocast_scope.h"
#include "training/runs/cuda_graph_step.h"
#include "training/runs/device.h"
#include "training/runs/fused_adamw.h"
#include "training/runs/loss_scaler.h"
#include "training/runs/precision.h"
#include "training/runs/train_config.h"
#include "training/runs/train_step.h"

namespace {

struct Shape {
  const char* name;
  int64_t layers, hidden, heads, ffn, vocab, batch, seq, steps;
  std::vector<int64_t> exits;
};

struct Options {
  bool quick = false, cudaGraphs = false;
  std::string device = "cpu", precision, python = "/usr/bin/python3";
  int64_t steps = 0;  // 0: the device's default
};

double medianMs(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// The trainer's configuration with `precision` set (fp32 when not asked for: the trainer's
// own default may be a lower precision on a GPU, and the Python side runs fp32), or the
// default configuration where this build's config does not know the key, saying so when the
// precision was asked for.
sweet::TrainConfig stepConfig(const std::string& asked, bool& applied) {
  applied = false;
  const std::string precision = asked.empty() ? "fp32" : asked;
  try {
    sweet::TrainConfig c = sweet::trainConfigFromJson({{"precision", precision}}, "bench_train_step --precision", {});
    applied = true;
    return c;
  } catch (const std::exception& e) {
    if (asked.empty()) return {};
    std::string why = e.what();
    why = why.substr(0, why.find(" (known:"));  // the list of every key says nothing here
    std::printf("note: --precision %s ignored, both sides run fp32 (%s)\n", precision.c_str(), why.c_str());
    return {};
  }
}

double cppStepMs(const Shape& s, const sweet::TrainConfig& config, const c10::Device& device, int64_t warmup) {
  sweet::BertConfig c;
  c.num_hidden_layers = s.layers;
  c.hidden_size = s.hidden;
  c.num_attention_heads = s.heads;
  c.intermediate_size = s.ffn;
  c.vocab_size = s.vocab;
  torch::manual_seed(0);
  sweet::TrainingModel t;
  auto model = std::make_shared<sweet::EarlyExitModel>(c, s.exits, 2, "ee", false);
  model->to(device);
  model->train();
  t.model = model;
  t.optimizer = std::make_unique<sweet::FusedAdamW>(std::vector<sweet::FusedAdamW::Group>{{model->parameters(), 0.0}},
                                                    sweet::AdamWHyper{2e-5});
  // The precision as the trainer resolves it (buildTrainingModel): trainStep reads it here.
  t.device = device;
  t.precision = sweet::resolvePrecision(sweet::parsePrecision(config.precision), device);
  if (t.precision == sweet::Precision::Fp16) t.scaler = std::make_unique<sweet::LossScaler>(device);
  sweet::useAttentionKernel(*model, sweet::resolveAttentionKernel(config.attention, device));
  const auto ids = torch::TensorOptions(torch::kLong).device(device);
  sweet::TrainingBatch batch{{torch::randint(5, s.vocab, {s.batch, s.seq}, torch::kLong).to(device),
                              torch::ones({s.batch, s.seq}, ids), torch::zeros({s.batch, s.seq}, ids)},
                             torch::randint(0, 2, {s.batch}, torch::kLong).to(device),
                             {}};
  const bool cuda = device.is_cuda();
  std::unique_ptr<sweet::GraphedTrainStep> graphed;
  if (config.cuda_graphs) graphed = std::make_unique<sweet::GraphedTrainStep>(t, config, false, false);
  std::vector<double> times;
  for (int64_t step = 0; step < warmup + s.steps; ++step) {  // the first `warmup` steps are not timed
    if (cuda) torch::cuda::synchronize();
    const auto t0 = std::chrono::steady_clock::now();
    (void)(graphed ? graphed->run(batch, step, 2e-5).read() : sweet::trainStep(t, batch, config, step, 2e-5, false));
    if (cuda) torch::cuda::synchronize();
    if (step >= warmup) times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  return medianMs(times);
}

double pythonStepMs(const Shape& s, int threads, const Options& o, const std::string& precision, int64_t warmup) {
  std::string exits;
  for (int64_t e : s.exits) exits += (exits.empty() ? "" : ",") + std::to_string(e);
  char cmd[1400];
  std::snprintf(cmd, sizeof(cmd), "'%s' %s/bench/train_step_baseline.py %lld %lld %lld %lld %lld %lld %lld %lld %d %s %s %s %lld",
                o.python.c_str(), SWEET_SOURCE_DIR, (long long)s.layers, (long long)s.hidden, (long long)s.heads,
                (long long)s.ffn, (long long)s.vocab, (long long)s.batch, (long long)s.seq, (long long)s.steps, threads,
                exits.c_str(), o.device.c_str(), precision.c_str(), (long long)warmup);
  FILE* p = popen(cmd, "r");
  if (!p) return -1;
  double ms = -1;
  if (std::fscanf(p, "%lf", &ms) != 1) ms = -1;
  pclose(p);
  return ms;
}

Options parseOptions(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
      return argv[++i];
    };
    if (a == "--quick") o.quick = true;
    else if (a == "--device") o.device = value();
    else if (a == "--precision") o.precision = value();
    else if (a == "--cuda-graphs") o.cudaGraphs = true;
    else if (a == "--python") o.python = value();
    else if (a == "--steps") o.steps = std::stoll(value());
    else throw std::runtime_error("unknown argument '" + a + "' (usage: bench_train_step [--quick] [--device cpu|cuda] "
                                  "[--precision P] [--cuda-graphs] [--steps N] [--python PATH])");
  }
  if (o.python.find('\'') != std::string::npos) throw std::runtime_error("--python: a path without quotes, please");
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  c10::Device device(c10::kCPU);
  try {
    o = parseOptions(argc, argv);
    device = sweet::parseDevice(o.device);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_train_step: %s\n", e.what());
    return 2;
  }
  const bool cuda = device.is_cuda();
  const int threads = 2;
  sweet::configureThreads(threads);
  bool applied = false;
  sweet::TrainConfig config = stepConfig(o.precision, applied);
  config.cuda_graphs = o.cudaGraphs;
  // The Python side at the precision the trainer resolved: `auto` is bf16 on a GPU, fp32 on a CPU.
  const std::string asked = o.precision.empty() ? "fp32" : o.precision;
  const std::string pyPrecision = !applied ? "fp32" : asked == "auto" ? (cuda ? "bf16" : "fp32") : asked;
  // On a GPU the first steps pay for cuBLAS handles and the caching allocator's growth
  // (and, with graphs, for the warm-up steps and the capture).
  const int64_t warmup = cuda ? std::max<int64_t>(5, sweet::kStepGraphWarmup + 2) : 1;
  const int64_t bigSteps = o.steps > 0 ? o.steps : cuda ? 30 : 3;
  std::vector<Shape> shapes = {{"demo model (12 x 64, FFN 128)", 12, 64, 4, 128, 256, 32, 24, 20, {1, 4, 6, 12}}};
  if (!o.quick) {
    if (cuda) shapes.push_back({"BERT-base EE (12 x 768, FFN 3072)", 12, 768, 12, 3072, 30522, 32, 128, bigSteps, {1, 4, 6, 12}});
    shapes.push_back({"BERT-base EE (12 x 768, FFN 3072)", 12, 768, 12, 3072, 30522, 16, 128, bigSteps, {1, 4, 6, 12}});
  }
  std::printf("training step, median over timed steps, device %s, precision %s, %d CPU threads, libtorch %s\n",
              o.device.c_str(), applied ? asked.c_str() : "fp32", threads, sweet::libtorchVersion().c_str());
  std::printf("%-42s %12s %12s %8s\n", "model (batch x seq)", "C++ ms", "Python ms", "ratio");
  for (const auto& s : shapes) {
    double cpp = 0;
    try {
      cpp = cppStepMs(s, config, device, warmup);
    } catch (const std::exception& e) {  // cuda_graphs refused: a CPU device, a build without graphs
      std::fprintf(stderr, "bench_train_step: %s\n", e.what());
      return 2;
    }
    const double py = pythonStepMs(s, threads, o, pyPrecision, warmup);
    char label[80];
    std::snprintf(label, sizeof(label), "%s%s %lldx%lld", s.name, o.cudaGraphs ? " graphs" : "", (long long)s.batch,
                  (long long)s.seq);
    if (py > 0)
      std::printf("%-42s %12.1f %12.1f %7.2fx\n", label, cpp, py, cpp / py);
    else
      std::printf("%-42s %12.1f %12s %8s  (no torch for %s?)\n", label, cpp, "n/a", "n/a", o.python.c_str());
    std::fflush(stdout);
  }
  std::printf("target: C++ / Python <= 0.90\n");
  return 0;
}
