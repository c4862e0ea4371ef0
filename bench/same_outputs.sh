#!/usr/bin/env bash
# Shows that a refactoring left minpriv's outputs byte for byte as they were.
#
#   bench/same_outputs.sh record DIR [MINPRIV]   write the outputs of MINPRIV (default: a fresh
#                                                  release build of this checkout) into DIR
#   bench/same_outputs.sh compare OLD NEW         compare two recorded folders; exit 1 on any
#                                                  difference, with the diff
#
# What is recorded, each with its exit code:
#   scan-json.json / scan-sarif.sarif   `scan --format json|sarif` on the corpus (../shared/corpus)
#   fix-unsafe.diff                     `fix --unsafe` on a copy of the corpus (the unified diff)
#   minimize.json                       `minimize --format json` on the README's example app, with
#                                       the timings (duration_ms, "0.11 s") blanked; skipped with a
#                                       note when no Docker engine answers
# To compare a change with main: record main's binary into one folder, this checkout's into
# another, then compare.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$(pwd)"
corpus="${MINPRIV_CORPUS:-$root/../shared/corpus}"

usage() { sed -n '2,16p' "$0"; exit 2; }

record() {
  local out="$1" minpriv="${2:-}"
  if [[ -z $minpriv ]]; then
    cargo build --release -q -p minpriv
    minpriv="${CARGO_TARGET_DIR:-$root/target}/release/minpriv"
  fi
  minpriv="$(realpath "$minpriv")"
  [[ -d $corpus ]] || { echo "no corpus at $corpus (set MINPRIV_CORPUS)" >&2; exit 2; }
  mkdir -p "$out"
  out="$(realpath "$out")"

  # Relative paths, so that the outputs do not depend on where the corpus is.
  (cd "$corpus" && { "$minpriv" scan --format json . >"$out/scan-json.json"; echo "exit $?" >"$out/scan-json.exit"; } || true)
  (cd "$corpus" && { "$minpriv" scan --format sarif . >"$out/scan-sarif.sarif"; echo "exit $?" >"$out/scan-sarif.exit"; } || true)

  local work
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' RETURN
  cp -r "$corpus" "$work/corpus"
  (cd "$work/corpus" && { "$minpriv" fix --unsafe --quiet . >"$out/fix-unsafe.diff" 2>"$out/fix-unsafe.stderr"; echo "exit $?" >"$out/fix-unsafe.exit"; } || true)

  if docker info >/dev/null 2>&1 && command -v busybox >/dev/null; then
    local image="minpriv-same-outputs:$$"
    mkdir -p "$work/demo/bin" "$work/demo/app"
    cp "$(command -v busybox)" "$work/demo/bin/busybox"
    # The README's worked example, as written there.
    cat >"$work/demo/app/selftest.sh" <<'EOF'
set -e
touch /tmp/f && chown 1234:1234 /tmp/f   # needs CHOWN
cat /secret/key > /dev/null              # mode 000, owned by uid 1000: needs DAC_OVERRIDE
mknod /tmp/null c 1 3                    # needs MKNOD
echo selftest ok
EOF
    cat >"$work/demo/Dockerfile" <<'EOF'
FROM scratch
COPY bin/busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN mkdir -p /tmp /secret && chmod 1777 /tmp && echo s3cret > /secret/key && chown 1000:1000 /secret/key && chmod 000 /secret/key
COPY app/ /app/
EOF
    docker build -q -t "$image" "$work/demo" >/dev/null 2>&1
    { "$minpriv" minimize --format json "$image" -- sh /app/selftest.sh >"$work/minimize.json"; echo "exit $?" >"$out/minimize.exit"; } || true
    docker rmi -f "$image" >/dev/null 2>&1 || true
    python3 - "$work/minimize.json" "$out/minimize.json" "$image" <<'EOF'
import re, sys
text = open(sys.argv[1]).read().replace(sys.argv[3], "IMAGE")
text = re.sub(r'"duration_ms": \d+', '"duration_ms": 0', text)
text = re.sub(r'\d+\.\d+ s\)', 'T s)', text)
open(sys.argv[2], "w").write(text)
EOF
  else
    echo "no Docker engine (or no busybox): minimize.json not recorded" >&2
  fi
  ls -l "$out"
}

compare() {
  local old="$1" new="$2" status=0
  for f in "$old"/*; do
    local name
    name="$(basename "$f")"
    if [[ ! -e $new/$name ]]; then
      echo "only in $old: $name"; status=1
    elif cmp -s "$f" "$new/$name"; then
      echo "same       $name"
    else
      echo "DIFFERENT  $name"; diff -u "$f" "$new/$name" | head -n 60; status=1
    fi
  done
  for f in "$new"/*; do
    [[ -e $old/$(basename "$f") ]] || { echo "only in $new: $(basename "$f")"; status=1; }
  done
  return $status
}

case "${1:-}" in
  record) [[ $# -ge 2 ]] || usage; record "$2" "${3:-}" ;;
  compare) [[ $# -eq 3 ]] || usage; compare "$2" "$3" ;;
  *) usage ;;
esac
