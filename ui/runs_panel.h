// The runs panel, as W&B and TensorBoard users compare runs: every open run a row under its
// task and its group, its config keys as columns, its status; a filter box; check boxes
// to show or hide a run, a group or a task; "Group by" any keys (seeds pooled by default);
// a group renamed by editing its name (the name legends and exports use). The rules live in
// RunCatalog; this widget only shows it and turns clicks into its calls.
#pragma once

#include "ui/run_catalog.h"
#include "ui/run_loader.h"

#include <QWidget>

#include <string>
#include <vector>

class QLabel;
class QLineEdit;
class QMenu;
class QToolButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace sweet::ui {

class RunsPanel : public QWidget {
  Q_OBJECT
 public:
  // What a row of the tree stands for (its Qt::UserRole data; Qt::UserRole + 1 holds the
  // task, the group key or the run's path).
  enum RowKind { TaskRow = 1, GroupRow = 2, RunRow = 3 };

  explicit RunsPanel(QWidget* parent = nullptr);

  // Lists the runs; hidden runs, names, grouping and the filter stay as they were.
  void setRuns(const std::vector<RunPtr>& runs);
  const RunCatalog& catalog() const { return catalog_; }

  QLineEdit* filterEdit() const { return filter_; }
  QTreeWidget* tree() const { return tree_; }
  // One checkable action per key ("Group by: lr"), and "seeds pooled (default)".
  QMenu* groupByMenu() const { return groupByMenu_; }
  QLabel* summaryLabel() const { return summary_; }
  // Tall enough for a task, a group and a few runs when first docked.
  QSize sizeHint() const override { return {600, 200}; }
  // The row of a task, a group (by its key) or a run (by its path); null when not listed.
  QTreeWidgetItem* row(RowKind kind, const QString& id) const;

 Q_SIGNALS:
  // Which runs are shown, how they are grouped or what a group is called has changed.
  void changed();

 private:
  void refresh();
  void refreshGroupByMenu();
  void fillTree();
  void onItemChanged(QTreeWidgetItem* item, int column);
  // A row's config columns: its runs' values, the distinct ones listed for a group.
  void setKeyColumns(QTreeWidgetItem* item, const std::vector<size_t>& members);

  RunCatalog catalog_;
  std::string shownSignature_;  // paths and states last listed: a live re-read changes nothing else
  std::vector<std::string> columns_;
  QLineEdit* filter_;
  QToolButton* groupBy_;
  QMenu* groupByMenu_;
  QTreeWidget* tree_;
  QLabel* summary_;
  bool filling_ = false;
};

}  // namespace sweet::ui
