// Stop requests from signals: see stop_signals.h.
#include "cli/stop_signals.h"

#include <csignal>

namespace sweet::cli {
namespace {

StopRequest gStop;  // one per process: a handler can reach only globals

extern "C" void onStopSignal(int signal) {
  int none = 0;
  gStop.signal.compare_exchange_strong(none, signal);
  gStop.requested = true;
}

}  // namespace

int StopRequest::exitStatus() const {
  const int caught = signal.load();
  return 128 + (caught ? caught : SIGINT);
}

StopRequest& stopOnSignals(std::initializer_list<int> signals, int flags) {
  struct sigaction action = {};
  action.sa_handler = onStopSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = flags;
  for (int signal : signals) sigaction(signal, &action, nullptr);
  return gStop;
}

}  // namespace sweet::cli
