// Training-step time of an Early-Exit BERT in C++ (the trainer's exact step: forward over
// all exits, summed cross-entropy, backward, clipping, AdamW) beside the same model in
// Python PyTorch eager on the same libtorch, run in the same invocation; prints the ratio
// (target: C++ <= 0.9x Python). Shapes: BERT-base (12 x 768, FFN 3072) at batch 16 x 128
// and the demo model.
//
// usage: bench_train_step [--quick] [--precision fp32|tf32|bf16|fp16|auto] [--device cpu|cuda|cuda:N]
//   --quick: demo model only. --precision: the step in that precision (autocast for bf16
//   and fp16, as the trainer runs it; fp16's loss scaling is left out, so its time is a
//   lower bound), the Python side under the same torch.autocast. Default fp32 on cpu.
//   The Python side runs in $SWEET_BENCH_PYTHON (default /usr/bin/python3).
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "training/models/early_exit_model.h"
#include "training/runs/autocast_scope.h"
#include "training/runs/device.h"
#include "training/runs/fused_adamw.h"
#include "training/runs/gradient_clipping.h"

namespace {

struct Shape {
  const char* name;
  int64_t layers, hidden, heads, ffn, vocab, batch, seq, steps;
  std::vector<int64_t> exits;
};

struct Options {
  bool quick = false;
  std::string precisionName = "fp32", deviceName = "cpu";
  sweet::Precision precision = sweet::Precision::Fp32;  // resolved for device
  c10::Device device{c10::kCPU};
};

Options parseOptions(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool valued = a == "--precision" || a == "--device";
    if (valued && i + 1 >= argc) throw std::runtime_error(a + " needs a value");
    if (a == "--quick") o.quick = true;
    else if (a == "--precision") o.precisionName = argv[++i];
    else if (a == "--device") o.deviceName = argv[++i];
    else throw std::runtime_error("unknown argument '" + a + "' (usage: bench_train_step [--quick] [--precision P] [--device D])");
  }
  o.device = sweet::parseDevice(o.deviceName);
  o.precision = sweet::resolvePrecision(sweet::parsePrecision(o.precisionName, "--precision"), o.device, "--precision");
  return o;
}

void synchronize(const c10::Device& device) {
  if (device.is_cuda()) torch::cuda::synchronize();
}

double medianMs(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double cppStepMs(const Shape& s, int threads, const Options& o) {
  sweet::configureThreads(threads);
  sweet::BertConfig c;
  c.num_hidden_layers = s.layers;
  c.hidden_size = s.hidden;
  c.num_attention_heads = s.heads;
  c.intermediate_size = s.ffn;
  c.vocab_size = s.vocab;
  torch::manual_seed(0);
  sweet::EarlyExitModel model(c, s.exits, 2, "ee", false);
  model.to(o.device);
  model.train();
  sweet::FusedAdamW opt({{model.parameters(), 0.0}}, sweet::AdamWHyper{2e-5});
  const auto ids = torch::TensorOptions().dtype(torch::kLong).device(o.device);
  sweet::ModelInput in{torch::randint(5, s.vocab, {s.batch, s.seq}, ids), torch::ones({s.batch, s.seq}, ids),
                       torch::zeros({s.batch, s.seq}, ids)};
  auto labels = torch::randint(0, 2, {s.batch}, ids);
  std::vector<double> times;
  for (int64_t step = 0; step <= s.steps; ++step) {  // step 0 warms up
    synchronize(o.device);
    const auto t0 = std::chrono::steady_clock::now();
    torch::Tensor stacked;
    {
      sweet::AutocastScope autocast(o.precision, o.device);
      std::vector<torch::Tensor> losses;
      for (const auto& l : model.forwardExits(in))
        losses.push_back(torch::nn::functional::cross_entropy(l.to(torch::kFloat), labels));
      stacked = torch::stack(losses);
    }
    opt.zeroGrad();
    stacked.sum().backward();
    sweet::clipGradientNorm(model.parameters(), 1.0, o.device);
    (void)stacked.detach().sum().item<float>();  // the trainer's one read of the losses per step
    opt.step();
    synchronize(o.device);
    if (step > 0) times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  return medianMs(times);
}

double pythonStepMs(const Shape& s, int threads, const Options& o) {
  std::string exits;
  for (int64_t e : s.exits) exits += (exits.empty() ? "" : ",") + std::to_string(e);
  // Debian's python3-torch is the same libtorch build as the C++ side; elsewhere (a GPU
  // machine's PyTorch) name the interpreter in SWEET_BENCH_PYTHON.
  const char* python = std::getenv("SWEET_BENCH_PYTHON") ? std::getenv("SWEET_BENCH_PYTHON") : "/usr/bin/python3";
  char cmd[1024];
  std::snprintf(cmd, sizeof(cmd),
                "%s %s/bench/train_step_baseline.py %lld %lld %lld %lld %lld %lld %lld %lld %d %s %s %s",
                python, SWEET_SOURCE_DIR, (long long)s.layers, (long long)s.hidden, (long long)s.heads, (long long)s.ffn,
                (long long)s.vocab, (long long)s.batch, (long long)s.seq, (long long)s.steps, threads, exits.c_str(),
                sweet::precisionName(o.precision).c_str(), o.device.str().c_str());
  FILE* p = popen(cmd, "r");
  if (!p) return -1;
  double ms = -1;
  if (std::fscanf(p, "%lf", &ms) != 1) ms = -1;
  pclose(p);
  return ms;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  try {
    o = parseOptions(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_train_step: %s\n", e.what());
    return 2;
  }
  const bool quick = o.quick;
  const int threads = 2;
  std::vector<Shape> shapes = {{"demo model (12 x 64, FFN 128)", 12, 64, 4, 128, 256, 32, 24, 20, {1, 4, 6, 12}}};
  if (!quick) shapes.push_back({"BERT-base EE (12 x 768, FFN 3072)", 12, 768, 12, 3072, 30522, 16, 128, 3, {1, 4, 6, 12}});
  std::printf("training step, median over timed steps, %d threads, %s, %s, libtorch %s\n", threads,
              o.device.str().c_str(), sweet::precisionName(o.precision).c_str(), sweet::libtorchVersion().c_str());
  std::printf("%-36s %12s %12s %8s\n", "model (batch x seq)", "C++ ms", "Python ms", "ratio");
  for (const auto& s : shapes) {
    const double cpp = cppStepMs(s, threads, o);
    const double py = pythonStepMs(s, threads, o);
    char label[64];
    std::snprintf(label, sizeof(label), "%s %lldx%lld", s.name, (long long)s.batch, (long long)s.seq);
    if (py > 0)
      std::printf("%-36s %12.1f %12.1f %7.2fx\n", label, cpp, py, cpp / py);
    else
      std::printf("%-36s %12.1f %12s %8s  (python3-torch missing?)\n", label, cpp, "n/a", "n/a");
  }
  std::printf("target: C++ / Python <= 0.90\n");
  return 0;
}
