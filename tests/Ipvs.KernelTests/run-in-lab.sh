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
pids=()
for k in 0 1; do
  (
    set +e
    # shellcheck disable=SC2086 # the filter is words on purpose
    lab/run --timeout "$timeout" -- dotnet "$dll" ${filters[$k]} "$@" 2>&1 |
      tee "$logs/lab$k.log" | awk -v p="[lab $k] " '{ print p $0; fflush() }'
    echo "${PIPESTATUS[0]}" >"$logs/lab$k.status"
  ) &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || true; done

status=0
t=0 e=0 f=0 s=0 n=0
for k in 0 1; do
  rc=$(cat "$logs/lab$k.status" 2>/dev/null || echo 125)
  ((rc == 0)) || status=$rc
  line=$(grep -Eo 'Total: [0-9]+, Errors: [0-9]+, Failed: [0-9]+, Skipped: [0-9]+(, Not Run: [0-9]+)?' "$logs/lab$k.log" | tail -n 1 || true)
  if [[ -z $line ]]; then
    echo "run-in-lab.sh: lab $k printed no xunit summary (exit $rc)" >&2
    ((status != 0)) || status=1
    e=$((e + 1))
    continue
  fi
  read -r lt le lf ls ln < <(echo "$line" | grep -Eo '[0-9]+' | tr '\n' ' '; echo)
  t=$((t + lt)) e=$((e + le)) f=$((f + lf)) s=$((s + ls)) n=$((n + ${ln:-0}))
done
echo "=== ALL LABS (2) ==="
echo "   Ipvs.KernelTests  Total: $t, Errors: $e, Failed: $f, Skipped: $s, Not Run: $n"
exit "$status"
