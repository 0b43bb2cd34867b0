// The self-contained HTML report of `pingpong compare`: inline CSS, inline SVG
// charts drawn here, no scripts, no fonts, no network. The whole document is
// also well-formed XML (every element closed, only numeric entities), so the
// SVG fragments can be checked with any XML parser.
//
//   header        version, date, machine, command, input, device, sizes
//   summary       one row per load × handoff × wake, aggregated over repeats
//   verdicts      scenario_summary: verdict and where each policy stalls
//   per load      per policy: callback-duration histogram (bins merged over
//                 repeats, period marked) and the timeline of the worst repeat
//   legend        what the words mean
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "player/lab/notes.hpp"
#include "player/lab/policy_summary.hpp"
#include "player/report/html.hpp"

namespace pingpong::player {
namespace {

constexpr std::uint64_t u64_max = std::numeric_limits<std::uint64_t>::max();
constexpr std::size_t max_line_points = 600;  // per chart

// ---- text -------------------------------------------------------------------

constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD

/// Escapes for HTML/XML text and attribute values. Invalid UTF-8, control
/// characters and the XML-excluded code points become U+FFFD, so whatever a
/// file name holds, the output stays well-formed.
std::string esc(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '&':
          out += "&amp;";
          break;
        case '<':
          out += "&lt;";
          break;
        case '>':
          out += "&gt;";
          break;
        case '"':
          out += "&quot;";
          break;
        case '\'':
          out += "&#39;";
          break;
        case '\t':
        case '\n':
          out += static_cast<char>(c);
          break;
        default:
          if (c < 0x20 || c == 0x7f)
            out += replacement;
          else
            out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07u;
    }
    bool ok = len > 0 && i + len <= s.size();
    for (std::size_t k = 1; ok && k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0u) != 0x80u)
        ok = false;
      else
        cp = (cp << 6) | (cc & 0x3Fu);
    }
    if (ok && ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
               (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF))
      ok = false;
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += replacement;
      ++i;
    }
  }
  return out;
}

std::string esc_or_dash(std::string_view s) {
  return s.empty() ? std::string("\xE2\x80\x94") : esc(s);
}

