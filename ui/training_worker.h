// The object that trains, living on one of the queue's worker threads. Step metrics and
// gradient records go into a mutex-guarded buffer and only a cheap dataReady() is emitted,
// so a fast trainer cannot flood the GUI's event queue; the controller drains the buffer
// on its own timer. runJob catches every exception and turns it into a failed jobFinished
// (an escaped exception would terminate the application).
#pragma once

#include "analysis/gradient_conflict.h"
#include "analysis/run_state.h"
#include "training/runs/train_config.h"
#include "training/runs/trainer.h"

#include <QObject>
#include <QString>
#include <QVector>

#include <atomic>
#include <mutex>
#include <vector>

namespace sweet::ui {

class TrainingWorker : public QObject {
  Q_OBJECT
 public:
  // Thread-safe: called directly from the GUI thread (a queued slot would wait for the
  // running job to return, i.e. never stop it).
  void requestStop() { stop_.store(true); }
  void clearStop() {
    stop_.store(false);
    pause_.store(false);
  }
  // A paused job holds between two optimiser steps (its thread sleeps) until resumed or
  // stopped; the run file stays open and consistent meanwhile.
  void setPaused(bool paused) { pause_.store(paused); }
  // Drains what was buffered since the last call, both kinds under one lock (taken
  // separately, an item pushed in between would find the buffer non-empty, skip
  // dataReady, and wait for a notification that never comes).
  struct Batch {
    std::vector<StepMetrics> steps;
    std::vector<GradientSummary> gradients;
    // A resumed run's per-exit losses of the steps before the one it continues from, read
    // from its run file; they replace what the queue held. Precedes `steps`.
    bool hasHistory = false;
    std::vector<std::vector<float>> history;
    // Its gradient records before the first one it makes (cosines only, as the queue keeps
    // them), so the live heatmap shows the whole run too; they replace the queue's records.
    // Precede `gradients`.
    bool hasGradientHistory = false;
    analysis::GradientRecords gradientHistory;
  };
  Batch take();

 public:
  // Runs on the worker's thread (the queue invokes it there): trains `config` to the end
  // (from its resume checkpoint when `resume`), then emits jobFinished. A Stop leaves a
  // checkpoint, so the run can be resumed later. A resume first reads the loss rows the run
  // file holds, so the queue's chart shows the whole run with the file's step numbers.
  void runJob(int id, const QString& demoCheckpointDir, const TrainConfig& config, bool resume = false);

 Q_SIGNALS:
  void dataReady();
  void messageReady(int id, const QString& message);
  void runFileReady(int id, const QString& runFile, const QVector<qint64>& exitLayers);
  void evaluationWritten(int id, qint64 step);
  void jobFinished(int id, sweet::RunState outcome, const QString& runFile, const QString& message);

 private:
  std::atomic<bool> stop_{false};
  std::atomic<bool> pause_{false};
  std::mutex mutex_;
  std::vector<StepMetrics> buffer_;
  std::vector<GradientSummary> gradients_;
  // Worker thread only: the resumed run's file rows, cut and handed over (to history_ and
  // gradientHistory_) by the first step report and the first step or gradient report.
  bool historyDue_ = false;
  std::vector<std::vector<float>> lossBacklog_;
  bool gradientHistoryDue_ = false;
  analysis::GradientRecords gradientBacklog_;
  void handOverGradientHistory(int64_t firstStep);  // under mutex_
  std::vector<std::vector<float>> history_;
  bool historyReady_ = false;  // under mutex_: history_ waits to be taken
  analysis::GradientRecords gradientHistory_;
  bool gradientHistoryReady_ = false;  // under mutex_: gradientHistory_ waits to be taken
};

}  // namespace sweet::ui
