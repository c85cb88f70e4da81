// "1 seed", "3 seeds": counts in the UI's English text. Qt's %n plural forms need a
// translation file to drop the "(s)", and the workbench ships none.
#pragma once

#include <QString>

namespace sweet::ui {

inline QString counted(qint64 n, const QString& singular, const QString& plural) {
  return QStringLiteral("%1 %2").arg(n).arg(n == 1 ? singular : plural);
}

// An instance count as shown in readouts: whole numbers without decimals (one seed),
// seed means with one decimal only where they are fractional.
inline QString countText(double value) {
  return value == static_cast<double>(static_cast<qint64>(value)) ? QString::number(static_cast<qint64>(value))
                                                                  : QString::number(value, 'f', 1);
}

}  // namespace sweet::ui
