#!/usr/bin/env bash
# Times fleetsave against its bound or best peer in the same run (SPEC §9, issue 20), with
# hyperfine, and prints a Markdown table of medians and ratios (BENCHMARKS.md). Every peer writes
# to /dev/null (no pipe to `wc -c`, which costs the peer ~1 s per GB). Installs what it needs on a
# fresh Debian machine (as root: hyperfine, pigz, zstd, isal for igzip, GNU time; skopeo and
# docker-registry for the registry rows when available), builds the release binary and the
# bound program (scripts/json_bound.rs) and generates the inputs.
#
# Usage: scripts/bench.sh [WORK_DIR]   (default /tmp/fleetsave-bench)
#
# Sizes (environment; the defaults run in about 8 minutes on 2 cores, inputs generated once):
#   BENCH_LAYER_MIB  unpacked size of the big layer (default 512; issue 20's table used 1024).
#                    The other images are built from it: 4 layers of a quarter of it, and the
#                    five-layer image (those 4 and the big one). Needs ~4 × this on disk.
#   BENCH_FILES      files in the many-files layer (default 500000; 0 skips its rows)
#   BENCH_SERVICES   services of the large inventories (default 100000)
#   BENCH_MILLION    services of the largest inventory (default 1000000; 0 skips it)
#   BENCH_POOLS      node pools of the many-pools inventory (default 10000)
#   BENCH_RUNS       hyperfine runs per row (default 3)
#   BENCH_BIN        time this fleetsave binary instead of building the work tree's
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-/tmp/fleetsave-bench}"
runs="${BENCH_RUNS:-3}"
layer_mib="${BENCH_LAYER_MIB:-512}"
files="${BENCH_FILES:-500000}"
services="${BENCH_SERVICES:-100000}"
million="${BENCH_MILLION:-1000000}"
pools="${BENCH_POOLS:-10000}"

need=()
for tool in hyperfine pigz zstd igzip sha256sum python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || need+=("$tool")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine pigz zstd isal time >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq skopeo docker-registry >/dev/null 2>&1 \
      || echo "bench.sh: skopeo/docker-registry not installed; the registry rows are skipped" >&2
  else
    echo "bench.sh: missing ${need[*]}; install hyperfine, pigz, zstd, isal and time" >&2
    exit 3
  fi
fi

cd "$root"
cargo build --release --locked --quiet --example json_bound
if [ -n "${BENCH_BIN:-}" ]; then
  bin="$BENCH_BIN" # a fleetsave binary built elsewhere (e.g. the commit before a change)
else
  cargo build --release --locked --quiet --bin fleetsave
  bin="$root/target/release/fleetsave"
