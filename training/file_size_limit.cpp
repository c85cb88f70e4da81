// File-size limit as a write error: see file_size_limit.h.
#include "training/file_size_limit.h"

#include <csignal>

namespace sweet {

void treatFileSizeLimitAsWriteError() { std::signal(SIGXFSZ, SIG_IGN); }

}  // namespace sweet
