// The run file's /speed group: see speed_record.h and docs/run-file.md.
#include "speed_record.h"

#include "hdf5_close.h"
#include "hdf5_util.h"

#include <H5Cpp.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <cstdio>
#include <sstream>
#include <stdexcept>

namespace sweet::analysis {
namespace {

constexpr const char* kStageNames = "embeddings,layers,heads,decisions,compaction";

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::runtime_error(path + ": " + what);
}

std::vector<double> column(const std::vector<SpeedPoint>& points, double SpeedPoint::*field) {
  std::vector<double> out;
  for (const SpeedPoint& p : points) out.push_back(p.*field);
  return out;
}

void writeFloat64(H5::Group& group, const std::string& name, const h5::Shape& shape, const std::vector<double>& v) {
  H5::DataSpace space(static_cast<int>(shape.size()), shape.data());
  group.createDataSet(name, H5::PredType::NATIVE_DOUBLE, space).write(v.data(), H5::PredType::NATIVE_DOUBLE);
}

std::vector<double> readFloat64(const H5::Group& group, const std::string& name, h5::Shape* shape) {
  H5::DataSet ds = group.openDataSet(name);
  H5::DataSpace space = ds.getSpace();
  h5::Shape dims(static_cast<size_t>(space.getSimpleExtentNdims()));
  space.getSimpleExtentDims(dims.data());
  hsize_t n = 1;
  for (hsize_t d : dims) n *= d;
  std::vector<double> v(n);
  if (n) ds.read(v.data(), H5::PredType::NATIVE_DOUBLE);
  if (shape) *shape = dims;
  return v;
}

std::string fmt(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

std::string padded(const std::string& s, size_t width) { return s.size() >= width ? s + " " : s + std::string(width - s.size(), ' '); }

}  // namespace

std::string formatSpeedMeasurement(const SpeedMeasurement& m, const std::string& indent) {
  std::ostringstream out;
  out << indent << "batch " << m.batchSize << (m.rebatch ? " (re-batched)" : "") << (m.learned ? ", learned exiting" : "")
      << " on " << m.device << ", "
      << m.threads << " thread(s), " << m.instances
      << " instances, median of " << m.repeats << " timed pass(es) after " << m.warmup << " warm-up; "
      << (m.calibrated ? "temperature-scaled" : "raw") << " confidences; measured " << m.measuredAt << "\n";
  out << indent << "  without exiting (last exit only): " << fmt("%.3f", m.baselineSeconds) << " s, "
      << fmt("%.1f", m.baselineSeconds > 0 ? static_cast<double>(m.instances) / m.baselineSeconds : 0) << " inst/s, "
      << m.metric << " " << fmt("%.4f", m.baselineScore) << "\n";
  out << indent << "  " << padded("threshold", 11) << padded("exits taken", 20) << padded("layer speedup", 15)
      << padded("measured", 10) << padded("ratio", 7) << padded("inst/s", 9) << padded(m.metric, 10)
      << "time: embed/layers/heads/decide/compact %\n";
  for (const SpeedPoint& p : m.points) {
    std::string counts;
    for (size_t e = 0; e < p.exitCounts.size(); ++e) counts += (e ? "/" : "") + std::to_string(p.exitCounts[e]);
    const StageSeconds& s = p.stages;
    const double total = s.embeddings + s.layers + s.heads + s.decisions + s.compaction;
    std::string stages;
    for (double v : {s.embeddings, s.layers, s.heads, s.decisions, s.compaction})
      stages += (stages.empty() ? "" : "/") + fmt("%.0f", total > 0 ? 100 * v / total : 0);
    out << indent << "  " << padded(fmt("%.4g", p.threshold), 11) << padded(counts, 20)
        << padded(fmt("%.2fx", p.layerSpeedup), 15) << padded(fmt("%.2fx", p.measuredSpeedup), 10)
        << padded(fmt("%.2f", p.layerSpeedup > 0 ? p.measuredSpeedup / p.layerSpeedup : 0), 7)
        << padded(fmt("%.1f", p.instancesPerSecond), 9) << padded(fmt("%.4f", p.score), 10) << stages << "\n";
  }
  return out.str();
}

std::string speedGroupName(const std::string& device, int64_t batchSize, int64_t threads, bool rebatch,
                           bool learned) {
  std::string d = device;
  std::replace(d.begin(), d.end(), ':', '_');  // "cuda:1" would read as a path oddity
  return d + "-b" + std::to_string(batchSize) + "-t" + std::to_string(threads) + (rebatch ? "-rebatch" : "") +
         (learned ? "-learned" : "");
}

namespace {

void writeSpeedGroup(H5::H5File& file, const SpeedMeasurement& m) {
  H5::Group speed = h5::exists(file, "/speed") ? file.openGroup("/speed") : file.createGroup("/speed");
  // Replacing a measurement unlinks the old group; its bytes stay in the file (HDF5 does
  // not reclaim space without h5repack), a few kilobytes per re-measurement.
  if (h5::exists(speed, m.name)) speed.unlink(m.name);
  H5::Group g = speed.createGroup(m.name);
  h5::writeStringAttr(g, "device", m.device);
  h5::writeInt64Attr(g, "batch_size", m.batchSize);
  h5::writeInt64Attr(g, "threads", m.threads);
  h5::writeInt64Attr(g, "repeats", m.repeats);
  h5::writeInt64Attr(g, "warmup", m.warmup);
  h5::writeInt64Attr(g, "instances", m.instances);
  h5::writeInt64Attr(g, "calibrated", m.calibrated ? 1 : 0);
  h5::writeInt64Attr(g, "rebatch", m.rebatch ? 1 : 0);
  if (m.learned) h5::writeStringAttr(g, "rule", "learned");  // absent: confidence, as before it existed
  h5::writeStringAttr(g, "metric", m.metric);
  h5::writeStringAttr(g, "measured_at", m.measuredAt);
  h5::writeStringAttr(g, "libtorch_version", m.libtorchVersion);
  h5::writeFloat64Attr(g, "baseline_seconds", m.baselineSeconds);
  h5::writeFloat64Attr(g, "baseline_score", m.baselineScore);
  h5::writeStringAttr(g, "stage_names", kStageNames);
  const hsize_t P = m.points.size(), E = m.points.empty() ? 0 : m.points.front().exitCounts.size();
  writeFloat64(g, "threshold", {P}, column(m.points, &SpeedPoint::threshold));
  writeFloat64(g, "layer_speedup", {P}, column(m.points, &SpeedPoint::layerSpeedup));
  writeFloat64(g, "measured_speedup", {P}, column(m.points, &SpeedPoint::measuredSpeedup));
  writeFloat64(g, "seconds", {P}, column(m.points, &SpeedPoint::seconds));
  writeFloat64(g, "instances_per_second", {P}, column(m.points, &SpeedPoint::instancesPerSecond));
  writeFloat64(g, "score", {P}, column(m.points, &SpeedPoint::score));
  std::vector<int64_t> counts;
  std::vector<double> stages;
  for (const SpeedPoint& p : m.points) {
    if (p.exitCounts.size() != E) throw std::invalid_argument("writeSpeedMeasurement: exit counts of unequal length");
    counts.insert(counts.end(), p.exitCounts.begin(), p.exitCounts.end());
    stages.insert(stages.end(), {p.stages.embeddings, p.stages.layers, p.stages.heads, p.stages.decisions,
                                 p.stages.compaction});
  }
  h5::writeInt64(g, "exit_counts", {P, E}, counts.data());
  writeFloat64(g, "stage_seconds", {P, 5}, stages);
}

// A measurement's group takes a few kilobytes; HDF5 allocates its metadata in blocks of
// up to 64 KiB.
constexpr off_t kMeasurementRoom = 256 * 1024;

// Copies `from` into `to`, synced; "" or why not (strerror of the failed call).
std::string copySynced(const std::string& from, const std::string& to) {
  const int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return std::string("cannot read ") + from + ": " + std::strerror(errno);
  const int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) {
    const int error = errno;
    ::close(in);
    return std::strerror(error);
  }
  // The run file's permissions go with the copy that replaces it.
  struct stat mode {};
  int error = ::fstat(in, &mode) == 0 && ::fchmod(out, mode.st_mode & 07777) == 0 ? 0 : errno;
  std::vector<char> buffer(1 << 20);
  while (error == 0) {
    const ssize_t n = ::read(in, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = errno;
      break;
    }
    if (n == 0) break;
    for (ssize_t done = 0; done < n;) {
      const ssize_t w = ::write(out, buffer.data() + done, static_cast<size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) {
        error = errno;
        break;
      }
      done += w;
    }
    if (error) break;
  }
  // Room for the measurement reserved behind the copy's end, where HDF5 will append it (a
  // file longer than its end-of-address opens as usual): a full disk or a file-size limit
  // then fails here, cleanly, not in the middle of HDF5's writes and closes.
  const off_t end = error == 0 ? ::lseek(out, 0, SEEK_END) : 0;
  if (error == 0 && end >= 0) error = ::posix_fallocate(out, end, kMeasurementRoom);
  if (error == 0 && ::fsync(out) != 0) error = errno;
  if (::close(out) != 0 && error == 0) error = errno;
  ::close(in);
  return error == 0 ? "" : std::strerror(error);
}

// fsync of a written file; "" or why not.
std::string syncFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::strerror(errno);
  const int error = ::fsync(fd) != 0 ? errno : 0;
  ::close(fd);
  return error == 0 ? "" : std::strerror(error);
}

