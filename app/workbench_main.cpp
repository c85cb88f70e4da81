// `sweet-workbench`: parses the command line and either runs the headless export or shows
// the main window (everything else lives in sweet::ui).
#include "training/file_size_limit.h"
#include "ui/headless_export.h"
#include "ui/main_window.h"
#include "ui/run_loader.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QMessageBox>
#include <QTabWidget>
#include <QTimer>

#include <cstdio>

int main(int argc, char** argv) {
  // Before Qt starts its threads: a queued run's write past `ulimit -f` then fails that run
  // with "File too large", like a full disk, instead of killing the window with every run.
  sweet::treatFileSizeLimitAsWriteError();
  sweet::ui::useOffscreenPlatformForHeadlessExport(argc, argv);  // before Qt picks a platform
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("sweet-workbench"));
  QApplication::setApplicationName(QStringLiteral("sweet-workbench"));
  QApplication::setApplicationVersion(QStringLiteral(SWEET_VERSION));

  QCommandLineParser parser;
  parser.setApplicationDescription(QStringLiteral("SWEET Workbench: train and compare early-exit models"));
  parser.addHelpOption();
  parser.addVersionOption();
  parser.addPositionalArgument(QStringLiteral("runs"), QStringLiteral("Run files (.h5) to open"), QStringLiteral("[RUN.h5...]"));
  QCommandLineOption exportOpt(QStringLiteral("export"), QStringLiteral("Render the figures and tables of the given run files offscreen and exit"));
  QCommandLineOption outOpt(QStringLiteral("out"), QStringLiteral("Output folder for --export"), QStringLiteral("DIR"), QStringLiteral("figures"));
  QCommandLineOption sizeOpt(QStringLiteral("size"), QStringLiteral("Figure width for --export: one (column, 3.3 in) or two (columns, 7 in); 3.3 and 7 work too"), QStringLiteral("SIZE"), QStringLiteral("one"));
  QCommandLineOption dpiOpt(QStringLiteral("dpi"), QStringLiteral("PNG resolution for --export"), QStringLiteral("DPI"), QStringLiteral("300"));
  QCommandLineOption demoOpt(QStringLiteral("demo"), QStringLiteral("Open the demo runs in ./demo-runs (from `sweet demo`)"));
  QCommandLineOption shotOpt(QStringLiteral("screenshot"), QStringLiteral("Save a PNG of the window after loading, then quit"), QStringLiteral("FILE"));
  QCommandLineOption tabOpt(QStringLiteral("tab"), QStringLiteral("Tab to show first: 0 curves, 1 table, 2 heatmaps, 3 runs, 4 per task, 5 sweeps, 6 exit explorer, 7 reliability"), QStringLiteral("N"), QStringLiteral("0"));
  QCommandLineOption queueOpt(QStringLiteral("queue"),
                              QStringLiteral("Queue the training run in CONFIG.json (as `sweet train` reads it) at start-up; repeatable"),
                              QStringLiteral("CONFIG.json"));
  QCommandLineOption setOpt(QStringLiteral("set"), QStringLiteral("Override a key of every --queue config: key=value; repeatable"),
                            QStringLiteral("KEY=VALUE"));
  parser.addOptions({exportOpt, outOpt, sizeOpt, dpiOpt, demoOpt, shotOpt, tabOpt, queueOpt, setOpt});
  parser.process(app);

  QStringList runs = parser.positionalArguments();
  if (parser.isSet(demoOpt)) {
    const QDir demo(QStringLiteral("demo-runs"));
    // demo-*: the fine-tuning runs, not the pre-training run file `sweet demo --pretrain` leaves beside them.
    for (const QString& f : demo.entryList({QStringLiteral("demo-*.h5")}, QDir::Files, QDir::Name)) runs << demo.filePath(f);
    if (runs.isEmpty()) qWarning("no run files in ./demo-runs: run `sweet demo --out demo-runs` first");
  }
  if (parser.isSet(exportOpt)) {
    sweet::ui::ExportOptions options;
    const auto size = sweet::ui::figureSizeFromName(parser.value(sizeOpt));
    if (!size) {
      std::fprintf(stderr, "error: --size %s: use one (3.3 in) or two (7 in)\n", qPrintable(parser.value(sizeOpt)));
      return 2;
    }
    options.size = *size;
    options.dpi = parser.value(dpiOpt).toInt();
    return sweet::ui::runHeadlessExport(runs, parser.value(outOpt), options);
  }

  sweet::ui::MainWindow window;
  window.tabs()->setCurrentIndex(parser.value(tabOpt).toInt());
  window.show();
  window.openRunFiles(runs);
  const QStringList refused = window.queueConfigFiles(parser.values(queueOpt), parser.values(setOpt));
  for (const QString& message : refused) qWarning("not queued: %s", qPrintable(message));
  if (!refused.isEmpty())
    QMessageBox::warning(&window, QObject::tr("Some runs were not queued"), refused.join(QLatin1Char('\n')));
  if (parser.isSet(shotOpt)) {
    const QString file = parser.value(shotOpt);
    window.setConfirmClose(false);
    QObject::connect(window.loader(), &sweet::ui::RunLoader::loaded, &window, [&window, file] {
      QTimer::singleShot(800, &window, [&window, file] {
        window.grab().save(file);
        window.close();
      });
    });
    if (runs.isEmpty()) QTimer::singleShot(800, &window, [&window, file] { window.grab().save(file); window.close(); });
  }
  return app.exec();
}
