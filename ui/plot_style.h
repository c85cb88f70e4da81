// Colours shared by every plot so a method looks the same in the curve view, the table and
// the loss monitor: EE blue, SWEET orange, MM green (colour-blind safe Okabe-Ito hues).
#pragma once

#include <QColor>
#include <QPen>
#include <QString>

#include <string>

namespace sweet::ui {

// `method` may be a report's method label ("ee (lte joint)"): its first word picks the hue.
inline QColor methodColor(const std::string& label, int fallbackIndex = 0) {
  const std::string method = label.substr(0, label.find(' '));
  if (method == "ee") return QColor(0, 114, 178);
  if (method == "sweet") return QColor(230, 159, 0);
  if (method == "mm") return QColor(0, 158, 115);
  static const QColor others[] = {QColor(204, 121, 167), QColor(86, 180, 233), QColor(213, 94, 0),
                                  QColor(0, 0, 0)};
  return others[fallbackIndex % 4];
}

// A series' pen: the method's colour, and for its second, third… configuration (variant)
// a darker or lighter shade with a dashed, dotted… line, so variants stay apart in print.
inline QPen seriesPen(const std::string& method, int variant, int fallbackIndex, double width) {
  QColor color = methodColor(method, fallbackIndex);
  if (variant > 0) color = variant % 2 ? color.darker(100 + 35 * ((variant + 1) / 2)) : color.lighter(100 + 25 * (variant / 2));
  QPen pen(color, width);
  static const Qt::PenStyle styles[] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine};
  pen.setStyle(styles[variant % 4]);
  return pen;
}

inline QColor exitColor(int exit) {
  static const QColor hues[] = {QColor(0, 114, 178), QColor(230, 159, 0), QColor(0, 158, 115),
                                QColor(204, 121, 167), QColor(86, 180, 233), QColor(213, 94, 0),
                                QColor(240, 228, 66), QColor(0, 0, 0)};
  return hues[exit % 8];
}

}  // namespace sweet::ui
