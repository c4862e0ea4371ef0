#!/usr/bin/env bash
# Times `minpriv report --history` on a synthetic fleet: 200 git repositories of 100 commits
# over 400 days (every 4th a bare mirror), from bench/make_history_fleet.py. It times the default
# sampling (twelve monthly points) with hyperfine (1 warm-up, 5 runs, a markdown table), or, without
# hyperfine, 5 runs under /usr/bin/time and their median; then one run of weekly points since
# 2026-09-01 (`--every 1w --since 2026-09-01`), which samples more points over fewer commits.
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

# Not `-o /dev/null`: -o writes a temporary file beside the target and renames it over the
# target, which would need a writable /dev and, as root, replace /dev/null with a regular file.
# A file in $work costs the same write. --no-config: the fleet's parent folders must not bring a
# minpriv.toml into the measurement.
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

echo
echo "== report --history (default points)"
if command -v hyperfine >/dev/null; then
  # -N: no shell in between, whose start-up would count in every run; printf %q keeps paths
  # with spaces one argument.
  hyperfine -N --warmup 1 --runs 5 --export-markdown "$work/history.md" \
    --command-name "report --history ($(basename "$fleet"))" "$(printf '%q ' "${monthly[@]}")"
  cat "$work/history.md"
else
  "${monthly[@]}" # warm-up, like hyperfine's
  times=()
  for run in 1 2 3 4 5; do
    if [ -x /usr/bin/time ]; then
      /usr/bin/time -f %e -o "$work/time" "${monthly[@]}"
    else
      # bash's own `time`, when GNU time is not installed.
      { TIMEFORMAT=%R; time "${monthly[@]}"; } 2>"$work/time"
    fi
    times+=("$(tail -n 1 "$work/time")")
    echo "run $run: ${times[-1]} s"
  done
  echo "median of 5: $(printf '%s\n' "${times[@]}" | sort -g | sed -n 3p) s"
fi

echo
echo "== report --history --every 1w --since 2026-09-01 (one run)"
help="$("$minpriv" report --help 2>/dev/null)"
if ! grep -q -- '--every' <<<"$help" || ! grep -q -- '--since' <<<"$help"; then
  echo "skipped: report --help lists no --every or no --since"
else
  start=$(date +%s.%N)
  if "${weekly[@]}" 2>"$work/weekly.err"; then
    end=$(date +%s.%N)
    echo "seconds: $(python3 -c "print(f'{$end - $start:.2f}')")"
    describe "$out"
  else
    # Rejected flags or a failed run: say so and finish, the monthly numbers stand.
    echo "failed (exit $?): ${weekly[*]}"
    head -n 5 "$work/weekly.err"
  fi
fi
