#!/usr/bin/env bash
# The README's first command: the whole product at work in one go. It boots the kernel lab (a real
# Linux 6.1 kernel with IPVS, installing what it lacks), starts three web servers and a sorry
# server in their own network namespaces, runs `ipvs run examples/web.csx` on the director, sends
# traffic from a client namespace, fails one web server and brings it back, and prints the request
# distribution and the daemon's status before, during and after.
# On a real host the daemon line is simply: sudo ipvs run examples/web.csx
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"
echo "== building ipvs (src/Ipvs.Cli)" >&2
dotnet build src/Ipvs.Cli -c Release --nologo -v quiet -clp:ErrorsOnly >&2

exec lab/run --timeout 600 -- bash -c '
  set -euo pipefail
  source lab/netns.sh
  ipvs=$PWD/src/Ipvs.Cli/bin/Release/net10.0/ipvs
  prefix=demo
  lab_topology $prefix 4 >/dev/null        # rs1-rs3: web servers; rs4: the sorry server
  lab_topology_load $prefix
  state=/var/tmp/ipvs-demo-state
  log=/var/tmp/ipvs-demo.log
  rm -rf "$state"; mkdir -p "$state"
  cleanup() { kill "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true; lab_topology_del $prefix; }
  trap cleanup EXIT

  servers=${LAB_RS_IPS[0]},${LAB_RS_IPS[1]},${LAB_RS_IPS[2]}
  echo "== ipvs run examples/web.csx -- vip=$LAB_VIP servers=$servers sorry=${LAB_RS_IPS[3]}"
  ip netns exec $LAB_NS_DIR "$ipvs" run examples/web.csx --state-dir "$state" --drain-timeout 5 \
    -- vip=$LAB_VIP servers=$servers sorry=${LAB_RS_IPS[3]} >"$log" 2>&1 &
  daemon=$!
  for _ in $(seq 120); do grep -q " Ready" "$log" && break; sleep 0.5; done
  grep -q " Ready" "$log" || { cat "$log"; exit 1; }

  traffic() { # N requests, one new connection each; prints how many each server answered
    local n=$1 i out
    declare -A count=()
    for ((i = 0; i < n; i++)); do
      out=$(lab_http_get $LAB_NS_CLI "http://$LAB_VIP/" 2>/dev/null) || out=FAILED
      count[$out]=$(( ${count[$out]:-0} + 1 ))
    done
    for k in $(printf "%s\n" "${!count[@]}" | sort); do printf "   %-7s %3d requests\n" "$k" "${count[$k]}"; done
  }
  status() { ip netns exec $LAB_NS_DIR "$ipvs" status | sed "s/^/   /"; }
  wait_for() { # DESCRIPTION COMMAND...: up to 20 s
    for _ in $(seq 100); do "${@:2}" && return 0; sleep 0.2; done
    echo "   (gave up waiting for $1)"
  }
  rs1_weight() { ip netns exec $LAB_NS_DIR ipvsadm -Ln | awk -v rs="${LAB_RS_IPS[0]}:80" "\$2 == rs { print \$4 }"; }
  rs1_out() { local w; w=$(rs1_weight); [ -z "$w" ] || [ "$w" = 0 ]; }
  rs1_in() { local w; w=$(rs1_weight); [ -n "$w" ] && [ "$w" != 0 ]; }
  rs1_full() { [ "$(rs1_weight)" = 10 ]; }

  echo; echo "== before: three healthy web servers, 30 requests"
  traffic 30; echo; status

  echo; echo "== rs1 fails (its web server stops)"
  lab_rs_stop 1
  start=$(date +%s%N)
  wait_for "rs1 to leave" rs1_out
  echo "   rs1 out of rotation after $(( ($(date +%s%N) - start) / 1000000 )) ms (checks every 1 s, out after 2 failures)"
  echo; echo "== during: 30 requests"
  traffic 30; echo; status

  echo; echo "== rs1 comes back (slow start: its weight ramps from 1 to 10 over 5 s)"
  lab_rs_start 1
  wait_for "rs1 to return" rs1_in
  for _ in 1 2 3; do echo "   rs1 weight now: $(rs1_weight)"; sleep 1.5; done
  wait_for "rs1 at full weight" rs1_full
  echo; echo "== after: 30 requests"
  traffic 30; echo; status

  echo; echo "== the daemon said"
  sed "s/^/   /" "$log"
  echo; echo "== the table, read by the real ipvsadm"
  ip netns exec $LAB_NS_DIR ipvsadm -Ln | sed "s/^/   /"
'
