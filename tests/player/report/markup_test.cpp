// markup::element and markup::escape (report/markup.hpp): the builder the
// HTML report and its charts are written with.
#include <doctest/doctest.h>

#include <string>

#include "player/report/markup.hpp"

using pingpong::player::markup::element;
using pingpong::player::markup::escape;

TEST_CASE("markup::escape: entities, U+FFFD for what XML cannot hold") {
  CHECK(escape("a<b>&\"c\"'d'") == "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;");
  CHECK(escape("tab\tnew\nline") == "tab\tnew\nline");
  CHECK(escape("ctrl\x01\x1b\x7f") == "ctrl\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(escape("\xC3\xA9t\xC3\xA9 \xE2\x80\x94 \xF0\x9F\x8E\xB5") == "\xC3\xA9t\xC3\xA9 \xE2\x80\x94 \xF0\x9F\x8E\xB5");
  CHECK(escape("\xff") == "\xEF\xBF\xBD");
  CHECK(escape("\xC3\x28") == "\xEF\xBF\xBD(");                             // a broken sequence: the next byte kept
  CHECK(escape("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate
  CHECK(escape("\xE0\x80\xAF") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong
  CHECK(escape("\xEF\xBF\xBE") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // U+FFFE
  CHECK(escape("\xE2\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD");                  // cut short
}

TEST_CASE("markup::element: attributes in order and escaped, children nested, text escaped") {
  element div("div");
  div.set_class("card").attr("id", "p1").attr("title", "a \"b\" <c>");
  div.add("h3").text("x < y");
  div.add("span", "muted", "& more");
  div.add("span", "", "plain");
  CHECK(div.str() ==
        "<div class=\"card\" id=\"p1\" title=\"a &quot;b&quot; &lt;c&gt;\"><h3>x &lt; y</h3>"
        "<span class=\"muted\">&amp; more</span><span>plain</span></div>");
}

TEST_CASE("markup::element: empty shapes and void elements self-close, other empty elements do not") {
  element p("p");
  p.add("br");
  p.add("span").set_class("swatch");
  p.add("rect").attr("x", "1");
  p.add("meta");
  CHECK(p.str() == "<p><br/><span class=\"swatch\"></span><rect x=\"1\"/><meta/></p>");
  element rect("rect");
  rect.add("title").text("t");
  CHECK(rect.str() == "<rect><title>t</title></rect>");
}

TEST_CASE("markup::element: a child's reference survives later additions; raw markup as written") {
  element ul("ul");
  element& first = ul.add("li");
  for (int i = 0; i < 100; ++i) ul.add("li").text(std::to_string(i));
  first.text("first");  // still the first <li>
  const std::string s = ul.str();
  CHECK(s.rfind("<ul><li>first</li><li>0</li>", 0) == 0);
  element style("style");
  style.raw("a>b{c:d}");
  CHECK(style.str() == "<style>a>b{c:d}</style>");
  CHECK(element("b").empty());
}
