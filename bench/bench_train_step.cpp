// Training-step time of an Early-Exit BERT in C++ (the trainer's exact step: forward over
// all exits, summed cross-entropy, backward, clipping, AdamW) beside the same model in
// Python PyTorch eager on the same libtorch, run in the same invocation; prints the ratio
// (target: C++ <= 0.9x Python). Shapes: BERT-base (12 x 768, FFN 3072) at batch 16 x 128
// and the demo model.
//
// usage: bench_train_step [--quick]   (--quick: demo model only)
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "training/runs/device.h"
#include "training/models/early_exit_model.h"
#include "training/runs/fused_adamw.h"

namespace {

struct Shape {
  const char* name;
  int64_t layers, hidden, heads, ffn, vocab, batch, seq, steps;
  std::vector<int64_t> exits;
};

double medianMs(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double cppStepMs(const Shape& s, int threads) {
  sweet::configureThreads(threads);
  sweet::BertConfig c;
  c.num_hidden_layers = s.layers;
  c.hidden_size = s.hidden;
  c.num_attention_heads = s.heads;
  c.intermediate_size = s.ffn;
  c.vocab_size = s.vocab;
  torch::manual_seed(0);
  sweet::EarlyExitModel model(c, s.exits, 2, "ee", false);
  model.train();
  sweet::FusedAdamW opt({{model.parameters(), 0.0}}, sweet::AdamWHyper{2e-5});
  sweet::ModelInput in{torch::randint(5, s.vocab, {s.batch, s.seq}, torch::kLong), torch::ones({s.batch, s.seq}, torch::kLong),
                       torch::zeros({s.batch, s.seq}, torch::kLong)};
  auto labels = torch::randint(0, 2, {s.batch}, torch::kLong);
  std::vector<double> times;
  for (int64_t step = 0; step <= s.steps; ++step) {  // step 0 warms up
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<torch::Tensor> losses;
    for (const auto& l : model.forwardExits(in)) losses.push_back(torch::nn::functional::cross_entropy(l, labels));
    auto stacked = torch::stack(losses);
    opt.zeroGrad();
    stacked.sum().backward();
    torch::nn::utils::clip_grad_norm_(model.parameters(), 1.0);
    (void)stacked.detach().sum().item<float>();
    opt.step();
    if (step > 0) times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  return medianMs(times);
}

double pythonStepMs(const Shape& s, int threads) {
  std::string exits;
  for (int64_t e : s.exits) exits += (exits.empty() ? "" : ",") + std::to_string(e);
  char cmd[1024];
  std::snprintf(cmd, sizeof(cmd), "/usr/bin/python3 %s/bench/train_step_baseline.py %lld %lld %lld %lld %lld %lld %lld %lld %d %s",
                SWEET_SOURCE_DIR, (long long)s.layers, (long long)s.hidden, (long long)s.heads, (long long)s.ffn,
                (long long)s.vocab, (long long)s.batch, (long long)s.seq, (long long)s.steps, threads, exits.c_str());
  FILE* p = popen(cmd, "r");
  if (!p) return -1;
  double ms = -1;
  if (std::fscanf(p, "%lf", &ms) != 1) ms = -1;
  pclose(p);
  return ms;
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  const int threads = 2;
  std::vector<Shape> shapes = {{"demo model (12 x 64, FFN 128)", 12, 64, 4, 128, 256, 32, 24, 20, {1, 4, 6, 12}}};
  if (!quick) shapes.push_back({"BERT-base EE (12 x 768, FFN 3072)", 12, 768, 12, 3072, 30522, 16, 128, 3, {1, 4, 6, 12}});
  std::printf("training step, median over timed steps, %d threads, libtorch %s\n", threads, sweet::libtorchVersion().c_str());
  std::printf("%-36s %12s %12s %8s\n", "model (batch x seq)", "C++ ms", "Python ms", "ratio");
  for (const auto& s : shapes) {
    const double cpp = cppStepMs(s, threads);
    const double py = pythonStepMs(s, threads);
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
