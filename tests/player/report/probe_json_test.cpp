// probe_json (report/json.hpp), parsed with nlohmann-json.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "player/report/json.hpp"

namespace pp = pingpong::player;
using nlohmann::json;

namespace {

pp::probe_report sweep() {
  pp::probe_report r;
  r.device = {"sim", "sim", 48000, 2, 64, 0.0, false, ""};
  r.handoff = "lockfree";
  r.wake = "poll";
  r.load = "none";
  for (std::size_t half : {64u, 128u}) {
    pp::probe_step s;
    s.period_frames = s.requested_period_frames = 64;
    s.half_frames = half;
    s.period_us = 1e6 * 64 / 48000.0;
    s.latency_ms = 1000.0 * double(64 + half) / 48000.0;
    s.worst_callback_us = 100.0 / 3.0;
    s.clean = half == 128;
    s.stopped_early = !s.clean;
    s.underruns = s.clean ? 0 : 4;
    r.steps.push_back(s);
  }
  r.best = 1;
  return r;
}

}  // namespace

TEST_CASE("probe JSON: every step, the best one with its margin") {
  const json d = json::parse(pp::probe_json(sweep(), "1.2.3"));
  CHECK(d["version"] == "1.2.3");
  CHECK(d["device"]["period_frames"] == 64);
  CHECK(d["period_fixed"] == false);
  CHECK(d["interrupted"] == false);
  REQUIRE(d["steps"].size() == 2);
  CHECK(d["steps"][0]["stopped_early"] == true);
  CHECK(d["steps"][0]["underruns"] == 4);
  CHECK(d["steps"][1]["clean"] == true);
  CHECK(d["steps"][1]["worst_callback_us"] == 33.3333);
  CHECK(d["best"]["half_frames"] == 128);
  CHECK(d["best"]["latency_ms"] == 4.0);
  CHECK(d["best"]["margin"] == 0.975);
}

TEST_CASE("probe JSON: no clean configuration is a null best") {
  pp::probe_report r = sweep();
  r.best = -1;
  r.period_fixed = true;
  r.period_note = "the JACK server's";
  r.interrupted = true;
  const json d = json::parse(pp::probe_json(r, "1.2.3"));
  CHECK(d["best"].is_null());
  CHECK(d["period_fixed"] == true);
  CHECK(d["period_note"] == "the JACK server's");
  CHECK(d["interrupted"] == true);
}
