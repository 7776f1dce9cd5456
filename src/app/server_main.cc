#include "app/server_main.h"

#include <malloc.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "config/parse.h"
#include "coordinator/coordinator.h"
#include "http/server.h"
#include "node/node.h"
#include "plugins/register_all.h"
#include "storage/object_store.h"

namespace astacus::app {

namespace {

std::string hostname() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof(buf) - 1) != 0) return "localhost";
  return buf;
}

void setup_logging(const std::optional<std::string>& level) {
  auto logger = spdlog::stderr_color_mt("astacus");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  spdlog::set_level(spdlog::level::from_str(level.value_or("info")));
}

// Every configured site must be usable before we say we are up.
Status check_storages(const config::GlobalConfig& config) {
  const auto& storage = config.coordinator.object_storage;
  if (!storage) return make_error(ErrorCode::kInvalidArgument, "object_storage: required key missing");
  for (const auto& [name, site] : storage->storages) {
    auto opened = storage::ObjectStore::open(*storage, name);
    if (!opened) return make_error(opened.error().with_context(config.source_path));
  }
  return ok();
}

void notify_systemd_ready() {
  const char* socket_path = std::getenv("NOTIFY_SOCKET");
  if (!socket_path || !*socket_path) return;
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, socket_path, sizeof(addr.sun_path) - 1);
  if (addr.sun_path[0] == '@') addr.sun_path[0] = '\0';
  const char msg[] = "READY=1";
  ::sendto(fd, msg, sizeof(msg) - 1, 0, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  ::close(fd);
}

}  // namespace

namespace {

// Per-blob buffers are at most a few MiB (bigger blobs stream through 1 MiB pieces,
// storage::TransformOptions::stream_threshold), and they come and go on many threads. A fixed
// mmap threshold above them keeps them on the heap: glibc's dynamic threshold would otherwise
// grow with the biggest freed buffer (file lists of tens of MiB) and cache that much per arena,
// while a threshold below them (1 MiB before) mmapped and page-faulted every blob's buffers
// anew: a 1 MiB zstd compression cost 27x its CPU in this VM. The trim threshold keeps freed
// heap tops for reuse within an op; each op ends with malloc_trim(0) (ops/background.cc). It was
// 16 MiB, which each of the arenas could hold unused while another grew: at 2 MiB the summed
// peak RSS of a 3-node 150k-file benchmark fell by 27-38 MiB per phase at the same CPU time.
void bound_allocator_caching() {
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
  mallopt(M_TRIM_THRESHOLD, 2 << 20);
  mallopt(M_ARENA_MAX, 4);
}

}  // namespace

int run_server(const std::string& config_path) {
  bound_allocator_caching();
  // Block the stop signals in every thread; the main thread waits for them below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto loaded = config::load_config_file(config_path);
  if (!loaded) {
    std::fprintf(stderr, "astacus: cannot load configuration: %s\n", loaded.error().message.c_str());
    return 1;
  }
  setup_logging(loaded->uvicorn.log_level);
  if (auto status = check_storages(*loaded); !status) {
    spdlog::critical("{}", status.error().message);
    return 1;
  }
  coordinator::PluginRegistry plugins;
  plugins::register_all(plugins);
  if (auto plugin = plugins.create(loaded->coordinator.plugin); !plugin) {
    spdlog::critical("{}: {}", config_path, plugin.error().message);
    return 1;
  }
  std::string host = hostname();
  node::Node node(loaded->node, host);
  coordinator::Coordinator coordinator(*loaded, plugins, host, [](const std::string& path) {
    return config::load_config_file(path);
  });
  http::Server server;
  node.register_routes(server.routes());
  coordinator.register_routes(server.routes());
  server.routes().set_logger([](const http::Request& req, const http::Reply& res) {
    if (req.method == "GET") {
      spdlog::debug("{} - \"{} {}\" {}", req.remote_addr, req.method, req.path, res.status);
    } else {
      spdlog::info("{} - \"{} {}\" {}", req.remote_addr, req.method, req.path, res.status);
    }
  });
  if (auto started = server.start(loaded->uvicorn.host, loaded->uvicorn.port); !started) {
    spdlog::critical("{}", started.error().message);
    return 1;
  }
  spdlog::info("astacus serving on http://{}:{} (config {})", loaded->uvicorn.host,
               loaded->uvicorn.port, config_path);
  notify_systemd_ready();
  int sig = 0;
  sigwait(&stop_signals, &sig);
  spdlog::info("signal {} received, shutting down", sig);
  server.stop();
  coordinator.shutdown();
  node.shutdown();
  return 0;
}

}  // namespace astacus::app
