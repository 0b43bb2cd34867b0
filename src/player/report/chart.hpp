// The frame every chart of the HTML report shares (report/charts.hpp draws
// the data): a 640 × 220 SVG, the plot between fixed margins, grid lines,
// ticks and labels under the data, axis lines and titles over it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "player/report/markup.hpp"

namespace pingpong::player::svg {

inline constexpr double chart_w = 640, chart_h = 220;
inline constexpr double left = 64, right = 28;
inline constexpr double plot_w = chart_w - left - right;

/// An SVG coordinate: one decimal, never NaN or absurd.
std::string coord(double v);

/// One mark on an axis at `at` (px): a grid line across the plot unless
/// `grid` is "", a tick `length` px outside it unless 0, a label unless "".
struct tick {
  double at;
  std::string label;
  std::string_view grid = "grid";
  double length = 4;
};

class chart {
 public:
  /// An empty chart named `label` (its title, for screen readers and on
  /// hover) whose plot spans top..bottom (px).
  chart(const std::string& label, double top, double bottom);

  /// The SVG root, to draw the data into.
  markup::element& svg() noexcept { return svg_; }
  /// Vertical grid lines from grid_top down to the plot's bottom, ticks and
  /// labels below it.
  void x_ticks(const std::vector<tick>& ticks, double grid_top);
  /// Horizontal grid lines across the plot, labels left of it.
  void y_ticks(const std::vector<tick>& ticks);
  /// The axis lines and both titles: after the data, so they are drawn over it.
  void axes(std::string_view x_title, std::string_view y_title);
  /// A framed message from frame_top to the plot's bottom, instead of data.
  void empty(std::string_view message, double frame_top);

  markup::element& line(double x1, double y1, double x2, double y2, std::string_view cls);
  markup::element& text(double x, double y, std::string_view anchor, std::string_view cls, std::string_view s);

  std::string str() const { return svg_.str(); }
  /// The finished SVG element, to add to the page.
  markup::element take() && { return std::move(svg_); }

 private:
  markup::element svg_{"svg"};
  double top_, bottom_;
};

}  // namespace pingpong::player::svg
