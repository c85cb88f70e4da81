// SHA-256 against FIPS 180-4's examples and, for every length around the block and padding
// boundaries and for data fed in odd pieces, against Qt's independent implementation.
#include <QCryptographicHash>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

#include "training/checkpoints/sha256.h"

using namespace sweet;

class TestSha256 : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void nistExamples_giveTheirDigests();
  void everyLengthAndSplit_matchesQt();
  void file_hashesItsBytesAndNamesAMissingOne();
};

namespace {

std::string digestOf(const std::string& text) {
  Sha256 hash;
  hash.update(text.data(), text.size());
  return hash.hexDigest();
}

}  // namespace

void TestSha256::nistExamples_giveTheirDigests() {
  QCOMPARE(digestOf(""), std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
  QCOMPARE(digestOf("abc"), std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
  QCOMPARE(digestOf("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
           std::string("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
  Sha256 million;
  const std::string as(1000, 'a');
  for (int i = 0; i < 1000; ++i) million.update(as.data(), as.size());
  QCOMPARE(million.hexDigest(), std::string("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
}

void TestSha256::everyLengthAndSplit_matchesQt() {
  QRandomGenerator rng(22);
  for (int length = 0; length < 300; ++length) {
    QByteArray data(length, Qt::Uninitialized);
    for (char& c : data) c = static_cast<char>(rng.bounded(256));
    const std::string expected = QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex().toStdString();
    Sha256 whole;
    whole.update(data.constData(), static_cast<size_t>(data.size()));
    QCOMPARE(whole.hexDigest(), expected);
    Sha256 pieces;  // pieces of 1..70 bytes: every way a piece meets the 64-byte buffer
    for (int at = 0; at < length;) {
      const int size = std::min(length - at, 1 + static_cast<int>(rng.bounded(70)));
      pieces.update(data.constData() + at, static_cast<size_t>(size));
      at += size;
    }
    QCOMPARE(pieces.hexDigest(), expected);
  }
}

void TestSha256::file_hashesItsBytesAndNamesAMissingOne() {
  QTemporaryDir dir;
  QByteArray data(3 << 20, Qt::Uninitialized);  // past the 1 MB read chunk
  QRandomGenerator rng(7);
  for (char& c : data) c = static_cast<char>(rng.bounded(256));
  const std::string path = dir.filePath("data.bin").toStdString();
  std::ofstream(path, std::ios::binary).write(data.constData(), data.size());
  QCOMPARE(sha256OfFile(path), QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex().toStdString());
  const std::string missing = dir.filePath("none.bin").toStdString();
  try {
    sha256OfFile(missing);
    QFAIL("a missing file was hashed");
  } catch (const std::runtime_error& e) {
    QVERIFY2(std::string(e.what()).find(missing) == 0, e.what());
  }
}

QTEST_GUILESS_MAIN(TestSha256)
#include "test_sha256.moc"
