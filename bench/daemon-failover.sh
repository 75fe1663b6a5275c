#!/usr/bin/env bash
# bench/daemon-failover.sh - runs INSIDE the kernel lab (started by bench/daemon-failover-run.sh
# through lab/run).
#
# Failover of a web farm under steady client traffic, three ways, in one lab boot:
#   keepalived   Debian's keepalived 2.2.7 (checker only: --check) with
#                bench/daemon-failover/keepalived.conf
#   ours-conf    `ipvs run` with the same keepalived.conf
#   ours-csx     `ipvs run examples/web.csx -- vip=... sorry=... servers=a,b,c kind=nat`
#                (HTTP check every 1 s, retries 0, fall 2, rise 2, slow start 5 s, sorry server)
# ours: `ipvs run CONFIG --state-dir DIR --listen http://127.0.0.1:9323 --drain-timeout 5`.
#
# Each run (one side, one repetition) builds a fresh topology (lab_topology dfo 4 --index 10:
# rs1-rs3 serve, rs4 is the sorry server), starts the table poller and the daemon, waits for the
# three servers at full weight, starts the client, and then:
#   (a) stops rs1's HTTP server (lab_rs_stop 1)      until rs1 is out of the table (+5 s, and
#                                                     until it is deleted);
#   (b) starts it again (rs_start: the httpd          until it is back at full weight (+5 s);
#       lab_rs_start runs, exec'd at a known instant)
#   (c) stops all three at the same instant           until the sorry server alone serves (+5 s,
#                                                     and until the real servers are deleted);
#   (d) starts all three again (the report's (c'))    until all three are at full weight and the
#                                                     sorry server is withdrawn (+5 s, deleted).
# Measurement:
#   - the table: bench/daemon-failover/poll.pl in the director's namespace reads /proc/net/ip_vs
#     (the table `ipvsadm -Ln` prints) every 100 ms and logs every change with the poll before it;
#   - the traffic: bench/daemon-failover/client.pl in the client's namespace, one HTTP GET to the
#     VIP per 50 ms on a new connection, 1 s timeout for the whole request, logging start time,
#     duration, and the answering server (the body, "rsI") or why it failed;
#   - events: this script's $EPOCHREALTIME before and after each action (one clock: the guest's).
# bench/daemon-failover/analyze.pl turns each run into figures.txt; report.pl writes the report
# from the raw directory alone (it holds the facts and both configurations), so
# `perl bench/daemon-failover/report.pl bench/results/daemon-failover-raw > bench/results/daemon-failover.md`
# writes it again (e.g. after bench/daemon-failover/notes.md changed).
#
# Environment (all optional): IPVS_DFO_REPS (7), IPVS_DFO_SIDES ("keepalived ours-conf ours-csx"),
# IPVS_DFO_OUT (bench/results/daemon-failover.md), IPVS_DFO_RAW (bench/results/daemon-failover-raw),
# IPVS_DFO_OBSERVE (5: seconds of traffic kept after each phase's condition), IPVS_DFO_BIN (our
# ipvs), plus the host facts bench/daemon-failover-run.sh passes in (IPVS_DFO_HOST_*).
set -euo pipefail
export LC_ALL=C

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
# shellcheck source=lab/netns.sh
source lab/netns.sh

REPS=${IPVS_DFO_REPS:-7}
read -r -a SIDES <<<"${IPVS_DFO_SIDES:-keepalived ours-conf ours-csx}"
OUT=${IPVS_DFO_OUT:-bench/results/daemon-failover.md}
RAW=${IPVS_DFO_RAW:-bench/results/daemon-failover-raw}
OBSERVE=${IPVS_DFO_OBSERVE:-5}
IPVS=${IPVS_DFO_BIN:-src/Ipvs.Cli/bin/Release/net10.0/ipvs}
HERE=bench/daemon-failover
CONF=$HERE/keepalived.conf
CSX=examples/web.csx
INDEX=10
PREFIX=dfo
VIP=10.$INDEX.0.100
REALS=("10.$INDEX.1.11:80" "10.$INDEX.1.12:80" "10.$INDEX.1.13:80")
SORRY=10.$INDEX.1.14:80
FULL=10 # the real servers' weight in both configurations
CSX_ARGS=("vip=$VIP" "sorry=${SORRY%:*}" "servers=10.$INDEX.1.11,10.$INDEX.1.12,10.$INDEX.1.13" "kind=nat")
SCRATCH=/tmp/dfo                   # guest tmpfs: the logs are written here during a run
STATE_ROOT=/var/tmp/ipvs-dfo-state.$$ # ours' --state-dir, one per run
PORT=9323

