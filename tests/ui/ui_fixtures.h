// Run files for the GUI tests: EE/SWEET/MM runs with two seeds each and logits drawn from
// a fixed-seed generator (deeper exits more confident and more often right), plus
// gradient records with chosen cosines (NaN cells included), so views have real curves
// and tests can compare what is drawn with what is in the file.
#pragma once

#include "tests/analysis/run_file_fixture.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QSettings>
#include <QStandardPaths>
#include <QTest>
#include <QString>
#include <QStringList>

#include <cmath>
#include <random>

namespace sweet::testing {

// Cosine of record r, layer g, exits a, b: a fixed pattern with NaN where b > a + 2.
inline float fixtureCosine(int64_t r, int64_t g, int64_t a, int64_t b) {
  if (a == b) return 1.0f;
  if (std::max(a, b) - std::min(a, b) > 2) return std::nanf("");
  return static_cast<float>(std::sin(0.7 * r + 1.3 * g + 0.5 * a + 0.9 * b));
}

inline void writeGradients(const std::string& path, const std::vector<int64_t>& layers, int64_t exits, int64_t records) {
  H5::H5File file(path, H5F_ACC_RDWR);
  H5::Group group = file.createGroup("/gradients");
  h5::writeInt64ArrayAttr(group, "layers", layers);
  h5::writeStringAttr(group, "matrix", "output.dense.weight");
  h5::writeInt64Attr(group, "rows", 4);
  h5::writeInt64Attr(group, "cols", 4);
  std::vector<int64_t> steps;
  std::vector<float> cosine, norm;
  const int64_t G = static_cast<int64_t>(layers.size());
  for (int64_t r = 0; r < records; ++r) {
    steps.push_back(10 * (r + 1));
    for (int64_t g = 0; g < G; ++g)
      for (int64_t a = 0; a < exits; ++a) {
        norm.push_back(1.0f);
        for (int64_t b = 0; b < exits; ++b) cosine.push_back(fixtureCosine(r, g, a, b));
      }
  }
  const auto R = static_cast<hsize_t>(records), Gh = static_cast<hsize_t>(G), E = static_cast<hsize_t>(exits);
  h5::writeInt64(file, "/gradients/step", {R}, steps.data());
  h5::writeFloat32(file, "/gradients/cosine", {R, Gh, E, E}, cosine.data());
  h5::writeFloat32(file, "/gradients/norm", {R, Gh, E}, norm.data());
}

inline FakeRun randomRun(const std::string& method, int64_t seed, int64_t instances = 400) {
  FakeRun run;
  run.method = method;
  run.task = "demo";
  run.seed = seed;
  run.learningRate = 5e-4;
  run.exitLayers = {1, 4, 6, 12};
  run.config = {{"method", method}, {"task", "demo"}, {"seed", seed}, {"learning_rate", 5e-4},
                {"output_dir", "/tmp/x"}};
  std::mt19937 gen(static_cast<unsigned>(seed * 31 + method.size()));
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<std::vector<double>> probs(4, std::vector<double>(static_cast<size_t>(instances)));
  for (int64_t i = 0; i < instances; ++i) {
    const int64_t label = i % 2;
    run.evalLabels.push_back(label);
    for (size_t e = 0; e < 4; ++e) {
      const double skill = 0.55 + 0.1 * static_cast<double>(e) + (method == "sweet" && e == 0 ? 0.05 : 0.0);
      const bool right = u(gen) < skill;
      const double confidence = 0.5 + 0.49 * u(gen) * (0.4 + 0.2 * static_cast<double>(e));
      const double pPositive = (right == (label == 1)) ? confidence : 1.0 - confidence;
      probs[e][static_cast<size_t>(i)] = pPositive;
    }
  }
  run.evalLogits = binaryLogitTable(probs);
  run.trainLoss = {0.7f, 0.7f, 0.7f, 0.7f, 0.6f, 0.5f, 0.5f, 0.4f};
  return run;
}

// Writes ee/sweet/mm x seeds {1, 2} into `dir`; the first file also gets gradient records
// (layers 1 and 4, 3 records). Returns the paths.
inline QStringList writeFixtureRuns(const QString& dir) {
  QStringList paths;
  bool first = true;
  for (const char* method : {"ee", "sweet", "mm"})
    for (int64_t seed : {1, 2}) {
      const QString path = QDir(dir).filePath(QStringLiteral("%1-s%2.h5").arg(method).arg(seed));
      writeRun(path.toStdString(), randomRun(method, seed));
      if (first) writeGradients(path.toStdString(), {1, 4, 6}, 4, 3);  // the demo's recorded layers
      first = false;
      paths << path;
    }
  return paths;
}

// Writes `count` runs of `instances` evaluation instances each, ee/sweet/mm taking turns
// (seeds 1, 2, …): the "20 large runs open at once" of the GUI-thread stall checks.
inline QStringList writeManyRuns(const QString& dir, int count, int64_t instances) {
  QStringList paths;
  const char* methods[] = {"ee", "sweet", "mm"};
  for (int i = 0; i < count; ++i) {
    const std::string method = methods[i % 3];
    const int64_t seed = i / 3 + 1;
    const QString path = QDir(dir).filePath(QStringLiteral("%1-s%2.h5").arg(QString::fromStdString(method)).arg(seed));
    writeRun(path.toStdString(), randomRun(method, seed, instances));
    paths << path;
  }
  return paths;
}

// QSettings in test mode under an organisation of its own, emptied: a test never reads or
// changes a user's settings (recent files, the dialog's remembered fields).
inline void isolateSettings(const QString& organization) {
  QStandardPaths::setTestModeEnabled(true);
  QCoreApplication::setOrganizationName(organization);
  QSettings().clear();
}

// Writes `bytes` to `path` (a broken run file, a config for the CLI); false when it cannot.
inline bool writeBytes(const QString& path, const QByteArray& bytes) {
  QFile f(path);
  return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

// Shows a view of `runs` at a size and waits until it is on screen, so plots have their
// real pixel geometry (marker hit tests, exported sizes).
template <typename View, typename Runs>
bool showWithRuns(View& view, const Runs& runs, int width, int height) {
  view.resize(width, height);
  view.setRuns(runs);
  view.show();
  return QTest::qWaitForWindowExposed(&view);
}

}  // namespace sweet::testing
