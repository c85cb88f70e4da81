// Sweep files in memory: grid expansion and order, readable ids, labelled axes, paths
// resolved from the sweep file's folder, the Slurm batch script's contents, the --array
// form; and the checkpoint's config comparison (which keys may change on resume).
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <utility>
#include <vector>

#include "training/runs/training_checkpoint.h"
#include "training/sweeps/slurm_backend.h"
#include "training/sweeps/sweep_spec.h"

using namespace sweet;

class TestSweepSpec : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void idParts_readLikeThePapersRunNames();
  void expansion_followsTheFilesAxisOrderLastFastest();
  void labelledAxes_mergeTheirOverridesAndResolvePaths();
  void batchScript_requeuesForwardsUsr1AndCarriesResources();
  void batchScript_escapesQuotesSpacesAndHashesForSbatch();
  void arraySpec_compressesRuns();
  void configDifferences_ignoreOnlyKeysThatCannotChangeResults();
  void configDifferences_keyAddedSinceCountsAsItsDefault();
  void config_speedKeysReadAutoAndRefuseBadValues();
  void paperPresets_expandToThePapersGridBesideAProjectRoot();
  void largeGrid_refusedBeforeExpandingUnlessAllowed();
  void remedyAxes_methodAlphaAndListsOfWeights();

 private:
  std::string write(const QString& name, const std::string& json) {
    const std::string path = dir_.filePath(name).toStdString();
    std::ofstream(path) << json;
    return path;
  }
  QTemporaryDir dir_;
};

void TestSweepSpec::idParts_readLikeThePapersRunNames() {
  QCOMPARE(sweepIdPart("learning_rate", 3e-5), std::string("lr3e-5"));
  QCOMPARE(sweepIdPart("learning_rate", 0.0005), std::string("lr0.0005"));
  QCOMPARE(sweepIdPart("learning_rate", 1e-4), std::string("lr0.0001"));
  QCOMPARE(sweepIdPart("seed", 1), std::string("s1"));
  QCOMPARE(sweepIdPart("train_cap", 2000), std::string("cap2000"));
  QCOMPARE(sweepIdPart("method", "sweet"), std::string("sweet"));
  QCOMPARE(sweepIdPart("model", "ckpt/bert-base-uncased"), std::string("bert-base-uncased"));
  QCOMPARE(sweepIdPart("gradients.every", 50), std::string("every50"));
  QCOMPARE(sweepIdPart("task", "a b/c"), std::string("a_b_c"));
}

void TestSweepSpec::expansion_followsTheFilesAxisOrderLastFastest() {
  const Sweep sweep = loadSweep(write("order.json", R"({"output_dir": "out", "base": {"model": "m"},
      "grid": {"task": ["sst2", "rte"], "method": ["ee", "sweet", "mm"], "learning_rate": [3e-5], "seed": [1, 2]}})"));
  QCOMPARE(sweep.runs.size(), size_t(12));
  QCOMPARE(sweep.runs[0].id, std::string("sst2-ee-lr3e-5-s1"));
  QCOMPARE(sweep.runs[1].id, std::string("sst2-ee-lr3e-5-s2"));
  QCOMPARE(sweep.runs[2].id, std::string("sst2-sweet-lr3e-5-s1"));
  QCOMPARE(sweep.runs[11].id, std::string("rte-mm-lr3e-5-s2"));
  for (size_t i = 0; i < sweep.runs.size(); ++i) QCOMPARE(sweep.runs[i].index, static_cast<int64_t>(i));
  QCOMPARE(sweep.runs[11].train.task, std::string("rte"));
  QCOMPARE(sweep.runs[11].train.seed, int64_t(2));
  QCOMPARE(sweep.runs[11].train.run_name, sweep.runs[11].id);
  QCOMPARE(QString::fromStdString(sweep.output_dir), dir_.filePath("out"));
  QCOMPARE(QString::fromStdString(sweep.runs[0].train.runFilePath()), dir_.filePath("out/sst2-ee-lr3e-5-s1.h5"));
  QCOMPARE(QString::fromStdString(sweep.runs[0].train.model), dir_.filePath("m"));
  QCOMPARE(sweep.name, std::string("order"));
}

