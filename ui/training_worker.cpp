// Training worker: see training_worker.h.
#include "ui/training_worker.h"

#include "ui/training_adapter.h"

#include <chrono>
#include <exception>
#include <thread>

namespace sweet::ui {

TrainingWorker::Batch TrainingWorker::take() {
  std::lock_guard<std::mutex> lock(mutex_);
  Batch out;
  out.steps.swap(buffer_);
  out.gradients.swap(gradients_);
  return out;
}

void TrainingWorker::runJob(int id, const QString& demoCheckpointDir, const TrainConfig& config, bool resume) {
  QString runFile;
  try {
    if (!demoCheckpointDir.isEmpty()) {
      Q_EMIT messageReady(id, tr("preparing the demo checkpoint in %1").arg(demoCheckpointDir));
      ensureDemoCheckpointAt(demoCheckpointDir.toStdString());
    }
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
        wasEmpty = buffer_.empty() && gradients_.empty();
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
        wasEmpty = buffer_.empty() && gradients_.empty();
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
