// The one way ui/ includes QCustomPlot: the project builds with QT_NO_KEYWORDS (Qt's
// `slots` macro breaks libtorch headers), but qcustomplot.h itself uses signals:/slots/
// foreach, so they are defined only around this include and removed right after.
#pragma once

#ifndef QCUSTOMPLOT_USE_LIBRARY
#define QCUSTOMPLOT_USE_LIBRARY
#endif

#define signals Q_SIGNALS
#define slots Q_SLOTS
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef signals
#undef slots
#undef foreach
