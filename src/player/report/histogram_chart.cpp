// The callback-duration histogram of one policy (charts.hpp).
#include <algorithm>
#include <cmath>
#include <vector>

#include "player/lab/figures.hpp"
#include "player/report/chart.hpp"
#include "player/report/charts.hpp"
#include "player/report/figure_text.hpp"

namespace pingpong::player::svg {
namespace {

constexpr double top = 24, bottom = 174;
constexpr double plot_h = bottom - top;

/// The merged bins with edges fit for a log axis: the underflow bucket
/// [0, 64 ns) drawn one octave wide, a degenerate bin a sliver.
std::vector<latency_histogram::bin> drawn_bins(const policy_summary& p) {
  std::vector<latency_histogram::bin> out;
  for (latency_histogram::bin b : p.callback_bins) {
    if (b.lower_us <= 0) b.lower_us = b.upper_us / 2;
    if (b.lower_us >= b.upper_us) b.lower_us = b.upper_us / 1.1;
    out.push_back(b);
  }
  return out;
}

bool has_period(const policy_summary& p) {
  return std::isfinite(p.period_us) && p.period_us > 0;
}

/// The plot's mapping: x log µs over the scale's decades, y log count from
/// 0.5 (so a single callback still shows) to a whole decade.
struct histogram_axes {
  const histogram_scale& s;
  double x(double us) const {
    const double l = us > 0 ? std::log10(us) : s.d0;
    return left + plot_w * (std::clamp(l, s.d0, s.d1) - s.d0) / (s.d1 - s.d0);
  }
  double y(double n) const {
    const double y0 = std::log10(0.5);
    return bottom - plot_h * (std::log10(std::max(n, 0.5)) - y0) / (s.y1 - y0);
  }
};

/// Decades on x (labelled every other one past 8, minor ticks up to 8), counts on y.
void draw_ticks(chart& c, const histogram_axes& a) {
  std::vector<tick> xs;
  const int decades = int(a.s.d1 - a.s.d0);
  const int x_label_every = decades > 8 ? 2 : 1;
  for (int d = 0; d <= decades; ++d) {
    const double v = std::pow(10.0, a.s.d0 + d);
    xs.push_back({a.x(v), d % x_label_every == 0 ? figure_text::duration(v) : ""});
    if (d < decades && decades <= 8)
      for (int m = 2; m <= 9; ++m) xs.push_back({a.x(v * m), "", "", 2});
  }
  c.x_ticks(xs, top);
  std::vector<tick> ys;
  const int y_decades = int(a.s.y1);
  const int y_label_every = std::max(1, (y_decades + 5) / 6);
  for (int d = 0; d <= y_decades; d += y_label_every) {
    const double v = std::pow(10.0, d);
    ys.push_back({a.y(v), figure_text::short_count(v), "grid", 0});
  }
  c.y_ticks(ys);
}

/// Bars: blue within the period, red for callbacks longer than it. Returns
/// the callbacks in red.
std::uint64_t draw_bars(chart& c, const histogram_axes& a, const std::vector<latency_histogram::bin>& bins,
                        double period) {
  std::uint64_t over = 0;
  for (const auto& b : bins) {
    const double x0 = a.x(b.lower_us), x1 = a.x(b.upper_us);
    const double y = a.y(double(b.count));
    const bool late = period > 0 && b.lower_us >= period;
    if (late) over = figures::sat_add(over, b.count);
    c.svg()
        .add("rect")
        .attr("x", coord(x0))
        .attr("y", coord(y))
        .attr("width", coord(std::max(x1 - x0 - 0.6, 1.0)))
        .attr("height", coord(std::max(bottom - y, 0.0)))
        .set_class(late ? "bar-late" : "bar")
        .add("title")
        .text(figure_text::duration(b.lower_us) + " \xE2\x80\x93 " + figure_text::duration(b.upper_us) + ": " +
              std::to_string(b.count) + " callbacks");
  }
  return over;
}

/// The period as a dashed line, labelled on the side with room.
void draw_period(chart& c, const histogram_axes& a, double period, std::uint64_t over) {
  const double x = a.x(period);
  c.line(x, top - 8, x, bottom, "period");
  std::string label = "period " + figure_text::duration(period);
  if (over > 0) label += " (" + std::to_string(over) + " longer)";
  if (x > left + plot_w - 170)
    c.text(x - 5, top - 2, "end", "period-label", label);
  else
    c.text(x + 5, top - 2, "start", "period-label", label);
}

}  // namespace

void histogram_scale::widen(const policy_summary& policy) {
  const std::vector<latency_histogram::bin> bins = drawn_bins(policy);
  if (bins.empty()) return;
  double lo = bins.front().lower_us, hi = bins.front().upper_us;
  std::uint64_t most = 1;
  for (const auto& b : bins) {
    lo = std::min(lo, b.lower_us);
    hi = std::max(hi, b.upper_us);
    most = std::max(most, b.count);
  }
  if (has_period(policy)) {
    lo = std::min(lo, policy.period_us);
    hi = std::max(hi, policy.period_us * 1.2);
  }
  // Whole decades covering the bins and the period, within 1 ns .. ~11 days.
  const double lo_decade = std::clamp(std::floor(std::log10(lo)), -3.0, 11.0);
  const double hi_decade = std::clamp(std::ceil(std::log10(hi)), lo_decade + 1, 12.0);
  const double count_decades = std::max(1.0, std::ceil(std::log10(double(most)) - 1e-9));
  d0 = any ? std::min(d0, lo_decade) : lo_decade;
  d1 = any ? std::max(d1, hi_decade) : hi_decade;
  y1 = any ? std::max(y1, count_decades) : count_decades;
  any = true;
}

markup::element callback_histogram(const policy_summary& p, const histogram_scale& scale) {
  chart c("callback durations, " + p.load + ", " + p.handoff + " / " + p.wake, top, bottom);
  const std::vector<latency_histogram::bin> bins = drawn_bins(p);
  if (bins.empty()) {
    c.empty("no callback durations recorded", top);
    if (has_period(p))
      c.text(left + plot_w / 2, bottom + 20, "middle", "muted", "period " + figure_text::duration(p.period_us));
    return std::move(c).take();
  }
  const histogram_axes axes{scale};
  draw_ticks(c, axes);
  const std::uint64_t over = draw_bars(c, axes, bins, has_period(p) ? p.period_us : 0.0);
  if (has_period(p))
    draw_period(c, axes, p.period_us, over);
  else
    c.text(left + plot_w, top - 8, "end", "muted", "period unknown");
  c.axes("callback duration (log scale)", "callbacks (log)");
  return std::move(c).take();
}

}  // namespace pingpong::player::svg