void TestSweepSpec::labelledAxes_mergeTheirOverridesAndResolvePaths() {
  QDir(dir_.path()).mkpath("sub");
  write("sub/base.json", R"({"task": "rte", "model": "ckpt/x", "data_dir": "glue/RTE", "epochs": 3, "output_dir": "elsewhere"})");
  const Sweep sweep = loadSweep(write("labelled.json", R"({"base": "sub/base.json",
      "grid": {"backbone": {"bert-base": {"model": "ckpt/bert-base", "max_length": 128},
                            "bert-large": {"model": "/abs/bert-large", "gradients.every": 50}},
               "seed": [7]}})"));
  QCOMPARE(sweep.runs.size(), size_t(2));
  QCOMPARE(sweep.runs[0].id, std::string("bert-base-s7"));
  QCOMPARE(QString::fromStdString(sweep.runs[0].train.model), dir_.filePath("ckpt/bert-base"));
  QCOMPARE(sweep.runs[0].train.max_length, int64_t(128));
  QCOMPARE(sweep.runs[0].train.epochs, int64_t(3));  // from the base file
  QCOMPARE(sweep.runs[1].train.model, std::string("/abs/bert-large"));
  QCOMPARE(sweep.runs[1].train.gradients.every, int64_t(50));
  QCOMPARE(sweep.runs[1].train.max_length, int64_t(256));  // the default, not bert-base's
  // A base file's paths are read from the sweep file's folder; its output_dir gives way.
  QCOMPARE(QString::fromStdString(sweep.runs[1].train.data_dir), dir_.filePath("glue/RTE"));
  QCOMPARE(QString::fromStdString(sweep.runs[1].train.output_dir), dir_.filePath("labelled"));
  QCOMPARE(QString::fromStdString(sweep.output_dir), dir_.filePath("labelled"));
}

void TestSweepSpec::batchScript_requeuesForwardsUsr1AndCarriesResources() {
  const Sweep sweep = loadSweep(write("slurm.json", R"({"name": "paper", "base": {"model": "m"}, "grid": {"seed": [1, 2]},
      "slurm": {"partition": "gpu", "gpus": 1, "cpus_per_task": 8, "mem": "32G", "time": "04:00:00", "account": "lab",
                "extra": ["--constraint=a100"], "setup": ["module load cuda"], "signal_seconds": 120}})"));
  const std::string script = slurmBatchScript(sweep, sweep.slurm, "/opt/sweet/bin/sweet");
  for (const char* line : {"#SBATCH --job-name=paper", "#SBATCH --requeue", "#SBATCH --signal=B:USR1@120",
                           "#SBATCH --partition=gpu", "#SBATCH --gres=gpu:1", "#SBATCH --cpus-per-task=8",
                           "#SBATCH --mem=32G", "#SBATCH --time=04:00:00", "#SBATCH --account=lab",
                           "#SBATCH --constraint=a100", "module load cuda", "runs=( s1 s2 )",
                           "'/opt/sweet/bin/sweet' train \"$config\" --continue &", "kill -USR1 $child",
                           "scontrol requeue \"${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\""})
    QVERIFY2(script.find(line) != std::string::npos, line);
  // Slurm's SIGTERM reaches the run itself; forwarding it would be a second, fatal one.
  QVERIFY(script.find("kill -TERM") == std::string::npos);
}

