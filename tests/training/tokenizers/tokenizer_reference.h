// What the tokenizer parity tests share: GLUE sentences to tokenize (SST-2, RTE and MRPC
// dev sets, plus strings chosen for accents, digits, punctuation and odd whitespace), and
// running a Python reference in its own process on them (sentences and ids travel as JSON
// files, so no text is mangled on a command line).
#pragma once

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/process_runner.h"
#include "tests/support/test_paths.h"

namespace sweet::test {

inline const QString kSystemPython = QStringLiteral("/usr/bin/python3");

// Hand-picked strings that stress normalisation and pre-tokenisation.
inline std::vector<std::string> oddSentences() {
  return {
      "Hello world",
      "  leading and trailing spaces  ",
      "tabs\tand\nnewlines\r\nmixed \t \n here",
      "many     spaces   between",
      "no\u00A0break\u00A0spaces and\u3000ideographic\u3000space",
      "zero\u200Bwidth\u200Bspace and soft\u00ADhyphen",
      "caf\u00E9 na\u00EFve r\u00E9sum\u00E9 co\u00F6perate \u00C5ngstr\u00F6m",
      "combining e\u0301 and a\u0308 marks",
      "fullwidth \uFF21\uFF22\uFF23 \uFF11\uFF12\uFF13 and ligatures \uFB01 \uFB02",
      "roman \u2167 superscript x\u00B2 fraction \u00BD circled \u2460",
      "digits 3.14159, 1,000,000 and 2024-12-02 at 10:45pm",
      "It's, we're, they've, I'm, we'll, he'd, DON'T, o'clock 'quoted'",
      "punctuation!?... (parens) [brackets] {braces} \"quotes\" \u201Csmart\u201D \u2014 dash",
      "emoji \U0001F600\U0001F44D and symbols \u2603 \u20AC \u00A3 \u00A5 \u00A9",
      "CJK \u6771\u4EAC\u90FD and \u3053\u3093\u306B\u3061\u306F and \uD55C\uAD6D\uC5B4",
      "Arabic \u0645\u0631\u062D\u0628\u0627 Hindi \u0928\u092E\u0938\u094D\u0924\u0947 Greek \u03B1\u03B2\u03B3",
      "a",
      " ",
      "",
      "x  \n",
      "URL https://example.com/path?q=1&b=2 and e-mail someone@example.org",
      "     ",
      "the [MASK] sat on [MASK]. [CLS] x [SEP]",
  };
}

// Random strings over scripts, combining marks, compatibility forms, controls, private use,
// astral planes and space runs: where normalisation and pre-tokenisation differ if
// anywhere. Deterministic for a seed.
inline std::vector<std::string> randomUnicodeStrings(size_t count, unsigned seed) {
  static const std::pair<char32_t, char32_t> kRanges[] = {
      {0x20, 0x7E},     {0x09, 0x0D},     {0xA0, 0x17F},    {0x300, 0x36F},   {0x370, 0x3FF},   {0x400, 0x4FF},
      {0x600, 0x6FF},   {0x900, 0x97F},   {0x2000, 0x206F}, {0x2100, 0x218F}, {0x2460, 0x24FF}, {0x3000, 0x303F},
      {0x3040, 0x30FF}, {0x4E00, 0x4E80}, {0xAC00, 0xAC40}, {0xFB00, 0xFB4F}, {0xFE00, 0xFE6F}, {0xFF00, 0xFFEF},
      {0x1D400, 0x1D4FF}, {0x1F300, 0x1F6FF}, {0x1C, 0x1F}, {0x80, 0x9F},     {0xE000, 0xE010}, {0x10000, 0x10050}};
  std::mt19937 rng(seed);
  auto below = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  auto append = [](std::string& s, char32_t c) {
    if (c < 0x80) {
      s += static_cast<char>(c);
    } else if (c < 0x800) {
      s += static_cast<char>(0xC0 | (c >> 6));
      s += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      s += static_cast<char>(0xE0 | (c >> 12));
      s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      s += static_cast<char>(0xF0 | (c >> 18));
      s += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (c & 0x3F));
    }
  };
  std::vector<std::string> out;
  for (size_t i = 0; i < count; ++i) {
    std::string s;
    for (size_t n = below(41); n > 0; --n) {
      const auto& [lo, hi] = kRanges[below(std::size(kRanges))];
      append(s, lo + static_cast<char32_t>(below(hi - lo + 1)));
      if (below(5) == 0) s.append(1 + below(3), ' ');
    }
    out.push_back(std::move(s));
  }
  return out;
}

// Reads one or two text columns of a GLUE TSV (header skipped, UTF-8 BOM tolerated).
inline void appendTsvColumns(const QString& path, std::vector<int> columns, std::vector<std::string>& out) {
  std::ifstream in(path.toStdString());
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (header) {
      header = false;
      continue;
    }
    std::vector<std::string> cells;
    std::stringstream s(line);
    std::string cell;
    while (std::getline(s, cell, '\t')) cells.push_back(cell);
    for (int c : columns)
      if (static_cast<size_t>(c) < cells.size()) out.push_back(cells[static_cast<size_t>(c)]);
  }
}

// SST-2, RTE and MRPC dev sentences plus oddSentences(); empty when ../shared/data is absent.
inline std::vector<std::string> glueSentences() {
  std::vector<std::string> out = oddSentences();
  const QString sst = sharedData("glue/SST-2/dev.tsv"), rte = sharedData("glue/RTE/dev.tsv"),
                mrpc = sharedData("glue/MRPC/dev.tsv");
  if (!QFileInfo::exists(sst) || !QFileInfo::exists(rte) || !QFileInfo::exists(mrpc)) return {};
  appendTsvColumns(sst, {0}, out);
  appendTsvColumns(rte, {1, 2}, out);
  appendTsvColumns(mrpc, {3, 4}, out);
  return out;
}

// Runs `python script args... sentences.json out.json`; returns the id lists, or an empty
// vector with `error` set when the reference failed.
inline std::vector<std::vector<int64_t>> runPythonReference(const QString& script, QStringList args,
                                                            const std::vector<std::string>& sentences,
                                                            QString& error) {
  QTemporaryDir dir;
  const QString in = dir.filePath("sentences.json"), out = dir.filePath("ids.json");
  {
    std::ofstream f(in.toStdString());
    f << nlohmann::json(sentences).dump();
  }
  args << in << out;
  auto r = runProgram(kSystemPython, QStringList{script} + args);
  if (r.exit_code != 0) {
    error = r.err + r.out;
    return {};
  }
  std::ifstream f(out.toStdString());
  return nlohmann::json::parse(f).get<std::vector<std::vector<int64_t>>>();
}

}  // namespace sweet::test
