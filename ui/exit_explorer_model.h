// The exit explorer's table: one row per evaluation instance of one run (its text, gold
// label, every exit's prediction, confidence and LTE score, and the exit it takes at the
// current threshold), filtered and sorted inside the model. Every cell is computed from an
// analysis::ExitReplay when asked for, so 5,000 instances cost no more than the rows on
// screen; the replay itself (softmax, temperatures) is built off the GUI thread by
// prepareExplorerSnapshot.
#pragma once

#include "analysis/exit_policy.h"
#include "analysis/exit_rule_traits.h"
#include "ui/run_loader.h"

#include <QAbstractTableModel>
#include <QString>

#include <memory>
#include <string>
#include <vector>

namespace sweet::ui {

// One run's evaluation as the explorer reads it, under one exit rule and temperature choice.
struct ExplorerSnapshot {
  RunPtr run;
  analysis::ExitRule rule = analysis::ExitRule::Confidence;
  bool calibrate = true;          // what was asked (the curve view's toggle)
  std::string scoring;            // how the confidences were scaled, in words
  std::string error;              // why there is no replay (non-finite logits, ...); "" if none
  std::unique_ptr<analysis::ExitReplay> replay;
  // Whether the rule can place instances on this run (the LTE rule needs LTE scores).
  bool ruleApplies = true;
  std::vector<float> lte;         // [E, N] LTE scores as the LTE rule compares them; empty if none
  std::vector<QString> searchText;  // [N] lower-cased text (both segments) for the search box
};

// The heavy part (temperature fit, softmax of every exit on every instance): safe to run on
// a worker thread, as it reads only the immutable run. Temperatures are applied exactly as
// the curve view applies them (analysis::calibrate), so confidences and exits agree with it.
std::shared_ptr<ExplorerSnapshot> prepareExplorerSnapshot(const RunPtr& run, analysis::ExitRule rule, bool calibrate);

class ExitExplorerModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum class Filter {
    All,
    LeavesAt,          // leaves at exit k at the current threshold
    WrongThenRight,    // wrong at exit k, right at some later exit
    ConfidentlyWrong,  // the exit taken is wrong with confidence >= the bar
  };
  enum class ColumnKind { Row, TextA, TextB, Gold, Prediction, Confidence, Lte, ExitTaken, PredictionTaken };
  // The raw value of a cell (what sorting compares): a number, or the text for text columns.
  static constexpr int kSortRole = Qt::UserRole + 1;

  explicit ExitExplorerModel(QObject* parent = nullptr);

  // Takes the snapshot (its replay's buffers are reassigned on every threshold change).
  void setSnapshot(std::shared_ptr<ExplorerSnapshot> snapshot);
  const ExplorerSnapshot* snapshot() const { return snapshot_.get(); }
  void setThreshold(double threshold);
  double threshold() const { return threshold_; }
  void setFilter(Filter filter, int exit, double confidenceBar);
  void setSearch(const QString& text);

  int instances() const;
  int instanceAt(int row) const { return visible_.at(static_cast<size_t>(row)); }
  // The exit (0-based) `instance` leaves at; -1 when the rule does not apply.
  int exitTaken(int instance) const;
  // The column of a kind (and exit, for the per-exit kinds); -1 when not shown.
  int column(ColumnKind kind, int exit = -1) const;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
  void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

 private:
  struct Column {
    ColumnKind kind;
    int exit = -1;
  };
  void buildColumns();
  void assignExits();
  bool passes(int instance) const;
  // Recomputes the visible rows (filter, search, sort) and resets the view.
  void refilter();
  void sortVisible();
  QVariant display(const Column& c, int instance) const;
  QVariant sortValue(const Column& c, int instance) const;
  bool thresholdMatters() const;

  std::shared_ptr<ExplorerSnapshot> snapshot_;
  std::vector<Column> columns_;
  std::vector<int> visible_;          // instances shown, in display order
  std::vector<int32_t> exitOf_;       // [N] exit taken at threshold_; empty when the rule does not apply
  double threshold_ = 0.9;
  Filter filter_ = Filter::All;
  int filterExit_ = 0;
  double confidenceBar_ = 0.9;
  QString search_;
  int sortColumn_ = -1;
  Qt::SortOrder sortOrder_ = Qt::AscendingOrder;
};

}  // namespace sweet::ui
