// Training worker: see training_worker.h.
#include "ui/training_worker.h"

#include "analysis/run_data.h"
#include "ui/training_adapter.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <thread>

namespace sweet::ui {

TrainingWorker::Batch TrainingWorker::take() {
  std::lock_guard<std::mutex> lock(mutex_);
  Batch out;
  out.steps.swap(buffer_);
  out.gradients.swap(gradients_);
  if (historyReady_) {
    out.hasHistory = true;
    out.history.swap(history_);
    historyReady_ = false;
  }
  if (gradientHistoryReady_) {
    out.hasGradientHistory = true;
    std::swap(out.gradientHistory, gradientHistory_);
    gradientHistoryReady_ = false;
  }
  return out;
}

void TrainingWorker::handOverGradientHistory(int64_t firstStep) {
  // Records from `firstStep` on are made again (the writer drops them from the file too).
  analysis::GradientRecords& g = gradientBacklog_;
  const auto cells = static_cast<size_t>(g.layerCount() * g.exits() * g.exits());
  size_t kept = 0;
  while (kept < g.steps.size() && g.steps[kept] < firstStep) ++kept;
  g.steps.resize(kept);
  g.cosine.resize(std::min(g.cosine.size(), kept * cells));
  g.norm.clear();  // the queue keeps cosines only
  gradientHistory_ = std::move(g);
  gradientHistoryReady_ = true;
  gradientHistoryDue_ = false;
}

namespace {

// Per-exit losses of the run file's steps, [steps][exits]; empty when it cannot be read
// (the trainer then names the problem itself).
std::vector<std::vector<float>> lossHistory(const std::string& runFile) {
  std::vector<std::vector<float>> rows;
  try {
    const analysis::RunData data = analysis::loadRun(runFile);
    const auto E = static_cast<size_t>(data.exits());
    for (int64_t s = 0; E > 0 && s < data.trainSteps; ++s) {
      const auto from = data.trainLoss.begin() + static_cast<std::ptrdiff_t>(static_cast<size_t>(s) * E);
      rows.emplace_back(from, from + static_cast<std::ptrdiff_t>(E));
    }
  } catch (const std::exception&) {
    rows.clear();
  }
  return rows;
}

// The run file's gradient records (first probe), empty when it has none or they cannot be
// read: the live heatmap then starts at the resume, as before.
analysis::GradientRecords gradientHistory(const std::string& runFile) {
  try {
    return analysis::loadGradients(runFile);  // throws for a file without /gradients
  } catch (const std::exception&) {
  }
  return {};
}

}  // namespace

void TrainingWorker::runJob(int id, const QString& demoCheckpointDir, const TrainConfig& config, bool resume) {
  QString runFile;
  try {
    if (!demoCheckpointDir.isEmpty()) {
      Q_EMIT messageReady(id, tr("preparing the demo checkpoint in %1").arg(demoCheckpointDir));
      ensureDemoCheckpointAt(demoCheckpointDir.toStdString());
    }
    // Read before the trainer reopens the file; the rows after the checkpoint's step are
    // trained again, so they are cut at the first step the resumed run reports.
    historyDue_ = resume;
    lossBacklog_ = resume ? lossHistory(config.runFilePath()) : std::vector<std::vector<float>>{};
    gradientHistoryDue_ = resume && config.gradients.every > 0;
    gradientBacklog_ = gradientHistoryDue_ ? gradientHistory(config.runFilePath()) : analysis::GradientRecords{};
    TrainCallbacks cb;
    cb.stop_requested = &stop_;
    cb.checkpoint_on_stop = true;
    cb.on_message = [this, id](const std::string& m) { Q_EMIT messageReady(id, QString::fromStdString(m)); };
    cb.on_run_file = [this, id, &runFile](const std::string& path, const std::vector<int64_t>& exitLayers) {
      runFile = QString::fromStdString(path);
      Q_EMIT runFileReady(id, runFile, QVector<qint64>(exitLayers.begin(), exitLayers.end()));
    };
    cb.on_evaluation = [this, id](int64_t step) { Q_EMIT evaluationWritten(id, step); };
    cb.on_step = [this](const StepMetrics& p) {
      bool wasEmpty;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        wasEmpty = buffer_.empty() && gradients_.empty() && !historyReady_ && !gradientHistoryReady_;
        if (historyDue_) {
          lossBacklog_.resize(std::min(lossBacklog_.size(), static_cast<size_t>(std::max<int64_t>(0, p.step - 1))));
          history_ = std::move(lossBacklog_);
          historyReady_ = true;
          historyDue_ = false;
        }
        if (gradientHistoryDue_) handOverGradientHistory(p.step);
        buffer_.push_back(p);
      }
      if (wasEmpty) Q_EMIT dataReady();  // one notification per drain, not per step
      while (pause_.load() && !stop_.load()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      return !stop_.load();
    };
    if (config.gradients.every > 0) cb.on_gradients = [this](const GradientSummary& g) {
      bool wasEmpty;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        wasEmpty = buffer_.empty() && gradients_.empty() && !historyReady_ && !gradientHistoryReady_;
        // A record can come before the first step report (one a checkpoint left due): the
        // history it continues goes first.
        if (gradientHistoryDue_) handOverGradientHistory(g.step);
        gradients_.push_back(g);
      }
      if (wasEmpty) Q_EMIT dataReady();
    };
    const TrainResult r = runTraining(config, cb, resume ? ResumePolicy::Required : ResumePolicy::Never);
    Q_EMIT jobFinished(id, r.outcome, QString::fromStdString(r.run_file),
                       QString::fromStdString(r.message));
  } catch (const std::exception& e) {
    // The run file (if it was created) is kept: it holds the steps done before the error.
    Q_EMIT jobFinished(id, RunState::Failed, runFile, QString::fromStdString(e.what()));
  } catch (...) {
    Q_EMIT jobFinished(id, RunState::Failed, runFile, tr("unknown error"));
  }
}

}  // namespace sweet::ui
