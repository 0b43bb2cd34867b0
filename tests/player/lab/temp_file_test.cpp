// unnamed_temp_file (lab/temp_file.hpp): a file with no name that opens
// again by its /proc path, and a plain error where none can be made.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "player/lab/temp_file.hpp"

namespace pp = pingpong::player;

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
}

TEST_CASE("an unnamed temporary file in a missing directory says where it failed") {
  const pp::unnamed_temp_file nowhere("/nonexistent-dir-for-pingpong");
  CHECK_FALSE(nowhere);
  CHECK(nowhere.fd() == -1);
  CHECK(nowhere.error().find("/nonexistent-dir-for-pingpong") != std::string::npos);
}
