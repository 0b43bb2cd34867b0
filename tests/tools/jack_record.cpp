// pp_jack_record: records the audio output ports of one JACK client (by
// default "pingpong", the player) into a 32-bit float WAV, sample-exact.
//
//   pp_jack_record [options] OUTPUT.wav
//
// The recorder registers --channels input ports, waits for the target
// client's output ports to appear, connects the first --channels of them (in
// natural name order: out_0, out_1, ... or out_1, out_2, ...) and records until
// the target's ports disappear (it exited or closed its stream), --seconds have
// been recorded, or SIGINT/SIGTERM. Recording starts just before the first
// connection is made, so the file begins with a little silence; nothing is
// trimmed (pp_compare_audio aligns).
//
// Real-time rules: the process callback only copies the port buffers into a
// preallocated single-producer/single-consumer ring and updates atomics; a
// writer thread drains the ring into libsndfile. A full ring drops the cycle
// and is counted (an "overflow"); a complete recording has none. The ring is
// our own (std::atomic indices) rather than jack_ringbuffer: libjack is not
// instrumented, so ThreadSanitizer builds would report jack_ringbuffer's
// hand-off as a data race.
//
// Exit status: 0 recorded; 1 the recording is damaged (ring overflow, file
// write error); 2 bad usage or output file; 3 JACK error (no server, the
// server shut down); 4 the target client's ports never appeared.
#include <jack/jack.h>
#include <sndfile.h>
#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

volatile std::sig_atomic_t g_signal = 0;
void on_signal(int sig) {
  g_signal = sig;
}

struct options {
  std::string output;
  std::string target = "pingpong";
  std::string name = "pp-record";
  std::string server;  // empty: $JACK_DEFAULT_SERVER / "default"
  std::string ready_file;
  std::size_t channels = 2;
  double seconds = 0;           // 0: no limit
  double wait_for_client = 10;  // 0: forever
  double ring_seconds = 4;
  bool quiet = false;
  bool verbose = false;
};

void usage(std::FILE* to) {
  std::fputs(
      "usage: pp_jack_record [options] OUTPUT.wav\n"
      "Records the audio output ports of a JACK client into a 32-bit float WAV.\n"
      "  --client NAME          client to record (ports NAME:*), default pingpong\n"
      "  --channels N           input ports and file channels, default 2\n"
      "  --seconds S            stop after S seconds recorded (default: until the client's ports go)\n"
      "  --wait-for-client S    give up when no port of the client appeared in S s (default 10, 0 = forever)\n"
      "  --ready-file PATH      create PATH once the recorder is active and waiting for the client\n"
      "  --name NAME            this recorder's JACK client name, default pp-record\n"
      "  --server NAME          JACK server name, default $JACK_DEFAULT_SERVER\n"
      "  --ring-seconds S       ring buffer capacity in seconds of audio, default 4\n"
      "  --quiet                only the summary line\n"
      "  --verbose              also libjack's own messages\n"
      "exit: 0 ok, 1 recording damaged (overflow / write error), 2 usage, 3 JACK error,\n"
      "      4 the client's ports never appeared\n",
      to);
}

bool parse_double(const char* s, double& out) {
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(s, &end);
  if (errno != 0 || end == s || *end != '\0' || !(v >= 0) || v > 1e9) return false;
  out = v;
  return true;
}

// Returns 0 on success, 2 on bad usage (message printed), -1 for --help.
int parse_args(int argc, char** argv, options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    auto value = [&](const char*& v) {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "pp_jack_record: %s needs a value\n", argv[i]);
        return false;
      }
      v = argv[++i];
      return true;
    };
    const char* v = nullptr;
    if (a == "-h" || a == "--help") return -1;
    if (a == "--quiet" || a == "-q") {
      o.quiet = true;
    } else if (a == "--verbose" || a == "-v") {
      o.verbose = true;
    } else if (a == "--client") {
      if (!value(v)) return 2;
      o.target = v;
    } else if (a == "--name") {
      if (!value(v)) return 2;
      o.name = v;
    } else if (a == "--server") {
      if (!value(v)) return 2;
      o.server = v;
    } else if (a == "--ready-file") {
      if (!value(v)) return 2;
      o.ready_file = v;
    } else if (a == "--channels") {
      if (!value(v)) return 2;
      double n = 0;
      if (!parse_double(v, n) || n < 1 || n > 64 || n != static_cast<double>(static_cast<int>(n))) {
        std::fprintf(stderr, "pp_jack_record: --channels wants an integer 1..64, not '%s'\n", v);
        return 2;
      }
      o.channels = static_cast<std::size_t>(n);
    } else if (a == "--seconds" || a == "--wait-for-client" || a == "--ring-seconds") {
      if (!value(v)) return 2;
      double& dst = a == "--seconds" ? o.seconds : a == "--wait-for-client" ? o.wait_for_client : o.ring_seconds;
      if (!parse_double(v, dst)) {
        std::fprintf(stderr, "pp_jack_record: %s wants a number of seconds >= 0, not '%s'\n", argv[i - 1], v);
        return 2;
      }
    } else if (a.size() > 1 && a[0] == '-') {
      std::fprintf(stderr, "pp_jack_record: unknown option %s\n", argv[i]);
      return 2;
    } else if (o.output.empty()) {
      o.output = argv[i];
    } else {
      std::fprintf(stderr, "pp_jack_record: more than one output file given\n");
      return 2;
    }
  }
  if (o.output.empty()) {
    std::fprintf(stderr, "pp_jack_record: no output file given\n");
    return 2;
  }
  if (o.target.empty() || o.target.find(':') != std::string::npos) {
    std::fprintf(stderr, "pp_jack_record: --client wants a client name without ':'\n");
    return 2;
  }
  if (o.ring_seconds < 0.1) o.ring_seconds = 0.1;
  return 0;
}

