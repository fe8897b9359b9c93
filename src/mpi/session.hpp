// koe-mpi: the processes of one `mpirun` run and how they share the reading of the input
// (docs/mpi.md). Only the koe-mpi executable is built with this; the library knows no MPI.
#pragma once

#include <memory>
#include <string>

namespace koe::detail {
class block_exchange;
}

namespace koe_mpi {

class block_exchange;

/**
 * MPI for the life of the program: started by the constructor, finished by the destructor.
 * Rank 0 gathers the blocks that the other ranks read and runs every later stage; the others
 * read their blocks (every P-th, from their rank on) and hand them over.
 */
class session {
 public:
  session(int& argc, char**& argv);
  ~session();
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  [[nodiscard]] int rank() const noexcept { return rank_; }
  [[nodiscard]] int size() const noexcept { return size_; }
  [[nodiscard]] bool gathers() const noexcept { return rank_ == 0; }
  /// Ranks on this rank's machine, itself included.
  [[nodiscard]] int local_ranks() const noexcept { return local_ranks_; }

  /// How this rank shares the reading, each rank reading with `threads` threads (0 = all cores);
  /// null with one rank, which reads everything. Rank 0 runs the later stages with the threads
  /// of every rank on its machine, idle by then.
  [[nodiscard]] std::shared_ptr<koe::detail::block_exchange> exchange(int threads);

  /// The cores this process may run on (mpirun binds each rank to one or a few by default).
  [[nodiscard]] static int bound_cores();

  /// With --stats: what this rank read, handed over or received, the seconds it spent waiting
  /// on the others, and its peak memory, as a line on stderr.
  void print_stats() const;

  /// Whether every rank got ready (read its options, configuration and decisions): each says
  /// whether it did, and all learn whether all did. `failure` is this rank's message, if any;
  /// the lowest failing rank other than 0 prints its own when rank 0 has none to print.
  [[nodiscard]] bool all_ready(bool ready, const std::string& failure);

  /// Ends this rank's part in the reading: a rank that hands blocks over says it is done, and
  /// `why` when it stopped early; rank 0 tells the others to stop and takes what they still send,
  /// so that no rank waits for ever. Call it once reading ended, well or not.
  void finish_reading(const std::string& why);

 private:
  int rank_ = 0;
  int size_ = 1;
  int local_ranks_ = 1;
  std::shared_ptr<block_exchange> exchange_;
};

}  // namespace koe_mpi
