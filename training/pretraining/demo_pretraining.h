// The demo's pre-training stage (`sweet demo --pretrain`): the paper starts every method
// from a *pre-trained* model, whose lower layers the later exits' gradients pull apart;
// a randomly initialised demo model cannot show that. So the demo's 12-layer scratch
// model is first pre-trained with MLM on sentences of the demo grammar (their text only,
// never their labels, from a seed no training or evaluation set uses), with the settings
// of resources/demo/pretrain.json, and EE, SWEET and MM fine-tune from the result.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "training/pretraining/mlm_pretrainer.h"

namespace sweet {

// The corpus's generator seed: the demo's train sets use the run's seed (42 and small
// integers) and its eval set kDemoEvalSeed (777).
inline constexpr uint64_t kDemoCorpusSeed = 20240;

// Writes `texts` demo sentences, one per line, to `path`; returns `path`.
std::string writeDemoCorpus(const std::string& path, int64_t texts);

struct DemoPretraining {
  std::string settings_file;  // resources/demo/pretrain.json: PretrainConfig keys and corpus_texts
  std::string scratch_model;  // the random-init demo checkpoint to start from
  std::string out_dir;        // the demo's folder: corpus, run file and pre-trained folder go there
  std::string device = "cpu";
  std::vector<std::string> overrides;  // "key=value" on the settings file's keys (tests, quick looks)
};

// Pre-trains unless `out_dir` already holds a finished pre-training run of the same
// configuration (a rerun of the demo, e.g. for more seeds, reuses it); returns the
// pre-trained folder. Throws naming the file at fault.
std::string ensurePretrainedDemoModel(const DemoPretraining& demo, const PretrainCallbacks& callbacks);

}  // namespace sweet
