// The player's whole callback path never allocates, frees, locks or enters
// the kernel: the engine's render() (the policy's read, the timing, the
// counters, the fade-out, the end of the stream) is counted call by call on
// a paced "device" thread, while the real producer decodes a real WAV file
// through the source (libsndfile, channel map, gain) into the halves. The
// same counting interposer as tests/rt_safety_test.cpp (the core alone).
//
//   lockfree + poll:      0 allocations, 0 lock calls, 0 system calls
//   lockfree + semaphore: 0 allocations, 0 lock calls; system calls only as
//                         futex wakes of a sleeping producer (counted)
//   mutex / mutex-pi / trylock: 0 allocations; lock calls at each swap
#include <doctest/doctest.h>
#include <sndfile.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "../interpose.hpp"
#include "player/engine.hpp"
#include "player/source/source.hpp"

namespace pp = pingpong::player;
using namespace std::chrono_literals;

namespace {

constexpr int rate = 48000, channels = 2;
constexpr std::size_t period = 64, half = 1024;

/// A 2 s stereo tone as a 16-bit WAV in a fresh temp directory.
struct tone_file {
  std::filesystem::path dir, path;
  tone_file() {
    dir = std::filesystem::temp_directory_path() / ("pingpong-engine-rt-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    path = dir / "tone.wav";
    SF_INFO info{};
    info.samplerate = rate;
    info.channels = channels;
    info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
    REQUIRE(f != nullptr);
    std::vector<float> frames(std::size_t(2 * rate * channels));
    for (std::size_t i = 0; i < frames.size(); ++i)
      frames[i] = 0.5f * float(std::sin(2.0 * 3.141592653589793 * 440.0 * double(i / channels) / rate));
    REQUIRE(sf_writef_float(f, frames.data(), 2 * rate) == 2 * rate);
    sf_close(f);
  }
  ~tone_file() { std::filesystem::remove_all(dir); }
};

struct rt_counts {
  interpose::counts counts;
  bool syscalls_measured = false;
  std::uint64_t syscalls = 0, callbacks = 0, wake_syscalls = 0, swaps = 0, underruns = 0;
  std::string why_no_syscalls;
  bool faded = false, ended = false;
  std::uint64_t flushes = 0, frames_played = 0, silent_callbacks = 0;
};

/// Plays the tone through an engine of `kind` on a paced thread (a period
/// every 1.33 ms, as a 48 kHz device would), counting everything render()
/// does from the first callback to the end of a fade-out requested mid-way.
/// With `controls`, the control thread also works the keys' paths while
/// the callbacks are counted: pause and resume, a volume change (a ramp),
/// and two seeks (a fade-out, the buffer's flush, a fade-in).
rt_counts run_engine(pingpong::handoff_kind kind, pingpong::wake_kind wake, bool controls = false) {
  tone_file tone;
  pp::source_options so;
  so.files = {tone.path.string()};
  so.output_rate = rate;
  so.output_channels = channels;
  so.gain_db = -3.0;  // the gain stage runs too
  pp::source input(so);
  const pingpong::config cfg{
      .half_frames = half, .channels = channels, .wake = wake, .sample_rate = double(rate), .event_capacity = 4096};
  const auto period_ns = std::int64_t(1e9 * double(period) / rate);
  std::unique_ptr<pp::engine_base> eng = pp::make_engine(kind, cfg, period_ns, 240);
  if (controls) eng->set_seek_map({.seconds = {2.0}, .loops = 1, .rate = rate, .interactive = true});
  const pp::engine_base::producer_setup setup{};
  std::thread producer([&] { eng->produce(input, setup); });
  std::atomic<bool> monitoring{true};
  std::thread monitor([&] {  // the control thread drains the event log meanwhile (and works the keys)
    int step = 0;
    std::vector<pingpong::event> events;
    while (monitoring.load(std::memory_order_relaxed)) {
      events.clear();
      eng->drain_events(events);
      const std::uint64_t at = eng->callbacks();
      if (controls) {
        // Callback numbers at which each control is given (the count starts
        // with the warm-up callback).
        if (step == 0 && at >= 150) eng->set_paused(true), ++step;
        if (step == 1 && at >= 300) eng->set_paused(false), ++step;
        if (step == 2 && at >= 350) eng->set_gain(0.5f), ++step;
        if (step == 3 && at >= 450) eng->request_seek({.seconds = -0.5, .files = 0}), ++step;
        if (step == 4 && at >= 600) eng->set_paused(true), eng->request_seek({.seconds = 0.25, .files = 0}), ++step;
        if (step == 5 && at >= 750) eng->set_paused(false), eng->set_gain(1.0f), ++step;
      }
      std::this_thread::sleep_for(1ms);
    }
  });
  while (eng->committed_halves() < 2 && !eng->producer_done()) std::this_thread::sleep_for(1ms);

  rt_counts result;
  std::thread device([&] {
    std::vector<float> out(period * channels);  // allocated before counting starts
    (void)eng->render(out.data(), period, {});  // warm-up: the first swap, the first event
    interpose::syscall_counter syscalls;
    result.syscalls_measured = syscalls.available();
    result.why_no_syscalls = syscalls.why_unavailable();
    const std::uint64_t before = syscalls.read();
    interpose::start(result.counts);
    auto next = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < 1200; ++i) {  // 1.6 s of the 2 s tone, then a fade
      next += std::chrono::nanoseconds(period_ns);
      if (i == 1000) eng->request_fade();
      const pp::render_result r = eng->render(out.data(), period, {});
      if (r.frames == 0) ++result.silent_callbacks;
      if (r.end) {
        result.ended = true;
        break;
      }
      while (std::chrono::steady_clock::now() < next) {
      }  // spin: a sleep would be the test's system call, not the engine's
    }
    interpose::stop();
    result.syscalls = syscalls.read() - before;
  });
  device.join();
  result.faded = eng->fade_done();
  monitoring = false;
  monitor.join();
  eng->cancel();
  producer.join();
  const pingpong::counters c = eng->buffer_stats();
  result.callbacks = eng->callbacks();
  result.wake_syscalls = c.wake_syscalls;
  result.swaps = c.swaps;
  result.underruns = c.underrun_events;
  result.flushes = c.flushes;
  result.frames_played = eng->source_frames_played.load();
  std::printf(
      "engine rt-safety %-9s %-10s callbacks %llu allocations %llu frees %llu mutex %llu cond %llu "
      "syscalls %s wake-syscalls %llu swaps %llu underruns %llu\n",
      std::string(pingpong::to_string(kind)).c_str(), std::string(pingpong::to_string(wake)).c_str(),
      (unsigned long long)result.callbacks, (unsigned long long)result.counts.allocations,
      (unsigned long long)result.counts.frees, (unsigned long long)result.counts.mutex_calls,
      (unsigned long long)result.counts.cond_calls,
      result.syscalls_measured ? std::to_string(result.syscalls).c_str() : "n/a",
      (unsigned long long)result.wake_syscalls, (unsigned long long)result.swaps, (unsigned long long)result.underruns);
  return result;
}

/// Syscall counting needs perf tracepoints; without them the case is
/// skipped (shown as skipped), never passed.
bool can_count_syscalls() {
  return interpose::syscall_counter().available();
}

}  // namespace

