// Runs a command-line program from a test and keeps its exit code and output, so CLI
// tests read like "run sweet with these arguments, expect this".
#pragma once

#include <QProcess>
#include <QStringList>
#include <QtTest>

namespace sweet::test {

struct ProcessResult {
  int exit_code = -1;
  QString out, err;
};

inline ProcessResult runProgram(const QString& program, const QStringList& args, int timeout_ms = 240000) {
  QProcess p;
  p.start(program, args);
  ProcessResult r;
  if (!p.waitForFinished(timeout_ms)) {
    p.kill();
    p.waitForFinished();
    r.err = QStringLiteral("timed out: ") + program + " " + args.join(' ');
    return r;
  }
  r.exit_code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
  r.out = QString::fromUtf8(p.readAllStandardOutput());
  r.err = QString::fromUtf8(p.readAllStandardError());
  return r;
}

// The demo's own word-level checkpoint, made as a user gets it: a one-step `sweet demo`
// into `dir`/demo. Returns the folder, or "" with the CLI's stderr in `error`.
inline QString makeDemoCheckpointWithCli(const QString& sweet, const QString& dir, QString* error) {
  const auto r = runProgram(sweet, {"demo", "--out", dir + "/demo", "--methods", "ee", "--set", "demo_train_size=16",
                                    "demo_eval_size=8", "epochs=1", "max_steps=1", "save_model=false"});
  if (r.exit_code != 0) {
    *error = r.err;
    return {};
  }
  return dir + "/demo/scratch-bert";
}

}  // namespace sweet::test
