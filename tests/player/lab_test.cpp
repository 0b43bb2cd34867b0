// The glitch lab's machinery (pingpong compare): loads run at the asked
// priority and leave nothing behind; an injected stall really happens inside
// the handoff's critical section for the locked policies and outside any lock
// for lockfree; the JSON report holds every run with the documented keys.
#include <doctest/doctest.h>

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "player/compare.hpp"
#include "player/load.hpp"
#include "player/threads.hpp"

namespace pp = pingpong::player;
using namespace std::chrono_literals;

namespace {

int thread_count() {
  // Sanitizer runtimes start a helper thread at the first thread creation;
  // make sure that has happened before anything is counted.
  static const bool warmed_up = [] {
    std::thread([] {}).join();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return true;
  }();
  (void)warmed_up;
  int n = 0;
  if (DIR* d = ::opendir("/proc/self/task")) {
    while (const dirent* e = ::readdir(d))
      if (e->d_name[0] != '.') ++n;
    ::closedir(d);
  }
  return n;
}

/// thread_count() once it has come down to `want`, or after 1 s. A joined
/// thread can stay listed in /proc/self/task for a moment after join()
/// returns (the kernel reaps it just after it clears its tid).
int thread_count_settled(int want) {
  int n = thread_count();
  for (int i = 0; i < 100 && n != want; ++i) {
    std::this_thread::sleep_for(10ms);
    n = thread_count();
  }
  return n;
}

/// The scheduling policy and priority of every thread of this process but the caller.
bool some_thread_is_fifo(int priority) {
  bool found = false;
  if (DIR* d = ::opendir("/proc/self/task")) {
    while (const dirent* e = ::readdir(d)) {
      if (e->d_name[0] == '.') continue;
      sched_param p{};
      const int policy = sched_getscheduler(std::stoi(e->d_name));
      if (policy == SCHED_FIFO && sched_getparam(std::stoi(e->d_name), &p) == 0 && p.sched_priority == priority)
        found = true;
    }
    ::closedir(d);
  }
  return found;
}

/// Tried on a thread of its own that is still alive when asked.
bool fifo_permitted() {
  bool ok = false;
  std::thread t([&] {
    sched_param p{};
    p.sched_priority = 1;
    ok = pthread_setschedparam(pthread_self(), SCHED_FIFO, &p) == 0;
  });
  t.join();
  return ok;
}

}  // namespace

TEST_CASE("cpu load runs one hog per core and leaves no thread behind") {
  const int before = thread_count();
  {
    pp::load_runner load(pp::load_kind::cpu, {});
    std::this_thread::sleep_for(50ms);
    CHECK(load.running_threads() == int(std::thread::hardware_concurrency()));
    CHECK(thread_count() >= before + int(std::thread::hardware_concurrency()));
    load.stop();
    CHECK(load.running_threads() == 0);
  }
  CHECK(thread_count_settled(before) == before);
}

