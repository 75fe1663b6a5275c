#!/usr/bin/env bash
# lab/selftest.sh - end-to-end check of the kernel lab: real IPVS traffic.
# Run it inside the lab:  lab/run bash lab/selftest.sh
# Prints PASS/FAIL lines; exits 1 if anything failed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=SCRIPTDIR/netns.sh disable=SC1091
source "$here/netns.sh"

failures=0
pass() { printf 'PASS: %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*"; failures=$((failures + 1)); }
ms() { local t; t=$(</proc/uptime); t=${t%% *}; printf '%s' "${t/./}0"; }

# check_rr WHAT N_RS RESPONSE...: the responses cycle through rs1..rsN in
# some rotation (round robin), each real server equally often.
check_rr() {
  local what=$1 n_rs=$2
  shift 2
  local -a got=("$@")
  local i ok=1 want=$((${#got[@]} / n_rs))
  local -A count=()
  for ((i = 0; i < ${#got[@]}; i++)); do
    [[ ${got[i]} =~ ^rs[0-9]+$ ]] || ok=0
    count[${got[i]}]=$((${count[${got[i]}]:-0} + 1))
    if ((i >= n_rs)) && [[ ${got[i]} != "${got[i - n_rs]}" ]]; then ok=0; fi
  done
  for ((i = 1; i <= n_rs; i++)); do
    ((${count[rs$i]:-0} == want)) || ok=0
  done
  if ((ok)); then
    pass "$what: ${got[*]}"
  else
    fail "$what: expected rs1..rs$n_rs in turn, got: ${got[*]}"
  fi
}

# fetch_n N CMD...: run CMD N times, collect one line per call ("ERR" on failure)
fetch_n() {
  local n=$1 i out
  shift
  results=()
  for ((i = 0; i < n; i++)); do
    out=$("$@" 2>/dev/null) || out=ERR
    results+=("${out:-EMPTY}")
  done
}

cleanup() {
  lab_topology_del st-nat >/dev/null 2>&1 || true
  lab_topology_del st-dr >/dev/null 2>&1 || true
}
trap cleanup EXIT

t_start=$(ms)
echo "selftest: kernel $(uname -r), $(ipvsadm --version 2>&1 | head -n 1)"

# --------------------------------------------------------------- the kernel
if [[ -e /proc/net/ip_vs ]]; then pass "ip_vs is loaded"; else fail "ip_vs is not loaded (/proc/net/ip_vs missing)"; fi
missing=()
for s in rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh; do
  [[ -d /sys/module/ip_vs_$s ]] || missing+=("$s")
done
if ((${#missing[@]} == 0)); then pass "all IPVS schedulers are loaded"; else fail "schedulers not loaded: ${missing[*]}"; fi
lo_state=$(ip -o link show lo)
if [[ $lo_state == *"<"*UP*">"* ]]; then pass "lo is up"; else fail "lo is down"; fi

# ----------------------------------------------------------------------- NAT
t=$(ms)
if lab_topology st-nat 2; then
  pass "NAT topology st-nat (index $LAB_INDEX, VIP $LAB_VIP, real servers ${LAB_RS_IPS[*]}) built in $(($(ms) - t)) ms"
  nat_vip=$LAB_VIP
  nat_vip6=$LAB_VIP6
  nat_rs=("${LAB_RS_IPS[@]}")
  nat_rs6=("${LAB_RS_IPS6[@]}")
  d=$LAB_NS_DIR
  c=$LAB_NS_CLI

  # The real servers answer directly.
  fetch_n 1 lab_http_get "$c" "http://${nat_rs[0]}/"
  r1=${results[0]}
  fetch_n 1 lab_http_get "$c" "http://${nat_rs[1]}/"
  r2=${results[0]}
  if [[ $r1 == rs1 && $r2 == rs2 ]]; then pass "real servers answer HTTP directly"; else fail "direct HTTP: got '$r1' '$r2'"; fi

  # IPVS NAT, HTTP, round robin.
  lab_in "$d" ipvsadm -A -t "$nat_vip:80" -s rr
  for ip in "${nat_rs[@]}"; do lab_in "$d" ipvsadm -a -t "$nat_vip:80" -r "$ip:80" -m; done
  fetch_n 10 lab_http_get "$c" "http://$nat_vip/"
  check_rr "NAT HTTP via IPVS rr, 10 fetches" 2 "${results[@]}"

  # IPVS NAT, UDP and the TCP name responder.
  lab_in "$d" ipvsadm -A -u "$nat_vip:$LAB_UDP_PORT" -s rr
  lab_in "$d" ipvsadm -A -t "$nat_vip:$LAB_TCP_PORT" -s rr
  for ip in "${nat_rs[@]}"; do
    lab_in "$d" ipvsadm -a -u "$nat_vip:$LAB_UDP_PORT" -r "$ip:$LAB_UDP_PORT" -m
    lab_in "$d" ipvsadm -a -t "$nat_vip:$LAB_TCP_PORT" -r "$ip:$LAB_TCP_PORT" -m
  done
  fetch_n 6 lab_udp_get "$c" "$nat_vip" "$LAB_UDP_PORT"
  check_rr "NAT UDP via IPVS rr, 6 requests" 2 "${results[@]}"
  fetch_n 4 lab_tcp_get "$c" "$nat_vip" "$LAB_TCP_PORT"
  check_rr "NAT TCP name responder via IPVS rr, 4 connections" 2 "${results[@]}"

  # IPv6 NAT.
  lab_in "$d" ipvsadm -A -t "[$nat_vip6]:80" -s rr
  for ip in "${nat_rs6[@]}"; do lab_in "$d" ipvsadm -a -t "[$nat_vip6]:80" -r "[$ip]:80" -m; done
  fetch_n 4 lab_http_get "$c" "http://[$nat_vip6]/"
  check_rr "NAT HTTP over IPv6 via IPVS rr, 4 fetches" 2 "${results[@]}"

  # A stopped real server: its HTTP fails, and comes back when started.
  lab_rs_stop 1
  if lab_http_get "$c" "http://${nat_rs[0]}/" >/dev/null 2>&1; then
    fail "lab_rs_stop 1: rs1 still answers"
  else
    lab_rs_start 1
    fetch_n 1 lab_http_get "$c" "http://${nat_rs[0]}/"
    if [[ ${results[0]} == rs1 ]]; then pass "lab_rs_stop/lab_rs_start"; else fail "lab_rs_start 1: got '${results[0]}'"; fi
  fi

  # The counters (the estimator runs every 2 s; totals are immediate).
  conns=$(lab_in "$d" ipvsadm -Ln --stats -t "$nat_vip:80" | awk '$1 == "TCP" { print $3 }')
  if [[ $conns == 10 ]]; then pass "ipvsadm --stats counts 10 connections"; else fail "ipvsadm --stats: conns '$conns', expected 10"; fi
else
  fail "could not build the NAT topology"
fi

# ------------------------------------------------------------------------ DR
t=$(ms)
if lab_topology st-dr 2 --dr; then
  pass "DR topology st-dr (index $LAB_INDEX, VIP $LAB_VIP, real servers ${LAB_RS_IPS[*]}) built in $(($(ms) - t)) ms, next to st-nat"
  d=$LAB_NS_DIR
  c=$LAB_NS_CLI
  if [[ ${nat_vip:-} != "$LAB_VIP" ]]; then pass "the two topologies use distinct addresses"; else fail "both topologies use $LAB_VIP"; fi

  lab_in "$d" ipvsadm -A -t "$LAB_VIP:80" -s rr
  lab_in "$d" ipvsadm -A -u "$LAB_VIP:$LAB_UDP_PORT" -s rr
  lab_in "$d" ipvsadm -A -t "[$LAB_VIP6]:80" -s rr
  for ((i = 0; i < LAB_RS_COUNT; i++)); do
    lab_in "$d" ipvsadm -a -t "$LAB_VIP:80" -r "${LAB_RS_IPS[i]}:80" -g
    lab_in "$d" ipvsadm -a -u "$LAB_VIP:$LAB_UDP_PORT" -r "${LAB_RS_IPS[i]}:$LAB_UDP_PORT" -g
    lab_in "$d" ipvsadm -a -t "[$LAB_VIP6]:80" -r "[${LAB_RS_IPS6[i]}]:80" -g
  done
  fetch_n 10 lab_http_get "$c" "http://$LAB_VIP/"
  check_rr "DR HTTP via IPVS rr, 10 fetches" 2 "${results[@]}"
  fetch_n 6 lab_udp_get "$c" "$LAB_VIP" "$LAB_UDP_PORT"
  check_rr "DR UDP via IPVS rr, 6 requests" 2 "${results[@]}"
  fetch_n 4 lab_http_get "$c" "http://[$LAB_VIP6]/"
  check_rr "DR HTTP over IPv6 via IPVS rr, 4 fetches" 2 "${results[@]}"

  # IPVS tunnelling (-i) on the same topology, to the TCP name responder.
  lab_in "$d" ipvsadm -A -t "$LAB_VIP:$LAB_TCP_PORT" -s rr
  for ip in "${LAB_RS_IPS[@]}"; do
    lab_in "$d" ipvsadm -a -t "$LAB_VIP:$LAB_TCP_PORT" -r "$ip:$LAB_TCP_PORT" -i
  done
  fetch_n 4 lab_tcp_get "$c" "$LAB_VIP" "$LAB_TCP_PORT"
  check_rr "TUN (IPIP) TCP via IPVS rr, 4 connections" 2 "${results[@]}"

  lo_addrs=$(lab_in "${LAB_NS_RS[0]}" ip -o addr show dev lo)
  if [[ $lo_addrs == *" $LAB_VIP/32 "* ]]; then
    pass "DR real servers hold the VIP on lo"
  else
    fail "DR: VIP missing from rs1's lo"
  fi
  # And the NAT topology is still intact.
  if [[ -n ${nat_vip:-} ]]; then
    fetch_n 2 lab_http_get st-nat-cli "http://$nat_vip/"
    check_rr "NAT still works next to DR" 2 "${results[@]}"
  fi
else
  fail "could not build the DR topology"
fi

# ---------------------------------------------------------------- clean up
lab_topology_del st-nat
lab_topology_del st-dr
left=$(ip netns list | grep -c '^st-' || true)
if [[ $left == 0 ]]; then pass "topologies deleted"; else fail "$left netns left after lab_topology_del"; fi

echo "selftest: $failures failure(s), $(($(ms) - t_start)) ms"
((failures == 0))
