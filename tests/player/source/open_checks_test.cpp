// The input errors: one clear line naming the file and the problem.
#include "helpers.hpp"

TEST_CASE("input errors: one clear line, input_error") {
  temp_dir dir;
  const std::string good = write_audio(dir / "good.wav", wav_pcm16, 48000, 2, tone(48000, 2, 240000));  // 5 s

  SUBCASE("missing file") {
    const std::string p = dir / "nope.wav";
    check_one_line_error([&] { probe_file(p); }, "no such file");
    check_one_line_error([&] { source s(one_file(p)); }, "no such file");
    check_one_line_error([&] { probe_file(p); }, "'" + p + "'");
  }
  SUBCASE("a directory") {
    fs::create_directory(dir / "sub.wav");
    check_one_line_error([&] { probe_file(dir / "sub.wav"); }, "is a directory");
    check_one_line_error([&] { source s(one_file(dir / "sub.wav")); }, "is a directory");
  }
  SUBCASE("empty file") {
    std::ofstream(dir / "empty.wav").close();
    check_one_line_error([&] { probe_file(dir / "empty.wav"); }, "empty file");
    check_one_line_error([&] { source s(one_file(dir / "empty.wav")); }, "empty file");
  }
  SUBCASE("truncated header") {
    fs::copy_file(good, dir / "head.wav");
    fs::resize_file(dir / "head.wav", 20);
    check_one_line_error([&] { probe_file(dir / "head.wav"); }, "cannot open");
    check_one_line_error([&] { source s(one_file(dir / "head.wav")); }, "cannot open");
  }
  SUBCASE("random bytes named .wav and .flac") {
    std::mt19937 rng(42);
    std::vector<char> bytes(10000);
    for (char& b : bytes) b = static_cast<char>(rng() & 0xff);
    for (const char* name : {"noise.wav", "noise.flac"}) {
      CAPTURE(name);
      std::ofstream(dir / name, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      check_one_line_error([&] { probe_file(dir / name); }, "cannot open");
      check_one_line_error([&] { source s(one_file(dir / name)); }, "cannot open");
    }
  }
  SUBCASE("not audio, named .mp3: one line, and libmpg123 stays quiet") {
    std::mt19937 rng(7);
    std::vector<char> noise(10000);
    for (char& b : noise) b = static_cast<char>(rng() & 0xff);
    std::ofstream(dir / "noise.mp3", std::ios::binary).write(noise.data(), static_cast<std::streamsize>(noise.size()));
    std::ofstream(dir / "text.mp3") << "hello, this is text\nnot audio at all\n";
    for (const char* name : {"text.mp3", "noise.mp3"}) {
      CAPTURE(name);
      const std::string err = stderr_of(
          [&] {
            check_one_line_error([&] { probe_file(dir / name); }, "cannot open");
            check_one_line_error([&] { source s(one_file(dir / name)); }, "cannot open");
          },
          dir / "stderr.txt");
      CHECK(err == "");
    }
  }
  SUBCASE("a WAV named .mp3 is recognised by content") {
    fs::copy_file(good, dir / "wav.mp3");
    CHECK(probe_file(dir / "wav.mp3").format == "WAV (Microsoft)");
  }
  SUBCASE("a bad file later in the list fails up front") {
    source_options o;
    o.files = {good, dir / "missing.flac"};
    check_one_line_error([&] { source s(o); }, "missing.flac");
  }
  SUBCASE("--start past the end") {
    source_options o = one_file(good);
    o.start_s = 10.0;
    check_one_line_error([&] { source s(o); }, "--start 10 is past the end of '" + good + "' (5.0 s)");
    o.start_s = 5.0;
    check_one_line_error([&] { source s(o); }, "past the end");
    o.start_s = 4.99;
    CHECK_NOTHROW((void)source{o});
    // 4.96 s long: not "(5.0 s)" for a start of 4.98, which would look wrong.
    const std::string short_one = write_audio(dir / "short.wav", wav_pcm16, 1000, 1, std::vector<float>(4960, 0.0f));
    o = one_file(short_one);
    o.start_s = 4.98;
    check_one_line_error([&] { source s(o); }, "(4.96 s)");
  }
  SUBCASE("bad options") {
    source_options o = one_file(good);
    o.start_s = 2.0;
    o.end_s = 1.0;
    check_one_line_error([&] { source s(o); }, "--end");
    o.end_s = 2.0;
    check_one_line_error([&] { source s(o); }, "--end");
    o = one_file(good);
    o.start_s = -1.0;
    check_one_line_error([&] { source s(o); }, "--start");
    o = one_file(good);
    o.loops = -1;
    check_one_line_error([&] { source s(o); }, "--loops");
    check_one_line_error([&] { source s(source_options{}); }, "no input files");
  }
  SUBCASE("a file name with a newline still gives one line") {
    check_one_line_error([&] { probe_file(dir / "two\nlines.wav"); }, "no such file");
  }
}
