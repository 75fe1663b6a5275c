# lab/shards.sh - sourced (not run) by the run-in-lab.sh scripts that split one xunit v3 test
# executable over several labs, one kernel each, and merge what they say into one summary.
#
#   lab_shard DIR K CMD [ARGS...]
#       Starts CMD (a lab/run command) in the background. Its output goes to DIR/labK.log and,
#       each line prefixed "[lab K] ", to stdout as it comes; its exit status to DIR/labK.status.
#   lab_shards_finish DIR COUNT NAME
#       Waits for every shard started, then prints
#         === ALL LABS (COUNT) ===
#            NAME  Total: T, Errors: E, Failed: F, Skipped: S, Not Run: N
#       summed over the labs' xunit summary lines (a lab without one counts as one error), and
#       returns the last non-zero exit status of a lab (1 if a lab printed no summary), else 0.
#       A lab whose status file is missing (it was killed) counts as 125, as lab/run's own failure.

lab_shard_pids=()

lab_shard() {
  local dir=$1 k=$2
  shift 2
  (
    set +e
    # sed -u, not awk: Debian's awk (mawk) reads a pipe in blocks, so its lines came at the end.
    "$@" 2>&1 | tee "$dir/lab$k.log" | sed -u "s/^/[lab $k] /"
    echo "${PIPESTATUS[0]}" >"$dir/lab$k.status"
  ) &
  lab_shard_pids+=($!)
}

lab_shards_finish() {
  local dir=$1 count=$2 name=$3
  local p k rc line lt le lf ls ln
  local status=0 t=0 e=0 f=0 s=0 n=0
  for p in "${lab_shard_pids[@]}"; do wait "$p" || true; done
  for ((k = 0; k < count; k++)); do
    rc=$(cat "$dir/lab$k.status" 2>/dev/null || echo 125)
    ((rc == 0)) || status=$rc
    line=$(grep -Eo 'Total: [0-9]+, Errors: [0-9]+, Failed: [0-9]+, Skipped: [0-9]+(, Not Run: [0-9]+)?' "$dir/lab$k.log" | tail -n 1 || true)
    if [[ -z $line ]]; then
      echo "run-in-lab.sh: lab $k printed no xunit summary (exit $rc)" >&2
      ((status != 0)) || status=1
      e=$((e + 1))
      continue
    fi
    read -r lt le lf ls ln < <(echo "$line" | grep -Eo '[0-9]+' | tr '\n' ' '; echo)
    t=$((t + lt)) e=$((e + le)) f=$((f + lf)) s=$((s + ls)) n=$((n + ${ln:-0}))
  done
  echo "=== ALL LABS ($count) ==="
  echo "   $name  Total: $t, Errors: $e, Failed: $f, Skipped: $s, Not Run: $n"
  return "$status"
}
