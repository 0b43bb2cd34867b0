#!/usr/bin/env python3
"""make_corpus.py OUT_DIR [MEDIA_DIR]: a corpus of malformed audio inputs.

Writes into OUT_DIR (created if needed; an earlier corpus there is
replaced, any other non-empty directory refused) one file (or directory, symlink, FIFO) per case, and
OUT_DIR/manifest.tsv: one line per case,

    NAME <TAB> EXPECTATION <TAB> DESCRIPTION

NAME is relative to OUT_DIR (a few cases, like "missing.wav", name nothing
on purpose). EXPECTATION is

  valid   a well-formed base file the malformed cases are made from: must
          play (exit 0, nothing on stderr). Not counted as malformed; there
          so that a broken generator cannot make every "error" pass.
  error   must be rejected: exit 2, one stderr line naming the file and the
          problem.
  either  malformed but recoverable: rejecting it ("error") is right, and so
          is playing what is there (exit 0, nothing on stderr).

How cases are classified (by what a careful player should do, not by what
any particular build does):

  error   not a regular, readable file (directory, FIFO, device, symlink
          loop, dangling symlink, no permission, missing, empty); no
          recognisable format (random bytes, wrong magic); a format
          description (encoding, channels, sample rate, bit depth) that is
          missing, incomplete, unsupported or absurd (0 channels, 65535
          channels, 0 / 1 / 2^31-1 / 2^32-1 Hz, 0 or 1000 bits); the file
          ends, or its audio is declared to start, before the audio data
          begins (a truncated header); chunk sizes that make the audio
          unreachable without guessing (a 0xFFFFFFFF format chunk).
  either  the format description is complete and sane and only the amount
          of audio is misdeclared: data/SSND/RIFF/FORM sizes of 0, too
          small, too large, odd, 0xFFFFFFFF (streaming), huge frame counts
          (WAV fact, RF64 ds64, AIFF COMM, FLAC STREAMINFO, AU's "unknown
          size"); a file cut short inside (or exactly at the start of) its
          audio; wrong redundant fields (byte rate, block align); damage
          real writers are known to produce and readers tolerate (an odd
          chunk size without its pad byte); damage inside the audio
          payload or in optional metadata (FLAC/Vorbis comments).

Valid bases are built here (WAV PCM16 with a LIST chunk, WAV float with a
fact chunk, WAVE_FORMAT_EXTENSIBLE 24-bit, RF64, AIFF, AIFF-C 'sowt', AU,
Ogg Opus with silent packets, MP3 with silent frames), 0.2 s each, so the
either-cases that play take 0.2 s on a real-time device. FLAC and Ogg
Vorbis bases come from MEDIA_DIR (written by pp_make_media: tone.flac,
tone.ogg); tone.flac is cut to its first two frames (0.19 s) with STREAMINFO
adjusted. Without MEDIA_DIR those cases are left out.

Deterministic: fixed seeds, no timestamps; the same inputs give the same
bytes. Python 3 standard library only.

Exit status: 0 written, 1 a file could not be written, 2 bad usage.
"""

import math
import os
import random
import shutil
import struct
import sys

RATE = 44100
SECONDS = 0.2


# ---- samples -------------------------------------------------------------------


def tone(frames, rate):
    """Stereo 440 Hz, L at -6 dBFS, R at -12 dBFS, 5 ms fades: int16 pairs."""
    fade = max(1, int(rate * 0.005))
    out = []
    for i in range(frames):
        g = min(1.0, i / fade, (frames - 1 - i) / fade)
        s = math.sin(2.0 * math.pi * 440.0 * i / rate) * g
        out.append((int(round(s * 16384)), int(round(s * 8192))))
    return out


def pcm16(frames, big_endian=False):
    fmt = ">hh" if big_endian else "<hh"
    return b"".join(struct.pack(fmt, l, r) for l, r in frames)


def pcm24le(frames):
    out = bytearray()
    for l, r in frames:
        for v in (l * 256, r * 256):
            out += (v & 0xFFFFFF).to_bytes(3, "little")
    return bytes(out)


def float32le(frames):
    return b"".join(struct.pack("<ff", l / 32768.0, r / 32768.0) for l, r in frames)


def u16le(v):
    return struct.pack("<H", v)


def u32le(v):
    return struct.pack("<I", v)


def u64le(v):
    return struct.pack("<Q", v)


def u16be(v):
    return struct.pack(">H", v)


def u32be(v):
    return struct.pack(">I", v)


def extended80(value):
    """An IEEE 754 80-bit extended float (AIFF sample rates), big-endian."""
    if value == 0:
        return bytes(10)
    sign = 0x8000 if value < 0 else 0
    mant, exp = math.frexp(abs(value))  # abs = mant * 2^exp, 0.5 <= mant < 1
    return u16be(sign | (exp - 1 + 16383)) + struct.pack(">Q", int(mant * (1 << 64)))


# ---- layouts: bytes built field by field --------------------------------------


class Layout:
    """Bytes built field by field; remembers where each field starts, so that
    cases can cut the file at every field boundary or patch one field."""

    def __init__(self, audio_field):
        self.data = bytearray()
        self.fields = {}  # name -> (offset, length)
        self.order = []
        self.audio_field = audio_field  # the first byte of audio is this field's start

    def put(self, name, raw):
        assert name not in self.fields, name
        self.fields[name] = (len(self.data), len(raw))
        self.order.append(name)
        self.data += raw

    def at(self, name):
        return self.fields[name][0]

    def audio_start(self):
        return self.at(self.audio_field)

    def patch(self, name, raw, data=None):
        offset, length = self.fields[name]
        assert len(raw) == length, (name, len(raw), length)
        out = bytearray(self.data if data is None else data)
        out[offset:offset + length] = raw
        return bytes(out)

    def header_cuts(self):
        """(offset, field) for every field start in the header, and the audio start."""
        cuts = []
        seen = set()
        for name in self.order:
            offset = self.at(name)
            if 0 < offset <= self.audio_start() and offset not in seen:
                seen.add(offset)
                cuts.append((offset, name))
        return cuts


def put_wave_fmt(L, size, tag, rate, bytes_per_sample):
    """The fmt chunk's id, size and the fields every WAVE format has (stereo)."""
    L.put("fmt.id", b"fmt ")
    L.put("fmt.size", u32le(size))
    L.put("fmt.tag", u16le(tag))
    L.put("fmt.channels", u16le(2))
    L.put("fmt.rate", u32le(rate))
    L.put("fmt.byte_rate", u32le(rate * 2 * bytes_per_sample))
    L.put("fmt.block_align", u16le(2 * bytes_per_sample))
    L.put("fmt.bits", u16le(8 * bytes_per_sample))


def wav16():
    frames = tone(int(RATE * SECONDS), RATE)
    samples = pcm16(frames)
    text = b"pingpong\0"  # 9 bytes: odd, so the INAM chunk has a pad byte
    list_size = 4 + 8 + len(text) + 1
    L = Layout("data.samples")
    L.put("riff.id", b"RIFF")
    L.put("riff.size", u32le(4 + (8 + 16) + (8 + list_size) + (8 + len(samples))))
    L.put("riff.form", b"WAVE")
    put_wave_fmt(L, 16, 1, RATE, 2)
    L.put("list.id", b"LIST")
    L.put("list.size", u32le(list_size))
    L.put("list.type", b"INFO")
    L.put("inam.id", b"INAM")
    L.put("inam.size", u32le(len(text)))
    L.put("inam.text", text)
    L.put("inam.pad", b"\0")
    L.put("data.id", b"data")
    L.put("data.size", u32le(len(samples)))
    L.put("data.samples", samples)
    return L


def wav_float():
    rate = 48000
    frames = tone(int(rate * SECONDS), rate)
    samples = float32le(frames)
    L = Layout("data.samples")
    L.put("riff.id", b"RIFF")
    L.put("riff.size", u32le(4 + (8 + 18) + (8 + 4) + (8 + len(samples))))
    L.put("riff.form", b"WAVE")
    put_wave_fmt(L, 18, 3, rate, 4)
    L.put("fmt.cb_size", u16le(0))
    L.put("fact.id", b"fact")
    L.put("fact.size", u32le(4))
    L.put("fact.frames", u32le(len(frames)))
    L.put("data.id", b"data")
    L.put("data.size", u32le(len(samples)))
    L.put("data.samples", samples)
    return L


