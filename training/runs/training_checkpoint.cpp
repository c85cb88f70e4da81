// Resume checkpoint file: see training_checkpoint.h.
#include "training/runs/training_checkpoint.h"

#include <torch/serialize.h>
#include <torch/torch.h>

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "training/checkpoints/checked_file.h"
#include "training/checkpoints/sha256.h"

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

std::string checksumPath(const std::string& path) { return path + ".sha256"; }

// sha256sum's format ("DIGEST  NAME"), so `sha256sum -c` checks it too.
void writeChecksum(const std::string& digest, const std::string& checkpointName, const std::string& path) {
  writeCheckedFile(path, digest + "  " + checkpointName + "\n", /*sync=*/true);
}

// The digest a checksum file records; empty when the file is absent or unreadable.
std::string recordedDigest(const std::string& path) {
  std::ifstream in(path);
  std::string digest;
  in >> digest;
  return digest;
}

// The checkpoint's bytes against the digest recorded when it was written. A bit flipped in
// tensor data loads without complaint and the run goes on with other numbers, so nothing
// is loaded unverified. The new checksum is in place (as .sha256.partial) before the new
// checkpoint is renamed into place, so a kill between the two renames leaves a pair that
// verifies.
void verifyChecksum(const std::string& path) {
  const std::string recorded = recordedDigest(checksumPath(path));
  const std::string pending = recordedDigest(checksumPath(path) + ".partial");
  const std::string name = fs::path(path).filename().string();
  if (recorded.empty() && pending.empty())
    throw std::runtime_error(path + ": no checksum beside it (" + name + ".sha256), so it cannot be verified (written "
                             "before checkpoints carried checksums, or moved without it); pass --overwrite to start the run over, or, if you "
                             "trust the file, record its checksum with `sha256sum " + name + " > " + name +
                             ".sha256` in its folder");
  const std::string actual = sha256OfFile(path);
  if (actual != recorded && actual != pending)
    throw std::runtime_error(path + ": damaged: its SHA-256 differs from the one recorded when it was written (" +
                             name + ".sha256), so it would not continue the run bit for bit; pass --overwrite to start "
                             "the run over");
}

}  // namespace

void removeTrainingCheckpoint(const std::string& path) {
  for (const std::string& file : {path, checksumPath(path), path + ".partial", checksumPath(path) + ".partial"}) {
    std::error_code ec;
    if (!fs::remove(file, ec) && ec && ec != std::errc::no_such_file_or_directory)
      throw std::runtime_error(file + ": cannot remove: " + ec.message());
  }
}

namespace {

torch::serialize::OutputArchive checkpointArchive(const TrainingCheckpoint& c) {
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
  // Written only where they say something, so an fp32 run's checkpoint is what it was.
  if (!c.precision.empty() && c.precision != "fp32") archive.write("precision", c10::IValue(c.precision));
  if (c.batches_drawn >= 0) archive.write("batches_drawn", c10::IValue(c.batches_drawn));
  for (size_t i = 0; i < c.loss_scaler.size(); ++i)
    archive.write("loss_scaler_" + std::to_string(i), c.loss_scaler[i].to(torch::kCPU), true);
  return archive;
}

// The new checkpoint and its checksum as .partial files, both on disk. Through our own
// descriptor, not save_to(filename): libtorch's file writer, on a short write (a full
// disk), throws again from its destructor and the process aborts ("unexpected pos").
void writePartials(const TrainingCheckpoint& c, const std::string& path, const std::string& partial,
                   const std::string& pendingChecksum) {
  CheckedFile file(partial);
  try {
    checkpointArchive(c).save_to([&file](const void* data, size_t n) { return file.write(data, n); });
  } catch (const c10::Error& e) {
    throw std::runtime_error(partial + ": cannot serialise the checkpoint: " + e.what_without_backtrace());
  }
  // Data on disk before the rename, the rename on disk before we report success: a power
  // cut leaves the old checkpoint or the new one.
  file.finish(/*sync=*/true);
  writeChecksum(sha256OfFile(partial), fs::path(path).filename().string(), pendingChecksum);
}

}  // namespace

void saveTrainingCheckpoint(const TrainingCheckpoint& c, const std::string& path) {
  const std::string partial = path + ".partial", pendingChecksum = checksumPath(path) + ".partial";
  try {
    writePartials(c, path, partial, pendingChecksum);
  } catch (const std::exception& e) {
    // A failed write leaves nothing behind and touches nothing earlier: the previous
    // checkpoint and its checksum still resume the run from their step.
    std::error_code ignored;
    fs::remove(partial, ignored);
    fs::remove(pendingChecksum, ignored);
    throw std::runtime_error(path + ": cannot write the resume checkpoint (" + e.what() + ")" +
                             (fs::exists(path, ignored) ? "; the previous checkpoint is kept" : ""));
  }
  std::error_code ec;
  fs::rename(partial, path, ec);
  if (ec) throw std::runtime_error(path + ": cannot move the new checkpoint into place: " + ec.message());
  fs::rename(pendingChecksum, checksumPath(path), ec);
  if (ec) throw std::runtime_error(checksumPath(path) + ": cannot move the new checksum into place: " + ec.message());
  const fs::path parent = fs::path(path).parent_path();
  fsyncPath(parent.empty() ? "." : parent.string(), true);
}

TrainingCheckpoint loadTrainingCheckpoint(const std::string& path) {
  if (!fs::exists(path)) throw std::runtime_error(path + ": no such checkpoint");
  verifyChecksum(path);
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
    if (archive.try_read("precision", v)) c.precision = v.toStringRef();
    if (archive.try_read("batches_drawn", v)) c.batches_drawn = v.toInt();
    for (torch::Tensor state; archive.try_read("loss_scaler_" + std::to_string(c.loss_scaler.size()), state, true);)
      c.loss_scaler.push_back(state);
  } catch (const c10::Error& e) {
    throw std::runtime_error(path + ": not a readable resume checkpoint (" + e.what_without_backtrace() +
                             "); delete it and pass --overwrite to start the run over");
  }
  return c;
}

}  // namespace sweet
