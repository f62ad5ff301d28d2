#!/usr/bin/env bash
# Times fleetsave against the natural baselines in the same run (SPEC §9), with hyperfine.
# Installs what it needs on a fresh Debian machine (as root), builds the release binary, generates
# the inputs (a 10,000- and a 100,000-service inventory; ~1 GB image artifacts with gzip and with
# uncompressed layers) and prints a Markdown table of medians, ranges and ratios (BENCHMARKS.md).
#
# Usage: scripts/bench.sh [WORK_DIR]   (default /tmp/fleetsave-bench; needs ~5 GB free)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-/tmp/fleetsave-bench}"
runs="${BENCH_RUNS:-5}"

need=()
for tool in hyperfine pigz gzip sha256sum python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || need+=("$tool")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine pigz time >/dev/null
  else
    echo "bench.sh: missing ${need[*]}; install hyperfine, pigz and time" >&2
    exit 3
  fi
fi

cd "$root"
cargo build --release --locked --quiet
bin="$root/target/release/fleetsave"
mkdir -p "$work"
[ -f "$work/inv10k.csv" ] || scripts/gen-inventory.sh 10000 > "$work/inv10k.csv"
[ -f "$work/inv100k.csv" ] || scripts/gen-inventory.sh 100000 > "$work/inv100k.csv"
[ -f "$work/docker.tar" ] || python3 scripts/make_bench_images.py "$work"
out="$work/out"
mkdir -p "$out"
json="$work/results"
mkdir -p "$json"

bench() { # bench NAME RUNS COMMAND...   (the first command is fleetsave, the second its baseline)
  local name="$1" n="$2"
  shift 2
  hyperfine --style none --warmup 1 --runs "$n" -N --export-json "$json/$name.json" "$@" >/dev/null
}

bench calc 30 "$bin calc --before 500MB --after 80MB --services 20 --nodes 10 --deploys-per-day 10 --format json"
bench report-10k-json "$runs" "$bin report $work/inv10k.csv --format json -o $out/r10k.json"
bench report-100k-json "$runs" "$bin report $work/inv100k.csv --format json -o $out/r100k.json"
bench report-10k-html "$runs" "$bin report $work/inv10k.csv --format html -o $out/r10k.html"
bench report-100k-html "$runs" "$bin report $work/inv100k.csv --format html -o $out/r100k.html"
bench inspect-docker-archive 10 "$bin inspect $work/docker.tar" "tar -tvf $work/docker.tar"
bench disk-multi-gzip 3 "$bin inspect $work/layout:multi" \
  "sh -c 'for f in $work/layers/multi-*.tar.gz; do gzip -dc \$f; done | wc -c'"
bench disk-single-gzip 3 "$bin inspect $work/layout:single" "sh -c 'pigz -dc $work/layers/single-9.tar.gz | wc -c'"
bench verify-multi-gzip 3 "$bin inspect --verify $work/layout:multi" "sha256sum $work/layers/multi-1.tar.gz $work/layers/multi-2.tar.gz $work/layers/multi-3.tar.gz $work/layers/multi-4.tar.gz"
bench verify-docker-archive 3 "$bin inspect --verify $work/docker.tar" "sha256sum $work/docker.tar"

peak() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -n 1; }
{
  echo "peak-100k-json $(peak "$bin" report "$work/inv100k.csv" --format json -o "$out/p.json")"
  echo "peak-100k-html $(peak "$bin" report "$work/inv100k.csv" --format html -o "$out/p.html")"
  echo "peak-multi-gzip $(peak "$bin" inspect "$work/layout:multi")"
} > "$json/peaks.txt"

python3 - "$json" <<'PY'
import json, os, statistics, sys
d = sys.argv[1]
def fmt(s):
    return f"{s*1000:.1f} ms" if s < 1 else f"{s:.3f} s"
print("| benchmark | fleetsave median (min … max) | baseline | baseline median | ratio (baseline ÷ fleetsave) |")
print("|:--|--:|:--|--:|--:|")
for name in ["calc", "report-10k-json", "report-100k-json", "report-10k-html", "report-100k-html",
             "inspect-docker-archive", "disk-multi-gzip", "disk-single-gzip", "verify-multi-gzip",
             "verify-docker-archive"]:
    results = json.load(open(os.path.join(d, name + ".json")))["results"]
    ours = results[0]
    cell = f"{fmt(ours['median'])} ({fmt(ours['min'])} … {fmt(ours['max'])})"
    if len(results) > 1:
        base = results[1]
        command = base["command"].replace(d.rsplit('/', 1)[0] + "/", "")
        print(f"| {name} | {cell} | `{command[:60]}` | {fmt(base['median'])} | {base['median']/ours['median']:.2f}× |")
    else:
        print(f"| {name} | {cell} | — | — | — |")
print()
for line in open(os.path.join(d, "peaks.txt")):
    key, kb = line.split()
    print(f"- peak RSS {key}: {int(kb)/1000:.1f} MB")
PY
