// to_json(play_report) (report/json.hpp), parsed with nlohmann-json: the keys
// the scripts read, numbers as %.6g had them, unmeasured figures null, file
// names that are not UTF-8 replaced by U+FFFD and given as bytes beside them.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "player/report/json.hpp"

namespace pp = pingpong::player;
using nlohmann::json;

namespace {

pp::play_report finished_report() {
  pp::play_report r;
  r.files = {"media/tone.wav"};
  r.device = {"sim", "sim", 48000, 2, 64, 0.005, false, "float"};
  r.handoff = "lockfree";
  r.wake = "poll";
  r.half_frames = 1024;
  r.channel_mapping = "stereo";
  r.frames_played = 48000;
  r.duration_s = 0.1 + 0.2;  // 0.30000000000000004
  r.wall_s = 1.0 / 3.0;
  r.underrun_events = 2;
  r.underrun_log = {{.t_s = 0.25, .position = 12288, .position_s = 0.256, .silence_frames = 64}};
  r.underrun_log_dropped = 1;
  r.underrun_frames = 128;
  r.server_stalls = 1;
  r.longest_stall_s = 2.5;
  r.clipped_samples = 7;
  r.callbacks = 750;
  r.callback_us.p50 = 12.3456789;
  r.callback_us.count = 750;
  r.callback_us.bins = {{12.0, 13.5, 750}};
  r.notes = {"the device ran at 44100 Hz"};
  return r;
}

}  // namespace

TEST_CASE("play JSON: the keys the scripts read, numbers at 6 significant digits") {
  const std::string text = pp::to_json(finished_report(), "1.2.3");
  const json d = json::parse(text);
  CHECK(d["version"] == "1.2.3");
  CHECK(d["files"] == json::array({"media/tone.wav"}));
  CHECK_FALSE(d.contains("files_percent_encoded"));
  CHECK(d["frames_played"] == 48000);
  CHECK(d["half_frames"] == 1024);
  CHECK(d["interrupted"] == false);
  CHECK(d["result"] == "glitched");
  CHECK(d["underruns"]["events"] == 2);
  CHECK(d["underruns"]["frames"] == 128);
  CHECK(d["underruns"]["log"] ==
        json::parse(R"([{"t_s":0.25,"position_frames":12288,"position_s":0.256,"silence_frames":64}])"));
  CHECK(d["underruns"]["log_dropped"] == 1);
  CHECK(d["device"]["period_frames"] == 64);
  CHECK(d["device"]["format"] == "float");
  CHECK(d["device_status"]["server_stalls"] == 1);
  CHECK(d["device_status"]["longest_stall_s"] == 2.5);
  CHECK(d["clipped_samples"] == 7);
  CHECK(d["notes"] == json::array({"the device ran at 44100 Hz"}));
  CHECK(d["callback_us"]["p50"] == 12.3457);
  CHECK(d["callback_us"]["count"] == 750);
  CHECK(d["callback_us"]["histogram"] == json::array({json::array({12.0, 13.5, 750})}));
  // Rounded as the old %.6g: no 0.30000000000000004 or 0.3333333333333333 in the text.
  CHECK(text.find("\"duration_s\": 0.3,") != std::string::npos);
  CHECK(text.find("\"wall_s\": 0.333333,") != std::string::npos);
  CHECK_FALSE(d.contains("wake_late_us"));
  CHECK_FALSE(d.contains("error"));
}

TEST_CASE("play JSON: figures never measured are null, an error has its exit code") {
  pp::play_report r = finished_report();
  r.cpu_load = -1;
  r.min_slack_frames = -1;
  r.first_audio_ms = -1;
  r.startup_ms = -1;
  r.wall_s = std::numeric_limits<double>::quiet_NaN();
  r.error = "device lost";
  r.error_code = 3;
  const json d = json::parse(pp::to_json(r, "1.2.3"));
  for (const char* key : {"cpu_load", "producer_min_slack_frames", "first_audio_ms", "startup_ms", "wall_s"})
    CHECK_MESSAGE(d[key].is_null(), key);
  CHECK(d["result"] == "error");
  CHECK(d["error"] == "device lost");
  CHECK(d["exit_code"] == 3);
  r.cpu_load = 0.25;
  r.min_slack_frames = 512;
  CHECK(json::parse(pp::to_json(r, ""))["cpu_load"] == 0.25);
  CHECK(json::parse(pp::to_json(r, ""))["producer_min_slack_frames"] == 512);
}

TEST_CASE("play JSON: a file name that is not UTF-8 stays valid JSON, its bytes percent-encoded beside it") {
  pp::play_report r = finished_report();
  r.files = {"ok.wav", "bad \xff\xfe name\n\"q\".wav"};
  r.notes = {"note with \x01 and \xC3\x28"};
  const std::string text = pp::to_json(r, "1.2.3");
  const json d = json::parse(text);  // strict: throws on invalid UTF-8
  CHECK(d["files"][0] == "ok.wav");
  CHECK(d["files"][1] == "bad \xEF\xBF\xBD\xEF\xBF\xBD name\n\"q\".wav");
  CHECK(d["files_percent_encoded"] == json::array({"ok.wav", "bad%20%FF%FE%20name%0A%22q%22.wav"}));
  CHECK(d["notes"][0] == "note with \x01 and \xEF\xBF\xBD(");
  CHECK(text.find('\x01') == std::string::npos);  // control characters escaped
}