namespace {

/// Entries of `dir` (its files have names: the io load's must not).
std::size_t entries_in(const std::filesystem::path& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}

/// Open descriptors of this process on a file in `dir` (deleted or not).
std::size_t open_files_in(const std::filesystem::path& dir) {
  std::size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    const std::string target = std::filesystem::read_symlink(e.path(), ec).string();
    if (!ec && target.rfind(dir.string() + "/", 0) == 0) ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("io load writes a file that has no name, and closes it") {
  // A private directory: the load's file must never appear in it (then a
  // kill -9 cannot leave it behind), and no descriptor on it may outlive stop().
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("pingpong-lab-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  pp::load_settings settings;
  settings.io_dir = dir.string();
  {
    pp::load_runner load(pp::load_kind::io, settings);
    // The writer truncates at 64 MiB and starts over, so the size may read 0
    // at any one moment: wait (up to 5 s) until data has been seen.
    bool written = false;
    for (int i = 0; i < 500 && !written; ++i) {
      written = load.io_file_bytes() > 0;
      if (!written) std::this_thread::sleep_for(10ms);
    }
    CHECK(written);
    CHECK(entries_in(dir) == 0);
    CHECK(open_files_in(dir) == 1);
    CHECK(load.note().find("unnamed temporary file in " + dir.string()) != std::string::npos);
    load.stop();
    CHECK(open_files_in(dir) == 0);
  }
  CHECK(entries_in(dir) == 0);
  std::filesystem::remove_all(dir);
}

TEST_CASE("an unnamed temporary file opens again by its /proc path") {
  const pp::unnamed_temp_file file(pp::temp_directory());
  REQUIRE(file);
  REQUIRE(::write(file.fd(), "pingpong", 8) == 8);
  char back[8] = {};
  const int again = ::open(file.proc_path().c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(again >= 0);
  CHECK(::read(again, back, sizeof back) == 8);  // an own offset: from the start
  ::close(again);
  CHECK(std::string(back, sizeof back) == "pingpong");
  const pp::unnamed_temp_file nowhere("/nonexistent-dir-for-pingpong");
  CHECK_FALSE(nowhere);
  CHECK(nowhere.error().find("/nonexistent-dir-for-pingpong") != std::string::npos);
}

TEST_CASE("inversion hog runs at SCHED_FIFO 40 when permitted") {
  pp::load_runner load(pp::load_kind::inversion, {});
  std::this_thread::sleep_for(50ms);
  if (fifo_permitted()) {
    CHECK(some_thread_is_fifo(40));
    CHECK(load.note().find("not permitted") == std::string::npos);
  } else {
    CHECK(load.note().find("not permitted") != std::string::npos);
    MESSAGE("SCHED_FIFO not permitted here: the note says so");
  }
  load.stop();
  CHECK(load.running_threads() == 0);
}

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
  CHECK(thread_count() == threads_before);  // players, producers and loads all joined
}

TEST_CASE("compare JSON holds every run with the documented keys") {
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
  const std::string json = pp::compare_json(r);
  for (const char* key : {"\"runs\"", "\"summary\"", "\"handoff\"", "\"wake\"", "\"load\"", "\"repeat\"", "\"underruns\"",
                          "\"events\"", "\"frames\"", "\"deadline_misses\"", "\"device_xruns\"", "\"callback_us\"",
                          "\"p50\"", "\"p99\"", "\"p999\"", "\"max\"", "\"blocked_us_max\""})
    CHECK_MESSAGE(json.find(key) != std::string::npos, key);
  // Braces and brackets balance (the e2e test parses it with a real JSON parser).
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    if (c == '{' || c == '[') ++depth;
    if (c == '}' || c == ']') --depth;
    CHECK(depth >= 0);
  }
  CHECK(depth == 0);
}

// ---- one aggregation, interrupted runs, the device's real period ------------

namespace {

/// A finished run as run_compare() records it (no device needed).
pp::compare_run made_run(const std::string& handoff, int repeat, std::uint64_t underruns, double p50_us) {
  pp::compare_run run;
  run.handoff = handoff;
  run.wake = "poll";
  run.load = "none";
  run.repeat = repeat;
  run.report.device = {"sim", "sim", 48000, 2, 64, 0.0, false, ""};
  run.report.half_frames = 1024;
  run.report.callbacks = 1500;
  run.report.underrun_events = underruns;
  run.report.underrun_frames = underruns * 64;
  run.report.callback_us.p50 = p50_us;
  run.report.callback_us.p99 = 2 * p50_us;
  run.report.callback_us.p999 = 3 * p50_us;
  run.report.callback_us.max = 4 * p50_us;
  run.period_us = 1333.33;
  run.blocked_us_max = 0.5;
  return run;
}

/// Two repeats of lockfree/poll and mutex/poll; lockfree's second repeat was
/// cut short by Ctrl-C after 364 of its 1500 callbacks (with 5 underruns
/// from the fade, which must not count).
pp::compare_report report_with_an_interrupted_run() {
  pp::compare_report r;
  r.device = {"sim", "sim", 48000, 2, 64, 0.0, false, ""};
  r.half_frames = r.requested_half_frames = 1024;
  r.requested_period_frames = 64;
  r.duration_s = 2.0;
  r.repeats = 2;
  r.planned_runs = 4;
  r.runs.push_back(made_run("lockfree", 0, 0, 10.0));
  r.runs.push_back(made_run("mutex", 0, 3, 10.0));
  r.runs.push_back(made_run("lockfree", 1, 5, 99.0));
  r.runs.back().report.interrupted = true;
  r.runs.back().report.callbacks = 364;
  r.runs.push_back(made_run("mutex", 1, 0, 20.0));
  r.summary = pp::summarize_scenarios(r);
  return r;
}

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

}  // namespace

TEST_CASE("an interrupted run is marked in the table, the JSON and the HTML, and left out of the figures") {
  const pp::compare_report r = report_with_an_interrupted_run();
  const std::vector<pp::policy_summary> policies = pp::summarize_policies(r);
  REQUIRE(policies.size() == 2);
  const pp::policy_summary& lockfree = policies[0];
  CHECK(lockfree.handoff == "lockfree");
  CHECK(lockfree.runs.size() == 2);
  CHECK(lockfree.counted == 1);
  CHECK(lockfree.interrupted == 1);
  CHECK(lockfree.underruns == 0);              // the interrupted run's 5 are not summed
  CHECK(lockfree.callback_p50_us == 10.0);     // nor its p50 in the median
  CHECK(lockfree.all_clean());
  CHECK(pp::result_of(r.runs[2]) == pp::run_result::interrupted);

  REQUIRE(r.summary.size() == 1);
  const std::string& verdict = r.summary[0].verdict;
  INFO(verdict);
  CHECK(has(verdict, "mutex/poll glitched in 1/2 runs (3 underruns"));
  CHECK(has(verdict, "no underrun or deadline miss: lockfree/poll"));
  CHECK(has(verdict, "Left out of these figures: lockfree/poll 1 interrupted run"));

  const std::string table = pp::compare_table(r);
  INFO(table);
  CHECK(has(table, "1+1i"));
  CHECK(has(table, "none lockfree/poll repeat 1: interrupted after 364 of 1500 callbacks"));
  CHECK(has(table, verdict));

  const std::string json = pp::compare_json(r);
  CHECK(has(json, "\"repeat\": 1, \"result\": \"interrupted\", \"interrupted\": true"));
  CHECK(has(json, "\"repeat\": 0, \"result\": \"clean\", \"interrupted\": false"));
  CHECK(has(json, "\"repeat\": 0, \"result\": \"glitched\", \"interrupted\": false"));
  CHECK(has(json, "\"counted\": 1, \"clean\": 1, \"glitched\": 0, \"failed\": 0, \"interrupted\": 1"));

  const std::string html = pp::render_html(r);
  CHECK(has(html, "<td>1/1 <span class=\"spread\">1 interrupted</span></td>"));
  CHECK(has(html, "none, lockfree / poll, repeat 1 interrupted after 364 of 1500 callbacks: left out of the figures"));
}

TEST_CASE("the table, the JSON and the HTML show one aggregation: medians of an even count agree") {
  // mutex/poll's p50s are 10 and 20 µs: the median is 15, in all three.
  const pp::compare_report r = report_with_an_interrupted_run();
  const pp::policy_summary mutex = pp::summarize_policies(r)[1];
  CHECK(mutex.callback_p50_us == 15.0);
  CHECK(mutex.underruns_min == 0);
  CHECK(mutex.underruns_max == 3);
  CHECK(has(pp::compare_table(r), " 15.0/30.0/45.0/80.0 "));
  CHECK(has(pp::compare_json(r), "\"callback_us\": {\"p50\": 15, \"p99\": 30, \"p999\": 45, \"max\": 80}"));
  CHECK(has(pp::render_html(r), "<td>15.0</td><td>30.0</td><td>45.0</td>"));
}

TEST_CASE("compare reports the period the device ran at, and says a JACK server's is its own") {
  pp::compare_report r = report_with_an_interrupted_run();
  r.requested_period_frames = 64;
  for (pp::compare_run& run : r.runs) run.report.device = {"system", "JACK Audio Connection Kit", 48000, 2, 256, 0.0, false, ""};
  r.device = r.runs.back().report.device;
  const std::string table = pp::compare_table(r);
  INFO(table);
  CHECK(has(table, "Hz, period 256, half 1024"));
  CHECK(has(table, "the JACK server's buffer size, 256 frames"));
  CHECK(has(table, "jack_bufsize N"));
  const std::string json = pp::compare_json(r);
  CHECK(has(json, "\"period_frames\": 256},\n  \"requested_period_frames\": 64"));
  CHECK(has(json, "\"half_frames\": 1024, \"underruns\""));
  CHECK_FALSE(has(json, "\"period_frames\": 64"));
  CHECK(has(pp::render_html(r), "the JACK server&#39;s buffer size, 256 frames"));
  // A device that honours the period needs no note.
  CHECK(pp::period_note({"sim", "sim", 48000, 2, 64, 0.0, false, ""}, 64).empty());
  CHECK(has(pp::period_note({"hw", "ALSA", 48000, 2, 96, 0.0, false, ""}, 64), "a period of 96 frames, not the 64 asked for"));
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
  CHECK_FALSE(r.runs[0].report.interrupted);
  CHECK(r.runs[1].report.interrupted);
  CHECK(pp::result_of(r.runs[1]) == pp::run_result::interrupted);
  REQUIRE(r.summary.size() == 1);
  CHECK(has(r.summary[0].verdict, "Left out of these figures: mutex/poll 1 interrupted run"));
  CHECK(r.runs[0].period_us == doctest::Approx(1e6 * 64 / 48000.0));  // the device's period, as it ran
}