// Issue 22: an output_dir with a "'" cut sbatch's --output line short (the job failed with
// no log). sbatch reads #SBATCH values with its own rules (whitespace ends a value, quotes
// group, '#' starts a comment): such a value is double-quoted, '"' and '\\' escaped inside,
// and a '%' (sbatch's own pattern escape) doubled. The real sbatch reads it in sweep_slurm.
void TestSweepSpec::batchScript_escapesQuotesSpacesAndHashesForSbatch() {
  const QString folder = dir_.filePath("it's a \"sweep\" #1 at 100%");
  QVERIFY(QDir().mkpath(folder));
  const std::string path = (folder + "/quoted.json").toStdString();
  QFile f(QString::fromStdString(path));
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write(R"({"name": "my sweep's", "base": {"model": "m"}, "grid": {"seed": [1]}})");
  f.close();
  const Sweep sweep = loadSweep(path);
  const std::string script = slurmBatchScript(sweep, sweep.slurm, "/opt/sweet/bin/sweet");
  QString escaped = "\"";
  for (const QChar c : folder + "/quoted/slurm/logs") {
    if (c == '"' || c == '\\') escaped += '\\';
    escaped += c == '%' ? QStringLiteral("%%") : QString(c);
  }
  QVERIFY2(script.find(("#SBATCH --output=" + escaped + "\"/%A_%a.log\n").toStdString()) != std::string::npos, script.c_str());
  QVERIFY2(script.find("#SBATCH --job-name=\"my sweep's\"\n") != std::string::npos, script.c_str());
  // And bash still reads the script (the #SBATCH lines are comments to it).
  const QString file = dir_.filePath("quoted.sbatch");
  QFile out(file);
  QVERIFY(out.open(QIODevice::WriteOnly));
  out.write(QByteArray::fromStdString(script));
  out.close();
  QProcess bash;
  bash.start("bash", {"-n", file});
  QVERIFY(bash.waitForFinished());
  QVERIFY2(bash.exitCode() == 0, bash.readAllStandardError().constData());
}

void TestSweepSpec::arraySpec_compressesRuns() {
  QCOMPARE(arraySpec({0, 1, 2, 3}), std::string("0-3"));
  QCOMPARE(arraySpec({0, 2, 3, 4, 7}), std::string("0,2-4,7"));
  QCOMPARE(arraySpec({5}), std::string("5"));
}

void TestSweepSpec::configDifferences_ignoreOnlyKeysThatCannotChangeResults() {
  const std::string a = R"({"seed": 1, "threads": 2, "checkpoint_every": 10, "overwrite": false, "learning_rate": 0.1})";
  QVERIFY(configDifferences(a, R"({"seed": 1, "threads": 2, "checkpoint_every": 0, "overwrite": true, "learning_rate": 0.1})").empty());
  // Another thread count changes the last bits of CPU reductions: not the same run.
  QCOMPARE(configDifferences(a, R"({"seed": 1, "threads": 1, "checkpoint_every": 10, "overwrite": false, "learning_rate": 0.1})").size(),
           size_t(1));
  const auto d = configDifferences(a, R"({"seed": 2, "threads": 2, "learning_rate": 0.1})");
  QCOMPARE(d.size(), size_t(1));
  QVERIFY(d[0].find("seed (1 in the checkpoint, 2 now)") != std::string::npos);
}

// A checkpoint or run file written before a key existed ran with that key's default: it
// continues under a config that keeps the default, and not under one that changes it.
void TestSweepSpec::configDifferences_keyAddedSinceCountsAsItsDefault() {
  const std::string before = R"({"seed": 1, "learning_rate": 0.1})";
  QVERIFY(configDifferences(before, R"({"seed": 1, "learning_rate": 0.1, "attention": "auto", "pad_to_multiple_of": 0,
                                       "prefetch_batches": true})").empty());
  const auto d = configDifferences(before, R"({"seed": 1, "learning_rate": 0.1, "pad_to_multiple_of": 8})");
  QCOMPARE(d.size(), size_t(1));
  QVERIFY2(d[0].find("pad_to_multiple_of (absent in the checkpoint, 8 now)") != std::string::npos, d[0].c_str());
  // Keys added inside "lte": threshold_rule never counts; input only with LTE on, and a run
  // from before it read the [CLS] state, so today's default (pooled) is a difference.
  const std::string offBefore = R"({"seed": 1, "lte": {"enabled": false, "schedule": "joint", "weight": 1.0}})";
  QVERIFY(configDifferences(offBefore, R"({"seed": 1, "lte": {"enabled": false, "schedule": "joint", "weight": 1.0,
                                            "input": "pooled", "threshold_rule": "raw"}})").empty());
  const std::string onBefore = R"({"seed": 1, "lte": {"enabled": true, "schedule": "joint", "weight": 1.0}})";
  QCOMPARE(configDifferences(onBefore, R"({"seed": 1, "lte": {"enabled": true, "schedule": "joint", "weight": 1.0,
                                           "input": "pooled", "threshold_rule": "minmax"}})").size(), size_t(1));
  QVERIFY(configDifferences(onBefore, R"({"seed": 1, "lte": {"enabled": true, "schedule": "joint", "weight": 1.0,
                                          "input": "cls", "threshold_rule": "minmax"}})").empty());
}

