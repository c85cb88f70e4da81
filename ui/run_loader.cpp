// Run-file loading off the GUI thread: see run_loader.h.
#include "ui/run_loader.h"

#include "analysis/pretrain_file_check.h"

#include <QtConcurrent/QtConcurrentRun>

#include <exception>

namespace sweet::ui {

LoadBatch loadRunFiles(const QStringList& paths) {
  LoadBatch batch;
  for (const QString& path : paths) {
    try {
      auto run = std::make_shared<LoadedRun>();
      run->data = analysis::loadRun(path.toStdString());
      if (run->data.hasGradients) {
        // A run still being written may have an empty /gradients: show the run anyway.
        try {
          run->gradients = analysis::loadGradients(path.toStdString());
          if (run->data.hasSecondProbe) run->secondProbe = analysis::loadGradients(path.toStdString(), 2);
          if (run->data.hasProjected) run->projected = analysis::loadGradients(path.toStdString(), 3);
        } catch (const std::exception& e) {
          batch.errors.emplace_back(path, QString::fromStdString(e.what()));
        } catch (...) {
          batch.errors.emplace_back(path, path + QStringLiteral(": cannot read its gradient records"));
        }
      }
      batch.runs.push_back(std::move(run));
    } catch (const std::exception& e) {
      // Only a file that failed to load is asked what it is: good files cost no second open.
      if (analysis::isPretrainRunFile(path.toStdString())) batch.pretraining.emplace_back(path, QString::fromStdString(e.what()));
      else batch.errors.emplace_back(path, QString::fromStdString(e.what()));
    } catch (...) {
      // Anything else (an HDF5 C++ exception is no std::exception) would be rethrown by
      // the future on the GUI thread and end the app.
      batch.errors.emplace_back(path, path + QStringLiteral(": cannot read the run file (unexpected error)"));
    }
  }
  return batch;
}

RunLoader::RunLoader(QObject* parent) : QObject(parent) {
  connect(&watcher_, &QFutureWatcher<LoadBatch>::finished, this, [this] {
    Q_EMIT loaded(watcher_.result());
    startNext();
  });
}

void RunLoader::load(const QStringList& paths, bool reload) {
  // A reload already waiting for the same files makes another one pointless.
  for (const auto& [waiting, quiet] : pending_)
    if (quiet && reload && waiting == paths) return;
  pending_.emplace_back(paths, reload);
  if (!watcher_.isRunning()) startNext();
}

void RunLoader::startNext() {
  if (pending_.empty()) return;
  const auto [paths, reload] = pending_.front();
  pending_.erase(pending_.begin());
  watcher_.setFuture(QtConcurrent::run([paths = paths, reload = reload] {
    LoadBatch batch = loadRunFiles(paths);
    batch.reload = reload;
    return batch;
  }));
}

}  // namespace sweet::ui