std::string printf1(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

bool usable(double v) {
  return std::isfinite(v) && v >= 0.0;
}

/// A duration in µs for the tables: "n/a" for unmeasured (negative, NaN).
std::string us_text(double v) {
  if (!usable(v)) return "n/a";
  if (v < 10) return printf1("%.2f", v);
  if (v < 100) return printf1("%.1f", v);
  if (v < 1e7) return printf1("%.0f", v);
  return printf1("%.3g", v);
}

/// A duration in µs for labels, in a fitting unit: "40 µs", "5.33 ms", "2.5 s".
std::string duration_text(double us) {
  if (!std::isfinite(us)) return "n/a";
  const double a = std::fabs(us);
  if (a < 1000) return printf1("%.3g", us) + " \xC2\xB5s";
  if (a < 1e6) return printf1("%.3g", us / 1e3) + " ms";
  return printf1("%.3g", us / 1e6) + " s";
}

std::string count_text(std::uint64_t n) {
  return std::to_string(n);
}

/// Short counts for axis labels: 1, 10, 100, 1k, 10k, 1M, 1e+12.
std::string short_count(double v) {
  if (v < 1e3) return printf1("%.0f", v);
  if (v < 1e6) return printf1("%.0f", v / 1e3) + "k";
  if (v < 1e9) return printf1("%.0f", v / 1e6) + "M";
  return printf1("%.0e", v);
}

/// An SVG coordinate: one decimal, never NaN or absurd.
std::string px(double v) {
  if (!std::isfinite(v)) v = 0;
  v = std::clamp(v, -1e5, 1e5);
  return printf1("%.1f", v);
}

std::uint64_t sat_add(std::uint64_t a, std::uint64_t b) {
  return a > u64_max - b ? u64_max : a + b;
}

// ---- aggregation --------------------------------------------------------------

/// How a run's glitches rank it for "the worst repeat" (device xruns included:
/// the timeline shows them too).
std::uint64_t glitch_score(const compare_run& r) {
  return sat_add(sat_add(r.report.underrun_events, r.report.deadline_misses), r.report.device_xruns);
}

bool is_counted(const compare_run& r) {
  const run_result result = result_of(r);
  return result == run_result::clean || result == run_result::glitched;
}

const std::vector<timeline_point>& timeline_of(const compare_run& r) {
  return r.timeline.empty() ? r.report.timeline : r.timeline;
}

/// summarize_policies(), the aggregation the text table and the JSON show;
/// a policy's index is its anchor (#pN).
struct grouping {
  std::vector<std::string> loads;      // first-seen order
  std::vector<policy_summary> groups;  // by load, then first-seen policy order
};

grouping group_runs(const compare_report& report) {
  grouping out;
  out.groups = summarize_policies(report);
  for (const policy_summary& g : out.groups)
    if (std::find(out.loads.begin(), out.loads.end(), g.load) == out.loads.end()) out.loads.push_back(g.load);
  return out;
}

// ---- charts ---------------------------------------------------------------------

constexpr double chart_w = 640, chart_h = 220;
constexpr double left = 64, right = 28;
constexpr double plot_w = chart_w - left - right;

void svg_open(std::string& o, const std::string& label) {
  o += "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 640 220\" width=\"640\" height=\"220\" role=\"img\" "
       "aria-label=\"";
  o += esc(label);
  o += "\"><title>";
  o += esc(label);
  o += "</title>";
}

void line(std::string& o, double x1, double y1, double x2, double y2, std::string_view cls) {
  o += "<line x1=\"" + px(x1) + "\" y1=\"" + px(y1) + "\" x2=\"" + px(x2) + "\" y2=\"" + px(y2) + "\" class=\"";
  o += cls;
  o += "\"/>";
}

void text(std::string& o, double x, double y, std::string_view anchor, std::string_view cls, const std::string& s) {
  o += "<text x=\"" + px(x) + "\" y=\"" + px(y) + "\" text-anchor=\"";
  o += anchor;
  o += "\"";
  if (!cls.empty()) {
    o += " class=\"";
    o += cls;
    o += "\"";
  }
  o += ">" + esc(s) + "</text>";
}

void vertical_title(std::string& o, double x, double y, const std::string& s) {
  o += "<text x=\"" + px(x) + "\" y=\"" + px(y) +
       "\" text-anchor=\"middle\" class=\"axis-title\" transform=\"rotate(-90 " + px(x) + " " + px(y) + ")\">" +
       esc(s) + "</text>";
}

void empty_message(std::string& o, double top, double bottom, const std::string& s) {
  o += "<rect x=\"" + px(left) + "\" y=\"" + px(top) + "\" width=\"" + px(plot_w) + "\" height=\"" + px(bottom - top) +
       "\" class=\"frame\"/>";
  text(o, left + plot_w / 2, (top + bottom) / 2 + 4, "middle", "empty", s);
}

struct merged_bin {
  double lower, upper;
  std::uint64_t count;
};

/// Bins of every counted repeat, summed per bucket (all runs share the bucket edges).
std::vector<merged_bin> merge_bins(const policy_summary& g, std::uint64_t& total) {
  std::map<std::pair<double, double>, std::uint64_t> sum;
  for (const compare_run* r : g.runs) {
    if (!is_counted(*r)) continue;
    for (const auto& b : r->report.callback_us.bins) {
      if (b.count == 0 || !std::isfinite(b.lower_us) || !std::isfinite(b.upper_us) || b.upper_us <= 0) continue;
      auto& n = sum[{b.lower_us, b.upper_us}];
      n = sat_add(n, b.count);
    }
  }
  std::vector<merged_bin> out;
  total = 0;
  for (const auto& [edges, n] : sum) {
    double lo = edges.first, hi = edges.second;
    if (lo <= 0) lo = hi / 2;  // the underflow bucket [0, 64 ns): draw it one octave wide
    if (lo >= hi) lo = hi / 1.1;
    out.push_back({lo, hi, n});
    total = sat_add(total, n);
  }
  return out;
}

/// Callback durations: x log µs, y log count, the period as a dashed line.
/// Axes shared by the histograms of one load, so its policies compare at a glance.
struct histogram_scale {
  double d0 = 1, d1 = 4;  ///< x: log10 µs, whole decades
  double y1 = 1;          ///< y: log10 count, whole decades (from 0.5)
};

/// Whole decades covering the bins and the period, within 1 ns .. ~11 days.
void widen(histogram_scale& s, bool& any, const std::vector<merged_bin>& bins, double period) {
  if (bins.empty()) return;
  double lo = bins.front().lower, hi = bins.front().upper;
  std::uint64_t most = 1;
  for (const auto& b : bins) {
    lo = std::min(lo, b.lower);
    hi = std::max(hi, b.upper);
    most = std::max(most, b.count);
  }
  if (std::isfinite(period) && period > 0) {
    lo = std::min(lo, period);
    hi = std::max(hi, period * 1.2);
  }
  const double d0 = std::clamp(std::floor(std::log10(lo)), -3.0, 11.0);
  const double d1 = std::clamp(std::ceil(std::log10(hi)), d0 + 1, 12.0);
  const double y1 = std::max(1.0, std::ceil(std::log10(double(most)) - 1e-9));
  s.d0 = any ? std::min(s.d0, d0) : d0;
  s.d1 = any ? std::max(s.d1, d1) : d1;
  s.y1 = any ? std::max(s.y1, y1) : y1;
  any = true;
}

/// Callback durations: x log µs, y log count, the period as a dashed line.
std::string histogram_svg(const policy_summary& g, const std::vector<merged_bin>& bins, const histogram_scale& scale) {
  constexpr double top = 24, bottom = 174;
  constexpr double plot_h = bottom - top;
  std::string o;
  svg_open(o, "callback durations, " + g.load + ", " + g.handoff + " / " + g.wake);
  const double period = g.period_us;
  const bool has_period = std::isfinite(period) && period > 0;

  if (bins.empty()) {
    empty_message(o, top, bottom, "no callback durations recorded");
    if (has_period) text(o, left + plot_w / 2, bottom + 20, "middle", "muted", "period " + duration_text(period));
    o += "</svg>";
    return o;
  }

  const double d0 = scale.d0, d1 = scale.d1, y1 = scale.y1;
  auto X = [&](double us) {
    const double l = us > 0 ? std::log10(us) : d0;
    return left + plot_w * (std::clamp(l, d0, d1) - d0) / (d1 - d0);
  };
  // y: log count from 0.5 (so a single callback still shows) to a whole decade.
  const double y0 = std::log10(0.5);
  auto Y = [&](double n) { return bottom - plot_h * (std::log10(std::max(n, 0.5)) - y0) / (y1 - y0); };

  // grid and ticks
  const int decades = int(d1 - d0);
  const int x_label_every = decades > 8 ? 2 : 1;
  for (int d = 0; d <= decades; ++d) {
    const double v = std::pow(10.0, d0 + d);
    const double x = X(v);
    line(o, x, top, x, bottom, "grid");
    line(o, x, bottom, x, bottom + 4, "tick");
    if (d % x_label_every == 0) text(o, x, bottom + 16, "middle", "", duration_text(v));
    if (d < decades && decades <= 8)
      for (int m = 2; m <= 9; ++m) line(o, X(v * m), bottom, X(v * m), bottom + 2, "tick");
  }
  const int y_decades = int(y1);
  const int y_label_every = std::max(1, (y_decades + 5) / 6);
  for (int d = 0; d <= y_decades; d += y_label_every) {
    const double v = std::pow(10.0, d);
    line(o, left, Y(v), left + plot_w, Y(v), "grid");
    text(o, left - 6, Y(v) + 4, "end", "", short_count(v));
  }

  // bars: blue within the period, red for callbacks longer than it
  std::uint64_t over = 0;
  for (const auto& b : bins) {
    const double x0 = X(b.lower), x1 = X(b.upper);
    const double y = Y(double(b.count));
    const bool late = has_period && b.lower >= period;
    if (late) over = sat_add(over, b.count);
    o += "<rect x=\"" + px(x0) + "\" y=\"" + px(y) + "\" width=\"" + px(std::max(x1 - x0 - 0.6, 1.0)) + "\" height=\"" +
         px(std::max(bottom - y, 0.0)) + "\" class=\"" + (late ? "bar-late" : "bar") + "\"><title>" +
         esc(duration_text(b.lower) + " \xE2\x80\x93 " + duration_text(b.upper) + ": " + count_text(b.count) +
             " callbacks") +
         "</title></rect>";
  }

  // the period
  if (has_period) {
    const double x = X(period);
    line(o, x, top - 8, x, bottom, "period");
    std::string label = "period " + duration_text(period);
    if (over > 0) label += " (" + count_text(over) + " longer)";
    if (x > left + plot_w - 170)
      text(o, x - 5, top - 2, "end", "period-label", label);
    else
      text(o, x + 5, top - 2, "start", "period-label", label);
  } else {
    text(o, left + plot_w, top - 8, "end", "muted", "period unknown");
  }

  line(o, left, bottom, left + plot_w, bottom, "axis");
  line(o, left, top, left, bottom, "axis");
  text(o, left + plot_w / 2, chart_h - 8, "middle", "axis-title", "callback duration (log scale)");
  vertical_title(o, 16, (top + bottom) / 2, "callbacks (log)");
  o += "</svg>";
  return o;
}

double nice_step(double range, int max_ticks) {
  if (!(range > 0) || !std::isfinite(range)) return 1.0;
  const double raw = range / max_ticks;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double m : {1.0, 2.0, 5.0, 10.0})
    if (m * mag >= raw) return m * mag;
  return 10 * mag;
}

