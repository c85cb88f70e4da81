// Telling a `sweet pretrain` run file (format "sweet-pretrain": MLM loss and accuracy, no
// exits) from a fine-tuning one, so sweet report skips it with a note and every loader
// refuses it saying what it is, instead of "not a sweet run file".
#pragma once

#include <string>

namespace sweet::analysis {

// True when `path` is an HDF5 file whose format attribute is "sweet-pretrain"; false for
// anything else, unreadable files included (the loaders name those problems).
bool isPretrainRunFile(const std::string& path);

// The one message for a pre-training file met where a fine-tuning run file is expected.
std::string pretrainRunFileNote(const std::string& path);

}  // namespace sweet::analysis
