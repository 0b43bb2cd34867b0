// compare_json (report/json.hpp), parsed with nlohmann-json: each run's
// result, the policies' summaries as the aggregation has them, the period.
#include <doctest/doctest.h>

#include <cstdint>
#include <nlohmann/json.hpp>

#include "fixtures/made_runs.hpp"
#include "fixtures/sample_report.hpp"
#include "player/report/json.hpp"

namespace pp = pingpong::player;
using namespace pingpong::lab_test;
using nlohmann::json;

TEST_CASE("compare JSON: every run's result; the interrupted one marked and left out of the summary") {
  const pp::compare_report r = report_with_an_interrupted_run();
  const json d = json::parse(pp::compare_json(r));
  REQUIRE(d["runs"].size() == 4);
  CHECK(d["runs"][0]["result"] == "clean");
  CHECK(d["runs"][1]["result"] == "glitched");
  CHECK(d["runs"][2]["result"] == "interrupted");
  CHECK(d["runs"][2]["interrupted"] == true);
  CHECK(d["runs"][2]["repeat"] == 1);
  CHECK(d["runs"][2]["callbacks"] == 364);
  CHECK(d["interrupted"] == true);
  const json& lockfree = d["summary"]["none"]["policies"][0];
  CHECK(lockfree["handoff"] == "lockfree");
  CHECK(lockfree["runs"] == 2);
  CHECK(lockfree["counted"] == 1);
  CHECK(lockfree["clean"] == 1);
  CHECK(lockfree["glitched"] == 0);
  CHECK(lockfree["failed"] == 0);
  CHECK(lockfree["interrupted"] == 1);
  CHECK(lockfree["underruns"]["events"] == 0);
  CHECK(d["summary"]["none"]["verdict"] == r.summary[0].verdict);
}

TEST_CASE("compare JSON: the median of an even count, unmeasured figures null") {
  const json d = json::parse(pp::compare_json(report_with_an_interrupted_run()));
  const json& mutex = d["summary"]["none"]["policies"][1];
  CHECK(mutex["callback_us"] == json{{"p50", 15.0}, {"p99", 30.0}, {"p999", 45.0}, {"max", 80.0}});
  CHECK(mutex["underruns"] == json{{"events", 3}, {"frames", 192}, {"events_min", 0}, {"events_max", 3}});
  CHECK(mutex["syscalls_per_callback"].is_null());
  CHECK(d["runs"][0]["syscalls_per_callback"].is_null());  // -1: not measurable
}

TEST_CASE("compare JSON: the period the device ran at, and what was asked for") {
  const json d = json::parse(pp::compare_json(report_on_a_jack_server()));
  CHECK(d["device"]["period_frames"] == 256);
  CHECK(d["requested_period_frames"] == 64);
  CHECK(d["half_frames"] == 1024);
  CHECK(d["period_note"].get<std::string>().find("jack_bufsize N") != std::string::npos);
  for (const auto& run : d["runs"]) {
    CHECK(run["period_frames"] == 256);
    CHECK(run["half_frames"] == 1024);
  }
  for (const auto& p : d["summary"]["none"]["policies"]) CHECK(p["period_frames"] == 256);
}

TEST_CASE("compare JSON: hostile values still make valid JSON") {
  const std::string text = pp::compare_json(pingpong::html_test::make_hostile_report());
  const json d = json::parse(text);                       // throws on invalid JSON or invalid UTF-8
  CHECK(text.find("\xEF\xBF\xBD") != std::string::npos);  // invalid bytes became U+FFFD
  CHECK(d["runs"].size() > 0);
  bool saturated = false;
  for (const auto& [load, s] : d["summary"].items())
    for (const auto& p : s["policies"]) saturated = saturated || p["underruns"]["events"] == UINT64_MAX;
  CHECK(saturated);
}