TEST_CASE("engine: lockfree + poll: the whole callback path makes no allocation, lock or system call" *
          doctest::skip(!can_count_syscalls())) {
  const rt_counts r = run_engine(pingpong::handoff_kind::lockfree, pingpong::wake_kind::poll);
  CHECK(r.swaps > 10);
  CHECK(r.faded);  // the fade-out ran inside the counted callbacks
  CHECK(r.ended);  // and ended the stream
  CHECK(r.counts.allocations == 0);
  CHECK(r.counts.frees == 0);
  CHECK(r.counts.mutex_calls == 0);
  CHECK(r.counts.cond_calls == 0);
  CHECK(r.syscalls == 0);
}

TEST_CASE("engine: lockfree + semaphore: system calls only as the counted futex wakes" *
          doctest::skip(!can_count_syscalls())) {
  const rt_counts r = run_engine(pingpong::handoff_kind::lockfree, pingpong::wake_kind::semaphore);
  CHECK(r.ended);
  CHECK(r.counts.allocations == 0);
  CHECK(r.counts.frees == 0);
  CHECK(r.counts.mutex_calls == 0);
  CHECK(r.counts.cond_calls == 0);
  CHECK(r.syscalls <= r.wake_syscalls);
}

TEST_CASE("engine: the locked policies never allocate; their lock calls are counted") {
  for (const auto kind :
       {pingpong::handoff_kind::mutex, pingpong::handoff_kind::mutex_pi, pingpong::handoff_kind::trylock}) {
    const rt_counts r = run_engine(kind, pingpong::wake_kind::poll);
    CHECK(r.ended);
    CHECK(r.counts.allocations == 0);
    CHECK(r.counts.frees == 0);
    CHECK(r.counts.mutex_calls >= 2 * (r.swaps - 1));  // each swap locks (or tries) and unlocks
  }
}

TEST_CASE(
    "engine: pause, volume and seek (fade, flush, fade-in) keep the callback path free of allocation, "
    "locks and system calls" *
    doctest::skip(!can_count_syscalls())) {
  const rt_counts r = run_engine(pingpong::handoff_kind::lockfree, pingpong::wake_kind::poll, true);
  CHECK(r.flushes == 2);             // both seeks went through the buffer's flush
  CHECK(r.silent_callbacks >= 100);  // paused: the device ran on, silent, reading nothing
  CHECK(r.underruns == 0);           // ... and none of that is an underrun
  CHECK(r.frames_played < 1200 * period);
  CHECK(r.ended);
  CHECK(r.counts.allocations == 0);
  CHECK(r.counts.frees == 0);
  CHECK(r.counts.mutex_calls == 0);
  CHECK(r.counts.cond_calls == 0);
  CHECK(r.syscalls == 0);
}

TEST_CASE("engine: the keys' paths on the locked policies never allocate") {
  for (const auto kind :
       {pingpong::handoff_kind::mutex, pingpong::handoff_kind::mutex_pi, pingpong::handoff_kind::trylock}) {
    const rt_counts r = run_engine(kind, pingpong::wake_kind::poll, true);
    CHECK(r.flushes >= 1);
    CHECK(r.ended);
    CHECK(r.counts.allocations == 0);
    CHECK(r.counts.frees == 0);
  }
}
