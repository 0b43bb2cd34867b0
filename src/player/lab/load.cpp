#include "player/lab/load.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "player/threads.hpp"

namespace pingpong::player {

namespace {
using namespace std::chrono_literals;

void spin_for(std::chrono::steady_clock::duration d) {
  const auto until = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < until) {
  }
}
}  // namespace

std::string_view to_string(load_kind kind) noexcept {
  switch (kind) {
    case load_kind::none:
      return "none";
    case load_kind::cpu:
      return "cpu";
    case load_kind::io:
      return "io";
    case load_kind::stall:
      return "stall";
    case load_kind::inversion:
      return "inversion";
  }
  return "?";
}

bool parse_load(std::string_view name, load_kind& out) noexcept {
  for (auto k : {load_kind::none, load_kind::cpu, load_kind::io, load_kind::stall, load_kind::inversion})
    if (name == to_string(k)) {
      out = k;
      return true;
    }
  return false;
}

std::string prepare_load(load_kind kind, const load_settings& settings, play_options& o, int sample_rate) {
  const std::size_t half = effective_half_frames(o);
  const double half_ms = 1000.0 * double(half) / sample_rate;
  if (kind == load_kind::stall) {
    o.stall.rate_hz = settings.stall_rate_hz;
    o.stall.length_ms = settings.stall_ms > 0 ? settings.stall_ms : half_ms / 2;
    o.stall.busy = false;
    o.stall.inside_lock = true;
    char buf[160];
    std::snprintf(buf, sizeof buf, "producer stalls %.1f ms, %.1f per second (a half lasts %.1f ms)", o.stall.length_ms,
                  o.stall.rate_hz, half_ms);
    return buf;
  }
  if (kind == load_kind::inversion) {
    // The producer does busy work inside the lock on every fill; the hog
    // (priority between the two) preempts it there.
    o.stall.rate_hz = 50.0;  // at random times, ~every 20 ms
    o.stall.length_ms = std::min(2.0, half_ms / 4);
    o.stall.busy = true;
    o.stall.inside_lock = true;
    o.producer_fifo_priority = 10;
    o.producer_cpu = 0;
    o.device_fifo_priority = 70;
    o.device_cpu = 0;
    std::string note = "RT SCHED_FIFO 70, producer SCHED_FIFO 10 busy " +
                       std::to_string(o.stall.length_ms).substr(0, 4) +
                       " ms inside the lock ~50 times a second, hog SCHED_FIFO 40 in 5 ms bursts; all on CPU 0";
    if (o.device != "sim" || !o.output_file.empty())
      note += "; the RT thread is pinned only on --device sim (here: " +
              (o.device.empty() ? std::string("default") : o.device) + ")";
    return note;
  }
  return {};
}

load_runner::load_runner(load_kind kind, const load_settings& settings) : kind_(kind), settings_(settings) {
  auto launch = [&](void (load_runner::*body)()) {
    running_.fetch_add(1, std::memory_order_relaxed);  // relaxed: a count for tests
    threads_.emplace_back([this, body] {
      (this->*body)();
      running_.fetch_sub(1, std::memory_order_relaxed);
    });
  };
  switch (kind) {
    case load_kind::cpu: {
      int n = settings.cpu_threads > 0 ? settings.cpu_threads : int(std::thread::hardware_concurrency());
      for (int i = 0; i < std::max(n, 1); ++i) launch(&load_runner::hog_cpu);
      break;
    }
    case load_kind::io: {
      io_dir_ = !settings.io_dir.empty() ? settings.io_dir : temp_directory();
      io_file_ = std::make_unique<unnamed_temp_file>(io_dir_);
      launch(&load_runner::io_writer);
      launch(&load_runner::io_reader);
      break;
    }
    case load_kind::inversion:
      launch(&load_runner::fifo_hog);
      break;
    case load_kind::none:
    case load_kind::stall:
      break;
  }
}

load_runner::~load_runner() {
  stop();
}

void load_runner::stop() noexcept {
  stop_.store(true, std::memory_order_relaxed);  // relaxed: polled flag
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
  io_file_.reset();  // the last reference: the kernel frees the file
}

std::uint64_t load_runner::io_file_bytes() const noexcept {
  struct stat st {};
  if (!io_file_ || !*io_file_ || ::fstat(io_file_->fd(), &st) != 0) return 0;
  return std::uint64_t(st.st_size);
}

std::string load_runner::note() const {
  switch (kind_) {
    case load_kind::cpu:
      return std::to_string(settings_.cpu_threads > 0 ? settings_.cpu_threads
                                                      : int(std::thread::hardware_concurrency())) +
             " busy threads, SCHED_OTHER (the producer's class)";
    case load_kind::io:
      if (io_file_ && !*io_file_) return "no io load: " + io_file_->error();
      return "fsync'd 1 MiB writes + uncached reads on an unnamed temporary file in " + io_dir_;
    case load_kind::inversion:
      return std::string(fifo_refused_.load() ? "hog: SCHED_FIFO 40 not permitted (ran SCHED_OTHER)"
                                              : "hog SCHED_FIFO 40") +
             (pin_refused_.load() ? ", pinning refused" : ", CPU 0");
    default:
      return {};
  }
}

void load_runner::hog_cpu() {
  volatile std::uint64_t x = 0;
  while (!stop_.load(std::memory_order_relaxed))
    for (int i = 0; i < 100000; ++i) x = x + std::uint64_t(i);
}

void load_runner::io_writer() {
  if (!io_file_ || !*io_file_) return;
  const int fd = io_file_->fd();
  std::vector<char> block(1 << 20, 'p');
  // pwrite/pread at offsets of their own: the writer and the reader share
  // one file description, so neither may move its offset under the other.
  off_t offset = 0;
  while (!stop_.load(std::memory_order_relaxed)) {
    if (::pwrite(fd, block.data(), block.size(), offset) < 0) break;
    ::fdatasync(fd);
    offset += off_t(block.size());
    if (offset >= off_t(64) << 20) {  // keep it bounded: 64 MiB, then start over
      if (::ftruncate(fd, 0) != 0) break;
      offset = 0;
    }
  }
}

void load_runner::io_reader() {
  if (!io_file_ || !*io_file_) return;
  const int fd = io_file_->fd();
  std::vector<char> block(1 << 20);
  while (!stop_.load(std::memory_order_relaxed)) {
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);  // read from the device, not the page cache
    off_t offset = 0;
    ssize_t got = 0;
    while (!stop_.load(std::memory_order_relaxed) && (got = ::pread(fd, block.data(), block.size(), offset)) > 0)
      offset += got;
    if (offset == 0) std::this_thread::sleep_for(5ms);  // nothing written yet
  }
}

void load_runner::fifo_hog() {
  if (!pin_to_cpu(0)) pin_refused_.store(true);
  if (!set_fifo_priority(40)) fifo_refused_.store(true);
  // Bursts: 5 ms busy, 5 ms asleep — long enough to hold a preempted
  // producer past several callback periods.
  while (!stop_.load(std::memory_order_relaxed)) {
    spin_for(5ms);
    std::this_thread::sleep_for(5ms);
  }
}

}  // namespace pingpong::player
