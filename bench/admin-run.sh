#!/usr/bin/env bash
# bench/admin-run.sh - publish our ipvsadm (src/Ipvs.Admin, NativeAOT) and run bench/admin-bench.sh
# in the kernel lab, pinned to one host CPU: our ipvsadm against the real one, as whole processes.
# Results: bench/results/ipvsadm.md (a copy in bench/results/history/, raw figures in
# bench/results/ipvsadm-raw/).
#
# Environment (all optional; IPVS_* variables reach the lab through lab/run):
#   IPVS_ADMIN_BENCH_CPU=1            host CPU to pin the lab to
#   IPVS_ADMIN_BENCH_TIMEOUT=3000     lab timeout in seconds
#   IPVS_ADMIN_BENCH_N=1000           thesis iterations (each is 4 processes per side)
#   IPVS_ADMIN_BENCH_BLOCKS=10        the thesis loop alternates sides in this many blocks
#   IPVS_ADMIN_BENCH_SERVICES=10000 IPVS_ADMIN_BENCH_DESTS=10   table size for (b) and (c)
#   IPVS_ADMIN_BENCH_STARTS=200       ipvsadm -v runs per side for the start-up figure
#   IPVS_ADMIN_BENCH_READ_REPS=3 IPVS_ADMIN_BENCH_RESTORE_REPS=3
#   IPVS_ADMIN_BENCH_OUT=bench/results/ipvsadm.md
#   IPVS_ADMIN_BENCH_NOPUBLISH=1      measure the binary already published (no build)
# A quick smoke test: IPVS_ADMIN_BENCH_N=20 IPVS_ADMIN_BENCH_BLOCKS=2 IPVS_ADMIN_BENCH_SERVICES=200
#   IPVS_ADMIN_BENCH_STARTS=10 IPVS_ADMIN_BENCH_OUT=/var/tmp/admin-smoke.md bench/admin-run.sh
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

cpu=${IPVS_ADMIN_BENCH_CPU:-1}
timeout_s=${IPVS_ADMIN_BENCH_TIMEOUT:-3000}

# retry CMD...: once more after a failure (the machine is shared; a concurrent build can hold a
# file for a moment).
retry() { "$@" || { echo "admin-run: retrying: $*" >&2; sleep 5; "$@"; }; }

if [[ ${IPVS_ADMIN_BENCH_NOPUBLISH:-0} != 1 ]]; then
  echo "admin-run: publishing src/Ipvs.Admin (NativeAOT)" >&2
  retry dotnet publish src/Ipvs.Admin -c Release -r linux-x64 -p:PublishAot=true -nologo -v quiet >&2
  # For the attribution of (c): the lab's unit costs and the library's own read.
  echo "admin-run: building bench/Ipvs.Bench (Release)" >&2
  retry dotnet build bench/Ipvs.Bench/Ipvs.Bench.csproj -c Release -nologo -v quiet >&2
fi

# Facts only the host can see, recorded in the results.
host_cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
# shellcheck disable=SC2009 # pgrep cannot print the distinct uml_dir of each instance
other_labs=$(ps -eo args= | grep -o '^[^ ]*linux\.uml .*uml_dir=[^ ]*' | grep -o 'uml_dir=[^ ]*' | sort -u | wc -l || true)
IPVS_ADMIN_BENCH_CPU=$cpu
IPVS_ADMIN_BENCH_HOST_CPU=${host_cpu:-unknown}
IPVS_ADMIN_BENCH_HOST_CPUS=$(nproc)
IPVS_ADMIN_BENCH_HOST_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
IPVS_ADMIN_BENCH_OTHER_LABS=${other_labs:-0}
IPVS_ADMIN_BENCH_DOTNET=$(dotnet --version)
IPVS_ADMIN_BENCH_HOST_KERNEL=$(uname -r)
# The source measured: commit, and whether src/ had uncommitted changes at build time.
IPVS_ADMIN_BENCH_GIT="commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
if [[ -n $(git status --porcelain -- src 2>/dev/null) ]]; then
  IPVS_ADMIN_BENCH_GIT+=" + uncommitted changes in src/"
fi
export IPVS_ADMIN_BENCH_GIT IPVS_ADMIN_BENCH_CPU IPVS_ADMIN_BENCH_HOST_CPU IPVS_ADMIN_BENCH_HOST_CPUS \
  IPVS_ADMIN_BENCH_HOST_LOAD IPVS_ADMIN_BENCH_OTHER_LABS IPVS_ADMIN_BENCH_DOTNET IPVS_ADMIN_BENCH_HOST_KERNEL

if [[ ${other_labs:-0} != 0 ]]; then
  echo "admin-run: warning: ${other_labs} other kernel lab(s) (linux.uml) are running on this host; timings may be disturbed" >&2
fi

echo "admin-run: running bench/admin-bench.sh in the lab (CPU $cpu, timeout ${timeout_s}s)" >&2
exec lab/run --cpu "$cpu" --timeout "$timeout_s" -- bash bench/admin-bench.sh
