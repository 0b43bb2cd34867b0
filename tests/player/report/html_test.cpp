// render_html (report/html.hpp): the self-contained compare report. Structure (well-formed,
// balanced SVG), no network references, escaping, the numbers in the table,
// and hostile input (empty, NaN, huge, invalid UTF-8) that must not break it.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "fixtures/made_runs.hpp"
#include "fixtures/sample_report.hpp"
#include "player/report/html.hpp"

using pingpong::html_test::make_hostile_report;
using pingpong::html_test::make_sample_report;
using pingpong::html_test::sample_input;
using pingpong::player::compare_report;
using pingpong::player::render_html;

namespace {

std::size_t count_of(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto pos = s.find(what); pos != std::string::npos; pos = s.find(what, pos + what.size())) ++n;
  return n;
}

bool contains(const std::string& s, const std::string& what) {
  return s.find(what) != std::string::npos;
}

std::string escaped(const std::string& s) {
  std::string out;
  for (const char c : s) {
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
      default:
        out += c;
    }
  }
  return out;
}

/// "" if `doc` is well-formed XML as far as this report goes: elements
/// balanced and nested, attribute values quoted and free of '<', every '&'
/// one of XML's own entities or a character reference. Otherwise the problem.
std::string xml_problem(const std::string& doc) {
  auto entity_ok = [&](std::size_t i) {  // doc[i] == '&'
    const std::size_t semi = doc.find(';', i);
    if (semi == std::string::npos || semi - i > 10) return false;
    const std::string name = doc.substr(i + 1, semi - i - 1);
    if (name == "amp" || name == "lt" || name == "gt" || name == "quot" || name == "apos") return true;
    if (name.size() < 2 || name[0] != '#') return false;
    const bool hex = name[1] == 'x';
    if (hex && name.size() < 3) return false;
    return std::all_of(name.begin() + (hex ? 2 : 1), name.end(), [&](char c) {
      return hex ? std::isxdigit(static_cast<unsigned char>(c)) != 0 : std::isdigit(static_cast<unsigned char>(c)) != 0;
    });
  };
  auto is_name = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == ':' || c == '_'; };
  std::vector<std::string> open;
  std::size_t i = 0;
  while (i < doc.size()) {
    const char c = doc[i];
    if (c == '&') {
      if (!entity_ok(i)) return "bad entity at " + std::to_string(i) + ": " + doc.substr(i, 20);
      ++i;
    } else if (c == '>') {
      return "stray '>' in text at " + std::to_string(i);
    } else if (c != '<') {
      ++i;
    } else if (doc.compare(i, 9, "<!DOCTYPE") == 0) {
      i = doc.find('>', i);
      if (i == std::string::npos) return "unterminated doctype";
      ++i;
    } else if (doc.compare(i, 4, "<!--") == 0) {
      i = doc.find("-->", i);
      if (i == std::string::npos) return "unterminated comment";
      i += 3;
    } else if (doc.compare(i, 2, "</") == 0) {
      const std::size_t end = doc.find('>', i);
      if (end == std::string::npos) return "unterminated end tag";
      const std::string name = doc.substr(i + 2, end - i - 2);
      if (open.empty() || open.back() != name)
        return "</" + name + "> at " + std::to_string(i) + " closes <" + (open.empty() ? "nothing" : open.back()) + ">";
      open.pop_back();
      i = end + 1;
    } else {
      std::size_t j = i + 1;
      while (j < doc.size() && is_name(doc[j])) ++j;
      const std::string name = doc.substr(i + 1, j - i - 1);
      if (name.empty()) return "'<' in text at " + std::to_string(i);
      for (;;) {
        while (j < doc.size() && std::isspace(static_cast<unsigned char>(doc[j]))) ++j;
        if (j >= doc.size()) return "unterminated <" + name + ">";
        if (doc.compare(j, 2, "/>") == 0) {
          j += 2;
          break;
        }
        if (doc[j] == '>') {
          open.push_back(name);
          ++j;
          break;
        }
        const std::size_t attr = j;
        while (j < doc.size() && is_name(doc[j])) ++j;
        if (j == attr || j + 1 >= doc.size() || doc[j] != '=' || doc[j + 1] != '"')
          return "bad attribute in <" + name + "> at " + std::to_string(attr) + ": " + doc.substr(attr, 30);
        j += 2;
        for (; j < doc.size() && doc[j] != '"'; ++j) {
          if (doc[j] == '<') return "'<' in an attribute of <" + name + "> at " + std::to_string(j);
          if (doc[j] == '&' && !entity_ok(j)) return "bad entity in an attribute at " + std::to_string(j);
        }
        if (j >= doc.size()) return "unterminated attribute in <" + name + ">";
        ++j;
      }
      i = j;
    }
  }
  if (!open.empty()) return "unclosed <" + open.back() + ">";
  return "";
}

