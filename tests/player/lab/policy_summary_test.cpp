// summarize_policies (lab/policy_summary.hpp): the one aggregation. Failed and
// interrupted runs are listed but left out of every figure; medians of an even
// count are the mean of the middle two; bins merge per bucket; the worst
// repeat is the counted one with the most glitches.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "fixtures/made_runs.hpp"
#include "player/lab/policy_summary.hpp"

namespace pp = pingpong::player;
using namespace pingpong::lab_test;

TEST_CASE("policy_summary: an interrupted run is listed but left out of the figures") {
  const pp::compare_report r = report_with_an_interrupted_run();
  const std::vector<pp::policy_summary> policies = pp::summarize_policies(r);
  REQUIRE(policies.size() == 2);
  const pp::policy_summary& lockfree = policies[0];
  CHECK(lockfree.handoff == "lockfree");
  CHECK(lockfree.runs.size() == 2);
  CHECK(lockfree.counted == 1);
  CHECK(lockfree.interrupted == 1);
  CHECK(lockfree.underruns == 0);           // the interrupted run's 5 are not summed
  CHECK(lockfree.callback_p50_us == 10.0);  // nor its p50 in the median
  CHECK(lockfree.all_clean());
  CHECK(lockfree.worst == &r.runs[0]);
  CHECK(pp::result_of(r.runs[2]) == pp::run_result::interrupted);
  CHECK(pp::to_string(pp::result_of(r.runs[2])) == "interrupted");
}

TEST_CASE("policy_summary: sums, spread, the median of an even count, the device's period") {
  // mutex/poll's p50s are 10 and 20 µs: the median is 15.
  const pp::compare_report r = report_with_an_interrupted_run();
  const pp::policy_summary mutex = pp::summarize_policies(r)[1];
  CHECK(mutex.counted == 2);
  CHECK(mutex.glitched == 1);
  CHECK(mutex.underruns == 3);
  CHECK(mutex.underrun_frames == 3 * 64);
  CHECK(mutex.underruns_min == 0);
  CHECK(mutex.underruns_max == 3);
  CHECK(mutex.callback_p50_us == 15.0);
  CHECK(mutex.callback_p99_us == 30.0);
  CHECK(mutex.callback_max_us == 80.0);
  CHECK(mutex.blocked_max_us == 0.5);
  CHECK(std::isnan(mutex.syscalls_per_callback));  // never measured (-1)
  CHECK(mutex.period_frames == 64);
  CHECK(mutex.worst == &r.runs[1]);  // 3 underruns
  CHECK_FALSE(mutex.all_clean());
}

TEST_CASE("policy_summary: failed runs, loads in first-seen order, saturating sums") {
  pp::compare_report r;
  pp::compare_run a = made_run("lockfree", 0, std::numeric_limits<std::uint64_t>::max(), 10.0);
  a.load = "stall";
  pp::compare_run b = made_run("lockfree", 1, 7, 10.0);
  b.load = "stall";
  pp::compare_run c = made_run("mutex", 0, 0, 10.0);
  c.report.error = "device lost";
  r.runs = {a, c, b};
  const auto policies = pp::summarize_policies(r);
  REQUIRE(policies.size() == 2);
  CHECK((pp::loads_of(policies) == std::vector<std::string>{"stall", "none"}));
  CHECK(policies[0].underruns == std::numeric_limits<std::uint64_t>::max());
  CHECK(policies[0].runs[0]->repeat == 0);
  CHECK(policies[1].failed == 1);
  CHECK(policies[1].counted == 0);
  CHECK(policies[1].worst == nullptr);
  CHECK(std::isnan(policies[1].callback_p50_us));  // no figure, rather than zero
  CHECK(pp::result_of(r.runs[1]) == pp::run_result::failed);
  CHECK(pp::to_string(pp::run_result::failed) == "error");
}

TEST_CASE("policy_summary: the counted runs' callback bins merge per bucket") {
  pp::compare_report r = report_with_an_interrupted_run();
  r.runs[0].report.callback_us.bins = {{8.0, 9.0, 3}, {16.0, 18.0, 1}};
  r.runs[2].report.callback_us.bins = {{8.0, 9.0, 100}};  // interrupted: not merged
  r.runs[1].report.callback_us.bins = {{8.0, 9.0, 2}, {1.0, 2.0, 0}};
  r.runs[3].report.callback_us.bins = {{std::nan(""), 1.0, 5}, {0.0, 0.064, 4}};
  const auto policies = pp::summarize_policies(r);
  const auto& lockfree = policies[0].callback_bins;
  REQUIRE(lockfree.size() == 2);
  CHECK(lockfree[0].count == 3);
  CHECK(lockfree[1].lower_us == 16.0);
  CHECK(policies[0].callback_bins_total == 4);
  const auto& mutex = policies[1].callback_bins;  // empty and NaN bins left out; edges kept as recorded
  REQUIRE(mutex.size() == 2);
  CHECK(mutex[0].lower_us == 0.0);
  CHECK(mutex[0].count == 4);
  CHECK(mutex[1].count == 2);
  CHECK(policies[1].callback_bins_total == 6);
}
