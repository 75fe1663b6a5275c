#!/usr/bin/env bash
# bench/admin-bench.sh - runs INSIDE the kernel lab (started by bench/admin-run.sh through lab/run).
#
# Our ipvsadm (src/Ipvs.Admin, NativeAOT) against the real one (/usr/sbin/ipvsadm 1.31), both as
# whole processes, in one lab boot, every variant in a fresh network namespace:
#   start-up: `ipvsadm -v` STARTS times each, alternating, median; peak RSS and page faults;
#   (a) thesis loop: N x (-A, -a, -d, -D) = 4N processes per side, from a bash loop inside the
#       netns (`ip netns exec` paid once per block, outside the timed span); the N iterations run in
#       BLOCKS blocks that alternate between the two sides, because other work on the host makes
#       the lab's speed drift and a side measured all at once would meet another machine;
#   (b) `ipvsadm -R` of S x (D + 1) lines (the generator of bench/lab-bench.sh), each side in a
#       fresh netns; ours RESTORE_REPS times (median), one before the real one and the rest after;
#   (c) `ipvsadm -Ln` of that table, output to a file on the guest's tmpfs (so that every timed
#       output is compared with cmp), READ_REPS times each, alternating, median.
# Then attribution for the reads: page faults, syscalls (strace, untimed), the lab's unit
# costs and the library's own in-process read (bench/Ipvs.Bench, when built).
# Writes the markdown report to $IPVS_ADMIN_BENCH_OUT (bench/results/ipvsadm.md) and prints it.
# Times are wall-clock, from bash's $EPOCHREALTIME (no extra process in the timed span).
# shellcheck disable=SC2016 # the single-quoted scripts expand inside the netns, on purpose
set -euo pipefail
export LC_ALL=C

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BENCH_NAME=admin-bench
# shellcheck source=bench/lib.sh
source bench/lib.sh

N=${IPVS_ADMIN_BENCH_N:-1000}
BLOCKS=${IPVS_ADMIN_BENCH_BLOCKS:-10}
S=${IPVS_ADMIN_BENCH_SERVICES:-10000}
D=${IPVS_ADMIN_BENCH_DESTS:-10}
STARTS=${IPVS_ADMIN_BENCH_STARTS:-200}
READ_REPS=${IPVS_ADMIN_BENCH_READ_REPS:-3}
RESTORE_REPS=${IPVS_ADMIN_BENCH_RESTORE_REPS:-3}
OUT=${IPVS_ADMIN_BENCH_OUT:-bench/results/ipvsadm.md}
OURS=${IPVS_ADMIN_BENCH_BIN:-src/Ipvs.Admin/bin/Release/net10.0/linux-x64/publish/ipvsadm}
REAL=/usr/sbin/ipvsadm
LIBBENCH=bench/Ipvs.Bench/bin/Release/net10.0/Ipvs.Bench
# The analysis written by hand from the investigation (start-up, and where (c)'s time goes),
# appended to the report as it is.
NOTES=${IPVS_ADMIN_BENCH_NOTES:-bench/ipvsadm-notes.md}
RAW=$(dirname "$OUT")/ipvsadm-raw # not raw/: bench/lab-bench.sh empties that one
SCRATCH=/tmp/ipvs-admin-bench     # guest tmpfs: rules, listings and traces stay off hostfs
TARGET_A=1.0                      # ours / real, at most
TARGET_B=30                       # real / ours, at least
TARGET_C=3                        # real / ours, at least

