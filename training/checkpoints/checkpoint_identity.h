// What identifies a checkpoint across copies: its folder's name and a hash of its content
// (config.json and the weights file). Stored in every run file, so seeds trained from the
// same checkpoint in different folders pool in reports (analysis::groupBySeed), while two
// checkpoints that share a name but not their weights stay apart. Torch-free.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace sweet {

// 64-bit FNV-1a over 8-byte words (the tail byte by byte) of every file in turn, as 16 hex
// digits. Not cryptographic: it tells copies apart from different checkpoints, nothing
// more. A bert-base weights file (440 MB) hashes in well under a second, next to an hour
// of training. Throws std::runtime_error naming a file it cannot read.
std::string contentHash(const std::vector<std::string>& files);

// {"name": last component of `dir`, "hash": contentHash({dir/config.json, weightsFile})}.
nlohmann::json checkpointIdentity(const std::string& dir, const std::string& weightsFile);

}  // namespace sweet
