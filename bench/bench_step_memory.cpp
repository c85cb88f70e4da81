// Peak memory and time of one training step (the trainer's step: forward over all exits,
// summed cross-entropy, backward, clipping, AdamW) for any backbone config.json, e.g. to
// check that the BERT-large and DeBERTa-large presets fit a 24 GiB CPU machine at batch 8.
// Random weights: memory and time do not depend on their values.
//
// usage: bench_step_memory CONFIG.json [--batch 8] [--seq 256] [--method ee|sweet|mm]
//                          [--exits 1,6,12,24] [--threads 0] [--set key=value ...]
// Prints: peak RSS (GiB) after building the model and after the second step, step seconds.
#include <sys/resource.h>

#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "training/models/bert_config.h"
#include "training/models/early_exit_model.h"
#include "training/models/multi_model.h"
#include "training/runs/device.h"
#include "training/runs/fused_adamw.h"
#include "training/runs/train_config.h"

namespace {

double peakRssGiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / (1024.0 * 1024.0);  // ru_maxrss is in KiB on Linux
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CONFIG.json [--batch N] [--seq N] [--method ee|sweet|mm] [--exits a,b,..] "
                         "[--threads N] [--set key=value ...]\n", argv[0]);
    return 2;
  }
  int64_t batch = 8, seq = 256;
  int threads = 0;
  std::string method = "ee";
  std::vector<int64_t> exits;
  std::vector<std::string> overrides;
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--batch") batch = std::stoll(next());
    else if (a == "--seq") seq = std::stoll(next());
    else if (a == "--method") method = next();
    else if (a == "--threads") threads = std::stoi(next());
    else if (a == "--exits") {
      std::stringstream list(next());
      for (std::string x; std::getline(list, x, ',');) exits.push_back(std::stoll(x));
    } else if (a == "--set") {
      while (i + 1 < argc && std::strncmp(argv[i + 1], "--", 2) != 0) overrides.emplace_back(argv[++i]);
    } else {
      std::fprintf(stderr, "unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  try {
    sweet::configureThreads(threads);
    const sweet::BertConfig c = sweet::bertConfigFromJson(sweet::readConfigFile(argv[1], overrides), argv[1]);
    if (exits.empty()) exits = sweet::defaultExitLayers(c.num_hidden_layers);
    torch::manual_seed(0);
    std::shared_ptr<sweet::ExitClassifier> model;
    if (method == "mm")
      model = std::make_shared<sweet::MultiModel>(c, exits, 2);
    else
      model = std::make_shared<sweet::EarlyExitModel>(c, exits, 2, method, false);
    model->train();
    int64_t params = 0;
    for (const auto& p : model->parameters()) params += p.numel();
    std::printf("%s %s: %lld layers x %lld hidden, %.1fM parameters, batch %lld x %lld tokens, %s\n", c.model_type.c_str(),
                argv[1], (long long)c.num_hidden_layers, (long long)c.hidden_size, params / 1e6, (long long)batch,
                (long long)seq, method.c_str());
    std::printf("peak RSS after building the model: %.2f GiB\n", peakRssGiB());
    sweet::FusedAdamW opt({{model->parameters(), 0.0}}, sweet::AdamWHyper{2e-5});
    sweet::ModelInput in{torch::randint(5, c.vocab_size, {batch, seq}, torch::kLong),
                         torch::ones({batch, seq}, torch::kLong), torch::zeros({batch, seq}, torch::kLong)};
    auto labels = torch::randint(0, 2, {batch}, torch::kLong);
    for (int step = 0; step < 2; ++step) {  // the second step has the optimiser state allocated
      const auto t0 = std::chrono::steady_clock::now();
      std::vector<torch::Tensor> losses;
      for (const auto& l : model->forwardExits(in)) losses.push_back(torch::nn::functional::cross_entropy(l, labels));
      opt.zeroGrad();
      torch::stack(losses).sum().backward();
      torch::nn::utils::clip_grad_norm_(model->parameters(), 1.0);
      opt.step();
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::printf("step %d: %.1f s, peak RSS %.2f GiB\n", step + 1, s, peakRssGiB());
      std::fflush(stdout);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_step_memory: %s\n", e.what());
    return 1;
  }
  return 0;
}
