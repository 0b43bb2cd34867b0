// pingpong_bench — shared helpers.
#include "bench_util.hpp"

#include <cstdarg>
#include <ctime>
#include <fstream>
#include <thread>

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/utsname.h>

namespace ppbench {

std::int64_t measure_timer_overhead_ns() {
  constexpr std::size_t pairs = 100'000;
  std::vector<std::int64_t> d(pairs);
  for (std::size_t i = 0; i < pairs; ++i) {
    const std::int64_t a = now_ns();
    const std::int64_t b = now_ns();
    d[i] = b - a;
  }
  std::sort(d.begin(), d.end());
  return d[pairs / 2];
}

double quantile_sorted(const std::vector<std::int64_t>& sorted, double q) {
  if (sorted.empty()) return 0;
  auto rank = static_cast<std::size_t>(std::ceil(q * double(sorted.size())));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return double(sorted[rank - 1]);
}

summary summarize(std::vector<std::int64_t>& samples) {
  summary s;
  s.n = samples.size();
  if (samples.empty()) return s;
  std::sort(samples.begin(), samples.end());
  s.p50 = quantile_sorted(samples, 0.50);
  s.p99 = quantile_sorted(samples, 0.99);
  s.p999 = quantile_sorted(samples, 0.999);
  s.p9999 = quantile_sorted(samples, 0.9999);
  s.max = double(samples.back());
  double sum = 0;
  for (const auto v : samples) sum += double(v);
  s.mean = sum / double(samples.size());
  return s;
}

std::vector<int> allowed_cpus() {
  std::vector<int> cpus;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    for (int c = 0; c < CPU_SETSIZE; ++c)
      if (CPU_ISSET(c, &set)) cpus.push_back(c);
  }
  return cpus;
}

