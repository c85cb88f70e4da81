// How a `sweet` subcommand plugs into the CLI: each command file defines one
// register*Command function that adds a CLI11 subcommand whose callback does the work.
// Callbacks report bad input by throwing std::runtime_error with a one-line reason;
// sweet_main.cpp prints it and exits with status 1.
#pragma once

namespace CLI {
class App;
}

namespace sweet::cli {

void registerInitCheckpointCommand(CLI::App& root);
void registerInspectCommand(CLI::App& root);
void registerTrainCommand(CLI::App& root);
void registerDemoCommand(CLI::App& root);
void registerReportCommand(CLI::App& root);
void registerGradientsCommand(CLI::App& root);

}  // namespace sweet::cli
