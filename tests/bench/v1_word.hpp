// pingpong_bench only: the v1 lockfree handoff (one state word, 2 bits per
// half, both sides change it with RMWs), behind the v2 policy interface, so
// that the two layouts run in the same binary and the same run. Not part of
// the library. The protocol is the one v1 shipped (see git history of
// include/pingpong/handoff.hpp before the per-side counters).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include <pingpong/handoff.hpp>
#include <pingpong/semaphore.hpp>

namespace ppbench {

class v1_word_lockfree {
 public:
  static constexpr pingpong::handoff_kind kind = pingpong::handoff_kind::lockfree;

  // --- writer ---
  unsigned writer_half() noexcept {
    // A flush applied since we last looked restarts the writer at half 0 (v1).
    const std::uint32_t ack = load() & flush_acknowledged;
    if (ack != ack_seen_) {
      ack_seen_ = ack;
      next_ = 0;
    }
    return next_;
  }
  bool flush_pending() const noexcept { return pending(load()); }
  bool claimable() noexcept {
    const std::uint32_t w = load();
    return !pending(w) && of(w, writer_half()) == free_;
  }
  bool try_claim(unsigned half) noexcept {
    const std::uint32_t w = load();
    if (pending(w) || of(w, half) != free_) return false;
    // relaxed: ownership for observers; the acquire load ordered our writes.
    word_.fetch_xor(filling_ << shift(half), std::memory_order_relaxed);
    return true;
  }
  void publish(unsigned half, std::size_t frames, bool end) noexcept {
    meta_[half].frames = frames;  // v1: a padded line per half, published by the RMW below
    meta_[half].end = end;
    // release: publishes the half; pairs with the acquire load in reader_swap.
    word_.fetch_xor((filling_ ^ ready_) << shift(half), std::memory_order_release);
    next_ = half ^ 1u;
  }
  void abandon(unsigned half) noexcept {
    word_.fetch_xor(filling_ << shift(half), std::memory_order_relaxed);  // relaxed: never published
  }
  void request_flush() noexcept {
    if (pending(load())) return;
    word_.fetch_xor(flush_requested, std::memory_order_release);  // release: pairs with the reader's acquire load
  }

  void writer_refresh() noexcept {}  // v1 had no cached copy: every claim loads the word
  std::size_t frames_of(unsigned half) const noexcept { return meta_[half].frames; }
  bool end_of(unsigned half) const noexcept { return meta_[half].end; }

  // --- reader ---
  unsigned reader_half() const noexcept { return rnext_; }
  bool ready() noexcept { return of(load(), rnext_) == ready_; }
  bool reader_flush_requested() const noexcept { return pending(load()); }
  pingpong::swap_outcome reader_swap(int release_half, unsigned take_half) noexcept {
    const std::uint32_t w = load();
    std::uint32_t toggle = 0;
    if (release_half >= 0) toggle |= playing_ << shift(unsigned(release_half));
    const bool take = of(w, take_half) == ready_;
    if (take) toggle |= (ready_ ^ playing_) << shift(take_half);
    // release: our reads of the released half happen-before its refill
    // (pairs with the acquire load in try_claim).
    if (toggle != 0) word_.fetch_xor(toggle, std::memory_order_release);
    if (take) rnext_ = take_half ^ 1u;
    return {true, take};
  }
  bool reader_apply_flush() noexcept {
    const std::uint32_t w = load();
    const std::uint32_t requested = w & flush_requested;
    // release: our reads of the dropped halves happen-before their refill.
    word_.store(requested | (requested ? flush_acknowledged : 0u), std::memory_order_release);
    rnext_ = 0;
    return true;
  }

  // --- wake ---
  bool notify() noexcept { return wake_.post(); }
  bool wait(unsigned, std::chrono::steady_clock::time_point deadline, const std::atomic<bool>& cancel) noexcept {
    // acquire: pairs with the release store in cancel_writer().
    if (claimable() || cancel.load(std::memory_order_acquire)) return claimable();
    (void)wake_.wait_until(deadline);
    return claimable();
  }
  void wake_writer() noexcept { (void)wake_.post(); }
  std::uint32_t half_state(unsigned half) const noexcept { return of(load(), half); }
  // v1 kept the reader's position on a line of its own (the reader's state).
  void set_frames_read(std::uint64_t f) noexcept { position_.frames_read.store(f, std::memory_order_relaxed); }
  void set_front_end_position(std::uint64_t f) noexcept {
    position_.front_end.store(f, std::memory_order_relaxed);  // relaxed: statistics, as in v2
  }
  std::uint64_t frames_read() const noexcept { return position_.frames_read.load(std::memory_order_relaxed); }
  std::uint64_t front_end_position() const noexcept { return position_.front_end.load(std::memory_order_relaxed); }
  // Just published, it is `ready` until the reader takes it (playing, or free again).
  bool reader_took_last_published() const noexcept { return of(load(), next_ ^ 1u) != ready_; }
  template <class F>
  bool lab_stall_inside(F&& stall) {
    stall();
    return false;
  }

 private:
  static constexpr std::uint32_t free_ = 0, filling_ = 1, ready_ = 2, playing_ = 3;
  static constexpr std::uint32_t flush_requested = 1u << 4, flush_acknowledged = 1u << 5;
  static constexpr unsigned shift(unsigned half) noexcept { return 2 * half; }
  static constexpr std::uint32_t of(std::uint32_t w, unsigned half) noexcept { return (w >> shift(half)) & 3u; }
  static constexpr bool pending(std::uint32_t w) noexcept { return ((w >> 4) ^ (w >> 5)) & 1u; }
  // acquire: see the comments at each RMW above (pairs with their release).
  std::uint32_t load() const noexcept { return word_.load(std::memory_order_acquire); }

  struct alignas(64) padded_meta {
    std::size_t frames = 0;
    bool end = false;
  };
  padded_meta meta_[2];
  alignas(64) std::atomic<std::uint32_t> word_{0};
  alignas(64) unsigned next_ = 0;   // writer-only
  std::uint32_t ack_seen_ = 0;      // writer-only
  alignas(64) unsigned rnext_ = 0;  // reader-only
  alignas(64) pingpong::wake_semaphore wake_;
  struct alignas(64) position_line {
    std::atomic<std::uint64_t> frames_read{0};
    std::atomic<std::uint64_t> front_end{0};
  } position_;
};

}  // namespace ppbench
