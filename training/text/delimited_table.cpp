// Delimited text tables: see delimited_table.h.
#include "training/text/delimited_table.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace sweet {

size_t DelimitedTable::column(const std::string& name) const {
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return i;
  std::string known;
  for (const auto& h : header) known += (known.empty() ? "" : ", ") + h;
  throw std::runtime_error(path + ": no column '" + name + "' (columns: " + known + ")");
}

DelimitedTable readDelimitedTable(const std::string& path, bool has_header, char delimiter) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open");
  DelimitedTable table;
  table.path = path;
  std::string line;
  int64_t lineNo = 0;
  bool first = true;
  while (std::getline(in, line)) {
    ++lineNo;
    if (lineNo == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<std::string> fields;
    size_t start = 0;
    while (true) {
      size_t pos = line.find(delimiter, start);
      fields.push_back(line.substr(start, pos == std::string::npos ? std::string::npos : pos - start));
      if (pos == std::string::npos) break;
      start = pos + 1;
    }
    if (first && has_header) {
      table.header = std::move(fields);
    } else {
      table.rows.push_back(std::move(fields));
      table.line_numbers.push_back(lineNo);
    }
    first = false;
  }
  if (in.bad()) throw std::runtime_error(path + ": read error");
  return table;
}

}  // namespace sweet
