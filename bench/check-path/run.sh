#!/usr/bin/env bash
# bench/check-path/run.sh - the HTTP check path on the host (real kernel): the old path (commit
# OLD, default 1328f59: SocketsHttpHandler, ITimer + channel + thread pool) and this tree's (the
# epoll check reactor) side by side in one run, A/B/A/B, against one local epoll responder
# (bench/daemon-scale/responder.c) answering on N addresses 127.1.x.y.
#   N=1000 WARMUP=10 WINDOW=20 STRACE=10 PORT=18080 OLD=1328f59 bench/check-path/run.sh
# Figures go to stdout (key=value per variant); README.md quotes a run.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
n=${N:-1000}; warmup=${WARMUP:-10}; window=${WINDOW:-20}; strace_s=${STRACE:-10}; port=${PORT:-18080}
old=${OLD:-1328f59}
work=${WORK:-/var/tmp/check-path-bench}
mkdir -p "$work"
cc -O2 -o "$work/responder" "$root/bench/daemon-scale/responder.c" -lm
rm -rf "$work/old-src" && mkdir -p "$work/old-src"
git -C "$root" archive "$old" Directory.Build.props global.json src | tar -x -C "$work/old-src"
dotnet build "$root/bench/check-path/CheckPath.csproj" -c Release --nologo -clp:ErrorsOnly -o "$work/new" || exit 1
# The same harness, built inside the old tree against its src/.
mkdir -p "$work/old-src/bench" && cp -r "$root/bench/check-path" "$work/old-src/bench/" && rm -rf "$work/old-src/bench/check-path/obj" "$work/old-src/bench/check-path/bin"
dotnet build "$work/old-src/bench/check-path/CheckPath.csproj" -c Release --nologo -clp:ErrorsOnly -o "$work/old" || exit 1
: >"$work/addresses.txt"
for ((i = 0; i < n; i++)); do echo "127.1.$((i / 250)).$((1 + i % 250))" >>"$work/addresses.txt"; done
"$work/responder" serve "$work/addresses.txt" "$port" "$work/requests.log" >"$work/responder.out" 2>&1 &
responder=$!
trap 'kill $responder 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q '^listening=' "$work/responder.out" 2>/dev/null && break; sleep 0.1; done
for variant in old new old new; do
  echo "== $variant (N=$n, window ${window}s)"
  dotnet "$work/$variant/CheckPath.dll" "$n" "$port" "$warmup" "$window" "$strace_s"
done
