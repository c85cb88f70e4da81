// Run-folder watcher: see folder_watcher.h.
#include "ui/folder_watcher.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace sweet::ui {

RunFolderWatcher::RunFolderWatcher(QObject* parent) : QObject(parent) {
  poll_.setInterval(500);
  connect(&poll_, &QTimer::timeout, this, &RunFolderWatcher::poll);
  connect(&watcher_, &QFileSystemWatcher::directoryChanged, this, &RunFolderWatcher::scan);
}

void RunFolderWatcher::setTiming(int settleMs, int pollMs) {
  settleMs_ = settleMs;
  poll_.setInterval(pollMs);
}

bool RunFolderWatcher::addFolder(const QString& dir) {
  const QFileInfo info(dir);
  if (!info.isDir() || !info.isReadable()) return false;
  const QString path = info.absoluteFilePath();
  if (!watcher_.directories().contains(path) && !watcher_.addPath(path)) return false;
  scan(path);
  return true;
}

void RunFolderWatcher::removeFolder(const QString& dir) {
  const QString path = QFileInfo(dir).absoluteFilePath();
  watcher_.removePath(path);
  for (auto it = pending_.begin(); it != pending_.end();)
    it = QFileInfo(it.key()).absolutePath() == path ? pending_.erase(it) : std::next(it);
}

void RunFolderWatcher::scan(const QString& dir) {
  const QDir folder(dir);
  for (const QFileInfo& f : folder.entryInfoList({QStringLiteral("*.h5")}, QDir::Files)) {
    const QString path = f.absoluteFilePath();
    if (!reported_.contains(path) && !pending_.contains(path)) pending_.insert(path, Pending{});
  }
  if (!pending_.isEmpty() && !poll_.isActive()) poll_.start();
}

void RunFolderWatcher::poll() {
  const QDateTime now = QDateTime::currentDateTimeUtc();
  QStringList ready;
  for (auto it = pending_.begin(); it != pending_.end();) {
    const QFileInfo info(it.key());
    if (!info.exists()) {  // deleted or renamed away (a copy tool's temp name)
      it = pending_.erase(it);
      continue;
    }
    Pending& p = it.value();
    const QDateTime modified = info.lastModified();
    if (info.size() != p.size || modified != p.modified) {
      p = {info.size(), modified, now};
      ++it;
      continue;
    }
    QFile file(it.key());
    if (info.size() > 0 && p.unchangedSince.msecsTo(now) >= settleMs_ && file.open(QIODevice::ReadOnly)) {
      ready << it.key();
      reported_.insert(it.key());
      it = pending_.erase(it);
      continue;
    }
    ++it;
  }
  if (pending_.isEmpty()) poll_.stop();
  if (!ready.isEmpty()) Q_EMIT runFilesReady(ready);
}

}  // namespace sweet::ui
