#!/usr/bin/env bash
# Runs the kernel tests inside the kernel lab (lab/run: a user-mode-linux 6.1 kernel with IPVS,
# the host's filesystem as root). Builds nothing; build first with
#   dotnet build tests/Ipvs.KernelTests -c Release
# Extra arguments go to the xunit v3 test executable, for example
#   tests/Ipvs.KernelTests/run-in-lab.sh -class Ipvs.KernelTests.ErrorTests
#   tests/Ipvs.KernelTests/run-in-lab.sh -method '*Batch*' -xml /var/tmp/kernel-tests.xml
# (write result files outside /tmp, which is private to the lab).
# Within a lab, tests run one at a time (xunit.runner.json): a lab has one CPU, and IPVS service
# dumps are not isolated between network namespaces. Without arguments, on a machine with two or
# more CPUs, the run is split over two labs (two kernels, so nothing is shared between them): one
# runs the daemon's traffic scenarios and the keepalived oracle (Ipvs.KernelTests.Daemon and
# .Keepalived, the slow ones), the other everything else. Their output is prefixed "[lab K]" and
# a combined xunit-style summary line ends it. KERNEL_TESTS_SHARDS=1 runs one lab, and so do
# arguments that choose tests (-class, -method, -namespace, -trait).
# Exit status: the test run's (0 only when every test passed); 124 if a lab timed out
# (KERNEL_TESTS_TIMEOUT seconds, default 1500); 125 if a lab failed.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dll=tests/Ipvs.KernelTests/bin/Release/net10.0/Ipvs.KernelTests.dll
cd "$root"
if [[ ! -f $dll ]]; then
  echo "run-in-lab.sh: $dll is missing; build it first: dotnet build tests/Ipvs.KernelTests -c Release" >&2
  exit 2
fi
timeout=${KERNEL_TESTS_TIMEOUT:-1500}
cpus=$(nproc 2>/dev/null || echo 1)
shards=${KERNEL_TESTS_SHARDS:-2}
# Arguments that choose tests mean one lab; others (-noColor, -xml FILE, …) go to both.
filtered=0
for a in "$@"; do
  case $a in -class* | -method* | -namespace* | -trait*) filtered=1 ;; esac
done
if ((filtered || shards <= 1 || cpus < 2)); then
  exec lab/run --timeout "$timeout" -- dotnet "$dll" "$@"
fi

slow=(Ipvs.KernelTests.Daemon Ipvs.KernelTests.Keepalived)
filters=()
filters[0]="$(printf -- '-namespace- %s ' "${slow[@]}")"
filters[1]="$(printf -- '-namespace %s ' "${slow[@]}")"
logs=$(mktemp -d /var/tmp/kernel-tests.XXXXXX)
trap 'rm -rf "$logs"' EXIT
# shellcheck source=../../lab/shards.sh
source lab/shards.sh
for k in 0 1; do
  # shellcheck disable=SC2086 # the filter is words on purpose
  lab_shard "$logs" "$k" lab/run --timeout "$timeout" -- dotnet "$dll" ${filters[$k]} "$@"
done
lab_shards_finish "$logs" 2 Ipvs.KernelTests
