#include "base/writeback.h"

#include <fcntl.h>

namespace astacus {

void EarlyWriteback::wrote(int fd, uint64_t n) {
  written_ += n;
  if (step_ == 0 || written_ - started_ < step_) return;
  uint64_t end = written_ - written_ % step_;
  // Only whole steps: a partly written last page would be written out twice.
  ::sync_file_range(fd, static_cast<off64_t>(started_), static_cast<off64_t>(end - started_),
                    SYNC_FILE_RANGE_WRITE);
  started_ = end;
}

}  // namespace astacus