log() { printf 'daemon-failover: %s\n' "$*" >&2; }
[[ -x $IPVS ]] || { log "$IPVS is missing; run bench/daemon-failover-run.sh (it builds first)"; exit 1; }
IPVS=$ROOT/$IPVS
command -v keepalived >/dev/null || { log "keepalived is missing"; exit 1; }
mkdir -p "$SCRATCH" "$RAW" "$(dirname "$OUT")"
rm -rf "${RAW:?}"/*/ "$RAW"/*.txt
trap 'rm -rf "$STATE_ROOT"' EXIT

# ----------------------------------------------------------------- facts and warm-up
{
  echo "started=$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "kernel=$(uname -r)"
  echo "keepalived=$(keepalived --version 2>&1 | head -n 1)"
  echo "ipvs=$("$IPVS" --version 2>&1 | head -n 1)"
  echo "dotnet=$(dotnet --version 2>/dev/null || echo '?')"
  echo "guest_mem=$(awk '/MemTotal/ { printf "%.0f MiB", $2 / 1024 }' /proc/meminfo)"
  echo "guest_cpus=$(nproc)"
  echo "reps=$REPS"
  echo "sides=${SIDES[*]}"
  echo "observe=$OBSERVE"
  echo "csx_args=${CSX_ARGS[*]}"
  # The host's facts (bench/daemon-failover-run.sh), so that report.pl can be run again later.
  for v in IPVS_DFO_CPU IPVS_DFO_HOST_CPU IPVS_DFO_HOST_CPUS IPVS_DFO_HOST_LOAD IPVS_DFO_OTHER_LABS \
    IPVS_DFO_DOTNET IPVS_DFO_HOST_KERNEL IPVS_DFO_GIT; do
    printf '%s=%s\n' "$v" "${!v-}"
  done
} >"$RAW/facts.txt"
log "$(tr '\n' ' ' <"$RAW/facts.txt")"

# Warm-up, not measured: both programs and their files into the guest's page cache (hostfs reads
# are slow the first time), and both configurations checked by both programs.
log "warm-up: keepalived -t, ipvs check (both configurations)"
keepalived -t -f "$CONF" >"$RAW/check-keepalived.txt" 2>&1 || { cat "$RAW/check-keepalived.txt" >&2; exit 1; }
"$IPVS" check "$CONF" >"$RAW/check-ours-conf.txt" 2>&1 || { cat "$RAW/check-ours-conf.txt" >&2; exit 1; }
"$IPVS" check "$CSX" -- "${CSX_ARGS[@]}" >"$RAW/check-ours-csx.txt" 2>&1 || { cat "$RAW/check-ours-csx.txt" >&2; exit 1; }

# ----------------------------------------------------------------- one run
D="" # the run's scratch directory
ev() { printf '%s %s\n' "$EPOCHREALTIME" "$1" >>"$D/events.txt"; }

# The table as poll.pl last saw it ("IP:PORT=W ..."; "-" no service; "none" no destinations).
TABLE=""
read_table() {
  local -a lines=()
  [[ -s $D/poll.txt ]] && mapfile -t lines <"$D/poll.txt"
  TABLE=""
  if ((${#lines[@]})); then
    local l=${lines[-1]}
    l=${l#* }
    TABLE=${l#* }
  fi
}
# weight DEST: W = its weight in $TABLE, or "" if absent (no subshells: forks are dear in the lab).
W=""
weight() {
  local e
  W=""
  for e in $TABLE; do
    if [[ ${e%=*} == "$1" ]]; then
      W=${e#*=}
      return 0
    fi
  done
  return 0
}
# Conditions on $TABLE.
c_all_full() { local r; for r in "${REALS[@]}"; do weight "$r"; [[ $W == "$FULL" ]] || return 1; done; }
c_ready() { c_all_full && weight "$SORRY" && [[ -z $W ]]; }
c_rs1_out() { weight "${REALS[0]}"; [[ -z $W || $W == 0 ]]; }
c_rs1_absent() { weight "${REALS[0]}"; [[ -z $W ]]; }
c_rs1_full() { weight "${REALS[0]}"; [[ $W == "$FULL" ]]; }
c_sorry_alone() {
  local r
  weight "$SORRY"
  [[ -n $W && $W != 0 ]] || return 1
  for r in "${REALS[@]}"; do weight "$r"; [[ -z $W || $W == 0 ]] || return 1; done
}
c_reals_absent() { local r; for r in "${REALS[@]}"; do weight "$r"; [[ -z $W ]] || return 1; done; }
c_restored() { c_all_full && weight "$SORRY" && [[ -z $W || $W == 0 ]]; }
c_sorry_absent() { weight "$SORRY"; [[ -z $W ]]; }

# wait_until COND SECONDS: polls the table every 100 ms; on a timeout the run goes on, marked.
wait_until() {
  local cond=$1 limit=$2 t0 now
  t0=${EPOCHREALTIME/./}
  while :; do
    read_table
    "$cond" && return 0
    now=${EPOCHREALTIME/./}
    if ((now - t0 > limit * 1000000)); then
      log "  $NAME: $cond not reached within ${limit}s (table: ${TABLE:-empty})"
      ev "timeout_$cond"
      echo "timeout_$cond" >>"$D/warnings.txt"
      return 1
    fi
    sleep 0.1
  done
}

# stop_pid PID SECONDS: SIGTERM, then SIGKILL after SECONDS.
stop_pid() {
  local pid=$1 limit=$2 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < limit * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# CPU seconds (user + system) and peak RSS of the daemon's processes (keepalived: parent and
# checker child) in the director's namespace, the poller excepted.
daemon_usage() {
  local poll=$1 p cpu=0 rss=0 line hz
  local -a f
  hz=$(getconf CLK_TCK)
  while read -r p; do
    [[ $p == "$poll" || ! -r /proc/$p/stat ]] && continue
    read -r line </proc/"$p"/stat || continue
    line=${line##*) }
    read -r -a f <<<"$line"
    cpu=$((cpu + f[11] + f[12]))
    rss=$((rss + $(awk '/^VmHWM/ { print $2 }' /proc/"$p"/status 2>/dev/null || echo 0)))
  done < <(_lab_netns_pids "$PREFIX-dir")
  awk -v c="$cpu" -v h="$hz" -v r="$rss" 'BEGIN { printf "daemon_cpu_s=%.2f\ndaemon_peak_rss_mib=%.1f\n", c / h, r / 1024 }'
}

# rs_listens PID: whether the netns of PID has a TCP socket listening on port 80. /proc/net/tcp and
# tcp6 list the listening sockets first, so the read stops at the first other one; the real
# server's old connections in TIME_WAIT (hundreds, after a few seconds of traffic) are not read.
# (lab/netns.sh's _lab_listening reads them all, which takes long enough in the lab to make a
# start look later than it was.)
rs_listens() {
  local f line
  for f in tcp6 tcp; do
    while IFS= read -r line; do
      [[ $line =~ ^\ *[0-9]+:\ [0-9A-F]+:([0-9A-F]{4})\ [0-9A-F]+:[0-9A-F]{4}\ ([0-9A-F]{2}) ]] || continue
      [[ ${BASH_REMATCH[2]} == 0A ]] || break
      [[ ${BASH_REMATCH[1]} == 0050 ]] && return 0
    done <"/proc/$1/net/$f"
  done
  return 1
}

# A real server's return, timed to within milliseconds. In the loaded lab, `lab_rs_start` (ip netns
# exec, which also remounts /sys, then busybox) takes 0.3-1.5 s before the server listens, and
# a poll for the listening socket is itself late by a varying amount. So the start is split:
# rs_arm I... starts, ahead of time, a process in real server I's namespace that waits on a FIFO
# and then execs the same `busybox httpd -f -p 80 -h WWW` lab_rs_start runs (its pid, which the
# exec keeps, goes to the pid file lab_rs_stop reads); rs_start EVENT I... logs EVENT and then
# opens the FIFOs (builtins only, no process), so the servers start at EVENT within the time of
# an exec. It then logs EVENT_listening_I when its check (every 20 ms) finds server I listening,
# for the record of that lag.
rs_arm() {
  local i d
  mkdir -p "/run/dfo/$NAME"
  for i; do
    d=$LAB_STATE_DIR/topo/$PREFIX/rs$i
    rm -f "/run/dfo/$NAME/gate$i"
    mkfifo "/run/dfo/$NAME/gate$i"
    # shellcheck disable=SC2016 # expanded by the inner bash
    ip netns exec "$PREFIX-rs$i" bash -c 'IFS= read -r _ <"$1" && exec busybox httpd -f -p "$2" -h "$3"' \
      rs-gate "/run/dfo/$NAME/gate$i" "$LAB_HTTP_PORT" "$d/www" </dev/null >>"$d/httpd.log" 2>&1 &
    echo "$!" >"$d/httpd.pid"
    disown "$!"
  done
}

rs_start() {
  local event=$1 i j n pid
  shift
  local -a left=() still=()
  local -A pid_of=()
  for i; do
    pid=$(<"$LAB_STATE_DIR/topo/$PREFIX/rs$i/httpd.pid")
    kill -0 "$pid" 2>/dev/null || { log "  $NAME: the start gate of rs$i is gone"; return 1; }
    pid_of[$i]=$pid
  done
  ev "$event"
  for i; do printf 'go\n' >"/run/dfo/$NAME/gate$i"; done
  left=("$@")
  for ((n = 0; n < 500 && ${#left[@]} > 0; n++)); do
    still=()
    for j in "${left[@]}"; do
      if rs_listens "${pid_of[$j]}"; then ev "${event}_listening_$j"; else still+=("$j"); fi
    done
    left=("${still[@]}")
    ((${#left[@]} == 0)) || sleep 0.02
  done
  ((${#left[@]} == 0)) || { log "  $NAME: the HTTP servers of rs${left[*]} do not listen"; return 1; }
}

run_one() { # SIDE REP
  local side=$1 rep=$2 daemon_pid poll_pid client_pid i
  local -a pids=()
  NAME=$side-$rep
  D=$SCRATCH/$NAME
  rm -rf "$D"
  mkdir -p "$D"
  : >"$D/warnings.txt"
  log "run $NAME"
  lab_topology "$PREFIX" 4 --index "$INDEX" >/dev/null
  [[ $LAB_VIP == "$VIP" ]] || { log "topology VIP $LAB_VIP, expected $VIP"; exit 1; }

  ip netns exec "$PREFIX-dir" perl "$HERE/poll.pl" "$VIP" 80 100 "$D/poll.txt" </dev/null &
  poll_pid=$!
  # shellcheck disable=SC2016 # perl code
  local ts='BEGIN { $| = 1 } printf "%.3f %s", Time::HiRes::time(), $_'
  ev daemon_start
  case $side in
    keepalived)
      mkdir -p "/run/dfo/$NAME"
      ip netns exec "$PREFIX-dir" keepalived --check --dont-fork --log-console --log-detail -f "$CONF" \
        -p "/run/dfo/$NAME/keepalived.pid" -c "/run/dfo/$NAME/checkers.pid" -r "/run/dfo/$NAME/vrrp.pid" \
        -b "/run/dfo/$NAME/bfd.pid" </dev/null > >(perl -MTime::HiRes -ne "$ts" >"$D/daemon.log") 2>&1 &
      ;;
    ours-conf)
      mkdir -p "$STATE_ROOT/$NAME"
      ip netns exec "$PREFIX-dir" "$IPVS" run "$CONF" --state-dir "$STATE_ROOT/$NAME" \
        --listen "http://127.0.0.1:$PORT" --drain-timeout 5 </dev/null > >(perl -MTime::HiRes -ne "$ts" >"$D/daemon.log") 2>&1 &
      ;;
    ours-csx)
      mkdir -p "$STATE_ROOT/$NAME"
      ip netns exec "$PREFIX-dir" "$IPVS" run "$CSX" --state-dir "$STATE_ROOT/$NAME" \
        --listen "http://127.0.0.1:$PORT" --drain-timeout 5 -- "${CSX_ARGS[@]}" </dev/null > >(perl -MTime::HiRes -ne "$ts" >"$D/daemon.log") 2>&1 &
      ;;
  esac
  daemon_pid=$!
  wait_until c_ready 300 || true
  ev ready
  ip netns exec "$PREFIX-dir" ipvsadm -Ln >"$D/ipvsadm-ready.txt" 2>&1 || true

  ip netns exec "$PREFIX-cli" perl "$HERE/client.pl" "$VIP" 80 50 1 "$D/client.txt" </dev/null &
  client_pid=$!
  ev traffic
  sleep 3

  # (a) one real server stops.
  ev a_stop
  lab_rs_stop 1
  ev a_stopped
  wait_until c_rs1_out 30 || true
  ev a_out
  rs_arm 1
  sleep "$OBSERVE"
  wait_until c_rs1_absent 30 || true

  # (b) it comes back.
  rs_start b_start 1
  ev b_listening
  wait_until c_rs1_full 60 || true
  ev b_full
  sleep "$OBSERVE"

  # (c) all three stop at the same instant (one kill for the three), then their pid files go.
  pids=()
  for i in 1 2 3; do pids+=("$(<"$LAB_STATE_DIR/topo/$PREFIX/rs$i/httpd.pid")"); done
  ev c_stop
  kill "${pids[@]}"
  for i in 1 2 3; do lab_rs_stop "$i"; done
  ev c_stopped
  wait_until c_sorry_alone 30 || true
  ev c_sorry
  rs_arm 1 2 3
  sleep "$OBSERVE"
  wait_until c_reals_absent 30 || true

  # (d) all three come back, started side by side.
  rs_start d_start 1 2 3
  ev d_listening
  wait_until c_restored 60 || true
  ev d_restored
  sleep "$OBSERVE"
  wait_until c_sorry_absent 30 || true
  ev end

  stop_pid "$client_pid" 5
  ip netns exec "$PREFIX-dir" ipvsadm -Ln >"$D/ipvsadm-end.txt" 2>&1 || true
  if [[ $side == ours-* ]]; then
    ip netns exec "$PREFIX-dir" "$IPVS" status --listen "http://127.0.0.1:$PORT" >"$D/ipvs-status.txt" 2>&1 || true
  fi
  daemon_usage "$poll_pid" >"$D/usage.txt"
  stop_pid "$daemon_pid" 15
  stop_pid "$poll_pid" 5
  lab_topology_del "$PREFIX"
  rm -rf "/run/dfo/$NAME" "${STATE_ROOT:?}/$NAME"

  perl "$HERE/analyze.pl" "$D" "${REALS[0]}" "$SORRY" "$FULL" "$(
    IFS=,
    echo "${REALS[*]}"
  )" >"$D/figures.txt"
  {
    cat "$D/usage.txt"
    printf 'startup=%s\n' "$(awk '$2 == "daemon_start" { s = $1 } $2 == "ready" { r = $1 } END { printf "%.3f", r - s }' "$D/events.txt")"
    printf 'warnings=%s\n' "$(tr '\n' ' ' <"$D/warnings.txt")"
  } >>"$D/figures.txt"
  mkdir -p "$RAW/$NAME"
  cp "$D"/* "$RAW/$NAME/"
  log "  $NAME: $(grep -E '^(a_detect|a_failed|a_dead_after_detect|b_back|b_full_weight|b_failed|c_sorry_in_table|c_failed|d_sorry_withdrawn|d_failed|startup)=' "$D/figures.txt" | tr '\n' ' ')"
  rm -rf "$D"
}

# Repetition r runs the sides in an order rotated by r, so none always comes first.
for ((r = 1; r <= REPS; r++)); do
  n=${#SIDES[@]}
  for ((k = 0; k < n; k++)); do
    run_one "${SIDES[(k + r - 1) % n]}" "$r"
  done
done
echo "finished=$(date -u '+%Y-%m-%d %H:%M:%S UTC')" >>"$RAW/facts.txt"

cp "$CONF" "$RAW/keepalived.conf"
cp "$CSX" "$RAW/web.csx"
perl "$HERE/report.pl" "$RAW" >"$OUT"
cat "$OUT"
