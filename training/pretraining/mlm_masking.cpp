// MLM masking: see mlm_masking.h.
#include "training/pretraining/mlm_masking.h"

#include <algorithm>
#include <stdexcept>

namespace sweet {
namespace {

// SplitMix64 (Steele et al.): a tiny generator whose output is fixed by the standard of
// arithmetic alone, so masks are the same with every compiler and standard library
// (std::uniform_real_distribution is not).
struct SplitMix64 {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
};

SplitMix64 streamFor(uint64_t seed, int64_t epoch, int64_t row) {
  SplitMix64 mix{seed};
  SplitMix64 stream{mix.next() ^ static_cast<uint64_t>(epoch) * 0xD1B54A32D192ED03ULL};
  stream.state = stream.next() ^ static_cast<uint64_t>(row) * 0x8CB92BA72F3D8DD7ULL;
  return stream;
}

}  // namespace

MaskedSequence maskSequence(const std::vector<int64_t>& ids, const MaskingRule& rule, uint64_t seed, int64_t epoch,
                            int64_t row) {
  if (rule.mask_id < 0) throw std::runtime_error("MLM masking needs the vocabulary's [MASK] id");
  if (rule.vocab_size <= 0) throw std::runtime_error("MLM masking needs a vocabulary size");
  SplitMix64 random = streamFor(seed, epoch, row);
  MaskedSequence out{ids, std::vector<int64_t>(ids.size(), kIgnoredLabel)};
  for (size_t i = 0; i < ids.size(); ++i) {
    // Draw all three numbers for every token, special or not, so one token's fate never
    // shifts the stream of the next.
    const double choose = random.uniform(), how = random.uniform();
    const auto randomId = static_cast<int64_t>(random.uniform() * static_cast<double>(rule.vocab_size));
    const bool special = std::find(rule.special_ids.begin(), rule.special_ids.end(), ids[i]) != rule.special_ids.end();
    if (special || choose >= rule.probability) continue;
    out.labels[i] = ids[i];
    if (how < rule.mask_share) out.input_ids[i] = rule.mask_id;
    else if (how < rule.mask_share + rule.random_share) out.input_ids[i] = randomId;
  }
  return out;
}

std::vector<int64_t> epochOrder(int64_t n, uint64_t seed, int64_t epoch) {
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) order[static_cast<size_t>(i)] = i;
  SplitMix64 random = streamFor(seed, epoch, -1);
  for (int64_t i = n - 1; i > 0; --i) {  // Fisher-Yates
    const auto j = static_cast<int64_t>(random.next() % static_cast<uint64_t>(i + 1));
    std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(j)]);
  }
  return order;
}

}  // namespace sweet
