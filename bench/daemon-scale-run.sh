#!/usr/bin/env bash
# bench/daemon-scale-run.sh - build `ipvs` (src/Ipvs.Cli, Release) and the responder
# (bench/daemon-scale/responder.c), then run bench/daemon-scale.sh in the kernel lab, pinned to
# one host CPU: `ipvs run` against keepalived's checker on the same keepalived.conf of 10,000
# (and 1,000) HTTP-checked real servers, delay_loop 1.
# Results: bench/results/daemon-scale.md, raw figures in bench/results/daemon-scale-raw/.
#
# Environment (all optional; IPVS_* variables reach the lab through lab/run):
#   IPVS_DS_CPU=1                   host CPU to pin the lab to
#   IPVS_DS_TIMEOUT=3600            lab timeout in seconds
#   IPVS_DS_VARIANTS="ka:10000 ours:10000 ours:1000 ka:1000 ours0:1000 ka:100 ours:100 ours0:100"
#                                   SIDE:DESTINATIONS in this order; SIDE is ours, ka (keepalived) or
#                                   ours0 (ours with DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0)
#                                   or oursTAG, an A/B variant of ours (TAG: letters and digits):
#   IPVS_DS_ENV_TAG="VAR=VALUE ..."  its environment (e.g. DOTNET_TieredPGO=0)
#   IPVS_DS_BIN_TAG=PATH             another build of Ipvs.Cli (e.g. a copy of an older commit's)
#   IPVS_DS_TITLE_TAG="..."          its name in the report
#   IPVS_DS_STRACE_AT=100 IPVS_DS_STRACE_S=10   strace attribution (after the window) at these scales
#   IPVS_DS_PER_SERVICE=100         real servers per virtual server
#   IPVS_DS_WARMUP=30 IPVS_DS_WINDOW=60 IPVS_DS_READY_TIMEOUT=600   seconds
#   IPVS_DS_IN_FLIGHT=256           ipvs run --max-checks-in-flight
#   IPVS_DS_DELAY_LOOP=1 IPVS_DS_CONNECT_TIMEOUT=1 IPVS_DS_RETRY=0 IPVS_DS_DELAY_BEFORE_RETRY=1
#   IPVS_DS_OUT=bench/results/daemon-scale.md
#   IPVS_DS_NOBUILD=1               measure what is already built
#   IPVS_DS_KEEP_LOGS=DIR           keep every variant's request log (16 bytes a request) in DIR
#   IPVS_DS_REPORT_ONLY=1           no lab: rebuild the report from the raw figures of the last run
# A quick smoke test: IPVS_DS_VARIANTS="ours:1000 ka:1000" IPVS_DS_WARMUP=5 IPVS_DS_WINDOW=10
#   IPVS_DS_OUT=/var/tmp/ds-smoke/daemon-scale.md bench/daemon-scale-run.sh
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

cpu=${IPVS_DS_CPU:-1}
timeout_s=${IPVS_DS_TIMEOUT:-3600}

retry() { "$@" || { echo "daemon-scale-run: retrying: $*" >&2; sleep 5; "$@"; }; }

if [[ ${IPVS_DS_REPORT_ONLY:-0} == 1 ]]; then
  exec bash bench/daemon-scale.sh
fi

if [[ ${IPVS_DS_NOBUILD:-0} != 1 ]]; then
  echo "daemon-scale-run: building src/Ipvs.Cli (Release)" >&2
  retry dotnet build src/Ipvs.Cli -c Release -nologo -v quiet >&2
  echo "daemon-scale-run: building bench/daemon-scale/bin/responder" >&2
  mkdir -p bench/daemon-scale/bin
  cc -O2 -Wall -Wextra -o bench/daemon-scale/bin/responder bench/daemon-scale/responder.c -lm
fi

# Facts only the host can see, recorded in the results.
host_cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
# shellcheck disable=SC2009 # pgrep cannot print the distinct uml_dir of each instance
other_labs=$(ps -eo args= | grep -o '^[^ ]*linux\.uml .*uml_dir=[^ ]*' | grep -o 'uml_dir=[^ ]*' | sort -u | wc -l || true)
IPVS_DS_CPU=$cpu
IPVS_DS_HOST_CPU=${host_cpu:-unknown}
IPVS_DS_HOST_CPUS=$(nproc)
IPVS_DS_HOST_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
IPVS_DS_OTHER_LABS=${other_labs:-0}
IPVS_DS_DOTNET=$(dotnet --version)
IPVS_DS_HOST_KERNEL=$(uname -r)
IPVS_DS_GIT="commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
if [[ -n $(git status --porcelain -- src 2>/dev/null) ]]; then
  IPVS_DS_GIT+=" + uncommitted changes in src/"
fi
export IPVS_DS_GIT IPVS_DS_CPU IPVS_DS_HOST_CPU IPVS_DS_HOST_CPUS IPVS_DS_HOST_LOAD IPVS_DS_OTHER_LABS \
  IPVS_DS_DOTNET IPVS_DS_HOST_KERNEL

if [[ ${other_labs:-0} != 0 ]]; then
  echo "daemon-scale-run: warning: ${other_labs} other kernel lab(s) (linux.uml) are running on this host; timings may be disturbed" >&2
fi

out=${IPVS_DS_OUT:-bench/results/daemon-scale.md}
raw=$(dirname "$out")/daemon-scale-raw
mkdir -p "$raw"
samples=$raw/host-cpu.samples
rm -f "$samples"

echo "daemon-scale-run: running bench/daemon-scale.sh in the lab (CPU $cpu, timeout ${timeout_s}s)" >&2
lab/run --cpu "$cpu" --timeout "$timeout_s" -- bash bench/daemon-scale.sh &
lab=$!
# The CPU the host really gives the lab, sampled from outside (on another CPU when there is one).
sampler_cpu=$(((cpu + 1) % $(nproc)))
taskset -c "$sampler_cpu" bench/daemon-scale/host-cpu.sh "$lab" "$samples" 0.5 &
sampler=$!
status=0
wait "$lab" || status=$?
wait "$sampler" || true
((status == 0)) || exit "$status"

# Each variant's window as the host saw it, then the report again with those figures.
host_hz=$(getconf CLK_TCK)
for f in "$raw"/*.txt; do
  t0=$(awk -F= '$1 == "window_t0" { print $2 }' "$f")
  t1=$(awk -F= '$1 == "window_t1" { print $2 }' "$f")
  [[ -n $t0 && -n $t1 ]] || continue
  sed -i '/^host_lab_ticks=/d; /^host_hz=/d; /^host_steal_s=/d' "$f"
  read -r ticks steal < <(bench/daemon-scale/host-cpu.sh window "$samples" "$t0" "$t1")
  printf 'host_lab_ticks=%s\nhost_hz=%s\nhost_steal_s=%s\n' "$ticks" "$host_hz" "$steal" >>"$f"
done
IPVS_DS_REPORT_ONLY=1 bash bench/daemon-scale.sh
