#!/usr/bin/env python3
"""What the keys did to a recording of keys.wav (pp_make_media): L counts
frames modulo 32767 ((i % 32767 + 1) / 32768), R is a 440 Hz sine at 0.5.

  keys_analyse.py REC.wav

Splits the recording into runs of exact, consecutive frames (unity gain)
and the gaps between them (fades, silence, cuts). For each gap prints one
line: the frames heard in it (non-zero), the silent frames, the jump of the
source position across it (frames, modulo 32767, beyond the frames heard),
and the largest step between samples of R around it (a click is a step of
up to 0.5; the sine's own steps are < 0.03). After the last run (the volume
keys change the gain) prints the gain's largest change per frame and where
it settles. Output: one line per item, "gap ..." / "gain ...".
"""
import struct
import sys

MOD = 32767


def read_wav(path):
    data = open(path, 'rb').read()
    pos, ch, samples = 12, 0, []
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack('<I', data[pos + 4:pos + 8])[0]
        body = data[pos + 8:pos + 8 + size]
        if cid == b'fmt ':
            ch = struct.unpack('<HHIIHH', body[:16])[1]
        elif cid == b'data':
            samples = struct.unpack('<%df' % (len(body) // 4), body[:len(body) // 4 * 4])
        pos += 8 + size + (size & 1)
    return [(samples[f * ch], samples[f * ch + 1]) for f in range(len(samples) // ch)]


def main():
    frames = read_wav(sys.argv[1])
    n = len(frames)

    def count(f):  # the counter value of an exact frame, else None
        v = frames[f][0] * 32768.0
        k = round(v)
        return k - 1 if abs(v - k) < 1e-6 and 1 <= k <= MOD else None

    # Runs of >= 16 consecutive exact frames.
    runs, f = [], 0
    while f < n:
        c = count(f)
        if c is None:
            f += 1
            continue
        g = f + 1
        while g < n and count(g) == (count(g - 1) + 1) % MOD:
            g += 1
        if g - f >= 16:
            runs.append((f, g))  # frames [f, g)
        f = g
    for (a0, a1), (b0, b1) in zip(runs, runs[1:]):
        heard = sum(1 for f in range(a1, b0) if frames[f] != (0.0, 0.0))
        silent = (b0 - a1) - heard
        jump = (count(b0) - count(a1 - 1) - 1 - heard) % MOD
        lo, hi = max(a1 - 200, 1), min(b0 + 200, n)
        step = max(abs(frames[f][1] - frames[f - 1][1]) for f in range(lo, hi))
        print("gap at %d: heard %d silent %d jump %d step %.4f" % (a1, heard, silent, jump, step))
    if runs:
        last = runs[-1][1]
        c0 = count(last - 1)
        gains = []
        for k in range(0, min(48000, n - last)):
            expect = ((c0 + 1 + k) % MOD + 1) / 32768.0
            if frames[last + k] == (0.0, 0.0):
                break
            gains.append(frames[last + k][0] / expect)
        if len(gains) > 2:
            # Where it settles (before the quit's fade-out): the median of 100 frames mid-way.
            settle = sorted(gains[len(gains) // 2:len(gains) // 2 + 100])[50] if len(gains) > 300 else gains[-1]
            ramp = next((k for k, g in enumerate(gains) if abs(g - settle) < 1e-4), len(gains))
            changes = [abs(b - a) for a, b in zip(gains[:ramp + 1], gains[1:ramp + 2])]
            print("gain after %d: settles at %.4f after %d frames, largest change per frame %.5f" % (
                last, settle, ramp, max(changes)))


main()
