// Exports: PDF/SVG/PNG files exist and parse (PDF magic, well-formed SVG, PNG at the
// chosen size), the headless export writes every figure and table, and figures stay
// legible at paper size (speedup labels apart, legend off the data, screen look restored).
#include "ui/curve_view.h"
#include "ui/figure_style.h"
#include "ui/headless_export.h"
#include "ui/heatmap_view.h"
#include "ui/plot_export.h"
#include "ui/speedup_axis.h"
#include "ui/qcustomplot_include.h"
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

  void speedupTicks_fitSideBySideAtOneColumnWidth() {
    // ~7 px per character, as the 7-unit tick font of a one-column export.
    const auto width = [](const QString& label) { return 4.5 * label.size(); };
    const std::vector<double> narrow = chooseSpeedupTicks(0, 1.96, 200, width);
    const std::vector<double> wide = chooseSpeedupTicks(0, 1.96, 1000, width);
    QVERIFY(narrow.size() >= 4);
    QVERIFY(wide.size() > narrow.size());
    for (const auto* ticks : {&narrow, &wide}) {
      const double pixels = ticks == &narrow ? 200 : 1000;
      QVERIFY(std::find(ticks->begin(), ticks->end(), 1.0) != ticks->end());  // 1× always wins
      QVERIFY(std::find(ticks->begin(), ticks->end(), 0.5) != ticks->end());  // then 2×
      for (size_t i = 1; i < ticks->size(); ++i) {
        const double gap = ((*ticks)[i] - (*ticks)[i - 1]) * pixels / 1.96;
        const double halves = (width(speedupLabel(1 / (*ticks)[i])) + width(speedupLabel(1 / (*ticks)[i - 1]))) / 2;
        QVERIFY2(gap >= halves, qPrintable(QStringLiteral("labels %1 and %2 overlap").arg(i - 1).arg(i)));
      }
    }
    // A range that stops at the full model has no slow-down ticks.
    for (double c : chooseSpeedupTicks(0.05, 1.0, 600, width)) QVERIFY(c <= 1.0);
    QCOMPARE(speedupLabel(4.0 / 3.0), QStringLiteral("1.33×"));
  }

  void heatmapOneColumn_twoPanelsPerRowWithGradientAndValues() {
    HeatmapView view;
    view.resize(1200, 400);
    view.setRuns(loadRunFiles(runFiles_).runs);
    QVERIFY(view.colorMapCount() >= 2);
    view.showValues()->setChecked(true);
    auto smallestPanel = [&] {
      double w = 1e9, h = 1e9;
      for (int l = 0; l < view.colorMapCount(); ++l) {
        const QRect r = view.colorMap(l)->keyAxis()->axisRect()->rect();
        w = std::min<double>(w, r.width()), h = std::min<double>(h, r.height());
      }
      return std::make_pair(w, h);
    };
    // Laid out at one-column size (252 x 187 pt), as the export does.
    view.plot()->toPixmap(252, 187, 1.0);
    const auto oneRow = smallestPanel();
    view.setPanelColumns(2);
    const QPixmap pixmap = view.plot()->toPixmap(252, 187, 1.0);
    const auto twoPerRow = smallestPanel();
    if (qEnvironmentVariableIsSet("SWEET_KEEP_EXPORT")) {  // to look at it
      ExportOptions o;
      o.dpi = 216;
      exportPlot(view.plot(), qEnvironmentVariable("SWEET_KEEP_EXPORT"), o);
    }
    QVERIFY2(twoPerRow.first > 1.4 * oneRow.first,
             qPrintable(QStringLiteral("%1 vs %2 pt wide").arg(twoPerRow.first).arg(oneRow.first)));
    QVERIFY2(twoPerRow.first >= 50 && twoPerRow.second >= 35, qPrintable(QStringLiteral("%1 x %2").arg(twoPerRow.first).arg(twoPerRow.second)));
    // The colour bar is drawn as a gradient: red at its top (+1), blue at its bottom (-1).
    const QImage image = pixmap.toImage();
    QCPColorScale* scale = nullptr;
    for (QCPLayoutElement* e : view.plot()->plotLayout()->elements(true))
      if (auto* s = qobject_cast<QCPColorScale*>(e)) scale = s;
    QVERIFY(scale);
    const QRect bar = scale->axis()->axisRect()->rect();
    QVERIFY2(bar.width() >= 4 && bar.height() >= 40, qPrintable(QStringLiteral("bar %1 x %2").arg(bar.width()).arg(bar.height())));
    const QColor top = image.pixelColor(bar.center().x(), bar.top() + 3);
    const QColor bottom = image.pixelColor(bar.center().x(), bar.bottom() - 3);
    QVERIFY2(top.red() > top.blue() + 60, qPrintable(top.name()));
    QVERIFY2(bottom.blue() > bottom.red() + 60, qPrintable(bottom.name()));
    // Cell values are plot items, so they are in every export, at the cell's value.
    int shown = 0;
    for (int i = 0; i < view.plot()->itemCount(); ++i)
      if (auto* t = qobject_cast<QCPItemText*>(view.plot()->item(i)); t && t->visible()) ++shown;
    const int E = view.colorMap(0)->data()->keySize();
    QCOMPARE(shown, view.colorMapCount() * E * E);
    QCOMPARE(view.cellValueText(0, 0, 0), QString::number(view.colorMap(0)->data()->cell(0, 0), 'f', 2));
    view.showValues()->setChecked(false);
    for (int i = 0; i < view.plot()->itemCount(); ++i) QVERIFY(!view.plot()->item(i)->visible());
  }

  void heatmapWindow_cannotExceedTheRecords() {
    HeatmapView view;
    view.setRuns(loadRunFiles(runFiles_).runs);
    QVERIFY(view.currentRun());
    QCOMPARE(view.windowSpin()->maximum(), static_cast<int>(view.currentRun()->gradients->records()));
    QCOMPARE(view.windowSpin()->suffix(), QStringLiteral(" record"));
    view.windowSpin()->setValue(2);
    QCOMPARE(view.windowSpin()->suffix(), QStringLiteral(" records"));
  }

  void legend_movesToTheCornerWithoutData() {
    QCustomPlot plot;
    plot.legend->setVisible(true);
    keepLegendClearOfData(&plot);
    QCPGraph* g = plot.addGraph();
    g->setName(QStringLiteral("rising then flat"));
    // Low then high, like a speed-accuracy curve: the default top-right legend would cover it.
    QVector<double> x, y;
    for (int i = 0; i <= 100; ++i) x << i / 100.0, y << (i < 50 ? 0.05 : 0.95);
    g->setData(x, y);
    plot.xAxis->setRange(0, 1);
    plot.yAxis->setRange(0, 1);
    plot.replot();
    const Qt::Alignment corner = plot.axisRect()->insetLayout()->insetAlignment(0);
    QVERIFY(corner == (Qt::AlignBottom | Qt::AlignRight) || corner == (Qt::AlignTop | Qt::AlignLeft));
    const QRect box = plot.legend->outerRect();
    for (int i = 0; i < x.size(); ++i)
      QVERIFY(!box.contains(QPoint(plot.xAxis->coordToPixel(x[i]), plot.yAxis->coordToPixel(y[i]))));
  }

  void exportPlot_restoresTheScreenLook() {
    CurveView view;
    view.resize(900, 600);
    view.setRuns(loadRunFiles(runFiles_).runs);
    const QFont tickFont = view.plot()->xAxis->tickLabelFont();
    const QFont legendFont = view.plot()->legend->font();
    const double markerSize = view.plot()->graph(view.plot()->graphCount() - 1)->scatterStyle().size();
    {
      // While the paper style is on, text is 7-8 units (points in the figure) and markers small.
      const PaperStyle paper(view.plot());
      QCOMPARE(view.plot()->xAxis->tickLabelFont().pixelSize(), 7);
      QVERIFY(view.plot()->graph(view.plot()->graphCount() - 1)->scatterStyle().size() <= 5.0);
    }
    ExportOptions options;
    QString error;
    QVERIFY2(exportPlot(view.plot(), dir_.filePath("r.png"), options, &error), qPrintable(error));
    QCOMPARE(view.plot()->xAxis->tickLabelFont(), tickFont);
    QCOMPARE(view.plot()->legend->font(), legendFont);
    QCOMPARE(view.plot()->graph(view.plot()->graphCount() - 1)->scatterStyle().size(), markerSize);
  }

  void headlessExport_failsOnBrokenFile() {
    const QString bogus = dir_.filePath("bogus.h5");
    QVERIFY(sweet::testing::writeBytes(bogus, "not hdf5"));
    ExportOptions options;
    QCOMPARE(runHeadlessExport({bogus}, dir_.filePath("out2"), options), 1);
  }
};

QTEST_MAIN(ExportTest)
#include "test_export.moc"
