// koe-mpi's processes: MPI set-up, and blocks of records handed from the reading ranks to rank 0.
#include "session.hpp"

#include <koe/error.hpp>
#include <koe/pipeline.hpp>

#include "../detail/block_exchange.hpp"

#include <mpi.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace koe_mpi {

namespace {

// Message tags: a block (or what reading it threw), a rank's last word, rank 0's request to stop.
constexpr int tag_block = 1;
constexpr int tag_end = 2;
constexpr int tag_stop = 3;

// A block's message starts with its number and whether it holds records or a failure.
constexpr std::size_t header_bytes = sizeof(std::uint64_t) + 1;

// Waiting polls with short sleeps rather than spinning in MPI: the thread waiting for a block
// leaves its core to the threads still tokenizing. A block takes tens of milliseconds to read,
// so a quarter of a millisecond adds little delay; sleeping for 50 µs cost 2–3 s of system
// time over 1M voices.
void pause() {
  std::this_thread::sleep_for(std::chrono::microseconds(250));
}

void wait(MPI_Request& request) {
  int done = 0;
  for (MPI_Test(&request, &done, MPI_STATUS_IGNORE); done == 0;
       MPI_Test(&request, &done, MPI_STATUS_IGNORE))
    pause();
}

MPI_Status probe(int source, int tag) {
  MPI_Status status{};
  int found = 0;
  for (MPI_Iprobe(source, tag, MPI_COMM_WORLD, &found, &status); found == 0;
       MPI_Iprobe(source, tag, MPI_COMM_WORLD, &found, &status))
    pause();
  return status;
}

std::string receive_bytes(const MPI_Status& status) {
  int count = 0;
  MPI_Get_count(&status, MPI_BYTE, &count);
  std::string bytes(static_cast<std::size_t>(count), '\0');
  MPI_Recv(bytes.data(), count, MPI_BYTE, status.MPI_SOURCE, status.MPI_TAG, MPI_COMM_WORLD,
           MPI_STATUS_IGNORE);
  return bytes;
}

// Test hooks, read nowhere else (tests/mpi_test.cpp): the rank KOE_TEST_MPI_EXIT_RANK names dies,
// as a killed process would, before handing over its first block; the rank
// KOE_TEST_MPI_SLOW_RANK names sleeps 30 ms before handing over each block; and
// KOE_TEST_MPI_MOST_WAITING lowers the number of blocks of one rank that rank 0 keeps waiting.
bool named_rank(const char* variable, int rank) {
  const char* named = std::getenv(variable);
  return named != nullptr && std::to_string(rank) == named;
}

void maybe_die_or_dawdle(int rank) {
  if (named_rank("KOE_TEST_MPI_EXIT_RANK", rank)) std::_Exit(3);
  if (named_rank("KOE_TEST_MPI_SLOW_RANK", rank))
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
}

std::size_t most_waiting_blocks() {
  const char* most = std::getenv("KOE_TEST_MPI_MOST_WAITING");
  return most != nullptr ? std::max<std::size_t>(1, std::strtoul(most, nullptr, 10)) : 8;
}

// Requests are completed by `wait`, which tests them until done; the MPI checker of clang-tidy
// looks for MPI_Wait only.
// NOLINTBEGIN(clang-analyzer-optin.mpi.MPI-Checker)
void send_bytes(const std::string& bytes, int destination, int tag) {
  KOE_THROW_IF_NOT(bytes.size() <= static_cast<std::size_t>(INT_MAX), koe::errc::invalid_argument,
                   "koe-mpi: a block of " + std::to_string(bytes.size() >> 20) +
                       " MiB is more than MPI sends at once (2 GiB); shorten the metadata");
  MPI_Request request{};
  MPI_Isend(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, destination, tag,
            MPI_COMM_WORLD, &request);
  wait(request);
}
// NOLINTEND(clang-analyzer-optin.mpi.MPI-Checker)

}  // namespace

/// Blocks dealt round the ranks: block b is read by rank b mod P, and rank 0 gathers.
class block_exchange final : public koe::detail::block_exchange {
 public:
  block_exchange(int rank, int size)
      : rank_(rank), size_(size), ended_(static_cast<std::size_t>(size), false) {}
  ~block_exchange() override { stop_receiving(); }
  block_exchange(const block_exchange&) = delete;
  block_exchange& operator=(const block_exchange&) = delete;

  [[nodiscard]] bool reads(std::size_t number) const override {
    return number % static_cast<std::size_t>(size_) == static_cast<std::size_t>(rank_);
  }
  [[nodiscard]] bool gathers() const override { return rank_ == 0; }
  [[nodiscard]] bool stopped() override { return stopped_; }
  [[nodiscard]] int threads_after_reading() const override { return threads_after_reading_; }
  void set_threads_after_reading(int threads) { threads_after_reading_ = threads; }

