// A one-line progress bar on stderr for training runs (step, per-exit losses, lr,
// examples/s, ETA), redrawn at most a few times a second so logs stay small.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

#include <unistd.h>

#include "training/runs/trainer.h"

namespace sweet::cli {

class ProgressPrinter {
 public:
  explicit ProgressPrinter(std::string label) : label_(std::move(label)), tty_(isatty(STDERR_FILENO) != 0) {}

  bool operator()(const StepMetrics& m) {
    const auto now = std::chrono::steady_clock::now();
    // A terminal gets a bar redrawn in place; a log file gets one line per 10 % instead
    // of thousands of carriage-return frames.
    const int64_t tenth = std::max<int64_t>(1, m.total_steps / 10);
    if (m.step != m.total_steps) {
      if (tty_ && now - last_ < std::chrono::milliseconds(250)) return true;
      if (!tty_ && m.step % tenth != 0) return true;
    }
    last_ = now;
    const int width = 24;
    const int filled = static_cast<int>(width * m.step / std::max<int64_t>(1, m.total_steps));
    std::string bar(static_cast<size_t>(filled), '#');
    bar.resize(width, '.');
    std::string losses;
    for (float l : m.exit_losses) {
      char buf[16];
      std::snprintf(buf, sizeof(buf), "%s%.3f", losses.empty() ? "" : " ", l);
      losses += buf;
    }
    std::fprintf(stderr, "%s%s [%s] %lld/%lld loss %s lr %.2e %.0f ex/s ETA %.0fs   ", tty_ ? "\r" : "",
                 label_.c_str(), bar.c_str(),
                 static_cast<long long>(m.step), static_cast<long long>(m.total_steps), losses.c_str(),
                 m.learning_rate, m.examples_per_second, m.eta_seconds);
    if (m.step == m.total_steps || !tty_) std::fprintf(stderr, "\n");
    std::fflush(stderr);
    return true;
  }

 private:
  std::string label_;
  bool tty_;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace sweet::cli
