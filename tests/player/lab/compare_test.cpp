// run_compare (lab/compare.hpp) on the sim device: runs interleave, an
// injected stall happens inside the handoff's critical section for the locked
// policies and outside any lock for lockfree, every thread is joined, an
// interrupt stops the compare and marks the run it cut short.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>

#include "fixtures/made_runs.hpp"
#include "fixtures/threads.hpp"
#include "player/lab/compare.hpp"
#include "player/lab/policy_summary.hpp"
#include "player/report/json.hpp"

namespace pp = pingpong::player;
using namespace pingpong::lab_test;
using namespace std::chrono_literals;

TEST_CASE("a stall happens inside the critical section for mutex, outside any lock for lockfree") {
  // 10 ms stalls, 8 per second, for 2 s: some stall overlaps a swap with
  // overwhelming probability (each stall covers half a half's duration).
  pp::compare_options o;
  o.handoffs = {pingpong::handoff_kind::lockfree, pingpong::handoff_kind::mutex};
  o.wakes = {pingpong::wake_kind::poll};
  o.loads = {pp::load_kind::stall};
  o.duration_s = 2.0;
  o.repeats = 1;
  o.period_frames = 64;
  o.half_frames = 1024;
  o.load.stall_ms = 10.0;
  o.load.stall_rate_hz = 8.0;
  const int threads_before = thread_count();
  const pp::compare_report r = pp::run_compare(o, nullptr, {});
  REQUIRE(r.runs.size() == 2);
  const auto& lockfree = r.runs[0].handoff == "lockfree" ? r.runs[0] : r.runs[1];
  const auto& mutex = r.runs[0].handoff == "mutex" ? r.runs[0] : r.runs[1];
  CHECK(lockfree.report.stalls_injected > 0);
  CHECK(mutex.report.stalls_injected > 0);
  // The RT side of mutex waited for a stalled lock holder: milliseconds.
  CHECK(mutex.blocked_us_max > 2000.0);
  // lockfree's RT side never waits for anyone: far below one stall.
  CHECK(lockfree.blocked_us_max < 1000.0);
  CHECK(lockfree.report.underrun_events == 0);
  CHECK(thread_count_settled(threads_before) == threads_before);  // players, producers and loads all joined
}

TEST_CASE("compare interleaves the runs, and its JSON holds every one with the documented keys") {
  pp::compare_options o;
  o.handoffs = {pingpong::handoff_kind::lockfree, pingpong::handoff_kind::trylock};
  o.wakes = {pingpong::wake_kind::semaphore};
  o.loads = {pp::load_kind::none};
  o.duration_s = 0.5;
  o.repeats = 2;
  const pp::compare_report r = pp::run_compare(o, nullptr, {});
  REQUIRE(r.runs.size() == 4);
  // Interleaved: A B A B.
  CHECK(r.runs[0].handoff == "lockfree");
  CHECK(r.runs[1].handoff == "trylock");
  CHECK(r.runs[2].handoff == "lockfree");
  CHECK(r.runs[2].repeat == 1);
  CHECK_FALSE(r.version.empty());
  CHECK_FALSE(r.machine.empty());

  const nlohmann::json json = nlohmann::json::parse(pp::compare_json(r));  // throws if it is not JSON
  REQUIRE(json["runs"].size() == 4);
  for (const auto& run : json["runs"]) {
    for (const char* key : {"handoff", "wake", "load", "repeat", "result", "interrupted", "period_frames",
                            "half_frames", "underruns", "deadline_misses", "device_xruns", "callback_us",
                            "blocked_us_max", "syscalls_per_callback", "callbacks", "frames_played"})
      CHECK_MESSAGE(run.contains(key), key);
    CHECK(run["underruns"].contains("events"));
    CHECK(run["underruns"].contains("frames"));
    for (const char* key : {"p50", "p99", "p999", "max"}) CHECK_MESSAGE(run["callback_us"].contains(key), key);
    CHECK(run["period_frames"] == 64);
  }
  REQUIRE(json["summary"].contains("none"));
  CHECK(json["summary"]["none"]["policies"].size() == 2);
  CHECK(json["summary"]["none"]["verdict"] == r.summary.at(0).verdict);
}

TEST_CASE("an interrupt stops compare; the run it cut short is marked and the verdicts still follow") {
  pp::compare_options o;
  o.handoffs = {pingpong::handoff_kind::lockfree, pingpong::handoff_kind::mutex};
  o.wakes = {pingpong::wake_kind::poll};
  o.loads = {pp::load_kind::none};
  o.duration_s = 2.0;
  o.repeats = 1;
  std::atomic<bool> interrupt{false};
  std::thread ctrl_c([&] {
    std::this_thread::sleep_for(3s);  // inside the second run
    interrupt.store(true);
  });
  const pp::compare_report r = pp::run_compare(o, &interrupt, {});
  ctrl_c.join();
  REQUIRE(r.runs.size() == 2);
  CHECK(r.planned_runs == 2);
  CHECK(r.interrupted());
  CHECK_FALSE(r.runs[0].report.interrupted);
  CHECK(r.runs[1].report.interrupted);
  CHECK(pp::result_of(r.runs[1]) == pp::run_result::interrupted);
  REQUIRE(r.summary.size() == 1);
  CHECK(has(r.summary[0].verdict, "Left out of these figures: mutex/poll 1 interrupted run"));
  CHECK(r.runs[0].period_us == doctest::Approx(1e6 * 64 / 48000.0));  // the device's period, as it ran
}

TEST_CASE("compare refuses what it cannot run, before the first run") {
  pp::compare_options o;
  o.handoffs = {pingpong::handoff_kind::lockfree};
  o.wakes = {pingpong::wake_kind::poll};
  o.loads = {};
  CHECK_THROWS_AS(pp::run_compare(o, nullptr, {}), pp::input_error);
  o.loads = {pp::load_kind::none};
  o.repeats = 0;
  CHECK_THROWS_AS(pp::run_compare(o, nullptr, {}), pp::input_error);
  o.repeats = 1;
  o.duration_s = pp::max_compare_duration_s + 1;
  CHECK_THROWS_AS(pp::run_compare(o, nullptr, {}), pp::input_error);
}
