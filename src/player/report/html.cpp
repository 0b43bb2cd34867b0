// The self-contained HTML report of `pingpong compare`: inline CSS
// (html_style.cpp), inline SVG charts (charts.hpp), no scripts, no fonts, no
// network. The whole document is also well-formed XML (every element closed,
// only numeric entities), so it can be checked with any XML parser. Built
// with markup::element; every figure comes from lab/policy_summary.hpp.
//
//   header        version, date, machine, command, input, device, sizes
//   summary       one row per load × handoff × wake, aggregated over repeats
//   verdicts      scenario_summary: verdict and where each policy stalls
//   per load      per policy: callback-duration histogram (bins merged over
//                 repeats, period marked) and the timeline of the worst repeat
//   legend        what the words mean
#include "player/report/html.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "player/lab/figures.hpp"
#include "player/lab/notes.hpp"
#include "player/lab/policy_summary.hpp"
#include "player/report/charts.hpp"
#include "player/report/figure_text.hpp"
#include "player/report/html_style.hpp"
#include "player/report/markup.hpp"

namespace pingpong::player {
namespace {

using figure_text::or_dash;
using figures::usable;
using markup::element;

constexpr std::string_view dash = "\xE2\x80\x94";  // —
constexpr std::string_view middot = " \xC2\xB7 ";  // ·

// ---- header -------------------------------------------------------------------

/// A <dt>key</dt><dd>…</dd> pair; returns the <dd> to fill.
element& meta_row(element& dl, std::string_view key) {
  dl.add("dt").text(key);
  return dl.add("dd");
}

std::string frames_text(std::size_t frames, int rate) {
  if (frames == 0) return std::string(dash);
  std::string s = std::to_string(frames) + " frames";
  if (rate > 0) s += " (" + figure_text::duration(double(frames) * 1e6 / rate) + ")";
  return s;
}

std::string device_text(const device_info& d) {
  std::string dev = or_dash(d.name);
  const auto part = [&](const std::string& s) { dev += std::string(middot) + s; };
  if (!d.host_api.empty()) part(d.host_api);
  if (d.sample_rate > 0) part(std::to_string(d.sample_rate) + " Hz");
  if (d.channels > 0) part(std::to_string(d.channels) + " ch");
  if (d.period_frames > 0) part("period " + frames_text(d.period_frames, d.sample_rate));
  if (usable(d.output_latency_s) && d.output_latency_s > 0)
    part("output latency " + figure_text::duration(d.output_latency_s * 1e6));
  return dev;
}

void header(element& main, const compare_report& r) {
  element& h = main.add("header");
  h.add("h1").text("pingpong compare");
  h.add("div", "muted", "version " + or_dash(r.version) + std::string(middot) + or_dash(r.date));
  element& dl = h.add("dl").set_class("meta");
  meta_row(dl, "machine").text(or_dash(r.machine));
  element& command = meta_row(dl, "command");
  if (r.command.empty())
    command.text(dash);
  else
    command.add("code").text(r.command);
  meta_row(dl, "input").text(or_dash(r.input));
  meta_row(dl, "device").text(device_text(r.device));
  if (const std::string note = period_note(r.device, r.requested_period_frames); !note.empty())
    meta_row(dl, "period").text(note);
  std::string half = frames_text(r.half_frames, r.device.sample_rate);
  if (r.requested_half_frames != 0 && r.half_frames != r.requested_half_frames)
    half += " (raised from the " + std::to_string(r.requested_half_frames) +
            " asked for: a half holds at least one period)";
  meta_row(dl, "half size").text(half);
  meta_row(dl, "duration per run")
      .text(usable(r.duration_s) && r.duration_s > 0 ? figure_text::printf1("%g", r.duration_s) + " s"
                                                     : std::string(dash));
  meta_row(dl, "repeats")
      .text((r.repeats > 0 ? std::to_string(r.repeats) : std::string(dash)) + std::string(middot) +
            std::to_string(r.runs.size()) + " runs in all");
}

// ---- summary table ----------------------------------------------------------------

/// `prefix` and policy `id`: its card's id ("p3") and the summary row's link to it ("#p3").
std::string card_ref(std::string_view prefix, std::size_t id) {
  std::string s(prefix);  // (not "p" + to_string(id): GCC 12's -Wrestrict misfires on that)
  s += std::to_string(id);
  return s;
}

/// " <span class="spread">1 failed · 1 interrupted</span>" for what a
/// policy's figures leave out; nothing if nothing.
void left_out_note(element& e, const policy_summary& g) {
  std::string s;
  if (g.failed) s += std::to_string(g.failed) + " failed";
  if (g.interrupted) s += (s.empty() ? "" : std::string(middot)) + std::to_string(g.interrupted) + " interrupted";
  if (s.empty()) return;
  e.text(" ");
  e.add("span", "spread", s);
}

element& td(element& tr, std::string_view cls, std::string_view text) {
  return tr.add("td", cls, text);
}
void count_cell(element& tr, std::uint64_t n) {
  td(tr, n ? "bad" : "", std::to_string(n));
}

void summary_row(element& tbody, const policy_summary& g, std::size_t id) {
  element& tr = tbody.add("tr").set_class(g.all_clean() ? "clean" : "");
  tr.add("td").set_class("l").add("a").attr("href", card_ref("#p", id)).text(or_dash(g.handoff));
  td(tr, "l", or_dash(g.wake));
  left_out_note(
      td(tr, g.clean < g.counted || g.failed ? "bad" : "", std::to_string(g.clean) + "/" + std::to_string(g.counted)),
      g);
  if (g.counted == 0) {  // nothing ran to the end: no figures, rather than zeros
    for (int i = 0; i < 10; ++i) td(tr, "", dash);
    return;
  }
  element& under = td(tr, g.underruns ? "bad" : "", std::to_string(g.underruns));
  if (g.counted > 1 && g.underruns > 0)
    under.add("span", "spread",
              "(" + std::to_string(g.underruns_min) + "\xE2\x80\x93" + std::to_string(g.underruns_max) + ")");
  count_cell(tr, g.underrun_frames);
  count_cell(tr, g.deadline_misses);
  count_cell(tr, g.device_xruns);
  for (const double v : {g.callback_p50_us, g.callback_p99_us, g.callback_p999_us}) td(tr, "", figure_text::us(v));
  const bool over =
      usable(g.callback_max_us) && std::isfinite(g.period_us) && g.period_us > 0 && g.callback_max_us >= g.period_us;
  td(tr, over ? "warn" : "", figure_text::us(g.callback_max_us));
  td(tr, "", figure_text::us(g.blocked_max_us));
  const double sys = g.syscalls_per_callback;
  td(tr, "", usable(sys) ? figure_text::printf1(sys < 1e6 ? "%.2f" : "%.3g", sys) : "n/a");
}

/// A header cell: its lines separated by <br/>.
void th(element& tr, std::string_view cls, std::string_view span, std::vector<std::string_view> lines) {
  element& cell = tr.add("th").set_class(cls);
  cell.attr(span == "4" ? "colspan" : "rowspan", span);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i) cell.add("br");
    cell.text(lines[i]);
  }
}

