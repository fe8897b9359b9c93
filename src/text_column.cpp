// Strings back to back in blocks that grow from 4 KiB to 1 MiB; views by (block, offset, size).
// Blocks may move to an unnamed temporary file, read back through a memory map.
#include <koe/error.hpp>
#include <koe/text_column.hpp>

#include <algorithm>
#include <limits>

#include "detail/spill_file.hpp"

namespace koe {

namespace {

constexpr std::size_t first_block_bytes = std::size_t{4} << 10;
constexpr std::size_t max_block_bytes = std::size_t{1} << 20;
constexpr std::size_t max_entry = std::numeric_limits<std::uint32_t>::max();

}  // namespace

text_column::text_column() noexcept = default;
text_column::~text_column() = default;

text_column::text_column(const text_column& other)
    : blocks_(other.blocks_),
      entries_(other.entries_),
      size_(other.size_),
      bytes_(other.bytes_),
      released_(other.released_) {
  for (std::uint32_t b = 0; b < other.spilled_; ++b)
    blocks_[b].assign(other.mapped_ + other.spilled_at_[b],
                      other.spilled_at_[b + 1] - other.spilled_at_[b]);
}

text_column& text_column::operator=(const text_column& other) {
  if (this != &other) *this = text_column(other);
  return *this;
}

text_column::text_column(text_column&& other) noexcept {
  *this = std::move(other);
}

text_column& text_column::operator=(text_column&& other) noexcept {
  if (this == &other) return *this;
  blocks_ = std::move(other.blocks_);
  entries_ = std::move(other.entries_);
  size_ = other.size_;
  bytes_ = other.bytes_;
  released_ = other.released_;
  spilled_ = other.spilled_;
  spilled_at_ = std::move(other.spilled_at_);
  mapped_ = other.mapped_;
  spill_ = std::move(other.spill_);
  other.clear();
  return *this;
}

bool text_column::spill(bool all) {
  if (blocks_.empty()) return true;  // nothing held (or every string empty)
  const std::size_t last = all ? blocks_.size() : blocks_.size() - 1;
  if (last <= spilled_) return true;
  if (!spill_) spill_ = std::make_unique<detail::spill_file>();
  if (!spill_->ok()) return false;
  std::vector<std::uint64_t> at;
  at.reserve(last - spilled_);
  for (std::size_t b = spilled_; b < last; ++b) {
    at.push_back(spill_->size());
    if (!spill_->write(blocks_[b])) return false;
  }
  const char* m = spill_->map();
  if (m == nullptr) return false;
  // Written and mapped: only now are the blocks given up.
  spilled_at_.reserve(spilled_at_.size() + at.size() + 1);  // nothing below throws
  if (spilled_at_.empty()) spilled_at_.push_back(0);
  spilled_at_.pop_back();
  spilled_at_.insert(spilled_at_.end(), at.begin(), at.end());
  spilled_at_.push_back(spill_->size());
  for (std::size_t b = spilled_; b < last; ++b)
    std::string().swap(blocks_[b]);
  spilled_ = static_cast<std::uint32_t>(last);
  mapped_ = m;
  return true;
}

void text_column::drop_pages() noexcept {
  if (spill_) spill_->drop_pages();
}

std::size_t text_column::spilled_bytes() const noexcept {
  return spilled_at_.empty() ? 0 : static_cast<std::size_t>(spilled_at_.back());
}

void text_column::unspill() {
  for (std::uint32_t b = 0; b < spilled_; ++b)
    blocks_[b].assign(mapped_ + spilled_at_[b], spilled_at_[b + 1] - spilled_at_[b]);
  spilled_ = 0;
  spilled_at_.clear();
  mapped_ = nullptr;
  spill_.reset();
}

void text_column::materialize() {
  if (entries_.empty()) entries_.assign(size_, entry{});
}

void text_column::push_back(std::string_view s) {
  if (s.empty()) {
    if (!entries_.empty()) entries_.push_back(entry{});
    ++size_;
    return;
  }
  KOE_THROW_IF_NOT(s.size() <= max_entry, errc::invalid_argument,
                   "a text of " + std::to_string(s.size()) + " bytes is over the 4 GiB limit");
  materialize();
  if (blocks_.size() == spilled_ || blocks_.back().capacity() - blocks_.back().size() < s.size()) {
    const std::size_t grown =
        blocks_.size() == spilled_
            ? first_block_bytes
            : std::min(max_block_bytes, std::max(first_block_bytes, 2 * blocks_.back().capacity()));
    KOE_THROW_IF_NOT(blocks_.size() < max_entry, errc::invalid_argument, "too many text blocks");
    blocks_.emplace_back();
    blocks_.back().reserve(std::max(grown, s.size()));
  }
  std::string& block = blocks_.back();
  entries_.push_back({static_cast<std::uint32_t>(blocks_.size() - 1),
                      static_cast<std::uint32_t>(block.size()),
                      static_cast<std::uint32_t>(s.size())});
  block.append(s);
  ++size_;
  bytes_ += s.size();
}

void text_column::append(text_column&& other) {
  if (other.size_ == 0) return;
  other.unspill();
  if (!other.entries_.empty()) {
    materialize();
    const auto shift = static_cast<std::uint32_t>(blocks_.size());
    KOE_THROW_IF_NOT(blocks_.size() + other.blocks_.size() < max_entry, errc::invalid_argument,
                     "too many text blocks");
    const std::size_t needed = entries_.size() + other.entries_.size();
    if (needed > entries_.capacity()) entries_.reserve(std::max(needed, 2 * entries_.capacity()));
    for (entry e : other.entries_) {
      e.block += e.size > 0 ? shift : 0;
      entries_.push_back(e);
    }
    // The last block of a column grown string by string is up to half empty; kept like that in a
    // column assembled from thousands of parts, the gaps add up (and with transparent huge pages
    // they are resident memory, not just address space), so it is cut to size first.
    if (std::string& last = other.blocks_.back(); last.capacity() - last.size() > last.size() / 8)
      last.shrink_to_fit();
    blocks_.insert(blocks_.end(), std::make_move_iterator(other.blocks_.begin()),
                   std::make_move_iterator(other.blocks_.end()));
  } else if (!entries_.empty()) {
    entries_.resize(entries_.size() + other.size_);
  }
  size_ += other.size_;
  bytes_ += other.bytes_;
  other.clear();
}

void text_column::reserve(std::size_t n) {
  if (!entries_.empty()) entries_.reserve(size_ + n);
}

void text_column::reserve_bytes(std::size_t bytes) {
  if (blocks_.size() > spilled_ && blocks_.back().capacity() - blocks_.back().size() >= bytes)
    return;
  KOE_THROW_IF_NOT(blocks_.size() < max_entry, errc::invalid_argument, "too many text blocks");
  blocks_.emplace_back();
  blocks_.back().reserve(bytes);
}

void text_column::release_before(std::size_t n) {
  if (entries_.empty()) return;
  // The first block still needed is that of the first non-empty string from `n` on.
  std::size_t keep = blocks_.size();
  for (std::size_t i = n; i < entries_.size(); ++i) {
    if (entries_[i].size > 0) {
      keep = entries_[i].block;
      break;
    }
  }
  // Pushing after a release would write into the last block; keep it.
  keep = std::min(keep, blocks_.size() - 1);
  for (; released_ < keep; ++released_)
    std::string().swap(blocks_[released_]);  // (a spilled block's is empty already)
}

void text_column::clear() noexcept {
  spilled_ = 0;
  spilled_at_.clear();
  mapped_ = nullptr;
  spill_.reset();
  released_ = 0;
  blocks_.clear();
  entries_.clear();
  size_ = 0;
  bytes_ = 0;
}

std::vector<std::string> text_column::to_strings() const {
  std::vector<std::string> out;
  out.reserve(size_);
  for (std::size_t i = 0; i < size_; ++i)
    out.emplace_back((*this)[i]);
  return out;
}

}  // namespace koe
