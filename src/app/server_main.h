#pragma once
// `astacus server -c PATH`: loads the config, serves the node and coordinator roles on
// uvicorn.host:uvicorn.port until SIGINT/SIGTERM, then stops ops and exits.

#include <string>

namespace astacus::app {

int run_server(const std::string& config_path);

}  // namespace astacus::app
