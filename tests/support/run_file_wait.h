// Waiting for a `sweet train` child process to reach a step, read from its run file as a
// user's second program would (SWMR): the file may not exist yet, or exist half-built.
#pragma once

#include "analysis/run_data.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>
#include <QTest>

#include <cstdint>
#include <exception>

namespace sweet::testing {

// True once the run file says `steps` optimiser steps are done; false when the process
// ends first or two minutes pass.
inline bool waitForRunSteps(QProcess& process, const QString& runFile, int64_t steps) {
  if (!process.waitForStarted()) return false;
  QElapsedTimer timer;
  timer.start();
  while (timer.elapsed() < 120000 && process.state() == QProcess::Running) {
    QTest::qWait(20);
    if (!QFileInfo::exists(runFile)) continue;
    try {
      if (analysis::loadRun(runFile.toStdString()).status.stepsDone >= steps) return true;
    } catch (const std::exception&) {
      // Created but not yet complete: the writer is still building its layout.
    }
  }
  return false;
}

}  // namespace sweet::testing
