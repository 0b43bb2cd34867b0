// The timeline of one run (charts.hpp): buffer fill and glitch ticks.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "player/lab/figures.hpp"
#include "player/report/chart.hpp"
#include "player/report/charts.hpp"
#include "player/report/figure_text.hpp"

namespace pingpong::player::svg {
namespace {

constexpr double band_top = 6, band_h = 13;
constexpr double top = 58, bottom = 174;
constexpr double plot_h = bottom - top;
constexpr std::size_t max_line_points = 600;  // per chart

const std::vector<timeline_point>& timeline_of(const compare_run& r) {
  return r.timeline.empty() ? r.report.timeline : r.timeline;
}

/// The plot's mapping: x the run's time span, y fill 0..1.
struct time_axes {
  double t_min = 0, t_max = 0;
  double x(double t) const { return left + plot_w * (std::clamp(t, t_min, t_max) - t_min) / (t_max - t_min); }
  static double y(double fill) { return bottom - plot_h * std::clamp(fill, 0.0, 1.0); }
};

/// The time span of the finite samples (from 0 at the latest), kept
/// drawable however absurd the clock; false when there is no sample.
bool time_span(const std::vector<timeline_point>& tl, time_axes& a) {
  bool any = false;
  for (const auto& p : tl)
    if (std::isfinite(p.t_s)) {
      a.t_min = any ? std::min(a.t_min, p.t_s) : std::min(0.0, p.t_s);
      a.t_max = any ? std::max(a.t_max, p.t_s) : p.t_s;
      any = true;
    }
  if (!any) return false;
  if (a.t_max - a.t_min > 1e9) a.t_min = a.t_max - 1e9;  // absurd clocks: keep the end in view
  if (!(a.t_max > a.t_min)) a.t_min = a.t_max - 1;
  if (!(a.t_max > a.t_min)) {  // beyond double's resolution: give up on time
    a.t_min = 0;
    a.t_max = 1;
  }
  return true;
}

/// A 1-2-5 step giving at most `max_ticks` ticks over `range`.
double nice_step(double range, int max_ticks) {
  if (!(range > 0) || !std::isfinite(range)) return 1.0;
  const double raw = range / max_ticks;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double m : {1.0, 2.0, 5.0, 10.0})
    if (m * mag >= raw) return m * mag;
  return 10 * mag;
}

/// Seconds on x (grid lines through the glitch bands), fill on y.
void draw_ticks(chart& c, const time_axes& a) {
  std::vector<tick> xs;
  const double step = nice_step(a.t_max - a.t_min, 8);
  const double k0 = std::ceil(a.t_min / step - 1e-9), k1 = std::floor(a.t_max / step + 1e-9);
  for (int k = 0; k0 + k <= k1 && k <= 20; ++k) {
    const double t = (k0 + k) * step;
    xs.push_back({a.x(t), figure_text::printf1("%g", std::fabs(t) < step * 1e-6 ? 0.0 : t)});
  }
  c.x_ticks(xs, band_top);
  std::vector<tick> ys;
  for (const int pct : {0, 25, 50, 75, 100})
    ys.push_back({time_axes::y(pct / 100.0), pct % 50 == 0 ? std::to_string(pct) + "%" : "",
                  pct % 50 == 0 ? "grid" : "grid-light", 0});
  c.y_ticks(ys);
}

/// Where a cumulative counter rose: one mark per pixel column, with how much.
struct glitch_mark {
  int x;
  double t;
  std::uint64_t n;
};

struct glitch_band {
  const char* name;
  const char* cls;
  std::uint64_t timeline_point::*field;
};
constexpr glitch_band bands[] = {{"underrun", "t-underrun", &timeline_point::underruns},
                                 {"miss", "t-miss", &timeline_point::deadline_misses},
                                 {"xrun", "t-xrun", &timeline_point::device_xruns}};

std::vector<glitch_mark> marks_of(const glitch_band& b, const std::vector<timeline_point>& tl, const time_axes& a) {
  std::vector<glitch_mark> marks;
  std::uint64_t prev = 0;
  for (const auto& p : tl) {
    if (!std::isfinite(p.t_s)) continue;
    const std::uint64_t cur = p.*b.field;
    if (cur > prev) {
      const int x = int(std::lround(a.x(p.t_s)));
      if (!marks.empty() && marks.back().x == x)
        marks.back().n = figures::sat_add(marks.back().n, cur - prev);
      else
        marks.push_back({x, p.t_s, cur - prev});
    }
    prev = cur;
  }
  return marks;
}

/// A band per counter above the plot; underruns also as faint lines down through the fill.
void draw_bands(chart& c, const std::vector<timeline_point>& tl, const time_axes& a) {
  double y = band_top;
  for (const glitch_band& b : bands) {
    const std::vector<glitch_mark> marks = marks_of(b, tl, a);  // before the band: x snapped as drawn
    c.svg()
        .add("rect")
        .attr("x", coord(left))
        .attr("y", coord(y))
        .attr("width", coord(plot_w))
        .attr("height", coord(band_h - 2))
        .set_class("band");
    c.text(left - 6, y + band_h - 4, "end", "band-label", b.name);
    for (const glitch_mark& m : marks) {
      c.line(m.x, y, m.x, y + band_h - 2, b.cls)
          .add("title")
          .text("t " + figure_text::printf1("%.2f", m.t) + " s: +" + std::to_string(m.n) + " " + b.name);
      if (b.field == &timeline_point::underruns) c.line(m.x, top, m.x, bottom, "t-underrun-faint");
    }
    y += band_h;
  }
}

/// The finite fill samples: every one, or a min/max envelope of at most max_line_points.
std::vector<std::pair<double, double>> fill_points(const std::vector<timeline_point>& tl) {
  std::vector<std::pair<double, double>> pts;
  for (const auto& p : tl)
    if (std::isfinite(p.t_s) && std::isfinite(p.fill)) pts.emplace_back(p.t_s, p.fill);
  if (pts.size() <= max_line_points) return pts;
  const std::size_t buckets = max_line_points / 2;
  std::vector<std::pair<double, double>> env;
  for (std::size_t b = 0; b < buckets; ++b) {
    const std::size_t begin = b * pts.size() / buckets, end = (b + 1) * pts.size() / buckets;
    if (begin >= end) continue;
    std::size_t lo = begin, hi = begin;
    for (std::size_t i = begin; i < end; ++i) {
      if (pts[i].second < pts[lo].second) lo = i;
      if (pts[i].second > pts[hi].second) hi = i;
    }
    env.push_back(pts[std::min(lo, hi)]);
    if (lo != hi) env.push_back(pts[std::max(lo, hi)]);
  }
  return env;
}

void draw_fill(chart& c, const std::vector<timeline_point>& tl, const time_axes& a) {
  const auto pts = fill_points(tl);
  if (pts.empty()) {
    c.text(left + plot_w / 2, (top + bottom) / 2, "middle", "empty", "no fill samples");
    return;
  }
  std::string points;
  for (std::size_t i = 0; i < pts.size(); ++i) {
    if (i) points += ' ';
    points += coord(a.x(pts[i].first)) + "," + coord(time_axes::y(pts[i].second));
  }
  c.svg().add("polyline").set_class("fill-line").attr("points", points);
}

}  // namespace

markup::element fill_timeline(const compare_run& run, const std::string& label) {
  chart c(label, top, bottom);
  const auto& tl = timeline_of(run);
  time_axes axes;
  if (!time_span(tl, axes)) {
    c.empty("no timeline samples recorded", band_top);
    return std::move(c).take();
  }
  draw_ticks(c, axes);
  draw_bands(c, tl, axes);
  draw_fill(c, tl, axes);
  c.axes("time since device start (s)", "buffer fill (%)");
  return std::move(c).take();
}

}  // namespace pingpong::player::svg