fi
bound="$root/target/release/examples/json_bound"
mkdir -p "$work"
inv() { # inv FILE N [POOLS]
  [ -f "$work/$1" ] || scripts/gen-inventory.sh "$2" "${3:-}" > "$work/$1"
}
inv inv10k.csv 10000
inv inv-large.csv "$services"
inv inv-pools-few.csv "$services" 10
inv inv-pools-many.csv "$services" "$pools"
[ "$million" -gt 0 ] && inv inv-million.csv "$million"
python3 scripts/make_bench_images.py "$work" "$layer_mib" "$files"
out="$work/out"
results="$work/results"
mkdir -p "$out" "$results"
rm -f "$results"/*.json "$results"/rows.txt "$results"/notes.txt
layers="$work/layers"
layout="$work/layout"

# bench NAME TARGET COMMAND PEER [MORE...]: the first command is fleetsave, the second what it is
# compared with (its ratio is fleetsave ÷ peer; below 1 fleetsave is faster), TARGET the issue's
# bound on that ratio ("-" for none). Later commands are printed against the peer too.
bench() {
  local name="$1" target="$2"
  shift 2
  hyperfine --style none --warmup "${WARMUP:-1}" --runs "${RUNS:-$runs}" -N --export-json "$results/$name.json" "$@" \
    >/dev/null
  echo "$name $target" >> "$results/rows.txt"
}
sh_c() { printf "sh -c '%s'" "$1"; }

# Reports. The bound writes as many bytes as fleetsave's JSON, with fsync and rename.
"$bin" report "$work/inv-large.csv" --format json -o "$out/large.json"
bench report-large-json 2.5 \
  "$bin report $work/inv-large.csv --format json -o $out/large.json" \
  "$bound $work/inv-large.csv $(stat -c %s "$out/large.json") $out/bound.json"
bench report-large-html - "$bin report $work/inv-large.csv --format html -o $out/large.html"
bench report-10k-json - "$bin report $work/inv10k.csv --format json -o $out/r10k.json"
if [ "$million" -gt 0 ]; then
  "$bin" report "$work/inv-million.csv" --format json -o "$out/million.json"
  hyperfine --style none --runs 1 -N --export-json "$results/report-million-json.json" \
    "$bin report $work/inv-million.csv --format json -o $out/million.json" \
    "$bound $work/inv-million.csv $(stat -c %s "$out/million.json") $out/bound.json" >/dev/null
  echo "report-million-json -" >> "$results/rows.txt"
fi
# Before issue 20 the many-pools report was quadratic (~40 s at 100,000 services): 2 runs only.
WARMUP=0 RUNS=2 bench pools-many-html 1.5 \
  "$bin report $work/inv-pools-many.csv --format html -o $out/pools-many.html" \
  "$bin report $work/inv-pools-few.csv --format html -o $out/pools-few.html"

# Layers. The best schedule of igzip on the cores: the biggest layer first, two at a time.
by_size="$(ls -S "$layers"/single-9.tar.gz "$layers"/multi-?.tar.gz | tr '\n' ' ')"
bench single-gzip 1.15 "$bin inspect $layout:single --format json" \
  "$(sh_c "igzip -dc $layers/single-9.tar.gz >/dev/null")"
bench verify-single-gzip 1.25 "$bin inspect --verify $layout:single --format json" \
  "sha256sum $layers/single-9.tar.gz"
bench five-layers 1.15 "$bin inspect $layout:five-last --format json" \
  "$(sh_c "echo $by_size | xargs -P 2 -n 1 igzip -dc >/dev/null")" \
  "$bin inspect $layout:five-first --format json"
bench zstd - "$bin inspect $layout:zstd --format json" \
  "$(sh_c "zstd -dc $layers/single-9.tar.zst >/dev/null")"
bench verify-docker-archive - "$bin inspect --verify $work/docker.tar --format json" \
  "sha256sum $work/docker.tar"
# Findings: `layers` walks every tar entry; `inspect` sizes the same image (what --disk does).
bench findings-five 1.05 "$bin layers $layout:five-first --format json" \
  "$bin inspect $layout:five-first --format json"
if [ "$files" -gt 0 ]; then
  bench findings-files 1.05 "$bin layers $layout:files --format json" \
    "$bin inspect $layout:files --format json"
fi

peak() { # peak NAME COMMAND...: peak RSS in MB
  local kb
  kb="$(/usr/bin/time -f '%M' "${@:2}" 2>&1 >/dev/null | tail -n 1)"
  echo "peak-rss $1 $((kb / 1024))" >> "$results/notes.txt"
}
peak "report $services services → JSON (target < 100 MB)" \
  "$bin" report "$work/inv-large.csv" --format json -o "$out/p.json"
peak "report 10,000 services → JSON" "$bin" report "$work/inv10k.csv" --format json -o "$out/p.json"
[ "$million" -gt 0 ] && peak "report $million services → JSON (target < 1 GB)" \
  "$bin" report "$work/inv-million.csv" --format json -o "$out/p.json"
[ "$files" -gt 0 ] && peak "layers of $files files (target < 300 MB)" \
  "$bin" layers "$layout:files" --format json
peak "inspect of five gzip layers" "$bin" inspect "$layout:five-first" --format json

# Registry: manifest and config against skopeo, and the requests of 50 rows naming two images.
if command -v docker-registry >/dev/null && command -v skopeo >/dev/null; then
  reg="$work/registry"
  rm -rf "$reg" && mkdir -p "$reg"
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  cat > "$reg/config.yml" <<YML
version: 0.1
log:
  level: error
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $reg/data
http:
  addr: 127.0.0.1:$port
YML
  docker-registry serve "$reg/config.yml" > "$reg/log" 2>&1 &
  registry_pid=$!
  trap 'kill "$registry_pid" 2>/dev/null || true' EXIT
  for _ in $(seq 50); do
    curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break
    sleep 0.1
  done
  for tag in 1 2; do
    skopeo copy --quiet --dest-tls-verify=false "oci:$layout:tiny" \
      "docker://127.0.0.1:$port/bench/tiny:$tag"
  done
  bench registry - "$bin inspect 127.0.0.1:$port/bench/tiny:1 --format json" \
    "skopeo inspect --raw --tls-verify=false docker://127.0.0.1:$port/bench/tiny:1"
  {
    echo "service,before_image,after_image"
    for i in $(seq 50); do
      echo "svc-$i,127.0.0.1:$port/bench/tiny:1,127.0.0.1:$port/bench/tiny:2"
    done
  } > "$work/inv-registry.csv"
  before="$(grep -c '"GET \|"HEAD ' "$reg/log" || true)"
  "$bin" report "$work/inv-registry.csv" --format json -o "$out/registry.json"
  after="$(grep -c '"GET \|"HEAD ' "$reg/log" || true)"
  echo "requests 50 rows naming two registry images (target ≤ 10): $((after - before))" \
    >> "$results/notes.txt"
  kill "$registry_pid" 2>/dev/null || true
fi

python3 - "$results" "$work" "$layer_mib" "$million" <<'PY'
import json, os, sys
d, work, layer_mib, million = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def fmt(s):
    return f"{s*1000:.1f} ms" if s < 1 else f"{s:.3f} s"
def short(command):
    return command.replace(work + "/", "").replace(os.getcwd() + "/", "")[:90]
print(f"Big layer: {layer_mib} MiB unpacked.\n")
print("| row | fleetsave median (min … max) | peer or bound | its median | ratio | target |")
print("|:--|--:|:--|--:|--:|:--|")
for line in open(os.path.join(d, "rows.txt")):
    name, target = line.split()
    results = json.load(open(os.path.join(d, name + ".json")))["results"]
    ours = results[0]
    cell = f"{fmt(ours['median'])} ({fmt(ours['min'])} … {fmt(ours['max'])})"
    if len(results) == 1:
        print(f"| {name} | {cell} | — | — | — | — |")
        continue
    for i, other in enumerate(results[1:]):
        peer = results[1]
        if i == 0:
            ratio = ours["median"] / peer["median"]
            verdict = "—" if target == "-" else (
                f"≤ {target}× {'met' if ratio <= float(target) else 'NOT met'}")
            print(f"| {name} | {cell} | `{short(peer['command'])}` | {fmt(peer['median'])} "
                  f"| {ratio:.2f}× | {verdict} |")
        else:
            ratio = other["median"] / peer["median"]
            print(f"| {name} (`{short(other['command'])}`) | {fmt(other['median'])} | same peer "
                  f"| {fmt(peer['median'])} | {ratio:.2f}× | — |")
print()
def median(name, i=0):
    path = os.path.join(d, name + ".json")
    return json.load(open(path))["results"][i]["median"] if os.path.exists(path) else None
small, big = median("report-10k-json"), median("report-million-json")
if small and big:
    print(f"Per-service cost of the largest inventory ÷ that of 10,000 services (target ≤ 1.3): "
          f"{(big / million) / (small / 10000):.2f} ({million} services: {fmt(big)}, bound {fmt(median('report-million-json', 1))})")
    print()
print("`verify-single-gzip`: ≥ 80% of sha256sum's throughput is a ratio ≤ 1.25×.")
print()
notes = os.path.join(d, "notes.txt")
if os.path.exists(notes):
    for line in open(notes):
        kind, rest = line.rstrip("\n").split(" ", 1)
        if kind == "peak-rss":
            what, mb = rest.rsplit(" ", 1)
            print(f"- peak RSS, {what}: {mb} MiB")
        else:
            print(f"- {rest}")
PY
