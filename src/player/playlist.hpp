// What a user names on the command line, turned into the files to play:
// audio files as they are; folders as their audio files in natural order
// (track2 before track10; --recursive descends); .m3u/.m3u8 playlists
// (comments, #EXTINF titles, paths relative to the playlist's folder,
// file:// URIs) and .pls playlists (FileN / TitleN); playlists inside
// playlists, to a depth of 8. Shuffled on request.
//
// Thread: control. Reads folders and playlist files; never opens audio.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "player/errors.hpp"

namespace pingpong::player {

struct playlist_entry {
  std::string path;
  std::string title;  ///< from #EXTINF or TitleN; empty if the playlist gave none
};

struct playlist_options {
  bool recursive = false;  ///< folders: their subfolders too
  bool shuffle = false;    ///< the whole list in random order (after expansion)
  std::uint64_t seed = 0;  ///< shuffle seed (the CLI picks a random one)
};

/// Expands `inputs` in order. Throws input_error for a playlist or folder
/// that cannot be read, a URL, a folder with no audio files, or nothing at all.
std::vector<playlist_entry> expand_inputs(const std::vector<std::string>& inputs, const playlist_options& options);

/// True for names libsndfile plays that a folder listing should pick up
/// (by extension: .wav .flac .ogg .oga .opus .mp3 .aif .aiff .aifc .au .snd .caf .w64 .rf64 .wv ...).
bool has_audio_extension(const std::string& path);

/// Natural order: digit runs compare as numbers, the rest case-insensitively.
bool natural_less(const std::string& a, const std::string& b);

}  // namespace pingpong::player
