#!/usr/bin/env bash
# bench/daemon-scale/host-cpu.sh ROOT_PID OUT [PERIOD] - runs on the HOST next to lab/run.
#
# Every PERIOD seconds (default 0.5) until ROOT_PID is gone, appends "EPOCH TICKS WAIT_NS" to OUT:
# TICKS is the CPU the host really gave the kernel lab, i.e. utime + stime + cutime + cstime (host
# clock ticks) summed over every descendant of ROOT_PID (lab/run: the UML kernel process and the
# host processes that carry the guest's processes; a reaped one's time lives on in its parent's
# cutime/cstime, so the sum only grows). WAIT_NS is the time those processes spent runnable but
# waiting for a host CPU (run_delay of /proc/PID/schedstat, live processes only): the lab's steal.
# Inside user-mode Linux a process's CPU time is measured on the guest's clock, which runs on while
# the host has descheduled the whole lab; these are the figures without that.
#
#   daemon-scale/host-cpu.sh window OUT T0 T1   prints "TICKS WAIT_S" between two epochs: host
#                                               ticks (linear interpolation between samples) and
#                                               seconds of steal (the increments between the
#                                               samples inside the window; a process that ends
#                                               takes its count with it, so none is negative)
set -euo pipefail

if [[ ${1:-} == window ]]; then
  awk -v t0="$3" -v t1="$4" '
    function at(t,   i) {
      if (t <= e[1]) return v[1]
      for (i = 2; i <= n; i++) if (e[i] >= t) return v[i - 1] + (v[i] - v[i - 1]) * (t - e[i - 1]) / (e[i] - e[i - 1])
      return "none"
    }
    { n++; e[n] = $1; v[n] = $2; w[n] = $3 }
    END {
      if (n < 2 || t0 < e[1] || t1 > e[n]) { print "n/a n/a"; exit }
      for (i = 2; i <= n; i++) if (e[i - 1] >= t0 && e[i] <= t1 && w[i] > w[i - 1]) wait += w[i] - w[i - 1]
      printf "%.1f %.3f\n", at(t1) - at(t0), wait / 1e9
    }' "$2"
  exit 0
fi

root=$1 out=$2 period=${3:-0.5}
while kill -0 "$root" 2>/dev/null; do
  now=$EPOCHREALTIME
  awk -v root="$root" -v now="$now" '
    FNR == 1 {
      line = $0; rp = 0
      for (i = length(line); i > 0; i--) if (substr(line, i, 1) == ")") { rp = i; break }
      split(substr(line, rp + 2), f, " ")
      pid = $1; ppid[pid] = f[2]; ticks[pid] = f[12] + f[13] + f[14] + f[15]
    }
    END {
      # descendants of root, by walking each process up its ancestors
      for (p in ppid) {
        q = ppid[p]; d = 0
        for (k = 0; k < 64 && q > 1; k++) { if (q == root) { d = 1; break } q = ppid[q] }
        if (!d) continue
        s += ticks[p]
        # run_delay of the process (its main thread: the one that works, in each lab process)
        file = "/proc/" p "/schedstat"
        if ((getline line < file) > 0) { split(line, x, " "); wait += x[2] }
        close(file)
      }
      printf "%s %d %.0f\n", now, s, wait
    }' /proc/[0-9]*/stat 2>/dev/null >>"$out" || true
  sleep "$period"
done
