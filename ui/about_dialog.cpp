// About box: see about_dialog.h.
#include "ui/about_dialog.h"

#include "ui/training_adapter.h"

#include <H5public.h>

#include <QMessageBox>
#include <QThread>
#include <QtGlobal>

namespace sweet::ui {

QString aboutText() {
  unsigned major = 0, minor = 0, release = 0;
  H5get_libversion(&major, &minor, &release);
  return QObject::tr("<h3>SWEET Workbench %1</h3>"
                     "<p>Adaptive inference (early exit) research: train EE, SWEET and Multi-Model "
                     "networks, scrub exit thresholds, compare speed-accuracy trade-offs.</p>"
                     "<table><tr><td>Qt</td><td>%2 (built with %3)</td></tr>"
                     "<tr><td>libtorch</td><td>%4</td></tr>"
                     "<tr><td>HDF5</td><td>%5.%6.%7</td></tr>"
                     "<tr><td>Device</td><td>CPU, %8 hardware threads</td></tr></table>")
      .arg(QStringLiteral(SWEET_VERSION), QString::fromLatin1(qVersion()), QStringLiteral(QT_VERSION_STR),
           QString::fromStdString(libtorchVersion()))
      .arg(major)
      .arg(minor)
      .arg(release)
      .arg(QThread::idealThreadCount());
}

void showAboutDialog(QWidget* parent) {
  QMessageBox::about(parent, QObject::tr("About SWEET Workbench"), aboutText());
}

}  // namespace sweet::ui
