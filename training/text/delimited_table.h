// A delimited text table (TSV by default) read whole into memory, the way GLUE's readers
// see it: no quoting (GLUE's TSVs contain bare quotes), an optional header row, a UTF-8
// byte-order mark skipped (MRPC has one), "\r\n" accepted, a missing final newline fine.
// Every row remembers its 1-based line number for error messages.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sweet {

struct DelimitedTable {
  std::string path;
  std::vector<std::string> header;  // empty when read without a header
  std::vector<std::vector<std::string>> rows;
  std::vector<int64_t> line_numbers;  // line of each row in the file, 1-based

  // Column index by name; throws naming the file and listing the columns when absent.
  size_t column(const std::string& name) const;
};

// Reads `path`. With `has_header`, the first line names the columns. Lines that are empty
// are skipped. Throws std::runtime_error naming the file when it cannot be read.
DelimitedTable readDelimitedTable(const std::string& path, bool has_header, char delimiter = '\t');

}  // namespace sweet
