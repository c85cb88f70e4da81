// Exports: PDF/SVG/PNG files exist and parse (PDF magic, well-formed SVG, PNG at the
// chosen size), the headless export writes every figure and table, and figures stay
// legible at paper size (speedup labels apart, legend off the data, screen look restored).
// Every figure at one and two columns: no two text boxes of the layout overlap, every box
// lies on the page (boxes measured here from the laid-out axes, titles and legends), the
// PNG's border is blank and its legend drawn, and the PDF embeds its fonts.
#include "ui/curve_view.h"
#include "ui/elided_legend_item.h"
#include "ui/figure_layout.h"
#include "ui/figure_style.h"
#include "ui/headless_export.h"
#include "ui/heatmap_view.h"
#include "ui/main_window.h"
#include "ui/runs_panel.h"
#include "ui/plot_export.h"
#include "ui/reliability_view.h"
#include "ui/speedup_axis.h"
#include "ui/task_panels_view.h"
#include "ui/qcustomplot_include.h"
#include "ui_fixtures.h"

#include <QComboBox>
#include <QFile>
#include <QFontMetrics>
#include <QImage>
#include <QLineEdit>
#include <QProcess>
#include <QSignalSpy>
#include <QTabWidget>
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

// 20 runs as a paper's comparison has them: two tasks, three methods, two learning rates,
// two seeds (less MM at the higher rate), written into `dir`.
QStringList writeManyRuns(const QString& dir) {
  QStringList paths;
  for (const char* task : {"sst2", "rte"})
    for (const char* method : {"ee", "sweet", "mm"})
      for (double lr : {2e-5, 5e-5})
        for (int64_t seed : {1, 2}) {
          if (std::string(method) == "mm" && lr > 3e-5) continue;
          sweet::testing::FakeRun run = sweet::testing::randomRun(method, seed, 200);
          run.task = task;
          run.learningRate = lr;
          run.config["task"] = task;
          run.config["learning_rate"] = lr;
          // What a paper's comparison holds fixed: the curves figure's caption says it once.
          run.config["model"] = "/models/bert-base-uncased";
          run.config["train_cap"] = 2000;
          run.config["max_length"] = 128;
          run.config["batch_size"] = 32;
          run.config["epochs"] = 3;
          run.config["calibration_size"] = 400;
          run.config["eval_every"] = 50;
          const QString path = QDir(dir).filePath(QStringLiteral("%1-%2-%3-s%4.h5").arg(task, method).arg(lr).arg(seed));
          sweet::testing::writeRun(path.toStdString(), run);
          paths << path;
        }
  return paths;
}

struct TextBox {
  QString what;
  QRectF rect;
};

QSizeF textSize(const QFont& font, const QString& text) {
  return QFontMetrics(font).boundingRect(QRect(), Qt::TextDontClip, text).size();
}