/// Every http(s) reference is the SVG namespace, nothing else: no network.
void check_no_network(const std::string& html) {
  const std::string ns = "xmlns=\"http://www.w3.org/2000/svg\"";
  for (const std::string scheme : {"http://", "https://"})
    for (auto pos = html.find(scheme); pos != std::string::npos; pos = html.find(scheme, pos + 1)) {
      INFO("reference at ", pos, ": ", html.substr(pos, 60));
      REQUIRE(pos >= 7);
      CHECK(html.compare(pos - 7, ns.size(), ns) == 0);
    }
  CHECK_FALSE(contains(html, "<script"));
  CHECK_FALSE(contains(html, "url("));
  CHECK_FALSE(contains(html, "@import"));
  CHECK_FALSE(contains(html, " src="));
  CHECK_FALSE(contains(html, "<link"));
  CHECK_FALSE(contains(html, "//fonts"));
}

void check_structure(const std::string& html) {
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(contains(html, "<title>pingpong compare"));
  CHECK(count_of(html, "<svg ") == count_of(html, "</svg>"));
  const std::string problem = xml_problem(html);
  CHECK_MESSAGE(problem.empty(), problem);
  check_no_network(html);
  // no formatting accidents: "nan", "inf" as words (any case)
  auto alpha = [&](std::size_t i) { return i < html.size() && std::isalpha(static_cast<unsigned char>(html[i])); };
  for (std::size_t i = 0; i + 3 <= html.size(); ++i) {
    std::string w = html.substr(i, 3);
    std::transform(w.begin(), w.end(), w.begin(),
                   [](char c) { return char(std::tolower(static_cast<unsigned char>(c))); });
    if ((w == "nan" || w == "inf") && (i == 0 || !alpha(i - 1)) && !alpha(i + 3))
      FAIL_CHECK("a non-finite number at ", i, ": ", html.substr(i > 20 ? i - 20 : 0, 50));
  }
  // polylines stay small
  const std::string points = "points=\"";
  for (auto pos = html.find(points); pos != std::string::npos; pos = html.find(points, pos + 1)) {
    const auto start = pos + points.size();
    CHECK(count_of(html.substr(start, html.find('"', start) - start), ",") <= 600);
  }
}

}  // namespace

