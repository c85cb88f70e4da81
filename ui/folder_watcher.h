// File ▸ Watch folder: run files that appear in a watched folder (e.g. copied from a
// cluster) are reported once they have settled. QFileSystemWatcher says when a folder's
// listing changes, but a file still being copied is already listed, so each new .h5 is
// polled until its size and modification time have stayed the same for `settleMs` and
// it can be opened for reading; only then is it reported, once.
#pragma once

#include <QDateTime>
#include <QFileSystemWatcher>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QStringList>
#include <QTimer>

namespace sweet::ui {

class RunFolderWatcher : public QObject {
  Q_OBJECT
 public:
  explicit RunFolderWatcher(QObject* parent = nullptr);

  // Starts watching `dir`; run files already in it are reported too (once settled).
  // False when it is not a readable folder.
  bool addFolder(const QString& dir);
  void removeFolder(const QString& dir);
  QStringList folders() const { return watcher_.directories(); }
  // How long a file must stay unchanged, and how often pending files are checked.
  void setTiming(int settleMs, int pollMs);

 Q_SIGNALS:
  void runFilesReady(const QStringList& paths);

 private:
  struct Pending {
    qint64 size = -1;
    QDateTime modified;
    QDateTime unchangedSince;
  };
  void scan(const QString& dir);
  void poll();

  QFileSystemWatcher watcher_;
  QTimer poll_;
  int settleMs_ = 2000;
  QHash<QString, Pending> pending_;
  QSet<QString> reported_;
};

}  // namespace sweet::ui
