#!/usr/bin/env bash
# A private JACK server on the dummy driver (no sound card needed), for the
# player tests and for trying `pingpong play` on a machine without audio.
#
#   scripts/jack.sh start [NAME] [--rate 48000] [--period 64] [--async] [--timeout 10]
#       Starts `jackd -S -n NAME -d dummy -r RATE -p PERIOD` in the background
#       (realtime -R first, without it if that fails), waits until it accepts
#       clients and prints shell lines to eval:
#         eval "$(scripts/jack.sh start mytest)"
#       NAME defaults to pingpong-<pid>. Exit 3 if the server does not come up.
#   scripts/jack.sh stop NAME
#       SIGTERM, SIGKILL after 3 s; removes the pid file.
#   scripts/jack.sh status NAME
#       Exit 0 if the server accepts clients.
#   scripts/jack.sh run [--rate R] [--period P] [--async] [--name NAME] -- CMD...
#       Starts a server with a unique name, runs CMD with JACK_DEFAULT_SERVER
#       set to it, stops the server however CMD ends (also on Ctrl-C) and
#       exits with CMD's status.
#
# Synchronous mode (-S) by default: the server waits for every client to
# finish its cycle, so a client that is late (a loaded machine, a sanitizer
# build) delays the dummy clock instead of losing the cycle's audio between
# clients. In the default asynchronous mode a late cycle can drop a period
# between clients (seen as 64 missing frames in a recording, now and then, on
# a busy 2-core machine). The flip side: in sync mode a late callback costs no
# audio either, only an xrun report. --async gives jackd's default behaviour,
# where a late cycle is lost as it would be on a sound card.
#
# JACK clients (libjack, and PortAudio's JACK host API) pick the server from
# JACK_DEFAULT_SERVER. JACK_NO_START_SERVER=1 keeps them from auto-starting a
# default server when this one is gone.
# Files: ${TMPDIR:-/tmp}/pingpong-jack-NAME.pid and .log.
set -uo pipefail

die_usage() {
  echo "usage: scripts/jack.sh start [NAME] [--rate R] [--period P] [--async] [--timeout S]" >&2
  echo "       scripts/jack.sh stop NAME | status NAME" >&2
  echo "       scripts/jack.sh run [--rate R] [--period P] [--async] [--name NAME] [--timeout S] -- CMD..." >&2
  exit 2
}

tmpdir="${TMPDIR:-/tmp}"
pid_file() { echo "$tmpdir/pingpong-jack-$1.pid"; }
log_file() { echo "$tmpdir/pingpong-jack-$1.log"; }

for tool in jackd jack_lsp; do
  if ! command -v "$tool" >/dev/null; then
    echo "jack.sh: $tool not found (Debian: apt-get install jackd2)" >&2
    exit 3
  fi
done

# Whether a server NAME accepts clients. jack_lsp never starts a server. Not
# `jack_lsp -s NAME`: jackd2 1.9.21's jack_lsp copies NAME into a buffer one
# byte short and aborts (glibc malloc assertion) for some name lengths, e.g. 24.
server_up() { JACK_DEFAULT_SERVER="$1" jack_lsp >/dev/null 2>&1; }

