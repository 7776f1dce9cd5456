// gcs_stand_in: a small Google Cloud Storage stand-in for Astacus tests (see server.h).
// Usage: gcs_stand_in --public-key PEM_FILE --client-email EMAIL --bucket NAME [--bucket NAME...]
//          [--port N (0 = any)] [--port-file PATH] [--page-size N] [--token-ttl SECONDS]
// Listens on 127.0.0.1 only; writes the port to --port-file once it accepts connections.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>

#include "server.h"

namespace {

using astacus::gcs_stand_in::ServerOptions;

struct Args {
  ServerOptions server;
  int port = 0;
  std::string port_file;
};

[[noreturn]] void usage(const std::string& problem) {
  std::cerr << "gcs_stand_in: " << problem
            << "\nusage: gcs_stand_in --public-key PEM_FILE --client-email EMAIL --bucket NAME... [--port N] "
               "[--port-file PATH] [--page-size N] [--token-ttl SECONDS]\n";
  std::exit(2);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) usage("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Args parse_args(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (i + 1 >= argc) usage(flag + " needs a value");
    std::string value = argv[++i];
    if (flag == "--public-key") {
      args.server.public_pem = read_file(value);
    } else if (flag == "--client-email") {
      args.server.client_email = value;
    } else if (flag == "--bucket") {
      args.server.buckets.push_back(value);
    } else if (flag == "--port") {
      args.port = std::atoi(value.c_str());
    } else if (flag == "--port-file") {
      args.port_file = value;
    } else if (flag == "--page-size") {
      args.server.default_page_size = static_cast<size_t>(std::atoi(value.c_str()));
    } else if (flag == "--token-ttl") {
      args.server.token_ttl = std::atoll(value.c_str());
    } else {
      usage("unknown flag " + flag);
    }
  }
  if (args.server.public_pem.empty() || args.server.client_email.empty()) {
    usage("--public-key and --client-email are required");
  }
  return args;
}

void write_port_file(const std::string& path, int port) {
  std::string tmp = path + ".tmp";
  std::ofstream(tmp) << port << "\n";
  std::rename(tmp.c_str(), path.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  Args args = parse_args(argc, argv);
  astacus::gcs_stand_in::StandInServer server(args.server);
  int port = server.bind(args.port);
  if (port <= 0) {
    std::cerr << "gcs_stand_in: cannot bind 127.0.0.1:" << args.port << "\n";
    return 1;
  }
  std::cerr << "gcs_stand_in: listening on http://127.0.0.1:" << port << std::endl;
  if (!args.port_file.empty()) write_port_file(args.port_file, port);
  server.listen();
  return 0;
}
