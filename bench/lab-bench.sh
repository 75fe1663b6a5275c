#!/usr/bin/env bash
# bench/lab-bench.sh - runs INSIDE the kernel lab (started by bench/run.sh through lab/run).
#
# Measures the IPVS library against ipvsadm side by side, in one lab boot, every variant in a fresh
# network namespace (the destination trash list makes re-adds after deletes very slow):
#   (a) thesis loop: N x (add service, add destination, delete destination, delete service)
#       library single-op API in one process  vs  4N ipvsadm processes run by a bash loop that is
#       itself inside the netns (so `ip netns exec` is paid once, not 4N times);
#   (b) S services x D destinations: library ExecuteAsync of the rules file  vs  ipvsadm -R of it;
#   (c) full read of that table, read as ipvsadm -L reads it (the service list, then each
#       service's destinations, each formatted as it arrives) with the library's streaming calls
#       (DumpServicesAsync, DumpDestinationsAsync) and ipvsadm-style text, vs
#       ipvsadm -Ln --stats > /dev/null; each READ_REPS times, median. Twice: the bench program
#       as `dotnet build` makes it (JIT, .NET defaults), and published with NativeAOT and a 1 MB
#       gen0 budget, the configuration the ipvsadm drop-in ships (compiled code, as ipvsadm is).
#       GetTableAsync (the whole table as records in memory) is measured beside them.
# The library runs of (a) and (b) are repeated LIB_REPS times (median), one before the ipvsadm run
# and the rest after it, because other work on the host makes the lab's speed drift.
# Then an attribution section: the same library code against a fake kernel (no socket) and a
# replay of recorded kernel replies, plus what a syscall, a clock read and a page fault cost.
# Writes the markdown report to $IPVS_BENCH_OUT (bench/results/library.md) and prints it.
# Times are wall-clock seconds from bash's $EPOCHREALTIME (no extra process in the timed span)
# or from the bench program's Stopwatch (in-process figures).
# shellcheck disable=SC2016 # the single-quoted scripts expand inside the netns, on purpose
set -euo pipefail
export LC_ALL=C

cd "$(dirname "${BASH_SOURCE[0]}")/.."

N=${IPVS_BENCH_N:-1000}
S=${IPVS_BENCH_SERVICES:-10000}
D=${IPVS_BENCH_DESTS:-10}
REPS=${IPVS_BENCH_READ_REPS:-3}
LIB_REPS=${IPVS_BENCH_LIB_REPS:-3}
TUNING=${IPVS_BENCH_TUNING:-0}
OUT=${IPVS_BENCH_OUT:-bench/results/library.md}
BENCH=bench/Ipvs.Bench/bin/Release/net10.0/Ipvs.Bench
BENCH_AOT=bench/Ipvs.Bench/bin/aot/Ipvs.Bench
RAW=$(dirname "$OUT")/raw # next to the report, so a smoke test elsewhere leaves these alone
SCRATCH=/tmp/ipvs-bench # guest tmpfs: the rules file, text dumps and recordings stay off hostfs
TARGET_A=100
TARGET_B=50
TARGET_C=4

