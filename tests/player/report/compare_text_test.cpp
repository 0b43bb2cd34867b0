// compare_table (report/text.hpp): the policies' figures as the aggregation
// has them, the runs left out, the verdicts, the device's real period.
#include <doctest/doctest.h>

#include "fixtures/made_runs.hpp"
#include "player/lab/verdicts.hpp"
#include "player/report/text.hpp"

namespace pp = pingpong::player;
using namespace pingpong::lab_test;

TEST_CASE("compare table: an interrupted run is marked in its row and listed apart") {
  const pp::compare_report r = report_with_an_interrupted_run();
  const std::string table = pp::compare_table(r);
  INFO(table);
  CHECK(has(table, "1+1i"));
  CHECK(has(table, "left out of the figures and verdicts (runs column: +Ni interrupted, +Nf failed):"));
  CHECK(has(table, "none lockfree/poll repeat 1: interrupted after 364 of 1500 callbacks"));
  CHECK(has(table, "interrupted: 4 of 4 runs made") == false);
  CHECK(has(table, "verdicts:\n  " + r.summary[0].verdict));
}

TEST_CASE("compare table: the median of an even count, as the aggregation has it") {
  CHECK(has(pp::compare_table(report_with_an_interrupted_run()), " 15.0/30.0/45.0/80.0 "));
}

TEST_CASE("compare table: the period the device ran at, and a JACK server's note") {
  const std::string table = pp::compare_table(report_on_a_jack_server());
  INFO(table);
  CHECK(has(table, "Hz, period 256, half 1024"));
  CHECK(has(table, "the JACK server's buffer size, 256 frames"));
  CHECK(has(table, "jack_bufsize N"));
}

TEST_CASE("compare table: a policy with no finished run shows dashes, not zeros") {
  pp::compare_report r = report_with_an_interrupted_run();
  r.runs[1].report.error = "device lost";
  r.runs[3].report.interrupted = true;
  r.planned_runs = 6;
  r.summary = pp::summarize_scenarios(r);
  const std::string table = pp::compare_table(r);
  INFO(table);
  CHECK(has(table, "mutex/poll         0+1i+1f "));
  CHECK(has(table, "none mutex/poll repeat 0: failed: device lost"));
  CHECK(has(table, "interrupted: 4 of 6 runs made"));
  CHECK(has(table, "\xE2\x80\x94"));
}
