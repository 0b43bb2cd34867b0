// pingpong devices / pingpong info.
#include "cli/commands.hpp"

#include <cstdio>

#include "cli/process.hpp"
#include "cli/status_line.hpp"
#include "player/device/device.hpp"
#include "player/source/source.hpp"
#include "player/text.hpp"

namespace pingpong::cli {
namespace pp = pingpong::player;

int run_devices() {
  try {
    const auto devices = pp::list_devices();
    if (devices.empty()) {
      std::puts("no output devices (start a JACK server: scripts/jack.sh start; or play with --device sim)");
      return pp::exit_ok;
    }
    std::printf("%-5s %-32s %-28s %4s %8s %10s\n", "index", "name", "host API", "ch", "rate", "latency ms");
    for (const auto& d : devices)
      std::printf("%-5d %-32s %-28s %4d %8.0f %5.1f-%-5.1f%s\n", d.index, d.name.c_str(), d.host_api.c_str(),
                  d.max_output_channels, d.default_rate, d.low_latency_s * 1e3, d.high_latency_s * 1e3,
                  d.is_default ? " (default)" : "");
    std::puts("sim   (simulated device: a paced thread, no audio)");
    return pp::exit_ok;
  } catch (const pp::device_error& e) {
    return fail(pp::exit_device, e.what());
  }
}

int run_info(const std::vector<std::string>& files) {
  int code = pp::exit_ok;
  for (const auto& path : files) {
    try {
      const pp::file_info i = pp::probe_file(path);
      std::printf("%s: %s, %s, %d Hz, %d ch, %lld frames, %s", pp::printable(path).c_str(), i.format.c_str(),
                  i.subtype.c_str(), i.sample_rate, i.channels, (long long)i.frames, clock_text(i.duration_s).c_str());
      if (i.channels > 2)
        std::printf(", %s%s%s", i.layout.c_str(), i.speakers.empty() ? "" : (" (" + i.speakers + ")").c_str(),
                    i.layout_source.empty() ? "" : ("; " + i.layout_source).c_str());
      std::printf("\n");
      // Tags, one per line under the file, as `soxi` and `mediainfo` show them.
      for (const auto& [name, value] : {std::pair<const char*, const std::string&>{"title", i.title},
                                        {"artist", i.artist},
                                        {"album", i.album},
                                        {"date", i.date},
                                        {"comment", i.comment}})
        if (!value.empty()) std::printf("  %s: %s\n", name, pp::printable(value).c_str());
    } catch (const pp::input_error& e) {
      fail(pp::exit_bad_input, e.what());
      code = pp::exit_bad_input;
    }
  }
  pp::release_streams();  // '-' and named pipes: their relays end here
  return code;
}

}  // namespace pingpong::cli