// Where QCustomPlot draws an axis' tick labels and label: beside the axis, past its
// offset, outward ticks and padding, one box per label in the visible range.
void addAxisBoxes(const QCPAxis* axis, const QString& name, std::vector<TextBox>& boxes) {
  if (!axis->visible()) return;
  const QRect r = axis->axisRect()->rect();
  const double out = axis->offset() + std::max(0, axis->tickLengthOut()) + axis->tickLabelPadding();
  double extent = 0;  // how far the tick labels reach from the axis
  if (axis->tickLabels()) {
    const QVector<double> ticks = axis->tickVector();
    const QVector<QString> labels = axis->tickVectorLabels();
    for (int i = 0; i < ticks.size() && i < labels.size(); ++i) {
      if (!axis->range().contains(ticks[i])) continue;
      const QSizeF s = textSize(axis->tickLabelFont(), labels[i]);
      const double p = axis->coordToPixel(ticks[i]);
      QRectF box;
      switch (axis->axisType()) {
        case QCPAxis::atBottom: box = QRectF(p - s.width() / 2, r.bottom() + out, s.width(), s.height()); break;
        case QCPAxis::atTop: box = QRectF(p - s.width() / 2, r.top() - out - s.height(), s.width(), s.height()); break;
        case QCPAxis::atLeft: box = QRectF(r.left() - out - s.width(), p - s.height() / 2, s.width(), s.height()); break;
        case QCPAxis::atRight: box = QRectF(r.right() + out, p - s.height() / 2, s.width(), s.height()); break;
      }
      extent = std::max(extent, axis->orientation() == Qt::Horizontal ? s.height() : s.width());
      boxes.push_back({QStringLiteral("%1 tick '%2'").arg(name, labels[i]), box});
    }
  }
  if (axis->label().isEmpty()) return;
  const QSizeF s = textSize(axis->labelFont(), axis->label());
  const double at = out + extent + axis->labelPadding();
  const QPointF c = r.center();
  QRectF box;
  switch (axis->axisType()) {
    case QCPAxis::atBottom: box = QRectF(c.x() - s.width() / 2, r.bottom() + at, s.width(), s.height()); break;
    case QCPAxis::atTop: box = QRectF(c.x() - s.width() / 2, r.top() - at - s.height(), s.width(), s.height()); break;
    // Vertical labels are drawn turned by 90°.
    case QCPAxis::atLeft: box = QRectF(r.left() - at - s.height(), c.y() - s.width() / 2, s.height(), s.width()); break;
    case QCPAxis::atRight: box = QRectF(r.right() + at, c.y() - s.width() / 2, s.height(), s.width()); break;
  }
  boxes.push_back({name + QStringLiteral(" label"), box});
}

// Every text box of the plot as last laid out: titles, legends, axes of panels and scales.
std::vector<TextBox> textBoxes(QCustomPlot* plot) {
  std::vector<TextBox> boxes;
  int n = 0;
  for (QCPLayoutElement* e : plot->plotLayout()->elements(true)) {
    if (auto* title = qobject_cast<QCPTextElement*>(e); title && !title->text().isEmpty()) {
      const QSizeF s = textSize(title->font(), title->text());
      const QPointF c = QRectF(title->rect()).center();
      boxes.push_back({QStringLiteral("title '%1'").arg(title->text()), QRectF(c.x() - s.width() / 2, c.y() - s.height() / 2, s.width(), s.height())});
    }
    if (auto* legend = qobject_cast<QCPLegend*>(e); legend && legend->visible())
      boxes.push_back({QStringLiteral("legend"), legend->outerRect()});
    if (auto* scale = qobject_cast<QCPColorScale*>(e)) addAxisBoxes(scale->axis(), QStringLiteral("colour scale"), boxes);
  }
  if (plot->legend && plot->legend->visible() && plot->legend->layout() != plot->plotLayout())
    boxes.push_back({QStringLiteral("legend"), plot->legend->outerRect()});
  for (QCPAxisRect* rect : plot->axisRects()) {
    ++n;
    if (rect->plottables().isEmpty()) continue;
    for (QCPAxis* axis : rect->axes()) addAxisBoxes(axis, QStringLiteral("panel %1 axis %2").arg(n).arg(axis->axisType()), boxes);
  }
  return boxes;
}

// Fails with the first box off the page or the first pair of overlapping boxes.
QString layoutProblem(const std::vector<TextBox>& boxes, const QSize& page) {
  const QRectF sheet(-0.5, -0.5, page.width() + 1.0, page.height() + 1.0);
  for (const TextBox& b : boxes)
    if (!sheet.contains(b.rect))
      return QStringLiteral("%1 at (%2,%3 %4x%5) is off the %6x%7 page").arg(b.what).arg(b.rect.x()).arg(b.rect.y())
          .arg(b.rect.width()).arg(b.rect.height()).arg(page.width()).arg(page.height());
  for (size_t i = 0; i < boxes.size(); ++i)
    for (size_t j = i + 1; j < boxes.size(); ++j) {
      // Touching is fine; sharing more than half a point each way is an overlap.
      const QRectF both = boxes[i].rect.adjusted(0.5, 0.5, -0.5, -0.5).intersected(boxes[j].rect.adjusted(0.5, 0.5, -0.5, -0.5));
      if (both.isValid() && !both.isEmpty()) return QStringLiteral("%1 overlaps %2").arg(boxes[i].what, boxes[j].what);
    }
  return {};
}

