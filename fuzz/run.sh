#!/usr/bin/env bash
# Runs one fuzz target for SECONDS (default 300) with libFuzzer, one job, starting from the
# committed seeds and the real fixtures; appends libFuzzer's summary line to fuzz/runs.log and
# exits non-zero when the target crashed (the input is in fuzz/artifacts/TARGET/).
# Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
# Usage: fuzz/run.sh TARGET [SECONDS]
set -euo pipefail
cd "$(dirname "$0")"
target=$1
seconds=${2:-300}
root=..
case $target in
  size_parser) extra=(); max_len=64 ;;
  inventory_csv) extra=("$root/data/examples"); max_len=4096 ;;
  inventory_toml) extra=("$root/data/examples"); max_len=4096 ;;
  manifest_json) extra=("$root/tests/fixtures/manifests"); max_len=16384 ;;
  docker_archive) extra=("$root/tests/fixtures/images"); max_len=131072 ;;
  oci_layout) extra=("$root/tests/fixtures/images"); max_len=131072 ;;
  layer_blob) extra=(); max_len=65536 ;;
  *) echo "unknown target $target" >&2; exit 2 ;;
esac
mkdir -p "corpus/$target" logs
log="logs/$target.log"
status=0
cargo +nightly fuzz run -O "$target" "corpus/$target" "seeds/$target" "${extra[@]}" -- \
  -max_total_time="$seconds" -max_len="$max_len" -rss_limit_mb=1024 -timeout=20 \
  -print_final_stats=1 > "$log" 2>&1 || status=$?
grep -E "^(#[0-9]+.*(pulse|DONE)|Done|stat::|==|SUMMARY|panicked|Test unit)" "$log" | tail -12 || true
{
  printf '%s %s %ss: ' "$(date -u +%FT%TZ)" "$target" "$seconds"
  grep -E '^Done [0-9]+ runs' "$log" || echo "no Done line: exit $status (crash? see fuzz/$log and fuzz/artifacts/$target)"
} >> runs.log
exit "$status"
