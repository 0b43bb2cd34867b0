// The simulated device: a thread woken at absolute times, one period apart,
// that calls the same callback a sound card would. SCHED_FIFO when the
// process may (root, or rtprio in limits.conf). A wake-up later than one
// period is counted as a device xrun (hardware would have run dry).
#include <pthread.h>
#include <sched.h>
#include <time.h>

#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

#include "player/device/device.hpp"
#include "player/device/kinds.hpp"
#include "player/source/source.hpp"
#include "player/threads.hpp"

namespace pingpong::player {
namespace {

std::int64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

class sim_device final : public device {
 public:
  explicit sim_device(const device_request& request) {
    if (request.preferred_rate < min_sample_rate || request.preferred_rate > max_sample_rate)
      throw input_error("sim device: sample rate " + std::to_string(request.preferred_rate) + " out of range");
    info_.name = "sim";
    info_.host_api = "sim";
    info_.sample_rate = request.preferred_rate;
    info_.channels = std::max(1, request.wanted_channels);
    info_.period_frames = request.period_frames;
    info_.output_latency_s = double(request.period_frames) / info_.sample_rate;
    priority_ = request.fifo_priority;
    cpu_ = request.cpu;
    out_.assign(info_.period_frames * std::size_t(info_.channels), 0.0f);
  }
  ~sim_device() override { stop(); }

  device_info info() const override { return info_; }

  void start(render_target& target) override {
    target_ = &target;
    thread_ = std::thread([this] { run(); });
  }

  void stop() noexcept override {
    stop_.store(true, std::memory_order_relaxed);  // relaxed: a flag polled each period
    if (thread_.joinable()) thread_.join();
  }

  bool finished() const noexcept override {
    return finished_.load(std::memory_order_acquire);  // acquire: pairs with run()'s release
  }
  const latency_histogram* wake_lateness() const noexcept override { return &lateness_; }
  double own_syscalls_per_callback() const noexcept override { return 1.0; }  // clock_nanosleep
  /// Valid after stop() (the thread that wrote it has been joined).
  std::string scheduling() const override { return scheduling_; }

 private:
  void run() {
    // Scheduling first (system calls, before the first callback).
    bool pinned = true;
    if (cpu_ >= 0) pinned = pin_to_cpu(cpu_);
    if (priority_ > 0 && !set_fifo_priority(priority_))
      scheduling_ = "SCHED_FIFO " + std::to_string(priority_) + " not permitted, ";
    scheduling_ += describe_scheduling();
    if (cpu_ >= 0)
      scheduling_ += pinned ? ", CPU " + std::to_string(cpu_) : ", pinning to CPU " + std::to_string(cpu_) + " failed";
    const std::int64_t period_ns = std::int64_t(1e9 * double(info_.period_frames) / info_.sample_rate);
    std::int64_t next = monotonic_ns();
    while (!stop_.load(std::memory_order_relaxed)) {  // relaxed: see stop()
      next += period_ns;
      timespec at{time_t(next / 1'000'000'000), long(next % 1'000'000'000)};
      while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, nullptr) == EINTR) {
      }
      const std::int64_t late = monotonic_ns() - next;
      lateness_.record(late);
      callback_status status;
      status.output_underflow = late > period_ns;       // the hardware buffer would have run dry
      if (late > 4 * period_ns) next = monotonic_ns();  // a real device drops, it does not catch up
      const render_result r = target_->render(out_.data(), info_.period_frames, status);
      if (r.end) break;
    }
    finished_.store(true, std::memory_order_release);  // release: final counters visible
  }

  device_info info_;
  std::vector<float> out_;
  render_target* target_ = nullptr;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> finished_{false};
  int priority_ = 70;
  int cpu_ = -1;
  std::string scheduling_;  // written by the device thread; read after stop() joined it
  latency_histogram lateness_;
};

}  // namespace

std::unique_ptr<device> open_sim_device(const device_request& request) {
  return std::make_unique<sim_device>(request);
}

}  // namespace pingpong::player
