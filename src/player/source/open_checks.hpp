// What a file must pass before (and just after) libsndfile opens it, each
// with one clear line for the user: a path that is not a regular, non-empty
// file; a .mp3 name on something that is not MPEG audio; AU/AIFF headers that
// put the audio inside the header or past the end; rates and channel counts
// out of range; a raw format guessed from a name.
//
// Thread: whichever opens files (control, producer). Blocking I/O.
#pragma once

#include <sndfile.h>
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "player/errors.hpp"

namespace pingpong::player::source_detail {

/// One line for the user: control characters become spaces, trailing blanks go.
std::string one_line(std::string text);
/// Throws input_error(one_line(message)).
[[noreturn]] void fail(const std::string& message);
std::string in_quotes(const std::string& path);

/// Missing, a directory, a FIFO/device/socket (open() would block or read
/// garbage), empty: input_error with a plain message.
void check_path(const std::string& path);
/// The name ends in .mp3 (any case).
bool has_mp3_name(const std::string& path);
/// Up to `size` bytes at `offset` of `fd`.
std::vector<unsigned char> read_at(int fd, off_t offset, std::size_t size);
/// Two consecutive MPEG frame headers in the first 64 KiB after any ID3v2
/// tag; unreadable: true (libsndfile will say why).
bool looks_like_mpeg(const std::string& path);
/// What libsndfile opened is a sane description of audio (rate, channels, not guessed raw).
void check_opened(const std::string& name, const SF_INFO& info);
/// AU/AIFF header damage libsndfile would accept; `head`: the first `n`
/// bytes, `size`: the whole file's.
void check_header(const std::string& name, const unsigned char* head, std::size_t n, std::uint64_t size);

}  // namespace pingpong::player::source_detail