  /// Blocks handed over (sent or received), their bytes, and the seconds spent encoding or
  /// decoding them and waiting on MPI.
  struct traffic {
    std::size_t blocks = 0;
    std::size_t bytes = 0;
    double seconds = 0;
  };
  [[nodiscard]] const traffic& counted() const noexcept { return traffic_; }

  void send(std::size_t number, const koe::document_table& docs,
            const koe::detail::normalized_part& part, const std::exception_ptr& failure) override {
    maybe_die_or_dawdle(rank_);
    const timer t(traffic_);
    const std::string body =
        failure ? koe::detail::encode_failure(failure) : koe::detail::encode_block(docs, part);
    std::string message(header_bytes, '\0');
    const auto n = static_cast<std::uint64_t>(number);
    std::memcpy(message.data(), &n, sizeof n);
    message[sizeof n] = failure ? 1 : 0;
    message += body;
    send_bytes(message, 0, tag_block);
    ++traffic_.blocks;
    traffic_.bytes += message.size();
    int found = 0;
    MPI_Iprobe(0, tag_stop, MPI_COMM_WORLD, &found, MPI_STATUS_IGNORE);
    if (found != 0) {
      MPI_Recv(nullptr, 0, MPI_BYTE, 0, tag_stop, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      stopped_ = true;
    }
  }

  // Rank 0 takes the blocks in a thread of its own, as they come, decoded there: the thread that
  // commits them in input order then rarely waits, and never while it could tokenize.
  void receive(std::size_t number, koe::document_table& docs,
               koe::detail::normalized_part& part) override {
    const timer t(traffic_);
    const auto source = static_cast<std::size_t>(number % static_cast<std::size_t>(size_));
    if (!receiver_.joinable()) receiver_ = std::thread([this] { take_blocks(); });
    std::unique_lock<std::mutex> lock(mutex_);
    arrived_.wait(lock, [&] { return arrived_blocks_.contains(number) || ended_[source]; });
    const auto it = arrived_blocks_.find(number);
    if (it == arrived_blocks_.end())
      throw koe::error(
          koe::errc::invalid_argument,
          "koe-mpi: rank " + std::to_string(source) + " stopped before handing over block " +
              std::to_string(number) +
              (last_words_[source].empty() ? std::string() : ": " + last_words_[source]));
    arrived_block b = std::move(it->second);
    arrived_blocks_.erase(it);
    --waiting_[source];
    lock.unlock();
    if (b.failure) std::rethrow_exception(b.failure);
    docs = std::move(b.docs);
    part = std::move(b.part);
  }

  void finish(const std::string& why) {
    if (finished_) return;
    finished_ = true;
    if (rank_ != 0) {
      send_bytes(why, 0, tag_end);
      return;
    }
    stop_receiving();
    // Ask every rank still reading to stop, then take what each still sends until its last word.
    // NOLINTBEGIN(clang-analyzer-optin.mpi.MPI-Checker): the requests are `wait`ed at the end
    std::vector<MPI_Request> stops;
    for (int r = 1; r < size_; ++r) {
      if (ended_[static_cast<std::size_t>(r)]) continue;
      MPI_Request request{};
      MPI_Isend(nullptr, 0, MPI_BYTE, r, tag_stop, MPI_COMM_WORLD, &request);
      stops.push_back(request);
    }
    for (int r = 1; r < size_; ++r) {
      while (!ended_[static_cast<std::size_t>(r)]) {
        const MPI_Status status = probe(r, MPI_ANY_TAG);
        (void)receive_bytes(status);
        if (status.MPI_TAG == tag_end) ended_[static_cast<std::size_t>(r)] = true;
      }
    }
    for (MPI_Request& request : stops)
      wait(request);
    // NOLINTEND(clang-analyzer-optin.mpi.MPI-Checker)
  }

 private:
  void stop_receiving() {
    if (!receiver_.joinable()) return;
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    receiver_.join();
  }

  struct arrived_block {
    koe::document_table docs;
    koe::detail::normalized_part part;
    std::exception_ptr failure;  ///< What reading it threw there, or decoding it here.
  };

  // The receiving thread of rank 0: every message of the reading ranks, as they come, until told
  // to stop. At most `most_waiting` decoded blocks of each rank wait to be committed: a rank
  // ahead of the others waits, and the rank whose block is due always has room, so the run
  // always moves on.
  void take_blocks() {
    const std::size_t most_waiting = most_waiting_blocks();
    for (;;) {
      std::vector<int> open;  // the ranks with room, still reading
      {
        const std::lock_guard<std::mutex> lock(mutex_);
        if (stopping_) return;
        for (int r = 1; r < size_; ++r)
          if (!ended_[static_cast<std::size_t>(r)] &&
              waiting_[static_cast<std::size_t>(r)] < most_waiting)
            open.push_back(r);
      }
      bool took = false;
      for (const int r : open) {
        MPI_Status status{};
        int found = 0;
        MPI_Iprobe(r, MPI_ANY_TAG, MPI_COMM_WORLD, &found, &status);
        if (found == 0) continue;
        take_message(status);
        took = true;
      }
      if (took)
        arrived_.notify_all();
      else
        pause();
    }
  }

  // Receives the message `status` announced: a block, decoded here, or a rank's last word.
  void take_message(const MPI_Status& status) {
    const std::string message = receive_bytes(status);
    const auto source = static_cast<std::size_t>(status.MPI_SOURCE);
    if (status.MPI_TAG == tag_end) {
      const std::lock_guard<std::mutex> lock(mutex_);
      ended_[source] = true;
      last_words_[source] = message;
      return;
    }
    std::uint64_t n = 0;
    arrived_block b;
    try {
      KOE_THROW_IF_NOT(message.size() >= header_bytes, koe::errc::invalid_argument,
                       "koe-mpi: rank " + std::to_string(source) + " sent a damaged block");
      std::memcpy(&n, message.data(), sizeof n);
      const std::string_view body = std::string_view(message).substr(header_bytes);
      if (message[sizeof n] != 0) koe::detail::throw_failure(body);
      koe::detail::decode_block(body, b.docs, b.part);
    } catch (...) {
      b.failure = std::current_exception();
    }
    const std::lock_guard<std::mutex> lock(mutex_);
    ++traffic_.blocks;
    traffic_.bytes += message.size();
    ++waiting_[source];
    arrived_blocks_.emplace(static_cast<std::size_t>(n), std::move(b));
  }

  // Adds the seconds of its life to the traffic's.
  class timer {
   public:
    explicit timer(traffic& t) : t_(t) {}
    ~timer() {
      t_.seconds +=
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    }
    timer(const timer&) = delete;
    timer& operator=(const timer&) = delete;

   private:
    traffic& t_;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  };

  int rank_;
  int size_;
  int threads_after_reading_ = 0;
  traffic traffic_;
  // Rank 0's receiving thread and what it shares with the committing one, under `mutex_`.
  std::thread receiver_;
  std::mutex mutex_;
  std::condition_variable arrived_;  ///< A block or a rank's last word came.
  std::map<std::size_t, arrived_block> arrived_blocks_;
  std::vector<std::size_t> waiting_ = std::vector<std::size_t>(static_cast<std::size_t>(size_));
  std::vector<std::string> last_words_ = std::vector<std::string>(static_cast<std::size_t>(size_));
  bool stopping_ = false;
  std::vector<bool> ended_;           ///< Rank 0: the ranks whose last word came.
  std::atomic<bool> stopped_{false};  ///< Other ranks: rank 0 asked to stop (read while cutting).
  bool finished_ = false;
};

session::session(int& argc, char**& argv) {
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided);
  if (provided < MPI_THREAD_SERIALIZED) {
    std::cerr << "koe-mpi: this MPI library cannot be called from more than one thread\n";
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  MPI_Comm machine = MPI_COMM_NULL;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &machine);
  MPI_Comm_size(machine, &local_ranks_);
  MPI_Comm_free(&machine);
  if (size_ > 1) exchange_ = std::make_shared<block_exchange>(rank_, size_);
}

