#!/usr/bin/env bash
# bench/daemon-scale.sh - runs INSIDE the kernel lab (started by bench/daemon-scale-run.sh through
# lab/run).
#
# The health-checking daemon at scale: `ipvs run` against keepalived 2.2.7's checker (-C) on the
# SAME generated keepalived.conf (S virtual servers x 100 real servers, one HTTP_GET each,
# delay_loop 1), one side after the other in one lab boot. Every variant gets fresh namespaces:
#   ds-N-dir  the director: the daemon under test, its IPVS table, the checks' source 10.99.0.1;
#   ds-N-srv  the real servers: `local 10.100.0.0/16` on lo (every address is local) and one
#             responder process (bench/daemon-scale/responder.c: epoll, a listening socket per
#             address, one binary log record per request);
# joined by a veth pair (10.99.0.1/30 - 10.99.0.2/30; the director routes 10.100.0.0/16 over it).
# Per variant: start the responder, start the daemon, wait until every address has been asked
# (READY_TIMEOUT at most), WARMUP more seconds, then a WINDOW of WINDOW seconds with nothing else
# running in the lab, bracketed by snapshots of /proc/PID/stat (utime + stime) of every process
# and /proc/stat. After it: peak RSS (VmHWM), our /status (every check's last latency) and
# /metrics; then the responder is stopped and its log analysed for the window: requests per
# second, and per address the gaps between successive requests (the check period as the server
# saw it), so that both daemons are measured the same way.
# Writes the markdown report to $IPVS_DS_OUT (bench/results/daemon-scale.md), raw figures to
# bench/results/daemon-scale-raw/, and prints the report.
# shellcheck disable=SC2016 # single-quoted scripts expand inside the netns, on purpose
set -euo pipefail
export LC_ALL=C

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export BENCH_NAME=daemon-scale
# shellcheck source=bench/lib.sh
source bench/lib.sh

# variants, run in this order: SIDE:DESTINATIONS (SIDE ours or ka)
VARIANTS=${IPVS_DS_VARIANTS:-"ka:10000 ours:10000 ours:1000 ka:1000 ours0:1000 ka:100 ours:100 ours0:100"}
PER_SERVICE=${IPVS_DS_PER_SERVICE:-100} # real servers per virtual server
WARMUP=${IPVS_DS_WARMUP:-30}            # seconds after every address was asked once
WINDOW=${IPVS_DS_WINDOW:-60}            # the measured window, seconds
READY_TIMEOUT=${IPVS_DS_READY_TIMEOUT:-600}
INTERVAL=${IPVS_DS_DELAY_LOOP:-1}
IN_FLIGHT=${IPVS_DS_IN_FLIGHT:-256} # --max-checks-in-flight (256 is the default)
# strace attribution at these scales (after the window), for STRACE_S seconds
STRACE_AT=${IPVS_DS_STRACE_AT:-$(for v in $VARIANTS; do echo "${v#*:}"; done | sort -n | sed -n 1p)}
STRACE_S=${IPVS_DS_STRACE_S:-10}
OUT=${IPVS_DS_OUT:-bench/results/daemon-scale.md}
IPVS=${IPVS_DS_BIN:-src/Ipvs.Cli/bin/Release/net10.0/Ipvs.Cli}
RESPONDER=${IPVS_DS_RESPONDER:-bench/daemon-scale/bin/responder}
KEEPALIVED=/usr/sbin/keepalived
RAW=$(dirname "$OUT")/daemon-scale-raw
# The analysis written by hand from the investigation, appended to the report as it is.
NOTES=${IPVS_DS_NOTES:-bench/daemon-scale/notes.md}
SCRATCH=/tmp/ipvs-daemon-scale # guest tmpfs: configs, logs and request logs stay off hostfs
PORT=9323                       # our /metrics and /status, on the director's loopback
TARGET_RSS_MB=150
TARGET_LATE_SHARE=0 # checks later than interval + 10%: none

log() { printf 'daemon-scale: %s\n' "$*" >&2; }
[[ -x $IPVS ]] || { log "$IPVS is missing; run bench/daemon-scale-run.sh (it builds first)"; exit 1; }
[[ -x $RESPONDER ]] || { log "$RESPONDER is missing; run bench/daemon-scale-run.sh (it builds first)"; exit 1; }
[[ -x $KEEPALIVED ]] || { log "$KEEPALIVED is missing"; exit 1; }
IPVS=$(cd "$(dirname "$IPVS")" && pwd)/$(basename "$IPVS")
RESPONDER=$(cd "$(dirname "$RESPONDER")" && pwd)/$(basename "$RESPONDER")
mkdir -p "$RAW" "$SCRATCH" "$(dirname "$OUT")"
KEEP_LOGS=${IPVS_DS_KEEP_LOGS:-} # a directory: keep every variant's request log there (16 bytes a request)
REPORT_ONLY=${IPVS_DS_REPORT_ONLY:-0} # 1: no measuring, the report from the raw figures of the last run
if [[ $REPORT_ONLY != 1 ]]; then rm -f "$RAW"/*.txt "$RAW"/*.log "$RAW"/*.json "$RAW"/run.env; fi
HZ=$(getconf CLK_TCK)
ulimit -n 1048576 2>/dev/null || ulimit -n 65536 2>/dev/null || true

# ------------------------------------------------------------------ helpers
# proc_ticks PID: utime + stime of the process (all its threads), in clock ticks.
proc_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# all_ticks FILE: "pid comm ticks" of every process (one awk for all of /proc).
all_ticks() {
  awk 'FNR == 1 {
      line = $0; lp = index(line, "("); rp = 0
      for (i = length(line); i > 0; i--) if (substr(line, i, 1) == ")") { rp = i; break }
      comm = substr(line, lp + 1, rp - lp - 1); gsub(/ /, "_", comm)
      split(substr(line, rp + 2), f, " ")
      print $1, comm, f[12] + f[13]
    }' /proc/[0-9]*/stat 2>/dev/null >"$1" || true
}
# cpu_line: the "cpu" line of /proc/stat without its name: user nice system idle iowait irq softirq steal ...
cpu_line() { awk '$1 == "cpu" { $1 = ""; print substr($0, 2) }' /proc/stat; }
# proc_faults PID: minor + major page faults of the process (all its threads).
proc_faults() { awk '{ sub(/^.*\) /, ""); print $8 + $10 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# ctxsw PID FILE: "tid switches" (voluntary + involuntary) of every thread of the process.
ctxsw() {
  local t
  for t in /proc/"$1"/task/*; do
    awk -v tid="${t##*/}" '/^(non)?voluntary_ctxt_switches:/ { s += $2 } END { print tid, s + 0 }' "$t/status" 2>/dev/null || true
  done >"$2"
}
# ctxsw_delta FILE0 FILE1: the switches of the threads alive at both ends (a thread that ended
# takes its count with it, so this is a lower bound when threads come and go).
ctxsw_delta() { awk 'NR == FNR { a[$1] = $2; next } $1 in a && $2 >= a[$1] { s += $2 - a[$1] } END { print s + 0 }' "$1" "$2"; }
# thread_ticks PID FILE: "tid name ticks" of every thread of the process.
thread_ticks() {
  local t
  for t in /proc/"$1"/task/*; do
    awk -v tid="${t##*/}" '{ lp = index($0, "("); rp = 0
        for (i = length($0); i > 0; i--) if (substr($0, i, 1) == ")") { rp = i; break }
        name = substr($0, lp + 1, rp - lp - 1); gsub(/ /, "_", name)
        split(substr($0, rp + 2), f, " "); print tid, name, f[12] + f[13] }' "$t/stat" 2>/dev/null || true
  done >"$2"
}
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
secs() { awk -v t="$1" -v hz="$HZ" 'BEGIN { printf "%.2f", t / hz }'; }
pct_of() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", 100 * a / b; else print "n/a" }'; }
now() { printf '%s' "$EPOCHREALTIME"; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 <= b + 0) }'; }
met_le() { if le "$1" "$2"; then echo "yes"; else echo "**no**"; fi; }
# kv KEY FILE [DEFAULT]
kv() { value "$1" "$2" 2>/dev/null || echo "${3:-n/a}"; }