valid_name() {
  case "$1" in
    "" | -* | */* | *[!A-Za-z0-9._-]*) return 1 ;;
  esac
}

rate=48000
period=64
timeout=10
sync=(-S)

# Starts jackd NAME with the given extra flags; sets $jack_pid. Returns 0 when
# the server accepts clients, 1 if jackd exited, 2 if it timed out.
launch() {
  local name="$1"; shift
  local log; log="$(log_file "$name")"
  {
    echo "# $(date '+%F %T') jackd $* -n $name -d dummy -r $rate -p $period"
  } >>"$log"
  # setsid: a Ctrl-C meant for the caller's foreground job does not reach the
  # server; `run` and `stop` end it explicitly.
  setsid jackd "$@" -n "$name" -d dummy -r "$rate" -p "$period" </dev/null >>"$log" 2>&1 &
  jack_pid=$!
  disown "$jack_pid"  # no "Killed" job notices from this shell
  echo "$jack_pid" >"$(pid_file "$name")"
  local deadline=$(( $(date +%s%N) / 1000000 + timeout * 1000 ))
  while :; do
    if ! kill -0 "$jack_pid" 2>/dev/null; then
      rm -f "$(pid_file "$name")"
      return 1
    fi
    server_up "$name" && return 0
    if (( $(date +%s%N) / 1000000 >= deadline )); then
      return 2
    fi
    sleep 0.05
  done
}

kill_server() {  # pid [server name]
  local pid="$1" i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 60; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.05
  done
  echo "jack.sh: jackd $pid ignored SIGTERM for 3 s, sending SIGKILL" >&2
  kill -KILL "$pid" 2>/dev/null
  for ((i = 0; i < 20; i++)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      # A killed jackd leaves its socket and semaphores in /dev/shm.
      [ -n "${2:-}" ] && rm -f "/dev/shm/jack_${2}_$(id -u)_"[0-9]* "/dev/shm/jack_sem.$(id -u)_${2}_"*
      return 0
    fi
    sleep 0.05
  done
  return 1
}

# start NAME: starts the server, writes the pid file. Exit status 0 or 3.
# jackd2 keeps at most 8 servers in its shared registry and never reclaims
# the entry of a server that was killed (-9) under another name, so after
# eight such deaths no server starts ("Too many servers already active").
# With no jackd running at all, every entry is stale: start afresh.
clear_stale_registry() {
  pgrep -x jackd >/dev/null && return 0
  pgrep -x jackdbus >/dev/null && return 0
  rm -rf /dev/shm/jack-shm-registry /dev/shm/jack-"$(id -u)"-* /dev/shm/jack_db-"$(id -u)" 2>/dev/null
  return 0
}

do_start() {
  local name="$1"
  local log pidf
  log="$(log_file "$name")"
  pidf="$(pid_file "$name")"
  clear_stale_registry
  if server_up "$name"; then
    echo "jack.sh: a JACK server named '$name' is already running" >&2
    return 3
  fi
  : >"$log"
  # -R: jackd itself carries on without real-time scheduling when it may not
  # have it (it logs "Cannot use real-time scheduling"); retry without -R if it
  # fails outright anyway.
  local rc
  launch "$name" -R "${sync[@]}"
  rc=$?
  if [ "$rc" = 1 ]; then
    echo "# realtime (-R) start failed, retrying without -R" >>"$log"
    launch "$name" "${sync[@]}"
    rc=$?
  fi
  if [ "$rc" != 0 ]; then
    if [ "$rc" = 2 ]; then kill_server "$jack_pid" "$name"; rm -f "$pidf"; fi
    if [ "$rc" = 1 ]; then
      echo "jack.sh: jackd '$name' exited before accepting clients; log $log:" >&2
    else
      echo "jack.sh: jackd '$name' did not accept clients within ${timeout}s; log $log:" >&2
    fi
    tail -n 15 "$log" | sed 's/^/  | /' >&2
    return 3
  fi
  return 0
}

do_stop() {
  local name="$1" pidf pid
  pidf="$(pid_file "$name")"
  if [ ! -f "$pidf" ]; then
    echo "jack.sh: no pid file $pidf (server '$name' not started by jack.sh?)" >&2
    return 1
  fi
  pid="$(cat "$pidf")"
  # Only signal the pid if it still is a jackd (pids get reused).
  if [ -r "/proc/$pid/comm" ] && [ "$(cat "/proc/$pid/comm")" = jackd ]; then
    kill_server "$pid" "$name" || { echo "jack.sh: could not stop jackd $pid" >&2; return 1; }
  fi
  rm -f "$pidf"
  return 0
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  start)
    name=""
    while [ $# -gt 0 ]; do
      case "$1" in
        --rate) [ $# -ge 2 ] || die_usage; rate="$2"; shift 2 ;;
        --period) [ $# -ge 2 ] || die_usage; period="$2"; shift 2 ;;
        --timeout) [ $# -ge 2 ] || die_usage; timeout="$2"; shift 2 ;;
        --async) sync=(); shift ;;
        -*) die_usage ;;
        *) [ -z "$name" ] || die_usage; name="$1"; shift ;;
      esac
    done
    [ -n "$name" ] || name="pingpong-$$"
    valid_name "$name" || { echo "jack.sh: bad server name '$name'" >&2; exit 2; }
    [[ "$rate" =~ ^[0-9]+$ && "$period" =~ ^[0-9]+$ && "$timeout" =~ ^[0-9]+$ ]] || die_usage
    do_start "$name" || exit 3
    echo "export JACK_DEFAULT_SERVER=$name JACK_NO_START_SERVER=1"
    echo "# jackd pid $(cat "$(pid_file "$name")"), dummy driver ${rate} Hz, period ${period}, ${sync[*]:-async}, log $(log_file "$name")"
    echo "# stop with: scripts/jack.sh stop $name"
    ;;
  stop)
    [ $# -eq 1 ] || die_usage
    valid_name "$1" || die_usage
    do_stop "$1"
    ;;
  status)
    [ $# -eq 1 ] || die_usage
    if server_up "$1"; then echo "jack.sh: '$1' is running"; else echo "jack.sh: '$1' is not running"; exit 1; fi
    ;;
  run)
    name=""
    while [ $# -gt 0 ]; do
      case "$1" in
        --rate) [ $# -ge 2 ] || die_usage; rate="$2"; shift 2 ;;
        --period) [ $# -ge 2 ] || die_usage; period="$2"; shift 2 ;;
        --timeout) [ $# -ge 2 ] || die_usage; timeout="$2"; shift 2 ;;
        --name) [ $# -ge 2 ] || die_usage; name="$2"; shift 2 ;;
        --async) sync=(); shift ;;
        --) shift; break ;;
        *) die_usage ;;
      esac
    done
    [ $# -gt 0 ] || die_usage
    [ -n "$name" ] || name="pp-run-$$-$RANDOM"
    valid_name "$name" || { echo "jack.sh: bad server name '$name'" >&2; exit 2; }
    [[ "$rate" =~ ^[0-9]+$ && "$period" =~ ^[0-9]+$ && "$timeout" =~ ^[0-9]+$ ]] || die_usage
    cleanup_done=0
    cleanup() {
      [ "$cleanup_done" = 1 ] && return
      cleanup_done=1
      do_stop "$name" >/dev/null 2>&1
    }
    child=""
    # A signal while CMD runs goes on to CMD (a terminal's Ctrl-C reaches it
    # directly as well); the server is stopped once CMD has exited.
    # shellcheck disable=SC2317  # called from the traps
    forward() { [ -n "$child" ] && kill "-$1" "$child" 2>/dev/null; }
    trap cleanup EXIT
    trap 'if [ -n "$child" ]; then forward INT; else cleanup; exit 130; fi' INT
    trap 'if [ -n "$child" ]; then forward TERM; else cleanup; exit 143; fi' TERM
    do_start "$name" || exit 3
    export JACK_DEFAULT_SERVER="$name" JACK_NO_START_SERVER=1
    echo "jack.sh: JACK server '$name' up (dummy, ${rate} Hz, period ${period}, ${sync[*]:-async})" >&2
    # CMD runs in the background so that the traps run while it does; an
    # asynchronous command would ignore SIGINT and read /dev/null, hence the
    # env --default-signal and the explicit stdin.
    restore=()
    # shellcheck disable=SC2054  # the comma belongs to the option
    env --default-signal=INT true 2>/dev/null && restore=(env --default-signal=INT,QUIT)
    "${restore[@]}" "$@" 0<&0 &
    child=$!
    while :; do
      wait "$child"
      status=$?
      kill -0 "$child" 2>/dev/null || break
    done
    child=""
    cleanup
    if [ "$status" = 0 ]; then
      rm -f "$(log_file "$name")"
    else
      echo "jack.sh: command exited with $status; server log kept: $(log_file "$name")" >&2
    fi
    exit "$status"
    ;;
  *)
    die_usage
    ;;
esac