void table_head(element& table) {
  element& head = table.add("thead");
  element& top = head.add("tr");
  th(top, "l", "2", {"handoff"});
  th(top, "l", "2", {"wake"});
  th(top, "", "2", {"clean runs"});
  th(top, "", "2", {"underrun events", "sum (min\xE2\x80\x93max per run)"});
  th(top, "", "2", {"underrun", "frames"});
  th(top, "", "2", {"deadline", "misses"});
  th(top, "", "2", {"device", "xruns"});
  th(top, "", "4", {"callback duration (\xC2\xB5s)"});
  th(top, "", "2", {"blocked max", "(\xC2\xB5s)"});
  th(top, "", "2", {"syscalls /", "callback"});
  element& sub = head.add("tr");
  for (const char* p : {"p50", "p99", "p99.9", "max"}) sub.add("th").text(p);
}

/// The load notes of `policies` (each once), "; "-separated.
std::string distinct_notes(const std::vector<const policy_summary*>& policies) {
  std::vector<std::string> notes;
  for (const policy_summary* g : policies)
    for (const compare_run* r : g->runs)
      if (!r->load_note.empty() && std::find(notes.begin(), notes.end(), r->load_note) == notes.end())
        notes.push_back(r->load_note);
  std::string s;
  for (const auto& n : notes) s += (s.empty() ? "" : "; ") + n;
  return s;
}

