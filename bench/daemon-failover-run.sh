#!/usr/bin/env bash
# bench/daemon-failover-run.sh - build `ipvs` (src/Ipvs.Cli, Release) and run bench/daemon-failover.sh
# in the kernel lab: failover under steady traffic with keepalived 2.2.7 and with `ipvs run`
# (the same keepalived.conf, and examples/web.csx), side by side in one lab boot.
# Results: bench/results/daemon-failover.md, raw logs in bench/results/daemon-failover-raw/.
#
# Environment (all optional; IPVS_* variables reach the lab through lab/run):
#   IPVS_DFO_CPU=             host CPU to pin the lab to (default: none; other labs on this host
#                             pin to CPU 1, and the client's request rate suffers when it shares it)
#   IPVS_DFO_TIMEOUT=5400     lab timeout in seconds
#   IPVS_DFO_REPS=7           repetitions of each side
#   IPVS_DFO_SIDES="keepalived ours-conf ours-csx"
#   IPVS_DFO_OBSERVE=5        seconds of traffic kept after each phase's condition
#   IPVS_DFO_OUT=bench/results/daemon-failover.md  IPVS_DFO_RAW=bench/results/daemon-failover-raw
#   IPVS_DFO_NOBUILD=1        use the ipvs already built
# A quick smoke test: IPVS_DFO_REPS=1 IPVS_DFO_OUT=/var/tmp/dfo.md IPVS_DFO_RAW=/var/tmp/dfo-raw \
#   bench/daemon-failover-run.sh
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

cpu=${IPVS_DFO_CPU:-}
timeout_s=${IPVS_DFO_TIMEOUT:-5400}

# retry CMD...: once more after a failure (the machine is shared; a concurrent build can hold a
# file for a moment).
retry() { "$@" || { echo "daemon-failover-run: retrying: $*" >&2; sleep 10; "$@"; }; }

if [[ ${IPVS_DFO_NOBUILD:-0} != 1 ]]; then
  echo "daemon-failover-run: building src/Ipvs.Cli (Release)" >&2
  retry dotnet build src/Ipvs.Cli -c Release -nologo -v quiet >&2
fi

# Facts only the host can see, recorded in the results.
host_cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
# shellcheck disable=SC2009 # pgrep cannot print the distinct uml_dir of each instance
other_labs=$(ps -eo args= | grep -o '^[^ ]*linux\.uml .*uml_dir=[^ ]*' | grep -o 'uml_dir=[^ ]*' | sort -u | wc -l || true)
IPVS_DFO_CPU=$cpu
IPVS_DFO_HOST_CPU=${host_cpu:-unknown}
IPVS_DFO_HOST_CPUS=$(nproc)
IPVS_DFO_HOST_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
IPVS_DFO_OTHER_LABS=${other_labs:-0}
IPVS_DFO_DOTNET=$(dotnet --version)
IPVS_DFO_HOST_KERNEL=$(uname -r)
# The source measured: commit, and whether src/ or examples/ had uncommitted changes at build time.
IPVS_DFO_GIT="commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
if [[ -n $(git status --porcelain -- src examples 2>/dev/null) ]]; then
  IPVS_DFO_GIT+=" + uncommitted changes in src/ or examples/"
fi
export IPVS_DFO_GIT IPVS_DFO_CPU IPVS_DFO_HOST_CPU IPVS_DFO_HOST_CPUS IPVS_DFO_HOST_LOAD \
  IPVS_DFO_OTHER_LABS IPVS_DFO_DOTNET IPVS_DFO_HOST_KERNEL

if [[ ${other_labs:-0} != 0 ]]; then
  echo "daemon-failover-run: note: ${other_labs} other kernel lab(s) (linux.uml) are running on this host" >&2
fi

pin=()
[[ -n $cpu ]] && pin=(--cpu "$cpu")
echo "daemon-failover-run: running bench/daemon-failover.sh in the lab (${cpu:+CPU $cpu, }timeout ${timeout_s}s)" >&2
exec lab/run "${pin[@]}" --timeout "$timeout_s" -- bash bench/daemon-failover.sh
