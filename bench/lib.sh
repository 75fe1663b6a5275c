#!/usr/bin/env bash
# bench/lib.sh - helpers shared by the scripts that run inside the kernel lab
# (bench/lab-bench.sh, bench/admin-bench.sh). Source it; it sets no shell options.
# BENCH_NAME (the caller's name) prefixes messages.

# Arithmetic on decimal strings (bash has integers only).
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", b - a }'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "n/a" }'; }
mul() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", a * b }'; }
fmt() { awk -v a="$1" 'BEGIN { if (a < 0.01) printf "%.4f", a; else if (a < 10) printf "%.3f", a; else printf "%.2f", a }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'; }
met() { if ge "$1" "$2"; then echo "yes"; else echo "**no**"; fi; }
# value KEY FILE: the value of a key=value line
value() { awk -F= -v k="$1" '$1 == k { v = $2 } END { if (v == "") exit 1; print v }' "$2"; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

fresh_ns() { # a new, empty namespace with loopback up (destination adds fail with EINVAL otherwise)
  if [[ -e /run/netns/$1 ]]; then
    echo "${BENCH_NAME:-bench}: netns $1 exists already; every variant needs a fresh one" >&2
    exit 1
  fi
  ip netns add "$1"
  ip -n "$1" link set lo up
}

# IPVS keeps ONE service hash table for all namespaces: services of another namespace lengthen the
# hash chains every add and lookup walks, and a service dump walks them all. So a finished table is
# flushed and its namespace deleted before the next variant runs, and every variant meets the same
# (empty) kernel; the pause lets the namespace clean-up finish.
drop_table() {
  ip netns exec "$1" ipvsadm -C
  ip netns del "$1"
  sleep 3
}

# rules_file S D FILE: the bulk table as ipvsadm -R lines. Service i: 10.0.0.0 + i + 1, port 80,
# wrr; destination j (over the whole table): 172.16.0.0 + j + 1, port 80, -m -w 1. S * (D + 1) lines.
rules_file() {
  awk -v S="$1" -v D="$2" 'BEGIN {
    for (i = 0; i < S; i++) {
      v = i + 1; svc = sprintf("10.%d.%d.%d:80", int(v / 65536) % 256, int(v / 256) % 256, v % 256)
      print "-A -t " svc " -s wrr"
      for (d = 0; d < D; d++) {
        j = i * D + d + 1
        printf "-a -t %s -r %d.%d.%d.%d:80 -m -w 1\n", svc, 172 + int(j / 16777216), 16 + int(j / 65536) % 256, int(j / 256) % 256, j % 256
      }
    }
  }' >"$3"
}