// fsync of the folder holding `path`, so a rename in it survives a crash; best effort
// (the measurement is in place either way).
void syncFolderOf(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  const std::string folder = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

// `m` written into the copy at `building`; "" or why not. A write that fails for want of
// space fails in the copy, whose close cannot then crash the process (closeWrittenFile).
std::string addMeasurement(const std::string& building, const SpeedMeasurement& m) {
  H5::H5File copy;
  try {
    copy.openFile(building, H5F_ACC_RDWR);
  } catch (const H5::Exception& e) {
    return h5::describe(building, "cannot open the copy", e);
  }
  std::string cause;
  errno = 0;
  try {
    writeSpeedGroup(copy, m);
  } catch (const H5::Exception& e) {
    cause = errno != 0 ? std::strerror(errno) : e.getDetailMsg();
  } catch (const std::exception& e) {  // a malformed measurement: the copy is still closed and removed
    cause = e.what();
  }
  const std::string closed = h5::closeWrittenFile(copy, {});
  return cause.empty() ? closed : cause;
}

}  // namespace

// Written into a copy that replaces the run file only once it is on disk: a finished run's
// file is never open for writing in place, where a disk that filled mid-write (or a kill)
// left it unreadable and crashed the process at exit. Costs one copy of the file per
// measurement.
void writeSpeedMeasurement(const std::string& runFile, const SpeedMeasurement& m) {
  // Held open (read-only: a shared lock) to the end: HDF5 refuses a file a live writer
  // holds, or one a killed writer left flagged, as opening it for writing in place did;
  // and no writer can open it while the copy is made.
  H5::H5File held;
  try {
    held.openFile(runFile, H5F_ACC_RDONLY);
  } catch (const H5::Exception& e) {
    throw std::runtime_error(h5::describe(runFile, "cannot write the speed measurement /speed/" + m.name, e));
  }
  const std::string building = runFile + ".speed.partial";
  std::string cause = copySynced(runFile, building);
  if (cause.empty()) cause = addMeasurement(building, m);
  if (cause.empty()) cause = syncFile(building);
  if (cause.empty() && std::rename(building.c_str(), runFile.c_str()) != 0)
    cause = std::string("cannot rename it over the run file: ") + std::strerror(errno);
  if (cause.empty()) {
    syncFolderOf(runFile);  // the rename itself on disk
    return;
  }
  std::remove(building.c_str());
  throw std::runtime_error(runFile + ": cannot store the speed measurement /speed/" + m.name + " (" + building +
                           ": cannot write: " + cause + "); the run file is unchanged");
}

