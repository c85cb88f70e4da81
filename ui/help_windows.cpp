// Help windows: see help_windows.h.
#include "ui/help_windows.h"

#include <QAction>
#include <QDialog>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QHeaderView>
#include <QTableWidget>
#include <QTextBrowser>
#include <QUrl>
#include <QVBoxLayout>

#include <functional>
#include <utility>
#include <vector>

namespace sweet::ui {
namespace {

// The menu actions of `window` with a shortcut, as (keys, menu ▸ text) in menu order.
std::vector<std::pair<QString, QString>> menuShortcuts(const QWidget* window) {
  std::vector<std::pair<QString, QString>> rows;
  std::function<void(const QMenu*, const QString&)> walk = [&](const QMenu* menu, const QString& path) {
    for (const QAction* a : menu->actions()) {
      const QString name = path + QStringLiteral(" ▸ ") + QString(a->text()).remove(QLatin1Char('&'));
      if (a->menu()) walk(a->menu(), name);
      else if (!a->shortcut().isEmpty()) rows.emplace_back(a->shortcut().toString(QKeySequence::NativeText), name);
    }
  };
  for (const QMenuBar* bar : window->findChildren<QMenuBar*>())
    for (const QAction* top : bar->actions())
      if (top->menu()) walk(top->menu(), QString(top->text()).remove(QLatin1Char('&')));
  return rows;
}

}  // namespace

QString userGuideUrl() { return QStringLiteral("qrc:/guide/README.md"); }

QDialog* showUserGuide(QWidget* parent, QTextBrowser** browser) {
  auto* dialog = new QDialog(parent);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->setWindowTitle(QObject::tr("SWEET Workbench user guide"));
  auto* text = new QTextBrowser(dialog);
  text->setOpenExternalLinks(true);  // web links go to the browser; guide pages stay here
  text->setSource(QUrl(userGuideUrl()), QTextDocument::MarkdownResource);
  auto* back = new QPushButton(QObject::tr("Back"), dialog);
  auto* home = new QPushButton(QObject::tr("Contents"), dialog);
  back->setEnabled(false);
  QObject::connect(text, &QTextBrowser::backwardAvailable, back, &QPushButton::setEnabled);
  QObject::connect(back, &QPushButton::clicked, text, &QTextBrowser::backward);
  QObject::connect(home, &QPushButton::clicked, text, &QTextBrowser::home);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(back);
  buttons->addWidget(home);
  buttons->addStretch();
  auto* layout = new QVBoxLayout(dialog);
  layout->addLayout(buttons);
  layout->addWidget(text);
  dialog->resize(900, 700);
  dialog->show();
  if (browser) *browser = text;
  return dialog;
}

QString shortcutsText(const QWidget* window) {
  QStringList lines;
  for (const auto& [keys, name] : menuShortcuts(window)) lines << keys + QLatin1Char('\t') + name;
  return lines.join(QLatin1Char('\n'));
}

QDialog* showShortcuts(QWidget* parent) {
  auto* dialog = new QDialog(parent);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->setWindowTitle(QObject::tr("Keyboard shortcuts"));
  const auto rows = menuShortcuts(parent);
  auto* table = new QTableWidget(static_cast<int>(rows.size()), 2, dialog);
  table->setHorizontalHeaderLabels({QObject::tr("Keys"), QObject::tr("Action")});
  table->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table->verticalHeader()->hide();
  for (int r = 0; r < static_cast<int>(rows.size()); ++r) {
    table->setItem(r, 0, new QTableWidgetItem(rows[static_cast<size_t>(r)].first));
    table->setItem(r, 1, new QTableWidgetItem(rows[static_cast<size_t>(r)].second));
  }
  table->horizontalHeader()->setStretchLastSection(true);
  table->resizeColumnToContents(0);
  auto* close = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
  QObject::connect(close, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
  auto* layout = new QVBoxLayout(dialog);
  layout->addWidget(table);
  layout->addWidget(close);
  dialog->resize(520, 360);
  dialog->show();
  return dialog;
}

}  // namespace sweet::ui
