#pragma once
// The node role of an astacus server (spec §2.3, §6): the /node routes, the node lock and
// the async node ops. Lifecycle: construct, register_routes(), serve; shutdown() (or the
// destructor) waits for running ops to stop.

#include <memory>
#include <string>

#include "config/types.h"
#include "http/server.h"
#include "node/node_op.h"
#include "node/node_services.h"
#include "ops/background.h"
#include "ops/op_registry.h"

namespace astacus::node {

inline constexpr const char* kVersion = "0.8.13+cpp";

class Node {
 public:
  Node(config::NodeConfig config, std::string hostname);
  ~Node();

  void register_routes(httplib::Server& server);
  void shutdown();

 private:
  template <typename RequestT, typename RunFn>
  void start_op(const http::Request& req, http::Reply& reply, const std::string& op_name,
                RunFn run);
  void get_op_status(const http::Request& req, http::Reply& reply, const std::string& op_name);
  void finish_op(const std::shared_ptr<NodeOp>& op, const Status& status, const std::string& locker);
  void register_lock_routes(httplib::Server& server);

  NodeServices services_;
  ops::OpRegistry ops_;
  ops::BackgroundRunner runner_;
  std::mutex current_mutex_;
  std::shared_ptr<NodeOp> current_;
};

}  // namespace astacus::node
