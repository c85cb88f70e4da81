// What produced a result: the version and git commit baked in at build time (generated
// into one translation unit by cmake/WriteBuildInfo.cmake), recorded in every run file
// and printed by `sweet --version`.
#pragma once

namespace sweet {

const char* sweetVersion();
const char* sweetGitCommit();  // short hash, "-dirty" with uncommitted changes, or "unknown"

}  // namespace sweet
