// What to do with a resume checkpoint (TrainConfig::checkpointPath) found beside the run
// file. Torch-free, so callers that only choose a policy (CLI, GUI) stay light.
#pragma once

namespace sweet {

// Never: ignore it (a fresh run; an earlier run file still needs `overwrite`).
// IfPresent: continue from it when its configuration matches, refuse when it differs,
// start fresh when there is none. Required: as IfPresent, but no checkpoint is an error.
enum class ResumePolicy { Never, IfPresent, Required };

}  // namespace sweet
