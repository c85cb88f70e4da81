// Model folder manifests: see model_manifest.h.
#include "training/checkpoints/model_manifest.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "training/checkpoints/sha256.h"

namespace sweet {
namespace fs = std::filesystem;

namespace {

constexpr const char* kFormat = "sweet-model-manifest";

std::string manifestPath(const std::string& dir) { return (fs::path(dir) / kModelManifestFile).string(); }

// A hash as the messages print it: enough to tell two apart at a glance.
std::string shortHash(const std::string& hex) { return hex.substr(0, 16) + "…"; }

ModelManifest parseManifest(const nlohmann::json& j, const std::string& path) {
  if (!j.is_object() || j.value("format", "") != kFormat || !j.contains("files") || !j["files"].is_object())
    throw std::runtime_error(path + ": not a model manifest (expected format \"" + kFormat + "\" with a files object)");
  ModelManifest m;
  for (const auto& [name, hash] : j["files"].items()) {
    // A name with a folder in it would let the manifest send the check outside the folder.
    if (!hash.is_string() || hash.get<std::string>().size() != 64 || fs::path(name).filename().string() != name)
      throw std::runtime_error(path + ": files." + name + " must be a file name with a 64-digit SHA-256");
    m.files[name] = hash.get<std::string>();
  }
  if (j.contains("run") && j["run"].is_object()) {
    m.run.run_file = j["run"].value("run_file", "");
    m.run.config_sha256 = j["run"].value("config_sha256", "");
  }
  return m;
}

}  // namespace

std::string configSha256(const std::string& configText) {
  Sha256 hash;
  hash.update(configText.data(), configText.size());
  return hash.hexDigest();
}

void writeModelManifest(const std::string& dir, const ModelRunIdentity& run) {
  nlohmann::json files = nlohmann::json::object();
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_regular_file() && entry.path().filename() != kModelManifestFile)
      files[entry.path().filename().string()] = sha256OfFile(entry.path().string());
  const nlohmann::json j = {{"format", kFormat},
                            {"files", files},
                            {"run", {{"run_file", run.run_file}, {"config_sha256", run.config_sha256}}}};
  const std::string path = manifestPath(dir);
  std::ofstream out(path, std::ios::trunc);
  out << j.dump(2) << "\n";
  out.close();
  if (!out) throw std::runtime_error(path + ": cannot write the model's manifest");
}

std::optional<ModelManifest> readModelManifest(const std::string& dir) {
  const std::string path = manifestPath(dir);
  if (!fs::exists(path)) return std::nullopt;
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot read the model's manifest");
  try {
    return parseManifest(nlohmann::json::parse(in), path);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(path + ": not valid JSON (" + e.what() + ")");
  }
}

std::optional<ModelManifest> verifyModelManifest(const std::string& dir) {
  std::optional<ModelManifest> manifest = readModelManifest(dir);
  if (!manifest) return manifest;
  for (const auto& [name, expected] : manifest->files) {
    const std::string file = (fs::path(dir) / name).string();
    if (!fs::exists(file))
      throw std::runtime_error(file + ": missing, but " + manifestPath(dir) + " lists it: the model folder is incomplete; "
                               "restore the file or train the run again");
    const std::string actual = sha256OfFile(file);
    if (actual != expected)
      throw std::runtime_error(file + ": damaged or replaced: its SHA-256 is " + actual + ", " + manifestPath(dir) +
                               " records " + expected + " from when sweet train saved it; restore the file or train "
                               "the run again (a file changed on purpose: delete the manifest to load the folder unchecked)");
  }
  return manifest;
}

void checkRunOfModel(const ModelManifest& manifest, const std::string& modelDir, const std::string& runFile,
                     const std::string& configText) {
  if (manifest.run.config_sha256.empty()) return;  // a manifest that records no run
  const std::string actual = configSha256(configText);
  if (actual == manifest.run.config_sha256) return;
  throw std::runtime_error(runFile + " is not the run of " + modelDir + ": the model was trained by " +
                           manifest.run.run_file + " (configuration SHA-256 " + shortHash(manifest.run.config_sha256) +
                           "), this run file's configuration differs (SHA-256 " + shortHash(actual) +
                           "; another seed, cap or learning rate): its temperatures and dev set are not the model's. "
                           "Pass the model's own run file with --run");
}

}  // namespace sweet
