// Fuzzes the run-file readers (loadRun, loadGradients, the raw-gradient measures) on
// damaged HDF5 files: they must fail with std::runtime_error naming the file, and never
// crash, allocate without bound or hang. libhdf5 itself is not instrumented; a crash
// inside it shows as a crash here too.
#include <stdexcept>

#include "analysis/gradient_conflict.h"
#include "analysis/run_data.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = sweet::fuzz::writeInput(data, size, ".h5");
  try {
    sweet::analysis::loadRun(path);
  } catch (const std::runtime_error&) {
  }
  try {
    const auto records = sweet::analysis::loadGradients(path);
    if (records.hasRaw && records.records() > 0) sweet::analysis::rawMeasures(path, 0, 0);
  } catch (const std::runtime_error&) {
  } catch (const std::out_of_range&) {
  }
  return 0;
}