bool pdfEmbedsFonts(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return false;
  const QByteArray bytes = f.readAll();
  return bytes.contains("/FontFile");  // FontFile2 (TrueType) or FontFile3 streams
}

// Lays `plot` out at `size` (with `caption` under it), checks its text boxes, then
// exports it as PDF and PNG and checks those: an empty message when all is well.
QString checkFigure(QCustomPlot* plot, FigureSize size, const QString& base, const QString& caption = {}) {
  QSize page;
  QRect legendBox;
  {
    const FigureLayout layout(plot, size, caption);
    page = layout.size();
    if (qEnvironmentVariableIsSet("SWEET_DEBUG_LAYOUT"))
      for (QCPLayoutElement* e : plot->plotLayout()->elements(true))
        if (e) qDebug() << e->metaObject()->className() << e->outerRect() << e->rect();
    const std::vector<TextBox> boxes = textBoxes(plot);
    if (boxes.size() < 6) return QStringLiteral("only %1 text boxes").arg(boxes.size());
    if (QString problem = layoutProblem(boxes, page); !problem.isEmpty()) return problem;
    if (!caption.isEmpty()) {  // under everything else, as wrapped on the page
      // Compared without its line breaks and spaces: the layout wrapped it.
      auto bare = [](QString text) { return text.remove(QLatin1Char('\n')).remove(QLatin1Char(' ')).remove(QChar(QChar::Nbsp)); };
      const auto captionBox = std::find_if(boxes.begin(), boxes.end(), [&](const TextBox& b) {
        return bare(b.what) == bare(QStringLiteral("title '%1'").arg(caption));
      });
      if (captionBox == boxes.end()) return QStringLiteral("no caption on the page");
      for (const TextBox& b : boxes)
        if (&b != &*captionBox && b.rect.bottom() > captionBox->rect.top() + 0.5)
          return QStringLiteral("%1 reaches below the caption's top").arg(b.what);
    }
    // A page has no tooltip: legend labels wrap there, never lose their ends to "…".
    for (QCPLayoutElement* e : plot->plotLayout()->elements(true))
      if (auto* legend = qobject_cast<QCPLegend*>(e))
        for (int i = 0; i < legend->itemCount(); ++i)
          if (auto* item = dynamic_cast<ElidedLegendItem*>(legend->item(i)); item && item->isElided())
            return QStringLiteral("legend entry '%1' elided on the page").arg(item->plottable()->name());
    for (const TextBox& b : boxes)
      if (b.what == QLatin1String("legend")) legendBox = b.rect.toRect();
  }
  ExportOptions options;
  options.size = size;
  options.dpi = 144;  // 2 pixels per point
  options.caption = caption;
  QString error;
  if (!exportPlot(plot, base + QStringLiteral(".pdf"), options, &error) || !exportPlot(plot, base + QStringLiteral(".png"), options, &error))
    return error;
  if (!pdfEmbedsFonts(base + QStringLiteral(".pdf"))) return QStringLiteral("%1.pdf does not embed its fonts").arg(base);
  const QImage image(base + QStringLiteral(".png"));
  if (image.size() != page * 2) return QStringLiteral("PNG is %1x%2, page %3x%4 pt").arg(image.width()).arg(image.height()).arg(page.width()).arg(page.height());
  // Nothing drawn on the outermost pixels: no text or line runs off the page.
  for (int x = 0; x < image.width(); ++x)
    for (int y : {0, image.height() - 1})
      if (qGray(image.pixel(x, y)) < 200) return QStringLiteral("ink at the page edge (%1, %2)").arg(x).arg(y);
  for (int y = 0; y < image.height(); ++y)
    for (int x : {0, image.width() - 1})
      if (qGray(image.pixel(x, y)) < 200) return QStringLiteral("ink at the page edge (%1, %2)").arg(x).arg(y);
  if (!legendBox.isNull()) {  // the legend's text is drawn where the layout put it
    int dark = 0;
    for (int y = 2 * legendBox.top(); y < 2 * legendBox.bottom(); ++y)
      for (int x = 2 * legendBox.left(); x < 2 * legendBox.right(); ++x) dark += qGray(image.pixel(x, y)) < 128;
    if (dark < 50) return QStringLiteral("legend box is blank in the PNG");
  }
  return {};
}

}  // namespace