[[ -x $BENCH ]] || { echo "lab-bench: $BENCH is missing; run bench/run.sh (it builds first)" >&2; exit 1; }
[[ -x $BENCH_AOT ]] || { echo "lab-bench: $BENCH_AOT is missing; run bench/run.sh (it publishes it)" >&2; exit 1; }
command -v ipvsadm >/dev/null || { echo "lab-bench: ipvsadm is missing" >&2; exit 1; }
mkdir -p "$RAW" "$SCRATCH" "$(dirname "$OUT")"
rm -f "$RAW"/*.txt

log() { printf 'lab-bench: %s\n' "$*" >&2; }
# sub div mul fmt ge met value median fresh_ns drop_table rules_file
BENCH_NAME=lab-bench
# shellcheck source=bench/lib.sh
source bench/lib.sh
# mvalue KEY NAME...: the median of KEY over several raw files
mvalue() {
  local key=$1 n v=()
  shift
  for n in "$@"; do v+=("$(value "$key" "$RAW/$n.txt")"); done
  median "${v[@]}"
}
# allvalues KEY NAME...: every value, formatted, for the report; rawvalues: unformatted
allvalues() {
  local key=$1 n out=""
  shift
  for n in "$@"; do out+="$(fmt "$(value "$key" "$RAW/$n.txt")") "; done
  echo "${out% }"
}
rawvalues() {
  local key=$1 n out=""
  shift
  for n in "$@"; do out+="$(value "$key" "$RAW/$n.txt") "; done
  echo "${out% }"
}

# run_lib NAME ARGS...: the bench program as one whole process, timed from outside; its key=value
# output goes to $RAW/NAME.txt with proc_s (fork to exit, seen from bash) appended. run_aot: the
# same with the NativeAOT build.
run_lib() {
  local name=$1 t0 t1
  shift
  t0=$EPOCHREALTIME
  "${BENCH_PROGRAM:-$BENCH}" "$@" >"$SCRATCH/$name.txt"
  t1=$EPOCHREALTIME
  echo "proc_s=$(sub "$t0" "$t1")" >>"$SCRATCH/$name.txt"
  cp "$SCRATCH/$name.txt" "$RAW/$name.txt"
}

run_aot() { BENCH_PROGRAM=$BENCH_AOT run_lib "$@"; }

# in_ns_timed NS NAME SCRIPT [ARGS...]: runs a bash script inside NS; the script sets t0 and t1
# from $EPOCHREALTIME around what it measures; loop_s = t1 - t0 goes to $RAW/NAME.txt.
in_ns_timed() {
  local ns=$1 name=$2 script=$3
  shift 3
  ip netns exec "$ns" bash -c "set -e; $script"'
    echo "t0=$t0"; echo "t1=$t1"' _ "$@" >"$SCRATCH/$name.txt"
  echo "loop_s=$(sub "$(value t0 "$SCRATCH/$name.txt")" "$(value t1 "$SCRATCH/$name.txt")")" >>"$SCRATCH/$name.txt"
  cp "$SCRATCH/$name.txt" "$RAW/$name.txt"
}

started=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
kernel=$(uname -r)
ipvsadm_version=$(ipvsadm --version 2>&1 | head -n 1)
guest_cpus=$(nproc)
guest_mem=$(awk '/MemTotal/ { printf "%.0f MiB", $2 / 1024 }' /proc/meminfo)
log "kernel $kernel, $guest_cpus guest CPU(s), host CPU pin ${IPVS_BENCH_CPU:-none}; N=$N S=$S D=$D read reps=$REPS library reps=$LIB_REPS"

# Warm-up, not measured: both programs' files into the guest's page cache (hostfs reads are slow
# the first time), and the ip_vs per-netns setup path once.
fresh_ns warmup
ip netns exec warmup ipvsadm -Ln >/dev/null
"$BENCH" read warmup /dev/null >/dev/null
"$BENCH_AOT" read warmup /dev/null --stream 1 >/dev/null
"$BENCH" thesis 1 warmup >/dev/null
run_lib costs-start costs

# Library repetitions: rep 1 runs before the ipvsadm run, the others after it.
lib_first=(1)
lib_after=()
for ((r = 2; r <= LIB_REPS; r++)); do lib_after+=("$r"); done

# ---------------------------------------------------------------- (a) thesis
thesis_lib() {
  fresh_ns "a-lib-$1"
  run_lib "a-lib-$1" thesis "$N" "a-lib-$1"
  [[ -z $(ip netns exec "a-lib-$1" ipvsadm -Sn) ]] || { log "(a) the library left services behind"; exit 1; }
  log "(a) library rep $1: loop $(value loop_s "$RAW/a-lib-$1.txt")s, process $(value proc_s "$RAW/a-lib-$1.txt")s"
  # Attribution, right after under the same conditions: the same loop against a fake kernel.
  run_lib "f-thesis-$1" thesis "$N" none --fake 1
}
for r in "${lib_first[@]}"; do thesis_lib "$r"; done
log "(a) thesis: $N x 4 operations, ipvsadm ($((4 * N)) processes)"
fresh_ns a-ipvsadm
in_ns_timed a-ipvsadm a-ipvsadm '
  n=$1; t0=$EPOCHREALTIME
  for ((i = 0; i < n; i++)); do
    ipvsadm -A -t 10.0.0.1:80 -s wrr
    ipvsadm -a -t 10.0.0.1:80 -r 192.168.0.1:80 -m -w 1
    ipvsadm -d -t 10.0.0.1:80 -r 192.168.0.1:80
    ipvsadm -D -t 10.0.0.1:80
  done
  t1=$EPOCHREALTIME' "$N"
[[ -z $(ip netns exec a-ipvsadm ipvsadm -Sn) ]] || { log "(a) ipvsadm left services behind"; exit 1; }
a_ipvsadm=$(value loop_s "$RAW/a-ipvsadm.txt")
log "(a) ipvsadm: ${a_ipvsadm}s"
for r in "${lib_after[@]}"; do thesis_lib "$r"; done
a_names=()
for ((r = 1; r <= LIB_REPS; r++)); do a_names+=("a-lib-$r"); done
a_lib=$(mvalue loop_s "${a_names[@]}")
a_lib_proc=$(mvalue proc_s "${a_names[@]}")

# -------------------------------------------------------------- (b) restore
RULES=$SCRATCH/rules.txt
rules_file "$S" "$D" "$RULES"
rules=$(wc -l <"$RULES")
expected=$((S * (D + 1)))
[[ $rules == "$expected" ]] || { log "the rules file has $rules lines, not $expected"; exit 1; }

# The last library table is kept: (c) reads it.
restore_lib() {
  fresh_ns "b-lib-$1"
  run_lib "b-lib-$1" restore "b-lib-$1" "$RULES"
  ip netns exec "b-lib-$1" ipvsadm -Sn >"$SCRATCH/b-lib-$1.rules"
  echo "sn_lines=$(wc -l <"$SCRATCH/b-lib-$1.rules")" >>"$RAW/b-lib-$1.txt"
  log "(b) library rep $1: exec $(value exec_s "$RAW/b-lib-$1.txt")s (parse $(value build_s "$RAW/b-lib-$1.txt")s), process $(value proc_s "$RAW/b-lib-$1.txt")s, ipvsadm -Sn: $(value sn_lines "$RAW/b-lib-$1.txt") lines"
  run_lib "f-bulk-$1" bulk none "$S" "$D" --fake 1 --repeat 2
  if (($1 != LIB_REPS)); then drop_table "b-lib-$1"; fi
  # The same restore from the NativeAOT build, in its own fresh namespace.
  fresh_ns "b-aot-$1"
  run_aot "b-aot-$1" restore "b-aot-$1" "$RULES"
  ip netns exec "b-aot-$1" ipvsadm -Sn >"$SCRATCH/b-aot-$1.rules"
  log "(b) NativeAOT rep $1: exec $(value exec_s "$RAW/b-aot-$1.txt")s, process $(value proc_s "$RAW/b-aot-$1.txt")s"
  drop_table "b-aot-$1"
}
log "(b) $S x $D: library restore of the $rules-line file, and ipvsadm -R of it"
for r in "${lib_first[@]}"; do restore_lib "$r"; done
fresh_ns b-ipvsadm
in_ns_timed b-ipvsadm b-ipvsadm 't0=$EPOCHREALTIME; ipvsadm -R <"$1"; t1=$EPOCHREALTIME' "$RULES"
b_ipvsadm=$(value loop_s "$RAW/b-ipvsadm.txt")
ip netns exec b-ipvsadm ipvsadm -Sn >"$SCRATCH/b-ipvsadm.rules"
b_ipvsadm_lines=$(wc -l <"$SCRATCH/b-ipvsadm.rules")
# The library's own count of the table ipvsadm built.
run_lib count-b-ipvsadm read b-ipvsadm /dev/null
lib_entries_of_ipvsadm=$(value entries "$RAW/count-b-ipvsadm.txt")
log "(b) ipvsadm -R: ${b_ipvsadm}s; ipvsadm -Sn: $b_ipvsadm_lines lines; library count: $lib_entries_of_ipvsadm"
drop_table b-ipvsadm
for r in "${lib_after[@]}"; do restore_lib "$r"; done
b_names=()
for ((r = 1; r <= LIB_REPS; r++)); do b_names+=("b-lib-$r"); done
b_lib=$(mvalue exec_s "${b_names[@]}")
b_lib_build=$(mvalue build_s "${b_names[@]}")
b_lib_proc=$(mvalue proc_s "${b_names[@]}")
b_lib_lines=$(rawvalues sn_lines "${b_names[@]}")
b_aot_names=()
for ((r = 1; r <= LIB_REPS; r++)); do b_aot_names+=("b-aot-$r"); done
b_aot=$(mvalue exec_s "${b_aot_names[@]}")
b_aot_proc=$(mvalue proc_s "${b_aot_names[@]}")
# Did the library build exactly ipvsadm's table? (ipvsadm -Sn sorts, so the texts compare directly)
same_tables=0
for ((r = 1; r <= LIB_REPS; r++)); do
  if cmp -s "$SCRATCH/b-ipvsadm.rules" "$SCRATCH/b-lib-$r.rules"; then same_tables=$((same_tables + 1)); fi
  if cmp -s "$SCRATCH/b-ipvsadm.rules" "$SCRATCH/b-aot-$r.rules"; then same_tables=$((same_tables + 1)); fi
done
TABLE=b-lib-$LIB_REPS

# ------------------------------------------------------------------ (c) read
log "(c) full read of the table in $TABLE, $REPS times each, alternating"
# For attribution: the kernel's replies to one streaming read, replayed after each library read.
"$BENCH" read "$TABLE" none --stream 1 --record "$SCRATCH/replies.bin" >/dev/null
c_ipvsadm_names=() c_lib_names=() c_aot_names=() c_libr_names=() c_tab_names=() fr_names=() c_svc_names=()
for ((r = 1; r <= REPS; r++)); do
  in_ns_timed "$TABLE" "c-ipvsadm-$r" 't0=$EPOCHREALTIME; ipvsadm -Ln --stats >/dev/null; t1=$EPOCHREALTIME'
  run_lib "c-lib-$r" read "$TABLE" /dev/null --stream 1 --repeat 2
  run_aot "c-aot-$r" read "$TABLE" /dev/null --stream 1 --repeat 2
  run_lib "c-libr-$r" read "$TABLE" none --stream 1
  run_lib "c-tab-$r" read "$TABLE" /dev/null --repeat 2
  run_lib "f-read-$r" read none none --stream 1 --replay "$SCRATCH/replies.bin" --repeat 2
  run_lib "c-svc-$r" read "$TABLE" /dev/null --services-only 1
  c_ipvsadm_names+=("c-ipvsadm-$r")
  c_lib_names+=("c-lib-$r")
  c_aot_names+=("c-aot-$r")
  c_libr_names+=("c-libr-$r")
  c_tab_names+=("c-tab-$r")
  fr_names+=("f-read-$r")
  c_svc_names+=("c-svc-$r")
  log "(c) rep $r: ipvsadm $(value loop_s "$RAW/c-ipvsadm-$r.txt")s; library read+format $(value read_format_s "$RAW/c-lib-$r.txt")s (again in the same process $(value read_format_s_2 "$RAW/c-lib-$r.txt")s), NativeAOT $(value read_format_s "$RAW/c-aot-$r.txt")s, read alone $(value read_s "$RAW/c-libr-$r.txt")s, GetTableAsync+format $(value read_format_s "$RAW/c-tab-$r.txt")s"
done
c_ipvsadm=$(mvalue loop_s "${c_ipvsadm_names[@]}")
c_lib_read=$(mvalue read_s "${c_libr_names[@]}")
c_lib=$(mvalue read_format_s "${c_lib_names[@]}")
c_lib_warm=$(mvalue read_format_s_2 "${c_lib_names[@]}")
c_lib_proc=$(mvalue proc_s "${c_lib_names[@]}")
c_aot=$(mvalue read_format_s "${c_aot_names[@]}")
c_aot_warm=$(mvalue read_format_s_2 "${c_aot_names[@]}")
c_aot_proc=$(mvalue proc_s "${c_aot_names[@]}")
c_tab_read=$(mvalue read_s "${c_tab_names[@]}")
c_tab=$(mvalue read_format_s "${c_tab_names[@]}")
lib_entries=$(value entries "$RAW/c-lib-1.txt")
lib_services=$(value services "$RAW/c-lib-1.txt")
lib_dests=$(value destinations "$RAW/c-lib-1.txt")

# Same text as ipvsadm? (not timed)
ip netns exec "$TABLE" ipvsadm -Ln --stats >"$SCRATCH/ipvsadm-Ln-stats.txt"
# same_text FILE: how FILE compares with ipvsadm's text
same_text() {
  if cmp -s "$SCRATCH/ipvsadm-Ln-stats.txt" "$1"; then
    echo "identical ($(wc -l <"$1") lines)"
  else
    echo "**differs**: $(diff "$SCRATCH/ipvsadm-Ln-stats.txt" "$1" | grep -c '^[<>]') lines"
  fi
}
"$BENCH" read "$TABLE" "$SCRATCH/lib-Ln-stats.txt" --stream 1 >/dev/null
"$BENCH_AOT" read "$TABLE" "$SCRATCH/aot-Ln-stats.txt" --stream 1 >/dev/null
"$BENCH" read "$TABLE" "$SCRATCH/tab-Ln-stats.txt" >/dev/null
same_text="streaming (JIT) $(same_text "$SCRATCH/lib-Ln-stats.txt"); NativeAOT $(same_text "$SCRATCH/aot-Ln-stats.txt"); GetTableAsync $(same_text "$SCRATCH/tab-Ln-stats.txt")"
texts_same=$(for f in lib aot tab; do cmp -s "$SCRATCH/ipvsadm-Ln-stats.txt" "$SCRATCH/$f-Ln-stats.txt" && echo ok; done | wc -l)

# Attribution runs (made next to each library run above): the same library code with the kernel
# taken away. Thesis and bulk ran against a fake kernel that ACKs at once (no socket, no syscall
# but the library's own clock reads), the read against a replay of the kernel's recorded replies.
# real - fake = netlink syscalls + kernel work.
f_names=() fb_names=()
for ((r = 1; r <= LIB_REPS; r++)); do f_names+=("f-thesis-$r") fb_names+=("f-bulk-$r"); done

# ----------------------------------------------------- syscall counts (strace)
# Counted, not timed (strace makes every syscall far dearer): each side's syscalls per operation,
# and how many of the library's are netlink sends/receives and clock reads. The library's
# per-operation figures are differences against an empty run of the same subcommand, so process
# start-up is not counted.
# strace_count NAME NS CMD...: counts of CMD and its threads/children, run inside NS ("-": none).
strace_count() {
  local name=$1 ns=$2
  shift 2
  local -a pre=()
  [[ $ns == - ]] || pre=(ip netns exec "$ns")
  "${pre[@]}" strace -f -c -o "$SCRATCH/$name.strace" "$@" >/dev/null
  awk '$1 ~ /^[0-9.]+$/ && NF >= 5 {
      if ($NF == "total") total = $4
      else {
        if ($NF ~ /^(sendto|sendmsg|sendmmsg|recvfrom|recvmsg|recvmmsg)$/) netlink += $4
        if ($NF ~ /^(clock_gettime|gettimeofday|time)$/) clock += $4
      }
    }
    END { printf "sys_total=%d\nsys_netlink=%d\nsys_clock=%d\n", total, netlink, clock }' \
    "$SCRATCH/$name.strace" >"$RAW/$name.txt"
}
have_strace=0
if command -v strace >/dev/null; then
  have_strace=1
  SN=$((S < 1000 ? S : 1000)) # (b) is counted on the first SN services of the rules file
  SN_LINES=$((SN * (D + 1)))
  head -n "$SN_LINES" "$RULES" >"$SCRATCH/rules-small.txt"
  log "syscall counts (strace): thesis, restore of $SN_LINES operations, full read"
  fresh_ns s-a0 && strace_count s-lib-a0 - "$BENCH" thesis 0 s-a0
  fresh_ns s-a1 && strace_count s-lib-a1 - "$BENCH" thesis 100 s-a1
  fresh_ns s-ipvsadm-a
  strace_count s-ipvsadm-a s-ipvsadm-a bash -c 'ipvsadm -A -t 10.0.0.1:80 -s wrr; ipvsadm -a -t 10.0.0.1:80 -r 192.168.0.1:80 -m -w 1
    ipvsadm -d -t 10.0.0.1:80 -r 192.168.0.1:80; ipvsadm -D -t 10.0.0.1:80'
  fresh_ns s-b0 && strace_count s-lib-b0 - "$BENCH" restore s-b0 /dev/null
  fresh_ns s-b1 && strace_count s-lib-b1 - "$BENCH" restore s-b1 "$SCRATCH/rules-small.txt"
  drop_table s-b1
  fresh_ns s-ipvsadm-b
  strace_count s-ipvsadm-b s-ipvsadm-b sh -c 'exec ipvsadm -R <"$1"' _ "$SCRATCH/rules-small.txt"
  drop_table s-ipvsadm-b
  strace_count s-lib-c0 - "$BENCH" read s-a0 /dev/null --stream 1
  strace_count s-lib-c1 - "$BENCH" read "$TABLE" /dev/null --stream 1
  strace_count s-ipvsadm-c "$TABLE" ipvsadm -Ln --stats
fi
run_lib costs-end costs

# ------------------------------------------------------- optional: tuning runs
tuning_rows=""
if [[ $TUNING == 1 ]]; then
  drop_table "$TABLE"
  t=0
  for spec in "" "--max-per-send 64" "--max-per-send 256" "--max-per-send 4096" \
    "--sndbuf 262144 --rcvbuf 262144" "--sndbuf 16777216 --rcvbuf 16777216" \
    "--chunk 1024" "--chunk 8192"; do
    t=$((t + 1))
    fresh_ns "t-$t"
    # shellcheck disable=SC2086 # spec is a word list on purpose
    run_lib "tuning-$t" bulk "t-$t" "$S" "$D" $spec
    tuning_rows+="| \`bulk $S $D${spec:+ $spec}\` | $(fmt "$(value exec_s "$RAW/tuning-$t.txt")") | $(value ops_per_s "$RAW/tuning-$t.txt") | $(value exec_minflt "$RAW/tuning-$t.txt") | $(fmt "$(value proc_s "$RAW/tuning-$t.txt")") |"$'\n'
    log "tuning '${spec:-defaults}': exec $(value exec_s "$RAW/tuning-$t.txt")s"
    drop_table "t-$t"
  done
fi

# ---------------------------------------------------------------- report
a_ratio=$(div "$a_ipvsadm" "$a_lib") a_ratio_proc=$(div "$a_ipvsadm" "$a_lib_proc")
b_ratio=$(div "$b_ipvsadm" "$b_lib") b_ratio_proc=$(div "$b_ipvsadm" "$b_lib_proc")
b_ratio_aot=$(div "$b_ipvsadm" "$b_aot") b_ratio_aot_proc=$(div "$b_ipvsadm" "$b_aot_proc")
c_ratio=$(div "$c_ipvsadm" "$c_lib") c_ratio_proc=$(div "$c_ipvsadm" "$c_lib_proc")
c_ratio_read=$(div "$c_ipvsadm" "$c_lib_read") c_ratio_warm=$(div "$c_ipvsadm" "$c_lib_warm")
c_ratio_aot=$(div "$c_ipvsadm" "$c_aot") c_ratio_aot_proc=$(div "$c_ipvsadm" "$c_aot_proc")
c_ratio_aot_warm=$(div "$c_ipvsadm" "$c_aot_warm") c_ratio_tab=$(div "$c_ipvsadm" "$c_tab")
ops_a=$((4 * N))
ops_b=$(value ops "$RAW/b-lib-1.txt")

# Costs of the three things UML makes expensive, at the start and the end of the run.
sc0=$(value syscall_us "$RAW/costs-start.txt") sc1=$(value syscall_us "$RAW/costs-end.txt")
ck0=$(value clock_read_us "$RAW/costs-start.txt") ck1=$(value clock_read_us "$RAW/costs-end.txt")
pf0=$(value page_fault_us "$RAW/costs-start.txt") pf1=$(value page_fault_us "$RAW/costs-end.txt")
pf=$(awk -v a="$pf0" -v b="$pf1" 'BEGIN { printf "%.2f", (a + b) / 2 }')

# Attribution figures (medians).
fa=$(mvalue loop_s "${f_names[@]}")
fb=$(mvalue exec_s "${fb_names[@]}") fb2=$(mvalue exec_s_2 "${fb_names[@]}")
fr=$(mvalue read_s "${fr_names[@]}") fr2=$(mvalue read_s_2 "${fr_names[@]}")
a_flt=$(mvalue loop_minflt "${a_names[@]}")
b_flt=$(mvalue exec_minflt "${b_names[@]}")
c_flt=$(mvalue read_minflt "${c_libr_names[@]}")
a_jit=$(mvalue loop_jit_s "${a_names[@]}") a_gc=$(mvalue loop_gc_pause_s "${a_names[@]}")
b_jit=$(mvalue exec_jit_s "${b_names[@]}") b_gc=$(mvalue exec_gc_pause_s "${b_names[@]}")
c_jit=$(mvalue read_jit_s "${c_libr_names[@]}") c_gc=$(mvalue read_gc_pause_s "${c_libr_names[@]}")
# per_op KEY FULL EMPTY OPS [DECIMALS]: (FULL - EMPTY) / OPS for a strace count
per_op() {
  awk -v a="$(value "$1" "$RAW/$2.txt")" -v b="$(value "$1" "$RAW/$3.txt")" -v n="$4" -v d="${5:-1}" \
    'BEGIN { printf "%.*f", d, (a - b) / n }'
}
per_n() { awk -v a="$(value "$1" "$RAW/$2.txt")" -v n="$3" 'BEGIN { printf "%.1f", a / n }'; }
scaled() { awk -v p="$1" -v n="$2" 'BEGIN { printf "%.0f", p * n }'; }
if ((have_strace)); then
  # The library's netlink syscalls in each timed span, from the per-operation counts.
  a_nl=$(scaled "$(per_op sys_netlink s-lib-a1 s-lib-a0 400 3)" "$ops_a")
  b_nl=$(scaled "$(per_op sys_netlink s-lib-b1 s-lib-b0 "$SN_LINES" 6)" "$ops_b")
  c_nl=$(scaled "$(per_op sys_netlink s-lib-c1 s-lib-c0 "$S" 3)" "$S")
else
  a_nl=n/a b_nl=n/a c_nl=n/a
fi
secs_us() { awk -v n="$1" -v us="$2" 'BEGIN { if (n == "n/a") print "n/a"; else printf "%.3f", n * us / 1e6 }'; }
us_per() { awk -v t="$1" -v n="$2" 'BEGIN { if (n == "n/a" || n + 0 <= 0) print "n/a"; else printf "%.1f", t / n * 1e6 }'; }
share() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f%%", 100 * a / b; else print "n/a" }'; }
need() { awk -v a="$1" -v t="$2" 'BEGIN { printf "%.3f", a / t }'; }

{
  cat <<EOF
# IPVS library vs ipvsadm

Generated by \`bench/run.sh\` (bench/lab-bench.sh) from the figures measured in one lab boot; do not edit by hand.

- date: $started
- kernel (lab): $kernel, user-mode Linux, $guest_cpus guest CPU, $guest_mem; host kernel ${IPVS_BENCH_HOST_KERNEL:-?}
- CPU pinning: lab pinned to host CPU ${IPVS_BENCH_CPU:-none} (\`lab/run --cpu\`) of ${IPVS_BENCH_HOST_CPUS:-?} (${IPVS_BENCH_HOST_CPU:-?})
- host load average at start: ${IPVS_BENCH_HOST_LOAD:-?}; other kernel labs running on the host at start: ${IPVS_BENCH_OTHER_LABS:-?}
- source: ${IPVS_BENCH_GIT:-?}
- $ipvsadm_version; .NET SDK ${IPVS_BENCH_DOTNET:-?}, Release build, default runtime settings (tiered JIT, no ReadyToRun), workstation non-concurrent GC; the "NativeAOT" row: the same program published with NativeAOT and a 1 MB gen0 budget (\`GCGen0MaxBudget\`), as the ipvsadm drop-in ships
- every variant in a fresh network namespace with \`lo\` up, and alone in the kernel's (global) IPVS service table
- library figures are the median of $LIB_REPS runs (one before the ipvsadm run, the rest after); reads the median of $REPS alternating runs
- only the ratios mean anything: UML makes every syscall, clock read, page fault and process start expensive

| measurement | ipvsadm (s) | library in-process (s) | library whole process (s) | ratio in-process | ratio whole process | target | met in-process | met whole process |
|---|---:|---:|---:|---:|---:|---:|:---:|:---:|
| (a) thesis: $N x (add svc, add dest, del dest, del svc) = $ops_a ops; ipvsadm = $ops_a processes from a bash loop inside the netns; library = single-op API, one process | $(fmt "$a_ipvsadm") | $(fmt "$a_lib") | $(fmt "$a_lib_proc") | ${a_ratio}x | ${a_ratio_proc}x | ${TARGET_A}x | $(met "$a_ratio" $TARGET_A) | $(met "$a_ratio_proc" $TARGET_A) |
| (b) $S services x $D dests = $ops_b ops: \`ipvsadm -R\` of the $rules-line file vs library ExecuteAsync of the same file (parsed before the timed call) | $(fmt "$b_ipvsadm") | $(fmt "$b_lib") | $(fmt "$b_lib_proc") | ${b_ratio}x | ${b_ratio_proc}x | ${TARGET_B}x | $(met "$b_ratio" $TARGET_B) | $(met "$b_ratio_proc" $TARGET_B) |
| (b) the same restore, the bench program published with NativeAOT (1 MB gen0 budget) | $(fmt "$b_ipvsadm") | $(fmt "$b_aot") | $(fmt "$b_aot_proc") | ${b_ratio_aot}x | ${b_ratio_aot_proc}x | ${TARGET_B}x | $(met "$b_ratio_aot" $TARGET_B) | $(met "$b_ratio_aot_proc" $TARGET_B) |
| (c) full read of that table: \`ipvsadm -Ln --stats >/dev/null\` vs library GetInfoAsync + DumpServicesAsync + DumpDestinationsAsync per service, in ipvsadm's order, the same text to /dev/null as each service arrives (first read in a fresh process; JIT) | $(fmt "$c_ipvsadm") | $(fmt "$c_lib") | $(fmt "$c_lib_proc") | ${c_ratio}x | ${c_ratio_proc}x | ${TARGET_C}x | $(met "$c_ratio" $TARGET_C) | $(met "$c_ratio_proc" $TARGET_C) |
| (c) the same read, the bench program published with NativeAOT (1 MB gen0 budget) | $(fmt "$c_ipvsadm") | $(fmt "$c_aot") | $(fmt "$c_aot_proc") | ${c_ratio_aot}x | ${c_ratio_aot_proc}x | ${TARGET_C}x | $(met "$c_ratio_aot" $TARGET_C) | $(met "$c_ratio_aot_proc" $TARGET_C) |

Targets are on the in-process figure (the operation loop, the read); the whole-process column adds
.NET start-up and JIT, which ipvsadm, a small C program, does not pay.

## Details

| figure | value |
|---|---:|
| (a) library in-process loop, every run (s) | $(allvalues loop_s "${a_names[@]}") |
| (a) library whole process, every run (s) | $(allvalues proc_s "${a_names[@]}") |
| (a) library: open client (s) | $(fmt "$(value open_s "$RAW/a-lib-1.txt")") |
| (a) library: per operation, in-process (µs) | $(awk -v a="$a_lib" -v n="$ops_a" 'BEGIN { printf "%.1f", a / n * 1e6 }') |
| (a) ipvsadm: per process (ms) | $(awk -v a="$a_ipvsadm" -v n="$ops_a" 'BEGIN { printf "%.2f", a / n * 1e3 }') |
| (a) library: JIT time in the process (s) / methods | $(fmt "$(value jit_s "$RAW/a-lib-1.txt")") / $(value jit_methods "$RAW/a-lib-1.txt") |
| (a) library: allocated per operation in the loop (bytes) | $(value loop_alloc_bytes_per_op "$RAW/a-lib-1.txt") |
| (b) library ExecuteAsync, every run (s) | $(allvalues exec_s "${b_names[@]}") |
| (b) library whole process, every run (s) | $(allvalues proc_s "${b_names[@]}") |
| (b) library: parse the rules file into operations, outside the timed call (s) | $(fmt "$b_lib_build") |
| (b) library: open client (s) | $(fmt "$(value open_s "$RAW/b-lib-1.txt")") |
| (b) library: operations per second, in-process | $(awk -v n="$ops_b" -v t="$b_lib" 'BEGIN { printf "%.0f", n / t }') |
| (b) library: JIT time in the process (s) / methods | $(fmt "$(value jit_s "$RAW/b-lib-1.txt")") / $(value jit_methods "$RAW/b-lib-1.txt") |
| (b) library: GC collections gen0/gen1/gen2 | $(value gc0 "$RAW/b-lib-1.txt")/$(value gc1 "$RAW/b-lib-1.txt")/$(value gc2 "$RAW/b-lib-1.txt") |
| (b) \`ipvsadm -Sn \| wc -l\` of the table ipvsadm -R built | $b_ipvsadm_lines |
| (b) \`ipvsadm -Sn \| wc -l\` of each table the library built | $b_lib_lines |
| (b) NativeAOT ExecuteAsync, every run (s) | $(allvalues exec_s "${b_aot_names[@]}") |
| (b) library-built tables (JIT and NativeAOT) whose \`ipvsadm -Sn\` text is identical to that of ipvsadm's table | $same_tables of $((2 * LIB_REPS)) |
| (b) library's count (services + destinations) of its table / of ipvsadm's | $lib_entries ($lib_services + $lib_dests) / $lib_entries_of_ipvsadm |
| (c) ipvsadm, every run (s) | $(allvalues loop_s "${c_ipvsadm_names[@]}") |
| (c) library read + format, every run (s) | $(allvalues read_format_s "${c_lib_names[@]}") |
| (c) library: read alone, without formatting (s, median) | $(fmt "$c_lib_read") (ratio ${c_ratio_read}x) |
| (c) library: read + format, second read in the same process (s, median) | $(fmt "$c_lib_warm") (ratio ${c_ratio_warm}x) |
| (c) NativeAOT read + format, every run (s) | $(allvalues read_format_s "${c_aot_names[@]}") |
| (c) NativeAOT: second read in the same process (s, median) | $(fmt "$c_aot_warm") (ratio ${c_ratio_aot_warm}x) |
| (c) NativeAOT: page faults / GC collections in the first read (median) | $(mvalue read_minflt "${c_aot_names[@]}") / $(mvalue read_gcs "${c_aot_names[@]}") |
| (c) JIT: page faults / GC collections in the first read (median) | $(mvalue read_minflt "${c_lib_names[@]}") / $(mvalue read_gcs "${c_lib_names[@]}") |
| (c) library GetTableAsync (every service's destinations as records in memory, then the service keys read again to catch concurrent changes), read alone / read + format, first read (s, median) | $(fmt "$c_tab_read") / $(fmt "$c_tab") (ratio ${c_ratio_tab}x) |
| (c) library: GetServicesAsync alone, the service list without destinations (s, median) | $(fmt "$(mvalue services_s "${c_svc_names[@]}")") |
| (c) library text vs \`ipvsadm -Ln --stats\` text | $same_text |

## Where the library's time goes (attribution)

The lab's unit costs, measured by \`Ipvs.Bench costs\` at the start / end of the run: syscall
(getppid) $(fmt "$sc0") / $(fmt "$sc1") µs, clock read (Stopwatch; UML has no vDSO, so it is a syscall)
$(fmt "$ck0") / $(fmt "$ck1") µs, first touch of a fresh page (page fault) $(fmt "$pf0") / $(fmt "$pf1") µs.
On an ordinary kernel these are about 0.1 µs, 0.02 µs and 0.1-0.5 µs.

"Fake kernel" runs the same library code against a transport that ACKs at once (no socket); "replay"
feeds the streaming read (without formatting) the kernel's recorded replies. Each ran in a fresh process right after the
matching real run; medians of $LIB_REPS (thesis, bulk) and $REPS (read) runs. Page faults, JIT
and GC pauses are those of the timed span of the real runs (medians); netlink syscall counts come
from strace (next table), scaled to the timed span. Clock reads are left out: the library makes
none on its request paths, and the runtime's own (JIT tiering) are not the library's.

| figure | (a) thesis loop | (b) ExecuteAsync | (c) read (no format) |
|---|---:|---:|---:|
| library, real kernel (s) | $(fmt "$a_lib") | $(fmt "$b_lib") | $(fmt "$c_lib_read") |
| library, fake kernel / replayed replies: the library's own work (s) | $(fmt "$fa") ($(share "$fa" "$a_lib")) | $(fmt "$fb") ($(share "$fb" "$b_lib")) | $(fmt "$fr") ($(share "$fr" "$c_lib_read")) |
| the same, second run in the same process (JIT done) (s) | n/a | $(fmt "$fb2") | $(fmt "$fr2") |
| netlink syscalls + kernel work = real - fake (s) | $(fmt "$(sub "$fa" "$a_lib")") | $(fmt "$(sub "$fb" "$b_lib")") | $(fmt "$(sub "$fr" "$c_lib_read")") |
| ... netlink syscalls made by the library (strace, scaled) | $a_nl | $b_nl | $c_nl |
| ... per operation / per service read (µs) | $(us_per "$(sub "$fa" "$a_lib")" "$ops_a") | $(us_per "$(sub "$fb" "$b_lib")" "$ops_b") | $(us_per "$(sub "$fr" "$c_lib_read")" "$S") |
| page faults | $a_flt | $b_flt | $c_flt |
| ... x page-fault cost (s) | $(secs_us "$a_flt" "$pf") | $(secs_us "$b_flt" "$pf") | $(secs_us "$c_flt" "$pf") |
| JIT time (all threads) in the span (s) | $(fmt "$a_jit") | $(fmt "$b_jit") | $(fmt "$c_jit") |
| GC pauses in the span (s) | $(fmt "$a_gc") | $(fmt "$b_gc") | $(fmt "$c_gc") |
| library time that would meet the target (s) | $(need "$a_ipvsadm" $TARGET_A) | $(need "$b_ipvsadm" $TARGET_B) | $(need "$c_ipvsadm" $TARGET_C) |
EOF
  if ((have_strace)); then
    cat <<EOF

## Syscalls per operation (strace -f -c; counted in separate, untimed runs)

(a) per operation of the thesis loop (library: thesis 100 minus thesis 0; ipvsadm: one iteration
of 4 processes, bash's fork and exec included); (b) per line of a $SN_LINES-line restore (library:
minus an empty restore); (c) per service of the $S-service read (library: minus a read of an empty
table; ipvsadm: the whole process).

| | (a) per thesis operation | (b) per restored operation | (c) per service read |
|---|---:|---:|---:|
| ipvsadm, all syscalls | $(per_n sys_total s-ipvsadm-a 4) | $(per_n sys_total s-ipvsadm-b "$SN_LINES") | $(per_n sys_total s-ipvsadm-c "$S") |
| ipvsadm, netlink sends/receives | $(per_n sys_netlink s-ipvsadm-a 4) | $(per_n sys_netlink s-ipvsadm-b "$SN_LINES") | $(per_n sys_netlink s-ipvsadm-c "$S") |
| library, all syscalls | $(per_op sys_total s-lib-a1 s-lib-a0 400 2) | $(per_op sys_total s-lib-b1 s-lib-b0 "$SN_LINES" 4) | $(per_op sys_total s-lib-c1 s-lib-c0 "$S" 2) |
| library, netlink sends/receives | $(per_op sys_netlink s-lib-a1 s-lib-a0 400 2) | $(per_op sys_netlink s-lib-b1 s-lib-b0 "$SN_LINES" 4) | $(per_op sys_netlink s-lib-c1 s-lib-c0 "$S" 2) |
| library, clock reads (the runtime's own included) | $(per_op sys_clock s-lib-a1 s-lib-a0 400 2) | $(per_op sys_clock s-lib-b1 s-lib-b0 "$SN_LINES" 4) | $(per_op sys_clock s-lib-c1 s-lib-c0 "$S" 2) |
EOF
  fi
  cat <<EOF
EOF
  if [[ -n $tuning_rows ]]; then
    cat <<EOF

## Batch tuning (library bulk load of the same table, each in a fresh netns, one run each)

\`--max-per-send\` is BatchOptions.MaxRequestsPerSend, \`--sndbuf\`/\`--rcvbuf\` the client's socket
buffer sizes, \`--chunk N\` one ExecuteAsync call per N operations instead of one for all. Single
runs: differences under about 30% are within this lab's run-to-run noise.

| variant | ExecuteAsync (s) | ops/s | page faults | whole process (s) |
|---|---:|---:|---:|---:|
$tuning_rows
EOF
  fi
  cat <<EOF

Raw key=value outputs of every run: $RAW/.
EOF
} >"$OUT.tmp"
mv -f "$OUT.tmp" "$OUT"
# Every run's report is kept too: the lab's speed drifts with other work on the host, and the
# spread between runs is part of the result.
mkdir -p "$(dirname "$OUT")/history"
cp "$OUT" "$(dirname "$OUT")/history/$(basename "$OUT" .md)-$(date -u +%Y%m%d-%H%M%S).md"
cat "$OUT"

# Fail loudly if any table was incomplete.
if ((texts_same != 3)); then
  log "a library read's text differs from ipvsadm -Ln --stats: $same_text"
  exit 1
fi
if ((same_tables != 2 * LIB_REPS)); then
  log "only $same_tables of $((2 * LIB_REPS)) library-built tables match the table ipvsadm -R built"
  exit 1
fi
read -r -a counts <<<"$b_lib_lines $b_ipvsadm_lines $lib_entries $lib_entries_of_ipvsadm"
for n in "${counts[@]}"; do
  if [[ $n != "$expected" ]]; then
    log "a table holds $n entries, not $expected: ipvsadm -Sn $b_ipvsadm_lines / $b_lib_lines, library $lib_entries / $lib_entries_of_ipvsadm"
    exit 1
  fi
done
