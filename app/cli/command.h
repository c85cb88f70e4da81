// How a `sweet` subcommand plugs into the CLI: each command file defines one
// register*Command function that adds a CLI11 subcommand whose callback does the work.
// Callbacks report bad input by throwing std::runtime_error with a one-line reason;
// sweet_main.cpp prints it and exits with status 1.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace sweet::cli {

void registerInitCheckpointCommand(CLI::App& root);
void registerInspectCommand(CLI::App& root);
void registerTrainCommand(CLI::App& root);
void registerPretrainCommand(CLI::App& root);
void registerDemoCommand(CLI::App& root);
void registerReportCommand(CLI::App& root);
void registerGradientsCommand(CLI::App& root);
void registerRepairCommand(CLI::App& root);
void registerSweepCommand(CLI::App& root);
void registerInferCommand(CLI::App& root);

// Thrown by a callback that ends with an exit status other than 0 or 1 (a stopped
// training run: 128 + the signal's number, as shells report a process killed by it).
struct ExitStatus {
  int code = 0;
  std::string message;  // printed on stderr as "sweet COMMAND: MESSAGE" when not empty
};

}  // namespace sweet::cli
