// Channel mapping by speaker layout: copies, mono to all, padding, the ITU-R BS.775
// downmix from masks, layout chunks and the FLAC/Vorbis orders, the naive
// fold only when nothing states a layout.
#include "helpers.hpp"

TEST_CASE("channel mapping") {
  temp_dir dir;
  SUBCASE("mono to all outputs") {
    const std::vector<float> m = ramp(1, 5000);
    source_options o = one_file(write_audio(dir / "m.wav", wav_float, 48000, 1, m));
    o.output_channels = 2;
    source s(o);
    CHECK(s.channel_mapping() == "1 \u2192 2 (mono to all)");
    const std::vector<float> out = drain(s, 999);
    REQUIRE(out.size() == 10000);
    bool ok = true;
    for (std::size_t f = 0; f < 5000; ++f) ok = ok && out[2 * f] == m[f] && out[2 * f + 1] == m[f];
    CHECK(ok);
  }
  const auto constant = per_channel_constant;
  // 1/sqrt(2): ITU-R BS.775's centre and surround level.
  const float k = static_cast<float>(1.0 / std::numbers::sqrt2);
  SUBCASE("6 ch WAV without a channel mask: assumed 5.1 (FL FR FC LFE BL BR), BS.775 downmix") {
    source_options o = one_file(write_audio(dir / "six.wav", wav_float, 48000, 6, constant(6, 3000)));
    o.output_channels = 2;
    source s(o);
    CHECK(s.channel_mapping() ==
          "6 \u2192 2 (5.1 downmix, ITU-R BS.775, LFE dropped, not normalised: peak gain +7.7 dB; layout assumed: WAV "
          "default order, no channel mask)");
    // L = FL + k FC + k BL, R = FR + k FC + k BR; LFE (0.4) dropped.
    check_frames(drain(s, 1000), {0.1f + k * (0.3f + 0.5f), 0.2f + k * (0.3f + 0.6f)}, 3000);
  }
  SUBCASE("6 ch AU (no layout in the file): mean of all channels on every output") {
    for (const int outputs : {1, 2}) {
      CAPTURE(outputs);
      source_options o =
          one_file(write_audio(dir / "six.au", SF_FORMAT_AU | SF_FORMAT_FLOAT, 48000, 6, constant(6, 3000)));
      o.output_channels = outputs;
      source s(o);
      CHECK(s.channel_mapping() ==
            "6 \u2192 " + std::to_string(outputs) + " (fold-down: mean of all channels, no layout known)");
      check_frames(drain(s, 1000), std::vector<float>(std::size_t(outputs), 0.35f), 3000);
    }
  }
  SUBCASE("3 ch WAV without a mask (no order assumed): mean of all") {
    source_options o = one_file(write_audio(dir / "three.wav", wav_float, 48000, 3, constant(3, 3000)));
    o.output_channels = 2;
    source s(o);
    CHECK(s.channel_mapping() == "3 \u2192 2 (fold-down: mean of all channels, no layout known)");
    check_frames(drain(s, 1000), {0.2f, 0.2f}, 3000);
  }
  SUBCASE("2 -> 4: extra outputs silent") {
    source_options o = one_file(write_audio(dir / "two.wav", wav_float, 48000, 2, constant(2, 3000)));
    o.output_channels = 4;
    source s(o);
    CHECK(s.channel_mapping() == "2 \u2192 4 (extra outputs silent)");
    check_frames(drain(s, 1000), {0.1f, 0.2f, 0.0f, 0.0f}, 3000);
  }
  SUBCASE("files with different layouts each map to the output; each mapping is described") {
    source_options o;
    o.files = {write_audio(dir / "m.wav", wav_float, 48000, 1, constant(1, 100)),
               write_audio(dir / "six.wav", wav_float, 48000, 6, constant(6, 100)),
               write_audio(dir / "m2.wav", wav_float, 48000, 1, constant(1, 100)),
               write_audio(dir / "six.au", SF_FORMAT_AU | SF_FORMAT_FLOAT, 48000, 6, constant(6, 100)),
               write_audio(dir / "six2.wav", wav_float, 48000, 6, constant(6, 100))};
    source s(o);  // output channels: the first file's (1)
    CHECK(s.output_channels() == 1);
    CHECK(
        s.channel_mapping() ==
        "1 \u2192 1; files 2, 5: 6 \u2192 1 (5.1 downmix to mono: (L + R) / 2 of the ITU-R BS.775 stereo downmix, "
        "LFE dropped, not normalised: peak gain +7.7 dB; layout assumed: WAV default order, no channel mask); file 4: "
        "6 \u2192 1 (fold-down: mean of all channels, no layout known)");
    const std::vector<float> out = drain(s, 64);
    REQUIRE(out.size() == 500);
    CHECK(out[0] == doctest::Approx(0.1));
    // Mono = (L + R) / 2 of the stereo downmix: FL, FR at 1/2, FC at k, BL, BR at k/2.
    CHECK(out[150] == doctest::Approx(0.5 * (0.1 + 0.2) + k * 0.3 + 0.5 * k * (0.5 + 0.6)));
    CHECK(out[350] == doctest::Approx(0.35));
  }
  SUBCASE("mapping after resampling") {
    source_options o = one_file(write_audio(dir / "six.wav", wav_float, 44100, 6, constant(6, 44100)));
    o.output_channels = 2;
    o.output_rate = 48000;
    source s(o);
    const std::vector<float> out = drain(s, 1000);
    REQUIRE(out.size() > 2 * 40000);
    CHECK(out[2 * 24000] == doctest::Approx(0.1 + k * (0.3 + 0.5)).epsilon(1e-3));
    CHECK(out[2 * 24000 + 1] == doctest::Approx(0.2 + k * (0.3 + 0.6)).epsilon(1e-3));
  }
}

