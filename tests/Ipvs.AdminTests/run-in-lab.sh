#!/usr/bin/env bash
# Runs the ipvsadm differential tests inside the kernel lab (a UML kernel with IPVS; see
# lab/README.md). Builds nothing: publish the binary under test and build the tests first:
#   dotnet publish src/Ipvs.Admin -c Release -r linux-x64 -p:PublishAot=true
#   dotnet build tests/Ipvs.AdminTests -c Release
#
# A UML kernel uses one CPU, and the differential run is bound by process start-up, so by
# default the run is split over one lab per CPU, at most ADMIN_DIFF_SHARDS (default 2): the
# first lab runs every test and its share of the differential run, the others only their
# share. Their output is prefixed "[lab K]" and a combined xunit-style summary line ends it.
# With arguments (passed to the xunit v3 executable, e.g. -method '*Differential*') or
# ADMIN_DIFF_SHARDS=1, a single lab runs.
#
# Environment (passed into the lab):
#   IPVSADM_UNDER_TEST   the binary to test (default: the publish output above)
#   ADMIN_DIFF_SEED      seed of the differential run (default: random, printed)
#   ADMIN_DIFF_COMMANDS  commands in the differential run, over all labs (default 2000)
#   ADMIN_DIFF_SHARDS    most labs to run at once (default 2)
#   ADMIN_TESTS_PIN=1    pin lab K to CPU K (faster on an otherwise idle machine, slower on a busy one)
# Exit status: 0 only when every test passed in every lab.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dll=tests/Ipvs.AdminTests/bin/Release/net10.0/Ipvs.AdminTests.dll
bin=${IPVSADM_UNDER_TEST:-src/Ipvs.Admin/bin/Release/net10.0/linux-x64/publish/ipvsadm}
cd "$root"
if [[ ! -f $dll ]]; then
  echo "run-in-lab.sh: $dll is missing; build it first: dotnet build tests/Ipvs.AdminTests -c Release" >&2
  exit 2
fi
if [[ ! -x $bin ]]; then
  echo "run-in-lab.sh: $bin is missing; publish it first: dotnet publish src/Ipvs.Admin -c Release -r linux-x64 -p:PublishAot=true" >&2
  exit 2
fi
IPVSADM_UNDER_TEST=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
export IPVSADM_UNDER_TEST
export LAB_PASS_ENV="${LAB_PASS_ENV:-} IPVSADM_UNDER_TEST ADMIN_DIFF_SEED ADMIN_DIFF_COMMANDS ADMIN_DIFF_SHARD"
timeout=${ADMIN_TESTS_TIMEOUT:-1200}
pin=${ADMIN_TESTS_PIN:-}
[[ $pin == 1 ]] || pin=""

cpus=$(nproc 2>/dev/null || echo 1)
shards=${ADMIN_DIFF_SHARDS:-2}
((shards > cpus)) && shards=$cpus
if (($# > 0 || shards <= 1)); then
  exec lab/run ${pin:+--cpu "$((cpus - 1))"} --timeout "$timeout" -- dotnet "$dll" "$@"
fi

: "${ADMIN_DIFF_SEED:=$((RANDOM * 32768 + RANDOM + 1))}"
export ADMIN_DIFF_SEED
logs=$(mktemp -d /var/tmp/admin-tests.XXXXXX)
trap 'rm -rf "$logs"' EXIT
pids=()
for ((k = 0; k < shards; k++)); do
  args=()
  ((k == 0)) || args=(-method '*Differential*')
  (
    set +e
    ADMIN_DIFF_SHARD="$k/$shards" lab/run ${pin:+--cpu "$k"} --timeout "$timeout" -- dotnet "$dll" "${args[@]}" 2>&1 |
      tee "$logs/lab$k.log" | awk -v p="[lab $k] " '{ print p $0; fflush() }'
    echo "${PIPESTATUS[0]}" >"$logs/lab$k.status"
  ) &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || true; done

status=0
t=0 e=0 f=0 s=0 n=0
for ((k = 0; k < shards; k++)); do
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
echo "=== ALL LABS ($shards) ==="
echo "   Ipvs.AdminTests  Total: $t, Errors: $e, Failed: $f, Skipped: $s, Not Run: $n"
exit "$status"