std::vector<SpeedMeasurement> readSpeedMeasurements(const std::string& path, const H5::H5File& file) {
  std::vector<SpeedMeasurement> out;
  if (!h5::exists(file, "/speed")) return out;
  H5::Group speed = file.openGroup("/speed");
  for (hsize_t i = 0; i < speed.getNumObjs(); ++i) {
    const std::string name = speed.getObjnameByIdx(i);
    const std::string where = "/speed/" + name;
    H5::Group g = speed.openGroup(name);
    SpeedMeasurement m;
    m.name = name;
    m.device = h5::readStringAttr(g, "device");
    m.batchSize = h5::readInt64Attr(g, "batch_size");
    m.threads = h5::readInt64Attr(g, "threads");
    m.repeats = h5::readInt64Attr(g, "repeats");
    m.warmup = h5::readInt64Attr(g, "warmup");
    m.instances = h5::readInt64Attr(g, "instances");
    m.calibrated = h5::readInt64Attr(g, "calibrated") != 0;
    // Absent in files measured before re-batching existed, which never re-batched.
    m.rebatch = h5::hasAttr(g, "rebatch") && h5::readInt64Attr(g, "rebatch") != 0;
    m.learned = h5::hasAttr(g, "rule") && h5::readStringAttr(g, "rule") == "learned";
    m.metric = h5::readStringAttr(g, "metric");
    m.measuredAt = h5::readStringAttr(g, "measured_at");
    m.libtorchVersion = h5::readStringAttr(g, "libtorch_version");
    m.baselineSeconds = h5::readFloat64Attr(g, "baseline_seconds");
    m.baselineScore = h5::readFloat64Attr(g, "baseline_score");
    h5::Shape shape;
    const auto thresholds = readFloat64(g, "threshold", &shape);
    const size_t P = thresholds.size();
    auto same = [&](const std::string& dataset) {
      auto v = readFloat64(g, dataset, nullptr);
      if (v.size() != P) fail(path, where + "/" + dataset + " has " + std::to_string(v.size()) + " values for " +
                                        std::to_string(P) + " thresholds");
      return v;
    };
    const auto layer = same("layer_speedup"), measured = same("measured_speedup"), seconds = same("seconds"),
               rate = same("instances_per_second"), score = same("score");
    h5::Shape countShape, stageShape;
    const auto counts = h5::readInt64(g, "exit_counts", &countShape);
    const auto stages = readFloat64(g, "stage_seconds", &stageShape);
    if (countShape.size() != 2 || countShape[0] != P) fail(path, where + "/exit_counts is not [thresholds, exits]");
    if (stageShape.size() != 2 || stageShape[0] != P || stageShape[1] != 5)
      fail(path, where + "/stage_seconds is not [thresholds, 5]");
    const size_t E = countShape[1];
    for (size_t p = 0; p < P; ++p) {
      SpeedPoint point;
      point.threshold = thresholds[p];
      point.layerSpeedup = layer[p];
      point.measuredSpeedup = measured[p];
      point.seconds = seconds[p];
      point.instancesPerSecond = rate[p];
      point.score = score[p];
      point.exitCounts.assign(counts.begin() + static_cast<std::ptrdiff_t>(p * E),
                              counts.begin() + static_cast<std::ptrdiff_t>((p + 1) * E));
      const double* s = stages.data() + p * 5;
      point.stages = {s[0], s[1], s[2], s[3], s[4]};
      m.points.push_back(std::move(point));
    }
    out.push_back(std::move(m));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

}  // namespace sweet::analysis
