// Writer liveness: see writer_liveness.h.
#include "analysis/writer_liveness.h"

#include <signal.h>

#include <cerrno>
#include <string>

#include "analysis/local_host.h"

namespace sweet::analysis {

bool writerProcessGone(bool flaggedOpen, const nlohmann::json& environment) {
  if (!flaggedOpen) return true;
  const bool recorded = environment.is_object() && environment.contains("pid") && environment["pid"].is_number_integer() &&
                        environment.contains("hostname") && environment["hostname"].is_string();
  if (!recorded) return false;
  const auto pid = environment["pid"].get<int64_t>();
  if (pid <= 0 || environment["hostname"].get<std::string>() != localHostName()) return false;
  return kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

}  // namespace sweet::analysis
