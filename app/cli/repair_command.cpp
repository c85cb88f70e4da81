// `sweet repair RUN.h5...`: makes the file of a killed run readable by every HDF5 tool and
// honest about how far it got. Parses arguments only; analysis/run_repair.h does the work.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "analysis/run_repair.h"
#include "cli/command.h"

namespace sweet::cli {

void registerRepairCommand(CLI::App& root) {
  auto runs = std::make_shared<std::vector<std::string>>();
  CLI::App* cmd = root.add_subcommand(
      "repair", "Clear a killed run's open-for-write flag (as h5clear -s) and mark it failed at its last step");
  cmd->add_option("runs", *runs, "Run files (*.h5)")->required()->check(CLI::ExistingFile);
  cmd->callback([runs] {
    for (const std::string& path : *runs) std::cout << analysis::repairRunFile(path).summary << "\n";
  });
}

}  // namespace sweet::cli
