// Tests for analysis/run_naming: the one spelling of a learning rate, a default run name, a
// model's display name and the method order that sweep ids, run files, reports and the GUI
// all use.
#include "analysis/run_data.h"
#include "analysis/run_naming.h"

#include <QtTest>

#include <algorithm>

using namespace sweet::analysis;

class RunNamingTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void formatLearningRate_compactExponent() {
    QCOMPARE(formatLearningRate(3e-5), std::string("3e-5"));
    QCOMPARE(formatLearningRate(2e-05), std::string("2e-5"));
    QCOMPARE(formatLearningRate(5e-4), std::string("0.0005"));
    QCOMPARE(formatLearningRate(1.5e-5), std::string("1.5e-5"));
    QCOMPARE(formatLearningRate(1e-10), std::string("1e-10"));
    QCOMPARE(compactNumber(2), std::string("2"));
    QCOMPARE(compactNumber(1e10), std::string("1e10"));
  }

  void defaultRunName_taskMethodLrSeed() {
    QCOMPARE(defaultRunName("sst2", "ee", 3e-5, 1), std::string("sst2-ee-lr3e-5-s1"));
    QCOMPARE(defaultRunName("demo", "mm", 5e-4, 42), std::string("demo-mm-lr0.0005-s42"));
  }

  void modelFolderName_lastComponentTrailingSlashesIgnored() {
    QCOMPARE(modelFolderName("/x/bert-base-uncased/"), std::string("bert-base-uncased"));
    QCOMPARE(modelFolderName("/x/bert-large"), std::string("bert-large"));
    QCOMPARE(modelFolderName("scratch-bert"), std::string("scratch-bert"));
    QCOMPARE(modelFolderName(""), std::string());
  }

  void modelDisplayName_folderElseDepth() {
    RunData run;
    run.numLayers = 12;
    run.config = {{"model", "/ckpt/bert-base-uncased/"}};
    QCOMPARE(modelDisplayName(run), std::string("bert-base-uncased"));
    run.config = nlohmann::json::object();
    QCOMPARE(modelDisplayName(run), std::string("12L"));
    run.config = {{"model", "/"}};
    QCOMPARE(modelDisplayName(run), std::string("12L"));
  }

  void experimentVariant_namesNonDefaultKeysOnly() {
    RunData run;
    run.method = "ee";
    run.config = {{"pooler", "per_exit"}, {"precision", "auto"}, {"lte", {{"enabled", false}}}};
    QCOMPARE(experimentVariant(run), std::string());
    QCOMPARE(methodLabel(run), std::string("ee"));
    run.config = {{"pooler", "shared"}, {"precision", "bf16"}, {"lte", {{"enabled", true}, {"schedule", "bertxit"}}}};
    QCOMPARE(experimentVariant(run), std::string("lte bertxit, pooler shared, precision bf16"));
    QCOMPARE(methodLabel(run), std::string("ee (lte bertxit, pooler shared, precision bf16)"));
    run.config = {{"lte", {{"enabled", true}, {"weight", 0.5}, {"threshold_rule", "raw"}}}, {"sweet_alpha", 0.25}};
    QCOMPARE(experimentVariant(run), std::string("lte joint raw weight 0.5, alpha 0.25"));
    run.config["lte"]["threshold_rule"] = "minmax";  // the default
    QCOMPARE(experimentVariant(run), std::string("lte joint weight 0.5, alpha 0.25"));
    // Issue 25's remedies: a run is told apart by its loss weights, by name or as a list.
    run.config = {{"sweet_alpha", 1.0}, {"exit_loss_weights", "uniform"}};
    QCOMPARE(methodLabel(run), std::string("ee"));
    run.config = {{"sweet_alpha", 0.5}, {"exit_loss_weights", "layer"}};
    QCOMPARE(methodLabel(run), std::string("ee (alpha 0.5, weights layer)"));
    // Numbers print as people write them, not as JSON: SWEET's cut is "alpha 0", not "alpha 0.0".
    run.config = {{"sweet_alpha", 0.0}, {"exit_loss_weights", {1.0, 0.5, 0.5, 2.0}}};
    QCOMPARE(methodLabel(run), std::string("ee (alpha 0, weights [1, 0.5, 0.5, 2])"));
    run.method = "pcgrad";
    run.config = {{"exit_loss_weights", {1, 0.5}}};
    QCOMPARE(methodLabel(run), std::string("pcgrad (weights [1, 0.5])"));
    run.method = "ee";
    run.config = nlohmann::json();  // no config recorded
    QCOMPARE(methodLabel(run), std::string("ee"));
  }

  void labelValueText_shortestNumbersAndSpacedLists() {
    QCOMPARE(labelValueText(nlohmann::json(0.0)), std::string("0"));
    QCOMPARE(labelValueText(nlohmann::json(0.25)), std::string("0.25"));
    QCOMPARE(labelValueText(nlohmann::json(3)), std::string("3"));
    QCOMPARE(labelValueText(nlohmann::json("layer")), std::string("layer"));
    QCOMPARE(labelValueText(nlohmann::json::parse("[1.0, 0.5, 0.5, 2.0]")), std::string("[1, 0.5, 0.5, 2]"));
  }

  void methodRank_eeThenMmThenSweetThenOthers() {
    std::vector<std::string> methods = {"sweet", "other", "pcgrad", "mm", "ee"};
    std::sort(methods.begin(), methods.end(),
              [](const std::string& a, const std::string& b) { return methodRank(a) < methodRank(b); });
    QCOMPARE(methods, (std::vector<std::string>{"ee", "mm", "sweet", "pcgrad", "other"}));
    QCOMPARE(methodRank("sweet (lte joint)"), methodRank("sweet"));
  }
};

QTEST_GUILESS_MAIN(RunNamingTest)
#include "test_run_naming.moc"