void TestSweepSpec::config_speedKeysReadAutoAndRefuseBadValues() {
  const TrainConfig defaults = trainConfigFromJson(nlohmann::json::object(), "run.json");
  QCOMPARE(defaults.attention, std::string("auto"));
  QCOMPARE(defaults.pad_to_multiple_of, int64_t{0});  // off: CPU batches as they always were
  QVERIFY(defaults.prefetch_batches);
  QCOMPARE(trainConfigFromJson({{"pad_to_multiple_of", "auto"}}, "run.json").pad_to_multiple_of, int64_t{-1});
  nlohmann::json overridden = nlohmann::json::object();
  applyOverride(overridden, "pad_to_multiple_of=auto");  // --set pad_to_multiple_of=auto
  QCOMPARE(trainConfigFromJson(overridden, "run.json", {"pad_to_multiple_of=auto"}).pad_to_multiple_of, int64_t{-1});
  auto refused = [](const nlohmann::json& j, const std::string& expected) {
    try {
      trainConfigFromJson(j, "run.json");
    } catch (const std::runtime_error& e) {
      QVERIFY2(std::string(e.what()).find(expected) != std::string::npos, e.what());
      return;
    }
    QFAIL(("accepted " + j.dump()).c_str());
  };
  refused({{"attention", "flash"}}, "run.json: attention must be auto, explicit or sdpa");
  refused({{"pad_to_multiple_of", -8}}, "run.json: pad_to_multiple_of must be 0 (off)");
  refused({{"pad_to_multiple_of", "eight"}}, "run.json: pad_to_multiple_of must be an integer");
}

void TestSweepSpec::paperPresets_expandToThePapersGridBesideAProjectRoot() {
  // The preset sweeps are meant to be copied to a project root that holds resources/,
  // glue_data/ and checkpoints/: a root of links stands in for one.
  const QString root = dir_.filePath("project");
  QVERIFY(QDir().mkpath(root));
  QVERIFY(QFile::link(QStringLiteral(SWEET_SOURCE_DIR) + "/resources", root + "/resources"));
  // The paper's four backbones (DeBERTa v1, as the paper ran it) and the v3 grids beside them.
  const std::vector<std::pair<QString, QString>> sweeps = {
      {"paper-bert-base", "bert-base-uncased"},     {"paper-bert-large", "bert-large-uncased"},
      {"paper-deberta-base", "deberta-base"},       {"paper-deberta-large", "deberta-large"},
      {"deberta-v3-base", "deberta-v3-base"},       {"deberta-v3-large", "deberta-v3-large"}};
  for (const auto& [name, checkpoint] : sweeps) {
    const QString copy = root + "/" + name + ".json";
    QVERIFY(QFile::copy(QStringLiteral(SWEET_SOURCE_DIR) + "/resources/sweeps/" + name + ".json", copy));
    const Sweep sweep = loadSweep(copy.toStdString());
    QCOMPARE(sweep.runs.size(), size_t(7 * 3 * 5 * 3));  // tasks x methods x learning rates x seeds
    QCOMPARE(sweep.runs.front().id, std::string("sst2-ee-lr1e-5-s1"));
    QCOMPARE(sweep.runs.back().id, std::string("mnli-mm-lr5e-5-s3"));
    QCOMPARE(QString::fromStdString(sweep.runs.front().train.data_dir), root + "/glue_data/SST-2");
    QCOMPARE(QString::fromStdString(sweep.runs.front().train.model), root + "/checkpoints/" + checkpoint);
    // DeBERTa-large ran at batch 8 in the paper (its appendix); every other backbone at 16.
    QCOMPARE(sweep.runs.front().train.batch_size, int64_t(name == "paper-deberta-large" ? 8 : 16));
    QCOMPARE(sweep.runs.front().train.train_cap, int64_t(6000));
    QCOMPARE(sweep.slurm.gpus, int64_t(1));
  }
}


void TestSweepSpec::largeGrid_refusedBeforeExpandingUnlessAllowed() {
  // 10^6 runs: expanding them took 31 s and 3.2 GB; counted first, refused at once.
  std::string seeds;
  for (int i = 0; i < 1000; ++i) seeds += (seeds.empty() ? "" : ", ") + std::to_string(i);
  const std::string path = write("huge.json", R"({"output_dir": "out", "base": {"model": "m"},
      "grid": {"seed": [)" + seeds + R"(], "train_cap": [)" + seeds + R"(]}})");
  QElapsedTimer timer;
  timer.start();
  try {
    loadSweep(path);
    QFAIL("a 10^6-run grid was expanded");
  } catch (const std::runtime_error& e) {
    const QString message = e.what();
    QVERIFY2(message.contains("1000 seed x 1000 train_cap = 1000000 runs, more than 100000"), e.what());
    QVERIFY2(message.contains("--allow-large"), e.what());
  }
  QVERIFY2(timer.elapsed() < 2000, qPrintable(QString::number(timer.elapsed()) + " ms"));
  // A grid under the limit expands as before, allowed or not (a grid over it allowed would
  // cost seconds and hundreds of MB here: the flag's path is the same call).
  const std::string small = write("small.json", R"({"output_dir": "out", "base": {"model": "m"},
      "grid": {"seed": [1, 2, 3]}})");
  QCOMPARE(loadSweep(small).runs.size(), size_t(3));
  QCOMPARE(loadSweep(small, true).runs.size(), size_t(3));
}

