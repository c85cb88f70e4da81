// Where tests find things: the build tree, the source tree, and ../shared/data (public
// reference files that CI has beside the checkout but a user's machine may not).
#pragma once

#include <QDir>
#include <QFileInfo>
#include <QString>
#include <QtTest>

namespace sweet::test {

inline QString sharedData(const QString& relative) {
  return QDir(QStringLiteral(SWEET_SHARED_DATA)).filePath(relative);
}

inline QString sourcePath(const QString& relative) {
  return QDir(QStringLiteral(SWEET_SOURCE_DIR)).filePath(relative);
}

inline QString sweetBinary() { return QDir(QStringLiteral(SWEET_BINARY_DIR)).filePath("app/sweet"); }

}  // namespace sweet::test

// Skips the current test, naming the missing file, when ../shared/data is absent.
#define SWEET_REQUIRE_SHARED(path)                                                          \
  do {                                                                                     \
    if (!QFileInfo::exists(path))                                                          \
      QSKIP(qPrintable(QStringLiteral("needs %1 (public data from ../shared/data, absent " \
                                      "on this machine)").arg(path)));                     \
  } while (0)
