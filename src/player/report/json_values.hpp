// The pieces the JSON reports share (report/json.hpp): numbers as the reports
// print them, latency summaries, the device, and the document's text.
// Internal to the player library (nlohmann-json is a private dependency).
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "player/player.hpp"

namespace pingpong::player::json {

/// Keys in the order written (the reports read top-down: version first).
using value = nlohmann::ordered_json;

/// A figure rounded to 6 significant digits (as %.6g: 1333.33, not
/// 1333.3333333333333), or null when not finite.
value number(double v);
/// number(v), or null when v < 0 (the report's "never measured").
value measured(double v);
/// {"p50", "p99", "p999", "max"}.
value percentiles(double p50, double p99, double p999, double max);
/// percentiles of `l` plus "count" and "histogram": [[lower µs, upper µs, count], ...].
value latency_with_histogram(const latency_summary& l);
/// {"name", "host_api", "sample_rate", "period_frames"}.
value device_brief(const device_info& d);
/// {"events", "frames", "log": [{"t_s", "position_frames", "position_s",
/// "silence_frames"}, ...], "log_dropped"}: each underrun as the real-time
/// side logged it, where it fell in the stream.
value underruns(const play_report& r);

/// True if `s` is valid UTF-8 (file names on Linux are bytes, not text).
bool valid_utf8(const std::string& s);
/// `s` percent-encoded (RFC 3986 unreserved characters and '/' kept): the
/// exact bytes of a name that is not UTF-8.
std::string percent_encoded(const std::string& s);

/// The document: 2-space indent, invalid UTF-8 replaced by U+FFFD, a final newline.
std::string text(const value& document);

}  // namespace pingpong::player::json
