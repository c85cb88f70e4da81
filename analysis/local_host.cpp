// This machine's host name: see local_host.h.
#include "analysis/local_host.h"

#include <unistd.h>

namespace sweet::analysis {

std::string localHostName() {
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  return host;
}

}  // namespace sweet::analysis
