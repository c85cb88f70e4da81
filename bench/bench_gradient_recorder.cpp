// Cost of the conflicting-gradient recorder. (1) The demo model: the same training run
// with and without the recorder at cadence 50, timed from the first to the last step, in
// the same invocation. (2) BERT-base shape (12 x 768, batch 16 x 128): one training step,
// one gradient record (3 layers x 4 exits of 768 x 3072) and the time to append it to a
// run file, so the overhead at a cadence K is (record + write) / (K * step).
//
// usage: bench_gradient_recorder [--quick]   (--quick: demo model only)
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "training/checkpoints/demo_checkpoint.h"
#include "training/runs/device.h"
#include "training/models/early_exit_model.h"
#include "training/runs/gradient_recorder.h"
#include "training/runs/run_file_writer.h"
#include "training/runs/trainer.h"

namespace {
using Clock = std::chrono::steady_clock;
double secondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

double demoLoopSeconds(const std::string& checkpoint, const std::string& out, int64_t every) {
  sweet::TrainConfig c;
  c.task = "demo";
  c.model = checkpoint;
  c.demo_train_size = 3400;
  c.calibration_size = 400;
  c.demo_eval_size = 64;
  c.batch_size = 32;
  c.epochs = 1;
  c.max_steps = 100;
  c.max_length = 40;
  c.learning_rate = 5e-4;
  c.threads = 2;
  c.save_model = false;
  c.output_dir = out;
  c.gradients.every = every;
  c.gradients.probe_size = 32;
  c.run_name = every ? "with" : "without";
  c.overwrite = true;  // each repetition replaces the last one's run in this scratch folder
  Clock::time_point first;
  double seconds = 0;
  sweet::TrainCallbacks cb;
  cb.on_step = [&](const sweet::StepMetrics& m) {
    if (m.step == 1) first = Clock::now();
    if (m.step == m.total_steps) seconds = secondsSince(first);
    return true;
  };
  const sweet::TrainResult r = sweet::runTraining(c, cb);
  if (r.outcome != sweet::RunState::Finished) throw std::runtime_error("demo run " + c.run_name + ": " + r.message);
  return seconds;
}

void bertBase() {
  sweet::configureThreads(2);
  sweet::BertConfig c;  // defaults are BERT-base
  torch::manual_seed(0);
  sweet::EarlyExitModel model(c, {1, 4, 6, 12}, 3, "ee", false);
  model.train();
  torch::optim::AdamW opt(model.parameters(), torch::optim::AdamWOptions(2e-5));
  const int64_t B = 16, T = 128;
  sweet::ModelInput in{torch::randint(1000, 30000, {B, T}, torch::kLong), torch::ones({B, T}, torch::kLong),
                       torch::zeros({B, T}, torch::kLong)};
  auto labels = torch::randint(0, 3, {B}, torch::kLong);
  auto step = [&] {
    std::vector<torch::Tensor> losses;
    for (const auto& l : model.forwardExits(in)) losses.push_back(torch::nn::functional::cross_entropy(l, labels));
    opt.zero_grad();
    torch::stack(losses).sum().backward();
    opt.step();
  };
  step();  // warm-up
  auto t0 = Clock::now();
  step();
  const double stepS = secondsSince(t0);
  sweet::GradientRecorderConfig rc;
  rc.every = 50;
  sweet::GradientRecorder recorder(model, rc, in, labels);
  t0 = Clock::now();
  sweet::GradientRecord r = recorder.record(1);
  const double recordS = secondsSince(t0);
  const std::string path = (std::filesystem::temp_directory_path() / "bench_gradient_recorder.h5").string();
  sweet::RunFileLayout layout;
  layout.method = "ee";
  layout.label_names = {"a", "b", "c"};
  layout.exit_layers = {1, 4, 6, 12};
  layout.record_gradients = true;
  layout.gradient_layers = recorder.layers();
  layout.gradient_matrix = rc.matrix;
  layout.gradient_rows = recorder.rows();
  layout.gradient_cols = recorder.cols();
  double writeS = 0;
  {
    sweet::RunFileWriter writer(path, layout);
    t0 = Clock::now();
    writer.appendGradientRecord(1, r.raw, r.norms, r.cosines);
    writeS = secondsSince(t0);
  }
  const double mb = static_cast<double>(r.raw.size()) * 4 / 1e6;
  std::printf("BERT-base EE, batch 16 x 128, 2 threads\n");
  std::printf("  training step               %8.2f s\n", stepS);
  std::printf("  gradient record (forward + 4 exit backwards, %zu layers x 4 exits of %lld x %lld)  %8.2f s  (%.2fx a step)\n",
              recorder.layers().size(), (long long)recorder.rows(), (long long)recorder.cols(), recordS, recordS / stepS);
  std::printf("  append to run file (%.0f MB raw, gzip 1) %8.2f s  (%.2fx the record's compute)\n", mb, writeS, writeS / recordS);
  for (int k : {50, 100, 200})
    std::printf("  overhead at every=%-3d       %8.1f %%\n", k, 100.0 * (recordS + writeS) / (k * stepS));
  std::filesystem::remove(path);
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  const auto dir = std::filesystem::temp_directory_path() / "bench_gradient_recorder";
  std::filesystem::create_directories(dir);
  const std::string cfg = (dir / "config.json").string();
  std::filesystem::copy_file(SWEET_SOURCE_DIR "/resources/demo/config.json", cfg,
                             std::filesystem::copy_options::overwrite_existing);
  const std::string ck = sweet::ensureDemoCheckpoint(cfg, (dir / "ck").string());
  // Interleaved repetitions, best of three each: robust to other work on the machine.
  // --quick (CI): one each, the harness checked, not the timing.
  const int repetitions = quick ? 1 : 3;
  double without = 1e9, with = 1e9;
  for (int rep = 0; rep < repetitions; ++rep) {
    without = std::min(without, demoLoopSeconds(ck, (dir / "runs").string(), 0));
    with = std::min(with, demoLoopSeconds(ck, (dir / "runs").string(), 50));
  }
  std::printf("demo model (12 x 64), 100 steps of 32, 2 threads, best of %d\n", repetitions);
  std::printf("  without recorder %8.2f s\n  with (every 50)  %8.2f s\n  overhead         %8.1f %%  (target <= 5 %%)\n", without,
              with, 100.0 * (with - without) / without);
  if (!quick) bertBase();
  std::filesystem::remove_all(dir);
  return 0;
}
