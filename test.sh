#!/usr/bin/env bash
# All tests: build (warnings are errors), host unit tests, then the kernel-lab tests against a
# real Linux 6.1 kernel with IPVS (user-mode-linux; installed by lab/run when missing), then the
# README's main job as a smoke test. Fails if any test fails, if any kernel test is skipped, or if
# the lab cannot boot. Ends with one line "tests: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

passed=0
failed=0
status=0
log=$(mktemp -d /var/tmp/ipvs-test.XXXXXX)
trap 'rm -rf "$log"' EXIT

step() { printf '\n=== %s\n' "$*"; }

# Reads xunit v3's "Total: N, Errors: E, Failed: F, Skipped: S, Not Run: R" summary line.
tally() { # name logfile forbid-skips
  local line total errors fails skips notrun
  line=$(grep -Eo 'Total: [0-9]+, Errors: [0-9]+, Failed: [0-9]+, Skipped: [0-9]+(, Not Run: [0-9]+)?' "$2" | tail -n 1)
  if [ -z "$line" ]; then
    echo "test.sh: $1 printed no xunit summary: it did not run" >&2
    failed=$((failed + 1)); status=1; return
  fi
  read -r total errors fails skips notrun < <(echo "$line" | grep -Eo '[0-9]+' | tr '\n' ' '; echo)
  notrun=${notrun:-0}
  passed=$((passed + total - fails - skips - notrun))
  failed=$((failed + fails + errors))
  if [ "$3" = forbid-skips ] && [ $((skips + notrun)) -gt 0 ]; then
    echo "test.sh: $1 skipped $skips and did not run $notrun tests; kernel tests must never skip" >&2
    failed=$((failed + skips + notrun)); status=1
  fi
}

step "build (Release, warnings as errors)"
if ! dotnet build Ipvs.slnx -c Release --nologo -clp:ErrorsOnly; then
  echo "tests: 0 passed, 1 failed"
  exit 1
fi

step "packaging: the library package, a NativeAOT publish of a library consumer with zero warnings, the ipvs tool"
if dotnet pack src/Ipvs -c Release --no-build -o "$log/pack" --nologo -v quiet && ls "$log"/pack/Ipvs.*.nupkg >/dev/null; then
  passed=$((passed + 1))
else
  echo "test.sh: dotnet pack produced no package" >&2; failed=$((failed + 1)); status=1
fi
# The library must stay AOT- and trim-clean: any trim/AOT analysis warning fails this publish.
if dotnet publish examples/ThesisFig13 -c Release -r linux-x64 -p:PublishAot=true -p:TreatWarningsAsErrors=true \
     -o "$log/aot" --nologo -v quiet -clp:ErrorsOnly && [ -x "$log/aot/ThesisFig13" ]; then
  passed=$((passed + 1))
else
  echo "test.sh: the NativeAOT publish failed" >&2; failed=$((failed + 1)); status=1
fi

# The ipvs command as users get it: a dotnet tool package, installed, with the lab inside.
if dotnet pack src/Ipvs.Cli -c Release --no-build -o "$log/tool" --nologo -v quiet &&
   dotnet tool install --tool-path "$log/tools" --add-source "$log/tool" Ipvs.Cli >/dev/null &&
   "$log/tools/ipvs" --help | grep -q '^SYNOPSIS' && [ -f "$log"/tools/.store/ipvs.cli/*/ipvs.cli/*/tools/*/any/lab/run ]; then
  passed=$((passed + 1))
else
  echo "test.sh: the ipvs tool package did not pack, install or run" >&2; failed=$((failed + 1)); status=1
fi

step "unit tests (host)"
for t in Ipvs.Tests Ipvs.DesiredTests Ipvs.KeepalivedTests Ipvs.ScriptingTests Ipvs.CliTests Ipvs.ChecksTests Ipvs.DaemonTests; do
  dotnet "tests/$t/bin/Release/net10.0/$t.dll" -noColor 2>&1 | tee "$log/unit-$t.txt"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  tally "$t" "$log/unit-$t.txt" allow-skips
done

step "kernel tests (kernel lab: Linux 6.1 user-mode-linux with IPVS)"
bash tests/Ipvs.KernelTests/run-in-lab.sh -noColor 2>&1 | tee "$log/kernel.txt"
rc=${PIPESTATUS[0]}
[ "$rc" -eq 0 ] || status=1
if [ "$rc" -ge 124 ]; then
  echo "test.sh: the kernel lab failed to boot or timed out (exit $rc)" >&2
fi
tally "kernel tests" "$log/kernel.txt" forbid-skips

step "ipvsadm drop-in: NativeAOT publish, then differential tests against the real ipvsadm (kernel lab)"
if dotnet publish src/Ipvs.Admin -c Release -r linux-x64 -p:PublishAot=true --nologo -v quiet -clp:ErrorsOnly; then
  bash tests/Ipvs.AdminTests/run-in-lab.sh 2>&1 | tee "$log/admin.txt"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  tally "ipvsadm tests" "$log/admin.txt" forbid-skips
else
  echo "test.sh: the NativeAOT publish of ipvsadm failed" >&2; failed=$((failed + 1)); status=1
fi

step "main job smoke test (README command 1): ipvs run with traffic, a failure and a return"
if bash examples/web-farm.sh 2>&1 | tee "$log/main.txt" \
   && grep -Eq '^   rs1 out of rotation after [0-9]+ ms' "$log/main.txt" \
   && sed -n '/^== after:/,/^== the daemon said/p' "$log/main.txt" | grep -Eq '^   rs1 +[0-9]+ requests' \
   && ! grep -q 'FAILED' "$log/main.txt"; then
  passed=$((passed + 1))
else
  echo "test.sh: the main job (examples/web-farm.sh) did not show the failure and the return" >&2
  failed=$((failed + 1)); status=1
fi

echo
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ] || status=1
exit "$status"
