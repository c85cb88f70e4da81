// Whether the process that wrote a file still marked "running" is known to be gone: the
// rule shared by fine-tuning run files (run_data.h, writerGone) and pre-training run files.
#pragma once

#include <nlohmann/json.hpp>

namespace sweet::analysis {

// `flagged_open`: the file's superblock still says open for writing (a writer closes it,
// clearing the flag, only after its last status write, so a cleared flag means the writer
// ended without marking the run done). Otherwise gone only when `environment`'s "pid" on
// "hostname" is this host's and no such process exists; a writer on another host counts
// as alive.
bool writerProcessGone(bool flagged_open, const nlohmann::json& environment);

}  // namespace sweet::analysis
