// safetensors reader/writer: see safetensors.h.
#include "training/checkpoints/safetensors.h"

#include "training/checkpoints/checked_file.h"
#include "training/checkpoints/safetensors_header.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <stdexcept>

namespace sweet {
namespace {

// Keeps a read-only mapping alive for as long as any tensor views it.
class Mapping {
 public:
  Mapping(void* data, size_t size) : data_(data), size_(size) {}
  ~Mapping() { munmap(data_, size_); }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  const uint8_t* bytes() const { return static_cast<const uint8_t*>(data_); }
  size_t size() const { return size_; }

 private:
  void* data_;
  size_t size_;
};

std::runtime_error fileError(const std::string& path, const std::string& what) {
  return std::runtime_error(path + ": " + what);
}

const std::vector<std::pair<std::string, at::ScalarType>>& dtypeTable() {
  static const std::vector<std::pair<std::string, at::ScalarType>> table = {
      {"F64", at::kDouble}, {"F32", at::kFloat}, {"F16", at::kHalf},  {"BF16", at::kBFloat16},
      {"I64", at::kLong},   {"I32", at::kInt},   {"I16", at::kShort}, {"I8", at::kChar},
      {"U8", at::kByte},    {"BOOL", at::kBool}};
  return table;
}

}  // namespace

at::ScalarType safetensorsDtype(const std::string& name) {
  for (const auto& [n, t] : dtypeTable())
    if (n == name) return t;
  throw std::runtime_error("unsupported safetensors dtype '" + name + "'");
}

std::string safetensorsDtypeName(at::ScalarType type) {
  for (const auto& [n, t] : dtypeTable())
    if (t == type) return n;
  throw std::runtime_error(std::string("dtype ") + c10::toString(type) +
                           " cannot be stored in safetensors");
}

SafetensorsContents loadSafetensors(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) throw fileError(path, std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    ::close(fd);
    throw fileError(path, "cannot stat");
  }
  const size_t fileSize = static_cast<size_t>(st.st_size);
  if (fileSize < 8) {
    ::close(fd);
    throw fileError(path, "truncated safetensors file (" + std::to_string(fileSize) +
                              " bytes, shorter than the 8-byte header length)");
  }
  void* data = mmap(nullptr, fileSize, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (data == MAP_FAILED) throw fileError(path, std::string("mmap failed: ") + std::strerror(errno));
  auto mapping = std::make_shared<Mapping>(data, fileSize);

  const SafetensorsHeader header = parseSafetensorsHeader(mapping->bytes(), fileSize, path);
  SafetensorsContents out;
  out.metadata = header.metadata;
  for (const SafetensorsEntry& entry : header.tensors) {
    void* ptr = const_cast<uint8_t*>(mapping->bytes() + header.dataStart + entry.begin);
    out.tensors[entry.name] = torch::from_blob(ptr, entry.shape, [mapping](void*) {},
                                               torch::TensorOptions().dtype(safetensorsDtype(entry.dtype)));
    out.dtypes[entry.name] = entry.dtype;
  }
  return out;
}

void saveSafetensors(const std::string& path,
                     const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                     const std::map<std::string, std::string>& metadata) {
  // nlohmann::ordered_json keeps insertion order, so the header (and file) is deterministic.
  nlohmann::ordered_json header;
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::vector<at::Tensor> contiguous;
  contiguous.reserve(tensors.size());
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    at::Tensor t = tensor.detach().to(torch::kCPU).contiguous();
    const uint64_t bytes = static_cast<uint64_t>(t.numel()) * t.element_size();
    header[name] = {{"dtype", safetensorsDtypeName(t.scalar_type())},
                    {"shape", t.sizes().vec()},
                    {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    contiguous.push_back(t);
  }
  std::string headerText = header.dump();
  // Pad the header with spaces so tensor data starts 8-byte aligned, as the reference does.
  while ((8 + headerText.size()) % 8 != 0) headerText.push_back(' ');

  const std::string tmp = path + ".partial";
  {
    // A failed write (full disk, quota) names its cause and leaves no .partial behind.
    CheckedFile out(tmp);
    const uint64_t headerLen = headerText.size();
    out.write(&headerLen, 8);
    out.write(headerText.data(), headerText.size());
    for (const at::Tensor& t : contiguous) out.write(t.data_ptr(), static_cast<size_t>(t.numel() * t.element_size()));
    out.finish(/*sync=*/false);
  }
  // Rename last, so a crash never leaves a half-written checkpoint under the real name.
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw fileError(path, std::string("cannot rename from ") + tmp + ": " + std::strerror(errno));
}

}  // namespace sweet
