// Figure export: see plot_export.h.
#include "ui/plot_export.h"

#include "ui/figure_layout.h"
#include "ui/qcustomplot_include.h"

#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QSvgGenerator>
#include <QTextStream>

#include <cmath>

namespace sweet::ui {

QSize figureSizePoints(FigureSize size) {
  return size == FigureSize::OneColumn ? QSize(238, 187) : QSize(504, 216);
}

QSize pngPixelSize(const ExportOptions& options) {
  const QSize pt = figureSizePoints(options.size);
  const double scale = options.dpi / 72.0;
  return {static_cast<int>(std::lround(pt.width() * scale)), static_cast<int>(std::lround(pt.height() * scale))};
}

std::optional<FigureSize> figureSizeFromName(const QString& name) {
  const QString n = name.trimmed().toLower();
  if (n == QLatin1String("one") || n == QLatin1String("3.3")) return FigureSize::OneColumn;
  if (n == QLatin1String("two") || n == QLatin1String("7")) return FigureSize::TwoColumn;
  return std::nullopt;
}

bool exportPlot(QCustomPlot* plot, const QString& path, const ExportOptions& options, QString* error) {
  const QString ext = QFileInfo(path).suffix().toLower();
  const FigureLayout layout(plot, options.size, options.caption);  // paper fonts, legend below, thinned ticks
  const QSize pt = layout.size();
  bool ok = false;
  if (ext == QLatin1String("pdf")) {
    // QCP::epNoCosmetic: cosmetic (zero-width) pens would print as hairlines in viewers.
    ok = plot->savePdf(path, pt.width(), pt.height(), QCP::epNoCosmetic, QStringLiteral("SWEET Workbench"));
  } else if (ext == QLatin1String("png")) {
    ok = plot->savePng(path, pt.width(), pt.height(), options.dpi / 72.0, -1, options.dpi);
  } else if (ext == QLatin1String("svg")) {
    QSvgGenerator generator;
    generator.setFileName(path);
    generator.setSize(pt);
    generator.setViewBox(QRect(QPoint(0, 0), pt));
    generator.setTitle(QStringLiteral("SWEET Workbench figure"));
    QCPPainter painter;
    if (painter.begin(&generator)) {
      plot->toPainter(&painter, pt.width(), pt.height());
      ok = painter.end();
    }
  } else {
    if (error) *error = QStringLiteral("unknown figure format '%1' (use .pdf, .svg or .png)").arg(ext);
    return false;
  }
  if (!ok && error) *error = QStringLiteral("could not write %1").arg(path);
  return ok;
}

QString latexTableFloat(const QString& tabular, FigureSize size) {
  const bool two = size == FigureSize::TwoColumn;
  const QString env = two ? QStringLiteral("table*") : QStringLiteral("table");
  QString out;
  QTextStream s(&out);
  s << "% needs \\usepackage{booktabs,adjustbox}\n";
  s << "\\begin{" << env << "}[t]\n\\centering\n";
  s << "\\begin{adjustbox}{max width=" << (two ? "\\textwidth" : "\\columnwidth") << "}\n";
  s << tabular;
  if (!tabular.endsWith(QLatin1Char('\n'))) s << '\n';
  s << "\\end{adjustbox}\n";
  s << "\\caption{Per-exit scores ($\\times$100, mean $\\pm$ std over seeds).}\n\\label{tab:per-exit}\n";
  s << "\\end{" << env << "}\n";
  return out;
}

bool writeTextFile(const QString& path, const QString& text, QString* error) {
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) {
    if (error) *error = QStringLiteral("%1: %2").arg(path, file.errorString());
    return false;
  }
  file.write(text.toUtf8());
  if (!file.commit()) {
    if (error) *error = QStringLiteral("%1: %2").arg(path, file.errorString());
    return false;
  }
  return true;
}

}  // namespace sweet::ui
