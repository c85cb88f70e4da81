// Demo checkpoint: see demo_checkpoint.h.
#include "training/checkpoints/demo_checkpoint.h"

#include <filesystem>

#include "training/text/demo_task.h"
#include "training/checkpoints/random_checkpoint.h"

namespace sweet {

std::string ensureDemoCheckpoint(const std::string& configFile, const std::string& dir, uint64_t seed) {
  namespace fs = std::filesystem;
  if (fs::exists(fs::path(dir) / "model.safetensors") && fs::exists(fs::path(dir) / "vocab.txt")) return dir;
  RandomCheckpointOptions o;
  o.config_file = configFile;
  o.out_dir = dir;
  o.seed = seed;
  o.make_vocab = true;
  o.words = demoVocabularyWords();
  writeRandomCheckpoint(o);
  return dir;
}

}  // namespace sweet
