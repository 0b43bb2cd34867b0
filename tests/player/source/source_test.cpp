// pingpong::player::source and probe_file: decode, trim, loop, resample,
// gain, truncation and damage, memory files, memory use.
#include "helpers.hpp"

TEST_CASE("probe_file reports container, encoding, rate, channels, frames, duration") {
  temp_dir dir;
  struct {
    std::string name;
    int format;
    const char* container;
    const char* encoding;
  } cases[] = {
      {"float.wav", wav_float, "WAV (Microsoft)", "32 bit float"},
      {"pcm16.wav", wav_pcm16, "WAV (Microsoft)", "Signed 16 bit PCM"},
      {"pcm16.flac", flac_pcm16, "FLAC (Free Lossless Audio Codec)", "Signed 16 bit PCM"},
      {"vorbis.ogg", ogg_vorbis, "OGG (OGG Container format)", "Vorbis"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    const std::string path = write_audio(dir / c.name, c.format, 44100, 2, tone(44100, 2, 22050));
    const file_info info = probe_file(path);
    CHECK(info.path == path);
    CHECK(info.format == c.container);
    CHECK(info.subtype == c.encoding);
    CHECK(info.sample_rate == 44100);
    CHECK(info.channels == 2);
    CHECK(info.frames == 22050);
    CHECK(info.duration_s == doctest::Approx(0.5));
  }
}

TEST_CASE("no resampling, no gain: bit-exact libsndfile decode (WAV float, WAV PCM16, FLAC, Ogg Vorbis)") {
  temp_dir dir;
  const struct {
    std::string name;
    int format;
  } cases[] = {{"a.wav", wav_float}, {"b.wav", wav_pcm16}, {"c.flac", flac_pcm16}, {"d.ogg", ogg_vorbis}};
  for (const auto& c : cases) {
    CAPTURE(c.name);
    const std::string path = write_audio(dir / c.name, c.format, 48000, 2, tone(48000, 2, 30000, 1000.0, 0.7));
    const std::vector<float> ref = sndfile_decode(path);
    REQUIRE(ref.size() == 60000);
    source s(one_file(path));
    CHECK(s.output_rate() == 48000);
    CHECK(s.output_channels() == 2);
    CHECK_FALSE(s.resampling());
    CHECK(s.frames_per_pass() == 30000);
    CHECK(s.channel_mapping() == "2 \u2192 2");
    CHECK(s.current_file() == 0);
    const std::vector<float> out = drain(s, 1000);  // chunk size unrelated to the decoder's
    CHECK(bit_equal(out, ref));
    CHECK(s.frames_produced() == 30000);
  }
}

TEST_CASE("files play gaplessly, in order") {
  temp_dir dir;
  source_options o;
  o.files = {write_audio(dir / "a.wav", wav_float, 48000, 2, ramp(2, 1000, 0)),
             write_audio(dir / "b.flac", flac_pcm16, 48000, 2, ramp(2, 1500, 12345))};
  const std::vector<float> a = sndfile_decode(o.files[0]), b = sndfile_decode(o.files[1]);
  source s(o);
  CHECK(s.frames_per_pass() == 2500);
  std::vector<float> buf(2 * 1001);
  CHECK(s.read(buf.data(), 999) == 999);
  CHECK(s.current_file() == 0);
  CHECK(s.read(buf.data() + 2 * 999, 2) == 2);
  CHECK(s.current_file() == 1);
  std::vector<float> out(buf.begin(), buf.end());
  const std::vector<float> rest = drain(s, 333);
  out.insert(out.end(), rest.begin(), rest.end());
  std::vector<float> expect = a;
  expect.insert(expect.end(), b.begin(), b.end());
  CHECK(bit_equal(out, expect));
  CHECK(s.frames_produced() == 2500);
  CHECK(s.current_file() == 1);
}

TEST_CASE("--start/--end trim each file to exact frame counts") {
  temp_dir dir;
  const std::vector<float> v = ramp(1, 96000);  // 2 s at 48 kHz
  const std::vector<float> v2 = ramp(2, 48000);
  for (const int format : {wav_float, wav_pcm16, flac_pcm16}) {
    CAPTURE(format);
    const std::string ext = (format & SF_FORMAT_TYPEMASK) == SF_FORMAT_FLAC ? ".flac" : ".wav";
    std::string name = "t";  // built in steps: GCC 12 -O3 warns (-Wrestrict) on "t" + std::string
    name += std::to_string(format);
    name += ext;
    const std::string path = write_audio(dir / name, format, 48000, 1, v);
    const std::vector<float> ref = sndfile_decode(path);

    source_options o = one_file(path);
    o.start_s = 0.5;
    o.end_s = 1.5;
    source s(o);
    CHECK(s.frames_per_pass() == 48000);
    const std::vector<float> out = drain(s, 4097);
    CHECK(bit_equal(out, std::vector<float>(ref.begin() + 24000, ref.begin() + 72000)));

    o.start_s = 0.25;
    o.end_s = -1.0;
    source s2(o);
    CHECK(s2.frames_per_pass() == 84000);
    CHECK(bit_equal(drain(s2, 512), std::vector<float>(ref.begin() + 12000, ref.end())));

    o.start_s = 0.0;
    o.end_s = 5.0;  // past the end: plays to the end
    source s3(o);
    CHECK(s3.frames_per_pass() == 96000);
    CHECK(drain(s3, 512).size() == 96000);
    o.end_s = 1e300;
    CHECK(source(o).frames_per_pass() == 96000);
  }

  SUBCASE("trims every file of the list") {
    source_options o;
    o.files = {write_audio(dir / "x.wav", wav_float, 48000, 2, v2),
               write_audio(dir / "y.wav", wav_float, 48000, 2, v2)};
    o.start_s = 0.25;
    o.end_s = 0.5;
    source s(o);
    CHECK(s.frames_per_pass() == 24000);
    const std::vector<float> out = drain(s, 1000);
    std::vector<float> expect(v2.begin() + 2 * 12000, v2.begin() + 2 * 24000);
    expect.insert(expect.end(), v2.begin() + 2 * 12000, v2.begin() + 2 * 24000);
    CHECK(bit_equal(out, expect));
  }

  SUBCASE("Ogg Vorbis: exact count, seek lands on the same samples") {
    const std::string path = write_audio(dir / "t.ogg", ogg_vorbis, 48000, 2, tone(48000, 2, 96000));
    const std::vector<float> ref = sndfile_decode(path);
    source_options o = one_file(path);
    o.start_s = 0.5;
    o.end_s = 1.5;
    source s(o);
    const std::vector<float> out = drain(s, 1000);
    REQUIRE(out.size() == 2 * 48000);
    float max_diff = 0.0f;
    for (std::size_t i = 0; i < out.size(); ++i) max_diff = std::max(max_diff, std::fabs(out[i] - ref[2 * 24000 + i]));
    CHECK(max_diff < 1e-4f);
  }
}

TEST_CASE("loops") {
  temp_dir dir;
  source_options o;
  o.files = {write_audio(dir / "a.wav", wav_float, 44100, 2, ramp(2, 3000)),
             write_audio(dir / "b.wav", wav_pcm16, 44100, 2, ramp(2, 700, 99))};
  const std::vector<float> a = sndfile_decode(o.files[0]), b = sndfile_decode(o.files[1]);
  std::vector<float> pass = a;
  pass.insert(pass.end(), b.begin(), b.end());

  SUBCASE("loops = 2 plays the list twice") {
    o.loops = 2;
    source s(o);
    CHECK(s.frames_per_pass() == 3700);
    std::vector<float> expect = pass;
    expect.insert(expect.end(), pass.begin(), pass.end());
    CHECK(bit_equal(drain(s, 1024), expect));
    CHECK(s.frames_produced() == 7400);
  }
  SUBCASE("loops = 0 plays until stopped") {
    o.loops = 0;
    source s(o);
    const std::vector<float> out = drain(s, 1000, 10 * 3700 + 17);
    REQUIRE(out.size() == 2 * (10 * 3700 + 17));
    for (int p = 0; p < 10; ++p)
      CHECK(std::equal(pass.begin(), pass.end(), out.begin() + static_cast<std::ptrdiff_t>(p) * 7400));
    CHECK(s.frames_produced() == 37017);
  }
  SUBCASE("loops with trimming, one read larger than a pass") {
    o.loops = 3;
    o.start_s = 0.01;  // 441 frames
    o.end_s = 0.02;    // 882
    source s(o);
    // a: frames 441..882; b (700 frames): 441..700.
    CHECK(s.frames_per_pass() == 441 + 259);
    std::vector<float> buf(2 * 10000);
    CHECK(s.read(buf.data(), 10000) == 3 * 700);
    CHECK(std::equal(buf.begin(), buf.begin() + 2 * 441, a.begin() + 2 * 441));
    CHECK(std::equal(buf.begin() + 2 * 441, buf.begin() + 2 * 700, b.begin() + 2 * 441));
    CHECK(std::equal(buf.begin(), buf.begin() + 2 * 700, buf.begin() + 2 * 1400));
    CHECK(s.read(buf.data(), 10000) == 0);
  }
}

TEST_CASE("resampling 44100 -> 48000 keeps length and tone") {
  temp_dir dir;
  const std::string path = write_audio(dir / "sine.wav", wav_float, 44100, 1, tone(44100, 1, 44100, 1000.0, 0.5));
  source_options o = one_file(path);
  o.output_rate = 48000;
  source s(o);
  CHECK(s.resampling());
  CHECK(s.output_rate() == 48000);
  CHECK(s.output_channels() == 1);
  CHECK(s.frames_per_pass() == 48000);
  const std::vector<float> out = drain(s, 512);
  CHECK(std::abs(static_cast<long>(out.size()) - 48000) <= 4);

  // Away from the edges: RMS within 1 %, and the tone is where it should be
  // (soxr compensates its own delay), 1 kHz at 48 kHz.
  const std::size_t from = 4800, to = 43200;
  const double r = rms(out.data() + from, to - from);
  CHECK(r == doctest::Approx(0.5 / std::sqrt(2.0)).epsilon(0.01));
  double max_err = 0.0;
  for (std::size_t i = from; i < to; ++i)
    max_err =
        std::max(max_err, std::fabs(out[i] - 0.5 * std::sin(2.0 * std::numbers::pi * 1000.0 * double(i) / 48000.0)));
  CHECK(max_err < 1e-3);

  SUBCASE("two resampled files: each flushed, lengths add up") {
    source_options o2;
    o2.files = {path, path};
    o2.output_rate = 48000;
    o2.loops = 2;
    source s2(o2);
    CHECK(s2.frames_per_pass() == 96000);
    const std::vector<float> out2 = drain(s2, 777);
    CHECK(std::abs(static_cast<long>(out2.size()) - 4 * 48000) <= 16);
    CHECK(rms(out2.data() + 48000 + from, to - from) == doctest::Approx(0.5 / std::sqrt(2.0)).epsilon(0.01));
  }
  SUBCASE("mixed rates: only the other-rate file is resampled") {
    const std::vector<float> native = ramp(1, 4800);
    source_options o3;
    o3.files = {write_audio(dir / "native.wav", wav_float, 48000, 1, native), path};
    source s3(o3);
    CHECK(s3.output_rate() == 48000);
    CHECK(s3.resampling());
    CHECK(s3.frames_per_pass() == 4800 + 48000);
    const std::vector<float> out3 = drain(s3, 1000);
    REQUIRE(out3.size() >= 4800);
    CHECK(std::equal(native.begin(), native.end(), out3.begin()));
    CHECK(std::abs(static_cast<long>(out3.size()) - (4800 + 48000)) <= 4);
  }
  SUBCASE("downsampling a stereo file with trimming") {
    const std::string st = write_audio(dir / "st.flac", flac_pcm16, 96000, 2, tone(96000, 2, 96000, 500.0, 0.5));
    source_options o4 = one_file(st);
    o4.output_rate = 44100;
    o4.start_s = 0.25;
    o4.end_s = 0.75;
    source s4(o4);
    CHECK(s4.frames_per_pass() == 22050);
    const std::vector<float> out4 = drain(s4, 4096);
    CHECK(std::abs(static_cast<long>(out4.size() / 2) - 22050) <= 4);
  }
}

TEST_CASE("gain") {
  temp_dir dir;
  const std::vector<float> v = tone(48000, 2, 10000, 440.0, 0.8);
  const std::string path = write_audio(dir / "g.wav", wav_float, 48000, 2, v);
  source_options o = one_file(path);
  o.gain_db = -6.0206;
  source s(o);
  const std::vector<float> out = drain(s, 1000);
  REQUIRE(out.size() == v.size());
  double max_err = 0.0;
  for (std::size_t i = 0; i < v.size(); ++i)
    max_err = std::max(max_err, std::fabs(double(out[i]) - 0.5 * double(v[i])));
  CHECK(max_err < 1e-5);

  SUBCASE("+6 dB is not clipped (float output)") {
    o.gain_db = 6.0206;
    source s2(o);
    const std::vector<float> out2 = drain(s2, 1000);
    CHECK(*std::max_element(out2.begin(), out2.end()) == doctest::Approx(1.6).epsilon(1e-3));
  }
  SUBCASE("gain with mono to all") {
    source_options om = one_file(write_audio(dir / "m.wav", wav_float, 48000, 1, std::vector<float>(100, 0.5f)));
    om.output_channels = 2;
    om.gain_db = -6.0206;
    source sm(om);
    const std::vector<float> outm = drain(sm, 64);
    REQUIRE(outm.size() == 200);
    CHECK(outm[0] == doctest::Approx(0.25));
    CHECK(outm[199] == doctest::Approx(0.25));
  }
}

TEST_CASE("truncated audio data ends the file early, without an error") {
  temp_dir dir;
  const std::string full = write_audio(dir / "full.wav", wav_pcm16, 48000, 2, ramp(2, 10000));
  const auto size = fs::file_size(full);
  const std::string cut = dir / "cut.wav";
  fs::copy_file(full, cut);
  fs::resize_file(cut, size / 2);
  const std::vector<float> ref = sndfile_decode(cut);
  source s(one_file(cut));
  std::vector<float> out;
  CHECK_NOTHROW(out = drain(s, 1000));
  CHECK(bit_equal(out, ref));
  CHECK(out.size() < 2 * 10000);
  CHECK(out.size() > 2 * 4000);
}

TEST_CASE("a FLAC file cut short ends early; one damaged in the middle is an input_error") {
  temp_dir dir;
  const std::string full = write_audio(dir / "full.flac", flac_pcm16, 48000, 2, tone(48000, 2, 96000));
  const auto size = fs::file_size(full);
  std::vector<char> bytes(size);
  std::ifstream(full, std::ios::binary).read(bytes.data(), static_cast<std::streamsize>(size));

  SUBCASE("cut short") {
    const std::string cut = dir / "cut.flac";
    std::ofstream(cut, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(size / 2));
    const std::vector<float> ref = sndfile_decode(cut);  // what libsndfile gets before it stops
    REQUIRE(ref.size() > 0);
    source_options o;
    o.files = {cut, full};
    source s(o);
    std::vector<float> out;
    CHECK_NOTHROW(out = drain(s, 1000));
    REQUIRE(out.size() == ref.size() + 2 * 96000);
    CHECK(std::equal(ref.begin(), ref.end(), out.begin()));
  }
  SUBCASE("damaged in the middle") {
    std::fill(bytes.begin() + static_cast<std::ptrdiff_t>(size / 3),
              bytes.begin() + static_cast<std::ptrdiff_t>(size / 3 + 2000), '\0');
    const std::string bad = dir / "damaged.flac";
    std::ofstream(bad, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(size));
    source s(one_file(bad));  // the header is fine
    std::size_t good = 0;
    check_one_line_error([&] { good = read_until_end(s); }, "cannot decode '" + bad + "' at ");
  }
}

/// Whether this libsndfile can encode MP3 (1.1+ with LAME): decided before
/// the tests run, so a missing encoder shows as a skipped test, not a pass.
bool can_write_mp3() {
  SF_INFO info{};
  info.samplerate = 44100;
  info.channels = 2;
  info.format = SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III;
  return sf_format_check(&info) == SF_TRUE;
}

TEST_CASE("MP3, if this libsndfile can write it" * doctest::skip(!can_write_mp3())) {
  temp_dir dir;
  SF_INFO info{};
  info.samplerate = 44100;
  info.channels = 2;
  info.format = SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III;
  const std::string path = dir / "tone.mp3";
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  REQUIRE_MESSAGE(f != nullptr, sf_strerror(nullptr));
  const std::vector<float> v = tone(44100, 2, 44100);
  sf_writef_float(f, v.data(), 44100);
  sf_close(f);
  const std::string renamed = dir / "tone-copy.mp3";
  fs::copy_file(path, renamed);
  const file_info i = probe_file(renamed);
  CHECK(i.sample_rate == 44100);
  CHECK(i.channels == 2);
  source_options o = one_file(renamed);
  o.output_rate = 48000;
  source s(o);
  const std::vector<float> out = drain(s, 1000);
  CHECK(out.size() / 2 > 40000);
}

TEST_CASE("a file with no audio plays nothing, gaplessly") {
  temp_dir dir;
  const std::string none = write_audio(dir / "none.wav", wav_float, 48000, 2, {});
  CHECK(probe_file(none).frames == 0);
  const std::string some = write_audio(dir / "some.wav", wav_float, 48000, 2, ramp(2, 100));
  source_options o;
  o.files = {none, some, none};
  o.loops = 0;  // forever, but a pass is never empty here
  source s(o);
  CHECK(s.frames_per_pass() == 100);
  CHECK(drain(s, 64, 1000).size() == 2 * 1000);

  source only(one_file(none));
  CHECK(only.frames_per_pass() == 0);
  std::vector<float> buf(2 * 16);
  CHECK(only.read(buf.data(), 16) == 0);
  source_options forever = one_file(none);
  forever.loops = 0;
  source nothing(forever);  // must not spin forever on an empty pass
  CHECK(nothing.read(buf.data(), 16) == 0);
}

TEST_CASE("a file of unknown length (Ogg Vorbis cut short)") {
  temp_dir dir;
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> noise(-0.5f, 0.5f);
  std::vector<float> v(2 * 96000);
  for (float& x : v) x = noise(rng);  // noise: the file stays big enough to cut in the audio
  const std::string full = write_audio(dir / "n.ogg", ogg_vorbis, 48000, 2, v);
  const std::string cut = dir / "cut.ogg";
  fs::copy_file(full, cut);
  fs::resize_file(cut, fs::file_size(full) / 2);
  const file_info info = probe_file(cut);
  // libsndfile 1.2 reports no length for an Ogg stream cut before its last
  // page; the rest of this case is about such a file.
  REQUIRE(info.frames == -1);
  CHECK(info.duration_s < 0.0);
  const std::vector<float> ref = sndfile_decode(cut);
  source_options o = one_file(cut);
  o.start_s = 100.0;  // cannot be checked up front: plays nothing
  CHECK(source(o).frames_per_pass() == -1);
  o.start_s = 0.0;
  source s(o);
  CHECK(s.frames_per_pass() == -1);
  CHECK(bit_equal(drain(s, 1000), ref));
  o.output_rate = 44100;
  CHECK(source(o).frames_per_pass() == -1);
}

TEST_CASE("memory does not grow with file length") {
  temp_dir dir;
  // 60 s of 48 kHz stereo float (23 MB of samples), written in chunks.
  const std::string path = dir / "long.wav";
  {
    SF_INFO info{};
    info.samplerate = 48000;
    info.channels = 2;
    info.format = wav_float;
    SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
    REQUIRE(f != nullptr);
    const std::vector<float> block = tone(48000, 2, 48000, 220.0, 0.3);
    for (int i = 0; i < 60; ++i) REQUIRE(sf_writef_float(f, block.data(), 48000) == 48000);
    sf_close(f);
  }
  for (const int rate : {48000, 44100}) {
    CAPTURE(rate);
    source_options o = one_file(path);
    o.output_rate = rate;
    source s(o);
    std::vector<float> buf(2 * 512);
    // Warm up (first chunk, resampler), then measure over the rest.
    REQUIRE(s.read(buf.data(), 512) == 512);
    const long before = resident_bytes();
    std::int64_t total = 512;
    for (;;) {
      const std::size_t got = s.read(buf.data(), 512);
      total += static_cast<std::int64_t>(got);
      if (got < 512) break;
    }
    const long after = resident_bytes();
    CHECK(std::abs(total - std::int64_t(60) * rate) <= 4);
    CHECK(after - before < 8L * 1024 * 1024);
  }
}

TEST_CASE("memory_file: the same decode as from the file, the same errors") {
  temp_dir dir;
  using pingpong::player::memory_file;
  const auto bytes_of = [](const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::vector<char>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  };
  for (const auto& input :
       {std::pair{"m.wav", wav_pcm16}, std::pair{"m.flac", flac_pcm16}, std::pair{"m.ogg", ogg_vorbis}}) {
    const std::string name = input.first;
    const int format = input.second;
    CAPTURE(name);
    const std::string path = write_audio(dir / name, format, 44100, 2, tone(44100, 2, 20000));
    const std::vector<char> bytes = bytes_of(path);
    source_options from_file;
    from_file.files = {path};
    from_file.output_rate = 48000;  // through the resampler too
    source_options from_memory = from_file;
    from_memory.files.clear();
    from_memory.memory = {memory_file{"in-memory", bytes.data(), bytes.size()}};
    source a(from_file), b(from_memory);
    CHECK(b.frames_per_pass() == a.frames_per_pass());
    const std::vector<float> fa = drain(a, 777), fb = drain(b, 777);
    REQUIRE(fa.size() > 0);
    CHECK(bit_equal(fa, fb));
  }
  SUBCASE("files first, then memory, gaplessly") {
    const std::string path = write_audio(dir / "f.wav", wav_float, 48000, 1, tone(48000, 1, 1000));
    const std::vector<char> bytes = bytes_of(path);
    source_options o;
    o.files = {path};
    o.memory = {memory_file{"m", bytes.data(), bytes.size()}};
    source s(o);
    CHECK(drain(s, 300).size() == 2000);
  }
  SUBCASE("errors name the memory file") {
    const std::string junk(4096, 'x');
    source_options o;
    o.memory = {memory_file{"junk-in-memory", junk.data(), junk.size()}};
    check_one_line_error([&] { source s(o); }, "cannot open 'junk-in-memory': ");
    o.memory = {memory_file{"nothing", junk.data(), 0}};
    check_one_line_error([&] { source s(o); }, "cannot open 'nothing': empty file");
  }
  SUBCASE("a FLAC cut short in memory ends early, without an error") {
    const std::string path = write_audio(dir / "c.flac", flac_pcm16, 48000, 2, tone(48000, 2, 96000));
    std::vector<char> bytes = bytes_of(path);
    bytes.resize(bytes.size() / 2);
    source_options o;
    o.memory = {memory_file{"half", bytes.data(), bytes.size()}};
    source s(o);
    std::vector<float> out;
    CHECK_NOTHROW(out = drain(s, 1000));
    CHECK(out.size() > 0);
    CHECK(out.size() < 2 * 96000);
  }
}

TEST_CASE("a file truncated while playing is an input_error after the frames already read") {
  temp_dir dir;
  for (const auto& input : {std::pair{"t.wav", wav_pcm16}, std::pair{"t.flac", flac_pcm16}}) {
    const std::string name = input.first;
    const int format = input.second;
    CAPTURE(name);
    const std::string path = write_audio(dir / name, format, 48000, 2, tone(48000, 2, 96000));
    source s(one_file(path));
    std::vector<float> buf(2 * 8192);
    REQUIRE(s.read(buf.data(), 8192) == 8192);
    fs::resize_file(path, fs::file_size(path) / 3);
    check_one_line_error([&] { read_until_end(s); }, "'" + path + "' was truncated while playing (from ");
    CHECK(s.frames_produced() >= 8192);
    CHECK(s.read(buf.data(), 8192) == 0);  // the error is reported once, then the end
  }
}

TEST_CASE("damage libsndfile skips over (FLAC resyncs) is still an error, after the good frames") {
  temp_dir dir;
  const std::string full = write_audio(dir / "full.flac", flac_pcm16, 48000, 2, tone(48000, 2, 96000));
  const auto size = fs::file_size(full);
  std::vector<char> bytes(size);
  std::ifstream(full, std::ios::binary).read(bytes.data(), static_cast<std::streamsize>(size));
  // A small hole: libsndfile loses sync, fills with silence and goes on
  // (a full read, then sf_error): that must not play as a gap and exit 0.
  std::fill(bytes.begin() + static_cast<std::ptrdiff_t>(size / 5),
            bytes.begin() + static_cast<std::ptrdiff_t>(size / 5 + 500), '\0');
  const std::string bad = dir / "holed.flac";
  std::ofstream(bad, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(size));
  for (const int rate : {48000, 44100}) {  // as is, and through the resampler
    CAPTURE(rate);
    source_options o = one_file(bad);
    o.output_rate = rate;
    source s(o);
    std::size_t good = 0;
    check_one_line_error([&] { good = read_until_end(s); }, "cannot decode '" + bad + "' at ");
    CHECK(s.frames_produced() > 0);
  }
}

TEST_CASE("a later file of the list cut short after the check is an error, not a short play") {
  temp_dir dir;
  const std::string a = write_audio(dir / "a.wav", wav_pcm16, 48000, 2, tone(48000, 2, 9600));
  const std::string b = write_audio(dir / "b.wav", wav_pcm16, 48000, 2, tone(48000, 2, 9600));
  source_options o;
  o.files = {a, b};
  source s(o);
  fs::resize_file(b, fs::file_size(b) / 2);
  check_one_line_error([&] { read_until_end(s); }, "'" + b + "' changed since it was checked (9600 frames");
  CHECK(s.frames_produced() == 9600);  // all of a.wav first
}

TEST_CASE("an empty memory_file is empty, whatever its name") {
  temp_dir dir;
  const std::string on_disk = write_audio(dir / "real.wav", wav_pcm16, 48000, 2, tone(48000, 2, 100));
  source_options o;
  o.memory = {pingpong::player::memory_file{on_disk, nullptr, 0}};
  check_one_line_error([&] { source s(o); }, "empty file");
}
