// Exports: PDF/SVG/PNG files exist and parse (PDF magic, well-formed SVG, PNG at the
// chosen size), and the headless export writes every figure and table.
#include "ui/curve_view.h"
#include "ui/headless_export.h"
#include "ui/plot_export.h"
#include "ui_fixtures.h"

#include <QFile>
#include <QImage>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>

using namespace sweet::ui;

namespace {

bool isPdf(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) && f.read(5) == "%PDF-" && f.size() > 1000;
}

bool isSvg(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return false;
  QXmlStreamReader xml(&f);
  bool sawSvg = false;
  while (!xml.atEnd()) {
    xml.readNext();
    if (xml.isStartElement() && xml.name() == QLatin1String("svg")) sawSvg = true;
  }
  return sawSvg && !xml.hasError();
}

}  // namespace

class ExportTest : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  QStringList runFiles_;

 private Q_SLOTS:
  void initTestCase() { runFiles_ = sweet::testing::writeFixtureRuns(dir_.path()); }

  void exportPlot_writesParsableFiles() {
    CurveView view;
    view.setRuns(loadRunFiles(runFiles_).runs);
    ExportOptions options;
    options.size = FigureSize::TwoColumn;
    options.dpi = 150;
    const QString pdf = dir_.filePath("c.pdf"), svg = dir_.filePath("c.svg"), png = dir_.filePath("c.png");
    QString error;
    QVERIFY2(exportPlot(view.plot(), pdf, options, &error), qPrintable(error));
    QVERIFY2(exportPlot(view.plot(), svg, options, &error), qPrintable(error));
    QVERIFY2(exportPlot(view.plot(), png, options, &error), qPrintable(error));
    QVERIFY(isPdf(pdf));
    QVERIFY(isSvg(svg));
    const QImage image(png);
    QCOMPARE(image.size(), pngPixelSize(options));
    QCOMPARE(image.size(), QSize(1050, 450));  // 7 in x 3 in at 150 dpi
    QVERIFY(!exportPlot(view.plot(), dir_.filePath("c.bmpx"), options, &error));
    QVERIFY(error.contains(QStringLiteral("unknown figure format")));
  }

  void onePngSizePreset_isOneColumn() {
    ExportOptions options;
    options.dpi = 300;
    QCOMPARE(pngPixelSize(options), QSize(1050, 779));  // 3.5 in x 2.6 in at 300 dpi
  }

  void headlessExport_writesFiguresAndTables() {
    const QString out = dir_.filePath("out");
    ExportOptions options;
    options.dpi = 100;
    QCOMPARE(runHeadlessExport(runFiles_, out, options), 0);
    QVERIFY(isPdf(out + "/curves.pdf"));
    QVERIFY(isSvg(out + "/curves.svg"));
    QCOMPARE(QImage(out + "/curves.png").size(), pngPixelSize(options));
    QVERIFY(isPdf(out + "/heatmap-ee-s1.pdf"));
    QVERIFY(QFile::exists(out + "/heatmap-ee-s1.csv"));
    QFile tex(out + "/table1.tex");
    QVERIFY(tex.open(QIODevice::ReadOnly));
    QVERIFY(tex.readAll().contains("\\textbf{"));
    QFile csv(out + "/curves.csv");
    QVERIFY(csv.open(QIODevice::ReadOnly));
    QVERIFY(csv.readAll().contains("\"EE threshold\""));
  }

  void headlessExport_failsOnBrokenFile() {
    const QString bogus = dir_.filePath("bogus.h5");
    QFile f(bogus);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("not hdf5");
    f.close();
    ExportOptions options;
    QCOMPARE(runHeadlessExport({bogus}, dir_.filePath("out2"), options), 1);
  }
};

QTEST_MAIN(ExportTest)
#include "test_export.moc"
