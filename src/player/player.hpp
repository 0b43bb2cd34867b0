// pingpong::player::play — decode files in a producer thread into a double
// buffer, play it through a device's real-time callback, and measure.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <pingpong/handoff.hpp>

#include "player/device/device.hpp"
#include "player/errors.hpp"

namespace pingpong::player {

/// The ranges play() accepts (validate()); the CLI checks the same ones.
inline constexpr std::size_t min_period_frames = 16, max_period_frames = 16384;
inline constexpr std::size_t max_half_frames = std::size_t(1) << 22;
inline constexpr double min_gain_db = -120.0, max_gain_db = 40.0;
inline constexpr int min_output_rate = 8000, max_output_rate = 384000;
/// The two halves together may take at most this much memory.
inline constexpr std::size_t max_buffer_bytes = std::size_t(1) << 30;

struct play_options {
  std::vector<std::string> files;
  std::vector<std::string>
      titles;          ///< per file, from a playlist (may be shorter; empty: the file's own title tag, else its name)
  std::string device;  ///< "", "sim", a name substring or an index
  std::string output_file;          ///< offline render instead of a device
  std::size_t period_frames = 256;  ///< frames per callback (a JACK server's own period wins; see device_info)
  bool period_given = false;        ///< the user asked for period_frames: say so when the device decides otherwise
  std::size_t half_frames = 0;      ///< 0: 8 × period (at least 2048)
  handoff_kind handoff = handoff_kind::lockfree;
  std::optional<wake_kind> wake;  ///< none: auto (resolved_wake: poll on a device, semaphore offline)
  double gain_db = 0.0;
  double start_s = 0.0;
  double end_s = -1.0;
  int loops = 1;  ///< 0 = until stopped (not with output_file: it would never end)
  output_encoding encoding = output_encoding::automatic;  ///< output_file's sample format (--bits)
  int rate = 0;              ///< output rate: 0 = the first file's, or the device's own if it cannot run at it;
                             ///< nonzero: exactly this, or a device_error naming the rates the device supports
  double fade_out_ms = 5.0;  ///< on interrupt: ramp to silence over this long, then stop (no click); also
                             ///< the declick of pause and seek (out, and back in)
  /// Live control (keys): pause, seek and skip may come through play_control
  /// (the producer polls for seeks and, at the end, waits for one).
  bool interactive = false;
  double volume_ramp_ms = 10.0;  ///< the volume moves by at most full scale in this long (no zipper)

  // --- glitch-lab controls (pingpong compare / probe) ---
  double stop_after_s = 0.0;              ///< stop after this long (wall clock); 0 = play to the end
  std::uint64_t stop_after_glitches = 0;  ///< stop early once underruns + deadline misses exceed this; 0 = never
  struct stall_plan {
    double rate_hz = 0.0;     ///< injected producer stalls per second; 0 = none
    double length_ms = 0.0;   ///< each stall's length
    bool busy = false;        ///< spin (holds the CPU, can be preempted) instead of sleeping
    bool inside_lock = true;  ///< locked policies: stall while holding the handoff lock
  } stall;
  int producer_fifo_priority =
      0;                     ///< 0 = SCHED_OTHER; N: SCHED_FIFO N if permitted (else SCHED_OTHER, said in the report)
  bool lock_memory = false;  ///< mlockall(MCL_CURRENT | MCL_FUTURE) for the run, if permitted (halves prefaulted)
  int producer_cpu = -1;     ///< pin the producer thread; -1 = no
  int device_fifo_priority = 70;   ///< sim device thread
  int device_cpu = -1;             ///< pin the sim device thread; -1 = no
  bool collect_timeline = false;   ///< sample counters at 20 Hz into report.timeline
  bool count_rt_syscalls = false;  ///< perf-count system calls on the RT thread
};

/// One sample of a run's timeline, taken by the control thread (20 Hz).
struct timeline_point {
  double t_s = 0.0;                   ///< since the device started
  double fill = 0.0;                  ///< queued frames / both halves, 0..1
  std::uint64_t underruns = 0;        ///< cumulative underrun events
  std::uint64_t deadline_misses = 0;  ///< cumulative
  std::uint64_t device_xruns = 0;     ///< cumulative
};

/// One underrun as the real-time side logged it (the double buffer's event
/// log, drained by the control thread while playing).
struct underrun_entry {
  double t_s = 0.0;                  ///< since the device started
  std::uint64_t position = 0;        ///< audio frames played before it: where in the stream the silence fell
  double position_s = 0.0;           ///< the same, in seconds
  std::uint32_t silence_frames = 0;  ///< frames of silence the callback played instead
};

/// p50/p99/p99.9/max of a latency distribution, in microseconds.
struct latency_summary {
  double p50 = 0, p99 = 0, p999 = 0, max = 0;
  std::uint64_t count = 0;
  std::vector<latency_histogram::bin> bins;  ///< log-scale histogram
};

/// Everything `pingpong play` reports (the summary, --json, and compare).
struct play_report {
  std::vector<std::string> files;
  device_info device;
  std::string handoff, wake;
  std::size_t half_frames = 0;
  std::string channel_mapping;
  bool resampled = false;
  int source_rate = 0;
  std::uint64_t frames_played = 0;  ///< frames from the source that reached the device
  double duration_s = 0.0;          ///< frames_played / rate
  double wall_s = 0.0;              ///< wall time from start to stop
  std::uint64_t underrun_events = 0, underrun_frames = 0;
  std::uint64_t deadline_misses = 0;
  std::uint64_t device_xruns = 0;  ///< output underflow + overflow reported by the host
  std::uint64_t output_underflows = 0, output_overflows = 0, priming_callbacks = 0;
  std::uint64_t callbacks = 0, swaps = 0, wake_syscalls = 0, lock_busy = 0, events_dropped = 0;
  std::uint64_t max_swap_ns = 0;
  std::uint64_t server_stalls =
      0;  ///< the audio server stopped calling back for a while and came back (each is also a device xrun)
  double longest_stall_s = 0.0;
  std::uint64_t clipped_samples = 0;  ///< offline integer formats: samples clipped to ±1.0
  std::vector<std::string> notes;     ///< what the device decided differently from the options (one line each)
  latency_summary callback_us, interval_us, wake_late_us;
  double cpu_load = -1.0;              ///< < 0: the device has no estimate
  std::int64_t min_slack_frames = -1;  ///< least frames queued ahead when the producer published; < 0: never measured
  double first_audio_ms = -1.0;        ///< device start → first callback that played audio; < 0: none did
  double startup_ms = -1.0;  ///< play() called (files unopened) → first callback that played audio; < 0: none did
  bool interrupted = false;
  bool quit = false;  ///< stopped by play_control::quit() (not an error, not an interrupt)
  std::vector<timeline_point> timeline;
  static constexpr std::size_t underrun_log_limit = 1000;
  std::vector<underrun_entry> underrun_log;  ///< the first underrun_log_limit underruns, in order
  std::uint64_t underrun_log_dropped = 0;    ///< underruns past the limit, or lost when the event log was full
  double rt_syscalls_per_callback = -1.0;    ///< < 0: not measured (see rt_syscalls_note)
  std::string rt_syscalls_note;
  std::string producer_scheduling, device_scheduling;  ///< e.g. "SCHED_FIFO 10, CPU 0"
  std::string memory;                                  ///< "locked", "not locked (not asked)", "not locked: <why>"
  std::uint64_t stalls_injected = 0;
  std::string error;   ///< non-empty: result "error"
  int error_code = 0;  ///< exit code for the error

