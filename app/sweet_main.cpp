// `sweet`: the headless command line of SWEET Workbench. Parses arguments only; every
// command's work lives in a library so tests run the same code.
#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>

#include "cli/command.h"

int main(int argc, char** argv) {
  CLI::App app{"sweet: fine-tune and analyse Early-Exit, Multi-Model and SWEET models"};
  app.require_subcommand(1);
  app.set_version_flag("--version", SWEET_VERSION " (" SWEET_GIT_COMMIT ")");
  sweet::cli::registerInitCheckpointCommand(app);
  sweet::cli::registerInspectCommand(app);
  sweet::cli::registerTrainCommand(app);
  sweet::cli::registerDemoCommand(app);
  sweet::cli::registerReportCommand(app);
  sweet::cli::registerGradientsCommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::string command = app.get_subcommands().empty() ? "sweet"
                                                        : "sweet " + app.get_subcommands()[0]->get_name();
    std::cerr << command << ": error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
