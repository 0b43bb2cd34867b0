// probe_text (report/text.hpp): the sweep as the terminal shows it.
#include <doctest/doctest.h>

#include <string>

#include "player/report/text.hpp"

namespace pp = pingpong::player;

namespace {

bool has(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

pp::probe_report one_clean_step(bool period_fixed) {
  pp::probe_report r;
  r.device = {"system", period_fixed ? "JACK Audio Connection Kit" : "ALSA", 48000, 2, 256, 0.0, period_fixed, ""};
  r.handoff = "lockfree";
  r.wake = "poll";
  r.load = "cpu";
  r.period_fixed = period_fixed;
  r.period_note = period_fixed ? "the JACK server's buffer size, 256 frames" : "";
  pp::probe_step s;
  s.period_frames = s.requested_period_frames = 256;
  s.half_frames = 512;
  s.period_us = 1e6 * 256 / 48000.0;
  s.latency_ms = 16.0;
  s.worst_callback_us = 533.3;
  s.clean = true;
  r.steps.push_back(s);
  r.best = 0;
  return r;
}

}  // namespace

TEST_CASE("probe text: the smallest clean configuration, as options the device honours") {
  const std::string free_period = pp::probe_text(one_clean_step(false));
  INFO(free_period);
  CHECK(has(free_period, "pingpong probe on 'system' (ALSA), 48000 Hz, lockfree/poll, load cpu\n"));
  CHECK(has(free_period, "smallest clean configuration: --period 256 --half 512 (16.00 ms), worst callback 533.3 µs"));
  CHECK(has(free_period, "(margin 90%)"));
  const std::string fixed = pp::probe_text(one_clean_step(true));
  INFO(fixed);
  CHECK(has(fixed, "period: the JACK server's buffer size, 256 frames; probing the half only\n"));
  CHECK(has(fixed, "smallest clean configuration: --half 512 at the device's period of 256 frames"));
  CHECK_FALSE(has(fixed, "--period"));
}

TEST_CASE("probe text: none clean, interrupted, the load's note") {
  pp::probe_report r = one_clean_step(false);
  r.steps[0].clean = false;
  r.steps[0].stopped_early = true;
  r.best = -1;
  r.interrupted = true;
  r.load_note = "hog: SCHED_FIFO 40 not permitted";
  const std::string text = pp::probe_text(r);
  INFO(text);
  CHECK(has(text, "fails (stopped early)"));
  CHECK(has(text, "no configuration ran clean\n"));
  CHECK(has(text, "interrupted: the configuration that was playing is left out\n"));
  CHECK(has(text, "load: hog: SCHED_FIFO 40 not permitted\n"));
}
