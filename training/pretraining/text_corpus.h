// A pre-training corpus: plain text, one text per line, or one named column of a TSV file
// whose first line names the columns. What `sweet pretrain` masks and learns from; no
// labels are read. Torch-free.
#pragma once

#include <string>
#include <vector>

namespace sweet {

// The file's texts in file order; blank lines and blank cells are skipped. With `column`
// empty every line is one text, else the file is a TSV with a header and `column` is read.
// Throws naming the file when it is missing or unreadable, holds no text, or lacks the
// column (listing the columns it has).
std::vector<std::string> readTextCorpus(const std::string& path, const std::string& column = "");

}  // namespace sweet
