// parse_time: seconds, mm:ss, hh:mm:ss, and what it refuses.
#include "helpers.hpp"

TEST_CASE("parse_time") {
  CHECK(parse_time("90") == 90.0);
  CHECK(parse_time("1.5") == 1.5);
  CHECK(parse_time("0") == 0.0);
  CHECK(parse_time(".5") == 0.5);
  CHECK(parse_time("1:30") == 90.0);
  CHECK(parse_time("01:30.25") == 90.25);
  CHECK(parse_time("1:02:03.5") == 3723.5);
  CHECK(parse_time("01:02:03.5") == 3723.5);
  CHECK(parse_time("0:00") == 0.0);
  for (const char* bad : {"", "-1", "-0:30", "abc", "1:2:3:4", "1:", ":30", "1.5:30", "1:60", "1:75:00", "1e3", "nan",
                          "inf", " 5", "5 ", "+5", "1..2", ".", "1:30x"}) {
    CAPTURE(bad);
    const std::string msg = error_of([&] { parse_time(bad); });
    CHECK(msg == std::string("bad time '") + bad + "': use seconds or mm:ss");
  }
}