bool pin_this_thread(int cpu) noexcept {
  if (cpu < 0) return true;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

bool make_this_thread_fifo(int priority) noexcept {
  sched_param p{};
  p.sched_priority = priority;
  return pthread_setschedparam(pthread_self(), SCHED_FIFO, &p) == 0;
}

long involuntary_switches() noexcept {
  rusage ru{};
  getrusage(RUSAGE_THREAD, &ru);
  return ru.ru_nivcsw;
}

long voluntary_switches() noexcept {
  rusage ru{};
  getrusage(RUSAGE_THREAD, &ru);
  return ru.ru_nvcsw;
}

namespace {
std::string shell_quote(const std::string& s) {
  const bool plain = !s.empty() && s.find_first_not_of(
                                       "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                       "0123456789_-+=./:,@%") == std::string::npos;
  if (plain) return s;
  std::string q = "'";
  for (const char c : s) {
    if (c == '\'')
      q += "'\\''";
    else
      q += c;
  }
  return q + "'";
}
}  // namespace

machine_info describe_machine(int argc, char** argv) {
  machine_info m;
  {
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string line;
    while (std::getline(cpuinfo, line)) {
      if (line.rfind("model name", 0) == 0) {
        const auto colon = line.find(':');
        if (colon != std::string::npos) m.cpu_model = line.substr(line.find_first_not_of(" \t", colon + 1));
        break;
      }
    }
    if (m.cpu_model.empty()) m.cpu_model = "unknown CPU";
  }
  m.cores = std::thread::hardware_concurrency();
  m.allowed = static_cast<unsigned>(allowed_cpus().size());
  utsname u{};
  if (uname(&u) == 0) m.kernel = std::string(u.sysname) + " " + u.release + " " + u.machine;
  {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
    m.date = buf;
  }
#if defined(__clang__)
  m.compiler = std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
  m.compiler = std::string("g++ ") + __VERSION__;
#else
  m.compiler = "unknown compiler";
#endif
#ifdef PP_BENCH_BUILD_TYPE
  m.build_type = PP_BENCH_BUILD_TYPE;
#endif
#ifdef NDEBUG
  m.build_type += m.build_type.empty() ? "NDEBUG" : " (NDEBUG)";
#else
  m.build_type += m.build_type.empty() ? "assertions on" : " (assertions on)";
#endif
  for (int i = 0; i < argc; ++i) {
    if (i) m.command += ' ';
    m.command += shell_quote(argv[i]);
  }
  return m;
}

std::string load_average() {
  std::ifstream f("/proc/loadavg");
  std::string a, b, c;
  if (!(f >> a >> b >> c)) return "?";
  return a + " " + b + " " + c;
}

std::string format(const char* fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  const int n = std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n < 0) return {};
  if (static_cast<std::size_t>(n) < sizeof buf) return std::string(buf, static_cast<std::size_t>(n));
  std::string big(static_cast<std::size_t>(n) + 1, '\0');
  va_start(ap, fmt);
  std::vsnprintf(big.data(), big.size(), fmt, ap);
  va_end(ap);
  big.resize(static_cast<std::size_t>(n));
  return big;
}

namespace {
// Display width: count UTF-8 code points (the tables use µ and ×).
std::size_t width(const std::string& s) {
  std::size_t w = 0;
  for (const char c : s)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++w;
  return w;
}
std::string pad(const std::string& s, std::size_t w, bool left) {
  const std::size_t have = width(s);
  if (have >= w) return s;
  return left ? s + std::string(w - have, ' ') : std::string(w - have, ' ') + s;
}
}  // namespace

void table::print_plain(std::FILE* out) const {
  std::vector<std::size_t> w(head.size(), 0);
  for (std::size_t c = 0; c < head.size(); ++c) w[c] = width(head[c]);
  for (const auto& r : rows)
    for (std::size_t c = 0; c < r.size() && c < w.size(); ++c) w[c] = std::max(w[c], width(r[c]));
  std::size_t total = 0;
  for (const auto x : w) total += x + 2;
  std::fprintf(out, "\n== %s ==\n", title.c_str());
  std::string line;
  for (std::size_t c = 0; c < head.size(); ++c) line += pad(head[c], w[c], c == 0) + "  ";
  std::fprintf(out, "%s\n%s\n", line.c_str(), std::string(total > 2 ? total - 2 : total, '-').c_str());
  for (const auto& r : rows) {
    line.clear();
    for (std::size_t c = 0; c < r.size() && c < w.size(); ++c) line += pad(r[c], w[c], c == 0) + "  ";
    std::fprintf(out, "%s\n", line.c_str());
  }
  for (const auto& n : notes) std::fprintf(out, "  %s\n", n.c_str());
}

void table::print_markdown(std::FILE* out) const {
  std::fprintf(out, "\n**%s**\n\n|", title.c_str());
  for (const auto& h : head) std::fprintf(out, " %s |", h.c_str());
  std::fprintf(out, "\n|");
  for (std::size_t c = 0; c < head.size(); ++c) std::fprintf(out, c == 0 ? "---|" : "---:|");
  std::fprintf(out, "\n");
  for (const auto& r : rows) {
    std::fprintf(out, "|");
    for (const auto& cell : r) std::fprintf(out, " %s |", cell.c_str());
    std::fprintf(out, "\n");
  }
  if (!notes.empty()) std::fprintf(out, "\n");
  for (const auto& n : notes) std::fprintf(out, "%s  \n", n.c_str());
}

// ---- json ------------------------------------------------------------------

void json_writer::comma_and_key(const char* key) {
  if (!first_.empty()) {
    if (!first_.back()) out_ += ',';
    first_.back() = false;
  }
  if (key) {
    out_ += '"';
    out_ += key;
    out_ += "\":";
  }
}

void json_writer::begin_object(const char* key) {
  comma_and_key(key);
  out_ += '{';
  first_.push_back(true);
}
void json_writer::end_object() {
  out_ += '}';
  first_.pop_back();
}
void json_writer::begin_array(const char* key) {
  comma_and_key(key);
  out_ += '[';
  first_.push_back(true);
}
void json_writer::end_array() {
  out_ += ']';
  first_.pop_back();
}
void json_writer::field(const char* key, const std::string& value) {
  comma_and_key(key);
  out_ += '"';
  for (const char c : value) {
    if (c == '"' || c == '\\') {
      out_ += '\\';
      out_ += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out_ += format("\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
    } else {
      out_ += c;
    }
  }
  out_ += '"';
}
void json_writer::field(const char* key, double value) {
  comma_and_key(key);
  out_ += std::isfinite(value) ? format("%.10g", value) : std::string("null");
}
void json_writer::field(const char* key, std::uint64_t value) {
  comma_and_key(key);
  out_ += format("%llu", static_cast<unsigned long long>(value));
}
void json_writer::field(const char* key, bool value) {
  comma_and_key(key);
  out_ += value ? "true" : "false";
}

}  // namespace ppbench
