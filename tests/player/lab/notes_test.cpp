// The sentences every lab report shares (lab/notes.hpp).
#include <doctest/doctest.h>

#include "fixtures/made_runs.hpp"
#include "player/lab/notes.hpp"

namespace pp = pingpong::player;
using namespace pingpong::lab_test;

TEST_CASE("left_out_reason: interrupted after N of M callbacks, failed with its error, counted: nothing") {
  pp::compare_report r = report_with_an_interrupted_run();
  CHECK(pp::left_out_reason(r, r.runs[2]) == "interrupted after 364 of 1500 callbacks");
  CHECK(pp::left_out_reason(r, r.runs[0]).empty());
  r.runs[1].report.error = "device lost";
  CHECK(pp::left_out_reason(r, r.runs[1]) == "failed: device lost");
  r.duration_s = 0;  // a full run's length unknown: no "of M"
  CHECK(pp::left_out_reason(r, r.runs[2]) == "interrupted after 364 callbacks");
}

TEST_CASE("period_note: a JACK server's period is its own; a device that honours the period needs no note") {
  CHECK(pp::period_note({"sim", "sim", 48000, 2, 64, 0.0, false, ""}, 64).empty());
  CHECK(pp::period_note({"sim", "sim", 48000, 2, 0, 0.0, false, ""}, 64).empty());
  CHECK(has(pp::period_note({"hw", "ALSA", 48000, 2, 96, 0.0, false, ""}, 64),
            "a period of 96 frames, not the 64 asked for"));
  const std::string jack = pp::period_note({"system", "JACK Audio Connection Kit", 48000, 2, 256, 0.0, false, ""}, 256);
  CHECK(has(jack, "the JACK server's buffer size, 256 frames"));
  CHECK(has(jack, "jack_bufsize N"));
}
