// The charts (report/chart.hpp, charts.hpp): one frame for both kinds, the
// histograms of a load on one scale, data mapped inside the plot.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "fixtures/made_runs.hpp"
#include "player/lab/policy_summary.hpp"
#include "player/report/chart.hpp"
#include "player/report/charts.hpp"

namespace pp = pingpong::player;
namespace svg = pingpong::player::svg;
using namespace pingpong::lab_test;

namespace {
std::size_t count_of(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto pos = s.find(what); pos != std::string::npos; pos = s.find(what, pos + what.size())) ++n;
  return n;
}
}  // namespace

TEST_CASE("chart: grid, ticks and labels as asked; axes and titles; coordinates clamped") {
  svg::chart c("a <label>", 24, 174);
  c.x_ticks({{100, "1 ms"}, {150, "", "", 2}}, 24);
  c.y_ticks({{50, "10", "grid", 0}, {80, "", "grid-light", 0}});
  c.axes("x title", "y title");
  const std::string s = c.str();
  INFO(s);
  CHECK(s.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 640 220\"", 0) == 0);
  CHECK(has(s, "aria-label=\"a &lt;label&gt;\"><title>a &lt;label&gt;</title>"));
  CHECK(has(s, "<line x1=\"100.0\" y1=\"24.0\" x2=\"100.0\" y2=\"174.0\" class=\"grid\"/>"));
  CHECK(has(s, "<line x1=\"100.0\" y1=\"174.0\" x2=\"100.0\" y2=\"178.0\" class=\"tick\"/>"));
  CHECK(has(s, "<text x=\"100.0\" y=\"190.0\" text-anchor=\"middle\">1 ms</text>"));
  CHECK(has(s, "<line x1=\"150.0\" y1=\"174.0\" x2=\"150.0\" y2=\"176.0\" class=\"tick\"/>"));  // minor: no grid
  CHECK(count_of(s, "class=\"grid\"") == 2);
  CHECK(has(s, "class=\"grid-light\""));
  CHECK(has(s, "<text x=\"58.0\" y=\"54.0\" text-anchor=\"end\">10</text>"));
  CHECK(count_of(s, "class=\"axis\"") == 2);
  CHECK(has(s, "transform=\"rotate(-90 16.0 99.0)\">y title</text>"));
  CHECK(svg::coord(std::nan("")) == "0.0");
  CHECK(svg::coord(1e300) == "100000.0");
}

TEST_CASE("charts: the histograms of a load share one scale; the period and longer callbacks are marked") {
  pp::compare_report r = report_with_an_interrupted_run();
  for (auto& run : r.runs) run.report.callback_us.bins = {{8.0, 9.0, 3}};
  r.runs[1].report.callback_us.bins.push_back({1600.0, 1800.0, 2});  // mutex: longer than the 1333 µs period
  const auto policies = pp::summarize_policies(r);
  svg::histogram_scale scale;
  for (const auto& p : policies) scale.widen(p);
  CHECK(scale.any);
  CHECK(scale.d0 == 0.0);  // 8 µs: from 1 µs
  CHECK(scale.d1 == 4.0);  // 1800 µs and 1.2 × the period: to 10 ms
  const std::string lockfree = svg::callback_histogram(policies[0], scale).str();
  const std::string mutex = svg::callback_histogram(policies[1], scale).str();
  CHECK(has(lockfree, "class=\"period\""));
  CHECK_FALSE(has(lockfree, "bar-late"));
  CHECK(has(mutex, "class=\"bar-late\""));
  CHECK(has(mutex, "(2 longer)"));
  CHECK(count_of(lockfree, "class=\"grid\"") == count_of(mutex, "class=\"grid\""));  // the same axes
}

TEST_CASE("charts: a timeline's glitch ticks and fill line; an empty one says so") {
  pp::compare_run run = made_run("mutex", 0, 3, 10.0);
  run.timeline = {{0.0, 0.5, 0, 0, 0}, {0.5, 0.2, 2, 0, 0}, {1.0, 0.9, 3, 1, 0}};
  const std::string s = svg::fill_timeline(run, "timeline").str();
  INFO(s);
  CHECK(count_of(s, "class=\"t-underrun\"") == 2);
  CHECK(count_of(s, "class=\"t-underrun-faint\"") == 2);
  CHECK(count_of(s, "class=\"t-miss\"") == 1);
  CHECK(has(s, "s: +2 underrun</title>"));
  CHECK(has(s, "<polyline class=\"fill-line\" points=\""));
  CHECK(has(svg::fill_timeline(made_run("lockfree", 0, 0, 10.0), "empty").str(), "no timeline samples recorded"));
}
