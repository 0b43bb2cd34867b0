#!/usr/bin/env bash
# On a JACK server the period is the server's buffer size, whatever --period
# asks (PortAudio's JACK host calls a smaller callback several times per
# cycle): `probe` must probe the halves at the server's period only and say
# so, and `compare` must report the period the device ran at. Run under a
# private server: scripts/jack.sh run --period 256 -- probe_jack.sh PINGPONG
set -uo pipefail
pingpong="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
server_period=$(jack_bufsize | grep -o '[0-9]\+' | head -1)
[ -n "$server_period" ] || { echo "FAIL  jack_bufsize did not say the server's period"; exit 1; }
echo "      server period: $server_period frames (jack_bufsize)"

"$pingpong" probe -d default --duration 0.3 --json "$tmp/p.json" >"$tmp/p.txt" 2>&1
status=$?
python3 - "$tmp/p.json" "$server_period" "$status" <<'PY' || failures=$((failures + 1))
import json, sys
d = json.load(open(sys.argv[1]))
server, status = int(sys.argv[2]), int(sys.argv[3])
assert d["device"]["period_frames"] == server, ("device period", d["device"]["period_frames"], "server", server)
assert d["period_fixed"] is True, d["period_fixed"]
assert "jack_bufsize" in d["period_note"] and "scripts/jack.sh start --period" in d["period_note"], d["period_note"]
assert d["steps"], "no steps"
for s in d["steps"]:
    assert s["period_frames"] == server, ("a step at period", s["period_frames"], "on a", server, "frame server")
    assert s["half_frames"] >= server, s
best = d["best"]
assert (best is None) == (status == 1), (best, status)
assert best is None or best["period_frames"] == server, best
print("ok    probe: %d steps, all at the server's period %d" % (len(d["steps"]), server))
PY
if grep "smallest clean configuration" "$tmp/p.txt" | grep -q -- "--period"; then
  echo "FAIL  probe suggests a --period the server does not honour:"; cat "$tmp/p.txt"; failures=$((failures + 1))
elif grep -q "JACK server's buffer size, $server_period frames" "$tmp/p.txt"; then
  echo "ok    probe text says the period is the server's"
else
  echo "FAIL  probe text does not say the period is the server's:"; cat "$tmp/p.txt"; failures=$((failures + 1))
fi

"$pingpong" compare -d default --period 64 --half 1024 --duration 0.5 --repeat 1 --load none --handoffs lockfree \
  --wake poll --json "$tmp/c.json" --report "$tmp/c.html" >"$tmp/c.txt" 2>&1
python3 - "$tmp/c.json" "$server_period" <<'PY' || failures=$((failures + 1))
import json, sys
d = json.load(open(sys.argv[1]))
server = int(sys.argv[2])
assert d["requested_period_frames"] == 64
assert d["device"]["period_frames"] == server, d["device"]
for r in d["runs"]:
    assert r["period_frames"] == server, r["period_frames"]
for s in d["summary"].values():
    for p in s["policies"]:
        assert p["period_frames"] == server, p
print("ok    compare JSON: the period the device ran at, %d" % server)
PY
if grep -q "Hz, period $server_period, " "$tmp/c.txt" && grep -q "period $server_period frames" "$tmp/c.html"; then
  echo "ok    compare table and HTML: period $server_period"
else
  echo "FAIL  compare table/HTML do not show period $server_period:"; head -5 "$tmp/c.txt"; failures=$((failures + 1))
fi
[ "$failures" -eq 0 ] || exit 1
