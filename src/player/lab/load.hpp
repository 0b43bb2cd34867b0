// Load scenarios for pingpong compare / probe. Each is created by pingpong
// itself, bounded in time (it stops with the run), and cleaned up: stop()
// joins every thread and removes every file it made.
//   none       nothing
//   cpu        one busy thread per core, at the producer's priority (SCHED_OTHER)
//   io         a writer (fsync'd 1 MiB blocks) and a reader (cache dropped)
//              on an unnamed temporary file beside the producer's reads
//   stall      injected producer stalls (play_options.stall); locked policies
//              stall while holding the handoff lock
//   inversion  RT callback SCHED_FIFO 70, producer SCHED_FIFO 10 busy inside
//              the lock, a SCHED_FIFO 40 hog in bursts — all pinned to CPU 0
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "player/lab/temp_file.hpp"
#include "player/player.hpp"

namespace pingpong::player {

enum class load_kind { none, cpu, io, stall, inversion };
std::string_view to_string(load_kind kind) noexcept;
/// "none", "cpu", "io", "stall", "inversion"; "all" is expanded by the caller.
bool parse_load(std::string_view name, load_kind& out) noexcept;

struct load_settings {
  double stall_ms = 0.0;  ///< 0: half a half's duration
  double stall_rate_hz = 4.0;
  int cpu_threads = 0;  ///< 0: one per core
  std::string io_dir;   ///< "": $TMPDIR or /tmp
};

/// Adjusts the play options a scenario needs (stalls, priorities, pinning)
/// and returns a note on anything the machine does not permit.
std::string prepare_load(load_kind kind, const load_settings& settings, play_options& options, int sample_rate);

/// Runs a scenario's background threads for the lifetime of the object.
class load_runner {
 public:
  load_runner(load_kind kind, const load_settings& settings);
  ~load_runner();
  load_runner(const load_runner&) = delete;
  load_runner& operator=(const load_runner&) = delete;
  void stop() noexcept;
  /// What really ran, e.g. "2 cpu hogs (SCHED_OTHER)" or "hog: SCHED_FIFO not permitted".
  std::string note() const;
  /// Threads currently running (0 after stop()): for the cleanup tests.
  int running_threads() const noexcept { return running_.load(std::memory_order_relaxed); }
  /// io: the directory of the (unnamed) file the load writes and reads.
  const std::string& io_dir() const noexcept { return io_dir_; }
  /// io: the file's size now (bytes); 0 for other loads or when it could not be made.
  std::uint64_t io_file_bytes() const noexcept;

 private:
  void hog_cpu();
  void io_writer();
  void io_reader();
  void fifo_hog();

  load_kind kind_;
  load_settings settings_;
  std::atomic<bool> stop_{false};
  std::atomic<int> running_{0};
  std::vector<std::thread> threads_;
  std::string io_dir_;
  std::unique_ptr<unnamed_temp_file> io_file_;
  mutable std::atomic<bool> fifo_refused_{false};
  std::atomic<bool> pin_refused_{false};
};

}  // namespace pingpong::player