KSDATAFORMAT_SUBTYPE_PCM = bytes.fromhex("0100000000001000800000aa00389b71")


def wav_extensible():
    rate = 48000
    frames = tone(int(rate * SECONDS), rate)
    samples = pcm24le(frames)
    L = Layout("data.samples")
    L.put("riff.id", b"RIFF")
    L.put("riff.size", u32le(4 + (8 + 40) + (8 + len(samples))))
    L.put("riff.form", b"WAVE")
    put_wave_fmt(L, 40, 0xFFFE, rate, 3)
    L.put("fmt.cb_size", u16le(22))
    L.put("fmt.valid_bits", u16le(24))
    L.put("fmt.channel_mask", u32le(3))
    L.put("fmt.subformat", KSDATAFORMAT_SUBTYPE_PCM)
    L.put("data.id", b"data")
    L.put("data.size", u32le(len(samples)))
    L.put("data.samples", samples)
    return L


def rf64():
    frames = tone(int(RATE * SECONDS), RATE)
    samples = pcm16(frames)
    riff_size = 4 + (8 + 28) + (8 + 16) + (8 + len(samples))
    L = Layout("data.samples")
    L.put("rf64.id", b"RF64")
    L.put("rf64.size", u32le(0xFFFFFFFF))
    L.put("rf64.form", b"WAVE")
    L.put("ds64.id", b"ds64")
    L.put("ds64.size", u32le(28))
    L.put("ds64.riff_size", u64le(riff_size))
    L.put("ds64.data_size", u64le(len(samples)))
    L.put("ds64.sample_count", u64le(len(frames)))
    L.put("ds64.table_length", u32le(0))
    put_wave_fmt(L, 16, 1, RATE, 2)
    L.put("data.id", b"data")
    L.put("data.size", u32le(0xFFFFFFFF))
    L.put("data.samples", samples)
    return L


def aiff(compressed=False):
    """AIFF (big-endian PCM16) or AIFF-C 'sowt' (little-endian PCM16)."""
    frames = tone(int(RATE * SECONDS), RATE)
    samples = pcm16(frames, big_endian=not compressed)
    comm_size = 18 + (4 + 2 if compressed else 0)  # + compression type + empty, padded pstring
    form_size = 4 + (12 if compressed else 0) + (8 + comm_size) + (8 + 8 + len(samples))
    L = Layout("ssnd.samples")
    L.put("form.id", b"FORM")
    L.put("form.size", u32be(form_size))
    L.put("form.type", b"AIFC" if compressed else b"AIFF")
    if compressed:
        L.put("fver.id", b"FVER")
        L.put("fver.size", u32be(4))
        L.put("fver.timestamp", u32be(0xA2805140))
    L.put("comm.id", b"COMM")
    L.put("comm.size", u32be(comm_size))
    L.put("comm.channels", u16be(2))
    L.put("comm.frames", u32be(len(frames)))
    L.put("comm.bits", u16be(16))
    L.put("comm.rate", extended80(RATE))
    if compressed:
        L.put("comm.compression", b"sowt")
        L.put("comm.name", b"\0\0")
    L.put("ssnd.id", b"SSND")
    L.put("ssnd.size", u32be(8 + len(samples)))
    L.put("ssnd.offset", u32be(0))
    L.put("ssnd.block_size", u32be(0))
    L.put("ssnd.samples", samples)
    return L


def au():
    frames = tone(int(RATE * SECONDS), RATE)
    samples = pcm16(frames, big_endian=True)
    L = Layout("samples")
    L.put("magic", b".snd")
    L.put("offset", u32be(28))
    L.put("size", u32be(len(samples)))
    L.put("encoding", u32be(3))  # 16-bit linear PCM
    L.put("rate", u32be(RATE))
    L.put("channels", u32be(2))
    L.put("annotation", b"pp\0\0")
    L.put("samples", samples)
    return L


# ---- Ogg -----------------------------------------------------------------------


def _ogg_crc_table():
    table = []
    for i in range(256):
        r = i << 24
        for _ in range(8):
            r = ((r << 1) ^ 0x04C11DB7) if r & 0x80000000 else (r << 1)
        table.append(r & 0xFFFFFFFF)
    return table


OGG_CRC = _ogg_crc_table()


def ogg_crc(data):
    crc = 0
    for b in data:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ OGG_CRC[((crc >> 24) & 0xFF) ^ b]
    return crc


