// The lab's loads (lab/load.hpp): each runs as asked and leaves nothing
// behind — no thread after stop(), no file ever visible, no descriptor left.
#include <doctest/doctest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "fixtures/threads.hpp"
#include "player/lab/load.hpp"

namespace pp = pingpong::player;
using namespace pingpong::lab_test;
using namespace std::chrono_literals;

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

// Decided once, before the tests run: the test that needs SCHED_FIFO is
// skipped (and counted as skipped) where the machine refuses it.
const bool fifo_ok = fifo_permitted();

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

TEST_CASE("inversion hog runs at SCHED_FIFO 40" * doctest::skip(!fifo_ok)) {
  pp::load_runner load(pp::load_kind::inversion, {});
  std::this_thread::sleep_for(50ms);
  CHECK(some_thread_is_fifo(40));
  CHECK(load.note().find("not permitted") == std::string::npos);
  load.stop();
  CHECK(load.running_threads() == 0);
}

TEST_CASE("inversion hog: where SCHED_FIFO is refused, the note says so" * doctest::skip(fifo_ok)) {
  pp::load_runner load(pp::load_kind::inversion, {});
  std::this_thread::sleep_for(50ms);
  CHECK(load.note().find("not permitted") != std::string::npos);
  load.stop();
  CHECK(load.running_threads() == 0);
}

TEST_CASE("load names: every kind parses back from its name") {
  for (const auto kind :
       {pp::load_kind::none, pp::load_kind::cpu, pp::load_kind::io, pp::load_kind::stall, pp::load_kind::inversion}) {
    pp::load_kind back{};
    CHECK(pp::parse_load(pp::to_string(kind), back));
    CHECK(back == kind);
  }
  pp::load_kind unused{};
  CHECK_FALSE(pp::parse_load("all", unused));  // the caller expands it
}
