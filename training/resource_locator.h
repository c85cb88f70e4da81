// Finds files under resources/ (demo config, presets) for the CLI and the GUI: $SWEET_RESOURCES first, then the
// installed share/sweet-workbench next to the executable, then the source tree the binary
// was built from (so a fresh build runs without installing).
#pragma once

#include <string>

namespace sweet {

// Throws std::runtime_error listing the places searched when `relative` is nowhere.
std::string resourcePath(const std::string& relative);

}  // namespace sweet