def ogg_page(payload_packets, flags, granule, serial, seq):
    """One page holding whole packets (each < 255 * 255 bytes)."""
    lacing = bytearray()
    for p in payload_packets:
        n = len(p)
        lacing += b"\xff" * (n // 255) + bytes([n % 255])
    assert len(lacing) <= 255
    header = b"OggS" + bytes([0, flags]) + struct.pack("<qII", granule, serial, seq) + b"\0\0\0\0"
    page = bytearray(header + bytes([len(lacing)]) + lacing + b"".join(payload_packets))
    page[22:26] = u32le(ogg_crc(page))
    return bytes(page)


def ogg_fix_crcs(data):
    """Recomputes the CRC of every complete page (after a field was patched)."""
    out = bytearray(data)
    pos = 0
    while pos + 27 <= len(out) and out[pos:pos + 4] == b"OggS":
        nseg = out[pos + 26]
        if pos + 27 + nseg > len(out):
            break
        end = pos + 27 + nseg + sum(out[pos + 27:pos + 27 + nseg])
        if end > len(out):
            break
        out[pos + 22:pos + 26] = b"\0\0\0\0"
        out[pos + 22:pos + 26] = u32le(ogg_crc(out[pos:end]))
        pos = end
    return bytes(out)


def ogg_page_fields(L, data, pos, tag):
    """Adds the fields of the page header at `pos` to L; returns (body start, lacing)."""
    nseg = data[pos + 26]
    L.put(tag + ".capture", data[pos:pos + 4])
    L.put(tag + ".version", data[pos + 4:pos + 5])
    L.put(tag + ".flags", data[pos + 5:pos + 6])
    L.put(tag + ".granule", data[pos + 6:pos + 14])
    L.put(tag + ".serial", data[pos + 14:pos + 18])
    L.put(tag + ".seq", data[pos + 18:pos + 22])
    L.put(tag + ".crc", data[pos + 22:pos + 26])
    L.put(tag + ".nseg", data[pos + 26:pos + 27])
    L.put(tag + ".lacing", data[pos + 27:pos + 27 + nseg])
    return pos + 27 + nseg, list(data[pos + 27:pos + 27 + nseg])


def vorbis(data):
    """Layout of an Ogg Vorbis file: the two header pages field by field, then the audio pages."""
    L = Layout("audio")
    body, lacing = ogg_page_fields(L, data, 0, "p0")
    assert lacing == [30], "tone.ogg: unexpected first page"
    f = [("id.type", 1), ("id.magic", 6), ("id.version", 4), ("id.channels", 1), ("id.rate", 4),
         ("id.bitrate_max", 4), ("id.bitrate_nominal", 4), ("id.bitrate_min", 4), ("id.blocksizes", 1),
         ("id.framing", 1)]
    pos = body
    for name, n in f:
        L.put(name, data[pos:pos + n])
        pos += n
    body, lacing = ogg_page_fields(L, data, pos, "p1")
    # The comment packet: lacing values up to the first one below 255.
    comment_len = 0
    for v in lacing:
        comment_len += v
        if v < 255:
            break
    pos = body
    vendor_len = struct.unpack("<I", data[pos + 7:pos + 11])[0]
    L.put("comment.type", data[pos:pos + 1])
    L.put("comment.magic", data[pos + 1:pos + 7])
    L.put("comment.vendor_length", data[pos + 7:pos + 11])
    L.put("comment.vendor", data[pos + 11:pos + 11 + vendor_len])
    q = pos + 11 + vendor_len
    L.put("comment.count", data[q:q + 4])
    L.put("comment.rest", data[q + 4:pos + comment_len])
    pos += comment_len
    page1_end = body + sum(lacing)
    L.put("setup.type", data[pos:pos + 1])
    L.put("setup.magic", data[pos + 1:pos + 7])
    L.put("setup.codebooks", data[pos + 7:page1_end])
    L.put("audio", data[page1_end:])
    return L


def opus():
    """Ogg Opus: OpusHead, OpusTags, then 10 empty (DTX) 20 ms packets: 0.19 s of silence."""
    serial = 0x70696E67
    L = Layout("audio")
    head = b"OpusHead" + bytes([1, 2]) + u16le(312) + u32le(48000) + u16le(0) + bytes([0])
    tags = b"OpusTags" + u32le(8) + b"pingpong" + u32le(0)
    page0 = ogg_page([head], 0x02, 0, serial, 0)
    page1 = ogg_page([tags], 0x00, 0, serial, 1)
    # Two audio pages (libsndfile refuses a single one: its granule position
    # would be ambiguous), 5 packets each. TOC 0xFC: CELT fullband 20 ms,
    # stereo, one frame of 0 bytes (DTX: decodes as silence).
    packets = [bytes([0xFC])] * 5
    page2 = ogg_page(packets, 0x00, 5 * 960, serial, 2) + ogg_page(packets, 0x04, 10 * 960, serial, 3)
    ogg_page_fields(L, page0, 0, "p0")
    L.put("head.magic", head[0:8])
    L.put("head.version", head[8:9])
    L.put("head.channels", head[9:10])
    L.put("head.pre_skip", head[10:12])
    L.put("head.input_rate", head[12:16])
    L.put("head.gain", head[16:18])
    L.put("head.mapping_family", head[18:19])
    L.put("p1", page1)
    L.put("audio", page2)
    return L


# ---- FLAC ----------------------------------------------------------------------


def crc8(data):
    crc = 0
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


def flac_frame_header(data, pos):
    """(frame number, header length) if a valid fixed-blocksize frame header starts at pos, else None."""
    if pos + 6 > len(data) or data[pos] != 0xFF or data[pos + 1] != 0xF8:
        return None
    bs_code, rate_code = data[pos + 2] >> 4, data[pos + 2] & 15
    if bs_code == 0 or rate_code == 15 or data[pos + 3] & 1:
        return None
    q = pos + 4
    first = data[q]
    n = 0
    while n < 7 and first & (0x80 >> n):
        n += 1
    if n == 1 or n > 6:
        return None
    length = 1 if n == 0 else n
    number = first & (0x7F >> n) if n else first
    for b in data[q + 1:q + length]:
        if b & 0xC0 != 0x80:
            return None
        number = (number << 6) | (b & 0x3F)
    q += length
    q += {6: 1, 7: 2}.get(bs_code, 0)
    q += {12: 1, 13: 2, 14: 2}.get(rate_code, 0)
    if q >= len(data) or crc8(data[pos:q]) != data[q]:
        return None
    return number, q + 1 - pos


def flac(data):
    """Layout of tone.flac cut to its first two frames, STREAMINFO adjusted (valid)."""
    assert data[:4] == b"fLaC", "tone.flac: not FLAC"
    blocks = []
    pos = 4
    while True:
        kind, last = data[pos] & 0x7F, data[pos] >> 7
        n = int.from_bytes(data[pos + 1:pos + 4], "big")
        blocks.append((kind, data[pos:pos + 4 + n]))
        pos += 4 + n
        if last:
            break
    assert blocks[0][0] == 0 and len(blocks[0][1]) == 38, "tone.flac: no STREAMINFO first"
    frames_start = pos
    first = flac_frame_header(data, frames_start)
    assert first and first[0] == 0, "tone.flac: no frame 0 after the metadata"
    # The start of frame 2 (frame numbers count frames with a fixed block size).
    cut = None
    for p in range(frames_start + first[1], len(data) - 6):
        h = flac_frame_header(data, p)
        if h and h[0] == 2:
            cut = p
            break
    assert cut, "tone.flac: frame 2 not found"
    second = None
    for p in range(frames_start + first[1], cut):
        h = flac_frame_header(data, p)
        if h and h[0] == 1:
            second = p
            break
    assert second, "tone.flac: frame 1 not found"
    si = blocks[0][1]
    block_size = int.from_bytes(si[4:6], "big")
    packed = int.from_bytes(si[14:22], "big")
    packed = (packed & ~((1 << 36) - 1)) | (2 * block_size)  # total samples: two frames
    L = Layout("frame0.header")
    L.put("magic", b"fLaC")
    L.put("si.header", si[0:4])
    L.put("si.min_block", si[4:6])
    L.put("si.max_block", si[6:8])
    L.put("si.min_frame", bytes(3))  # 0: unknown
    L.put("si.max_frame", bytes(3))
    L.put("si.rate_ch_bps_total", packed.to_bytes(8, "big"))
    L.put("si.md5", bytes(16))  # 0: not computed (the MD5 of the whole file would not match)
    for i, (kind, raw) in enumerate(blocks[1:], 1):
        tag = "block%d" % i
        L.put(tag + ".header", raw[0:4])
        if kind == 4:  # VORBIS_COMMENT: little-endian lengths
            vlen = struct.unpack("<I", raw[4:8])[0]
            L.put(tag + ".vendor_length", raw[4:8])
            L.put(tag + ".vendor", raw[8:8 + vlen])
            L.put(tag + ".count", raw[8 + vlen:12 + vlen])
            if len(raw) > 12 + vlen:
                L.put(tag + ".comments", raw[12 + vlen:])
        elif len(raw) > 4:
            L.put(tag + ".body", raw[4:])
    h0 = first[1]
    h1 = flac_frame_header(data, second)[1]
    L.put("frame0.header", data[frames_start:frames_start + h0])
    L.put("frame0.body", data[frames_start + h0:second])
    L.put("frame1.header", data[second:second + h1])
    L.put("frame1.body", data[second + h1:cut])
    return L


def flac_streaminfo(L, rate=None, channels=None, bps=None, total=None):
    """L's bytes with STREAMINFO's packed rate/channels/bits/total samples changed."""
    v = int.from_bytes(L.data[L.at("si.rate_ch_bps_total"):L.at("si.rate_ch_bps_total") + 8], "big")
    r, c, b, t = v >> 44, (v >> 41) & 7, (v >> 36) & 31, v & ((1 << 36) - 1)
    if rate is not None:
        r = rate
    if channels is not None:
        c = channels - 1
    if bps is not None:
        b = bps - 1
    if total is not None:
        t = total
    packed = (r << 44) | (c << 41) | (b << 36) | t
    return L.patch("si.rate_ch_bps_total", packed.to_bytes(8, "big"))


# ---- MP3 -----------------------------------------------------------------------

MP3_HEADER = bytes([0xFF, 0xFB, 0x90, 0x04])  # MPEG 1 layer III, 128 kb/s, 44.1 kHz, stereo
MP3_FRAME = 417  # 144 * 128000 / 44100, no padding


def mp3_silence(frames):
    """Frames whose side info and main data are all zero: valid silence."""
    return (MP3_HEADER + bytes(MP3_FRAME - 4)) * frames


def mp3_xing(total_frames):
    """An Xing ('Info') frame declaring `total_frames` frames, then 8 silent frames."""
    body = bytearray(MP3_FRAME - 4)
    body[32:36] = b"Info"  # after 32 bytes of side info (MPEG 1, stereo)
    body[36:40] = u32be(1)  # flags: frame count present
    body[40:44] = u32be(total_frames)
    return MP3_HEADER + bytes(body) + mp3_silence(8)


def id3v2(size):
    """An ID3v2.4 header declaring `size` bytes of tag (syncsafe)."""
    syncsafe = bytes([(size >> 21) & 0x7F, (size >> 14) & 0x7F, (size >> 7) & 0x7F, size & 0x7F])
    return b"ID3\x04\x00\x00" + syncsafe


# ---- the corpus ----------------------------------------------------------------


class Corpus:
    def __init__(self, out):
        self.out = out
        self.lines = []
        self.names = set()
        self.failed = False

    def _claim(self, name, expect, desc):
        assert expect in ("valid", "error", "either"), expect
        assert name not in self.names, name
        assert "\t" not in name and "\n" not in name and "\t" not in desc
        self.names.add(name)
        self.lines.append("%s\t%s\t%s" % (name, expect, desc))
        return os.path.join(self.out, name)

    def file(self, name, expect, desc, data):
        path = self._claim(name, expect, desc)
        try:
            with open(path, "wb") as f:
                f.write(data)
        except OSError as e:
            print("make_corpus.py: cannot write %s: %s" % (path, e), file=sys.stderr)
            self.failed = True
        return path

    def special(self, name, expect, desc, make):
        """A case made by `make(path)` (directory, symlink, FIFO, ...)."""
        path = self._claim(name, expect, desc)
        try:
            make(path)
        except OSError as e:
            print("make_corpus.py: cannot make %s: %s" % (path, e), file=sys.stderr)
            self.failed = True
        return path

    def nothing(self, name, expect, desc):
        """A case whose name must not exist."""
        self._claim(name, expect, desc)

    def write_manifest(self):
        path = os.path.join(self.out, "manifest.tsv")
        with open(path, "w", encoding="utf-8") as f:
            f.write("# make_corpus.py: NAME<TAB>EXPECTATION<TAB>DESCRIPTION (valid: must play; "
                    "error: must exit 2 with one line naming the file; either: error or play)\n")
            for line in self.lines:
                f.write(line + "\n")


def remove(path):
    """Removes whatever is at `path` (an earlier run's case), even a directory with mode 000."""
    if not os.path.lexists(path):
        return
    if os.path.isdir(path) and not os.path.islink(path):
        for root, dirs, _ in os.walk(path):
            os.chmod(root, 0o700)
            for d in dirs:
                p = os.path.join(root, d)
                if not os.path.islink(p):
                    os.chmod(p, 0o700)
        shutil.rmtree(path)
    else:
        os.unlink(path)


def add_truncations(c, prefix, ext, L, what):
    """The file cut at every header field boundary (error before the audio starts,
    either at its start), and once inside the audio (either)."""
    audio = L.audio_start()
    for offset, field in L.header_cuts():
        if offset < audio:
            c.file("%s_cut_%04d_%s%s" % (prefix, offset, field.replace(".", "-"), ext), "error",
                   "%s cut at byte %d, before %s: header incomplete" % (what, offset, field), L.data[:offset])
        else:
            c.file("%s_cut_%04d_audio_start%s" % (prefix, offset, ext), "either",
                   "%s cut at byte %d, where the audio starts: complete header, no audio" % (what, offset),
                   L.data[:offset])
    cut = audio + 1001  # odd: ends inside a frame
    c.file("%s_cut_%04d_in_audio%s" % (prefix, cut, ext), "either",
           "%s cut at byte %d, inside the audio (partial last frame)" % (what, cut), L.data[:cut])


def wav_family_cases(c, prefix, L, what, pcm=True):
    """Field mutations shared by the RIFF WAVE bases."""
    ext = ".wav"
    size_field = "rf64.size" if "rf64.size" in L.fields else "riff.size"
    real_riff = struct.unpack("<I", L.data[L.at(size_field):L.at(size_field) + 4])[0]
    if size_field == "riff.size":
        for v, d in [(0, "0"), (4, "4 (too small: just the form type)"), (real_riff - 100, "100 bytes too small"),
                     (real_riff + 1, "odd (1 too large)"), (0xFFFFFFFF, "0xFFFFFFFF")]:
            c.file("%s_riff_size_%s%s" % (prefix, d.split()[0], ext), "either", "%s: RIFF size %s" % (what, d),
                   L.patch("riff.size", u32le(v)))
    fmt_size = struct.unpack("<I", L.data[L.at("fmt.size"):L.at("fmt.size") + 4])[0]
    for v, expect, d in [(0, "error", "0"), (8, "error", "8 (too small for a format)"),
                         (14, "error", "14 (no bits per sample)"),
                         (fmt_size + 1, "either", "odd (%d: 1 too large, as if a pad byte were missing)" % (fmt_size + 1)),
                         (0xFFFFFFFF, "error", "0xFFFFFFFF (runs past the end: data unreachable)")]:
        c.file("%s_fmt_size_%s%s" % (prefix, d.split()[0], ext), expect, "%s: fmt chunk size %s" % (what, d),
               L.patch("fmt.size", u32le(v)))
    data_bytes = len(L.data) - L.audio_start()
    if "ds64.data_size" not in L.fields:
        for v, tag, d in [(0, "0", "0 (declares no audio)"), (3, "3", "3 (less than one frame, odd)"),
                          (data_bytes - 1, "short", "1 too small (partial last frame, odd)"),
                          (data_bytes + 1, "long", "1 larger than the file (odd)"),
                          (0x7FFFFFFF, "7fffffff", "0x7FFFFFFF (far larger than the file)"),
                          (0xFFFFFFFF, "ffffffff", "0xFFFFFFFF (streaming writer)")]:
            c.file("%s_data_size_%s%s" % (prefix, tag, ext), "either", "%s: data chunk size %s" % (what, d),
                   L.patch("data.size", u32le(v)))
    for v, expect, d in [(0, "error", "0"), (65535, "error", "65535")]:
        c.file("%s_channels_%d%s" % (prefix, v, ext), expect, "%s: %s channels" % (what, d),
               L.patch("fmt.channels", u16le(v)))
    for v, d in [(0, "0"), (1, "1 (absurd)"), (0x7FFFFFFF, "0x7FFFFFFF (absurd)"), (0xFFFFFFFF, "0xFFFFFFFF (-1 as int)")]:
        c.file("%s_rate_%s%s" % (prefix, d.split()[0], ext), "error", "%s: sample rate %s Hz" % (what, d),
               L.patch("fmt.rate", u32le(v)))
    for v, expect, d in [(0, "error", "0"), (1000, "error", "1000")] + ([(7, "either", "7 (odd depth, 2-byte container by block align)")] if pcm else [(16, "error", "16 (half floats: unsupported)")]):
        c.file("%s_bits_%d%s" % (prefix, v, ext), expect, "%s: bits per sample %s" % (what, d),
               L.patch("fmt.bits", u16le(v)))
    c.file("%s_block_align_0%s" % (prefix, ext), "either", "%s: block align 0 (redundant: channels x bytes)" % what,
           L.patch("fmt.block_align", u16le(0)))
    c.file("%s_byte_rate_0%s" % (prefix, ext), "either", "%s: byte rate 0 (redundant)" % what,
           L.patch("fmt.byte_rate", u32le(0)))
    for v, d in [(0x1234, "0x1234 (unknown)"), (0, "0 (WAVE_FORMAT_UNKNOWN)")]:
        c.file("%s_format_tag_%s%s" % (prefix, d.split()[0], ext), "error", "%s: format tag %s" % (what, d),
               L.patch("fmt.tag", u16le(v)))
    c.file("%s_form_type_wrong%s" % (prefix, ext), "error", "%s: RIFF form type 'WAVX', not 'WAVE'" % what,
           L.patch(size_field.split(".")[0] + ".form", b"WAVX"))
    c.file("%s_fmt_id_wrong%s" % (prefix, ext), "error", "%s: format chunk renamed 'fmx ' (no format chunk)" % what,
           L.patch("fmt.id", b"fmx "))
    c.file("%s_data_id_wrong%s" % (prefix, ext), "error", "%s: data chunk renamed 'datx' (no data chunk)" % what,
           L.patch("data.id", b"datx"))


def build(out, media):
    c = Corpus(out)

    # -- WAV PCM16 with a LIST chunk -----------------------------------------
    w = wav16()
    c.file("valid_wav16.wav", "valid", "base: WAV PCM16 stereo 44.1 kHz 0.2 s, LIST/INFO chunk before data", w.data)
    add_truncations(c, "wav16", ".wav", w, "WAV PCM16")
    wav_family_cases(c, "wav16", w, "WAV PCM16")
    list_size = struct.unpack("<I", w.data[w.at("list.size"):w.at("list.size") + 4])[0]
    c.file("wav16_list_size_ffffffff.wav", "error", "WAV PCM16: LIST chunk size 0xFFFFFFFF (hides the data chunk)",
           w.patch("list.size", u32le(0xFFFFFFFF)))
    c.file("wav16_list_size_odd.wav", "either", "WAV PCM16: LIST chunk size %d (odd, 1 too large)" % (list_size + 1),
           w.patch("list.size", u32le(list_size + 1)))
    c.file("wav16_inam_size_huge.wav", "either", "WAV PCM16: INAM string size 0x7FFFFFFF inside a small LIST chunk",
           w.patch("inam.size", u32le(0x7FFFFFFF)))
    c.file("wav16_tag_extensible_no_extension.wav", "error",
           "WAV PCM16: format tag 0xFFFE (extensible) in a 16-byte fmt chunk (no subformat)",
           w.patch("fmt.tag", u16le(0xFFFE)))
    # Chunk order: data before fmt (readers may accept it), no fmt at all.
    fmt_chunk = w.data[w.at("fmt.id"):w.at("list.id")]
    data_chunk = w.data[w.at("data.id"):]
    head = b"RIFF" + u32le(4 + len(fmt_chunk) + len(data_chunk)) + b"WAVE"
    c.file("wav16_data_before_fmt.wav", "either", "WAV PCM16: data chunk before the fmt chunk",
           head + data_chunk + fmt_chunk)
    c.file("wav16_no_fmt.wav", "error", "WAV PCM16: no fmt chunk at all",
           b"RIFF" + u32le(4 + len(data_chunk)) + b"WAVE" + data_chunk)
    c.file("wav16_no_data.wav", "error", "WAV PCM16: fmt chunk and no data chunk",
           b"RIFF" + u32le(4 + len(fmt_chunk)) + b"WAVE" + fmt_chunk)
    c.file("wav16_only_riff_header.wav", "error", "WAV: RIFF header with size 4 and nothing else",
           b"RIFF" + u32le(4) + b"WAVE")
    c.file("wav16_riff_random.wav", "error", "WAV: RIFF/WAVE header followed by 4 KiB of random bytes",
           b"RIFF" + u32le(4100) + b"WAVE" + random.Random(11).randbytes(4096))

    # -- WAV float with a fact chunk -----------------------------------------
    w = wav_float()
    c.file("valid_wavf.wav", "valid", "base: WAV float32 stereo 48 kHz 0.2 s, 18-byte fmt, fact chunk", w.data)
    add_truncations(c, "wavf", ".wav", w, "WAV float")
    wav_family_cases(c, "wavf", w, "WAV float", pcm=False)
    c.file("wavf_fact_frames_ffffffff.wav", "either", "WAV float: fact chunk declares 0xFFFFFFFF frames",
           w.patch("fact.frames", u32le(0xFFFFFFFF)))
    c.file("wavf_fact_size_ffffffff.wav", "error", "WAV float: fact chunk size 0xFFFFFFFF (hides the data chunk)",
           w.patch("fact.size", u32le(0xFFFFFFFF)))
    c.file("wavf_cb_size_huge.wav", "either", "WAV float: cbSize 0xFFFF in an 18-byte fmt chunk",
           w.patch("fmt.cb_size", u16le(0xFFFF)))

    # -- WAVE_FORMAT_EXTENSIBLE ----------------------------------------------
    w = wav_extensible()
    c.file("valid_wavext.wav", "valid", "base: WAVE_FORMAT_EXTENSIBLE PCM 24-bit stereo 48 kHz 0.2 s", w.data)
    add_truncations(c, "wavext", ".wav", w, "WAV extensible")
    for v, expect, d in [(0, "error", "0"), (65535, "error", "65535")]:
        c.file("wavext_channels_%d.wav" % v, expect, "WAV extensible: %s channels" % d,
               w.patch("fmt.channels", u16le(v)))
    c.file("wavext_rate_0.wav", "error", "WAV extensible: sample rate 0", w.patch("fmt.rate", u32le(0)))
    c.file("wavext_subformat_unknown.wav", "error", "WAV extensible: unknown subformat GUID",
           w.patch("fmt.subformat", bytes.fromhex("deadbeef00001000800000aa00389b71")))
    c.file("wavext_fmt_size_18.wav", "error", "WAV extensible: fmt chunk size 18 (extension cut off: no subformat)",
           w.patch("fmt.size", u32le(18)))
    c.file("wavext_cb_size_0.wav", "either", "WAV extensible: cbSize 0 in a 40-byte fmt chunk",
           w.patch("fmt.cb_size", u16le(0)))
    c.file("wavext_valid_bits_0.wav", "either", "WAV extensible: valid bits 0", w.patch("fmt.valid_bits", u16le(0)))
    c.file("wavext_valid_bits_32.wav", "either", "WAV extensible: valid bits 32 in 24-bit containers",
           w.patch("fmt.valid_bits", u16le(32)))
    c.file("wavext_channel_mask_all.wav", "either", "WAV extensible: channel mask 0xFFFFFFFF for 2 channels",
           w.patch("fmt.channel_mask", u32le(0xFFFFFFFF)))
    c.file("wavext_bits_1000.wav", "error", "WAV extensible: bits per sample 1000", w.patch("fmt.bits", u16le(1000)))

    # -- RF64 ------------------------------------------------------------------
    w = rf64()
    c.file("valid_rf64.wav", "valid", "base: RF64 PCM16 stereo 44.1 kHz 0.2 s (sizes in ds64)", w.data)
    add_truncations(c, "rf64", ".wav", w, "RF64")
    c.file("rf64_ds64_data_size_huge.wav", "either", "RF64: ds64 data size 2^62",
           w.patch("ds64.data_size", u64le(1 << 62)))
    c.file("rf64_ds64_data_size_max.wav", "either", "RF64: ds64 data size 2^64-1",
           w.patch("ds64.data_size", u64le((1 << 64) - 1)))
    c.file("rf64_ds64_sample_count_huge.wav", "either", "RF64: ds64 sample count 2^63-1",
           w.patch("ds64.sample_count", u64le((1 << 63) - 1)))
    c.file("rf64_ds64_table_length_huge.wav", "either", "RF64: ds64 table length 0xFFFFFFFF in a 28-byte chunk",
           w.patch("ds64.table_length", u32le(0xFFFFFFFF)))
    c.file("rf64_ds64_size_0.wav", "either",
           "RF64: ds64 chunk size 0 (its 28 bytes are there; ds64 has a fixed layout, so a reader may read them anyway)",
           w.patch("ds64.size", u32le(0)))
    c.file("rf64_ds64_id_wrong.wav", "error", "RF64: no ds64 chunk (renamed 'ds65')", w.patch("ds64.id", b"ds65"))
    c.file("rf64_channels_0.wav", "error", "RF64: 0 channels", w.patch("fmt.channels", u16le(0)))
    c.file("rf64_rate_0.wav", "error", "RF64: sample rate 0", w.patch("fmt.rate", u32le(0)))

    # -- AIFF and AIFF-C ---------------------------------------------------------
    for compressed in (False, True):
        a = aiff(compressed)
        prefix, ext, what = ("aifc", ".aifc", "AIFF-C sowt") if compressed else ("aiff", ".aiff", "AIFF")
        c.file("valid_%s%s" % (prefix, ext), "valid", "base: %s PCM16 stereo 44.1 kHz 0.2 s" % what, a.data)
        add_truncations(c, prefix, ext, a, what)
        frames = struct.unpack(">I", a.data[a.at("comm.frames"):a.at("comm.frames") + 4])[0]
        ssnd = struct.unpack(">I", a.data[a.at("ssnd.size"):a.at("ssnd.size") + 4])[0]
        comm = struct.unpack(">I", a.data[a.at("comm.size"):a.at("comm.size") + 4])[0]
        form = struct.unpack(">I", a.data[a.at("form.size"):a.at("form.size") + 4])[0]
        for v, d in [(0, "0"), (form - 100, "100 bytes too small"), (form + 1, "odd (1 too large)"),
                     (0xFFFFFFFF, "0xFFFFFFFF")]:
            c.file("%s_form_size_%s%s" % (prefix, d.split()[0], ext), "either", "%s: FORM size %s" % (what, d),
                   a.patch("form.size", u32be(v)))
        for v, expect, d in [(0, "error", "0"), (8, "error", "8 (too small)"),
                             (comm + 1, "either", "odd (%d: 1 too large, as if a pad byte were missing)" % (comm + 1)),
                             (0xFFFFFFFF, "error", "0xFFFFFFFF (runs past the end: SSND unreachable)")]:
            c.file("%s_comm_size_%s%s" % (prefix, d.split()[0], ext), expect, "%s: COMM chunk size %s" % (what, d),
                   a.patch("comm.size", u32be(v)))
        for v, tag, d in [(0, "0", "0 (declares no audio)"), (4, "4", "4 (too small for its offset fields)"),
                          (ssnd - 1, "short", "1 too small (odd, partial frame)"),
                          (ssnd + 1, "long", "1 larger than the file (odd)"), (0xFFFFFFFF, "ffffffff", "0xFFFFFFFF")]:
            c.file("%s_ssnd_size_%s%s" % (prefix, tag, ext), "either", "%s: SSND chunk size %s" % (what, d),
                   a.patch("ssnd.size", u32be(v)))
        c.file("%s_ssnd_offset_huge%s" % (prefix, ext), "error",
               "%s: SSND offset 0xFFFFFFF0 (audio declared to start past the end of the file)" % what,
               a.patch("ssnd.offset", u32be(0xFFFFFFF0)))
        for v, d in [(0, "0 (declares no audio)"), (frames * 2 + 1, "twice the audio present, odd"),
                     (0xFFFFFFFF, "0xFFFFFFFF")]:
            c.file("%s_frames_%s%s" % (prefix, d.split()[0], ext), "either", "%s: COMM frame count %s" % (what, d),
                   a.patch("comm.frames", u32be(v)))
        for v in (0, 65535):
            c.file("%s_channels_%d%s" % (prefix, v, ext), "error", "%s: %d channels" % (what, v),
                   a.patch("comm.channels", u16be(v)))
        for v, expect, d in [(0, "error", "0"), (1000, "error", "1000"), (7, "either", "7 (odd depth in 1-byte containers)")]:
            c.file("%s_bits_%d%s" % (prefix, v, ext), expect, "%s: sample size %s bits" % (what, d),
                   a.patch("comm.bits", u16be(v)))
        for raw, tag, d in [(bytes(10), "0", "0 Hz"), (extended80(1), "1", "1 Hz (absurd)"),
                            (extended80(-44100), "negative", "-44100 Hz"),
                            (extended80(1e30), "1e30", "1e30 Hz (absurd)"),
                            (extended80(2 ** 31 - 1), "2e31", "2^31-1 Hz (absurd)"),
                            (u16be(0x7FFF) + bytes([0x80]) + bytes(7), "inf", "infinity"),
                            (u16be(0x7FFF) + bytes([0xC0]) + bytes(7), "nan", "NaN"),
                            (u16be(0x3FFF) + bytes(8), "denormal", "unnormalised 0 mantissa, exponent 0 (= 0 Hz)")]:
            c.file("%s_rate_%s%s" % (prefix, tag, ext), "error", "%s: sample rate %s" % (what, d),
                   a.patch("comm.rate", raw))
        c.file("%s_form_type_wrong%s" % (prefix, ext), "error", "%s: FORM type 'AIFX'" % what,
               a.patch("form.type", b"AIFX"))
        c.file("%s_no_comm%s" % (prefix, ext), "error", "%s: COMM chunk renamed 'COMX' (no format)" % what,
               a.patch("comm.id", b"COMX"))
        c.file("%s_no_ssnd%s" % (prefix, ext), "error", "%s: SSND chunk renamed 'SSNX' (no audio chunk)" % what,
               a.patch("ssnd.id", b"SSNX"))
        if compressed:
            c.file("aifc_compression_unknown.aifc", "error", "AIFF-C: unknown compression type 'XXXX'",
                   a.patch("comm.compression", b"XXXX"))
            c.file("aifc_name_length_huge.aifc", "either", "AIFF-C: compression name length 255 in a 2-byte pstring",
                   a.patch("comm.name", b"\xff\0"))

    # -- AU ----------------------------------------------------------------------
    a = au()
    c.file("valid_au.au", "valid", "base: AU PCM16 big-endian stereo 44.1 kHz 0.2 s", a.data)
    add_truncations(c, "au", ".au", a, "AU")
    data_bytes = len(a.data) - a.audio_start()
    for v, d in [(0xFFFFFFFF, "0xFFFFFFFF (the format's 'unknown size')"), (0, "0"),
                 (data_bytes + 1, "1 larger than the file (odd)"), (0x7FFFFFF0, "0x7FFFFFF0"),
                 (3, "3 (less than a frame)")]:
        c.file("au_size_%s.au" % d.split()[0], "either", "AU: data size %s" % d, a.patch("size", u32be(v)))
    for v, d in [(0, "0 (header overlaps the magic)"), (8, "8 (inside the header)"),
                 (0xFFFFFFF0, "0xFFFFFFF0 (past the end of the file)"), (len(a.data) + 4, "4 bytes past the end")]:
        c.file("au_offset_%s.au" % d.split()[0], "error", "AU: data offset %s" % d, a.patch("offset", u32be(v)))
    c.file("au_offset_odd.au", "either", "AU: data offset 29 (odd, inside the annotation)", a.patch("offset", u32be(29)))
    for v, d in [(0, "0 (unspecified)"), (99, "99 (unknown)"), (0xFFFFFFFF, "0xFFFFFFFF")]:
        c.file("au_encoding_%s.au" % d.split()[0], "error", "AU: encoding %s" % d, a.patch("encoding", u32be(v)))
    for v, d in [(0, "0"), (1, "1 (absurd)"), (0x7FFFFFFF, "0x7FFFFFFF (absurd)"), (0xFFFFFFFF, "0xFFFFFFFF")]:
        c.file("au_rate_%s.au" % d.split()[0], "error", "AU: sample rate %s Hz" % d, a.patch("rate", u32be(v)))
    for v in (0, 65535, 0xFFFFFFFF):
        c.file("au_channels_%d.au" % v, "error", "AU: %d channels" % v, a.patch("channels", u32be(v)))
    c.file("au_magic_wrong.au", "error", "AU: magic '.snx'", a.patch("magic", b".snx"))

    # -- FLAC (from MEDIA_DIR/tone.flac) ----------------------------------------
    flac_path = os.path.join(media, "tone.flac") if media else None
    if flac_path and os.path.isfile(flac_path):
        with open(flac_path, "rb") as f:
            F = flac(f.read())
        c.file("valid_flac.flac", "valid", "base: tone.flac cut to 2 frames (0.19 s), STREAMINFO adjusted", F.data)
        add_truncations(c, "flac", ".flac", F, "FLAC")
        frame1 = F.at("frame1.header")
        c.file("flac_cut_%04d_frame1_start.flac" % frame1, "either", "FLAC cut after its first frame", F.data[:frame1])
        c.file("flac_magic_wrong.flac", "error", "FLAC: magic 'fLaX'", F.patch("magic", b"fLaX"))
        c.file("flac_streaminfo_type_127.flac", "error", "FLAC: first metadata block type 127 (invalid), no STREAMINFO",
               F.patch("si.header", bytes([127]) + F.data[F.at("si.header") + 1:F.at("si.header") + 4]))
        c.file("flac_streaminfo_not_first.flac", "error", "FLAC: first metadata block is a comment (type 4), no STREAMINFO",
               F.patch("si.header", bytes([4]) + F.data[F.at("si.header") + 1:F.at("si.header") + 4]))
        for n, expect, d in [(0, "error", "0"), (33, "error", "33 (1 too small)"), (0xFFFFFF, "error", "0xFFFFFF (past the end)")]:
            c.file("flac_streaminfo_length_%s.flac" % d.split()[0], expect, "FLAC: STREAMINFO length %s" % d,
                   F.patch("si.header", bytes([F.data[F.at("si.header")]]) + n.to_bytes(3, "big")))
        c.file("flac_rate_0.flac", "error", "FLAC: STREAMINFO sample rate 0", flac_streaminfo(F, rate=0))
        c.file("flac_rate_1.flac", "error", "FLAC: STREAMINFO sample rate 1 Hz (absurd)", flac_streaminfo(F, rate=1))
        c.file("flac_bps_1.flac", "error", "FLAC: STREAMINFO 1 bit per sample (below the minimum of 4)",
               flac_streaminfo(F, bps=1))
        c.file("flac_channels_8.flac", "error", "FLAC: STREAMINFO says 8 channels, frames have 2",
               flac_streaminfo(F, channels=8))
        c.file("flac_total_huge.flac", "either", "FLAC: STREAMINFO total samples 2^36-1",
               flac_streaminfo(F, total=(1 << 36) - 1))
        c.file("flac_total_0.flac", "either", "FLAC: STREAMINFO total samples 0 (unknown: allowed by the format)",
               flac_streaminfo(F, total=0))
        c.file("flac_block_size_0.flac", "either", "FLAC: STREAMINFO min/max block size 0 (informational, invalid)",
               F.patch("si.min_block", u16be(0), F.patch("si.max_block", u16be(0))))
        if "block1.vendor_length" in F.fields:
            c.file("flac_comment_vendor_length_huge.flac", "either",
                   "FLAC: Vorbis comment vendor length 0xFFFFFFFF in a small block",
                   F.patch("block1.vendor_length", u32le(0xFFFFFFFF)))
            c.file("flac_comment_count_huge.flac", "either", "FLAC: Vorbis comment count 0xFFFFFFFF in a small block",
                   F.patch("block1.count", u32le(0xFFFFFFFF)))
            hdr = F.data[F.at("block1.header"):F.at("block1.header") + 4]
            c.file("flac_comment_length_huge.flac", "error",
                   "FLAC: last metadata block length 0xFFFFFF (runs past the end: frames unreachable)",
                   F.patch("block1.header", hdr[:1] + b"\xff\xff\xff"))
        c.file("flac_frame1_header_corrupt.flac", "either", "FLAC: second frame header damaged (CRC-8 mismatch)",
               F.patch("frame1.header", F.data[F.at("frame1.header"):F.at("frame1.header") + 3] + b"\x00" +
                       F.data[F.at("frame1.header") + 4:F.at("frame1.header") + F.fields["frame1.header"][1]]))
        body0, n0 = F.fields["frame0.body"]
        damaged = bytearray(F.data)
        for i in range(64):
            damaged[body0 + n0 // 2 + i] ^= 0x5A
        c.file("flac_frame0_body_corrupt.flac", "either", "FLAC: 64 bytes damaged in the middle of the first frame",
               bytes(damaged))
        c.file("flac_random_after_magic.flac", "error", "FLAC: 'fLaC' then 4 KiB of random bytes",
               b"fLaC" + random.Random(12).randbytes(4096))
    else:
        print("make_corpus.py: no MEDIA_DIR/tone.flac: FLAC cases left out", file=sys.stderr)

    # -- Ogg Vorbis (from MEDIA_DIR/tone.ogg) -------------------------------------
    ogg_path = os.path.join(media, "tone.ogg") if media else None
    if ogg_path and os.path.isfile(ogg_path):
        with open(ogg_path, "rb") as f:
            V = vorbis(f.read())
        c.file("valid_vorbis.ogg", "valid", "base: tone.ogg as written by pp_make_media (2 s)", V.data)
        add_truncations(c, "vorbis", ".ogg", V, "Ogg Vorbis")

        def vpatch(field, raw):
            return ogg_fix_crcs(V.patch(field, raw))

        c.file("vorbis_capture_wrong.ogg", "error", "Ogg Vorbis: first page capture pattern 'OggX'",
               vpatch("p0.capture", b"OggX"))
        c.file("vorbis_page0_crc_wrong.ogg", "error", "Ogg Vorbis: first page CRC wrong (the page is dropped)",
               V.patch("p0.crc", b"\xde\xad\xbe\xef"))
        c.file("vorbis_page_version_1.ogg", "error", "Ogg Vorbis: first page stream structure version 1",
               vpatch("p0.version", b"\x01"))
        c.file("vorbis_magic_wrong.ogg", "error", "Ogg Vorbis: identification header 'vorbiz'",
               vpatch("id.magic", b"vorbiz"))
        c.file("vorbis_version_1.ogg", "error", "Ogg Vorbis: Vorbis version 1", vpatch("id.version", u32le(1)))
        c.file("vorbis_channels_0.ogg", "error", "Ogg Vorbis: 0 channels", vpatch("id.channels", b"\x00"))
        for v, d in [(0, "0"), (1, "1 (absurd)"), (0x7FFFFFFF, "0x7FFFFFFF (absurd)"), (0xFFFFFFFF, "0xFFFFFFFF")]:
            c.file("vorbis_rate_%s.ogg" % d.split()[0], "error", "Ogg Vorbis: sample rate %s Hz" % d,
                   vpatch("id.rate", u32le(v)))
        c.file("vorbis_blocksizes_invalid.ogg", "error", "Ogg Vorbis: block sizes 0/0 (invalid)",
               vpatch("id.blocksizes", b"\x00"))
        c.file("vorbis_framing_0.ogg", "error", "Ogg Vorbis: identification header framing bit 0",
               vpatch("id.framing", b"\x00"))
        c.file("vorbis_comment_vendor_length_huge.ogg", "either", "Ogg Vorbis: comment vendor length 0xFFFFFFF0",
               vpatch("comment.vendor_length", u32le(0xFFFFFFF0)))
        c.file("vorbis_comment_count_huge.ogg", "either", "Ogg Vorbis: comment count 0x7FFFFFFF",
               vpatch("comment.count", u32le(0x7FFFFFFF)))
        c.file("vorbis_setup_magic_wrong.ogg", "error", "Ogg Vorbis: setup header 'vorbiz'",
               vpatch("setup.magic", b"vorbiz"))
        c.file("vorbis_random_after_capture.ogg", "error", "Ogg: 'OggS' then 4 KiB of random bytes",
               b"OggS" + random.Random(13).randbytes(4096))
    else:
        print("make_corpus.py: no MEDIA_DIR/tone.ogg: Ogg Vorbis cases left out", file=sys.stderr)

    # -- Ogg Opus ------------------------------------------------------------------
    o = opus()
    c.file("valid_opus.opus", "valid", "base: Ogg Opus stereo, 10 empty 20 ms packets on 2 pages (0.19 s of silence)", o.data)
    add_truncations(c, "opus", ".opus", o, "Ogg Opus")

    def opatch(field, raw):
        return ogg_fix_crcs(o.patch(field, raw))

    c.file("opus_channels_0.opus", "error", "Ogg Opus: OpusHead 0 channels", opatch("head.channels", b"\x00"))
    c.file("opus_version_16.opus", "error", "Ogg Opus: OpusHead version 16 (incompatible major version)",
           opatch("head.version", b"\x10"))
    c.file("opus_magic_wrong.opus", "error", "Ogg Opus: 'OpusHeax'", opatch("head.magic", b"OpusHeax"))
    c.file("opus_mapping_1_no_table.opus", "error", "Ogg Opus: channel mapping family 1 without its mapping table",
           opatch("head.mapping_family", b"\x01"))
    c.file("opus_input_rate_0.opus", "either", "Ogg Opus: input sample rate 0 (informational: 'unspecified')",
           opatch("head.input_rate", u32le(0)))
    c.file("opus_input_rate_ffffffff.opus", "either", "Ogg Opus: input sample rate 0xFFFFFFFF (informational only)",
           opatch("head.input_rate", u32le(0xFFFFFFFF)))
    c.file("opus_pre_skip_huge.opus", "either", "Ogg Opus: pre-skip 65535 (more than all the audio)",
           opatch("head.pre_skip", u16le(0xFFFF)))

    # -- MP3 ---------------------------------------------------------------------
    c.file("valid_mp3.mp3", "valid", "base: MP3 (MPEG 1 layer III) 10 silent frames, 0.26 s", mp3_silence(10))
    c.file("mp3_xing_frames_huge.mp3", "either", "MP3: Xing/Info frame declaring 0xFFFFFFFF frames, 8 present",
           mp3_xing(0xFFFFFFFF))
    r = random.Random(21)
    c.file("mp3_frames_random_payload.mp3", "either", "MP3: 10 valid frame headers, random side info and main data",
           b"".join(MP3_HEADER + r.randbytes(MP3_FRAME - 4) for _ in range(10)))
    c.file("mp3_id3_then_random.mp3", "error", "MP3 name: an ID3v2 tag (16 bytes) then 4 KiB of random bytes",
           id3v2(16) + bytes(16) + random.Random(22).randbytes(4096))
    c.file("mp3_id3_size_huge.mp3", "error", "MP3 name: an ID3v2 header declaring a 256 MiB tag, nothing after",
           id3v2(0x0FFFFFFF))
    c.file("mp3_id3_only.mp3", "error", "MP3 name: a complete ID3v2 tag and no audio", id3v2(16) + bytes(16))
    c.file("mp3_cut_in_header.mp3", "error", "MP3: cut 2 bytes into the first frame header", MP3_HEADER[:2])

    # -- random bytes under audio names ----------------------------------------
    for i, ext in enumerate([".wav", ".flac", ".ogg", ".mp3", ".aiff", ".aif", ".au", ".opus", ".oga", ""]):
        c.file("random%s" % (ext or "_no_extension"), "error", "4 KiB of random bytes named %s" % (ext or "(no extension)"),
               random.Random(100 + i).randbytes(4096))
    c.file("random_1_byte.wav", "error", "1 random byte named .wav", random.Random(120).randbytes(1))
    c.file("random_12_bytes.wav", "error", "12 random bytes named .wav", random.Random(121).randbytes(12))
    c.file("random_64k.mp3", "error", "64 KiB of random bytes named .mp3", random.Random(122).randbytes(65536))
    c.file("zeros.wav", "error", "4 KiB of zero bytes named .wav", bytes(4096))
    c.file("ones.mp3", "error", "4 KiB of 0xFF bytes named .mp3 (MPEG sync bits everywhere)", b"\xff" * 4096)
    c.file("text.wav", "error", "a text file named .wav", b"This is not audio.\nJust a text file.\n")
    c.file("random name with spaces.wav", "error", "random bytes, a file name with spaces",
           random.Random(123).randbytes(4096))
    c.file("x" * 200 + ".wav", "error", "random bytes, a 204-character file name", random.Random(124).randbytes(4096))
    c.file("flac_header_as.wav", "error", "a FLAC magic and garbage named .wav", b"fLaC" + bytes(60))
    c.file("aiff_form_random.aiff", "error", "AIFF: FORM/AIFF header then 4 KiB of random bytes",
           b"FORM" + u32be(4100) + b"AIFF" + random.Random(125).randbytes(4096))
    c.file("au_magic_random.au", "error", "AU: '.snd' then 4 KiB of random bytes",
           b".snd" + random.Random(126).randbytes(4096))

    # -- empty files -------------------------------------------------------------
    for ext in [".wav", ".flac", ".ogg", ".mp3", ".aiff", ".au", ".opus", ""]:
        c.file("empty%s" % (ext or "_no_extension"), "error", "empty file named %s" % (ext or "(no extension)"), b"")

    # -- not regular files ---------------------------------------------------------
    c.special("directory.wav", "error", "a directory named .wav", lambda p: os.mkdir(p))
    c.special("directory.mp3", "error", "a directory named .mp3", lambda p: os.mkdir(p))
    c.special("loop_a.wav", "error", "symlink loop: loop_a.wav -> loop_b.wav -> loop_a.wav",
              lambda p: os.symlink("loop_b.wav", p))
    c.special("loop_b.wav", "error", "symlink loop: loop_b.wav -> loop_a.wav -> loop_b.wav",
              lambda p: os.symlink("loop_a.wav", p))
    c.special("loop_self.wav", "error", "symlink to itself", lambda p: os.symlink("loop_self.wav", p))
    c.special("dangling.wav", "error", "dangling symlink (-> no_such_target.wav)",
              lambda p: os.symlink("no_such_target.wav", p))
    c.special("link_to_directory.wav", "error", "symlink to a directory (-> directory.wav)",
              lambda p: os.symlink("directory.wav", p))
    c.special("link_to_valid.wav", "valid", "symlink to valid_wav16.wav (symlinks themselves are fine)",
              lambda p: os.symlink("valid_wav16.wav", p))
    c.special("fifo.wav", "error", "a FIFO named .wav with no writer (opening it must not hang)", lambda p: os.mkfifo(p))
    c.special("fifo.mp3", "error", "a FIFO named .mp3 with no writer (opening it must not hang)", lambda p: os.mkfifo(p))
    c.special("dev_null.wav", "error", "symlink to /dev/null (a character device)", lambda p: os.symlink("/dev/null", p))
    c.special("dev_zero.wav", "error", "symlink to /dev/zero (endless zeros: must not hang)",
              lambda p: os.symlink("/dev/zero", p))
    c.special("dev_zero.mp3", "error", "symlink to /dev/zero named .mp3 (endless zeros: must not hang)",
              lambda p: os.symlink("/dev/zero", p))
    c.nothing("missing.wav", "error", "no such file")
    c.nothing("no_such_directory/missing.wav", "error", "no such file in a directory that does not exist")
    c.nothing("valid_wav16.wav/inside.wav", "error", "a path through a regular file (ENOTDIR)")
    c.nothing("n" * 300 + ".wav", "error", "a 304-character file name (ENAMETOOLONG)")

    # Unreadable: checked as an unprivileged user (root reads anything).
    def make_unreadable(p):
        with open(p, "wb") as f:
            f.write(wav16().data)
        os.chmod(p, 0)

    def make_locked(p):
        os.mkdir(os.path.dirname(p))
        with open(p, "wb") as f:
            f.write(wav16().data)
        os.chmod(os.path.dirname(p), 0)

    c.special("unreadable.wav", "error", "a valid WAV with mode 000 (permission denied)", make_unreadable)
    c.special("locked_dir/inside.wav", "error", "a valid WAV in a directory with mode 000 (permission denied)",
              make_locked)

    c.write_manifest()
    return c


def main(argv):
    if len(argv) not in (2, 3) or argv[1].startswith("-"):
        print("usage: make_corpus.py OUT_DIR [MEDIA_DIR]", file=sys.stderr)
        return 2
    out = argv[1]
    media = argv[2] if len(argv) == 3 else None
    try:
        os.makedirs(out, exist_ok=True)
        entries = os.listdir(out)
        if entries and "manifest.tsv" not in entries:
            print("make_corpus.py: %s is not empty and holds no corpus: not touching it" % out, file=sys.stderr)
            return 1
        for entry in entries:  # an earlier run's corpus
            remove(os.path.join(out, entry))
    except OSError as e:
        print("make_corpus.py: cannot prepare %s: %s" % (out, e), file=sys.stderr)
        return 1
    old_umask = os.umask(0o022)  # the corpus is read by an unprivileged user too
    try:
        c = build(out, media)
    finally:
        os.umask(old_umask)
    counts = {}
    for line in c.lines:
        e = line.split("\t")[1]
        counts[e] = counts.get(e, 0) + 1
    print("make_corpus.py: %d cases in %s (%s)" % (len(c.lines), out,
                                                 ", ".join("%d %s" % (counts[k], k) for k in sorted(counts))))
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
