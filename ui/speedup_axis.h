// The "speedup ×" axis on top of the speed-accuracy plot. Its ticks are picked from the
// speedups readers look for (1×, 2×, 4×, 1.33× = cost 3/4, …), in order of importance,
// keeping only those whose labels fit side by side at the axis' current pixel width: a
// fixed list overlapped into one unreadable string at one-column export size.
#pragma once

#include "ui/qcustomplot_include.h"

#include <QString>

#include <functional>
#include <vector>

namespace sweet::ui {

// "4×", "1.33×", "0.67×": speedup = 1 / cost.
QString speedupLabel(double speedup);

// Cost fractions (ascending) of the speedup ticks that fit on [costLo, costHi] drawn over
// `pixelWidth` pixels, two labels at least `gap` pixels apart; `labelWidth` measures a
// label in pixels.
std::vector<double> chooseSpeedupTicks(double costLo, double costHi, double pixelWidth,
                                       const std::function<double(const QString&)>& labelWidth, double gap = 6);

// Ticker for the top axis: ticks from chooseSpeedupTicks with the axis' own font, no sub
// ticks. The axis width is taken from the viewport less the current margins, which is
// right on the first replot after a resize or at an export size (the axis rect itself is
// only laid out after the ticks are made).
class SpeedupTicker : public QCPAxisTicker {
 public:
  explicit SpeedupTicker(QCPAxis* axis) : axis_(axis) {}

 protected:
  int getSubTickCount(double) override { return 0; }
  QString getTickLabel(double tick, const QLocale&, QChar, int) override;
  QVector<double> createTickVector(double tickStep, const QCPRange& range) override;

 private:
  QCPAxis* axis_;
};

}  // namespace sweet::ui