session::~session() {
  MPI_Finalize();
}

std::shared_ptr<koe::detail::block_exchange> session::exchange(int threads) {
  // Never more than the cores this process may run on: oneTBB would refuse them anyway.
  const int bound = bound_cores();
  if (exchange_ && threads > 0)
    exchange_->set_threads_after_reading(
        std::min(threads * local_ranks_, bound > 0 ? bound : threads * local_ranks_));
  return exchange_;
}

int session::bound_cores() {
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  if (sched_getaffinity(0, sizeof cpus, &cpus) != 0) return 0;
  return CPU_COUNT(&cpus);
}

void session::print_stats() const {
  if (!exchange_) return;
  const block_exchange::traffic& t = exchange_->counted();
  std::cerr << "koe-mpi: rank " << rank_ << (rank_ == 0 ? " received " : " handed over ")
            << t.blocks << " blocks (" << (t.bytes >> 20) << " MiB) in " << t.seconds
            << " s of waiting, encoding and decoding; peak memory " << (koe::peak_rss_bytes() >> 20)
            << " MiB\n";
}

bool session::all_ready(bool ready, const std::string& failure) {
  // The lowest rank that failed: rank 0 prints its own message; another rank's is printed by it.
  const int mine = ready ? size_ : rank_;
  int first = size_;
  MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  if (first == rank_ && rank_ != 0)
    std::cerr << "koe-mpi: rank " << rank_ << ": " << failure << '\n';
  return first == size_;
}

void session::finish_reading(const std::string& why) {
  if (exchange_) exchange_->finish(why);
}

}  // namespace koe_mpi
