#!/usr/bin/env bash
# Renders every Mermaid block of the committed Markdown outputs — the insta snapshots
# (`*.snap`) and the Markdown files of the repository — with mermaid-cli (`mmdc`), and fails on
# any block Mermaid cannot parse or render, or whose xychart labels it hides (it hides them all
# when one is too wide). Run by .ci/run.
#
# Needs `mmdc` (npm: @mermaid-js/mermaid-cli) and a Chromium for puppeteer:
#   PUPPETEER_SKIP_DOWNLOAD=1 npm install -g @mermaid-js/mermaid-cli
# The browser is $PUPPETEER_EXECUTABLE_PATH, else the first chromium on PATH. As root, Chromium
# only starts with --no-sandbox, which this script passes through a puppeteer config.
#
# Usage: scripts/check-mermaid.sh [FILE…]
# (default: every tracked *.snap and *.md file outside templates/, which must hold at least one
# block: the example comment's snapshot has one)
set -euo pipefail
given=()
for file in "$@"; do given+=("$(realpath "$file")"); done
cd "$(dirname "$0")/.."

if ! command -v mmdc >/dev/null; then
  echo "check-mermaid: needs mmdc: PUPPETEER_SKIP_DOWNLOAD=1 npm install -g @mermaid-js/mermaid-cli" >&2
  exit 2
fi
browser="${PUPPETEER_EXECUTABLE_PATH:-}"
if [ -z "$browser" ]; then
  for name in chromium chromium-browser google-chrome; do
    if command -v "$name" >/dev/null; then browser="$(command -v "$name")"; break; fi
  done
fi
if [ -z "$browser" ]; then
  echo "check-mermaid: needs Chromium (apt-get install chromium) or PUPPETEER_EXECUTABLE_PATH" >&2
  exit 2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
sandbox='"--disable-gpu"'
if [ "$(id -u)" = 0 ]; then sandbox='"--no-sandbox", "--disable-gpu"'; fi
printf '{"executablePath": "%s", "args": [%s]}\n' "$browser" "$sandbox" >"$work/puppeteer.json"

if [ "$#" -gt 0 ]; then
  files=("${given[@]}")
else
  mapfile -t files < <(git ls-files '*.snap' '*.md' ':!:templates/')
fi

blocks=0
failed=0
for file in "${files[@]}"; do
  # Each ```mermaid … ``` block to its own file: <n>.mmd, with the line it starts on.
  rm -f "$work"/block-*.mmd
  awk -v dir="$work" '
    /^```mermaid[[:space:]]*$/ { n++; inside = 1; out = sprintf("%s/block-%03d-%d.mmd", dir, n, NR + 1); next }
    inside && /^```[[:space:]]*$/ { inside = 0; close(out); next }
    inside { print > out }
  ' "$file"
  for block in "$work"/block-*.mmd; do
    [ -e "$block" ] || continue
    blocks=$((blocks + 1))
    line="${block##*-}"
    line="${line%.mmd}"
    for theme in default dark; do
      svg="$work/out.svg"
      rm -f "$svg"
      if ! mmdc --quiet -p "$work/puppeteer.json" -t "$theme" -i "$block" -o "$svg" >"$work/log" 2>&1 \
        || ! [ -s "$svg" ] || grep -q 'aria-roledescription="error"' "$svg"; then
        echo "check-mermaid: $file:$line: Mermaid cannot render this block (theme $theme):" >&2
        sed 's/^/    /' "$block" >&2
        sed 's/^/  | /' "$work/log" >&2
        failed=$((failed + 1))
        break
      fi
      # Mermaid hides every category label of an xychart when one is too wide, silently.
      if ! python3 - "$block" "$svg" <<'PY'
import re, sys
block, svg = (open(path, encoding="utf-8").read() for path in sys.argv[1:3])
axis = re.search(r"^\s*x-axis\s*\[(.*)\]\s*$", block, re.M)
if "xychart-beta" in block and axis:
    expected = axis.group(1).count('"') // 2
    side = "left-axis" if re.search(r"xychart-beta\s+horizontal", block) else "bottom-axis"
    start = svg.find('<g class="%s">' % side)
    end = svg.find('-axis">', start + len(side) + 12)
    part = svg[start:end] if start >= 0 and end >= 0 else svg[start:] if start >= 0 else ""
    group = re.search(r'<g class="label">(.*?)</g>', part, re.S)
    drawn = group.group(1).count("<text") if group else 0
    if drawn != expected:
        sys.exit(f"{drawn} of {expected} x-axis labels drawn")
PY
      then
        echo "check-mermaid: $file:$line: labels hidden (theme $theme)" >&2
        failed=$((failed + 1))
        break
      fi
    done
  done
done

if [ "$#" -eq 0 ] && [ "$blocks" -eq 0 ]; then
  echo "check-mermaid: no Mermaid block in the snapshots: the example comment should have one" >&2
  exit 1
fi
if [ "$failed" -gt 0 ]; then
  echo "check-mermaid: $failed of $blocks Mermaid blocks failed" >&2
  exit 1
fi
echo "check-mermaid: $blocks Mermaid blocks render"
