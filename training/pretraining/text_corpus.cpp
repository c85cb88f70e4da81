// Pre-training corpora: see text_corpus.h.
#include "training/pretraining/text_corpus.h"

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "training/text/delimited_table.h"

namespace sweet {
namespace {

bool blank(const std::string& text) { return text.find_first_not_of(" \t\r\n\f\v") == std::string::npos; }

std::vector<std::string> readLines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open the corpus file");
  std::vector<std::string> texts;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!blank(line)) texts.push_back(line);
  }
  if (in.bad()) throw std::runtime_error(path + ": read error in the corpus file");
  return texts;
}

std::vector<std::string> readColumn(const std::string& path, const std::string& column) {
  const DelimitedTable table = readDelimitedTable(path, true);
  const size_t index = table.column(column);
  std::vector<std::string> texts;
  for (const auto& row : table.rows)
    if (index < row.size() && !blank(row[index])) texts.push_back(row[index]);
  return texts;
}

}  // namespace

std::vector<std::string> readTextCorpus(const std::string& path, const std::string& column) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw std::runtime_error(path + ": corpus file not found");
  if (std::filesystem::is_directory(path, ec))
    throw std::runtime_error(path + ": is a folder; the corpus must be a text file (one text per line) or a TSV file");
  std::vector<std::string> texts = column.empty() ? readLines(path) : readColumn(path, column);
  if (texts.empty())
    throw std::runtime_error(path + ": the corpus holds no text" +
                             (column.empty() ? std::string(" (blank lines are skipped)") : " in column '" + column + "'"));
  return texts;
}

}  // namespace sweet
