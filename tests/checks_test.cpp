// Misuse is caught (the tests build with PINGPONG_CHECKS=1) and refused.
#include <doctest/doctest.h>

#include <pingpong/pingpong.hpp>

#include <string>
#include <vector>

namespace {
std::vector<std::string>& reports() {
  static std::vector<std::string> messages;
  return messages;
}
void record(const char* message) noexcept {
  reports().emplace_back(message);
}

struct recording_handler {
  pingpong::misuse_handler previous;
  recording_handler() : previous(pingpong::set_misuse_handler(&record)) { reports().clear(); }
  ~recording_handler() { pingpong::set_misuse_handler(previous); }
};
}  // namespace

TEST_CASE("misuse: acquiring a second slot while holding one") {
  recording_handler handler;
  pingpong::double_buffer<> buffer({.half_frames = 8, .channels = 1});
  auto first = buffer.writer().try_acquire();
  REQUIRE(first);
  auto second = buffer.writer().try_acquire();
  CHECK_FALSE(second);
  REQUIRE(reports().size() == 1);
  CHECK(reports()[0].find("slot is held") != std::string::npos);
}

TEST_CASE("misuse: committing more frames than the half holds is clamped") {
  recording_handler handler;
  pingpong::double_buffer<> buffer({.half_frames = 8, .channels = 1});
  auto slot = buffer.writer().try_acquire();
  slot.commit(100);
  REQUIRE(reports().size() == 1);
  std::vector<float> out(16);
  CHECK(buffer.reader().read(out.data(), 16).frames == 8);
}

TEST_CASE("misuse: flushing while holding a slot is refused") {
  recording_handler handler;
  pingpong::double_buffer<> buffer({.half_frames = 8, .channels = 1});
  auto slot = buffer.writer().try_acquire();
  buffer.writer().request_flush();
  CHECK(reports().size() == 1);
  CHECK_FALSE(buffer.writer().flush_pending());
}

TEST_CASE("misuse: two threads in one role at once") {
  recording_handler handler;
  pingpong::detail::role_guard guard;
  {
    pingpong::detail::role_guard::scope outer(guard, "two readers");
    pingpong::detail::role_guard::scope inner(guard, "two readers");  // as a second thread would
  }
  CHECK(reports().size() == 1);
  // After both scopes ended the role is free again.
  pingpong::detail::role_guard::scope again(guard, "two readers");
  CHECK(reports().size() == 1);
}

TEST_CASE("misuse: commit on an empty slot") {
  recording_handler handler;
  pingpong::double_buffer<>::write_slot empty;
  empty.commit(1);
  CHECK(reports().size() == 1);
}
