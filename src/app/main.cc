#include "app/server_main.h"
#include "cli/cli.h"

int main(int argc, char** argv) { return astacus::cli::run_cli(argc, argv, astacus::app::run_server); }
