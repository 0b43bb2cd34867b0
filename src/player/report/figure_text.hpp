// Figures as the HTML report and its charts write them: durations in a
// fitting unit, counts, "n/a" for what was not measured.
#pragma once

#include <cstdint>
#include <string>

namespace pingpong::player::figure_text {

/// snprintf of one double (`format` holds one conversion).
std::string printf1(const char* format, double v);
/// A duration in µs for the tables: 2 decimals under 10, 1 under 100, then
/// whole; "n/a" for unmeasured (negative, NaN).
std::string us(double v);
/// A duration in µs for labels, in a fitting unit: "40 µs", "5.33 ms", "2.5 s".
std::string duration(double us);
/// Short counts for axis labels: 1, 10, 100, 1k, 10k, 1M, 1e+12.
std::string short_count(double v);
/// "1 underrun", "2 underruns".
std::string counted(std::uint64_t n, const std::string& one, const std::string& many);
/// "—" for an empty string, else the string.
std::string or_dash(const std::string& s);

}  // namespace pingpong::player::figure_text