log() { printf 'admin-bench: %s\n' "$*" >&2; }
[[ -x $OURS ]] || { log "$OURS is missing; run bench/admin-run.sh (it publishes first)"; exit 1; }
[[ -x $REAL ]] || { log "$REAL is missing"; exit 1; }
OURS=$(cd "$(dirname "$OURS")" && pwd)/$(basename "$OURS")
((N % BLOCKS == 0)) || { log "N ($N) must be a multiple of BLOCKS ($BLOCKS)"; exit 1; }
mkdir -p "$RAW" "$SCRATCH" "$(dirname "$OUT")"
rm -f "$RAW"/*.txt
have_time=0 have_strace=0 have_lib=0
[[ -x /usr/bin/time ]] && have_time=1
command -v strace >/dev/null && have_strace=1
[[ -x $LIBBENCH ]] && have_lib=1

# in_ns NS SCRIPT [ARGS...]: a bash script inside NS (ip netns exec paid here, once).
in_ns() {
  local ns=$1 script=$2
  shift 2
  ip netns exec "$ns" bash -c "set -e; $script" _ "$@"
}
# timed NS NAME SCRIPT [ARGS...]: SCRIPT sets t0 and t1 from $EPOCHREALTIME around what it
# measures; the seconds between them are printed and kept in $RAW/NAME.txt.
timed() {
  local ns=$1 name=$2 script=$3 out t0 t1
  shift 3
  out=$(in_ns "$ns" "$script"'
    echo "$t0 $t1"' "$@")
  read -r t0 t1 <<<"$out"
  echo "s=$(sub "$t0" "$t1")" >"$RAW/$name.txt"
  value s "$RAW/$name.txt"
}
# rusage NS OUTFILE CMD...: /usr/bin/time's figures for one run: elapsed s, user s, sys s, peak
# RSS KiB, minor and major page faults, as key=value lines.
rusage() {
  local ns=$1 out=$2
  shift 2
  ip netns exec "$ns" /usr/bin/time -o "$SCRATCH/rusage" -f 'e=%e u=%U s=%S rss=%M minflt=%R majflt=%F' "$@" >/dev/null 2>&1 || true
  tr ' ' '\n' <"$SCRATCH/rusage" | tail -n 6 >"$out"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 <= b + 0) }'; }
met_le() { if le "$1" "$2"; then echo "yes"; else echo "**no**"; fi; }

started=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
kernel=$(uname -r)
real_version=$($REAL --version 2>&1 | head -n 1)
guest_mem=$(awk '/MemTotal/ { printf "%.0f MiB", $2 / 1024 }' /proc/meminfo)
ours_size=$(stat -c %s "$OURS")
ours_type=$(od -An -t u2 -j 16 -N 2 "$OURS" | tr -d ' ') # ELF e_type: 2 = EXEC (no PIE), 3 = DYN (PIE)
case $ours_type in 2) ours_type="non-PIE executable" ;; 3) ours_type="PIE" ;; *) ours_type="ELF type $ours_type" ;; esac
log "kernel $kernel; N=$N in $BLOCKS blocks, S=$S D=$D, $STARTS starts, read reps $READ_REPS, restore reps $RESTORE_REPS"

# Warm-up, not measured: both binaries and their libraries into the guest's page cache (hostfs
# reads are slow the first time), and the ip_vs per-netns set-up path once.
fresh_ns warmup
ip netns exec warmup "$REAL" -Ln >/dev/null
ip netns exec warmup "$OURS" -Ln >/dev/null
if ((have_lib)); then "$LIBBENCH" costs >"$RAW/costs-start.txt"; fi

# ------------------------------------------------------------------ start-up
log "start-up: ipvsadm -v, $STARTS times each, alternating"
fresh_ns st
in_ns st '
  n=$1 real=$2 ours=$3 out=$4
  : >"$out/v-real.us"; : >"$out/v-ours.us"
  for ((i = 0; i < n; i++)); do
    t0=$EPOCHREALTIME; "$real" -v >/dev/null; t1=$EPOCHREALTIME
    echo $((${t1/./} - ${t0/./})) >>"$out/v-real.us"
    t0=$EPOCHREALTIME; "$ours" -v >/dev/null; t1=$EPOCHREALTIME
    echo $((${t1/./} - ${t0/./})) >>"$out/v-ours.us"
  done' "$STARTS" "$REAL" "$OURS" "$SCRATCH"
cp "$SCRATCH"/v-*.us "$RAW/"
mapfile -t v_real <"$SCRATCH/v-real.us"
mapfile -t v_ours <"$SCRATCH/v-ours.us"
st_real=$(awk -v a="$(median "${v_real[@]}")" 'BEGIN { printf "%.2f", a / 1000 }')
st_ours=$(awk -v a="$(median "${v_ours[@]}")" 'BEGIN { printf "%.2f", a / 1000 }')
# Peak RSS and page faults: the median of 11 runs each (they hardly vary).
rss_real=n/a rss_ours=n/a flt_real=n/a flt_ours=n/a
if ((have_time)); then
  r_rss=() o_rss=() r_flt=() o_flt=()
  for ((i = 0; i < 11; i++)); do
    rusage st "$SCRATCH/ru" "$REAL" -v
    r_rss+=("$(value rss "$SCRATCH/ru")") r_flt+=("$(($(value minflt "$SCRATCH/ru") + $(value majflt "$SCRATCH/ru")))")
    rusage st "$SCRATCH/ru" "$OURS" -v
    o_rss+=("$(value rss "$SCRATCH/ru")") o_flt+=("$(($(value minflt "$SCRATCH/ru") + $(value majflt "$SCRATCH/ru")))")
  done
  rss_real=$(median "${r_rss[@]}") rss_ours=$(median "${o_rss[@]}")
  flt_real=$(median "${r_flt[@]}") flt_ours=$(median "${o_flt[@]}")
fi
log "start-up: real ${st_real} ms, ours ${st_ours} ms; peak RSS ${rss_real} / ${rss_ours} KiB; page faults ${flt_real} / ${flt_ours}"

# -------------------------------------------------------------- (a) thesis
THESIS='
  b=$1 n=$2; t0=$EPOCHREALTIME
  for ((i = 0; i < n; i++)); do
    "$b" -A -t 10.0.0.1:80 -s wrr
    "$b" -a -t 10.0.0.1:80 -r 192.168.0.1:80 -m -w 1
    "$b" -d -t 10.0.0.1:80 -r 192.168.0.1:80
    "$b" -D -t 10.0.0.1:80
  done
  t1=$EPOCHREALTIME'
log "(a) thesis: $N x 4 commands per side ($((4 * N)) processes), in $BLOCKS alternating blocks"
fresh_ns a-real
fresh_ns a-ours
per=$((N / BLOCKS))
a_real=0 a_ours=0 a_real_blocks="" a_ours_blocks=""
for ((k = 1; k <= BLOCKS; k++)); do
  # Alternate which side goes first, so that neither always follows the other.
  if ((k % 2)); then order="real ours"; else order="ours real"; fi
  for side in $order; do
    if [[ $side == real ]]; then
      t=$(timed a-real "a-real-$k" "$THESIS" "$REAL" "$per")
      a_real=$(awk -v a="$a_real" -v b="$t" 'BEGIN { printf "%.6f", a + b }') a_real_blocks+="$(fmt "$t") "
    else
      t=$(timed a-ours "a-ours-$k" "$THESIS" "$OURS" "$per")
      a_ours=$(awk -v a="$a_ours" -v b="$t" 'BEGIN { printf "%.6f", a + b }') a_ours_blocks+="$(fmt "$t") "
    fi
  done
  log "(a) block $k/$BLOCKS: real total ${a_real}s, ours total ${a_ours}s"
done
for ns in a-real a-ours; do
  [[ -z $(ip netns exec "$ns" "$REAL" -Sn) ]] || { log "(a) $ns: services left behind"; exit 1; }
done
a_ratio=$(ratio "$a_ours" "$a_real")

# -------------------------------------------------------------- (b) restore
RULES=$SCRATCH/rules.txt
rules_file "$S" "$D" "$RULES"
rules=$(wc -l <"$RULES")
expected=$((S * (D + 1)))
[[ $rules == "$expected" ]] || { log "the rules file has $rules lines, not $expected"; exit 1; }
RESTORE='b=$1 rules=$2; t0=$EPOCHREALTIME; "$b" -R <"$rules"; t1=$EPOCHREALTIME'
# restore SIDE NAME: a fresh netns NAME, the timed restore, then the table's -Sn (by the real
# ipvsadm, for both sides) kept for comparison.
restore() {
  local side=$1 name=$2 bin t lines
  bin=$REAL
  [[ $side == ours ]] && bin=$OURS
  fresh_ns "$name"
  t=$(timed "$name" "$name" "$RESTORE" "$bin" "$RULES")
  ip netns exec "$name" "$REAL" -Sn >"$SCRATCH/$name.sn"
  lines=$(wc -l <"$SCRATCH/$name.sn")
  echo "sn_lines=$lines" >>"$RAW/$name.txt"
  log "(b) $name: ${t}s, ipvsadm -Sn: $lines lines"
}
log "(b) ipvsadm -R of the $rules-line file"
restore ours b-ours-1
drop_table b-ours-1
restore real b-real
drop_table b-real
b_names=(b-ours-1)
for ((r = 2; r <= RESTORE_REPS; r++)); do
  restore ours "b-ours-$r"
  b_names+=("b-ours-$r")
  if ((r != RESTORE_REPS)); then drop_table "b-ours-$r"; fi
done
TABLE=${b_names[-1]}
if ((RESTORE_REPS == 1)); then
  # The first table was dropped for the real run; (c) needs one.
  restore ours b-ours-table
  TABLE=b-ours-table
fi
b_real=$(value s "$RAW/b-real.txt")
b_values=()
for n in "${b_names[@]}"; do b_values+=("$(value s "$RAW/$n.txt")"); done
b_ours=$(median "${b_values[@]}")
b_ratio=$(div "$b_real" "$b_ours")
b_real_lines=$(value sn_lines "$RAW/b-real.txt")
same_tables=0
for n in "${b_names[@]}"; do
  if cmp -s "$SCRATCH/b-real.sn" "$SCRATCH/$n.sn"; then same_tables=$((same_tables + 1)); fi
done

# ------------------------------------------------------------------ (c) read
LIST='b=$1 out=$2; t0=$EPOCHREALTIME; "$b" -Ln >"$out"; t1=$EPOCHREALTIME'
log "(c) ipvsadm -Ln of the table in $TABLE, $READ_REPS times each, alternating"
c_real_v=() c_ours_v=() same_text=0
for ((r = 1; r <= READ_REPS; r++)); do
  if ((r % 2)); then order="real ours"; else order="ours real"; fi
  for side in $order; do
    bin=$REAL
    [[ $side == ours ]] && bin=$OURS
    t=$(timed "$TABLE" "c-$side-$r" "$LIST" "$bin" "$SCRATCH/c-$side-$r.txt")
    if [[ $side == real ]]; then c_real_v+=("$t"); else c_ours_v+=("$t"); fi
  done
  log "(c) rep $r: real ${c_real_v[-1]}s, ours ${c_ours_v[-1]}s"
done
for ((r = 1; r <= READ_REPS; r++)); do
  if cmp -s "$SCRATCH/c-real-1.txt" "$SCRATCH/c-real-$r.txt" && cmp -s "$SCRATCH/c-real-1.txt" "$SCRATCH/c-ours-$r.txt"; then
    same_text=$((same_text + 1))
  fi
done
c_lines=$(wc -l <"$SCRATCH/c-real-1.txt")
c_bytes=$(wc -c <"$SCRATCH/c-real-1.txt")
c_real=$(median "${c_real_v[@]}")
c_ours=$(median "${c_ours_v[@]}")
c_ratio=$(div "$c_real" "$c_ours")

# ---------------------------------------------------- attribution (untimed)
# Page faults and peak RSS of one more run each (/usr/bin/time; its user/system split means little
# in user-mode Linux, which books the guest kernel's work to user time), syscalls (strace -f -c), and the
# library's own read of the same table in one process (Ipvs.Bench read: GetInfo + GetTable,
# without ipvsadm's sorting and text).
log "attribution runs (untimed)"
declare -A ru=()
for what in c-real c-ours b-ours; do
  for k in e u s rss minflt majflt; do ru[$what.$k]=n/a; done
done
if ((have_time)); then
  rusage "$TABLE" "$RAW/ru-c-real.txt" "$REAL" -Ln
  rusage "$TABLE" "$RAW/ru-c-ours.txt" "$OURS" -Ln
  for what in c-real c-ours; do
    for k in e u s rss minflt majflt; do ru[$what.$k]=$(value "$k" "$RAW/ru-$what.txt"); done
  done
fi
# strace_count FILE NS CMD...: syscall counts of CMD (and its threads): total and netlink I/O.
strace_count() {
  local out=$1 ns=$2
  shift 2
  ip netns exec "$ns" strace -f -c -o "$SCRATCH/strace" "$@" >/dev/null 2>&1 || true
  awk '$1 ~ /^[0-9.]+$/ && NF >= 5 {
      if ($NF == "total") total = $4
      else if ($NF ~ /^(sendto|sendmsg|sendmmsg|recvfrom|recvmsg|recvmmsg)$/) netlink += $4
    }
    END { printf "sys_total=%d\nsys_netlink=%d\n", total, netlink }' "$SCRATCH/strace" >"$out"
}
sys_c_real=n/a sys_c_ours=n/a nl_c_real=n/a nl_c_ours=n/a sys_v_real=n/a sys_v_ours=n/a
if ((have_strace)); then
  strace_count "$RAW/strace-c-real.txt" "$TABLE" "$REAL" -Ln
  strace_count "$RAW/strace-c-ours.txt" "$TABLE" "$OURS" -Ln
  strace_count "$RAW/strace-v-real.txt" st "$REAL" -v
  strace_count "$RAW/strace-v-ours.txt" st "$OURS" -v
  sys_c_real=$(value sys_total "$RAW/strace-c-real.txt") nl_c_real=$(value sys_netlink "$RAW/strace-c-real.txt")
  sys_c_ours=$(value sys_total "$RAW/strace-c-ours.txt") nl_c_ours=$(value sys_netlink "$RAW/strace-c-ours.txt")
  sys_v_real=$(value sys_total "$RAW/strace-v-real.txt") sys_v_ours=$(value sys_total "$RAW/strace-v-ours.txt")
fi
lib_read=n/a sc_us=n/a pf_us=n/a
if ((have_lib)); then
  lib_reads=()
  for ((r = 1; r <= READ_REPS; r++)); do
    "$LIBBENCH" read "$TABLE" /dev/null >"$RAW/lib-read-$r.txt"
    lib_reads+=("$(value read_s "$RAW/lib-read-$r.txt")")
  done
  lib_read=$(median "${lib_reads[@]}")
  "$LIBBENCH" costs >"$RAW/costs-end.txt"
  sc_us=$(awk -v a="$(value syscall_us "$RAW/costs-start.txt")" -v b="$(value syscall_us "$RAW/costs-end.txt")" 'BEGIN { printf "%.1f", (a + b) / 2 }')
  pf_us=$(awk -v a="$(value page_fault_us "$RAW/costs-start.txt")" -v b="$(value page_fault_us "$RAW/costs-end.txt")" 'BEGIN { printf "%.1f", (a + b) / 2 }')
fi
# est COUNT US: COUNT x US microseconds, in seconds
est() { awk -v n="$1" -v us="$2" 'BEGIN { if (n == "n/a" || us == "n/a") print "n/a"; else printf "%.3f", n * us / 1e6 }'; }
faults() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "n/a") print "n/a"; else print a + b }'; }
flt_c_real=$(faults "${ru[c-real.minflt]}" "${ru[c-real.majflt]}")
flt_c_ours=$(faults "${ru[c-ours.minflt]}" "${ru[c-ours.majflt]}")

# ---------------------------------------------------------------- report
{
  cat <<EOF
# Our ipvsadm vs the real ipvsadm

Generated by \`bench/admin-run.sh\` (bench/admin-bench.sh) from the figures measured in one lab boot; do not edit by hand.

- date: $started
- kernel (lab): $kernel, user-mode Linux, 1 guest CPU, $guest_mem; host kernel ${IPVS_ADMIN_BENCH_HOST_KERNEL:-?}
- CPU pinning: lab pinned to host CPU ${IPVS_ADMIN_BENCH_CPU:-none} (\`lab/run --cpu\`) of ${IPVS_ADMIN_BENCH_HOST_CPUS:-?} (${IPVS_ADMIN_BENCH_HOST_CPU:-?})
- host load average at start: ${IPVS_ADMIN_BENCH_HOST_LOAD:-?}; other kernel labs running on the host at start: ${IPVS_ADMIN_BENCH_OTHER_LABS:-?}
- source: ${IPVS_ADMIN_BENCH_GIT:-?}; .NET SDK ${IPVS_ADMIN_BENCH_DOTNET:-?}
- real: \`$REAL\` ($real_version), Debian's build
- ours: \`src/Ipvs.Admin\` published with NativeAOT (\`dotnet publish src/Ipvs.Admin -c Release -r linux-x64 -p:PublishAot=true\`), $ours_size bytes, $ours_type
- both sides run from the host's filesystem (hostfs), each variant in a fresh network namespace with \`lo\` up; only ratios within this run mean anything

| measurement | real ipvsadm | ours | measured | target | met |
|---|---:|---:|---:|---:|:---:|
| (a) thesis: $N x (\`-A -t 10.0.0.1:80 -s wrr\`, \`-a … -r 192.168.0.1:80 -m -w 1\`, \`-d …\`, \`-D …\`) = $((4 * N)) processes per side, bash loop inside the netns, $BLOCKS alternating blocks (s) | $(fmt "$a_real") | $(fmt "$a_ours") | ours/real **${a_ratio}x** | ≤ ${TARGET_A}x | $(met_le "$a_ratio" $TARGET_A) |
| (b) \`ipvsadm -R\` of $rules lines ($S services x $D destinations + service lines), whole process (s) | $(fmt "$b_real") | $(fmt "$b_ours") | real/ours **${b_ratio}x** | ≥ ${TARGET_B}x | $(met "$b_ratio" $TARGET_B) |
| (c) \`ipvsadm -Ln\` of that table, output to a file on the guest's tmpfs ($c_lines lines, $c_bytes bytes), whole process (s) | $(fmt "$c_real") | $(fmt "$c_ours") | real/ours **${c_ratio}x** | ≥ ${TARGET_C}x | $(met "$c_ratio" $TARGET_C) |
| start-up: \`ipvsadm -v\` (opens IPVS: socket, family lookup, GET_INFO), median of $STARTS alternating runs (ms) | $st_real | $st_ours | ours/real $(ratio "$st_ours" "$st_real")x | | |
| start-up: peak RSS of \`ipvsadm -v\` (KiB, /usr/bin/time, median of 11) | $rss_real | $rss_ours | ours/real $(ratio "$rss_ours" "$rss_real")x | | |
| start-up: page faults (minor + major) of \`ipvsadm -v\` (median of 11) | $flt_real | $flt_ours | ours/real $(ratio "$flt_ours" "$flt_real")x | | |

## Details

| figure | value |
|---|---:|
| (a) real: per process (ms) | $(awk -v a="$a_real" -v n="$((4 * N))" 'BEGIN { printf "%.2f", a / n * 1000 }') |
| (a) ours: per process (ms) | $(awk -v a="$a_ours" -v n="$((4 * N))" 'BEGIN { printf "%.2f", a / n * 1000 }') |
| (a) real, every block of $per iterations (s) | ${a_real_blocks% } |
| (a) ours, every block of $per iterations (s) | ${a_ours_blocks% } |
| (b) ours, every run (s) | $(for n in "${b_names[@]}"; do printf '%s ' "$(fmt "$(value s "$RAW/$n.txt")")"; done) |
| (b) \`ipvsadm -Sn \| wc -l\` of the real side's table | $b_real_lines |
| (b) \`ipvsadm -Sn \| wc -l\` of each table ours built | $(for n in "${b_names[@]}"; do printf '%s ' "$(value sn_lines "$RAW/$n.txt")"; done) |
| (b) tables built by ours whose \`ipvsadm -Sn\` is identical to the real side's | $same_tables of ${#b_names[@]} |
| (c) real, every run (s) | $(for v in "${c_real_v[@]}"; do printf '%s ' "$(fmt "$v")"; done) |
| (c) ours, every run (s) | $(for v in "${c_ours_v[@]}"; do printf '%s ' "$(fmt "$v")"; done) |
| (c) timed outputs of ours (and of the real one) identical to the real one's first, by cmp | $same_text of $READ_REPS |

## Where the time of (c) goes (attribution, separate untimed runs)

| figure | real | ours |
|---|---:|---:|
| whole process, elapsed (s; /usr/bin/time) | ${ru[c-real.e]} | ${ru[c-ours.e]} |
| page faults (minor + major) | $flt_c_real | $flt_c_ours |
| ... x the lab's page-fault cost (s) | $(est "$flt_c_real" "$pf_us") | $(est "$flt_c_ours" "$pf_us") |
| peak RSS (KiB) | ${ru[c-real.rss]} | ${ru[c-ours.rss]} |
| syscalls (strace -f -c) | $sys_c_real | $sys_c_ours |
| ... of them netlink sends and receives | $nl_c_real | $nl_c_ours |
| ... x the lab's syscall cost (s) | $(est "$sys_c_real" "$sc_us") | $(est "$sys_c_ours" "$sc_us") |
| syscalls of \`ipvsadm -v\` (start-up alone) | $sys_v_real | $sys_v_ours |
| start-up (\`-v\` median, s) | $(awk -v a="$st_real" 'BEGIN { printf "%.3f", a / 1000 }') | $(awk -v a="$st_ours" 'BEGIN { printf "%.3f", a / 1000 }') |
| the library's own read of the table, in one process (Ipvs.Bench read: GetInfo + GetTable, no sorting or text; s, median of $READ_REPS) | | $lib_read |

The lab's unit costs (\`Ipvs.Bench costs\`, mean of the start and the end of the run): syscall $sc_us µs,
first touch of a fresh page $pf_us µs; on an ordinary kernel these are about 0.1 µs and 0.1-0.5 µs.
EOF
  if [[ -f $NOTES ]]; then
    echo
    cat "$NOTES"
  fi
  cat <<EOF

Raw figures of every run: $RAW/.
EOF
} >"$OUT.tmp"
mv -f "$OUT.tmp" "$OUT"
mkdir -p "$(dirname "$OUT")/history"
cp "$OUT" "$(dirname "$OUT")/history/$(basename "$OUT" .md)-$(date -u +%Y%m%d-%H%M%S).md"
cat "$OUT"

# Fail loudly if a table or a listing came out wrong.
if ((same_tables != ${#b_names[@]})); then
  log "only $same_tables of ${#b_names[@]} tables built by ours match the table the real ipvsadm -R built"
  exit 1
fi
if [[ $b_real_lines != "$expected" ]]; then
  log "the real ipvsadm -R built $b_real_lines entries, not $expected"
  exit 1
fi
if ((same_text != READ_REPS)); then
  log "only $same_text of $READ_REPS listings of ours are identical to the real one's"
  exit 1
fi
