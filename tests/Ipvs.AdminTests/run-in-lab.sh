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
# shellcheck source=../../lab/shards.sh
source lab/shards.sh
for ((k = 0; k < shards; k++)); do
  args=()
  ((k == 0)) || args=(-method '*Differential*')
  lab_shard "$logs" "$k" env ADMIN_DIFF_SHARD="$k/$shards" lab/run ${pin:+--cpu "$k"} --timeout "$timeout" -- dotnet "$dll" "${args[@]}"
done
lab_shards_finish "$logs" "$shards" Ipvs.AdminTests
