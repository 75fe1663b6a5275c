#!/usr/bin/env bash
# bench/run.sh - build the benchmark (Release, and a NativeAOT publish) and run bench/lab-bench.sh in the kernel lab,
# pinned to one host CPU. Results: bench/results/library.md (and raw outputs in bench/results/raw/).
#
# Environment (all optional; IPVS_* variables reach the lab through lab/run):
#   IPVS_BENCH_CPU=1          host CPU to pin the lab to
#   IPVS_BENCH_TIMEOUT=3000   lab timeout in seconds
#   IPVS_BENCH_N=1000         thesis iterations (each is 4 operations)
#   IPVS_BENCH_SERVICES=10000 IPVS_BENCH_DESTS=10   table size for (b) and (c)
#   IPVS_BENCH_READ_REPS=3    repetitions of each read in (c); the median is reported
#   IPVS_BENCH_TUNING=0       1 = also run batch-size / buffer experiments after the main table
#   IPVS_BENCH_OUT=bench/results/library.md
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

cpu=${IPVS_BENCH_CPU:-1}
timeout_s=${IPVS_BENCH_TIMEOUT:-3000}

echo "bench: building bench/Ipvs.Bench (Release)" >&2
dotnet build bench/Ipvs.Bench/Ipvs.Bench.csproj -c Release -nologo -v quiet >&2
echo "bench: publishing bench/Ipvs.Bench with NativeAOT (bin/aot)" >&2
dotnet publish bench/Ipvs.Bench/Ipvs.Bench.csproj -c Release -r linux-x64 -p:PublishAot=true \
  -o bench/Ipvs.Bench/bin/aot -nologo -v quiet -clp:ErrorsOnly >&2

# Facts only the host can see, recorded in the results.
host_cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
# shellcheck disable=SC2009 # pgrep cannot print the distinct uml_dir of each instance
# Other kernel labs on this host (each UML instance has many processes; count run directories).
other_labs=$(ps -eo args= | grep -o '^[^ ]*linux\.uml .*uml_dir=[^ ]*' | grep -o 'uml_dir=[^ ]*' | sort -u | wc -l || true)
IPVS_BENCH_CPU=$cpu
IPVS_BENCH_HOST_CPU=${host_cpu:-unknown}
IPVS_BENCH_HOST_CPUS=$(nproc)
IPVS_BENCH_HOST_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
IPVS_BENCH_OTHER_LABS=${other_labs:-0}
IPVS_BENCH_DOTNET=$(dotnet --version)
IPVS_BENCH_HOST_KERNEL=$(uname -r)
# The library source measured: commit, and whether src/ had uncommitted changes at build time.
IPVS_BENCH_GIT="commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
if [[ -n $(git status --porcelain -- src 2>/dev/null) ]]; then
  IPVS_BENCH_GIT+=" + uncommitted changes in src/"
fi
export IPVS_BENCH_GIT IPVS_BENCH_CPU IPVS_BENCH_HOST_CPU IPVS_BENCH_HOST_CPUS IPVS_BENCH_HOST_LOAD \
  IPVS_BENCH_OTHER_LABS IPVS_BENCH_DOTNET IPVS_BENCH_HOST_KERNEL

if [[ ${other_labs:-0} != 0 ]]; then
  echo "bench: warning: ${other_labs} other kernel lab(s) (linux.uml) are running on this host; timings may be disturbed" >&2
fi

echo "bench: running bench/lab-bench.sh in the lab (CPU $cpu, timeout ${timeout_s}s)" >&2
exec lab/run --cpu "$cpu" --timeout "$timeout_s" -- bash bench/lab-bench.sh