  bool glitched() const noexcept { return underrun_events > 0 || device_xruns > 0 || deadline_misses > 0; }
};

/// The one verdict of a run, for the text summary and the JSON alike:
/// "error" (report.error is set), "glitched" or "clean".
const char* verdict(const play_report& report) noexcept;

/// What the live status line shows. Passed to on_tick a few times a second.
struct live_status {
  double position_s = 0.0;
  double duration_s = -1.0;  ///< -1: unknown or looping forever
  double fill = 0.0;         ///< queued frames / both halves, 0..1
  std::uint64_t underruns = 0, deadline_misses = 0, device_xruns = 0;
  double cpu_load = -1.0;
  std::string file;
  std::string title;  ///< what to call it: the playlist's title, the file's title tag, or empty
  std::size_t file_index = 0, file_count = 1;  ///< file is file_index + 1 of file_count
  double file_position_s = 0.0;                ///< position within that file (first pass)
  double file_duration_s = -1.0;               ///< that file's length; -1: unknown
  double stalled_s = 0.0;                      ///< > 0: the audio server has not called back for this long
  bool paused = false;
  bool muted = false;
  double volume_db = 0.0;  ///< the live volume (keys), on top of --gain
  std::string message;     ///< a passing note for the user (e.g. "cannot seek in a pipe"); filled by the caller
};

/// What the keys do to a running play(). Thread: the control thread (the
/// one in play(): play_hooks::on_idle). Each call returns at once; the
/// callback sees it through atomics.
class play_control {
 public:
  virtual ~play_control() = default;
  virtual void toggle_pause() = 0;
  virtual bool paused() const = 0;
  /// Seek by `seconds` in the file heard (before its start: its start;
  /// past its end: the next file). False if it cannot (a pipe), with why.
  virtual bool seek(double seconds, std::string& why) = 0;
  /// `files` files on (negative: back). False if it cannot (a pipe), with why.
  virtual bool skip(int files, std::string& why) = 0;
  /// The live volume, in dB (clamped to -60..+12), ramped; and mute.
  virtual void change_volume(double db) = 0;
  virtual void toggle_mute() = 0;
  /// Stop like the end of the list (a fade, the summary, exit 0).
  virtual void quit() = 0;
};

struct play_hooks {
  std::function<void(const live_status&)> on_tick;   ///< control thread, ~5 Hz
  std::function<void(const play_report&)> on_start;  ///< after the device opened
  const std::atomic<bool>* interrupt = nullptr;      ///< set (e.g. by SIGINT) to stop early
  /// Control thread, between the monitor's checks, instead of its 10 ms
  /// nap: must return within about 10 ms (e.g. poll() on stdin for keys).
  std::function<void(play_control&)> on_idle;
};

/// The half size play() uses: options.half_frames, or by default 8 periods
/// (at least 2048 frames) on a device and 16384 frames offline, where only
/// throughput matters and handoffs should be rare.
std::size_t effective_half_frames(const play_options& options) noexcept;
/// The same for a device whose period is `device_period` (JACK's own): a
/// half always holds at least one device period.
std::size_t effective_half_frames(const play_options& options, std::size_t device_period) noexcept;

/// The wake the producer uses: options.wake, or for auto poll on a device
/// (no system call on the real-time thread) and semaphore offline.
wake_kind resolved_wake(const play_options& options) noexcept;

/// Plays to the end (or until interrupted). Throws input_error (exit 2) or
/// device_error (exit 3) for failures before playback starts; failures
/// during playback are returned in report.error. No thread outlives it.
play_report play(const play_options& options, const play_hooks& hooks = {});

// The summary and the JSON of a report: report/text.hpp, report/json.hpp.

}  // namespace pingpong::player
