// The HTML report's style sheet (report/html.cpp inlines it in <style>).
#pragma once

#include <string_view>

namespace pingpong::player::html {

/// Colours, the table, the cards and the charts' classes.
extern const std::string_view style_sheet;

}  // namespace pingpong::player::html
