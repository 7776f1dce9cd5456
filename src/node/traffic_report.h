#pragma once
// Puts what an op cost on its storage site into the op's result as
// "storage_traffic": {"<site>": Traffic}, when the op ends (also when it fails), so the
// coordinator can sum the requests and bytes of the whole cluster op.

#include <memory>

#include "node/node_op.h"
#include "storage/object_store.h"

namespace astacus::node {

class TrafficReport {
 public:
  TrafficReport(NodeOp& op, std::shared_ptr<storage::ObjectStore> store)
      : op_(op), store_(std::move(store)), before_(store_->traffic()) {}
  ~TrafficReport() {
    nlohmann::ordered_json per_site;
    per_site[store_->name()] = store_->traffic() - before_;
    op_.set_field("storage_traffic", std::move(per_site));
  }
  TrafficReport(const TrafficReport&) = delete;
  TrafficReport& operator=(const TrafficReport&) = delete;

 private:
  NodeOp& op_;
  std::shared_ptr<storage::ObjectStore> store_;
  storage::Traffic before_;
};

}  // namespace astacus::node
