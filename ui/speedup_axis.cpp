// Speedup axis: see speedup_axis.h.
#include "ui/speedup_axis.h"

#include <QFontMetricsF>

#include <algorithm>
#include <cmath>

namespace sweet::ui {
namespace {

// Most important first: the full model, halving and quartering the cost, MM's slowdowns,
// the paper's cost 3/4, then the rest as room allows.
const double kSpeedups[] = {1.0, 2.0, 4.0, 0.5, 4.0 / 3.0, 2.0 / 3.0, 3.0, 12.0, 6.0, 8.0, 1.5, 0.8};

}  // namespace

QString speedupLabel(double speedup) {
  return QString::number(std::round(speedup * 100.0) / 100.0, 'g', 3) + QStringLiteral("×");
}

std::vector<double> chooseSpeedupTicks(double costLo, double costHi, double pixelWidth,
                                       const std::function<double(const QString&)>& labelWidth, double gap) {
  struct Placed {
    double x, halfWidth;
  };
  std::vector<Placed> placed;
  std::vector<double> ticks;
  if (!(costHi > costLo) || pixelWidth <= 0) return ticks;
  const double pixelsPerCost = pixelWidth / (costHi - costLo);
  for (double s : kSpeedups) {
    const double cost = 1.0 / s;
    if (cost < costLo || cost > costHi) continue;
    const double x = (cost - costLo) * pixelsPerCost;
    const double half = labelWidth(speedupLabel(s)) / 2.0;
    bool fits = x - half >= -gap && x + half <= pixelWidth + gap;  // not past the axis ends
    for (const Placed& p : placed)
      if (std::abs(p.x - x) < p.halfWidth + half + gap) fits = false;
    if (!fits) continue;
    placed.push_back({x, half});
    ticks.push_back(cost);
  }
  std::sort(ticks.begin(), ticks.end());
  return ticks;
}

QString SpeedupTicker::getTickLabel(double tick, const QLocale&, QChar, int) {
  return tick > 0 ? speedupLabel(1.0 / tick) : QString();
}

QVector<double> SpeedupTicker::createTickVector(double, const QCPRange& range) {
  const QFontMetricsF metrics(axis_->tickLabelFont());
  const QMargins margins = axis_->axisRect()->margins();
  const double width = axis_->parentPlot()->viewport().width() - margins.left() - margins.right();
  const auto ticks = chooseSpeedupTicks(range.lower, range.upper, width,
                                        [&](const QString& label) { return metrics.horizontalAdvance(label); });
  return QVector<double>(ticks.begin(), ticks.end());
}

}  // namespace sweet::ui
