// Tokenizer throughput on SST-2's training sentences (67,349): BERT's WordPiece as the
// baseline measured in the same run, then byte-level BPE (GPT-2's files) and SentencePiece
// (DeBERTa-v3's spm.model), each cold (first pass, BPE's word cache empty) and warm.
// Prints sentences/s and the ratio to WordPiece. Reads ../shared/data; skips what is absent.
#include <cstdlib>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "training/tokenizers/byte_level_bpe_tokenizer.h"
#include "training/tokenizers/sentencepiece_tokenizer.h"
#include "training/tokenizers/wordpiece_tokenizer.h"

using namespace sweet;

namespace {

std::vector<std::string> sst2Sentences(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) out.push_back(line.substr(0, line.find('\t')));
  return out;
}

// Sentences per second of one pass, and the tokens produced (so the work is not elided).
std::pair<double, size_t> pass(const Tokenizer& tokenizer, const std::vector<std::string>& sentences) {
  size_t tokens = 0;
  const auto start = std::chrono::steady_clock::now();
  for (const auto& s : sentences) tokens += tokenizer.tokenIds(s).size();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return {static_cast<double>(sentences.size()) / seconds, tokens};
}

bool exists(const std::string& path) { return std::ifstream(path).good(); }

}  // namespace

// usage: bench_tokenizers [MAX_SENTENCES]   (CI's quick mode passes a few thousand)
int main(int argc, char** argv) {
  const std::string shared = SWEET_SHARED_DATA;
  auto sentences = sst2Sentences(shared + "/glue/SST-2/train.tsv");
  if (argc > 1 && sentences.size() > static_cast<size_t>(std::atoll(argv[1]))) sentences.resize(static_cast<size_t>(std::atoll(argv[1])));
  if (sentences.empty()) {
    std::printf("bench_tokenizers: needs %s/glue/SST-2/train.tsv\n", shared.c_str());
    return 0;
  }
  std::vector<std::pair<std::string, std::unique_ptr<Tokenizer>>> tokenizers;
  if (exists(shared + "/vocab/bert-base-uncased/vocab.txt"))
    tokenizers.emplace_back("WordPiece (bert-base-uncased)",
                            std::make_unique<WordPieceTokenizer>(shared + "/vocab/bert-base-uncased/vocab.txt", true));
  if (exists(shared + "/vocab/gpt2/vocab.json"))
    tokenizers.emplace_back("byte-level BPE (gpt2)", std::make_unique<ByteLevelBpeTokenizer>(
                                                         shared + "/vocab/gpt2/vocab.json", shared + "/vocab/gpt2/merges.txt"));
  if (exists(shared + "/vocab/deberta-v3-base/spm.model"))
    tokenizers.emplace_back("SentencePiece (deberta-v3-base)",
                            std::make_unique<SentencePieceTokenizer>(shared + "/vocab/deberta-v3-base/spm.model", false));
  std::printf("%zu SST-2 training sentences\n", sentences.size());
  double baseline = 0;
  for (const auto& [name, tokenizer] : tokenizers) {
    const auto cold = pass(*tokenizer, sentences);
    const auto warm = pass(*tokenizer, sentences);
    if (baseline == 0) baseline = warm.first;
    std::printf("%-34s cold %8.0f sentences/s, warm %8.0f sentences/s (%.2fx WordPiece), %zu tokens\n", name.c_str(),
                cold.first, warm.first, warm.first / baseline, warm.second);
  }
  return 0;
}
