// RunCatalog alone (no widgets, no files): labels name only the grouping keys that differ
// among the groups in scope, captions the keys all shown runs share, renames and grouping
// survive a re-read, and the filter needs every word.
#include "ui/run_catalog.h"

#include <QtTest>

using sweet::ui::RunCatalog;
using sweet::ui::RunGroup;

namespace {

sweet::analysis::RunData run(const std::string& task, const std::string& method, double lr, int seed, int cap = 2000) {
  sweet::analysis::RunData r;
  r.task = task;
  r.method = method;
  r.path = "/runs/" + task + "-" + method + "-" + std::to_string(lr) + "-s" + std::to_string(seed) + ".h5";
  r.runName = task + "-" + method + "-s" + std::to_string(seed);
  r.config = {{"task", task}, {"method", method}, {"learning_rate", lr}, {"seed", seed}, {"train_cap", cap},
              {"model", "/models/bert-base-uncased/"}, {"output_dir", "/tmp/" + std::to_string(seed)},
              {"lte", {{"enabled", false}}}};
  return r;
}

std::vector<std::string> labelsOf(const std::vector<RunGroup>& groups) {
  std::vector<std::string> out;
  for (const RunGroup& g : groups) out.push_back(g.label);
  return out;
}

}  // namespace

class RunCatalogTest : public QObject {
  Q_OBJECT
  std::vector<sweet::analysis::RunData> data_;
  RunCatalog catalog_;

  void load() {
    std::vector<const sweet::analysis::RunData*> pointers;
    for (const auto& r : data_) pointers.push_back(&r);
    catalog_.setRuns(pointers);
  }

 private Q_SLOTS:
  void init() {
    data_.clear();
    for (const char* task : {"rte", "sst2"})
      for (const char* method : {"ee", "sweet"})
        for (double lr : {2e-5, 5e-5})
          for (int seed : {1, 2}) data_.push_back(run(task, method, lr, seed));
    catalog_ = RunCatalog();
    load();
  }

  void groups_labelledByVaryingKeysOnly() {
    const auto groups = catalog_.groups("rte");
    QCOMPARE(groups.size(), size_t{4});
    QCOMPARE(labelsOf(groups), (std::vector<std::string>{"EE · lr 2e-5", "EE · lr 5e-5", "SWEET · lr 2e-5", "SWEET · lr 5e-5"}));
    for (const RunGroup& g : groups) QCOMPARE(g.paths.size(), size_t{2});  // seeds pooled
    QCOMPARE(groups[1].variant, 1);
    const std::string caption = catalog_.caption("rte");
    QVERIFY2(caption.find("rte") == 0 && caption.find("cap 2000") != std::string::npos &&
                 caption.find("bert-base-uncased") != std::string::npos && caption.find("no LTE") != std::string::npos &&
                 caption.find("lr") == std::string::npos && caption.find("seed") == std::string::npos &&
                 caption.find("output") == std::string::npos,
             caption.c_str());
  }

  void hiddenRuns_leaveLabelsAndCaption() {
    for (const auto& r : data_)
      if (r.method == "sweet") catalog_.setRunHidden(r.path, true);
    QCOMPARE(labelsOf(catalog_.groups("rte")), (std::vector<std::string>{"lr 2e-5", "lr 5e-5"}));
    QVERIFY(catalog_.caption("rte").find("EE") != std::string::npos);
    // Listed (the panel) still has them, labelled among everything listed.
    QCOMPARE(catalog_.groups("rte", RunCatalog::Scope::Listed).size(), size_t{4});
  }

  void filter_needsEveryWord() {
    catalog_.setFilter("SWEET 5e-5");
    std::vector<std::string> shown;
    for (size_t r = 0; r < catalog_.runs().size(); ++r)
      if (catalog_.isShown(r)) shown.push_back(catalog_.runs()[r].path);
    QCOMPARE(shown.size(), size_t{4});  // two tasks x two seeds
    QCOMPARE(catalog_.tasks(), (std::vector<std::string>{"rte", "sst2"}));
    QCOMPARE(labelsOf(catalog_.groups("sst2")), (std::vector<std::string>{"SWEET"}));
  }

  void groupBy_andRename_surviveAReread() {
    catalog_.setGroupBy({"seed"});  // lr pooled, seeds apart
    auto groups = catalog_.groups("rte");
    QCOMPARE(labelsOf(groups), (std::vector<std::string>{"EE · seed 1", "EE · seed 2", "SWEET · seed 1", "SWEET · seed 2"}));
    catalog_.renameGroup(groups[0].key, "baseline, first seed");
    data_.push_back(run("rte", "ee", 1e-4, 1, 4000));  // a new run with another cap
    load();
    groups = catalog_.groups("rte");
    QCOMPARE(groups[0].label, std::string("baseline, first seed"));
    QCOMPARE(groups[0].paths.size(), size_t{3});
    catalog_.renameGroup(groups[0].key, "");
    QCOMPARE(catalog_.groups("rte")[0].label, std::string("EE · seed 1"));
    // Columns: the fixed ones, then what varies (the cap now does), never output folders.
    const auto columns = catalog_.columns();
    QVERIFY(std::find(columns.begin(), columns.end(), "train_cap") != columns.end());
    QVERIFY(std::find(columns.begin(), columns.end(), "output_dir") == columns.end());
    QCOMPARE(catalog_.cellText(catalog_.runs().size() - 1, "learning_rate"), std::string("0.0001"));
  }

  void labelParts_areCompact() {
    QCOMPARE(RunCatalog::labelPart("learning_rate", "2e-05"), std::string("lr 2e-5"));
    QCOMPARE(RunCatalog::labelPart("train_cap", "2000"), std::string("cap 2000"));
    QCOMPARE(RunCatalog::labelPart("lte.enabled", "true"), std::string("LTE"));
    QCOMPARE(RunCatalog::labelPart("method", "mm"), std::string("MM"));
    QCOMPARE(RunCatalog::labelPart("precision", "bf16"), std::string("bf16"));
    QCOMPARE(RunCatalog::labelPart("sweet_alpha", "0.5"), std::string("α 0.5"));
    // Issue 25's remedies as the report names them: numbers shortest, lists spaced, the
    // defaults (α 1, uniform weights) left to the method's name.
    QCOMPARE(RunCatalog::labelPart("sweet_alpha", "0.0"), std::string("α 0"));
    QCOMPARE(RunCatalog::labelPart("sweet_alpha", "1.0"), std::string());
    QCOMPARE(RunCatalog::labelPart("method", "pcgrad"), std::string("PCGrad"));
    QCOMPARE(RunCatalog::labelPart("exit_loss_weights", "layer"), std::string("weights layer"));
    QCOMPARE(RunCatalog::labelPart("exit_loss_weights", "[1.0,0.5,0.5,2.0]"), std::string("weights [1, 0.5, 0.5, 2]"));
    QCOMPARE(RunCatalog::labelPart("exit_loss_weights", "uniform"), std::string());
    QCOMPARE(RunCatalog::columnTitle("exit_loss_weights"), std::string("weights"));
  }
};

QTEST_GUILESS_MAIN(RunCatalogTest)
#include "test_run_catalog.moc"
