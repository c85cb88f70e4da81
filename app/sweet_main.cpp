// `sweet`: the headless command line of SWEET Workbench. Parses arguments only; every
// command's work lives in a library so tests run the same code.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>

#include "analysis/hdf5_close.h"
#include "cli/command.h"
#include "training/build_info.h"
#include "training/file_size_limit.h"

namespace {

// Error text can quote user input (a 1 MB line, binary bytes) or carry a libtorch
// backtrace: keep the first part of the message, drop the backtrace, escape control bytes
// and cap the length, so one bad input gives one readable line.
std::string printable(const std::string& message) {
  constexpr size_t kMaxChars = 600;
  std::string text = message.substr(0, message.find("\nException raised from"));
  std::string out;
  for (size_t i = 0; i < text.size() && out.size() < kMaxChars; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
      out += escaped;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (out.size() < text.size()) out += "... (" + std::to_string(message.size()) + " bytes in all)";
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace

int runCommand(int argc, char** argv) {
  CLI::App app{"sweet: fine-tune and analyse Early-Exit, Multi-Model and SWEET models"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(sweet::sweetVersion()) + " (" + sweet::sweetGitCommit() + ")");
  sweet::cli::registerInitCheckpointCommand(app);
  sweet::cli::registerInspectCommand(app);
  sweet::cli::registerTrainCommand(app);
  sweet::cli::registerPretrainCommand(app);
  sweet::cli::registerDemoCommand(app);
  sweet::cli::registerReportCommand(app);
  sweet::cli::registerGradientsCommand(app);
  sweet::cli::registerRepairCommand(app);
  sweet::cli::registerSweepCommand(app);
  sweet::cli::registerInferCommand(app);
  // CLI11 answers `sweet typo --help` with the main help and status 0, as if the command
  // existed; a script must learn that the command is unknown.
  if (argc > 1 && argv[1][0] != '-') {
    bool known = true;
    try {
      app.get_subcommand(argv[1]);
    } catch (const CLI::OptionNotFound&) {
      known = false;
    }
    if (!known) {
      std::cerr << "sweet: error: unknown command '" << printable(argv[1]).substr(0, 80)
                << "' (run sweet --help for the list)\n";
      return 1;
    }
  }
  std::string command = "sweet";
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 has its own exit codes (105 for a missing file, ...); docs/cli.md promises 1.
    const int code = app.exit(e);
    return code == 0 ? 0 : 1;
  } catch (const sweet::cli::ExitStatus& e) {
    if (!app.get_subcommands().empty()) command += " " + app.get_subcommands()[0]->get_name();
    if (!e.message.empty()) std::cerr << command << ": " << printable(e.message) << "\n";
    return e.code;
  } catch (const std::exception& e) {
    if (!app.get_subcommands().empty()) command += " " + app.get_subcommands()[0]->get_name();
    std::cerr << command << ": error: " << printable(e.what()) << "\n";
    return 1;
  }
  return 0;
}

int main(int argc, char** argv) {
  sweet::treatFileSizeLimitAsWriteError();
  const int status = runCommand(argc, argv);
  if (sweet::h5::leftUnclosableFile()) {
    // HDF5's exit handler would crash on that file (analysis/hdf5_close.h).
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
    std::_Exit(status);
  }
  return status;
}