// Issue 25: the method, sweet_alpha and exit_loss_weights as axes, a weight list among
// the values (a list of lists); a combination the trainer refuses is refused by name.
void TestSweepSpec::remedyAxes_methodAlphaAndListsOfWeights() {
  const Sweep sweep = loadSweep(write("remedies.json", R"({"output_dir": "out", "base": {"model": "m", "exit_layers": [1, 4, 6, 12]},
      "grid": {"method": ["ee", "pcgrad"], "exit_loss_weights": ["uniform", "layer", [1, 0.5, 0.5, 2]], "seed": [1]}})"));
  QCOMPARE(sweep.runs.size(), size_t(6));
  QCOMPARE(sweep.runs[0].id, std::string("ee-exit_loss_weightsuniform-s1"));
  // A list of weights reads as one and names a file ("w1-0.5-0.5-2"); other keys' ids,
  // lists among them, stay as they were.
  QCOMPARE(sweep.runs[2].id, std::string("ee-w1-0.5-0.5-2-s1"));
  QCOMPARE(sweepIdPart("exit_loss_weights", nlohmann::json::parse("[1.0, 0.25, 3e-05]")), std::string("w1-0.25-3e-5"));
  QCOMPARE(sweepIdPart("exit_layers", nlohmann::json::parse("[1, 4, 6, 12]")), std::string("exit_layers_1_4_6_12_"));
  QCOMPARE(sweep.runs[5].train.method, std::string("pcgrad"));
  QCOMPARE(sweep.runs[5].train.exit_loss_weights, nlohmann::json::parse("[1, 0.5, 0.5, 2]"));
  QCOMPARE(sweep.runs[4].train.exit_loss_weights, nlohmann::json("layer"));
  const Sweep alphas = loadSweep(write("alphas.json", R"({"output_dir": "out", "base": {"model": "m"},
      "grid": {"sweet_alpha": [0, 0.25, 1]}})"));
  QCOMPARE(alphas.runs[1].id, std::string("sweet_alpha0.25"));
  QCOMPARE(alphas.runs[1].train.sweet_alpha, 0.25);
  try {
    loadSweep(write("refused.json", R"({"output_dir": "out", "base": {"model": "m"},
        "grid": {"method": ["ee", "sweet"], "sweet_alpha": [0.5]}})"));
    QFAIL("sweet with sweet_alpha 0.5 was accepted");
  } catch (const std::runtime_error& e) {
    QVERIFY2(std::string(e.what()).find("(run sweet-sweet_alpha0.5): sweet_alpha applies to method ee") != std::string::npos,
             e.what());
  }
  // The study's sweep file, copied to a project root as docs/conflict-remedies.md says.
  const QString root = dir_.filePath("remedies-root");
  QVERIFY(QDir().mkpath(root));
  QVERIFY(QFile::copy(QStringLiteral(SWEET_SOURCE_DIR) + "/resources/sweeps/conflict-remedies.json", root + "/cr.json"));
  const Sweep study = loadSweep((root + "/cr.json").toStdString());
  QCOMPARE(study.runs.size(), size_t(7 * 3));
  QCOMPARE(study.runs.front().id, std::string("alpha0-s1"));
  QCOMPARE(study.runs[3].train.sweet_alpha, 0.25);
  QCOMPARE(study.runs[15].train.method, std::string("pcgrad"));
  QCOMPARE(study.runs.back().train.exit_loss_weights, nlohmann::json("layer"));
  QCOMPARE(QString::fromStdString(study.runs.front().train.model), root + "/runs/conflict-remedies/start/pretrained-bert");
}

QTEST_GUILESS_MAIN(TestSweepSpec)
#include "test_sweep_spec.moc"
