// summarize_scenarios (lab/verdicts.hpp): a verdict per load that follows
// from the policy summaries, and where each policy stalls.
#include <doctest/doctest.h>

#include "fixtures/made_runs.hpp"
#include "player/lab/verdicts.hpp"

namespace pp = pingpong::player;
using namespace pingpong::lab_test;

TEST_CASE("verdicts: glitched and clean policies, the runs left out") {
  const pp::compare_report r = report_with_an_interrupted_run();
  REQUIRE(r.summary.size() == 1);
  CHECK(r.summary[0].load == "none");
  const std::string& verdict = r.summary[0].verdict;
  INFO(verdict);
  CHECK(has(verdict, "load none: mutex/poll glitched in 1/2 runs (3 underruns, 192 silent frames, 0 deadline misses)"));
  CHECK(has(verdict, "no underrun or deadline miss: lockfree/poll"));
  CHECK(has(verdict, "Left out of these figures: lockfree/poll 1 interrupted run"));
  CHECK(has(r.summary[0].where_it_stalls, "none: the baseline"));
}

TEST_CASE("verdicts: the longest RT-side wait against lockfree's, and device xruns apart") {
  pp::compare_report r = report_with_an_interrupted_run();
  r.runs[1].blocked_us_max = 2500.0;  // mutex, repeat 0
  r.runs[3].report.device_xruns = 2;
  const auto verdicts = pp::summarize_scenarios(r);
  REQUIRE(verdicts.size() == 1);
  INFO(verdicts[0].verdict);
  CHECK(has(verdicts[0].verdict, "Longest RT-side wait: mutex/poll 2500.0 µs vs lockfree 0.50 µs (5000×)"));
  CHECK(has(verdicts[0].verdict, "Device xruns: 2 over 3 runs (host-reported"));
}

TEST_CASE("verdicts: a load where no run finished says so") {
  pp::compare_report r;
  r.runs.push_back(made_run("mutex", 0, 0, 10.0));
  r.runs.back().report.error = "device lost";
  r.runs.back().load = "stall";
  const auto verdicts = pp::summarize_scenarios(r);
  REQUIRE(verdicts.size() == 1);
  CHECK(has(verdicts[0].verdict, "load stall: no run finished"));
  CHECK(has(verdicts[0].verdict, "Left out of these figures: mutex/poll 1 failed run"));
  CHECK(has(verdicts[0].where_it_stalls, "the producer stalls while holding the handoff lock"));
}