struct tick_mark {
  int x;
  double t;
  std::uint64_t n;
};

/// Fill level (line) and glitch ticks over one run.
std::string timeline_svg(const compare_run& run, const std::string& label) {
  constexpr double band_top = 6, band_h = 13;
  constexpr double top = 58, bottom = 174;
  constexpr double plot_h = bottom - top;
  std::string o;
  svg_open(o, label);
  const auto& tl = timeline_of(run);

  double t_min = 0, t_max = 0;
  bool any = false;
  for (const auto& p : tl)
    if (std::isfinite(p.t_s)) {
      t_min = any ? std::min(t_min, p.t_s) : std::min(0.0, p.t_s);
      t_max = any ? std::max(t_max, p.t_s) : p.t_s;
      any = true;
    }
  if (!any) {
    empty_message(o, band_top, bottom, "no timeline samples recorded");
    o += "</svg>";
    return o;
  }
  if (t_max - t_min > 1e9) t_min = t_max - 1e9;  // absurd clocks: keep the end in view
  if (!(t_max > t_min)) t_min = t_max - 1;
  if (!(t_max > t_min)) {  // beyond double's resolution: give up on time
    t_min = 0;
    t_max = 1;
  }
  auto X = [&](double t) { return left + plot_w * (std::clamp(t, t_min, t_max) - t_min) / (t_max - t_min); };
  auto Y = [&](double fill) { return bottom - plot_h * std::clamp(fill, 0.0, 1.0); };

  // time grid
  const double step = nice_step(t_max - t_min, 8);
  const double k0 = std::ceil(t_min / step - 1e-9), k1 = std::floor(t_max / step + 1e-9);
  for (int k = 0; k0 + k <= k1 && k <= 20; ++k) {
    const double t = (k0 + k) * step;
    const double x = X(t);
    line(o, x, band_top, x, bottom, "grid");
    line(o, x, bottom, x, bottom + 4, "tick");
    text(o, x, bottom + 16, "middle", "", printf1("%g", std::fabs(t) < step * 1e-6 ? 0.0 : t));
  }
  // fill grid
  for (const int pct : {0, 25, 50, 75, 100}) {
    line(o, left, Y(pct / 100.0), left + plot_w, Y(pct / 100.0), pct % 50 == 0 ? "grid" : "grid-light");
    if (pct % 50 == 0) text(o, left - 6, Y(pct / 100.0) + 4, "end", "", std::to_string(pct) + "%");
  }

  // glitch bands: one tick where a cumulative counter went up (merged per pixel)
  struct band {
    const char* name;
    const char* cls;
    std::uint64_t timeline_point::*field;
    std::vector<tick_mark> ticks;
  };
  band bands[] = {{"underrun", "t-underrun", &timeline_point::underruns, {}},
                  {"miss", "t-miss", &timeline_point::deadline_misses, {}},
                  {"xrun", "t-xrun", &timeline_point::device_xruns, {}}};
  for (band& b : bands) {
    std::uint64_t prev = 0;
    for (const auto& p : tl) {
      if (!std::isfinite(p.t_s)) continue;
      const std::uint64_t cur = p.*b.field;
      if (cur > prev) {
        const int x = int(std::lround(X(p.t_s)));
        if (!b.ticks.empty() && b.ticks.back().x == x)
          b.ticks.back().n = sat_add(b.ticks.back().n, cur - prev);
        else
          b.ticks.push_back({x, p.t_s, cur - prev});
      }
      prev = cur;
    }
  }
  double y = band_top;
  for (const band& b : bands) {
    o += "<rect x=\"" + px(left) + "\" y=\"" + px(y) + "\" width=\"" + px(plot_w) + "\" height=\"" + px(band_h - 2) +
         "\" class=\"band\"/>";
    text(o, left - 6, y + band_h - 4, "end", "band-label", b.name);
    for (const auto& t : b.ticks) {
      o += "<line x1=\"" + px(t.x) + "\" y1=\"" + px(y) + "\" x2=\"" + px(t.x) + "\" y2=\"" + px(y + band_h - 2) +
           "\" class=\"" + b.cls + "\"><title>" +
           esc("t " + printf1("%.2f", t.t) + " s: +" + count_text(t.n) + " " + b.name) + "</title></line>";
      if (b.field == &timeline_point::underruns) line(o, t.x, top, t.x, bottom, "t-underrun-faint");
    }
    y += band_h;
  }

  // the fill line: every point, or a min/max envelope of ≤ max_line_points
  std::vector<std::pair<double, double>> pts;
  for (const auto& p : tl)
    if (std::isfinite(p.t_s) && std::isfinite(p.fill)) pts.emplace_back(p.t_s, p.fill);
  if (pts.size() > max_line_points) {
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
    pts.swap(env);
  }
  if (!pts.empty()) {
    o += "<polyline class=\"fill-line\" points=\"";
    for (std::size_t i = 0; i < pts.size(); ++i) {
      if (i) o += ' ';
      o += px(X(pts[i].first)) + "," + px(Y(pts[i].second));
    }
    o += "\"/>";
  } else {
    text(o, left + plot_w / 2, (top + bottom) / 2, "middle", "empty", "no fill samples");
  }

  line(o, left, bottom, left + plot_w, bottom, "axis");
  line(o, left, top, left, bottom, "axis");
  text(o, left + plot_w / 2, chart_h - 8, "middle", "axis-title", "time since device start (s)");
  vertical_title(o, 16, (top + bottom) / 2, "buffer fill (%)");
  o += "</svg>";
  return o;
}