# topology NAME: namespaces NAME-dir and NAME-srv, wired as described above.
topology() {
  local n=$1
  fresh_ns "$n-dir"
  fresh_ns "$n-srv"
  ip -n "$n-dir" -batch - <<EOF
link add d0 type veth peer name s0 netns $n-srv
link set d0 up
addr add 10.99.0.1/30 dev d0
route add 10.100.0.0/16 via 10.99.0.2 dev d0
EOF
  ip -n "$n-srv" -batch - <<EOF
link set s0 up
addr add 10.99.0.2/30 dev s0
route add local 10.100.0.0/16 dev lo
EOF
}
drop_topology() {
  local n=$1
  ip netns exec "$n-dir" ipvsadm -C 2>/dev/null || true
  ip netns del "$n-dir" 2>/dev/null || true
  ip netns del "$n-srv" 2>/dev/null || true
  sleep 3
}

# wait_exit PID SECONDS: wait for a process (not our child necessarily) to go.
wait_exit() {
  local pid=$1 limit=$2 i
  for ((i = 0; i < limit * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  return 1
}

# coverage LOG N T0: "silent=K first_all=T" for requests since T0 (flushes the responder's log first).
coverage() {
  local reqlog=$1 n=$2 t0=$3 out
  kill -USR1 "$responder_pid" 2>/dev/null || true
  sleep 0.2
  out=$("$RESPONDER" analyze "$n" "$reqlog" "$t0" "$(now)" "$INTERVAL")
  echo "silent=$(awk -F= '$1 == "addresses_silent" { print $2 }' <<<"$out")"
}

# ------------------------------------------------------------------ one variant
# run_variant SIDE N: measures one daemon on N destinations; raw figures in $RAW/SIDE-N.*
run_variant() {
  local side=$1 n=$2 name services cfg reqlog raw pid checker="" t_start t_ready="" silent=n/a i
  name=$side-$n
  services=$((n / PER_SERVICE))
  ((services * PER_SERVICE == n)) || { log "$n is not a multiple of $PER_SERVICE"; exit 1; }
  cfg=$SCRATCH/cfg-$n
  [[ -f $cfg/keepalived.conf ]] || bench/daemon-scale/gen-config.sh "$services" "$PER_SERVICE" "$cfg"
  reqlog=$SCRATCH/$name.requests
  raw=$RAW/$name
  log "[$name] $services virtual servers x $PER_SERVICE real servers: namespaces"
  topology "ds-$name"

  # The responder, alone in the servers' namespace.
  rm -f "$reqlog"
  ip netns exec "ds-$name-srv" "$RESPONDER" serve "$cfg/addresses.txt" 80 "$reqlog" >"$SCRATCH/$name.responder.out" 2>&1 &
  responder_pid=$!
  for ((i = 0; i < 600; i++)); do
    grep -q '^listening=' "$SCRATCH/$name.responder.out" 2>/dev/null && break
    kill -0 "$responder_pid" 2>/dev/null || { cat "$SCRATCH/$name.responder.out" >&2; log "[$name] the responder died"; exit 1; }
    sleep 0.1
  done
  # One request by hand: the path works.
  ip netns exec "ds-$name-dir" curl -s -m 5 -o /dev/null -w '%{http_code}' "http://$(head -n 1 "$cfg/addresses.txt")/" | grep -q 200 ||
    { log "[$name] the responder does not answer from the director"; exit 1; }

  # The daemon.
  t_start=$(now)
  if [[ $side == ours* ]]; then
    rm -rf "$SCRATCH/state-$name"
    mkdir -p "$SCRATCH/state-$name"
    local spin=() bin=$IPVS tag=${side#ours} var
    # ours0: the same daemon with the thread pool's semaphore spinning turned off (diagnostic)
    [[ $side == ours0 ]] && spin=(env DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0)
    # oursTAG (A/B variants): IPVS_DS_ENV_TAG="VAR=VALUE ..." in the daemon's environment, and
    # IPVS_DS_BIN_TAG another build (e.g. a copy with another runtimeconfig.json)
    if [[ -n $tag && $tag != 0 ]]; then
      var=IPVS_DS_ENV_$tag
      # shellcheck disable=SC2206 # VAR=VALUE words, split on purpose
      [[ -n ${!var:-} ]] && spin=(env ${!var})
      var=IPVS_DS_BIN_$tag
      [[ -n ${!var:-} ]] && bin=$(cd "$(dirname "${!var}")" && pwd)/$(basename "${!var}")
    fi
    ip netns exec "ds-$name-dir" "${spin[@]}" "$bin" run "$cfg/keepalived.conf" --state-dir "$SCRATCH/state-$name" \
      --listen "http://127.0.0.1:$PORT" --log-format json --max-checks-in-flight "$IN_FLIGHT" --no-watch \
      >"$SCRATCH/$name.daemon.log" 2>&1 &
    pid=$!
  else
    mkdir -p "/run/ds-$name"
    ip netns exec "ds-$name-dir" "$KEEPALIVED" -n -l -D -C -f "$cfg/keepalived.conf" \
      -p "/run/ds-$name/keepalived.pid" -c "/run/ds-$name/checkers.pid" -r "/run/ds-$name/vrrp.pid" -b "/run/ds-$name/bfd.pid" \
      >"$SCRATCH/$name.daemon.log" 2>&1 &
    pid=$!
    for ((i = 0; i < 300; i++)); do
      [[ -s /run/ds-$name/checkers.pid ]] && checker=$(<"/run/ds-$name/checkers.pid") && [[ -n $checker ]] && break
      sleep 0.1
    done
    [[ -n $checker ]] || { log "[$name] keepalived wrote no checker pid"; tail -n 20 "$SCRATCH/$name.daemon.log" >&2; exit 1; }
  fi

  # Ready: every address asked at least once since the start.
  # (by the clock: a busy lab stretches sleeps well beyond their length)
  local deadline
  deadline=$(awk -v t="$t_start" -v d="$READY_TIMEOUT" 'BEGIN { printf "%.0f", t + d }')
  while ((${EPOCHREALTIME%.*} < deadline)); do
    sleep 3
    kill -0 "$pid" 2>/dev/null || { tail -n 30 "$SCRATCH/$name.daemon.log" >&2; log "[$name] the daemon died"; exit 1; }
    silent=$(coverage "$reqlog" "$n" "$t_start")
    silent=${silent#silent=}
    if [[ $silent == 0 ]]; then
      t_ready=$(now)
      break
    fi
  done
  local ready_s=n/a
  if [[ -n $t_ready ]]; then
    ready_s=$(sub "$t_start" "$t_ready")
    log "[$name] every address asked within ${ready_s}s of the start; warm-up ${WARMUP}s"
  else
    log "[$name] after ${READY_TIMEOUT}s, $silent addresses were never asked; measuring anyway"
  fi
  if [[ $side == ours* ]]; then
    # The daemon's own counters before the window (rendering /metrics costs the daemon CPU, so
    # it happens well before the window opens).
    sleep $((WARMUP > 10 ? WARMUP - 10 : 0))
    ip netns exec "ds-$name-dir" curl -s -m 60 "http://127.0.0.1:$PORT/metrics" >"$SCRATCH/$name.metrics-before" || true
    sleep 10
  else
    sleep "$WARMUP"
  fi

  # The window: nothing but the daemon and the responder runs.
  local t0 t1 c0 c1 d0 d1 k0 k1 r0 r1 f0 f1 worker
  worker=${checker:-$pid} # the process that runs the checks
  all_ticks "$SCRATCH/$name.ticks0"
  thread_ticks "$worker" "$SCRATCH/$name.threads0"
  f0=$(proc_faults "$worker")
  ctxsw "$worker" "$SCRATCH/$name.ctx0"
  c0=$(cpu_line)
  d0=$(proc_ticks "$pid")
  k0=0
  if [[ -n $checker ]]; then k0=$(proc_ticks "$checker"); fi
  r0=$(proc_ticks "$responder_pid")
  t0=$(now)
  sleep "$WINDOW"
  t1=$(now)
  d1=$(proc_ticks "$pid")
  k1=0
  if [[ -n $checker ]]; then k1=$(proc_ticks "$checker"); fi
  r1=$(proc_ticks "$responder_pid")
  c1=$(cpu_line)
  f1=$(proc_faults "$worker")
  ctxsw "$worker" "$SCRATCH/$name.ctx1"
  thread_ticks "$worker" "$SCRATCH/$name.threads1"
  all_ticks "$SCRATCH/$name.ticks1"
  log "[$name] window $(sub "$t0" "$t1")s done"

  # After the window: our status (every check's last latency) and metrics.
  if [[ $side == ours* ]]; then
    ip netns exec "ds-$name-dir" curl -s -m 60 "http://127.0.0.1:$PORT/status" >"$SCRATCH/$name.status.json" || true
    ip netns exec "ds-$name-dir" curl -s -m 60 "http://127.0.0.1:$PORT/metrics" >"$SCRATCH/$name.metrics-after" || true
  fi
  local hwm rss threads k_hwm=0 k_rss=0 in_kernel
  hwm=$(status_kb "$pid" VmHWM) rss=$(status_kb "$pid" VmRSS) threads=$(status_kb "$pid" Threads)
  if [[ -n $checker ]]; then
    k_hwm=$(status_kb "$checker" VmHWM) k_rss=$(status_kb "$checker" VmRSS)
  fi
  local r_hwm
  r_hwm=$(status_kb "$responder_pid" VmHWM)
  # What the daemon's resident memory is made of: anonymous (heaps, stacks, JIT code) against
  # file-backed (mapped assemblies and libraries), and which managed assemblies are mapped.
  local rss_anon rss_file assemblies
  rss_anon=$(awk '$1 == "Anonymous:" { print $2 }' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)
  rss_file=$(awk '$1 == "Rss:" { r = $2 } $1 == "Anonymous:" { a = $2 } END { print r - a }' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)
  awk '$6 ~ /\.dll$/ { n = split($6, p, "/"); print p[n] }' "/proc/$pid/maps" 2>/dev/null | sort -u >"$raw.assemblies.txt" || true
  assemblies=$(wc -l <"$raw.assemblies.txt")
  cp "/proc/$pid/smaps_rollup" "$raw.smaps_rollup.txt" 2>/dev/null || true
  # resident KiB by mapping (file name, or [heap]/[stack]/anonymous), largest first
  awk '/^[0-9a-f]+-[0-9a-f]+ / { n = split($0, f, " "); name = (n >= 6) ? f[6] : "[anonymous]"; k = split(name, p, "/"); name = p[k]; next }
       $1 == "Rss:" { r[name] += $2 } END { for (k in r) if (r[k] > 0) print r[k], k }' "/proc/$pid/smaps" 2>/dev/null |
    sort -rn >"$raw.rss-by-mapping.txt" || true
  in_kernel=$(ip netns exec "ds-$name-dir" ipvsadm -Sn | grep -c '^-a' || true)

  # Attribution (after the window, not timed: strace slows the daemon down): the daemon's
  # syscalls for STRACE_S seconds, per check attempt (one socket() each).
  if [[ " $STRACE_AT " == *" $n "* ]] && command -v strace >/dev/null; then
    log "[$name] strace -f -c of the checking process for ${STRACE_S}s (attribution, untimed)"
    timeout -s INT "$STRACE_S" strace -f -c -p "$worker" -o "$SCRATCH/$name.strace" >/dev/null 2>&1 || true
    awk '$1 ~ /^[0-9.]+$/ && NF >= 5 && $NF != "total" { print $NF, $4 }' "$SCRATCH/$name.strace" >"$raw.syscalls.txt" || true
    cp "$SCRATCH/$name.strace" "$raw.strace.txt" 2>/dev/null || true
  fi

  # Stop the daemon, then the responder; analyse the window.
  kill -TERM "$pid" 2>/dev/null || true
  wait_exit "$pid" 60 || { log "[$name] the daemon did not stop within 60 s; killing it"; kill -KILL "$pid" 2>/dev/null || true; }
  wait "$pid" 2>/dev/null || true
  kill -TERM "$responder_pid"
  wait "$responder_pid" || true
  "$RESPONDER" analyze "$n" "$reqlog" "$t0" "$t1" "$INTERVAL" >"$raw.window.txt"
  cp "$SCRATCH/$name.responder.out" "$raw.responder.txt"
  tail -n 200 "$SCRATCH/$name.daemon.log" >"$raw.daemon-tail.log"

  # CPU over the window.
  local busy total
  read -r busy total < <(awk -v a="$c0" -v b="$c1" 'BEGIN {
      n = split(a, x, " "); split(b, y, " "); t = 0
      for (i = 1; i <= n; i++) t += y[i] - x[i]
      idle = (y[4] - x[4]) + (y[5] - x[5])
      print t - idle, t }')
  local daemon_ticks=$((d1 - d0)) checker_ticks=0 parent_ticks=0
  if [[ -n $checker ]]; then
    checker_ticks=$((k1 - k0))
    parent_ticks=$daemon_ticks
    daemon_ticks=$((checker_ticks + parent_ticks))
  fi
  # Every process's share of the window (the top ten), for the record.
  awk 'NR == FNR { t[$1 " " $2] = $3; next } { k = $1 " " $2; d = $3 - (k in t ? t[k] : 0); if (d > 0) print d, $2, $1 }' \
    "$SCRATCH/$name.ticks0" "$SCRATCH/$name.ticks1" | sort -rn | awk 'NR <= 10' >"$raw.top.txt"
  # The checking process's threads over the window, summed by name (ticks).
  awk 'NR == FNR { t[$1] = $3; next } { d = $3 - ($1 in t ? t[$1] : 0); if (d > 0) s[$2] += d } END { for (k in s) print s[k], k }' \
    "$SCRATCH/$name.threads0" "$SCRATCH/$name.threads1" | sort -rn >"$raw.threads.txt"
  local ksoftirqd
  ksoftirqd=$(awk '$2 ~ /^ksoftirqd/ { s += $1 } END { print s + 0 }' "$raw.top.txt")

  # Our latency (last attempt of every check, at the end of the window) and lateness since start.
  local lat_p50=n/a lat_p90=n/a lat_p99=n/a lat_max=n/a lat_n=0 sched_late_max=n/a sched_late_p99=n/a runs_before=n/a runs_after=n/a fails_after=n/a
  local sm=$SCRATCH/$name.metrics
  if [[ $side == ours* && -s $SCRATCH/$name.status.json ]]; then
    jq -r '.services[].destinations[].checks[]?.latencyMs // empty' "$SCRATCH/$name.status.json" | sort -g >"$SCRATCH/$name.latency" || true
    lat_n=$(wc -l <"$SCRATCH/$name.latency")
    if ((lat_n > 0)); then
      read -r lat_p50 lat_p90 lat_p99 lat_max < <(awk '{ v[NR] = $1 } END {
          split("50 90 99", p, " ")
          for (i = 1; i <= 3; i++) { k = int(p[i] / 100 * NR + 0.999999); if (k < 1) k = 1; printf "%.2f ", v[k] }
          printf "%.2f\n", v[NR] }' "$SCRATCH/$name.latency")
    fi
    # Every check in one line: id, state, runs, failed runs, last latency (ms), the largest
    # lateness since the start (s, from /metrics), last error.
    {
      printf 'check\tstate\truns\tfailures\tlatency_ms\tlateness_max_s\tlast_error\n'
      jq -r '.services[].destinations[].checks[]? | [.id, .state, .runs, .failures, (.latencyMs // ""), (.error // "")] | @tsv' "$SCRATCH/$name.status.json" |
        awk -F'\t' -v OFS='\t' 'NR == FNR { if (match($0, /^ipvs_check_lateness_max_seconds\{check="[^"]*"\}/)) {
              id = substr($0, 40, RLENGTH - 41); late[id] = $0; sub(/^.* /, "", late[id]) } next }
            { print $1, $2, $3, $4, $5, ($1 in late ? late[$1] : ""), $6 }' "$sm-after" -
    } >"$raw.checks.tsv" 2>/dev/null || true
  fi
  if [[ $side == ours* ]]; then
    for f in before after; do
      [[ -s $sm-$f ]] || continue
      # the daemon's own metrics; the per-check, per-service and per-destination lines are in
      # checks.tsv or left out
      grep -v 'check="\|service="\|destination="\|local_address="' "$sm-$f" >"$raw.metrics-$f.txt" || true
    done
    if [[ -s $sm-after ]]; then
      awk '/^ipvs_check_lateness_max_seconds\{/ { print $NF }' "$sm-after" | sort -g >"$SCRATCH/late.txt"
      sched_late_max=$(tail -n 1 "$SCRATCH/late.txt")
      sched_late_p99=$(awk '{ v[NR] = $1 } END { k = int(0.99 * NR + 0.999999); if (k < 1) k = 1; print v[k] }' "$SCRATCH/late.txt")
      runs_after=$(awk '/^ipvs_check_runs_total\{/ { s += $NF } END { printf "%d", s }' "$sm-after")
      fails_after=$(awk '/^ipvs_check_failures_total\{/ { s += $NF } END { printf "%d", s }' "$sm-after")
    fi
    if [[ -s $sm-before ]]; then
      runs_before=$(awk '/^ipvs_check_runs_total\{/ { s += $NF } END { printf "%d", s }' "$sm-before")
    fi
  fi
  local ka_fail=n/a
  if [[ $side == ka ]]; then
    # keepalived's word for a failed check that took a server out.
    ka_fail=$(grep -c 'Removing service\|Disabling service' "$SCRATCH/$name.daemon.log" || true)
  fi

  {
    echo "side=$side"
    echo "destinations=$n"
    echo "services=$services"
    echo "window_s=$(sub "$t0" "$t1")"
    echo "window_t0=$t0"
    echo "window_t1=$t1"
    echo "ready_s=$ready_s"
    echo "silent_at_ready_timeout=$silent"
    echo "hz=$HZ"
    echo "daemon_ticks=$daemon_ticks"
    echo "keepalived_checker_ticks=$checker_ticks"
    echo "keepalived_parent_ticks=$parent_ticks"
    echo "responder_ticks=$((r1 - r0))"
    echo "ksoftirqd_ticks=$ksoftirqd"
    echo "lab_busy_ticks=$busy"
    echo "lab_total_ticks=$total"
    echo "daemon_vmhwm_kb=$hwm"
    echo "daemon_vmrss_kb=$rss"
    echo "daemon_threads=$threads"
    echo "daemon_rss_anon_kb=${rss_anon:-0}"
    echo "daemon_rss_file_kb=${rss_file:-0}"
    echo "daemon_assemblies_mapped=$assemblies"
    echo "keepalived_checker_vmhwm_kb=$k_hwm"
    echo "keepalived_checker_vmrss_kb=$k_rss"
    echo "responder_vmhwm_kb=$r_hwm"
    echo "worker_page_faults=$((f1 - f0))"
    echo "worker_context_switches=$(ctxsw_delta "$SCRATCH/$name.ctx0" "$SCRATCH/$name.ctx1")"
    echo "destinations_in_kernel_after=$in_kernel"
    echo "latency_samples=$lat_n"
    echo "latency_ms_p50=$lat_p50"
    echo "latency_ms_p90=$lat_p90"
    echo "latency_ms_p99=$lat_p99"
    echo "latency_ms_max=$lat_max"
    echo "sched_lateness_max_s=$sched_late_max"
    echo "sched_lateness_p99_of_check_max_s=$sched_late_p99"
    echo "runs_total_before=$runs_before"
    echo "runs_total_after=$runs_after"
    echo "failures_total_after=$fails_after"
    echo "keepalived_removals=$ka_fail"
  } >"$raw.txt"
  cat "$raw.window.txt" >>"$raw.txt"
  log "[$name] rate $(kv rate_per_s "$raw.txt")/s of $n, daemon CPU $(secs "$daemon_ticks") s, responder $(secs $((r1 - r0))) s, lab busy $(pct_of "$busy" "$total")%, peak RSS $(mb "$hwm") MiB (checker $(mb "$k_hwm")), gap p99 $(kv gap_p99 "$raw.txt") s, late>10% $(kv late_over_10pct_share "$raw.txt")"
  if [[ -n $KEEP_LOGS ]]; then mkdir -p "$KEEP_LOGS" && cp "$reqlog" "$KEEP_LOGS/$name.requests"; fi
  rm -f "$reqlog"
  drop_topology "ds-$name"
}

# ------------------------------------------------------------------ the runs
FACTS=(started kernel ka_version guest_mem VARIANTS PER_SERVICE WARMUP WINDOW INTERVAL IN_FLIGHT STRACE_AT STRACE_S HZ
  IPVS_DS_CONNECT_TIMEOUT IPVS_DS_RETRY IPVS_DS_DELAY_BEFORE_RETRY IPVS_DS_HOST_KERNEL IPVS_DS_CPU IPVS_DS_HOST_CPUS
  IPVS_DS_HOST_CPU IPVS_DS_HOST_LOAD IPVS_DS_OTHER_LABS IPVS_DS_GIT IPVS_DS_DOTNET)
if [[ $REPORT_ONLY == 1 ]]; then
  # shellcheck disable=SC1091 # written by the measuring run
  source "$RAW/run.env"
else
  started=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
  kernel=$(uname -r)
  ka_version=$($KEEPALIVED --version 2>&1 | sed -n 1p)
  guest_mem=$(awk '/MemTotal/ { printf "%.0f MiB", $2 / 1024 }' /proc/meminfo)
  for f in "${FACTS[@]}"; do printf '%s=%q\n' "$f" "${!f:-}"; done >"$RAW/run.env"
  log "kernel $kernel; variants: $VARIANTS; warm-up ${WARMUP}s, window ${WINDOW}s"

  # Warm-up, not measured: binaries and libraries into the guest's page cache (hostfs reads are
  # slow the first time).
  "$IPVS" --help >/dev/null 2>&1 || true
  "$KEEPALIVED" --version >/dev/null 2>&1 || true

  for v in $VARIANTS; do
    run_variant "${v%%:*}" "${v#*:}"
  done
fi

# ------------------------------------------------------------------ report
# row LABEL EXPR-per-variant: one table row with a cell per variant.
variant_names=()
for v in $VARIANTS; do variant_names+=("${v%%:*}-${v#*:}"); done
title() {
  local side=${1%%-*} var
  case $side in
    ours) echo "ours ${1#*-}" ;;
    ours0) echo "ours, no spinning ${1#*-}" ;;
    ka) echo "keepalived ${1#*-}" ;;
    ours*) var=IPVS_DS_TITLE_${side#ours}; echo "${!var:-ours ${side#ours}} ${1#*-}" ;;
  esac
}
cell() { # cell NAME KEY [FORMAT]
  local f=$RAW/$1.txt v
  v=$(kv "$2" "$f")
  case ${3:-} in
    s) secs "$v" ;;
    mb) mb "$v" ;;
    pct) pct_of "$v" "$(kv lab_total_ticks "$f")" ;;
    ms) awk -v a="$v" 'BEGIN { if (a == "n/a") print a; else printf "%.1f", a * 1000 }' ;;
    share) awk -v a="$v" 'BEGIN { if (a == "n/a") print a; else printf "%.2f%%", a * 100 }' ;;
    *) echo "$v" ;;
  esac
}
row() { # row LABEL KEY [FORMAT]
  local line="| $1 |" n
  for n in "${variant_names[@]}"; do line+=" $(cell "$n" "$2" "${3:-}") |"; done
  echo "$line"
}
# host-measured figures (added by bench/daemon-scale-run.sh after the lab: host_lab_ticks, host_hz)
# host_cpu NAME: the CPU the host gave the whole lab in the window, seconds per second; n/a without
host_cpu() {
  local f=$RAW/$1.txt
  awk -v t="$(kv host_lab_ticks "$f")" -v hz="$(kv host_hz "$f")" -v w="$(kv window_s "$f")" \
    'BEGIN { if (t == "n/a" || hz == "n/a") print "n/a"; else printf "%.3f", t / hz / w }'
}
# daemon_cpu NAME: the daemon's CPU seconds per second, corrected for host steal when the host's
# figure is there (the host's CPU for the lab x the daemon's share of the guest's busy ticks),
# else as the guest measured it
daemon_cpu() {
  local f=$RAW/$1.txt h
  h=$(host_cpu "$1")
  if [[ $h == n/a ]]; then cpu_per_s "$1" daemon_ticks; return; fi
  awk -v h="$h" -v d="$(kv daemon_ticks "$f")" -v b="$(kv lab_busy_ticks "$f")" 'BEGIN { if (b > 0) printf "%.3f", h * d / b; else print "n/a" }'
}
row_fn() { # row_fn LABEL FUNCTION: a cell per variant from FUNCTION NAME
  local line="| $1 |" n
  for n in "${variant_names[@]}"; do line+=" $($2 "$n") |"; done
  echo "$line"
}
per_check_ms() { # per_check_ms NAME CPU_PER_S: milliseconds per answered check
  local f=$RAW/$1.txt
  awk -v c="$2" -v w="$(kv window_s "$f")" -v r="$(kv requests "$f")" 'BEGIN { if (c == "n/a" || r + 0 == 0) print "n/a"; else printf "%.2f", c * w * 1000 / r }'
}
daemon_ms() { per_check_ms "$1" "$(daemon_cpu "$1")"; }
steal() { # steal NAME: seconds per second the lab waited for a host CPU in the window
  local f=$RAW/$1.txt
  awk -v s="$(kv host_steal_s "$f")" -v w="$(kv window_s "$f")" 'BEGIN { if (s == "n/a") print s; else printf "%.3f", s / w }'
}
lab_ms() { per_check_ms "$1" "$(host_cpu "$1")"; }
cpu_per_s() { awk -v t="$(kv "$2" "$RAW/$1.txt")" -v hz="$HZ" -v w="$(kv window_s "$RAW/$1.txt")" 'BEGIN { printf "%.3f", t / hz / w }'; }
row_cpu() {
  local line="| $1 |" n
  for n in "${variant_names[@]}"; do line+=" $(cpu_per_s "$n" "$2") |"; done
  echo "$line"
}
# row_per_req LABEL KEY FACTOR: KEY x FACTOR per request answered in the window
row_per_req() {
  local line="| $1 |" n f
  for n in "${variant_names[@]}"; do
    f=$RAW/$n.txt
    line+=" $(awk -v v="$(kv "$2" "$f")" -v k="$3" -v r="$(kv requests "$f")" 'BEGIN { if (v == "n/a" || r + 0 == 0) print "n/a"; else printf "%.2f", v * k / r }') |"
  done
  echo "$line"
}
# attribution: syscalls per check attempt (socket() calls) of the variants traced
attribution() {
  local traced=() n
  for n in "${variant_names[@]}"; do [[ -s $RAW/$n.syscalls.txt ]] && traced+=("$n"); done
  ((${#traced[@]})) || return 0
  echo
  echo "## Attribution: syscalls per check attempt (strace -f -c, ${STRACE_S} s after the window; untimed)"
  echo
  echo 'strace slows the traced process down, so only the counts per attempt (one `socket()` each) mean anything here; in user-mode Linux every syscall, `clock_gettime` included (there is no vDSO), is a round trip through the UML kernel.'
  echo
  local line="| syscall |" sep="|---|"
  for n in "${traced[@]}"; do line+=" $(title "$n") |"; sep+="---:|"; done
  echo "$line"
  echo "$sep"
  # the syscalls that make up 99% of any traced side's calls, most frequent first
  local names
  names=$(for n in "${traced[@]}"; do
      awk -v f="$n" '{ tot += $2; c[$1] = $2 } END { s = c["socket"]; if (s == 0) s = 1; for (k in c) print c[k] / s, k }' "$RAW/$n.syscalls.txt"
    done | sort -k2,2 -k1,1gr | awk '!seen[$2]++ { print $1, $2 }' | sort -gr | awk '$1 >= 0.05 { print $2 }')
  local sc
  for sc in $names total; do
    line="| $sc |"
    for n in "${traced[@]}"; do
      line+=" $(awk -v k="$sc" '{ c[$1] = $2; tot += $2 } END { s = c["socket"]; if (s == 0) { print "n/a"; exit } v = (k == "total") ? tot : c[k]; printf "%.1f", v / s }' "$RAW/$n.syscalls.txt") |"
    done
    echo "$line"
  done
  line="| check attempts traced (socket() calls) |"
  for n in "${traced[@]}"; do line+=" $(awk '$1 == "socket" { print $2 }' "$RAW/$n.syscalls.txt") |"; done
  echo "$line"
}

share() { awk -v a="$1" 'BEGIN { if (a == "n/a" || a == "") print "n/a"; else printf "%.2f%%", a * 100 }'; }
met_late() { if [[ $1 == n/a || -z $1 ]]; then echo "**no**"; else met_le "$1" $TARGET_LATE_SHARE; fi; }
# targets at one scale: ours-N against ka-N, when both ran
targets() {
  local n=$1 o=$RAW/ours-$1.txt k=$RAW/ka-$1.txt
  [[ -f $o ]] || return 0
  local cpu_o cpu_k rss_o late_o late_k rate_o rate_k sil_o sil_k
  cpu_o=$(daemon_cpu "ours-$n")
  rss_o=$(mb "$(kv daemon_vmhwm_kb "$o")")
  late_o=$(kv late_over_10pct_share "$o")
  sil_o=$(kv addresses_silence_over_10pct_share "$o")
  rate_o=$(kv rate_per_s "$o")
  echo
  echo "### $n destinations"
  echo
  echo "| target | ours | keepalived | met |"
  echo "|---|---:|---:|:---:|"
  if [[ -f $k ]]; then
    cpu_k=$(daemon_cpu "ka-$n")
    late_k=$(kv late_over_10pct_share "$k")
    sil_k=$(kv addresses_silence_over_10pct_share "$k")
    rate_k=$(kv rate_per_s "$k")
    local cpu_note="as the guest measures it"
    [[ $(host_cpu "ours-$n") != n/a ]] && cpu_note="corrected for host steal"
    local ms_o ms_k
    ms_o=$(daemon_ms "ours-$n") ms_k=$(daemon_ms "ka-$n")
    # per answered check: where a side cannot keep up, CPU per second only says it is saturated
    echo "| CPU ≤ keepalived's: CPU per answered check (ms, $cpu_note; keepalived: checker + parent) | $ms_o | $ms_k | $(if [[ $ms_o == n/a || $ms_k == n/a ]]; then echo n/a; else met_le "$ms_o" "$ms_k"; fi) |"
    echo "| ... CPU seconds per second of the window | $cpu_o | $cpu_k | |"
  else
    late_k=n/a rate_k=n/a sil_k=n/a
  fi
  echo "| peak RSS ≤ $TARGET_RSS_MB MB (VmHWM, MiB) | $rss_o | $(mb "$(kv keepalived_checker_vmhwm_kb "$k" 0)") | $(met_le "$rss_o" $TARGET_RSS_MB) |"
  local late_limit
  late_limit=$(awk -v i="$INTERVAL" 'BEGIN { print i * 1.1 }')
  echo "| no check later than interval + 10%: periods between two checks of one real server > $late_limit s | $(share "$late_o") | $(share "$late_k") | $(met_late "$late_o") |"
  echo "| ... real servers that went > $late_limit s without a check at some point of the window (its edges included) | $(share "$sil_o") | $(share "$sil_k") | $(met_late "$sil_o") |"
  echo "| checks per second achieved (of $n due) | $rate_o | $rate_k | $(awk -v r="$rate_o" -v n="$n" 'BEGIN { if (r >= 0.99 * n) print "yes"; else print "**no**" }') |"
}

{
  cat <<EOF
# The health-checking daemon at scale: \`ipvs run\` against keepalived

Generated by \`bench/daemon-scale-run.sh\` (bench/daemon-scale.sh) from the figures measured in one lab boot; do not edit by hand.

- date: $started
- kernel (lab): $kernel, user-mode Linux, 1 guest CPU, $guest_mem; host kernel ${IPVS_DS_HOST_KERNEL:-?}
- CPU pinning: lab pinned to host CPU ${IPVS_DS_CPU:-none} (\`lab/run --cpu\`) of ${IPVS_DS_HOST_CPUS:-?} (${IPVS_DS_HOST_CPU:-?})
- host load average at start: ${IPVS_DS_HOST_LOAD:-?}; other kernel labs running on the host at start: ${IPVS_DS_OTHER_LABS:-?}
- source: ${IPVS_DS_GIT:-?}; .NET SDK ${IPVS_DS_DOTNET:-?}
- ours: \`ipvs run keepalived.conf\` (src/Ipvs.Cli, Release build, .NET defaults), \`--max-checks-in-flight $IN_FLIGHT --log-format json --no-watch --listen http://127.0.0.1:$PORT\`, state in the guest's tmpfs
- keepalived: \`$KEEPALIVED -n -l -D -C -f keepalived.conf\` ($ka_version, Debian's build), checker process only
$(for v in $VARIANTS; do t=${v%%:*}; t=${t#ours}; [[ $v == ours?* && $t != 0 ]] || continue; e=IPVS_DS_ENV_$t; b=IPVS_DS_BIN_$t; ti=IPVS_DS_TITLE_$t
    printf -- '- "%s" (A/B variant): the same `ipvs run`%s%s\n' "${!ti:-ours $t}" "${!e:+ with \`${!e}\`}" "${!b:+, binary ${!b}}"; done | sort -u)
- "ours, no spinning" (a diagnostic, not a target): the same \`ipvs run\` with \`DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0\` (idle thread-pool workers block at once instead of spinning, which on the lab's one CPU means repeated \`sched_yield\`)
- the configuration, the same file for both: N/$PER_SERVICE virtual servers (rr, NAT) x $PER_SERVICE real servers, each real server one \`HTTP_GET { url { path / status_code 200 } connect_timeout ${IPVS_DS_CONNECT_TIMEOUT:-1} retry ${IPVS_DS_RETRY:-0} delay_before_retry ${IPVS_DS_DELAY_BEFORE_RETRY:-1} }\`, \`delay_loop $INTERVAL\` (bench/daemon-scale/gen-config.sh)
- variants, one after the other in this order, each in fresh namespaces: $VARIANTS; each measured over a ${WINDOW} s window that opens ${WARMUP} s after every real server has been asked once
- only figures within this run compare: user-mode Linux makes every syscall, context switch and page fault 100-1000x dearer than a normal kernel

## Targets (issue 6 §6)
EOF
  for n in $(for v in $VARIANTS; do echo "${v#*:}"; done | sort -rn -u); do targets "$n"; done
  echo
  echo "## Figures"
  echo
  line="| figure |"
  sep="|---|"
  for n in "${variant_names[@]}"; do line+=" $(title "$n") |"; sep+="---:|"; done
  echo "$line"
  echo "$sep"
  row "checks due per second" destinations
  row "requests answered per second (responder, window)" rate_per_s
  row "real servers never asked in the window" addresses_silent
  row "requests per real server in the window (min)" requests_per_address_min
  row "requests per real server in the window (max)" requests_per_address_max
  row "start until every real server was asked once (s)" ready_s
  row_cpu "daemon CPU, seconds per second (keepalived: checker + parent)" daemon_ticks
  row_cpu "... keepalived checker process" keepalived_checker_ticks
  row_cpu "... keepalived parent process" keepalived_parent_ticks
  row_cpu "responder CPU, seconds per second" responder_ticks
  row_cpu "ksoftirqd, seconds per second" ksoftirqd_ticks
  row "whole lab busy (/proc/stat, % of the window)" lab_busy_ticks pct
  row_fn "CPU the host really gave the lab (host-measured, s per s of the window)" host_cpu
  row_fn "time the lab waited for a host CPU (host steal, s per s of the window)" steal
  row_fn "daemon CPU corrected for host steal (host figure x the daemon's share of the guest's busy ticks; s per s)" daemon_cpu
  row_fn "... per answered check (ms)" daemon_ms
  row_fn "whole lab CPU per answered check (host-measured: daemon, responder, network stack; ms)" lab_ms
  row "daemon peak RSS (VmHWM, MiB; keepalived: parent)" daemon_vmhwm_kb mb
  row "keepalived checker peak RSS (VmHWM, MiB)" keepalived_checker_vmhwm_kb mb
  row "... of it now: anonymous (heaps, stacks, JIT; MiB, smaps_rollup at the window's end)" daemon_rss_anon_kb mb
  row "... of it now: file-backed (assemblies, libraries; MiB)" daemon_rss_file_kb mb
  row "managed assemblies mapped (ours)" daemon_assemblies_mapped
  row "daemon threads" daemon_threads
  row_per_req "checking process CPU per answered check (ms)" daemon_ticks "$(awk -v hz="$HZ" 'BEGIN { print 1000 / hz }')"
  row_per_req "... page faults per answered check" worker_page_faults 1
  row_per_req "... context switches per answered check" worker_context_switches 1
  row_per_req "responder CPU per answered check (ms)" responder_ticks "$(awk -v hz="$HZ" 'BEGIN { print 1000 / hz }')"
  row "responder peak RSS (MiB)" responder_vmhwm_kb mb
  row "period between two requests to one real server: p50 (s)" gap_p50
  row "... p90 (s)" gap_p90
  row "... p99 (s)" gap_p99
  row "... p99.9 (s)" gap_p999
  row "... max (s)" gap_max
  row "... min (s)" gap_min
  row "lateness (period − interval): p50 (ms)" lateness_p50 ms
  row "... p90 (ms)" lateness_p90 ms
  row "... p99 (ms)" lateness_p99 ms
  row "... max (ms)" lateness_max ms
  row "periods longer than interval + 10%" late_over_10pct_share share
  row "periods longer than interval + 50% (count)" late_over_50pct
  row "periods longer than 2 x interval (count)" late_over_100pct
  row "periods shorter than interval − 10% (count)" early_under_90pct
  row "periods measured" gaps
  row "longest time a real server went without a check (window edges included): p50 over real servers (s)" silence_p50
  row "... p99 (s)" silence_p99
  row "... max (s)" silence_max
  row "real servers that went > interval + 10% without a check" addresses_silence_over_10pct_share share
  row "check latency, last attempt of every check at the window's end: p50 (ms; ours only)" latency_ms_p50
  row "... p90 (ms)" latency_ms_p90
  row "... p99 (ms)" latency_ms_p99
  row "... max (ms)" latency_ms_max
  row "our scheduler's lateness (start − due), the largest of any check since the start (s)" sched_lateness_max_s
  row "... p99 over checks of each check's largest (s)" sched_lateness_p99_of_check_max_s
  row "failed check runs since the start (ours, /metrics)" failures_total_after
  row "servers taken out (keepalived's log: Removing/Disabling service)" keepalived_removals
  row "destinations in the kernel after the window" destinations_in_kernel_after
  attribution
  echo
  echo "## Where the checking process's CPU goes, by thread (ticks of 1/$HZ s over the window)"
  echo
  for n in "${variant_names[@]}"; do
    [[ -s $RAW/$n.threads.txt ]] || continue
    printf -- '- %s: %s\n' "$(title "$n")" "$(awk '{ printf "%s%s %d", (NR > 1 ? ", " : ""), $2, $1 } NR == 8 { exit }' "$RAW/$n.threads.txt")"
  done
  cat <<EOF

## How it was measured

- **Topology**: per variant, fresh namespaces \`ds-SIDE-N-dir\` (the daemon, its IPVS table, checks from 10.99.0.1) and \`ds-SIDE-N-srv\` (\`ip route add local 10.100.0.0/16 dev lo\`: every real server address is local there without 10,000 \`addr add\`), joined by one veth pair; the director routes 10.100.0.0/16 over it. Namespaces are deleted (after \`ipvsadm -C\`) before the next variant: IPVS has one service hash table for all namespaces.
- **Responder** (\`bench/daemon-scale/responder.c\`, C, one thread): one listening socket per real server address (\`TCP_DEFER_ACCEPT\`, so accept returns with the request already there), level-triggered epoll; per request accept4 + read + write + close and a 16-byte log record (CLOCK_REALTIME read once per 16 events, address index) through a 1 MiB buffer into the guest's tmpfs. Its CPU is measured over the same window and shown above.
- **Ready and warm-up**: every 3 s the responder's log is flushed and read; once every real server has been asked at least once since the daemon started, ${WARMUP} s more pass before the window (for ours, /metrics is read 10 s before the window opens, as rendering it costs the daemon CPU).
- **CPU**: utime + stime of the whole process (all threads) from \`/proc/PID/stat\` at both ends of the window; for keepalived the checker child (\`-c\` pid file) plus the parent (its children's cutime is not counted: HTTP_GET forks none). In user-mode Linux the network stack's softirq work is charged to whichever process is running when it runs, so the daemon's and the responder's figures each include part of the other's TCP work; the whole lab's busy share (\`/proc/stat\`) and ksoftirqd are given so nothing hides. Tick resolution: 1/$HZ s. The CPU target is judged per answered check: where a side cannot keep up, its CPU per second only says that it is saturated.
- **Page faults and context switches** of the checking process over the window: minflt + majflt of \`/proc/PID/stat\`; voluntary + involuntary switches of \`/proc/PID/task/*/status\`, summed over the threads alive at both ends (a lower bound when threads come and go). Every page fault and every switch between threads is a round trip through the UML kernel.
- **Host steal**: inside user-mode Linux a process's CPU time runs on the guest's clock, which goes on while the host has descheduled the whole lab (other labs and builds share this 2-CPU host), so a busy process is charged time it never got. \`bench/daemon-scale/host-cpu.sh\` therefore samples, on the host every 0.5 s, the CPU time of every host process of the lab (the UML kernel and the processes carrying the guest's ones); over each window that is what the lab really got, and the daemon's corrected figure is that times its share of the guest's busy ticks. The guest-side figures are kept next to it.
- **RSS**: VmHWM of \`/proc/PID/status\` at the window's end (the peak since the start, start-up included).
- **Periods and lateness**: from the responder's log, per real server, the time between two successive requests with both in the window; lateness = period − delay_loop. keepalived schedules the next check delay_loop after the previous one *ended*, so its period is delay_loop + the check's own duration; ours schedules from the previous due time (no drift), and after a late run the next period is short (counted as "shorter than interval − 10%").
- **Latency** (ours only; keepalived has no such figure): the last attempt's latency of every check from \`/status\` right after the window (one sample per check).
- **Silence**: per real server, the longest time inside the window without a request, counting from the window's start to the first request and from the last one to the window's end (lower bounds of the periods that span the edges); this catches the real servers checked once or never in the window, which have no period to measure.
- **Rate**: requests the responder answered in the window / window length; "checks due" is destinations / delay_loop.

Raw figures of every variant: $RAW/ (SIDE-N.txt key=value; SIDE-N.top.txt the ten busiest processes of the window in ticks; SIDE-N.threads.txt the checking process's threads; SIDE-N.strace.txt; ours: SIDE-N.checks.tsv every check's state, runs, failures, last latency and largest lateness, and the daemon's own metrics; the daemons' last log lines).
EOF
  if [[ -f $NOTES ]]; then
    echo
    cat "$NOTES"
  fi
} >"$OUT.tmp"
mv -f "$OUT.tmp" "$OUT"
cat "$OUT"
