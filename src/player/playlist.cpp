#include "player/playlist.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <random>
#include <system_error>

namespace pingpong::player {
namespace {

namespace fs = std::filesystem;
constexpr int max_depth = 8;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string extension_of(const std::string& path) {
  return lower(fs::path(path).extension().string());
}

std::string quoted(const std::string& s) {
  return "'" + s + "'";
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == '\n' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return s.substr(i);
}

/// "%20" and friends, for file:// URIs.
std::string percent_decoded(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

/// A playlist line as a path: file:// URIs decoded, relative paths taken
/// from the playlist's folder; other URLs refused.
std::string resolve_entry(const std::string& entry, const fs::path& folder, const std::string& playlist) {
  std::string path = entry;
  if (lower(path.substr(0, 7)) == "file://") {
    path = percent_decoded(path.substr(7));
  } else if (const auto colon = path.find("://"); colon != std::string::npos && colon < 10) {
    throw input_error("cannot play " + quoted(entry) + " from " + quoted(playlist) +
                      ": pingpong plays files, not URLs");
  }
  if (!path.empty() && path.front() != '/') path = (folder / path).lexically_normal().string();
  return path;
}

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw input_error("cannot read playlist " + quoted(path));
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  if (in.bad()) throw input_error("cannot read playlist " + quoted(path));
  if (!lines.empty() && lines.front().rfind("\xEF\xBB\xBF", 0) == 0) lines.front().erase(0, 3);  // UTF-8 BOM
  return lines;
}

class expander {
 public:
  explicit expander(const playlist_options& o) : options_(o) {}
  void add(const std::string& input, const std::string& title, int depth);
  std::vector<playlist_entry> take() { return std::move(out_); }

 private:
  void add_folder(const fs::path& folder);
  void add_m3u(const std::string& path, int depth);
  void add_pls(const std::string& path, int depth);

  const playlist_options& options_;
  std::vector<playlist_entry> out_;
};

void expander::add(const std::string& input, const std::string& title, int depth) {
  if (depth > max_depth)
    throw input_error("playlists nested deeper than " + std::to_string(max_depth) + " at " + quoted(input));
  std::error_code ec;
  if (fs::is_directory(input, ec)) {
    add_folder(input);
    return;
  }
  const std::string ext = extension_of(input);
  if (ext == ".m3u" || ext == ".m3u8") return add_m3u(input, depth);
  if (ext == ".pls") return add_pls(input, depth);
  out_.push_back({input, title});  // an audio file (or not: the player says so when it opens it)
}

void expander::add_folder(const fs::path& folder) {
  std::vector<std::string> files;
  std::error_code ec;
  const auto collect = [&](const fs::directory_entry& e) {
    std::error_code fec;
    if (e.is_regular_file(fec) && has_audio_extension(e.path().string())) files.push_back(e.path().string());
  };
  if (options_.recursive) {
    for (fs::recursive_directory_iterator it(folder, fs::directory_options::skip_permission_denied, ec), end;
         !ec && it != end; it.increment(ec))
      collect(*it);
  } else {
    for (fs::directory_iterator it(folder, fs::directory_options::skip_permission_denied, ec), end; !ec && it != end;
         it.increment(ec))
      collect(*it);
  }
  if (ec) throw input_error("cannot read folder " + quoted(folder.string()) + ": " + ec.message());
  if (files.empty())
    throw input_error("no audio files in folder " + quoted(folder.string()) +
                      (options_.recursive ? "" : " (--recursive looks in its subfolders too)"));
  std::sort(files.begin(), files.end(), natural_less);
  for (auto& f : files) out_.push_back({std::move(f), {}});
}

void expander::add_m3u(const std::string& path, int depth) {
  const fs::path folder = fs::path(path).parent_path();
  std::string title;
  for (const std::string& raw : read_lines(path)) {
    const std::string line = trim(raw);
    if (line.empty()) continue;
    if (line[0] == '#') {
      // #EXTINF:<seconds>[ attributes],<title>
      if (line.rfind("#EXTINF:", 0) == 0)
        if (const auto comma = line.find(','); comma != std::string::npos) title = trim(line.substr(comma + 1));
      continue;
    }
    add(resolve_entry(line, folder, path), title, depth + 1);
    title.clear();
  }
}

void expander::add_pls(const std::string& path, int depth) {
  const fs::path folder = fs::path(path).parent_path();
  std::vector<std::pair<int, std::string>> files;
  std::vector<std::pair<int, std::string>> titles;
  for (const std::string& raw : read_lines(path)) {
    const std::string line = trim(raw);
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = lower(line.substr(0, eq)), value = line.substr(eq + 1);
    const auto number = [&](std::size_t prefix) {
      const std::string digits = key.substr(prefix);
      return !digits.empty() && digits.find_first_not_of("0123456789") == std::string::npos && digits.size() < 9
                 ? std::stoi(digits)
                 : -1;
    };
    if (key.rfind("file", 0) == 0 && number(4) >= 0) files.emplace_back(number(4), value);
    if (key.rfind("title", 0) == 0 && number(5) >= 0) titles.emplace_back(number(5), value);
  }
  std::stable_sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [n, file] : files) {
    std::string title;
    for (const auto& [m, t] : titles)
      if (m == n) title = t;
    add(resolve_entry(file, folder, path), title, depth + 1);
  }
}

}  // namespace

bool has_audio_extension(const std::string& path) {
  static const char* const known[] = {".wav",  ".wave", ".flac", ".ogg",   ".oga", ".opus", ".mp3",  ".aif",
                                      ".aiff", ".aifc", ".au",   ".snd",   ".caf", ".w64",  ".rf64", ".wv",
                                      ".voc",  ".paf",  ".sf",   ".ircam", ".mat", ".nist", ".sds",  ".xi"};
  const std::string ext = extension_of(path);
  return std::any_of(std::begin(known), std::end(known), [&](const char* k) { return ext == k; });
}

bool natural_less(const std::string& a, const std::string& b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const auto ca = static_cast<unsigned char>(a[i]), cb = static_cast<unsigned char>(b[j]);
    if (std::isdigit(ca) && std::isdigit(cb)) {
      std::size_t ie = i, je = j;
      while (ie < a.size() && std::isdigit(static_cast<unsigned char>(a[ie]))) ++ie;
      while (je < b.size() && std::isdigit(static_cast<unsigned char>(b[je]))) ++je;
      // Compare as numbers without overflow: strip leading zeros, then length, then digits.
      std::size_t is = i, js = j;
      while (is + 1 < ie && a[is] == '0') ++is;
      while (js + 1 < je && b[js] == '0') ++js;
      if (ie - is != je - js) return ie - is < je - js;
      if (const int c = a.compare(is, ie - is, b, js, je - js); c != 0) return c < 0;
      i = ie;
      j = je;
      continue;
    }
    const int la = std::tolower(ca), lb = std::tolower(cb);
    if (la != lb) return la < lb;
    ++i;
    ++j;
  }
  if ((a.size() - i) != (b.size() - j)) return a.size() - i < b.size() - j;
  return a < b;  // equal but for case or leading zeros: a stable, total order
}

std::vector<playlist_entry> expand_inputs(const std::vector<std::string>& inputs, const playlist_options& options) {
  expander e(options);
  for (const auto& input : inputs) e.add(input, {}, 0);
  std::vector<playlist_entry> out = e.take();
  if (out.empty()) throw input_error("nothing to play: the playlists are empty");
  if (options.shuffle) {
    std::mt19937_64 random(options.seed);
    std::shuffle(out.begin(), out.end(), random);
  }
  return out;
}

}  // namespace pingpong::player
