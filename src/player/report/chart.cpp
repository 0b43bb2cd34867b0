#include "player/report/chart.hpp"

#include <algorithm>
#include <cmath>

#include "player/report/figure_text.hpp"

namespace pingpong::player::svg {

std::string coord(double v) {
  if (!std::isfinite(v)) v = 0;
  return figure_text::printf1("%.1f", std::clamp(v, -1e5, 1e5));
}

chart::chart(const std::string& label, double top, double bottom) : top_(top), bottom_(bottom) {
  svg_.attr("xmlns", "http://www.w3.org/2000/svg")
      .attr("viewBox", "0 0 640 220")
      .attr("width", "640")
      .attr("height", "220")
      .attr("role", "img")
      .attr("aria-label", label);
  svg_.add("title").text(label);
}

markup::element& chart::line(double x1, double y1, double x2, double y2, std::string_view cls) {
  return svg_.add("line")
      .attr("x1", coord(x1))
      .attr("y1", coord(y1))
      .attr("x2", coord(x2))
      .attr("y2", coord(y2))
      .set_class(cls);
}

markup::element& chart::text(double x, double y, std::string_view anchor, std::string_view cls, std::string_view s) {
  return svg_.add("text").attr("x", coord(x)).attr("y", coord(y)).attr("text-anchor", anchor).set_class(cls).text(s);
}

void chart::x_ticks(const std::vector<tick>& ticks, double grid_top) {
  for (const tick& t : ticks) {
    if (!t.grid.empty()) line(t.at, grid_top, t.at, bottom_, t.grid);
    if (t.length > 0) line(t.at, bottom_, t.at, bottom_ + t.length, "tick");
    if (!t.label.empty()) text(t.at, bottom_ + 16, "middle", "", t.label);
  }
}

void chart::y_ticks(const std::vector<tick>& ticks) {
  for (const tick& t : ticks) {
    if (!t.grid.empty()) line(left, t.at, left + plot_w, t.at, t.grid);
    if (t.length > 0) line(left - t.length, t.at, left, t.at, "tick");
    if (!t.label.empty()) text(left - 6, t.at + 4, "end", "", t.label);
  }
}

void chart::axes(std::string_view x_title, std::string_view y_title) {
  line(left, bottom_, left + plot_w, bottom_, "axis");
  line(left, top_, left, bottom_, "axis");
  text(left + plot_w / 2, chart_h - 8, "middle", "axis-title", x_title);
  const double x = 16, y = (top_ + bottom_) / 2;
  text(x, y, "middle", "axis-title", y_title).attr("transform", "rotate(-90 " + coord(x) + " " + coord(y) + ")");
}

void chart::empty(std::string_view message, double frame_top) {
  svg_.add("rect")
      .attr("x", coord(left))
      .attr("y", coord(frame_top))
      .attr("width", coord(plot_w))
      .attr("height", coord(bottom_ - frame_top))
      .set_class("frame");
  text(left + plot_w / 2, (frame_top + bottom_) / 2 + 4, "middle", "empty", message);
}

}  // namespace pingpong::player::svg
