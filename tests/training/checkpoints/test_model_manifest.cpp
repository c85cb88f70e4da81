// Model folder manifests (training/checkpoints/model_manifest.h) on folders made here: a
// written manifest verifies; a changed byte, a missing file or a foreign name in the
// manifest is refused naming the file; a folder without one is not checked; and the run
// identity tells the model's own run file from another's.
#include <QDir>
#include <QCryptographicHash>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <stdexcept>

#include "training/checkpoints/model_manifest.h"

using namespace sweet;

class TestModelManifest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void written_verifiesAndRecordsTheRun();
  void changedOrMissingFile_refusedNamingIt();
  void noManifest_notChecked();
  void runIdentity_refusesAnotherRunsConfiguration();

 private:
  QString folder(const QString& name);
  static void write(const QString& path, const QByteArray& bytes);
  QTemporaryDir dir_;
};

void TestModelManifest::write(const QString& path, const QByteArray& bytes) {
  QFile f(path);
  QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
  f.write(bytes);
}

QString TestModelManifest::folder(const QString& name) {
  const QString path = dir_.filePath(name);
  QDir().mkpath(path);
  write(path + "/model.safetensors", QByteArray(4096, 'w'));
  write(path + "/config.json", R"({"num_labels": 2})");
  return path;
}

void TestModelManifest::written_verifiesAndRecordsTheRun() {
  const QString path = folder("good");
  writeModelManifest(path.toStdString(), {"run.h5", configSha256("{}")});
  const auto manifest = verifyModelManifest(path.toStdString());
  QVERIFY(manifest.has_value());
  QCOMPARE(manifest->files.size(), size_t(2));
  // SHA-256 of 4096 'w' bytes, as sha256sum prints it.
  QCOMPARE(QString::fromStdString(manifest->files.at("model.safetensors")),
           QString::fromLatin1(QCryptographicHash::hash(QByteArray(4096, 'w'), QCryptographicHash::Sha256).toHex()));
  QCOMPARE(manifest->run.run_file, std::string("run.h5"));
  QCOMPARE(manifest->run.config_sha256, configSha256("{}"));
}

void TestModelManifest::changedOrMissingFile_refusedNamingIt() {
  const QString path = folder("changed");
  writeModelManifest(path.toStdString(), {"run.h5", configSha256("{}")});
  QByteArray weights(4096, 'w');
  weights[2000] = 'x';
  write(path + "/model.safetensors", weights);
  try {
    verifyModelManifest(path.toStdString());
    QFAIL("a changed file passed");
  } catch (const std::runtime_error& e) {
    QVERIFY2(QString(e.what()).startsWith(path + "/model.safetensors: damaged or replaced: its SHA-256 is "), e.what());
  }
  QFile::remove(path + "/model.safetensors");
  try {
    verifyModelManifest(path.toStdString());
    QFAIL("a missing file passed");
  } catch (const std::runtime_error& e) {
    QVERIFY2(QString(e.what()).startsWith(path + "/model.safetensors: missing"), e.what());
  }
  // A manifest may not send the check outside its folder.
  const QString foreign = folder("foreign");
  write(foreign + "/sweet-manifest.json",
        R"({"format": "sweet-model-manifest", "files": {"../good/config.json": ")" + QByteArray(64, '0') + R"("}})");
  QVERIFY_THROWS_EXCEPTION(std::runtime_error, verifyModelManifest(foreign.toStdString()));
}

void TestModelManifest::noManifest_notChecked() {
  const QString path = folder("hub");
  QVERIFY(!verifyModelManifest(path.toStdString()).has_value());
  QVERIFY(!readModelManifest(path.toStdString()).has_value());
}

void TestModelManifest::runIdentity_refusesAnotherRunsConfiguration() {
  const QString path = folder("identity");
  writeModelManifest(path.toStdString(), {"mine.h5", configSha256(R"({"seed":1})")});
  const ModelManifest manifest = *readModelManifest(path.toStdString());
  checkRunOfModel(manifest, path.toStdString(), "mine.h5", R"({"seed":1})");
  try {
    checkRunOfModel(manifest, path.toStdString(), "other.h5", R"({"seed":2})");
    QFAIL("another run's configuration passed");
  } catch (const std::runtime_error& e) {
    QVERIFY2(QString(e.what()).startsWith("other.h5 is not the run of " + path + ": the model was trained by mine.h5"), e.what());
  }
}

QTEST_GUILESS_MAIN(TestModelManifest)
#include "test_model_manifest.moc"