// "out_2" < "out_10": digit runs compare by value.
bool natural_less(const std::string& a, const std::string& b) {
  std::size_t i = 0, j = 0;
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  while (i < a.size() && j < b.size()) {
    if (digit(a[i]) && digit(b[j])) {
      std::size_t ie = i, je = j;
      while (ie < a.size() && digit(a[ie])) ++ie;
      while (je < b.size() && digit(b[je])) ++je;
      const std::string_view da = std::string_view(a).substr(i, ie - i), db = std::string_view(b).substr(j, je - j);
      const auto sa = da.find_first_not_of('0'), sb = db.find_first_not_of('0');
      const std::string_view na = sa == std::string_view::npos ? std::string_view() : da.substr(sa);
      const std::string_view nb = sb == std::string_view::npos ? std::string_view() : db.substr(sb);
      if (na.size() != nb.size()) return na.size() < nb.size();
      if (na != nb) return na < nb;
      i = ie;
      j = je;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

// A lock-free single-producer/single-consumer ring of floats. The indices
// only grow; the capacity is a power of two, so index & mask is the slot.
class spsc_ring {
 public:
  explicit spsc_ring(std::size_t min_capacity) {
    std::size_t cap = 1;
    while (cap < min_capacity) cap <<= 1;
    buf_.assign(cap, 0.0f);  // touches every page before the real-time thread does
    mask_ = cap - 1;
    locked_ = mlock(buf_.data(), cap * sizeof(float)) == 0;  // best effort
  }
  ~spsc_ring() {
    if (locked_) munlock(buf_.data(), buf_.size() * sizeof(float));
  }
  spsc_ring(const spsc_ring&) = delete;
  spsc_ring& operator=(const spsc_ring&) = delete;

  // producer
  std::size_t write_index() const { return w_.load(std::memory_order_relaxed); }
  std::size_t write_space() const { return buf_.size() - (write_index() - r_.load(std::memory_order_acquire)); }
  float& at(std::size_t index) { return buf_[index & mask_]; }
  void publish(std::size_t new_write_index) { w_.store(new_write_index, std::memory_order_release); }

  // consumer
  std::size_t read_space() const { return w_.load(std::memory_order_acquire) - r_.load(std::memory_order_relaxed); }
  void read(float* out, std::size_t n) {
    const std::size_t r = r_.load(std::memory_order_relaxed);
    const std::size_t first = std::min(n, buf_.size() - (r & mask_));
    std::memcpy(out, &buf_[r & mask_], first * sizeof(float));
    std::memcpy(out + first, buf_.data(), (n - first) * sizeof(float));
    r_.store(r + n, std::memory_order_release);
  }

 private:
  std::vector<float> buf_;
  std::size_t mask_ = 0;
  bool locked_ = false;
  alignas(64) std::atomic<std::size_t> w_{0};
  alignas(64) std::atomic<std::size_t> r_{0};
};

struct recorder {
  explicit recorder(std::size_t ring_floats) : ring(ring_floats) {}
  std::size_t channels = 2;
  std::uint64_t max_frames = 0;  // 0: no limit
  std::vector<jack_port_t*> ports;
  spsc_ring ring;

  // main -> process
  std::atomic<bool> armed{false};
  std::atomic<bool> stop{false};
  // process -> main (single writer: the process thread)
  std::atomic<bool> full{false};
  std::atomic<std::uint64_t> frames{0};
  std::atomic<std::uint64_t> overflow_frames{0};
  std::atomic<std::uint64_t> overflow_cycles{0};
  // notification threads -> main
  std::atomic<std::uint64_t> xruns{0};
  std::atomic<bool> shutdown{false};
  std::mutex m;
  std::condition_variable cv;
  bool graph_changed = false;
};

// The real-time callback: no allocation, no locks, no I/O.
int process(jack_nframes_t nframes, void* arg) {
  auto& r = *static_cast<recorder*>(arg);
  if (!r.armed.load(std::memory_order_acquire) || r.stop.load(std::memory_order_relaxed) ||
      r.full.load(std::memory_order_relaxed))
    return 0;
  std::uint64_t done = r.frames.load(std::memory_order_relaxed);
  std::uint64_t n = nframes;
  if (r.max_frames != 0 && n > r.max_frames - done) n = r.max_frames - done;
  const std::size_t samples = static_cast<std::size_t>(n) * r.channels;
  if (r.ring.write_space() < samples) {
    r.overflow_frames.store(r.overflow_frames.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    r.overflow_cycles.store(r.overflow_cycles.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  } else {
    // Interleave straight into the ring.
    const std::size_t w = r.ring.write_index();
    for (std::size_t c = 0; c < r.channels; ++c) {
      const auto* in = static_cast<const float*>(jack_port_get_buffer(r.ports[c], nframes));
      for (std::size_t f = 0; f < n; ++f) r.ring.at(w + f * r.channels + c) = in[f];
    }
    r.ring.publish(w + samples);
  }
  done += n;
  r.frames.store(done, std::memory_order_release);
  if (r.max_frames != 0 && done >= r.max_frames) r.full.store(true, std::memory_order_release);
  return 0;
}

void notify_graph(recorder& r) {
  {
    std::lock_guard lock(r.m);
    r.graph_changed = true;
  }
  r.cv.notify_one();
}
void on_port_registration(jack_port_id_t, int, void* arg) {
  notify_graph(*static_cast<recorder*>(arg));
}
void on_client_registration(const char*, int, void* arg) {
  notify_graph(*static_cast<recorder*>(arg));
}
// A client's activation reorders the graph; its ports can be connected from then on.
int on_graph_order(void* arg) {
  notify_graph(*static_cast<recorder*>(arg));
  return 0;
}
int on_xrun(void* arg) {
  auto& r = *static_cast<recorder*>(arg);
  r.xruns.fetch_add(1, std::memory_order_relaxed);
  return 0;
}
void on_shutdown(void* arg) {
  static_cast<recorder*>(arg)->shutdown.store(true, std::memory_order_release);
}
void silent(const char*) {}

bool g_quiet = false;
// Progress messages on stderr, unless --quiet.
__attribute__((format(printf, 1, 2))) void note(const char* fmt, ...) {
  if (g_quiet) return;
  va_list args;
  va_start(args, fmt);
  std::vfprintf(stderr, fmt, args);
  va_end(args);
}

std::vector<std::string> target_ports(jack_client_t* client, const std::string& target) {
  std::vector<std::string> out;
  const std::string prefix = target + ":";
  if (const char** names = jack_get_ports(client, nullptr, JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput)) {
    for (const char** p = names; *p; ++p)
      if (std::strncmp(*p, prefix.c_str(), prefix.size()) == 0) out.emplace_back(*p);
    jack_free(names);
  }
  std::sort(out.begin(), out.end(), natural_less);
  return out;
}

bool write_ready_file(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "w");
  if (!f) return false;
  const bool ok = std::fputs(content.c_str(), f) >= 0;
  if (std::fclose(f) != 0 || !ok) return false;
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  options opt;
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  if (const int rc = parse_args(argc, argv, opt); rc != 0) {
    if (rc < 0)
      usage(stdout);
    else
      std::fputs("pp_jack_record: see pp_jack_record --help\n", stderr);
    return rc < 0 ? 0 : 2;
  }
  g_quiet = opt.quiet;

  if (!opt.verbose) {
    jack_set_error_function(silent);
    jack_set_info_function(silent);
  }
  jack_status_t status{};
  int open_flags = JackNoStartServer;
  if (!opt.server.empty()) open_flags |= JackServerName;
  const auto open_options = static_cast<jack_options_t>(open_flags);
  jack_client_t* client = opt.server.empty()
                              ? jack_client_open(opt.name.c_str(), open_options, &status)
                              : jack_client_open(opt.name.c_str(), open_options, &status, opt.server.c_str());
  if (!client) {
    const char* env = std::getenv("JACK_DEFAULT_SERVER");
    const std::string server = !opt.server.empty() ? opt.server : env && *env ? env : "default";
    std::fprintf(stderr, "pp_jack_record: cannot connect to JACK server '%s' (status 0x%x%s)\n", server.c_str(),
                 unsigned(status), (status & JackServerFailed) ? ": no such server running" : "");
    return 3;
  }
  const jack_nframes_t rate = jack_get_sample_rate(client);
  const jack_nframes_t period = jack_get_buffer_size(client);
  const std::string my_name = jack_get_client_name(client);

  const double ring_floats = opt.ring_seconds * rate * double(opt.channels);
  recorder rec(std::max<std::size_t>(static_cast<std::size_t>(ring_floats), 16384));
  rec.channels = opt.channels;
  rec.max_frames = opt.seconds > 0 ? static_cast<std::uint64_t>(opt.seconds * rate + 0.5) : 0;
  if (opt.seconds > 0 && rec.max_frames == 0) rec.max_frames = 1;
  std::vector<std::string> my_ports;
  for (std::size_t c = 0; c < opt.channels; ++c) {
    const std::string port_name = "in_" + std::to_string(c + 1);
    jack_port_t* p = jack_port_register(client, port_name.c_str(), JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
    if (!p) {
      std::fprintf(stderr, "pp_jack_record: cannot register port %s\n", port_name.c_str());
      jack_client_close(client);
      return 3;
    }
    rec.ports.push_back(p);
    my_ports.emplace_back(jack_port_name(p));
  }
  SF_INFO info{};
  info.samplerate = static_cast<int>(rate);
  info.channels = static_cast<int>(opt.channels);
  info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
  SNDFILE* file = sf_open(opt.output.c_str(), SFM_WRITE, &info);
  if (!file) {
    std::fprintf(stderr, "pp_jack_record: cannot write %s: %s\n", opt.output.c_str(), sf_strerror(nullptr));
    jack_client_close(client);
    return 2;
  }
  // Keep the header valid as we go: a recorder killed hard leaves a readable file.
  sf_command(file, SFC_SET_UPDATE_HEADER_AUTO, nullptr, SF_TRUE);

  if (jack_set_process_callback(client, process, &rec) != 0 ||
      jack_set_port_registration_callback(client, on_port_registration, &rec) != 0 ||
      jack_set_client_registration_callback(client, on_client_registration, &rec) != 0 ||
      jack_set_graph_order_callback(client, on_graph_order, &rec) != 0 ||
      jack_set_xrun_callback(client, on_xrun, &rec) != 0) {
    std::fprintf(stderr, "pp_jack_record: cannot set the JACK callbacks\n");
    sf_close(file);
    jack_client_close(client);
    return 3;
  }
  jack_on_shutdown(client, on_shutdown, &rec);

  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  // The writer: drains the ring into the file.
  std::atomic<bool> finish{false};
  std::uint64_t written = 0;
  bool write_error = false;
  std::thread writer([&] {
    constexpr std::size_t chunk_frames = 4096;
    std::vector<float> chunk(chunk_frames * opt.channels);
    for (;;) {
      const bool last = finish.load(std::memory_order_acquire);
      const std::size_t avail = rec.ring.read_space() / opt.channels;
      if (avail == 0) {
        if (last) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        continue;
      }
      const std::size_t n = std::min(avail, chunk_frames);
      rec.ring.read(chunk.data(), n * opt.channels);
      if (!write_error) {
        if (sf_writef_float(file, chunk.data(), static_cast<sf_count_t>(n)) != static_cast<sf_count_t>(n))
          write_error = true;  // keep draining so the process callback does not overflow
        else
          written += n;
      }
    }
  });

  auto finish_up = [&] {
    rec.stop.store(true, std::memory_order_relaxed);
    if (!rec.shutdown.load(std::memory_order_acquire)) jack_deactivate(client);
    finish.store(true, std::memory_order_release);
    writer.join();
    if (write_error)
      std::fprintf(stderr, "pp_jack_record: writing %s failed: %s\n", opt.output.c_str(), sf_strerror(file));
    sf_close(file);
    jack_client_close(client);
  };

  if (jack_activate(client) != 0) {
    std::fprintf(stderr, "pp_jack_record: cannot activate the JACK client\n");
    rec.shutdown.store(true);  // nothing to deactivate
    finish_up();
    return 3;
  }
  if (!opt.ready_file.empty()) {
    const std::string content =
        "client=" + my_name + " rate=" + std::to_string(rate) + " period=" + std::to_string(period) + "\n";
    if (!write_ready_file(opt.ready_file, content))
      std::fprintf(stderr, "pp_jack_record: cannot write the ready file %s: %s\n", opt.ready_file.c_str(),
                   std::strerror(errno));
  }
  note("pp_jack_record: %s active at %u Hz, period %u; waiting for %s:* output ports\n", my_name.c_str(),
       unsigned(rate), unsigned(period), opt.target.c_str());

  // The main loop: (re)scan the target's ports at every graph change and at
  // least every 10 ms, connect them, and watch the stop conditions.
  const auto started = clock_type::now();
  std::vector<std::string> sources(opt.channels);  // the port connected to each input
  // A port of a client that is not active yet cannot be connected: retry
  // quietly, complain once if it still fails after a second.
  std::vector<clock_type::time_point> failing_since(opt.channels);
  std::vector<bool> complained(opt.channels, false);
  bool seen = false, told_extra = false, pending = false;
  std::string reason;
  int exit_code = 0;
  for (;;) {
    if (g_signal != 0) {
      reason = g_signal == SIGINT ? "SIGINT" : "SIGTERM";
      break;
    }
    if (rec.shutdown.load(std::memory_order_acquire)) {
      reason = "the JACK server shut down";
      exit_code = 3;
      break;
    }
    if (rec.full.load(std::memory_order_acquire)) {
      reason = "--seconds reached";
      break;
    }
    const std::vector<std::string> ports = target_ports(client, opt.target);
    if (ports.empty()) {
      if (seen) {
        reason = "the client's ports are gone";
        break;
      }
      const double waited = std::chrono::duration<double>(clock_type::now() - started).count();
      if (opt.wait_for_client > 0 && waited >= opt.wait_for_client) {
        std::fprintf(stderr, "pp_jack_record: no output port of client '%s' appeared within %g s\n", opt.target.c_str(),
                     opt.wait_for_client);
        reason = "the client never appeared";
        exit_code = 4;
        break;
      }
    } else {
      seen = true;
      pending = false;
      // Arm before connecting: no frame of the source can go past unrecorded.
      rec.armed.store(true, std::memory_order_release);
      for (std::size_t c = 0; c < opt.channels && c < ports.size(); ++c) {
        if (!sources[c].empty()) continue;
        const int rc = jack_connect(client, ports[c].c_str(), my_ports[c].c_str());
        if (rc == 0 || rc == EEXIST) {
          sources[c] = ports[c];
          note("pp_jack_record: connected %s -> %s\n", ports[c].c_str(), my_ports[c].c_str());
        } else {
          pending = pending || !complained[c];  // after a second of failures, every 10 ms is enough
          if (failing_since[c] == clock_type::time_point{}) {
            failing_since[c] = clock_type::now();
          } else if (!complained[c] && clock_type::now() - failing_since[c] > std::chrono::seconds(1)) {
            complained[c] = true;
            std::fprintf(stderr, "pp_jack_record: cannot connect %s -> %s (still trying)\n", ports[c].c_str(),
                         my_ports[c].c_str());
          }
        }
      }
      const bool all_connected = std::none_of(sources.begin(), sources.end(), [](auto& x) { return x.empty(); });
      if (all_connected && ports.size() > opt.channels && !told_extra) {
        told_extra = true;
        note("pp_jack_record: %s has %zu output ports; recording the first %zu\n", opt.target.c_str(), ports.size(),
             opt.channels);
      }
    }
    // A failed connection (the client is not active yet) is retried soon.
    std::unique_lock lock(rec.m);
    rec.cv.wait_for(lock, std::chrono::milliseconds(pending ? 1 : 10), [&] { return rec.graph_changed; });
    rec.graph_changed = false;
  }

  finish_up();

  const std::uint64_t dropped = rec.overflow_frames.load();
  std::string from;
  for (const auto& s : sources)
    if (!s.empty()) from += (from.empty() ? "" : ",") + s;
  if (from.empty()) from = "(nothing)";
  std::printf(
      "pp_jack_record: %llu frames (%.3f s, %zu ch, %u Hz) from %s -> %s; ring overflows %llu (%llu frames "
      "lost); xruns %llu; stopped: %s\n",
      static_cast<unsigned long long>(written), double(written) / rate, opt.channels, unsigned(rate), from.c_str(),
      opt.output.c_str(), static_cast<unsigned long long>(rec.overflow_cycles.load()),
      static_cast<unsigned long long>(dropped), static_cast<unsigned long long>(rec.xruns.load()), reason.c_str());
  std::fflush(stdout);
  if (exit_code != 0) return exit_code;
  if (dropped != 0 || write_error) return 1;
  return 0;
}
