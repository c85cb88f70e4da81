// Figure export for papers: any QCustomPlot to PDF or SVG (vector) or PNG (chosen DPI) at
// one- or two-column sizes, and text (CSV, LaTeX) to files. The format follows the file
// extension so the GUI's Save dialog and the headless export share one entry point.
#pragma once

#include <QSize>
#include <QString>

#include <optional>

class QCustomPlot;

namespace sweet::ui {

enum class FigureSize {
  OneColumn,  // 3.3 in x 2.6 in: one column of a two-column paper (ACL, NeurIPS, IEEE)
  TwoColumn,  // 7.0 in x 3.0 in: the full text width
};

struct ExportOptions {
  FigureSize size = FigureSize::OneColumn;
  int dpi = 300;  // PNG only; PDF and SVG are vector
  // A line under the figure, wrapped to the page (e.g. the keys every plotted run shares,
  // which the legend leaves out); none when empty. Non-breaking spaces keep phrases whole.
  QString caption;
};

// Size in points (1/72 in): the plot is laid out at this size in every format, so text
// has the same size relative to the figure in PDF, SVG and PNG. The width is the
// column's; a figure whose panels or legend need it is made taller (FigureLayout).
QSize figureSizePoints(FigureSize size);
// Pixel size of a PNG export at the preset height.
QSize pngPixelSize(const ExportOptions& options);
// "one" or "3.3" (inches) → one column, "two" or "7" → two; nullopt for anything else.
std::optional<FigureSize> figureSizeFromName(const QString& name);

// Writes .pdf, .svg or .png by extension; false with `error` set on failure.
bool exportPlot(QCustomPlot* plot, const QString& path, const ExportOptions& options, QString* error = nullptr);
// A LaTeX tabular as a float sized for the page: one column `table` or two columns
// `table*`, shrunk to \columnwidth / \textwidth when wider (adjustbox's max width, so a
// narrow table keeps its natural size). Needs \usepackage{booktabs,adjustbox}.
QString latexTableFloat(const QString& tabular, FigureSize size);
bool writeTextFile(const QString& path, const QString& text, QString* error = nullptr);

}  // namespace sweet::ui
