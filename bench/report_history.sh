#!/usr/bin/env bash
# Times `minpriv report --history` on a synthetic fleet: 200 git repositories of 100 commits
# over 400 days (every 4th a bare mirror), from bench/make_history_fleet.py. It times the default
# sampling (twelve monthly points) with hyperfine (1 warm-up, 5 runs, a markdown table), or, without
# hyperfine, 5 runs and their median; beside it, the report without history, with the cache of
# readings turned off (MINPRIV_HISTORY_NO_CACHE=1), and weekly points since 2026-09-01.
#
# Usage: bench/report_history.sh [BINARY]   (default target/release/minpriv, built with
# `cargo build --release -p minpriv` when missing). HISTORY_FLEET=DIR generates the fleet into DIR
# and keeps it, or reuses it when DIR already holds one (whatever arguments made it); without it
# the fleet goes to a temporary folder, removed on exit. Needs git and python3; hyperfine is
# optional.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$(pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"

case "${1:-}" in
  -h | --help) sed -n '2,12p' "$0"; exit 0 ;;
esac
if [ $# -gt 1 ]; then
  echo "usage: bench/report_history.sh [BINARY]" >&2
  exit 2
fi

minpriv="${1:-$target/release/minpriv}"
if [ ! -x "$minpriv" ]; then
  if [ $# -eq 1 ]; then
    echo "error: $minpriv is not an executable" >&2
    exit 2
  fi
  echo "== building minpriv (release)"
  cargo build --release -q -p minpriv
fi

# --history is new; an older binary would reject it only after the fleet is generated.
if ! "$minpriv" report --help 2>/dev/null | grep -q -- '--history'; then
  echo "error: $minpriv report has no --history (its --help does not list it)" >&2
  exit 2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ -n "${HISTORY_FLEET:-}" ]; then
  fleet="$HISTORY_FLEET"
else
  fleet="$work/fleet"
fi
if [ -d "$fleet" ] && [ -n "$(ls -A "$fleet")" ]; then
  echo "== reusing the fleet in $fleet"
else
  echo "== generating the fleet in $fleet"
  python3 bench/make_history_fleet.py "$fleet"
fi
echo "repositories: $(find "$fleet" -mindepth 1 -maxdepth 1 -type d | wc -l)" \
  "($(find "$fleet" -mindepth 1 -maxdepth 1 -type d -name '*.git' | wc -l) bare), $(git --version)"

# The JSON goes to a file so that `describe` below can check what a run produced. --no-config:
# the fleet's parent folders must not bring a minpriv.toml into the measurement.
out="$work/history.json"
monthly=("$minpriv" report --history --no-config --format json -o "$out" "$fleet")
weekly=("$minpriv" report --history --every 1w --since 2026-09-01 --no-config --format json
  -o "$out" "$fleet")

# What one JSON output holds, so that a run that samples nothing does not pass for a fast one.
describe() {
  python3 - "$1" <<'PY' || true
import json, sys
d = json.load(open(sys.argv[1]))
h = d.get("history") if isinstance(d.get("history"), dict) else d
points = h.get("points") if isinstance(h, dict) else None
n = f"{len(points)} points, " if isinstance(points, list) else ""
print(f"output: {n}keys {', '.join(list(d)[:8])}")
PY
}

echo
echo "== checking one run: ${monthly[*]}"
"${monthly[@]}"
describe "$out"

plain=("$minpriv" report --no-config --format json -o "$out" "$fleet")
# The cache of readings by blob, turned off: what every sample would cost read afresh.
uncached=(env MINPRIV_HISTORY_NO_CACHE=1 "${monthly[@]}")

echo
echo "== report without history, with twelve monthly points, without the cache, weekly points"
if command -v hyperfine >/dev/null; then
  # -N: no shell in between, whose start-up would count in every run; printf %q keeps paths
  # with spaces one argument.
  hyperfine -N --warmup 1 --runs 5 --export-markdown "$work/history.md" \
    --command-name "report (today only)" "$(printf '%q ' "${plain[@]}")" \
    --command-name "report --history (12 monthly points)" "$(printf '%q ' "${monthly[@]}")" \
    --command-name "report --history, cache off" "$(printf '%q ' "${uncached[@]}")" \
    --command-name "report --history --every 1w --since 2026-09-01" "$(printf '%q ' "${weekly[@]}")"
  cat "$work/history.md"
else
  for command in plain monthly uncached weekly; do
    declare -n run_it="$command"
    "${run_it[@]}" # warm-up, like hyperfine's
    times=()
    for run in 1 2 3 4 5; do
      { TIMEFORMAT=%R; time "${run_it[@]}"; } 2>"$work/time"
      times+=("$(tail -n 1 "$work/time")")
    done
    echo "$command: median of 5: $(printf '%s\n' "${times[@]}" | sort -g | sed -n 3p) s"
  done
fi
