// BERT's masked-language-model corruption (Devlin et al. 2019, as Hugging Face's
// DataCollatorForLanguageModeling does it): each token that is not special is chosen with
// probability p (15%); a chosen token becomes [MASK] 80% of the time, a uniformly random
// vocabulary id 10%, and stays itself 10%; its label is the original id, every other
// label is -100 (ignored by the loss). Masks are dynamic: a pure function of (seed, epoch,
// row), so every epoch sees fresh masks and the same seed always gives the same ones.
// Torch-free, so the statistics are tested without libtorch.
#pragma once

#include <cstdint>
#include <vector>

namespace sweet {

inline constexpr int64_t kIgnoredLabel = -100;  // cross-entropy's ignore_index, as in PyTorch

struct MaskingRule {
  double probability = 0.15;
  double mask_share = 0.8;    // of the chosen tokens: [MASK]
  double random_share = 0.1;  // of the chosen tokens: a random id (the rest stay unchanged)
  int64_t mask_id = -1;
  int64_t vocab_size = 0;     // random ids are drawn from [0, vocab_size)
  std::vector<int64_t> special_ids;  // never chosen ([CLS], [SEP], [PAD], [UNK], [MASK])
};

struct MaskedSequence {
  std::vector<int64_t> input_ids;  // the corrupted sequence, same length as the original
  std::vector<int64_t> labels;     // original id where chosen, kIgnoredLabel elsewhere
};

// `epoch` and `row` pick the random stream: row r of epoch e gets the same masks on every
// run with `seed`, and different ones in epoch e + 1. Throws when the rule has no mask id
// or no vocabulary.
MaskedSequence maskSequence(const std::vector<int64_t>& ids, const MaskingRule& rule, uint64_t seed, int64_t epoch,
                            int64_t row);

// A deterministic permutation of [0, n) for (seed, epoch): each epoch's batch order.
std::vector<int64_t> epochOrder(int64_t n, uint64_t seed, int64_t epoch);

}  // namespace sweet
