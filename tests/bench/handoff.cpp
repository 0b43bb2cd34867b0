// pingpong_bench, section 2: handing blocks of audio from one pinned thread
// to another — the double buffer (every policy) next to the usual SPSC
// queues, with the same block and the same copies for all:
//   producer: stamp a 256-frame stereo block (2 KiB), copy it in
//   consumer: copy it out, compare every sample with what was sent
// Throughput: blocks/s one way. Round trip: A sends a block through one
// instance, B echoes it through a second one, A times send → echo received.
#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <string_view>

#include <concurrentqueue/concurrentqueue.h>
#include <jack/ringbuffer.h>
#include <readerwriterqueue/readerwritercircularbuffer.h>
#include <readerwriterqueue/readerwriterqueue.h>
#include <boost/lockfree/spsc_queue.hpp>

#include <pingpong/double_buffer.hpp>

#include "sections.hpp"
#include "v1_word.hpp"

namespace ppbench {
namespace {

struct block {
  std::array<float, block_floats> v;
};

void fill_pattern(block& b) {
  for (std::size_t i = 0; i < block_floats; ++i) b.v[i] = 1.0f + 0.25f * float(i);
}
// The sequence number goes into the first and last sample (as exact floats).
void stamp(block& b, std::uint64_t seq) {
  const float s = float(seq & ((1u << 24) - 1));
  b.v.front() = s;
  b.v.back() = -s;
}
bool same(const block& a, const block& b) {
  return std::memcmp(a.v.data(), b.v.data(), block_bytes) == 0;
}

// Every channel: send() waits until the block is accepted, recv() until one
// arrives; both copy the whole block. failures() counts API-level refusals
// that should never happen (a functional failure, like a data mismatch).

// ---- ours --------------------------------------------------------------------

template <class R>
concept has_available = requires(const R& r) {
  { r.available() } -> std::convertible_to<std::size_t>;
};

/// The double buffer with half_frames == one block. Spin: the producer polls
/// try_acquire(); otherwise it blocks in acquire() (bounded spin, then the
/// futex semaphore for lockfree, the condition variable for the mutex
/// policies; SpinBeforeSleep = false: sleeps at once, as v1 did). The
/// consumer polls available() (or read() itself) like a callback would.
template <class H, bool Blocking, bool SpinBeforeSleep = true>
class pingpong_channel {
 public:
  explicit pingpong_channel(std::size_t /*capacity: always two halves*/) : buffer_(make_config()) {}
  std::string capacity() const { return "2"; }

  void send(const block& b) {
    typename pingpong::double_buffer<H>::write_slot slot;
    if constexpr (Blocking) {
      slot = buffer_.writer().acquire();
    } else {
      // try_acquire() only loads (the reader's counter, when the cached copy
      // says "full"): polling it is what a spinning producer does.
      while (!(slot = buffer_.writer().try_acquire())) cpu_relax();
    }
    if (!slot) {
      ++send_failures_;
      return;
    }
    std::memcpy(slot.data(), b.v.data(), block_bytes);
    (void)slot.commit(block_frames);
  }

  void recv(block& b) {
    auto reader = buffer_.reader();
    for (;;) {
      if constexpr (has_available<decltype(reader)>) {
        while (reader.available() < block_frames) cpu_relax();
      }
      const pingpong::read_result r = reader.read(b.v.data(), block_frames);
      if (r.frames == block_frames) return;
      if (r.frames != 0) {  // halves are exactly one block: a partial read is a bug
        ++recv_failures_;
        return;
      }
      cpu_relax();  // not there yet, or trylock refused the swap
    }
  }

  std::uint64_t failures() const { return send_failures_ + recv_failures_; }

 private:
  static pingpong::config make_config() {
    pingpong::config c;
    c.half_frames = block_frames;
    c.channels = block_channels;
    // A blocking producer sleeps on the semaphore; a spinning one never
    // sleeps, so it needs no wake: poll (the reader then posts nothing —
    // a post is an atomic exchange, a full barrier on x86, per half).
    c.wake = Blocking ? pingpong::wake_kind::semaphore : pingpong::wake_kind::poll;
    // Blocking rows: the default bounded spin before the futex sleep, or
    // none (the v1 behaviour, kept as a row for comparison).
    if (!SpinBeforeSleep) c.spin_before_sleep = std::chrono::microseconds(0);
    return c;
  }
  pingpong::double_buffer<H> buffer_;
  alignas(64) std::uint64_t send_failures_ = 0;
  alignas(64) std::uint64_t recv_failures_ = 0;
};

// ---- the others ------------------------------------------------------------------

class boost_spsc_channel {
 public:
  explicit boost_spsc_channel(std::size_t capacity) : capacity_(capacity), queue_(capacity) {}
  std::string capacity() const { return std::to_string(capacity_); }
  void send(const block& b) {
    while (!queue_.push(b)) cpu_relax();
  }
  void recv(block& b) {
    while (!queue_.pop(b)) cpu_relax();
  }
  std::uint64_t failures() const { return 0; }