class ExportTest : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  QStringList runFiles_;
  QStringList manyRuns_;

 private Q_SLOTS:
  void initTestCase() {
    runFiles_ = sweet::testing::writeFixtureRuns(dir_.path());
    const QString many = figurePath(QStringLiteral("runs"));  // kept with the figures when asked, to open them
    QDir().mkpath(many);
    manyRuns_ = writeManyRuns(many);
  }

  // Where to leave the figures for a look: $SWEET_KEEP_FIGURES or the temporary folder.
  QString figurePath(const QString& name) const {
    const QString keep = qEnvironmentVariable("SWEET_KEEP_FIGURES");
    return QDir(keep.isEmpty() ? dir_.path() : keep).filePath(name);
  }

  // With the caption of the keys every plotted run shares (the legend names only what
  // varies), wrapped under the legend between keys, never within one ("cap 2000").
  void curvesFigure_textApartAndOnThePageAtBothSizes() {
    CurveView view;
    view.resize(900, 600);
    view.setRuns(loadRunFiles(manyRuns_).runs);
    const QString caption = view.figureCaption();
    QVERIFY2(caption.contains(QStringLiteral("cap") + QChar(QChar::Nbsp) + QStringLiteral("2000")), qPrintable(caption));
    // The figure names the experiment (task, model, cap, ...), as the screen's caption does;
    // every shared setting is in that caption's tooltip, the figure's keys among them.
    QCOMPARE(QString(caption).replace(QChar(QChar::Nbsp), QLatin1Char(' ')), view.captionLabel()->text());
    const QString screen = view.captionLabel()->toolTip();
    QVERIFY2(screen.contains(QStringLiteral("batch_size 32")), qPrintable(screen));
    QVERIFY2(!caption.contains(QStringLiteral("batch_size")) && !caption.contains(QStringLiteral("max_length")),
             qPrintable(caption));
    for (const QString& part : QString(caption).replace(QChar(QChar::Nbsp), QLatin1Char(' ')).split(QStringLiteral(" · ")))
      QVERIFY2(screen.contains(part), qPrintable(part));
    for (FigureSize size : {FigureSize::OneColumn, FigureSize::TwoColumn}) {
      const QString problem = checkFigure(view.plot(), size, figurePath(size == FigureSize::OneColumn ? "curves-one" : "curves-two"), caption);
      QVERIFY2(problem.isEmpty(), qPrintable(problem));
      const FigureLayout layout(view.plot(), size, caption);
      QStringList lines;
      for (QCPLayoutElement* e : view.plot()->plotLayout()->elements(true))
        if (auto* t = qobject_cast<QCPTextElement*>(e); t && QString(t->text()).remove('\n').remove(' ').remove(QChar(QChar::Nbsp)) ==
                                                                QString(caption).remove(' ').remove(QChar(QChar::Nbsp)))
          lines = t->text().split(QLatin1Char('\n'));
      QVERIFY(!lines.isEmpty());
      for (const QString& line : lines)  // breaks fall between keys only
        QVERIFY2(!line.startsWith(QStringLiteral("2000")) && !line.endsWith(QStringLiteral("cap")), qPrintable(lines.join(" | ")));
    }
  }

  void taskPanelsFigure_textApartAndOnThePageAtBothSizes() {
    TaskPanelsView view;
    view.resize(1200, 700);
    view.setRuns(loadRunFiles(manyRuns_).runs);
    QCOMPARE(view.panelCount(), 3);  // two tasks and their average
    for (FigureSize size : {FigureSize::OneColumn, FigureSize::TwoColumn}) {
      view.setPanelColumns(size == FigureSize::OneColumn ? 2 : 4);  // as the export paths do
      const QString problem = checkFigure(view.plot(), size, figurePath(size == FigureSize::OneColumn ? "tasks-one" : "tasks-two"));
      QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }
  }

  void heatmapFigure_namesRunAndStepWithoutHolesAtBothSizes() {
    HeatmapView view;
    view.resize(1200, 400);
    view.setRuns(loadRunFiles(runFiles_).runs);
    QCOMPARE(view.colorMapCount(), 3);
    for (FigureSize size : {FigureSize::OneColumn, FigureSize::TwoColumn}) {
      view.setPanelColumns(size == FigureSize::OneColumn ? 2 : 0);
      view.stepSlider()->setValue(view.stepSlider()->maximum());
      QCOMPARE(view.figureCaption(), QStringLiteral("demo-ee-s1 · step 30"));
      bool captioned = false;
      for (QCPLayoutElement* e : view.plot()->plotLayout()->elements(true))
        if (auto* t = qobject_cast<QCPTextElement*>(e)) captioned |= t->text() == view.figureCaption();
      QVERIFY(captioned);
      const QString problem = checkFigure(view.plot(), size, figurePath(size == FigureSize::OneColumn ? "heatmap-one" : "heatmap-two"));
      QVERIFY2(problem.isEmpty(), qPrintable(problem));
      // Three layers two per row: the colour scale sits in the fourth slot, under layer 4,
      // so it spans one panel's height rather than a column beside both rows.
      if (size == FigureSize::OneColumn) {
        const FigureLayout layout(view.plot(), size);
        QCPColorScale* scale = nullptr;
        for (QCPLayoutElement* e : view.plot()->plotLayout()->elements(true))
          if (auto* s = qobject_cast<QCPColorScale*>(e)) scale = s;
        QVERIFY(scale);
        const QRect last = view.colorMap(2)->keyAxis()->axisRect()->outerRect();
        const QRect beside = view.colorMap(1)->keyAxis()->axisRect()->outerRect();
        QVERIFY2(scale->outerRect().top() >= last.top() - 1 && scale->outerRect().left() >= beside.left() - 1,
                 qPrintable(QStringLiteral("scale at %1,%2").arg(scale->outerRect().left()).arg(scale->outerRect().top())));
      }
    }
  }

  void reliabilityFigure_eceInTitlesAndTextApartAtBothSizes() {
    ReliabilityView view;
    view.resize(1200, 500);
    view.setRuns(loadRunFiles(runFiles_).runs);
    QCOMPARE(view.runSelector()->count(), 6);
    QVERIFY(view.reliability());
    QCOMPARE(view.reliability()->exits.size(), size_t(4));
    const auto& last = view.reliability()->exits.back();
    // Its phrases' spaces non-breaking, so a narrow panel wraps between them.
    QCOMPARE(view.panelTitle(3), QStringLiteral("L12: ECE %1 → %2 (T = %3)").arg(last.before.ece, 0, 'f', 3)
                                     .arg(last.after.ece, 0, 'f', 3).arg(last.temperature, 0, 'f', 2)
                                     .replace(QStringLiteral("ECE "), QStringLiteral("ECE\u00a0"))
                                     .replace(QStringLiteral(" → "), QStringLiteral("\u00a0→\u00a0"))
                                     .replace(QStringLiteral("(T = "), QStringLiteral("(T\u00a0=\u00a0")));
    QVERIFY(view.figureCaption().startsWith(QStringLiteral("demo-ee-s1 · temperatures")));
    // What is drawn is the diagram: the "after" points of the last panel are its non-empty bins.
    QCPAxisRect* rect = view.plot()->axisRects().back();
    QCPGraph* after = rect->graphs().back();
    int bins = 0;
    for (const auto& b : last.after.bins) bins += b.count > 0;
    QCOMPARE(after->dataCount(), bins);
    for (FigureSize size : {FigureSize::OneColumn, FigureSize::TwoColumn}) {
      view.setPanelColumns(size == FigureSize::OneColumn ? 2 : 4);
      const QString problem = checkFigure(view.plot(), size, figurePath(size == FigureSize::OneColumn ? "reliability-one" : "reliability-two"));
      QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }
    QVERIFY(view.reliabilityCsv().count(QLatin1Char('\n')) == 1 + 4 * 2 * sweet::analysis::kEceBins);
  }

  // At one column two panels share a row: "L1: ECE 0.077 → 0.015 (T = 4.84)" broke after
  // "(T". Wrapped, each line holds whole phrases: the ECEs, the temperature.
  void reliabilityTitles_wrapBetweenPhrasesAtOneColumn() {
    ReliabilityView view;
    view.resize(1200, 500);
    view.setRuns(loadRunFiles(runFiles_).runs);
    QVERIFY(view.reliability());
    view.setPanelColumns(2);
    const FigureLayout layout(view.plot(), FigureSize::OneColumn);
    int titles = 0, wrapped = 0;
    for (QCPLayoutElement* e : view.plot()->plotLayout()->elements(true)) {
      auto* title = qobject_cast<QCPTextElement*>(e);
      if (!title || !title->text().startsWith(QLatin1Char('L'))) continue;
      const int exit = titles++;
      const auto& r = view.reliability()->exits.at(static_cast<size_t>(exit));
      const QStringList lines = title->text().replace(QChar(QChar::Nbsp), QLatin1Char(' ')).split(QLatin1Char('\n'));
      wrapped += lines.size() > 1;
      const QString ece = QStringLiteral("ECE %1 → %2").arg(r.before.ece, 0, 'f', 3).arg(r.after.ece, 0, 'f', 3);
      const QString temperature = QStringLiteral("(T = %1)").arg(r.temperature, 0, 'f', 2);
      for (const QString& phrase : {ece, temperature})
        QVERIFY2(std::any_of(lines.begin(), lines.end(), [&](const QString& line) { return line.contains(phrase); }),
                 qPrintable(QStringLiteral("'%1' broken in: %2").arg(phrase, lines.join(QStringLiteral(" | ")))));
    }
    QCOMPARE(titles, 4);
    QVERIFY(wrapped > 0);  // the page is narrow enough to wrap them
  }

  void reliabilityTab_drawsOnceShownAndExportsThePlot() {
    sweet::testing::isolateSettings(QStringLiteral("sweet-workbench-test-export"));
    MainWindow window;
    window.resize(1200, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QSignalSpy loaded(window.loader(), &RunLoader::loaded);
    window.openRunFiles(runFiles_);
    QVERIFY(loaded.wait(20000));
    QTRY_COMPARE(window.reliabilityView()->runSelector()->count(), 6);
    QVERIFY(!window.reliabilityView()->reliability());  // a hidden tab fits nothing
    window.tabs()->setCurrentWidget(window.reliabilityView());
    QTRY_VERIFY(window.reliabilityView()->reliability());
    QCOMPARE(window.currentPlot(), window.reliabilityView()->plot());
    const int mm = window.reliabilityView()->runSelector()->findText(QStringLiteral("demo-mm-s1"));
    QVERIFY(mm > 0);
    window.reliabilityView()->runSelector()->setCurrentIndex(mm);
    QVERIFY(window.reliabilityView()->waitForReliability());  // fitted on a worker in the window
    QVERIFY(window.reliabilityView()->figureCaption().startsWith(QStringLiteral("demo-mm-s1")));
  }

  // An export while a view's background build was in flight wrote the view's previous
  // content: now it waits for the newest. Chosen, then exported at once: the file shows
  // the new choice (the runs panel's filter on the curves; another run's reliability).
  void exportRightAfterAChange_showsTheNewChoice() {
    sweet::testing::isolateSettings(QStringLiteral("sweet-workbench-test-export"));
    MainWindow window;
    window.resize(1200, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.openRunFiles(runFiles_);
    QTRY_COMPARE(window.store()->runs().size(), size_t{6});
    QVERIFY(window.curveView()->waitForCurves());
    QCOMPARE(window.curveView()->seriesCount(), size_t{3});
    auto svgText = [](const QString& path) {
      QFile f(path);
      return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()).replace(QChar(QChar::Nbsp), QLatin1Char(' ')) : QString();
    };
    window.runsPanel()->filterEdit()->setText(QStringLiteral("sweet"));
    const QString curves = dir_.filePath(QStringLiteral("filtered.svg"));
    QString error;
    QVERIFY2(window.exportCurrentPlot(curves, FigureSize::TwoColumn, &error), qPrintable(error));
    QCOMPARE(window.curveView()->seriesCount(), size_t{1});
    const QString drawn = svgText(curves);
    QVERIFY(drawn.contains(QStringLiteral("SWEET")));
    QVERIFY2(!drawn.contains(QStringLiteral("MM (2 seeds)")) && !drawn.contains(QStringLiteral(">MM")), "the unfiltered curves were written");

    window.tabs()->setCurrentWidget(window.reliabilityView());
    QVERIFY(window.reliabilityView()->waitForReliability());
    QVERIFY(window.reliabilityView()->figureCaption().startsWith(QStringLiteral("demo-ee-s1")));
    window.reliabilityView()->runSelector()->setCurrentIndex(window.reliabilityView()->runSelector()->findText(QStringLiteral("demo-mm-s2")));
    const QString reliability = dir_.filePath(QStringLiteral("chosen.svg"));
    QVERIFY2(window.exportCurrentPlot(reliability, FigureSize::TwoColumn, &error), qPrintable(error));
    const QString page = svgText(reliability);
    QVERIFY2(page.contains(QStringLiteral("demo-mm-s2")) && !page.contains(QStringLiteral("demo-ee-s1")), "the previous run was written");
  }

  // `--export`'s curves carry the caption of the keys their runs share, as the GUI's do.
  void headlessCurves_carryTheSharedKeysCaption() {
    const QString out = dir_.filePath("out-caption");
    ExportOptions options;
    options.dpi = 100;
    QCOMPARE(runHeadlessExport(manyRuns_, out, options), 0);
    QFile svg(out + "/curves-sst2.svg");
    QVERIFY(svg.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(svg.readAll()).replace(QChar(QChar::Nbsp), QLatin1Char(' '));
    for (const char* key : {"cap 2000", "bert-base-uncased"}) QVERIFY2(text.contains(QString::fromLatin1(key)), key);
    // A shared setting of the appendix kind stays off the page (it filled the demo's
    // one-column figure with four lines of defaults).
    for (const char* key : {"max_length", "batch_size"}) QVERIFY2(!text.contains(QString::fromLatin1(key)), key);
  }

  void workbenchExport_rendersOffscreenWithoutADisplay() {
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char* name : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}) env.remove(QString::fromLatin1(name));
    process.setProcessEnvironment(env);
    const QString out = dir_.filePath(QStringLiteral("no-display"));
    process.start(QStringLiteral(SWEET_BINARY_DIR "/app/sweet-workbench"),
                  QStringList{QStringLiteral("--export"), QStringLiteral("--out"), out, QStringLiteral("--size"), QStringLiteral("two")} << runFiles_);
    QVERIFY(process.waitForFinished(120000));
    QVERIFY2(process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0,
             qPrintable(QString::fromLocal8Bit(process.readAllStandardError())));
    QVERIFY(isPdf(out + QStringLiteral("/curves.pdf")));
    QVERIFY(isPdf(out + QStringLiteral("/heatmap-ee-s1.pdf")));
    QVERIFY(isPdf(out + QStringLiteral("/reliability-mm-s2.pdf")));
    process.start(QStringLiteral(SWEET_BINARY_DIR "/app/sweet-workbench"),
                  QStringList{QStringLiteral("--export"), QStringLiteral("--out"), out, QStringLiteral("--size"), QStringLiteral("three")} << runFiles_);
    QVERIFY(process.waitForFinished(60000));
    QCOMPARE(process.exitCode(), 2);
    QVERIFY(process.readAllStandardError().contains("--size three: use one (3.3 in) or two (7 in)"));
  }

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

  void figureSizeNames_acceptColumnsOrInchesOnly() {
    QCOMPARE(figureSizeFromName(QStringLiteral("one")), std::optional<FigureSize>(FigureSize::OneColumn));
    QCOMPARE(figureSizeFromName(QStringLiteral("3.3")), std::optional<FigureSize>(FigureSize::OneColumn));
    QCOMPARE(figureSizeFromName(QStringLiteral("Two")), std::optional<FigureSize>(FigureSize::TwoColumn));
    QCOMPARE(figureSizeFromName(QStringLiteral("7")), std::optional<FigureSize>(FigureSize::TwoColumn));
    QVERIFY(!figureSizeFromName(QStringLiteral("three")));  // was silently one column
    QVERIFY(!figureSizeFromName(QStringLiteral("twoish")));  // was silently two
  }

  void onePngSizePreset_isOneColumn() {
    ExportOptions options;
    options.dpi = 300;
    QCOMPARE(pngPixelSize(options), QSize(992, 779));  // 3.3 in x 2.6 in at 300 dpi
  }

  void headlessExport_writesFiguresAndTables() {
    const QString out = dir_.filePath("out");
    ExportOptions options;
    options.dpi = 100;
    QCOMPARE(runHeadlessExport(runFiles_, out, options), 0);
    QVERIFY(isPdf(out + "/curves.pdf"));
    QVERIFY(isSvg(out + "/curves.svg"));
    // The preset's width; its height, or a little more for the caption of the shared keys
    // (a page whose panel would be squeezed under 80 pt grows instead).
    const QSize png = QImage(out + "/curves.png").size();
    QCOMPARE(png.width(), pngPixelSize(options).width());
    QVERIFY2(png.height() >= pngPixelSize(options).height() && png.height() <= pngPixelSize(options).height() * 11 / 10,
             qPrintable(QStringLiteral("%1 px high").arg(png.height())));
    QVERIFY(isPdf(out + "/heatmap-ee-s1.pdf"));
    QVERIFY(QFile::exists(out + "/heatmap-ee-s1.csv"));
    QFile tex(out + "/table1.tex");
    QVERIFY(tex.open(QIODevice::ReadOnly));
    const QByteArray latex = tex.readAll();
    QVERIFY(latex.contains("\\textbf{"));
    // One column: a `table` float shrunk to the column when wider, the tabular inside.
    QVERIFY(latex.contains("\\begin{table}[t]") && latex.contains("{max width=\\columnwidth}"));
    QVERIFY(latex.indexOf("\\begin{adjustbox}") < latex.indexOf("\\begin{tabular}"));
    QVERIFY(latexTableFloat(QStringLiteral("\\begin{tabular}{l}\\end{tabular}"), FigureSize::TwoColumn)
                .contains(QStringLiteral("\\begin{table*}[t]\n\\centering\n\\begin{adjustbox}{max width=\\textwidth}")));
    QFile csv(out + "/curves.csv");
    QVERIFY(csv.open(QIODevice::ReadOnly));
    QVERIFY(csv.readAll().contains("\"EE threshold\""));
  }

  // Runs of two tasks: one curves figure per task (their scores share no axis), each the
  // curve view's own drawing of that task; no curves.* that would show only the first.
  void headlessExport_writesOneCurvesFigurePerTask() {
    const QString out = dir_.filePath("out-tasks");
    ExportOptions options;
    options.dpi = 100;
    QCOMPARE(runHeadlessExport(manyRuns_, out, options), 0);
    QVERIFY(!QFile::exists(out + "/curves.pdf"));
    CurveView view;
    view.resize(900, 600);
    view.setRuns(loadRunFiles(manyRuns_).runs);
    QStringList csvs;
    for (const QString task : {QStringLiteral("rte"), QStringLiteral("sst2")}) {
      QVERIFY2(isPdf(out + "/curves-" + task + ".pdf"), qPrintable(task));
      QVERIFY(isSvg(out + "/curves-" + task + ".svg"));
      QFile csv(out + "/curves-" + task + ".csv");
      QVERIFY(csv.open(QIODevice::ReadOnly));
      csvs << QString::fromUtf8(csv.readAll());
      view.taskSelector()->setCurrentText(task);
      QCOMPARE(view.taskSelector()->currentText(), task);
      QCOMPARE(csvs.back(), view.curveCsv());
    }
    QVERIFY(csvs[0].count('\n') > 10);  // the fixture's tasks hold the same random scores: files alike
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
