#include "codec/stream.h"

namespace astacus::codec {

// Feeds one stage's output into the next stage.
class TransformChain::Link final : public ByteSink {
 public:
  Link(StreamTransform& next, ByteSink& after) : next_(next), after_(after) {}
  Status write(std::string_view bytes) override { return next_.update(bytes, after_); }

 private:
  StreamTransform& next_;
  ByteSink& after_;
};

TransformChain::TransformChain(std::vector<std::unique_ptr<StreamTransform>> stages, ByteSink& out)
    : stages_(std::move(stages)), out_(out) {
  // Built back to front: the link after stage i needs the sink after stage i + 1.
  links_.resize(stages_.size() > 1 ? stages_.size() - 1 : 0);
  for (size_t i = links_.size(); i-- > 0;) {
    ByteSink& after = i + 1 < links_.size() ? *links_[i + 1] : out_;
    links_[i] = std::make_unique<Link>(*stages_[i + 1], after);
  }
}

TransformChain::~TransformChain() = default;

Status TransformChain::write(std::string_view bytes) {
  if (stages_.empty()) return out_.write(bytes);
  return stages_.front()->update(bytes, links_.empty() ? out_ : *links_.front());
}

Status TransformChain::finish() {
  for (size_t i = 0; i < stages_.size(); ++i) {
    ByteSink& sink = i < links_.size() ? *links_[i] : out_;
    ASTACUS_CHECK(stages_[i]->finish(sink));
  }
  return ok();
}

Status VerifyingSink::write(std::string_view bytes) {
  size_ += bytes.size();
  if (size_ > expected_size_) {
    return errorf(ErrorCode::kCorruption, "the content is longer than the {} bytes expected", expected_size_);
  }
  if (hash_) hasher_.update(bytes);
  return next_.write(bytes);
}

Status VerifyingSink::check_size() const {
  if (size_ == expected_size_) return ok();
  return errorf(ErrorCode::kCorruption, "the content has {} bytes, not the {} expected", size_, expected_size_);
}

Status VerifyingSink::check(const std::string& hexdigest) {
  if (!hash_) return errorf(ErrorCode::kInternal, "VerifyingSink built without hashing cannot check a digest");
  ASTACUS_CHECK(check_size());
  std::string actual = hasher_.finish_hex();
  if (actual != hexdigest) return errorf(ErrorCode::kCorruption, "the content hashes to {}", actual);
  return ok();
}

}  // namespace astacus::codec