 private:
  std::size_t capacity_;
  boost::lockfree::spsc_queue<block> queue_;
};

class rwq_channel {
 public:
  explicit rwq_channel(std::size_t capacity) : queue_(capacity) {}
  std::string capacity() const { return std::to_string(queue_.max_capacity()); }
  void send(const block& b) {
    while (!queue_.try_enqueue(b)) cpu_relax();  // try_: never allocates
  }
  void recv(block& b) {
    while (!queue_.try_dequeue(b)) cpu_relax();
  }
  std::uint64_t failures() const { return 0; }

 private:
  moodycamel::ReaderWriterQueue<block> queue_;
};

/// Blocks on both sides (its semaphore spins briefly, then sleeps).
class rwcb_channel {
 public:
  explicit rwcb_channel(std::size_t capacity) : queue_(capacity) {}
  std::string capacity() const { return std::to_string(queue_.max_capacity()); }
  void send(const block& b) { queue_.wait_enqueue(b); }
  void recv(block& b) { queue_.wait_dequeue(b); }
  std::uint64_t failures() const { return 0; }

 private:
  moodycamel::BlockingReaderWriterCircularBuffer<block> queue_;
};

class concurrentqueue_channel {
 public:
  using queue = moodycamel::ConcurrentQueue<block>;
  explicit concurrentqueue_channel(std::size_t capacity)
      : capacity_(capacity), queue_(capacity), producer_(queue_), consumer_(queue_) {}
  std::string capacity() const {
    // try_enqueue never allocates, so the preallocated blocks are the limit.
    const std::size_t b = queue::BLOCK_SIZE;
    return std::to_string((capacity_ + b - 1) / b * b);
  }
  void send(const block& b) {
    while (!queue_.try_enqueue(producer_, b)) cpu_relax();
  }
  void recv(block& b) {
    while (!queue_.try_dequeue(consumer_, b)) cpu_relax();
  }
  std::uint64_t failures() const { return 0; }

 private:
  std::size_t capacity_;
  queue queue_;
  moodycamel::ProducerToken producer_;
  moodycamel::ConsumerToken consumer_;
};

/// jack_ringbuffer rounds its size up to a power of two; the producer keeps
/// the fill at `capacity` blocks so it holds exactly as many as the others.
class jack_channel {
 public:
  explicit jack_channel(std::size_t capacity)
      : capacity_bytes_(capacity * block_bytes), ring_(jack_ringbuffer_create(capacity_bytes_ + 1)) {
    if (!ring_) throw std::bad_alloc();
  }
  ~jack_channel() { jack_ringbuffer_free(ring_); }
  jack_channel(const jack_channel&) = delete;
  jack_channel& operator=(const jack_channel&) = delete;
  std::string capacity() const { return std::to_string(capacity_bytes_ / block_bytes); }

  void send(const block& b) {
    const std::size_t usable = ring_->size - 1;
    for (;;) {
      const std::size_t space = jack_ringbuffer_write_space(ring_);
      if (space >= block_bytes && usable - space + block_bytes <= capacity_bytes_) break;
      cpu_relax();
    }
    if (jack_ringbuffer_write(ring_, reinterpret_cast<const char*>(b.v.data()), block_bytes) != block_bytes)
      ++send_failures_;
  }
  void recv(block& b) {
    while (jack_ringbuffer_read_space(ring_) < block_bytes) cpu_relax();
    if (jack_ringbuffer_read(ring_, reinterpret_cast<char*>(b.v.data()), block_bytes) != block_bytes) ++recv_failures_;
  }
  std::uint64_t failures() const { return send_failures_ + recv_failures_; }

 private:
  std::size_t capacity_bytes_;
  jack_ringbuffer_t* ring_;
  alignas(64) std::uint64_t send_failures_ = 0;
  alignas(64) std::uint64_t recv_failures_ = 0;
};

/// The plain bounded queue: std::mutex, std::deque, two condition variables.
class mutex_deque_channel {
 public:
  explicit mutex_deque_channel(std::size_t capacity) : capacity_(capacity) {}
  std::string capacity() const { return std::to_string(capacity_); }
  void send(const block& b) {
    {
      std::unique_lock lock(mutex_);
      not_full_.wait(lock, [&] { return queue_.size() < capacity_; });
      queue_.push_back(b);
    }
    not_empty_.notify_one();
  }
  void recv(block& b) {
    {
      std::unique_lock lock(mutex_);
      not_empty_.wait(lock, [&] { return !queue_.empty(); });
      b = queue_.front();
      queue_.pop_front();
    }
    not_full_.notify_one();
  }
  std::uint64_t failures() const { return 0; }

