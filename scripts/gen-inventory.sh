#!/usr/bin/env bash
# Writes a synthetic inventory of N services (default 100000) as CSV to stdout, for benchmarks:
# all five runtimes, mixed units, one in ten rows a plan (no after size), one in fifty grown.
# With POOLS, a node_pool column spreads the rows over that many node pools (round robin).
#
# Usage: scripts/gen-inventory.sh [N [POOLS]]
set -euo pipefail
n=${1:-100000}
pools=${2:-0}
awk -v n="$n" -v pools="$pools" 'BEGIN {
  split("go python node java java-jlink", runtimes, " ");
  printf "service,runtime,before,after,services,nodes,deploys_per_day%s\n", (pools > 0 ? ",node_pool" : "");
  for (i = 1; i <= n; i++) {
    runtime = runtimes[(i % 5) + 1];
    before = 200 + (i * 37) % 1800;
    if (i % 10 == 0) after = "";
    else if (i % 50 == 1) after = (before + 15) "MB";
    else after = (40 + (i * 13) % 260) "MB";
    printf "svc-%06d,%s,%d MB,%s,%d,%d,%d", i, runtime, before, after, 1 + i % 3, 1 + i % 40, 1 + i % 12;
    if (pools > 0) printf ",pool-%05d", i % pools;
    printf "\n";
  }
}'