TEST_CASE("downmix by the file's speaker layout (ITU-R BS.775)") {
  temp_dir dir;
  constexpr int L = SF_CHANNEL_MAP_LEFT, R = SF_CHANNEL_MAP_RIGHT, C = SF_CHANNEL_MAP_CENTER, LFE = SF_CHANNEL_MAP_LFE,
                BL = SF_CHANNEL_MAP_REAR_LEFT, BR = SF_CHANNEL_MAP_REAR_RIGHT, BC = SF_CHANNEL_MAP_REAR_CENTER,
                SL = SF_CHANNEL_MAP_SIDE_LEFT, SR = SF_CHANNEL_MAP_SIDE_RIGHT;
  constexpr int wavex_float = SF_FORMAT_WAVEX | SF_FORMAT_FLOAT;
  const std::vector<int> five_one = {L, R, C, LFE, BL, BR};  // the WAVE order, mask 0x3F
  const float k = static_cast<float>(1.0 / std::numbers::sqrt2);
  const std::string five_one_to_stereo =
      "6 \u2192 2 (5.1 downmix, ITU-R BS.775, LFE dropped, not normalised: peak gain +7.7 dB)";
  // A 5.1 WAV (channel mask) with 0.5 in one channel only, played to `outputs`.
  const auto play_one_channel = [&](int channel, int outputs) {
    source_options o = one_file(
        write_with_layout(dir / "one.wav", wavex_float, 48000, five_one, only_channel(6, channel, 0.5f, 3000)));
    o.output_channels = outputs;
    source s(o);
    return drain(s, 1000);
  };

  SUBCASE("5.1 WAV with a channel mask, centre only: L == R == 0.7071 c") {
    const std::string path =
        write_with_layout(dir / "centre51.wav", wavex_float, 48000, five_one, only_channel(6, 2, 0.5f, 3000));
    const file_info info = probe_file(path);
    CHECK(info.layout == "5.1");
    CHECK(info.layout_source == "channel mask in the file");
    CHECK(info.channel_map == five_one);
    CHECK(info.speakers == "FL FR FC LFE BL BR");
    source_options o = one_file(path);
    o.output_channels = 2;
    source s(o);
    CHECK(s.channel_mapping() == five_one_to_stereo);
    check_frames(drain(s, 1000), {k * 0.5f, k * 0.5f}, 3000);
  }
  SUBCASE("surround left only: left only, at 0.7071") {
    check_frames(play_one_channel(4, 2), {k * 0.5f, 0.0f}, 3000);
  }
  SUBCASE("surround right only: right only") {
    check_frames(play_one_channel(5, 2), {0.0f, k * 0.5f}, 3000);
  }
  SUBCASE("front left only: left at full level") {
    check_frames(play_one_channel(0, 2), {0.5f, 0.0f}, 3000);
  }
  SUBCASE("LFE only: silence (LFE dropped)") {
    check_frames(play_one_channel(3, 2), {0.0f, 0.0f}, 3000);
  }
  SUBCASE("to mono: (L + R) / 2 of the stereo downmix") {
    check_frames(play_one_channel(2, 1), {k * 0.5f}, 3000);  // centre: k on both sides
    check_frames(play_one_channel(0, 1), {0.25f}, 3000);     // a front: half
    check_frames(play_one_channel(3, 1), {0.0f}, 3000);      // LFE
  }
  SUBCASE("to four outputs: the stereo downmix on outputs 1-2, the rest silent") {
    check_frames(play_one_channel(2, 4), {k * 0.5f, k * 0.5f, 0.0f, 0.0f}, 3000);
    source_options o = one_file(dir / "one.wav");
    o.output_channels = 4;
    source s(o);
    CHECK(s.channel_mapping() ==
          "6 \u2192 4 (5.1 downmix to stereo on outputs 1\u20132, ITU-R BS.775, LFE dropped, outputs 3\u20134 silent, "
          "not normalised: peak gain +7.7 dB)");
  }
  SUBCASE("FLAC 5.1 (no map: FLAC's defined order) plays exactly like the WAV") {
    const std::string flac = write_audio(dir / "r.flac", flac_pcm16, 48000, 6, ramp(6, 5000));
    // The WAV holds what the FLAC decodes to, so the two differ only in how their layout is known.
    const std::string wav = write_with_layout(dir / "r.wav", wavex_float, 48000, five_one, sndfile_decode(flac));
    const file_info info = probe_file(flac);
    CHECK(info.layout == "5.1");
    CHECK(info.layout_source == "FLAC default order");
    CHECK(info.channel_map == five_one);
    source_options ow = one_file(wav), of = one_file(flac);
    ow.output_channels = of.output_channels = 2;
    source sw(ow), sf(of);
    CHECK(sf.channel_mapping() == five_one_to_stereo);
    const std::vector<float> from_wav = drain(sw, 1000), from_flac = drain(sf, 1000);
    CHECK(from_wav.size() == 10000);
    CHECK(bit_equal(from_wav, from_flac));
  }
  SUBCASE("CAF 5.1 (channel layout chunk) plays exactly like the WAV") {
    const std::vector<float> v = ramp(6, 5000);
    const std::string wav = write_with_layout(dir / "r.wav", wavex_float, 48000, five_one, v);
    const std::string caf = write_with_layout(dir / "r.caf", SF_FORMAT_CAF | SF_FORMAT_FLOAT, 48000, five_one, v);
    CHECK(probe_file(caf).layout_source == "channel layout in the file");
    source_options ow = one_file(wav), oc = one_file(caf);
    ow.output_channels = oc.output_channels = 2;
    source sw(ow), sc(oc);
    CHECK(bit_equal(drain(sw, 1000), drain(sc, 1000)));
  }
  SUBCASE("Ogg Vorbis 5.1: Vorbis order, centre second (FL FC FR BL BR LFE)") {
    const std::size_t frames = 48000;
    const std::vector<float> mono_tone = tone(48000, 1, frames, 440.0, 0.5);
    const double tone_rms = rms(mono_tone.data(), frames);
    const auto in_channel = [&](int channel) {
      std::vector<float> v(frames * 6, 0.0f);
      for (std::size_t f = 0; f < frames; ++f) v[f * 6 + std::size_t(channel)] = mono_tone[f];
      return v;
    };
    const auto left_right_rms = [&](const std::string& path) {
      source_options o = one_file(path);
      o.output_channels = 2;
      source s(o);
      const std::vector<float> out = drain(s, 4096);
      std::vector<float> left(out.size() / 2), right(out.size() / 2);
      for (std::size_t f = 0; f < left.size(); ++f) {
        left[f] = out[2 * f];
        right[f] = out[2 * f + 1];
      }
      return std::pair{rms(left.data(), left.size()), rms(right.data(), right.size())};
    };
    const std::string centre = write_audio(dir / "c.ogg", ogg_vorbis, 48000, 6, in_channel(1));
    const file_info info = probe_file(centre);
    CHECK(info.layout == "5.1");
    CHECK(info.layout_source == "Vorbis default order");
    CHECK(info.speakers == "FL FC FR BL BR LFE");
    const auto [cl, cr] = left_right_rms(centre);
    CHECK(cl == doctest::Approx(k * tone_rms).epsilon(0.03));
    CHECK(cr == doctest::Approx(k * tone_rms).epsilon(0.03));
    const auto [rl, rr] = left_right_rms(write_audio(dir / "r.ogg", ogg_vorbis, 48000, 6, in_channel(2)));
    CHECK(rr == doctest::Approx(tone_rms).epsilon(0.03));  // the third channel is front right
    CHECK(rl < 0.02 * tone_rms);
  }
  SUBCASE("7.1: side and rear surrounds both fold into the surround terms") {
    const std::vector<float> v = per_channel_constant(8, 3000);
    const std::vector<float> expect = {0.1f + k * (0.3f + 0.5f + 0.7f), 0.2f + k * (0.3f + 0.6f + 0.8f)};
    const std::string text = "8 \u2192 2 (7.1 downmix, ITU-R BS.775, LFE dropped, not normalised: peak gain +9.9 dB)";
    source_options o =
        one_file(write_with_layout(dir / "71.wav", wavex_float, 48000, {L, R, C, LFE, BL, BR, SL, SR}, v));
    o.output_channels = 2;
    source s(o);
    CHECK(s.channel_mapping() == text);
    check_frames(drain(s, 1000), expect, 3000);
    // Without a mask, 8 channels are assumed to be this 7.1.
    source_options plain = one_file(write_audio(dir / "71plain.wav", wav_float, 48000, 8, v));
    plain.output_channels = 2;
    source sp(plain);
    CHECK(sp.channel_mapping() ==
          "8 \u2192 2 (7.1 downmix, ITU-R BS.775, LFE dropped, not normalised: peak gain "
          "+9.9 dB; layout assumed: WAV default order, no channel mask)");
    CHECK(probe_file(dir / "71plain.wav").layout_source == "assumed: WAV default order, no channel mask");
    check_frames(drain(sp, 1000), expect, 3000);
  }
  SUBCASE("quad, 3.0, 4.0, 5.0 and 6.1 to stereo") {
    struct layout_case {
      std::vector<int> speakers;
      const char* name;
      float left, right;  // for per_channel_constant: channel c at 0.1 (c + 1)
    };
    const layout_case cases[] = {
        {{L, R, BL, BR}, "quad", 0.1f + k * 0.3f, 0.2f + k * 0.4f},
        {{L, R, C}, "3.0", 0.1f + k * 0.3f, 0.2f + k * 0.3f},
        {{L, R, C, BC}, "4.0", 0.1f + k * 0.3f + 0.5f * 0.4f, 0.2f + k * 0.3f + 0.5f * 0.4f},
        {{L, R, C, SL, SR}, "5.0", 0.1f + k * (0.3f + 0.4f), 0.2f + k * (0.3f + 0.5f)},
        {{L, R, C, LFE, BC, SL, SR},
         "6.1",
         0.1f + k * 0.3f + 0.5f * 0.5f + k * 0.6f,
         0.2f + k * 0.3f + 0.5f * 0.5f + k * 0.7f},
    };
    for (const layout_case& c : cases) {
      const std::string name = c.name;
      CAPTURE(name);
      const int channels = static_cast<int>(c.speakers.size());
      const std::string path = write_with_layout(dir / (std::string(c.name) + ".wav"), wavex_float, 48000, c.speakers,
                                                 per_channel_constant(channels, 3000));
      CHECK(probe_file(path).layout == c.name);
      source_options o = one_file(path);
      o.output_channels = 2;
      source s(o);
      const std::string mapping = s.channel_mapping();
      CHECK(mapping.rfind(std::to_string(channels) + " \u2192 2 (" + name + " downmix, ITU-R BS.775", 0) == 0);
      CHECK((mapping.find("LFE dropped") != std::string::npos) == (name == "6.1"));
      check_frames(drain(s, 1000), {c.left, c.right}, 3000);
    }
  }
  SUBCASE("stereo to mono: (L + R) / 2") {
    source_options o = one_file(write_audio(dir / "st.wav", wav_float, 48000, 2, per_channel_constant(2, 3000)));
    o.output_channels = 1;
    source s(o);
    CHECK(s.channel_mapping() == "2 \u2192 1 (stereo downmix to mono: (L + R) / 2)");
    check_frames(drain(s, 1000), {0.15f}, 3000);
  }
  SUBCASE("a later, wider file is downmixed and says so; probe_file shows the widest") {
    const std::string stereo = write_audio(dir / "st.wav", wav_float, 48000, 2, per_channel_constant(2, 100));
    const std::string surround =
        write_with_layout(dir / "centre51.wav", wavex_float, 48000, five_one, only_channel(6, 2, 0.5f, 100));
    CHECK(std::max(probe_file(stereo).channels, probe_file(surround).channels) == 6);
    source_options o;
    o.files = {stereo, surround};
    source s(o);  // output: the first file's 2 channels
    CHECK(s.channel_mapping() == "2 \u2192 2; file 2: " + five_one_to_stereo);
    const std::vector<float> out = drain(s, 64);
    REQUIRE(out.size() == 400);
    CHECK(out[0] == doctest::Approx(0.1));
    CHECK(out[1] == doctest::Approx(0.2));
    CHECK(out[300] == doctest::Approx(k * 0.5));
    CHECK(out[301] == doctest::Approx(k * 0.5));
    // Opened for the widest file, as a player should: nothing is downmixed.
    o.output_channels = 6;
    source wide(o);
    CHECK(wide.channel_mapping() == "2 \u2192 6 (extra outputs silent); file 2: 6 \u2192 6");
  }
  SUBCASE("mono and stereo files name their layout") {
    const file_info mono = probe_file(write_audio(dir / "m.wav", wav_float, 48000, 1, per_channel_constant(1, 100)));
    CHECK(mono.layout == "mono");
    const file_info st = probe_file(write_audio(dir / "s.flac", flac_pcm16, 48000, 2, per_channel_constant(2, 100)));
    CHECK(st.layout == "stereo");
    CHECK(st.speakers == "FL FR");
    const file_info au =
        probe_file(write_audio(dir / "six.au", SF_FORMAT_AU | SF_FORMAT_FLOAT, 48000, 6, per_channel_constant(6, 100)));
    CHECK(au.layout == "unknown (6 ch)");
    CHECK(au.channel_map.empty());
    CHECK(au.speakers.empty());
  }
}
