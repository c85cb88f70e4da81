// Resume checkpoint file: see training_checkpoint.h.
#include "training/runs/training_checkpoint.h"

#include <torch/serialize.h>
#include <torch/torch.h>

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>

namespace sweet {
namespace fs = std::filesystem;

namespace {

constexpr int64_t kCheckpointFormat = 2;  // 2: per-parameter AdamW update counts

void fsyncPath(const std::string& path, bool directory) {
  const int fd = ::open(path.c_str(), directory ? O_RDONLY | O_DIRECTORY : O_RDONLY);
  if (fd < 0) throw std::runtime_error(path + ": cannot open to sync it to disk");
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0 && !directory) throw std::runtime_error(path + ": cannot sync to disk (disk full or gone?)");
}

}  // namespace

void saveTrainingCheckpoint(const TrainingCheckpoint& c, const std::string& path) {
  const std::string partial = path + ".partial";
  try {
    torch::serialize::OutputArchive archive;
    archive.write("format", c10::IValue(kCheckpointFormat));
    archive.write("config", c10::IValue(c.config_json));
    archive.write("step", c10::IValue(c.step));
    archive.write("pending_record", c10::IValue(c.pending_record));
    archive.write("optimizer_steps", c10::IValue(c.optimizer_steps));
    archive.write("threads", c10::IValue(c.threads));
    torch::serialize::OutputArchive model;
    for (const auto& [name, tensor] : c.model) model.write(name, tensor.to(torch::kCPU), /*is_buffer=*/true);
    archive.write("model", model);
    archive.write("moment_count", c10::IValue(static_cast<int64_t>(c.moments.size())));
    torch::serialize::OutputArchive moments;
    for (size_t i = 0; i < c.moments.size(); ++i) moments.write(std::to_string(i), c.moments[i].to(torch::kCPU), true);
    archive.write("moments", moments);
    archive.write("cpu_rng", c.cpu_rng, true);
    if (c.device_rng.defined()) archive.write("device_rng", c.device_rng, true);
    archive.save_to(partial);
  } catch (const c10::Error& e) {
    fs::remove(partial);
    throw std::runtime_error(partial + ": cannot write checkpoint: " + e.what_without_backtrace());
  }
  // Data on disk before the rename, the rename on disk before we report success: a power
  // cut leaves the old checkpoint or the new one.
  fsyncPath(partial, false);
  std::error_code ec;
  fs::rename(partial, path, ec);
  if (ec) throw std::runtime_error(path + ": cannot move the new checkpoint into place: " + ec.message());
  const fs::path parent = fs::path(path).parent_path();
  fsyncPath(parent.empty() ? "." : parent.string(), true);
}

TrainingCheckpoint loadTrainingCheckpoint(const std::string& path) {
  if (!fs::exists(path)) throw std::runtime_error(path + ": no such checkpoint");
  TrainingCheckpoint c;
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path);
    c10::IValue v;
    archive.read("format", v);
    if (v.toInt() != kCheckpointFormat)
      throw std::runtime_error(path + ": checkpoint format " + std::to_string(v.toInt()) + " is not the one this build reads (" +
                               std::to_string(kCheckpointFormat) + ")");
    archive.read("config", v);
    c.config_json = v.toStringRef();
    archive.read("step", v);
    c.step = v.toInt();
    archive.read("pending_record", v);
    c.pending_record = v.toInt();
    archive.read("optimizer_steps", v);
    c.optimizer_steps = v.toInt();
    archive.read("threads", v);
    c.threads = v.toInt();
    torch::serialize::InputArchive model;
    archive.read("model", model);
    for (const std::string& name : model.keys()) {
      torch::Tensor t;
      model.read(name, t, /*is_buffer=*/true);
      c.model[name] = t;
    }
    archive.read("moment_count", v);
    const int64_t count = v.toInt();
    torch::serialize::InputArchive moments;
    archive.read("moments", moments);
    for (int64_t i = 0; i < count; ++i) {
      torch::Tensor t;
      moments.read(std::to_string(i), t, true);
      c.moments.push_back(t);
    }
    archive.read("cpu_rng", c.cpu_rng, true);
    torch::Tensor deviceRng;
    if (archive.try_read("device_rng", deviceRng, true)) c.device_rng = deviceRng;
  } catch (const c10::Error& e) {
    throw std::runtime_error(path + ": not a readable resume checkpoint (" + e.what_without_backtrace() +
                             "); delete it and pass --overwrite to start the run over");
  }
  return c;
}

}  // namespace sweet