/// What the table cannot show: how it aggregates, which runs were left out and why.
void table_notes(element& section, const compare_report& r) {
  element& ul = section.add("ul").set_class("notes");
  ul.add("li").text(
      "Aggregated over the repeats that ran to the end (interrupted and failed runs are counted apart): counts "
      "are sums; p50\xE2\x80\x93p99.9 are medians across repeats; max and blocked max are the largest of any repeat. "
      "Clean: no underrun and no deadline miss (the handoff's glitches; device xruns are the host's and shown apart, "
      "as in the verdicts). Red: a non-zero count; green row: every repeat clean; amber: a callback took longer than "
      "the period.");
  for (const compare_run& run : r.runs)
    if (const std::string reason = left_out_reason(r, run); !reason.empty())
      ul.add("li").text(run.load + ", " + run.handoff + " / " + run.wake + ", repeat " + std::to_string(run.repeat) +
                        " " + reason + ": left out of the figures and verdicts");
  if (r.planned_runs > int(r.runs.size()))
    ul.add("li").text("The compare was interrupted: " + std::to_string(r.runs.size()) + " of " +
                      std::to_string(r.planned_runs) + " runs made.");
}

void summary_table(element& main, const compare_report& r, const std::vector<policy_summary>& policies) {
  element& section = main.add("section").attr("id", "summary");
  section.add("h2").text("Summary");
  if (policies.empty()) {
    section.add("p", "muted", "No runs.");
    return;
  }
  element& table = section.add("div").set_class("tablewrap").add("table");
  table_head(table);
  element& tbody = table.add("tbody");
  for (const std::string& load : loads_of(policies)) {
    std::vector<const policy_summary*> mine;
    for (const policy_summary& g : policies)
      if (g.load == load) mine.push_back(&g);
    element& cell = tbody.add("tr").set_class("load").add("th").attr("colspan", "13");
    cell.text("load: " + or_dash(load));
    if (const std::string notes = distinct_notes(mine); !notes.empty())
      cell.text(" ").add("span", "muted", std::string(dash) + " " + notes);
    for (const policy_summary* g : mine) summary_row(tbody, *g, std::size_t(g - policies.data()));
  }
  table_notes(section, r);
}

// ---- verdicts -------------------------------------------------------------------------

void verdicts(element& main, const compare_report& r) {
  element& section = main.add("section").attr("id", "verdicts");
  section.add("h2").text("Verdicts");
  if (r.summary.empty()) {
    section.add("p", "muted", "No verdicts.");
    return;
  }
  element& ul = section.add("ul").set_class("verdicts");
  for (const scenario_summary& s : r.summary) {
    element& li = ul.add("li");
    li.add("b").text(or_dash(s.load));
    li.text(": " + or_dash(s.verdict));
    if (!s.where_it_stalls.empty()) li.add("div", "where", "where it stalls: " + s.where_it_stalls);
  }
}

// ---- per load: a card per policy ---------------------------------------------------------

void badge(element& h3, const policy_summary& g) {
  if (g.all_clean())
    h3.add("span", "badge ok", "clean");
  else if (g.counted == 0)
    h3.add("span", "badge bad", "no run finished");
  else
    h3.add("span", "badge bad",
           "glitched in " + std::to_string(g.glitched) + "/" + std::to_string(g.counted) + " runs");
  left_out_note(h3, g);
}

std::string run_counts(const compare_run& run) {
  const play_report& p = run.report;
  return figure_text::counted(p.underrun_events, "underrun", "underruns") + ", " +
         figure_text::counted(p.deadline_misses, "deadline miss", "deadline misses") + ", " +
         figure_text::counted(p.device_xruns, "device xrun", "device xruns");
}

/// The timeline of the worst counted repeat; with none counted, the first
/// run, said to be left out.
void worst_timeline(element& card, const policy_summary& g) {
  const compare_run* shown = g.worst;
  std::string which;
  if (!shown) {
    shown = g.runs.front();
    which = " (" + std::string(to_string(result_of(*shown))) + ", left out of the figures)";
  } else if (g.counted >= 2) {
    which = (glitch_count(*shown) > 0 ? " (the worst of " : " (the first of ") + std::to_string(g.counted) + ")";
  }
  const std::string repeat = std::to_string(shown->repeat);
  card.add("div", "sub", "Timeline of repeat " + repeat + which + ": " + run_counts(*shown));
  card.add(
      svg::fill_timeline(*shown, "timeline, " + g.load + ", " + g.handoff + " / " + g.wake + ", repeat " + repeat));
}

