#!/usr/bin/env bash
# Runs the kernel tests inside the kernel lab (lab/run: a user-mode-linux 6.1 kernel with IPVS,
# the host's filesystem as root). Builds nothing; build first with
#   dotnet build tests/Ipvs.KernelTests -c Release
# Extra arguments go to the xunit v3 test executable, for example
#   tests/Ipvs.KernelTests/run-in-lab.sh -class Ipvs.KernelTests.ErrorTests
#   tests/Ipvs.KernelTests/run-in-lab.sh -method '*Batch*' -xml /var/tmp/kernel-tests.xml
# (write result files outside /tmp, which is private to the lab).
# Tests run one at a time (xunit.runner.json): the lab has one CPU, so running them in parallel
# saves nothing, and IPVS service dumps are not isolated between network namespaces.
# Exit status: the test run's (0 only when every test passed); 124 if the lab timed out
# (KERNEL_TESTS_TIMEOUT seconds, default 900); 125 if the lab failed.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dll=tests/Ipvs.KernelTests/bin/Release/net10.0/Ipvs.KernelTests.dll
cd "$root"
if [[ ! -f $dll ]]; then
  echo "run-in-lab.sh: $dll is missing; build it first: dotnet build tests/Ipvs.KernelTests -c Release" >&2
  exit 2
fi
exec lab/run --timeout "${KERNEL_TESTS_TIMEOUT:-900}" -- dotnet "$dll" "$@"