 private:
  std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable not_empty_, not_full_;
  std::deque<block> queue_;
};

// ---- the measurement -----------------------------------------------------------

/// One-way: the consumer times the arrival of `blocks` blocks after a warm-up.
/// Returns blocks/s; adds wrong blocks to `bad`.
template <class Channel>
double throughput_once(const handoff_options& o, const block& pattern, std::size_t blocks, std::uint64_t& bad,
                       std::string* capacity) {
  auto channel = std::make_unique<Channel>(o.capacity);
  if (capacity) *capacity = channel->capacity();
  const std::size_t warm = blocks / 10 + 100;
  const std::size_t total = warm + blocks;
  std::int64_t t_start = 0, t_end = 0;
  std::uint64_t wrong = 0;
  start_gate gate;
  run_pair(
      o.where.cpu_a,
      [&] {  // consumer
        auto got = std::make_unique<block>();
        auto want = std::make_unique<block>(pattern);
        gate.arrive_and_wait(2);
        for (std::size_t i = 0; i < total; ++i) {
          if (i == warm) t_start = now_ns();
          channel->recv(*got);
          stamp(*want, i);
          if (!same(*got, *want)) ++wrong;
        }
        t_end = now_ns();
      },
      o.where.cpu_b,
      [&] {  // producer
        auto src = std::make_unique<block>(pattern);
        gate.arrive_and_wait(2);
        for (std::size_t i = 0; i < total; ++i) {
          stamp(*src, i);
          channel->send(*src);
        }
      });
  bad += wrong + channel->failures();
  const double seconds = double(t_end - t_start) * 1e-9;
  return seconds > 0 ? double(blocks) / seconds : 0;
}

/// A → (ab) → B → (ba) → A, `n` timed round trips after a warm-up.
template <class Channel>
std::vector<std::int64_t> round_trips_once(const handoff_options& o, const block& pattern, std::size_t n,
                                           std::uint64_t& bad) {
  auto ab = std::make_unique<Channel>(o.capacity);
  auto ba = std::make_unique<Channel>(o.capacity);
  const std::size_t warm = n / 10 + 100;
  const std::size_t total = warm + n;
  std::vector<std::int64_t> samples(n);
  std::uint64_t wrong = 0;
  start_gate gate;
  run_pair(
      o.where.cpu_a,
      [&] {  // A: sends, times the echo, checks it
        auto src = std::make_unique<block>(pattern);
        auto back = std::make_unique<block>();
        gate.arrive_and_wait(2);
        for (std::size_t i = 0; i < total; ++i) {
          stamp(*src, i);
          const std::int64_t t0 = now_ns();
          ab->send(*src);
          ba->recv(*back);
          const std::int64_t t1 = now_ns();
          if (i >= warm) samples[i - warm] = std::max<std::int64_t>(0, t1 - t0 - o.timer_ns);
          if (!same(*src, *back)) ++wrong;
        }
      },
      o.where.cpu_b,
      [&] {  // B: echoes
        auto tmp = std::make_unique<block>();
        gate.arrive_and_wait(2);
        for (std::size_t i = 0; i < total; ++i) {
          ab->recv(*tmp);
          ba->send(*tmp);
        }
      });
  bad += wrong + ab->failures() + ba->failures();
  return samples;
}

/// One row of the table, type-erased so that the rows can run round-robin.
struct row_runner {
  const char* name;
  std::function<double(std::size_t blocks, std::uint64_t& bad, std::string* capacity)> throughput;
  std::function<std::vector<std::int64_t>(std::size_t n, std::uint64_t& bad)> round_trips;
};

template <class Channel>
row_runner make_runner(const char* name, const handoff_options& o, const block& pattern) {
  return {name,
          [&o, &pattern](std::size_t blocks, std::uint64_t& bad, std::string* capacity) {
            return throughput_once<Channel>(o, pattern, blocks, bad, capacity);
          },
          [&o, &pattern](std::size_t n, std::uint64_t& bad) { return round_trips_once<Channel>(o, pattern, n, bad); }};
}

}  // namespace

std::vector<handoff_result> run_handoffs(const handoff_options& o,
                                         const std::function<void(const std::string&)>& progress) {
  namespace pp = pingpong;
  block pattern;
  fill_pattern(pattern);
  std::vector<row_runner> runners = {
      make_runner<pingpong_channel<pp::lockfree, false>>("pingpong lockfree (spin)", o, pattern),
      make_runner<pingpong_channel<pp::lockfree, true>>("pingpong lockfree (acquire)", o, pattern),
      make_runner<pingpong_channel<pp::lockfree, true, false>>("pingpong lockfree (acquire, no spin)", o, pattern),
      make_runner<pingpong_channel<v1_word_lockfree, false>>("pingpong v1 word layout (spin)", o, pattern),
      make_runner<pingpong_channel<v1_word_lockfree, true>>("pingpong v1 word layout (acquire)", o, pattern),
      make_runner<pingpong_channel<pp::mutex, false>>("pingpong mutex (spin)", o, pattern),
      make_runner<pingpong_channel<pp::mutex, true>>("pingpong mutex (acquire)", o, pattern),
      make_runner<pingpong_channel<pp::mutex, true, false>>("pingpong mutex (acquire, no spin)", o, pattern),
      make_runner<pingpong_channel<pp::mutex_pi, false>>("pingpong mutex-pi (spin)", o, pattern),
      make_runner<pingpong_channel<pp::mutex_pi, true>>("pingpong mutex-pi (acquire)", o, pattern),
      make_runner<pingpong_channel<pp::trylock, false>>("pingpong trylock (spin)", o, pattern),
      make_runner<pingpong_channel<pp::trylock, true>>("pingpong trylock (acquire)", o, pattern),
      make_runner<boost_spsc_channel>("boost::lockfree::spsc_queue", o, pattern),
      make_runner<rwq_channel>("moodycamel::ReaderWriterQueue", o, pattern),
      make_runner<rwcb_channel>("moodycamel::BlockingReaderWriterCircularBuffer", o, pattern),
      make_runner<concurrentqueue_channel>("moodycamel::ConcurrentQueue", o, pattern),
      make_runner<jack_channel>("jack_ringbuffer", o, pattern),
      make_runner<mutex_deque_channel>("std::mutex + std::deque + condvar", o, pattern),
  };
  if (!o.rows.empty()) {
    std::erase_if(runners, [&](const row_runner& r) {
      return std::none_of(o.rows.begin(), o.rows.end(), [&](const std::string& want) {
        return std::string_view(r.name).find(want) != std::string_view::npos;
      });
    });
  }
  const std::size_t trials = static_cast<std::size_t>(std::max(1, o.trials));
  std::vector<handoff_result> rows(runners.size());
  std::vector<std::size_t> trips_per_trial(runners.size());
  std::vector<std::vector<std::int64_t>> rtts(runners.size());

  // Size every row's runs from a short calibration, so that slow (sleeping)
  // queues do not take minutes and fast ones still run long enough.
  for (std::size_t k = 0; k < runners.size(); ++k) {
    handoff_result& res = rows[k];
    res.name = runners[k].name;
    if (progress) progress(std::string("calibrate ") + res.name);
    const double rate_guess = runners[k].throughput(2'000, res.mismatches, &res.capacity);
    res.blocks =
        std::clamp<std::size_t>(static_cast<std::size_t>(rate_guess * o.target_seconds), o.min_blocks, o.max_blocks);
    auto probe = runners[k].round_trips(1'000, res.mismatches);
    const double rtt_guess = std::max(1.0, summarize(probe).p50);
    const std::size_t n = std::clamp<std::size_t>(static_cast<std::size_t>(o.target_seconds * 1e9 / rtt_guess),
                                                  o.min_round_trips, o.max_round_trips);
    trips_per_trial[k] = std::max<std::size_t>(1, n / trials);
  }
  // Then the trials, round-robin over the rows: a change of load on this
  // shared machine hits every row alike.
  for (std::size_t trial = 0; trial < trials; ++trial) {
    for (std::size_t k = 0; k < runners.size(); ++k) {
      if (progress) progress(format("trial %zu/%zu %s", trial + 1, trials, runners[k].name));
      rows[k].trial_rates.push_back(runners[k].throughput(rows[k].blocks, rows[k].mismatches, nullptr));
      auto samples = runners[k].round_trips(trips_per_trial[k], rows[k].mismatches);
      rows[k].trial_rtt_p50.push_back(summarize(samples).p50);
      rtts[k].insert(rtts[k].end(), samples.begin(), samples.end());
    }
  }
  for (std::size_t k = 0; k < runners.size(); ++k) {
    std::vector<double> r = rows[k].trial_rates;  // sorted copy; the trial order stays for paired ratios
    std::sort(r.begin(), r.end());
    rows[k].blocks_per_s = r[r.size() / 2];
    rows[k].blocks_per_s_min = r.front();
    rows[k].blocks_per_s_max = r.back();
    rows[k].rtt = summarize(rtts[k]);
  }
  return rows;
}

}  // namespace ppbench
