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

}  // namespace sweet::test
