// The manifest of a model folder saved by sweet train (sweet-manifest.json): the SHA-256 of
// every file written into the folder and the identity of the run that trained it (its run
// file's name and the SHA-256 of its configuration). Loading checks the files, so a flipped
// bit or a replaced model.safetensors is refused naming the file rather than predicting with
// other weights; `sweet infer --run` checks the identity, so another seed's run file (and
// its temperatures) is refused rather than applied. A folder without a manifest (a Hugging
// Face download, a model saved before manifests) loads as it always did.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace sweet {

inline constexpr const char* kModelManifestFile = "sweet-manifest.json";

struct ModelRunIdentity {
  std::string run_file;       // the run file's name, without its folder: <run>.h5
  std::string config_sha256;  // configSha256 of the run file's config attribute
};

struct ModelManifest {
  std::map<std::string, std::string> files;  // file name in the folder -> SHA-256
  ModelRunIdentity run;
};

// The SHA-256 of a run's configuration as the run file stores it (its config attribute).
std::string configSha256(const std::string& configText);

// Hashes every file in `dir` and writes the manifest beside them: call it on the complete
// folder before it is renamed into place. Throws naming the file that cannot be read or written.
void writeModelManifest(const std::string& dir, const ModelRunIdentity& run);

// Reads `dir`'s manifest: nullopt when it has none; throws naming the manifest when it is
// not one. Reads no other file.
std::optional<ModelManifest> readModelManifest(const std::string& dir);

// Checks every file the manifest lists against its SHA-256 (about 1 s per 400 MB); throws
// naming the file and both hashes on a mismatch, or the file when it is missing. nullopt
// when the folder has no manifest.
std::optional<ModelManifest> verifyModelManifest(const std::string& dir);

// Throws, naming both, when the run file `runFile` (whose config attribute is `configText`)
// is not the run the manifest of `modelDir` records.
void checkRunOfModel(const ModelManifest& manifest, const std::string& modelDir, const std::string& runFile,
                     const std::string& configText);

}  // namespace sweet