TEST_CASE("render_html: the sample report") {
  const compare_report rep = make_sample_report();
  const std::string html = render_html(rep);
  MESSAGE("sample report: ", html.size(), " bytes");
  check_structure(html);
  CHECK(html.size() < 1'500'000);

  SUBCASE("header") {
    CHECK(contains(html, "<h1>pingpong compare</h1>"));
    for (const auto& s : {rep.version, rep.date, rep.machine, std::string("48000 Hz"), std::string("256 frames"),
                          std::string("2048 frames"), std::string("10 s")})
      CHECK_MESSAGE(contains(html, s), s);
  }
  SUBCASE("the input is escaped everywhere") {
    CHECK(contains(html, escaped(sample_input)));
    CHECK(contains(html, "media/&lt;odd&gt; &amp; &quot;quoted&quot; &#39;name&#39;.wav"));
    CHECK_FALSE(contains(html, sample_input));
    CHECK_FALSE(contains(html, "<odd>"));
    CHECK_FALSE(contains(html, "<FIFO>"));
    CHECK(contains(html, escaped(rep.runs.back().load_note)));
  }
  SUBCASE("one chart pair per policy, the period marked") {
    // 2 loads × 2 handoffs × 2 wakes: a histogram and a timeline each
    CHECK(count_of(html, "<svg ") == 16);
    CHECK(count_of(html, "class=\"period\"") == 8);
    CHECK(contains(html, ">period 5.33 ms"));
    CHECK(contains(html, "class=\"bar-late\""));    // the stalled mutex callbacks
    CHECK(contains(html, "class=\"t-underrun\""));  // their underrun ticks
    CHECK(contains(html, "class=\"fill-line\""));
    CHECK(contains(html, "buffer fill (%)"));
    CHECK(contains(html, "time since device start (s)"));
    CHECK(contains(html, "callback duration (log scale)"));
    CHECK(contains(html, "merged over 3 repeats"));
    CHECK(contains(html, "Timeline of repeat 2 (the worst of 3): 15 underruns, 2 deadline misses, 1 device xrun<"));
    CHECK(contains(html, "Timeline of repeat 0 (the first of 3): 0 underruns, 0 deadline misses, 0 device xruns<"));
  }
  SUBCASE("the summary table") {
    // mutex / semaphore under stall: 12 + 14 + 15 underruns, blocked 12345.6 µs
    CHECK(contains(html,
                   "<td class=\"bad\">41<span class=\"spread\">(12\xE2\x80\x93"
                   "15)</span></td>"));
    CHECK(contains(html, "<td class=\"bad\">0/3</td>"));
    CHECK(contains(html, "<td>12346</td>"));
    CHECK(contains(html, "<td class=\"bad\">3</td>"));  // deadline misses 1 + 0 + 2
    CHECK(contains(html, "<td>2.50</td>"));             // syscalls per callback
    CHECK(contains(html, "<td>n/a</td>"));              // lockfree / poll: not measurable
    CHECK(contains(html,
                   "<td class=\"bad\">8<span class=\"spread\">(0\xE2\x80\x93"
                   "5)</span></td>"));                    // mutex / poll
    CHECK(contains(html, "<td class=\"bad\">1/3</td>"));  // mutex / poll: repeat 1 clean
    // clean rows: all four policies under "none" (lockfree/poll despite its one
    // device xrun: the host's, not the handoff's), lockfree twice under "stall"
    CHECK(count_of(html, "<tr class=\"clean\">") == 6);
    CHECK(count_of(html, "<tr class=\"load\">") == 2);
    // the callback p50 of a run is in the table (median over repeats ≈ the same bucket)
    CHECK(contains(html, "callback duration (\xC2\xB5s)"));
  }
  SUBCASE("verdicts and legend") {
    CHECK(contains(html, "mutex glitched in 5/6 runs (49 underruns, 3 deadline misses); lockfree clean in 6/6"));
    CHECK(contains(html, "where it stalls: mutex: the callback waits on the lock"));
    CHECK(contains(html, "producer&#39;s lateness"));
    for (const char* word : {"<dt>underrun</dt>", "<dt>deadline miss</dt>", "<dt>device xrun</dt>", "<dt>blocked</dt>"})
      CHECK_MESSAGE(contains(html, word), word);
  }
}

TEST_CASE("render_html: an empty report") {
  const std::string html = render_html(compare_report{});
  check_structure(html);
  CHECK(contains(html, "No runs."));
  CHECK(contains(html, "No verdicts."));
  CHECK_FALSE(contains(html, "<svg"));
  CHECK(contains(html, "<dt>underrun</dt>"));
}

TEST_CASE("render_html: hostile values") {
  const compare_report rep = make_hostile_report();
  const std::string html = render_html(rep);
  MESSAGE("hostile report: ", html.size(), " bytes");
  check_structure(html);
  CHECK_FALSE(contains(html, "<script>"));
  CHECK(contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
  CHECK(contains(html, "\xEF\xBF\xBD"));  // invalid bytes replaced by U+FFFD
  CHECK_FALSE(contains(html, "\x01"));
  CHECK_FALSE(contains(html, "\x1b"));
  CHECK(contains(html, "cpu&lt;&amp;&gt;"));
  CHECK(contains(html, "18446744073709551615"));  // saturated, not wrapped
  CHECK(contains(html, "period unknown"));
  CHECK(contains(html, "no callback durations recorded"));
  CHECK(contains(html, "no timeline samples recorded"));
  CHECK(contains(html, "device lost: &lt;sim&gt; &amp; &quot;co&quot;"));
  CHECK(contains(html, "1 failed"));
  CHECK(count_of(html, "<svg ") == 6);
}

TEST_CASE("render_html: an interrupted run is marked and left out of the figures") {
  using namespace pingpong::lab_test;
  const std::string html = render_html(report_with_an_interrupted_run());
  check_structure(html);
  CHECK(contains(html, "<td>1/1 <span class=\"spread\">1 interrupted</span></td>"));
  CHECK(contains(html,
                 "none, lockfree / poll, repeat 1 interrupted after 364 of 1500 callbacks: left out of the figures"));
  // the aggregation's median of an even count (10 and 20 µs): 15
  CHECK(contains(html, "<td>15.0</td><td>30.0</td><td>45.0</td>"));
}

TEST_CASE("render_html: the period the device ran at, and a JACK server's note") {
  const std::string html = render_html(pingpong::lab_test::report_on_a_jack_server());
  check_structure(html);
  CHECK(contains(html, "the JACK server&#39;s buffer size, 256 frames"));
  CHECK(contains(html, "period 256 frames"));
}