void policy_card(element& grid, const policy_summary& g, std::size_t id, const svg::histogram_scale& scale) {
  element& card = grid.add("div").set_class("card").attr("id", card_ref("p", id));
  element& h3 = card.add("h3");
  h3.text(or_dash(g.handoff) + " ");
  h3.add("span", "muted", std::string(middot.substr(1)) + or_dash(g.wake));
  badge(h3, g);
  const std::size_t n = g.counted;
  const std::uint64_t total = g.callback_bins_total;
  std::string sub = "Callback durations, bins merged over " + std::to_string(n) + (n == 1 ? " repeat" : " repeats") +
                    ": " + std::to_string(total) + " callbacks";
  if (total > 0 && usable(g.callback_p99_us))
    sub += std::string(middot) + "p99 " + figure_text::duration(g.callback_p99_us);
  if (total > 0 && usable(g.callback_max_us))
    sub += std::string(middot) + "max " + figure_text::duration(g.callback_max_us);
  card.add("div", "sub", sub);
  card.add(svg::callback_histogram(g, scale));
  worst_timeline(card, g);
}

void policy_sections(element& main, const std::vector<policy_summary>& policies) {
  for (const std::string& load : loads_of(policies)) {
    svg::histogram_scale scale;
    for (const policy_summary& g : policies)
      if (g.load == load) scale.widen(g);
    element& section = main.add("section");
    section.add("h2").text("Load: " + or_dash(load));
    element& grid = section.add("div").set_class("grid");
    for (std::size_t id = 0; id < policies.size(); ++id)
      if (policies[id].load == load) policy_card(grid, policies[id], id, scale);
  }
}

// ---- legend -------------------------------------------------------------------------------

void swatch(element& e, std::string_view colour) {
  e.add("span").set_class("swatch").attr("style", "background:" + std::string(colour));
}

void legend(element& main) {
  element& section = main.add("section").attr("id", "legend");
  section.add("h2").text("Legend");
  element& dl = section.add("dl").set_class("legend");
  const auto entry = [&](std::string_view term, std::string_view text) -> element& {
    dl.add("dt").text(term);
    return dl.add("dd").text(text);
  };
  entry("underrun",
        "The producer was late: the real-time callback found no audio ready and inserted silence. Counted as events "
        "and as frames of silence.");
  entry("deadline miss", "A callback took longer than its period (the time one callback\xE2\x80\x99s audio lasts).");
  entry("device xrun", "An underflow or overflow reported by the audio host itself.");
  entry("blocked", "Time the real-time side waited in the swap (a lock wait or spin included).");
  entry("syscalls / callback", "System calls made on the real-time thread per callback; n/a when not measurable.");
  element& histograms = entry("histograms", "");
  swatch(histograms, "#4a7cc4");
  histograms.text("callbacks within the period, ");
  swatch(histograms, "#d6453a");
  histograms.text(
      "callbacks longer than it; the dashed line marks the period. Log scale on both axes, shared by the policies "
      "of a load; bins of the repeats that ran to the end merged.");
  element& timelines = entry("timelines", "");
  swatch(timelines, "#23866a");
  timelines.text(
      "buffer fill (queued frames / both halves); ticks where a counter rose (faint lines carry the underruns down "
      "to the fill): ");
  swatch(timelines, "#d6453a");
  timelines.text("underrun ");
  swatch(timelines, "#e08a00");
  timelines.text("deadline miss ");
  swatch(timelines, "#7b4bb7");
  timelines.text("device xrun. Shown for the repeat with the most glitches among those that ran to the end.");
}

}  // namespace

std::string render_html(const compare_report& report) {
  const std::vector<policy_summary> policies = summarize_policies(report);
  element page("html");
  page.attr("lang", "en");
  element& head = page.add("head");
  head.add("meta").attr("charset", "utf-8");
  head.add("meta").attr("name", "viewport").attr("content", "width=device-width, initial-scale=1");
  head.add("title").text("pingpong compare" + (report.date.empty() ? "" : std::string(middot) + report.date));
  head.add("style").raw(html::style_sheet);
  element& main = page.add("body").add("main");
  header(main, report);
  summary_table(main, report, policies);
  verdicts(main, report);
  policy_sections(main, policies);
  legend(main);
  main.add("footer").text(
      "Generated by pingpong " + or_dash(report.version) +
      ". One self-contained file: inline CSS and SVG, no scripts, nothing loaded from the network.");
  std::string out = "<!DOCTYPE html>\n";
  out.reserve(std::size_t(64) * 1024 + report.runs.size() * 24 * 1024);
  page.write_to(out);
  return out + "\n";
}

}  // namespace pingpong::player
