// Folders, .m3u/.m3u8 and .pls playlists into the files to play, in order.
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "player/playlist.hpp"

namespace pp = pingpong::player;
namespace fs = std::filesystem;

namespace {

struct temp_dir {
  fs::path path;
  temp_dir() {
    path = fs::temp_directory_path() / ("pingpong-playlist-" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path / "sub");
  }
  ~temp_dir() { fs::remove_all(path); }
  std::string file(const std::string& name, const std::string& text = "x") const {
    std::ofstream(path / name) << text;
    return (path / name).string();
  }
};

std::vector<std::string> paths_of(const std::vector<pp::playlist_entry>& list) {
  std::vector<std::string> out;
  for (const auto& e : list) out.push_back(e.path);
  return out;
}

}  // namespace

TEST_CASE("natural order: numbers as numbers, letters without case") {
  CHECK(pp::natural_less("track2.wav", "track10.wav"));
  CHECK_FALSE(pp::natural_less("track10.wav", "track2.wav"));
  CHECK(pp::natural_less("Apple.wav", "banana.wav"));
  CHECK(pp::natural_less("a.wav", "a1.wav"));
  CHECK(pp::natural_less("disc1/track9.flac", "disc1/track10.flac"));
  CHECK(pp::natural_less("x99999999999999999999999.wav", "x100000000000000000000000.wav"));  // no overflow
  CHECK_FALSE(pp::natural_less("same.wav", "same.wav"));
}

TEST_CASE("a folder plays its audio files in natural order; --recursive descends") {
  temp_dir d;
  const auto t10 = d.file("track10.wav"), t2 = d.file("track2.wav"), t1 = d.file("Track1.FLAC");
  d.file("cover.jpg");
  d.file("notes.txt");
  const auto inner = d.file("sub/inner.ogg");
  CHECK(paths_of(pp::expand_inputs({d.path.string()}, {})) == std::vector<std::string>{t1, t2, t10});
  pp::playlist_options deep;
  deep.recursive = true;
  const auto all = paths_of(pp::expand_inputs({d.path.string()}, deep));
  CHECK(all.size() == 4);
  CHECK(std::find(all.begin(), all.end(), inner) != all.end());
  fs::create_directories(d.path / "empty");
  CHECK_THROWS_AS(pp::expand_inputs({(d.path / "empty").string()}, {}), pp::input_error);
}

TEST_CASE(".m3u: comments, #EXTINF titles, relative and absolute paths, file:// URIs, nested lists") {
  temp_dir d;
  const auto a = d.file("a.wav"), b = d.file("sub/b b.wav");
  d.file("inner.m3u8", "sub/b b.wav\n");
  // Built piece by piece: GCC 12 at -O3 warns (-Wrestrict, a known false
  // positive) on one long chain of string concatenations.
  std::string text = "\xEF\xBB\xBF#EXTM3U\r\n#EXTINF:12,First Song\r\na.wav\n\n# a comment\n";
  text += b;
  text += "\nfile://";
  text += (d.path / "sub" / "b%20b.wav").string();
  text += "\ninner.m3u8\n";
  const auto list = d.file("list.m3u", text);
  const auto out = pp::expand_inputs({list}, {});
  REQUIRE(out.size() == 4);
  CHECK(out[0].path == a);
  CHECK(out[0].title == "First Song");
  CHECK(out[1].path == b);
  CHECK(out[1].title.empty());
  CHECK(out[2].path == b);
  CHECK(out[3].path == b);
  const auto url = d.file("url.m3u", "https://example.org/stream.mp3\n");
  CHECK_THROWS_AS(pp::expand_inputs({url}, {}), pp::input_error);
  CHECK_THROWS_AS(pp::expand_inputs({(d.path / "missing.m3u").string()}, {}), pp::input_error);
  const auto loop = d.file("loop.m3u", "loop.m3u\n");
  CHECK_THROWS_AS(pp::expand_inputs({loop}, {}), pp::input_error);  // nesting has a limit
}

TEST_CASE(".pls: FileN in number order, TitleN") {
  temp_dir d;
  const auto a = d.file("a.wav"), b = d.file("b.wav");
  const auto list =
      d.file("list.pls", "[playlist]\nFile2=b.wav\nTitle2=Bee\nFile1=" + a + "\nNumberOfEntries=2\nVersion=2\n");
  const auto out = pp::expand_inputs({list}, {});
  REQUIRE(out.size() == 2);
  CHECK(out[0].path == a);
  CHECK(out[1].path == b);
  CHECK(out[1].title == "Bee");
}

TEST_CASE("--shuffle keeps every entry once, in an order the seed decides") {
  temp_dir d;
  std::vector<std::string> files;
  for (int i = 0; i < 20; ++i) {
    std::string name = "f";  // not "f" + to_string(i) + ".wav": GCC 12 -O3 -Wrestrict false positive
    name += std::to_string(i);
    name += ".wav";
    files.push_back(d.file(name));
  }
  pp::playlist_options o;
  o.shuffle = true;
  o.seed = 1;
  const auto one = paths_of(pp::expand_inputs(files, o));
  CHECK(one != files);
  auto sorted = one;
  std::sort(sorted.begin(), sorted.end());
  auto expected = files;
  std::sort(expected.begin(), expected.end());
  CHECK(sorted == expected);
  CHECK(paths_of(pp::expand_inputs(files, o)) == one);  // same seed, same order
}
