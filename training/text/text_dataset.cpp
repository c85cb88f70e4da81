// Reading labelled text: see text_dataset.h.
#include "training/text/text_dataset.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>

#include "training/text/delimited_table.h"

namespace sweet {
namespace {

// Marks a JSONL key that is absent (distinct from an empty string).
const std::string kMissing = "\x01missing";

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// RFC 4180 records: quoted fields may hold delimiters, doubled quotes and newlines.
DelimitedTable readCsv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
  DelimitedTable table;
  table.path = path;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false, any = false;
  int64_t line = 1, recordLine = 1;
  auto endRecord = [&] {
    record.push_back(std::move(field));
    field.clear();
    if (!(record.size() == 1 && record[0].empty())) {
      if (table.header.empty()) {
        table.header = std::move(record);
      } else {
        table.rows.push_back(std::move(record));
        table.line_numbers.push_back(recordLine);
      }
    }
    record.clear();
    any = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (!any) recordLine = line;
    any = true;
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        field.push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      record.push_back(std::move(field));
      field.clear();
    } else if (c == '\n') {
      if (!field.empty() && field.back() == '\r') field.pop_back();
      endRecord();
      ++line;
    } else {
      field.push_back(c);
    }
  }
  if (quoted) throw std::runtime_error(path + ":" + std::to_string(recordLine) + ": unterminated quoted field");
  if (any) endRecord();
  return table;
}

DelimitedTable readJsonl(const std::string& path, const TaskSpec& task) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open");
  DelimitedTable table;
  table.path = path;
  table.header = {task.text_column, task.text_b_column.empty() ? "__none__" : task.text_b_column, task.label_column};
  std::string line;
  int64_t lineNo = 0;
  while (std::getline(in, line)) {
    ++lineNo;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {
      throw std::runtime_error(path + ":" + std::to_string(lineNo) + ": not valid JSON: " + e.what());
    }
    std::vector<std::string> row;
    for (const auto& key : table.header) {
      if (!j.contains(key)) {
        row.push_back(kMissing);
      } else if (j[key].is_string()) {
        row.push_back(j[key].get<std::string>());
      } else {
        row.push_back(j[key].dump());
      }
    }
    table.rows.push_back(std::move(row));
    table.line_numbers.push_back(lineNo);
  }
  return table;
}

}  // namespace

TextDataset readTextDataset(const std::string& path, const TaskSpec& task, bool skip_invalid) {
  DelimitedTable table;
  if (endsWith(path, ".jsonl"))
    table = readJsonl(path, task);
  else if (endsWith(path, ".csv"))
    table = readCsv(path);
  else
    table = readDelimitedTable(path, task.has_header);

  size_t textCol, labelCol;
  std::optional<size_t> textBCol;
  if (task.has_header) {
    textCol = table.column(task.text_column);
    labelCol = table.column(task.label_column);
    if (!task.text_b_column.empty()) textBCol = table.column(task.text_b_column);
  } else {
    textCol = static_cast<size_t>(task.text_index);
    labelCol = static_cast<size_t>(task.label_index);
  }
  size_t needed = std::max(textCol, labelCol) + 1;
  if (textBCol) needed = std::max(needed, *textBCol + 1);

  std::map<std::string, int64_t> labelIds;
  for (size_t i = 0; i < task.label_names.size(); ++i) labelIds[task.label_names[i]] = static_cast<int64_t>(i);

  TextDataset data;
  data.path = path;
  for (size_t r = 0; r < table.rows.size(); ++r) {
    const auto& row = table.rows[r];
    const int64_t line = table.line_numbers[r];
    std::string problem;
    TextExample ex;
    ex.line = line;
    if (row.size() < needed) {
      problem = "row has " + std::to_string(row.size()) + " fields, needs at least " + std::to_string(needed);
    } else if (row[textCol] == kMissing || (textBCol && row[*textBCol] == kMissing) || row[labelCol] == kMissing) {
      problem = "object lacks a key among {" + task.text_column + ", " + task.text_b_column + ", " + task.label_column + "}";
    } else if (row[textCol].empty()) {
      problem = "empty text";
    } else {
      ex.text_a = row[textCol];
      if (textBCol) ex.text_b = row[*textBCol];
      auto it = labelIds.find(row[labelCol]);
      if (task.regression) {
        const std::string& field = row[labelCol];
        char* end = nullptr;
        const double value = field.empty() ? 0 : std::strtod(field.c_str(), &end);
        if (field.empty() || end != field.c_str() + field.size() || !std::isfinite(value))
          problem = "target '" + field + "' is not a number";
        else
          ex.target = static_cast<float>(value);
      } else if (it == labelIds.end()) {
        std::string known;
        for (const auto& n : task.label_names) known += (known.empty() ? "" : ", ") + n;
        problem = "label '" + row[labelCol] + "' is not one of {" + known + "}";
      } else {
        ex.label = it->second;
      }
    }
    if (!problem.empty()) {
      if (!skip_invalid)
        throw std::runtime_error(path + ":" + std::to_string(line) + ": " + problem +
                                 " (set skip_invalid_rows to skip and count such rows)");
      ++data.skipped_rows;
      continue;
    }
    data.examples.push_back(std::move(ex));
  }
  if (data.examples.empty()) throw std::runtime_error(path + ": no usable examples");
  return data;
}

}  // namespace sweet
