#include "player/engine.hpp"

#include <random>

namespace pingpong::player {
namespace {

using namespace std::chrono_literals;

template <class H>
class engine final : public engine_base {
 public:
  engine(const config& cfg, std::int64_t period_ns, std::size_t fade_frames)
      : engine_base(period_ns, cfg.channels, fade_frames), buffer_(cfg) {}

  render_result render(float* out, std::size_t frames,
                       const callback_status& status) noexcept PINGPONG_NONBLOCKING override {
    return measured(out, frames, status, [&] { return buffer_.reader().read(out, frames); });
  }
  std::size_t available() noexcept PINGPONG_NONBLOCKING override { return buffer_.reader().available(); }

  // Offline: the half's frames in place (zero copy); the fade, if one was
  // asked for, goes through render().
  view peek(std::size_t max_frames) noexcept override {
    if (fade_requested()) return view{.use_render = true};
    const std::int64_t start = now_ns();
    const auto v = buffer_.reader().peek(max_frames);
    if (v.frames > 0) count_in_place(start, v.frames);
    return view{.data = v.data, .frames = v.frames, .end = v.end_of_stream};
  }
  void consume(std::size_t frames) noexcept override { source_frames_played.add(buffer_.reader().consume(frames)); }

  void produce(source& input, const producer_setup& setup) override {
    setup_producer_thread(setup);
    std::string error;
    const bool stalls_on = setup.stall.rate_hz > 0 && setup.stall.length_ms > 0;
    // Stalls arrive at exponentially distributed intervals (a Poisson
    // process), so they fall at a random phase of the reader's swaps — as a
    // page fault or a slow read would — not just after a half was freed.
    std::mt19937 random(12345);
    std::exponential_distribution<double> gap(stalls_on ? setup.stall.rate_hz : 1.0);
    auto next_stall_after = [&] {
      return std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                    std::chrono::duration<double>(gap(random)));
    };
    auto next_stall = next_stall_after();
    try {
      for (;;) {
        auto slot = stalls_on ? buffer_.writer().acquire_until(next_stall) : buffer_.writer().acquire();
        if (!slot) {
          if (buffer_.writer_cancelled()) break;
          if (stalls_on && std::chrono::steady_clock::now() >= next_stall) {
            stall(setup.stall);
            next_stall = next_stall_after();
          }
          continue;
        }
        if (stalls_on && std::chrono::steady_clock::now() >= next_stall) {  // due while busy: stall holding the slot
          stall(setup.stall);
          next_stall = next_stall_after();
        }
        const std::size_t want = slot.capacity();
        const std::size_t got = input.read(slot.data(), want);
        // A short read is the end, or an error after the good frames it
        // returned: commit those (they play), then report the error.
        if (got < want) error = input.take_error();
        slot.commit(got, got < want);
        notify_audio();
        if (got < want) break;
      }
    } catch (const std::exception& e) {
      error = e.what();
      // End the stream where it is, so the device plays out and stops.
      if (auto slot = buffer_.writer().acquire_for(1s)) slot.commit(0, true);
    }
    finish_producer(std::move(error));
  }
  void cancel() noexcept override { buffer_.cancel_writer(); }

  /// Locked policies stall inside the critical section, as real code that
  /// decodes or faults while holding the lock does; lockfree has no lock.
  void stall(const play_options::stall_plan& plan) {
    stalls.add();
    const auto stall = [&] { stall_for(plan.length_ms, plan.busy); };
    // The policy's lab interface holds its own lock around the stall (a
    // locked policy); lockfree has no lock and just stalls.
    if (plan.inside_lock) {
      (void)buffer_.handoff().lab_stall_inside(stall);
    } else {
      stall();
    }
  }
  counters buffer_stats() const noexcept override { return buffer_.stats(); }
  writer_counters writer_stats() const noexcept override { return buffer_.writer_stats(); }
  std::uint64_t committed_halves() const noexcept override { return buffer_.writer_stats().halves_committed; }
  void drain_events(std::vector<event>& into) override {
    if (auto* log = buffer_.events()) {
      event e;
      while (log->try_pop(e)) into.push_back(e);
    }
  }

 private:
  double_buffer<H> buffer_;
};

}  // namespace

std::unique_ptr<engine_base> make_engine(handoff_kind kind, const config& cfg, std::int64_t period_ns,
                                         std::size_t fade_frames) {
  return with_handoff(kind, [&](auto policy) -> std::unique_ptr<engine_base> {
    return std::make_unique<engine<typename decltype(policy)::type>>(cfg, period_ns, fade_frames);
  });
}

}  // namespace pingpong::player
