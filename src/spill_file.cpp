// The temporary file behind spilled columns: POSIX calls, nothing left on disk.
#include "detail/spill_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace koe::detail {

spill_file::spill_file() {
  std::error_code ec;
  const std::filesystem::path dir = std::filesystem::temp_directory_path(ec);
  if (ec) return;
#ifdef O_TMPFILE
  fd_ = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
#endif
  if (fd_ < 0) {  // a file system without unnamed files: name one and remove the name at once
    std::string name = (dir / "koe-spill.XXXXXX").string();
    fd_ = ::mkostemp(name.data(), O_CLOEXEC);
    if (fd_ >= 0) ::unlink(name.c_str());
  }
}

spill_file::~spill_file() {
  if (map_ != nullptr) ::munmap(map_, mapped_);
  if (fd_ >= 0) ::close(fd_);
}

void spill_file::fail() noexcept {
  if (fd_ >= 0) ::close(fd_);  // what is mapped stays mapped
  fd_ = -1;
}

bool spill_file::write(std::string_view bytes) {
  // Blocks are taken on disk first, where the file system can: a full disk then fails here, not
  // when the kernel writes the pages back and a read through the map would find them gone.
  if (ok() && !bytes.empty()) {
    const int e =
        ::posix_fallocate(fd_, static_cast<::off_t>(size_), static_cast<::off_t>(bytes.size()));
    if (e != 0 && e != EOPNOTSUPP && e != EINVAL) fail();
  }
  while (!bytes.empty() && ok()) {
    const ::ssize_t n = ::pwrite(fd_, bytes.data(), bytes.size(), static_cast<::off_t>(size_));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      fail();
      break;
    }
    size_ += static_cast<std::uint64_t>(n);
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return ok();
}

const char* spill_file::map() {
  static constexpr char nothing = 0;
  if (!ok()) return nullptr;
  if (size_ == 0) return &nothing;  // nothing written yet: nothing to map
  if (size_ == mapped_) return static_cast<const char*>(map_);
  void* m = ::mmap(nullptr, size_, PROT_READ, MAP_SHARED, fd_, 0);
  if (m == MAP_FAILED) {
    fail();
    return nullptr;
  }
  if (map_ != nullptr) ::munmap(map_, mapped_);
  map_ = m;
  mapped_ = size_;
  return static_cast<const char*>(map_);
}

void spill_file::drop_pages() noexcept {
  if (map_ != nullptr) ::madvise(map_, mapped_, MADV_DONTNEED);
}

void spill_file::drop_pages(std::uint64_t from, std::uint64_t to) noexcept {
  // The map is shared, read-only and of a file: a dropped page is read again from the file (or
  // the page cache) by whichever thread touches it next, so whole pages may be dropped even where
  // another thread reads the bytes beside a range.
  static const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  to = std::min(to, mapped_);
  if (map_ == nullptr || from >= to) return;
  from -= from % page;
  ::madvise(static_cast<char*>(map_) + from, to - from, MADV_DONTNEED);
}

}  // namespace koe::detail
