#!/usr/bin/env bash
# src/Ipvs.Admin/StartupOrder/generate.sh - regenerates startup.order, the order in which the
# NativeAOT compiler lays out the managed methods that ipvsadm's commands run (IlcOrderFile in
# Ipvs.Admin.csproj).
#
# Why: a command is a whole process, and in the kernel lab every first touch of a code page costs
# a page fault (~50 µs in user-mode Linux). Left to itself the compiler scatters the ~300 methods a
# command runs over ~100 pages of code; listed first, they fit in ~25 (measured: ~55 fewer page
# faults per command, bench/results/ipvsadm.md).
#
# How: publishes, then in the kernel lab runs each command below under gdb with a one-shot
# breakpoint on every managed method, and lists the methods hit, in order of first use over all
# commands (the thesis commands first). Needs gdb, nm and readelf; takes a few minutes. The order
# only affects layout: a stale list (methods renamed or gone) still builds and runs, it just
# places fewer methods well, so regenerate after larger changes to the start-up path.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
cd "$root"
for tool in gdb nm readelf; do
  command -v "$tool" >/dev/null || { echo "generate.sh: $tool is missing" >&2; exit 1; }
done

dotnet publish src/Ipvs.Admin -c Release -r linux-x64 -p:PublishAot=true -nologo -v quiet >&2
pub=src/Ipvs.Admin/bin/Release/net10.0/linux-x64/publish
# /var/tmp, not /tmp: the lab sees the host's files, but its /tmp is its own.
work=$(mktemp -d /var/tmp/ipvsadm-order.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp "$pub/ipvsadm" "$work/ipvsadm"

# The managed methods: functions of the __managedcode section, one name per address (identical
# bodies are folded into one).
read -r start size < <(readelf -S -W "$pub/ipvsadm.dbg" 2>/dev/null |
  awk '{ sub(/^.*\] /, "") } $1 == "__managedcode" { print $3, $5 }')
# nm and readelf print 16 zero-padded hex digits, so the range check can compare strings (the
# concatenations keep awk from comparing digit-only addresses as numbers).
end=$(printf '%016x' $((16#$start + 16#$size)))
nm -n "$pub/ipvsadm.dbg" | awk -v s="$start" -v e="$end" '
  ($2 == "t" || $2 == "T") && ($1 "") >= (s "") && ($1 "") < (e "") && !($1 in seen) { seen[$1] = 1; print $1, $3 }' >"$work/methods.txt"
echo "generate.sh: $(wc -l <"$work/methods.txt") managed methods" >&2

# gdb: stop at the first instruction, a one-shot breakpoint on every method, then log where each
# stop happens until the program ends (the failing 'continue' then ends the script).
{
  echo 'set pagination off'
  echo 'set confirm off'
  echo 'set breakpoint always-inserted on'
  echo 'starti'
  awk '{ print "tbreak *0x" $1 }' "$work/methods.txt"
  echo 'set logging file HITS'
  echo 'set logging overwrite on'
  echo 'set logging redirect on'
  echo 'set logging enabled on'
  echo 'while 1'
  echo '  continue'
  # shellcheck disable=SC2016 # $pc is gdb's
  printf '%s\n' '  printf "HIT %lx\n", $pc'
  echo 'end'
} >"$work/trace.gdb"

cat >"$work/run.sh" <<'LAB'
set -u
work=$1
ip netns add order
ip -n order link set lo up
trace() { # NAME ARGS...: one command under gdb; stdin from $work/stdin
  local name=$1
  shift
  sed "s|HITS|$work/hits-$name.log|" "$work/trace.gdb" >"$work/trace-$name.gdb"
  ip netns exec order gdb -batch -nx -x "$work/trace-$name.gdb" --args "$work/ipvsadm" "$@" \
    <"$work/stdin" >/dev/null 2>&1 || true
  echo "generate.sh: $name: $(grep -c '^HIT ' "$work/hits-$name.log") methods" >&2
}
: >"$work/stdin"
trace A -A -t 10.0.0.1:80 -s wrr
trace a -a -t 10.0.0.1:80 -r 192.168.0.1:80 -m -w 1
trace e -e -t 10.0.0.1:80 -r 192.168.0.1:80 -m -w 2
trace d -d -t 10.0.0.1:80 -r 192.168.0.1:80
trace D -D -t 10.0.0.1:80
trace v -v
for ((i = 1; i <= 30; i++)); do
  echo "-A -t 10.1.0.$i:80 -s wrr"
  echo "-a -t 10.1.0.$i:80 -r 172.16.0.$i:80 -m -w 1"
done >"$work/stdin"
trace R -R
: >"$work/stdin"
trace Ln -Ln
trace Sn -Sn
trace L -L
trace stats -Ln --stats
trace C -C
trace h -h
LAB
lab/run --timeout 1800 -- bash "$work/run.sh" "$work"

# Hits to names, in order of first use over the commands in the order they ran.
out=$here/startup.order
for name in A a e d D v R Ln Sn L stats C h; do
  grep '^HIT ' "$work/hits-$name.log" | awk '{ print $2 }'
done | awk 'NR == FNR { name[$1] = $2; next } { a = $1; sub(/^0+/, "", a); if (a in name && !(a in seen)) { seen[a] = 1; print name[a] } }' \
  <(awk '{ a = $1; sub(/^0+/, "", a); print a, $2 }' "$work/methods.txt") - >"$out.tmp"
mv "$out.tmp" "$out"
echo "generate.sh: $(wc -l <"$out") methods in $out" >&2