// ---- page -------------------------------------------------------------------------

constexpr std::string_view css = R"(
:root{--fg:#1c2331;--muted:#5a6577;--line:#dde2ea;--bg:#f5f6f8;--card:#fff;
--bad:#fde4e1;--badfg:#9b1c12;--ok:#e3f3e7;--okfg:#1b6632;--warn:#fff2d4;--warnfg:#7a4d00;--accent:#2f5fa7}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1360px;margin:0 auto;padding:24px 28px 48px}
h1{font-size:26px;margin:0 0 2px;letter-spacing:-.01em}
h2{font-size:19px;margin:34px 0 10px;padding-bottom:4px;border-bottom:2px solid var(--line)}
h3{font-size:15px;margin:0 0 6px}
a{color:var(--accent);text-decoration:none}
a:hover{text-decoration:underline}
code{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace;font-size:12.5px}
.muted{color:var(--muted)}
.sub{color:var(--muted);font-size:12.5px;margin:6px 0 2px}
.meta{display:grid;grid-template-columns:max-content 1fr;gap:3px 16px;margin:14px 0 0;background:var(--card);
border:1px solid var(--line);border-radius:8px;padding:12px 16px}
.meta dt{color:var(--muted)}
.meta dd{margin:0;overflow-wrap:anywhere}
.tablewrap{overflow-x:auto;background:var(--card);border:1px solid var(--line);border-radius:8px}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums;font-size:13px}
th,td{padding:5px 9px;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}
th{background:#eef1f5;font-weight:600;vertical-align:bottom}
th.l,td.l{text-align:left}
tr.load th{background:#e2e7ef;text-align:left;font-size:13.5px}
tr.load th .muted{font-weight:400}
tr.clean td{background:var(--ok)}
td.bad{background:var(--bad);color:var(--badfg);font-weight:600}
td.warn{background:var(--warn);color:var(--warnfg)}
td .spread{color:var(--muted);font-weight:400;font-size:11.5px;margin-left:4px}
td.bad .spread{color:var(--badfg)}
.notes{margin:8px 2px 0;font-size:12.5px;color:var(--muted)}
.notes li{margin:2px 0}
.verdicts{list-style:none;padding:0;margin:0}
.verdicts li{background:var(--card);border:1px solid var(--line);border-left:4px solid var(--accent);border-radius:6px;
padding:8px 12px;margin:0 0 8px}
.verdicts .where{color:var(--muted);font-size:13px;margin-top:2px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:16px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px 10px}
.badge{display:inline-block;font-size:11.5px;font-weight:600;border-radius:10px;padding:1px 8px;margin-left:6px;vertical-align:1px}
.badge.ok{background:var(--ok);color:var(--okfg)}
.badge.bad{background:var(--bad);color:var(--badfg)}
svg{display:block;width:100%;max-width:640px;height:auto;margin:2px 0 4px}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;font-size:12px;fill:#3b4456}
svg .axis-title{font-size:12.5px;fill:#5a6577}
svg .band-label{font-size:11px}
svg .empty{font-size:14px;fill:#8a93a3}
svg .muted{fill:#8a93a3}
svg .period-label{fill:#b3261e;font-weight:600;font-size:12.5px}
svg .grid{stroke:#e3e7ee;stroke-width:1}
svg .grid-light{stroke:#f0f2f6;stroke-width:1}
svg .tick,svg .axis{stroke:#7b8494;stroke-width:1}
svg .frame{fill:#fafbfc;stroke:#e3e7ee}
svg .band{fill:#f4f5f8}
svg .bar{fill:#4a7cc4}
svg .bar-late{fill:#d6453a}
svg .period{stroke:#b3261e;stroke-width:1.5;stroke-dasharray:5 3}
svg .fill-line{fill:none;stroke:#23866a;stroke-width:1.5;stroke-linejoin:round}
svg .t-underrun{stroke:#d6453a;stroke-width:2}
svg .t-underrun-faint{stroke:#d6453a;stroke-opacity:.25;stroke-width:1}
svg .t-miss{stroke:#e08a00;stroke-width:2}
svg .t-xrun{stroke:#7b4bb7;stroke-width:2}
.legend{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;background:var(--card);border:1px solid var(--line);
border-radius:8px;padding:12px 16px;margin:0}
.legend dt{font-weight:600}
.legend dd{margin:0}
.swatch{display:inline-block;width:11px;height:11px;border-radius:2px;vertical-align:-1px;margin-right:5px}
footer{margin-top:28px;color:var(--muted);font-size:12px}
)";

void meta_row(std::string& o, std::string_view key, const std::string& value_html) {
  o += "<dt>";
  o += key;
  o += "</dt><dd>" + value_html + "</dd>";
}

std::string frames_text(std::size_t frames, int rate) {
  if (frames == 0) return "\xE2\x80\x94";
  std::string s = std::to_string(frames) + " frames";
  if (rate > 0) s += " (" + duration_text(double(frames) * 1e6 / rate) + ")";
  return s;
}

void header(std::string& o, const compare_report& r) {
  o += "<header><h1>pingpong compare</h1><div class=\"muted\">version " + esc_or_dash(r.version) + " \xC2\xB7 " +
       esc_or_dash(r.date) + "</div><dl class=\"meta\">";
  meta_row(o, "machine", esc_or_dash(r.machine));
  meta_row(o, "command", r.command.empty() ? esc_or_dash(r.command) : "<code>" + esc(r.command) + "</code>");
  meta_row(o, "input", esc_or_dash(r.input));
  const device_info& d = r.device;
  std::string dev = esc_or_dash(d.name);
  if (!d.host_api.empty()) dev += " \xC2\xB7 " + esc(d.host_api);
  if (d.sample_rate > 0) dev += " \xC2\xB7 " + std::to_string(d.sample_rate) + " Hz";
  if (d.channels > 0) dev += " \xC2\xB7 " + std::to_string(d.channels) + " ch";
  if (d.period_frames > 0) dev += " \xC2\xB7 period " + esc(frames_text(d.period_frames, d.sample_rate));
  if (usable(d.output_latency_s) && d.output_latency_s > 0)
    dev += " \xC2\xB7 output latency " + esc(duration_text(d.output_latency_s * 1e6));
  meta_row(o, "device", dev);
  if (const std::string note = period_note(d, r.requested_period_frames); !note.empty())
    meta_row(o, "period", esc(note));
  std::string half = esc(frames_text(r.half_frames, d.sample_rate));
  if (r.requested_half_frames != 0 && r.half_frames != r.requested_half_frames)
    half += " (raised from the " + std::to_string(r.requested_half_frames) +
            " asked for: a half holds at least one period)";
  meta_row(o, "half size", half);
  meta_row(o, "duration per run",
           usable(r.duration_s) && r.duration_s > 0 ? printf1("%g", r.duration_s) + " s" : "\xE2\x80\x94");
  meta_row(o, "repeats",
           (r.repeats > 0 ? std::to_string(r.repeats) : std::string("\xE2\x80\x94")) + " \xC2\xB7 " +
               std::to_string(r.runs.size()) + " runs in all");
  o += "</dl></header>";
}

std::string td(const std::string& cls, const std::string& html) {
  return cls.empty() ? "<td>" + html + "</td>" : "<td class=\"" + cls + "\">" + html + "</td>";
}

std::string count_cell(std::uint64_t n) {
  return td(n ? "bad" : "", count_text(n));
}

std::string distinct_notes(const policy_summary* begin, const policy_summary* end) {
  std::vector<std::string> notes;
  for (auto g = begin; g != end; ++g)
    for (const compare_run* r : g->runs)
      if (!r->load_note.empty() && std::find(notes.begin(), notes.end(), r->load_note) == notes.end())
        notes.push_back(r->load_note);
  std::string s;
  for (const auto& n : notes) s += (s.empty() ? "" : "; ") + n;
  return s;
}

/// "1 failed · 1 interrupted" for what a policy's figures leave out ("" if nothing).
std::string left_out_html(const policy_summary& g) {
  std::string s;
  if (g.failed) s += std::to_string(g.failed) + " failed";
  if (g.interrupted) s += (s.empty() ? "" : " \xC2\xB7 ") + std::to_string(g.interrupted) + " interrupted";
  return s.empty() ? s : " <span class=\"spread\">" + s + "</span>";
}

std::string summary_row(const policy_summary& g, std::size_t id) {
  std::string o = g.all_clean() ? "<tr class=\"clean\">" : "<tr>";
  o += "<td class=\"l\"><a href=\"#p" + std::to_string(id) + "\">" + esc_or_dash(g.handoff) + "</a></td>";
  o += td("l", esc_or_dash(g.wake));
  o += td(g.clean < g.counted || g.failed ? "bad" : "",
          std::to_string(g.clean) + "/" + std::to_string(g.counted) + left_out_html(g));
  if (g.counted == 0) {  // nothing ran to the end: no figures, rather than zeros
    for (int i = 0; i < 10; ++i) o += td("", "\xE2\x80\x94");
    return o + "</tr>";
  }
  std::string under = count_text(g.underruns);
  if (g.counted > 1 && g.underruns > 0)
    under += "<span class=\"spread\">(" + count_text(g.underruns_min) + "\xE2\x80\x93" + count_text(g.underruns_max) +
             ")</span>";
  o += td(g.underruns ? "bad" : "", under);
  o += count_cell(g.underrun_frames) + count_cell(g.deadline_misses) + count_cell(g.device_xruns);
  o += td("", us_text(g.callback_p50_us)) + td("", us_text(g.callback_p99_us)) + td("", us_text(g.callback_p999_us));
  const bool over =
      usable(g.callback_max_us) && std::isfinite(g.period_us) && g.period_us > 0 && g.callback_max_us >= g.period_us;
  o += td(over ? "warn" : "", us_text(g.callback_max_us));
  o += td("", us_text(g.blocked_max_us));
  const double sys = g.syscalls_per_callback;
  o += td("", usable(sys) ? printf1(sys < 1e6 ? "%.2f" : "%.3g", sys) : "n/a");
  return o + "</tr>";
}

void summary_table(std::string& o, const compare_report& r, const grouping& gr) {
  o += "<section id=\"summary\"><h2>Summary</h2>";
  if (gr.groups.empty()) {
    o += "<p class=\"muted\">No runs.</p></section>";
    return;
  }
  o += "<div class=\"tablewrap\"><table><thead><tr>"
       "<th class=\"l\" rowspan=\"2\">handoff</th><th class=\"l\" rowspan=\"2\">wake</th>"
       "<th rowspan=\"2\">clean runs</th><th rowspan=\"2\">underrun events<br/>sum (min\xE2\x80\x93max per run)</th>"
       "<th rowspan=\"2\">underrun<br/>frames</th><th rowspan=\"2\">deadline<br/>misses</th>"
       "<th rowspan=\"2\">device<br/>xruns</th><th colspan=\"4\">callback duration (\xC2\xB5s)</th>"
       "<th rowspan=\"2\">blocked max<br/>(\xC2\xB5s)</th><th rowspan=\"2\">syscalls /<br/>callback</th></tr>"
       "<tr><th>p50</th><th>p99</th><th>p99.9</th><th>max</th></tr></thead><tbody>";
  for (std::size_t i = 0; i < gr.groups.size();) {
    std::size_t j = i;
    while (j < gr.groups.size() && gr.groups[j].load == gr.groups[i].load) ++j;
    const std::string notes = distinct_notes(&gr.groups[i], &gr.groups[0] + j);
    o += "<tr class=\"load\"><th colspan=\"13\">load: " + esc_or_dash(gr.groups[i].load);
    if (!notes.empty()) o += " <span class=\"muted\">\xE2\x80\x94 " + esc(notes) + "</span>";
    o += "</th></tr>";
    for (; i < j; ++i) o += summary_row(gr.groups[i], i);
  }
  o += "</tbody></table></div>";

  // what the table cannot show: which runs were left out, and why
  std::string notes;
  for (const compare_run& run : r.runs)
    if (const std::string reason = left_out_reason(r, run); !reason.empty())
      notes += "<li>" +
               esc(run.load + ", " + run.handoff + " / " + run.wake + ", repeat " + std::to_string(run.repeat) + " " +
                   reason) +
               ": left out of the figures and verdicts</li>";
  if (r.planned_runs > int(r.runs.size()))
    notes += "<li>The compare was interrupted: " + std::to_string(r.runs.size()) + " of " +
             std::to_string(r.planned_runs) + " runs made.</li>";
  o += "<ul class=\"notes\">";
  o += "<li>Aggregated over the repeats that ran to the end (interrupted and failed runs are counted apart): counts "
       "are sums; p50\xE2\x80\x93p99.9 are medians across repeats; max and blocked max are the largest of any repeat. "
       "Clean: no underrun and no deadline miss (the handoff's glitches; device xruns are the host's and shown apart, "
       "as in the verdicts). Red: a non-zero count; green row: every repeat clean; amber: a callback took longer than "
       "the period.</li>";
  o += notes + "</ul></section>";
}

void verdicts(std::string& o, const compare_report& r) {
  o += "<section id=\"verdicts\"><h2>Verdicts</h2>";
  if (r.summary.empty()) {
    o += "<p class=\"muted\">No verdicts.</p></section>";
    return;
  }
  o += "<ul class=\"verdicts\">";
  for (const scenario_summary& s : r.summary) {
    o += "<li><b>" + esc_or_dash(s.load) + "</b>: " + esc_or_dash(s.verdict);
    if (!s.where_it_stalls.empty()) o += "<div class=\"where\">where it stalls: " + esc(s.where_it_stalls) + "</div>";
    o += "</li>";
  }
  o += "</ul></section>";
}

std::string counted(std::uint64_t n, const std::string& one, const std::string& many) {
  return count_text(n) + " " + (n == 1 ? one : many);
}

std::string run_counts(const compare_run& run) {
  const play_report& p = run.report;
  return counted(p.underrun_events, "underrun", "underruns") + ", " +
         counted(p.deadline_misses, "deadline miss", "deadline misses") + ", " +
         counted(p.device_xruns, "device xrun", "device xruns");
}

std::string badge(const policy_summary& g) {
  if (g.all_clean()) return "<span class=\"badge ok\">clean</span>" + left_out_html(g);
  if (g.counted == 0) return "<span class=\"badge bad\">no run finished</span>" + left_out_html(g);
  return "<span class=\"badge bad\">glitched in " + std::to_string(g.glitched) + "/" + std::to_string(g.counted) +
         " runs</span>" + left_out_html(g);
}

/// The timeline of the worst counted repeat (most glitches; ties: the first);
/// with none counted, the first run, said to be left out.
void worst_timeline(std::string& o, const policy_summary& g) {
  const compare_run* worst = nullptr;
  for (const compare_run* r : g.runs)
    if (is_counted(*r) && (!worst || glitch_score(*r) > glitch_score(*worst))) worst = r;
  const std::size_t n = g.counted;
  std::string which;
  if (!worst) {
    worst = g.runs.front();
    which = " (" + std::string(to_string(result_of(*worst))) + ", left out of the figures)";
  } else if (n >= 2) {
    which = (glitch_score(*worst) > 0 ? " (the worst of " : " (the first of ") + std::to_string(n) + ")";
  }
  o += "<div class=\"sub\">Timeline of repeat " + std::to_string(worst->repeat) + which + ": " +
       esc(run_counts(*worst)) + "</div>";
  o += timeline_svg(
      *worst, "timeline, " + g.load + ", " + g.handoff + " / " + g.wake + ", repeat " + std::to_string(worst->repeat));
}

void policy_card(std::string& o, const policy_summary& g, std::size_t id, const std::vector<merged_bin>& bins,
                 std::uint64_t total, const histogram_scale& scale) {
  const std::size_t n = g.counted;
  o += "<div class=\"card\" id=\"p" + std::to_string(id) + "\"><h3>" + esc_or_dash(g.handoff) +
       " <span class=\"muted\">\xC2\xB7 " + esc_or_dash(g.wake) + "</span>" + badge(g) + "</h3>";
  o += "<div class=\"sub\">Callback durations, bins merged over " + std::to_string(n) +
       (n == 1 ? " repeat" : " repeats") + ": " + count_text(total) + " callbacks";
  if (total > 0 && usable(g.callback_p99_us)) o += " \xC2\xB7 p99 " + esc(duration_text(g.callback_p99_us));
  if (total > 0 && usable(g.callback_max_us)) o += " \xC2\xB7 max " + esc(duration_text(g.callback_max_us));
  o += "</div>" + histogram_svg(g, bins, scale);
  worst_timeline(o, g);
  o += "</div>";
}

void policy_sections(std::string& o, const grouping& gr) {
  for (const std::string& load : gr.loads) {
    struct card {
      std::size_t id;
      std::vector<merged_bin> bins;
      std::uint64_t total = 0;
    };
    std::vector<card> cards;
    histogram_scale scale;
    bool any = false;
    for (std::size_t id = 0; id < gr.groups.size(); ++id)
      if (gr.groups[id].load == load) {
        cards.push_back({id, {}, 0});
        cards.back().bins = merge_bins(gr.groups[id], cards.back().total);
        widen(scale, any, cards.back().bins, gr.groups[id].period_us);
      }
    o += "<section><h2>Load: " + esc_or_dash(load) + "</h2><div class=\"grid\">";
    for (const card& c : cards) policy_card(o, gr.groups[c.id], c.id, c.bins, c.total, scale);
    o += "</div></section>";
  }
}

void legend(std::string& o) {
  o += "<section id=\"legend\"><h2>Legend</h2><dl class=\"legend\">"
       "<dt>underrun</dt><dd>The producer was late: the real-time callback found no audio ready and inserted silence. "
       "Counted as events and as frames of silence.</dd>"
       "<dt>deadline miss</dt><dd>A callback took longer than its period (the time one callback\xE2\x80\x99s audio "
       "lasts).</dd>"
       "<dt>device xrun</dt><dd>An underflow or overflow reported by the audio host itself.</dd>"
       "<dt>blocked</dt><dd>Time the real-time side waited in the swap (a lock wait or spin included).</dd>"
       "<dt>syscalls / callback</dt><dd>System calls made on the real-time thread per callback; n/a when not "
       "measurable.</dd>"
       "<dt>histograms</dt><dd><span class=\"swatch\" style=\"background:#4a7cc4\"></span>callbacks within the period, "
       "<span class=\"swatch\" style=\"background:#d6453a\"></span>callbacks longer than it; the dashed line marks the "
       "period. Log scale on both axes, shared by the policies of a load; bins of the repeats that ran to the end "
       "merged.</dd>"
       "<dt>timelines</dt><dd><span class=\"swatch\" style=\"background:#23866a\"></span>buffer fill (queued frames / "
       "both halves); ticks where a counter rose (faint lines carry the underruns down to the fill): <span "
       "class=\"swatch\" style=\"background:#d6453a\"></span>underrun "
       "<span class=\"swatch\" style=\"background:#e08a00\"></span>deadline miss "
       "<span class=\"swatch\" style=\"background:#7b4bb7\"></span>device xrun. Shown for the repeat with the most "
       "glitches among those that ran to the end.</dd>"
       "</dl></section>";
}

}  // namespace

std::string render_html(const compare_report& report) {
  const grouping gr = group_runs(report);
  std::string o;
  o.reserve(64 * 1024 + report.runs.size() * 24 * 1024);
  o += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>"
       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/><title>pingpong compare";
  if (!report.date.empty()) o += " \xC2\xB7 " + esc(report.date);
  o += "</title><style>";
  o += css;
  o += "</style></head><body><main>";
  header(o, report);
  summary_table(o, report, gr);
  verdicts(o, report);
  policy_sections(o, gr);
  legend(o);
  o += "<footer>Generated by pingpong " + esc_or_dash(report.version) +
       ". One self-contained file: inline CSS and SVG, no scripts, nothing loaded from the network.</footer>";
  o += "</main></body></html>\n";
  return o;
}

}  // namespace pingpong::player
